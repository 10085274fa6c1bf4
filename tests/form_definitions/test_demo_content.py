"""The shipped demo portal: clean, complete, and using every construct of the format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from form_definitions.catalogue import Catalogue, default_forms_dir, definition_paths
from form_definitions.conditions import conditions_of, prune_hidden
from form_definitions.fields import Kind, iter_properties, kind_of, resolve, widget_of

ANSWERS = Path(__file__).resolve().parent.parent / "data" / "answers"
CATALOGUE = Catalogue.load(default_forms_dir())
#: Keywords of a field schema that the demo services must use between them.
FIELD_KEYWORDS = frozenset(
    {
        "readOnly",
        "const",
        "default",
        "x-errors",
        "description",
        "enum",
        "oneOf",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "minItems",
        "maxItems",
    }
)


def test_every_shipped_definition_passes_the_check() -> None:
    assert [str(p) for p in CATALOGUE.problems] == []
    assert len(CATALOGUE.services) == len(definition_paths(default_forms_dir())) >= 6


def test_portal_has_a_county_and_at_least_two_of_its_towns() -> None:
    kinds = [a.kind for a in CATALOGUE.authorities.values()]
    county = next(a for a in CATALOGUE.authorities.values() if a.kind == "Landkreis")
    members = [a for a in CATALOGUE.authorities.values() if a.parent == county.id]
    assert "Landkreis" in kinds and len(members) >= 2
    assert {s.meta.authority for s in CATALOGUE.services.values()} <= set(CATALOGUE.authorities)


def roots(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The definition itself and its shared object blocks under $defs."""
    return [doc, *(d for d in doc.get("$defs", {}).values() if d.get("type") == "object")]


def object_schemas(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Every object schema of a definition: root, $defs blocks, groups, repeated items."""
    found = roots(doc)
    for root in roots(doc):
        for ref in iter_properties(root, doc):
            for candidate in (ref.schema, ref.schema.get("items")):
                if isinstance(candidate, dict) and candidate.get("type") == "object":
                    found.append(candidate)
    return found


def fields(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Every property schema of a definition, including those of $defs blocks."""
    return [ref.schema for root in roots(doc) for ref in iter_properties(root, doc)]


def test_demo_services_use_every_construct() -> None:
    kinds: set[Kind] = set()
    widgets: set[str] = set()
    keywords: set[str] = set()
    ui_keys: set[str] = set()
    operators: set[str] = set()
    for definition in CATALOGUE.services.values():
        doc = definition.schema
        text = json.dumps(doc)
        for field in fields(doc):
            kinds.add(kind_of(field, doc))
            widgets.add(widget_of(field, doc) or "")
            schema = resolve(field, doc)
            keywords.update(k for k in schema if k in FIELD_KEYWORDS)
            ui_keys.update(schema.get("x-ui", {}))
        for obj in object_schemas(doc):
            for condition in conditions_of(obj):
                operators.add(condition.operator)
                if condition.otherwise:
                    operators.add("else")
            if "dependentRequired" in obj:
                keywords.add("dependentRequired")
        if '"$ref": "#/$defs/' in text.replace('"$ref": "#/$defs/attachment"', ""):
            keywords.add("$ref")
        if "x-steps" in doc:
            keywords.add("x-steps")
    assert kinds == set(Kind)
    assert {
        "text",
        "textarea",
        "tel",
        "email",
        "date",
        "number",
        "checkbox",
        "yesno",
        "radios",
        "select",
        "checkboxes",
        "file",
    } <= widgets
    assert (
        FIELD_KEYWORDS
        | {
            "dependentRequired",
            "$ref",
            "x-steps",
        }
        <= keywords
    )
    assert {
        "autocomplete",
        "width",
        "rows",
        "accept",
        "maxBytes",
        "addLabel",
        "itemLabel",
    } <= ui_keys
    assert {"const", "contains", "else"} <= operators
    metas = [d.meta for d in CATALOGUE.services.values()]
    assert all(m.prepare and m.durationMinutes and m.keywords for m in metas)
    assert any(m.leika for m in metas) and any(m.retentionDays != 365 for m in metas)


@pytest.mark.parametrize("service_id", sorted(CATALOGUE.services))
def test_sample_answers_are_valid_and_empty_answers_are_not(service_id: str) -> None:
    definition = CATALOGUE.services[service_id]
    answers = json.loads((ANSWERS / f"{service_id}.json").read_text())
    assert list(definition.validator.iter_errors(answers)) == []
    assert prune_hidden(definition.schema, definition.schema, answers) == answers
    required_errors = [e for e in definition.validator.iter_errors({}) if e.validator == "required"]
    assert required_errors


def test_personal_data_fields_carry_autocomplete_tokens() -> None:
    """WCAG 1.3.5: given name, family name, birth date, address, e-mail and phone."""
    tokens: set[str] = set()
    for definition in CATALOGUE.services.values():
        doc = definition.schema
        for field in fields(doc):
            if token := resolve(field, doc).get("x-ui", {}).get("autocomplete"):
                tokens.add(token.split()[-1])
    assert {
        "given-name",
        "family-name",
        "bday",
        "street-address",
        "postal-code",
        "address-level2",
        "email",
        "tel",
    } <= tokens
