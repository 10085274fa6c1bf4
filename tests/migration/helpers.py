"""Helpers for the migration tests: sample locations, valid answers, read-back, the check."""

from __future__ import annotations

import os
from io import BytesIO
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from form_definitions.catalogue import default_forms_dir
from form_definitions.check import check_document, load_authorities

ROOT = Path(__file__).resolve().parents[2]
# The public samples live beside the project (../shared/pdf-samples); never copied into it.
SAMPLES = Path(os.environ.get("FORMWERK_PDF_SAMPLES") or ROOT.parent / "shared" / "pdf-samples")
GOOD_SAMPLES = sorted((SAMPLES / "forms").glob("*.pdf"))
BAD_SAMPLES = sorted((SAMPLES / "bad").glob("*.pdf"))
AUTHORITIES, _ = load_authorities(default_forms_dir() / "authorities.json")


def check_problems(definition: dict[str, Any], name: str = "migrated.json") -> list[str]:
    """What `formwerk check` reports for a definition (document checks plus authority)."""
    problems = [str(p) for p in check_document(definition, name)]
    if definition["x-service"]["authority"] not in AUTHORITIES:
        problems.append(f"{name}: unknown authority")
    return problems


def iter_fields(properties: dict[str, Any], base: str = "") -> list[tuple[str, dict[str, Any]]]:
    """(pointer, schema) of every property that came from a PDF field, depth first."""
    found: list[tuple[str, dict[str, Any]]] = []
    for key, schema in properties.items():
        pointer = f"{base}/{key}"
        if "x-pdf" in schema:
            found.append((pointer, schema))
        elif schema.get("type") == "object":
            found += iter_fields(schema["properties"], pointer)
    return found


def _answer(schema: dict[str, Any], variant: int) -> Any:
    if schema.get("type") == "object":
        return {
            key: value
            for key, sub in schema["properties"].items()
            if (value := _answer(sub, variant)) is not None
        }
    if schema.get("readOnly"):
        return None
    if "const" in schema:
        return schema["const"]
    if "oneOf" in schema:
        return schema["oneOf"][variant % len(schema["oneOf"])]["const"]
    kind = schema.get("type")
    if kind == "array":
        options = [o["const"] for o in schema["items"]["oneOf"]]
        return options[variant % len(options) :][:2] or options[:1]
    if kind == "boolean":
        return variant % 2 == 0
    if kind == "integer":
        return 7 + variant
    if kind == "number":
        return 1234.5 + variant
    if schema.get("format") == "date":
        return "2024-02-29"
    pattern = schema.get("pattern", "")
    if pattern:
        samples = ["12345", "12345-6789", "0511 123456", "123-45-6789"]
        return next(s for s in samples if Draft202012Validator(schema).is_valid(s))
    text = ["Jürgen Müller-Weiß", "Straße 12 a", "Ä Ö Ü ß"][variant % 3]
    return text[: schema.get("maxLength", len(text))]


def valid_answers(definition: dict[str, Any], variant: int = 0) -> dict[str, Any]:
    """Answers for every field of a definition that the definition itself accepts."""
    answers = _answer({"type": "object", "properties": definition["properties"]}, variant)
    errors = list(
        Draft202012Validator(definition, format_checker=FormatChecker()).iter_errors(answers)
    )
    assert not errors, [e.message for e in errors]
    return answers


def read_back(pdf: bytes) -> dict[str, Any]:
    """Field values of a PDF as pypdf reads them: {qualified name: /V}."""
    from pypdf import PdfReader

    fields = PdfReader(BytesIO(pdf)).get_fields() or {}
    return {name: field.get("/V") for name, field in fields.items()}


def expected_values(definition: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """The /V each answered field must have after the fill, from the x-pdf origins."""
    from migration.formats import format_date, raw_number

    expected: dict[str, Any] = {}

    def walk(properties: dict[str, Any], given: dict[str, Any]) -> None:
        for key, schema in properties.items():
            if key not in given:
                continue
            value, origin = given[key], schema.get("x-pdf")
            if origin is None:
                walk(schema["properties"], value)
                continue
            kind = origin["kind"]
            if kind == "checkbox":
                value = origin["onState"] if value else "/Off"
            elif kind == "radio":
                value = origin["exportValues"][value]
            elif kind == "number":
                value = raw_number(value, origin["number"].get("decimals", 0))
            elif kind == "date" and origin.get("dateFormat"):
                value = format_date(value, origin["dateFormat"])
            expected[origin["field"]] = value

    walk(definition["properties"], answers)
    return expected
