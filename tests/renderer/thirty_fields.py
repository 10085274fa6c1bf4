"""The 30-field form of issue 3's renderer benchmark (bench/bench_renderer.py), with
valid answers: the common kinds of field, each six times over."""

from __future__ import annotations

from typing import Any

SERVICE = "dreissig-felder"


def definition() -> dict[str, Any]:
    """A one-step form with 30 fields of the common kinds."""
    kinds = [
        {"type": "string", "maxLength": 100, "x-ui": {"autocomplete": "given-name"}},
        {"type": "string", "format": "date"},
        {"type": "string", "format": "email"},
        {"type": "integer", "minimum": 0, "maximum": 99},
        {"type": "string", "oneOf": [{"const": f"o{i}", "title": f"Option {i}"} for i in range(4)]},
        {"type": "string", "pattern": "^[0-9]{5}$"},
    ]
    properties = {
        f"feld{i:02d}": {**kinds[i % len(kinds)], "title": f"Frage Nummer {i + 1}"}
        for i in range(30)
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Dreißig Felder",
        "type": "object",
        "x-service": {
            "id": SERVICE,
            "authority": "stadt-wiesenfeld",
            "version": "1.0.0",
            "status": "published",
        },
        "properties": properties,
        "required": list(properties),
    }


def answers(schema: dict[str, Any]) -> dict[str, Any]:
    """Valid answers to every field."""
    values = {"string": "Beispiel", "integer": 42}
    result = {}
    for name, field in schema["properties"].items():
        if "oneOf" in field:
            result[name] = "o2"
        elif field.get("format") == "date":
            result[name] = "1990-03-17"
        elif field.get("format") == "email":
            result[name] = "name@beispiel.de"
        elif "pattern" in field:
            result[name] = "29614"
        else:
            result[name] = values[field["type"]]
    return result
