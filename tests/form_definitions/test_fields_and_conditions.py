"""Field kinds, widgets and the condition pattern (show/hide from the validating schema)."""

from __future__ import annotations

from typing import Any

import pytest

from form_definitions.conditions import hidden_fields, prune_hidden
from form_definitions.fields import (
    ATTACHMENT_REF,
    DefinitionError,
    Kind,
    choices,
    kind_of,
    resolve,
    widget_of,
)
from form_definitions.validation import answer_validator

ROOT: dict[str, Any] = {"$defs": {"ort": {"type": "string", "title": "Ort", "maxLength": 5}}}
OPTIONS = [{"const": f"o{i}", "title": f"Option {i}"} for i in range(7)]


@pytest.mark.parametrize(
    ("schema", "kind", "widget"),
    [
        ({"type": "string"}, Kind.TEXT, "text"),
        ({"type": "string", "x-ui": {"widget": "textarea"}}, Kind.TEXT, "textarea"),
        ({"type": "string", "format": "email"}, Kind.EMAIL, "email"),
        ({"type": "string", "format": "date"}, Kind.DATE, "date"),
        ({"type": "number"}, Kind.NUMBER, "number"),
        ({"type": "integer"}, Kind.INTEGER, "number"),
        ({"type": "boolean"}, Kind.BOOLEAN, "checkbox"),
        ({"type": "boolean", "x-ui": {"widget": "yesno"}}, Kind.BOOLEAN, "yesno"),
        ({"oneOf": OPTIONS[:6]}, Kind.CHOICE, "radios"),
        ({"oneOf": OPTIONS}, Kind.CHOICE, "select"),
        ({"type": "integer", "enum": [1, 2]}, Kind.CHOICE, "radios"),
        ({"type": "array", "items": {"oneOf": OPTIONS}}, Kind.MULTI_CHOICE, "checkboxes"),
        ({"type": "object", "properties": {"a": {"type": "string"}}}, Kind.GROUP, None),
        (
            {"type": "array", "items": {"type": "object", "properties": {"a": {}}}},
            Kind.REPEAT,
            None,
        ),
        ({"$ref": ATTACHMENT_REF}, Kind.FILE, "file"),
        ({"type": "array", "items": {"$ref": ATTACHMENT_REF}}, Kind.FILES, "file"),
        ({"$ref": "#/$defs/ort", "title": "Wohnort"}, Kind.TEXT, "text"),
    ],
)
def test_kind_and_default_widget(schema: dict[str, Any], kind: Kind, widget: str | None) -> None:
    assert kind_of(schema, ROOT) is kind
    assert widget_of(schema, ROOT) == widget


def test_ref_siblings_win_over_the_target() -> None:
    assert resolve({"$ref": "#/$defs/ort", "title": "Wohnort"}, ROOT) == {
        "type": "string",
        "title": "Wohnort",
        "maxLength": 5,
    }


def test_ref_cycle_is_an_error() -> None:
    root = {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}}
    with pytest.raises(DefinitionError, match="Zyklus"):
        resolve({"$ref": "#/$defs/a"}, root)


def test_choices_keep_order_and_titles() -> None:
    assert [(c.value, c.title) for c in choices({"oneOf": OPTIONS[:2]})] == [
        ("o0", "Option 0"),
        ("o1", "Option 1"),
    ]
    assert [c.title for c in choices({"enum": [1, 2]})] == ["1", "2"]


HUND: dict[str, Any] = {
    "type": "object",
    "properties": {
        "gefaehrlich": {"type": "boolean", "title": "Gefährlich"},
        "wesenstest": {"type": "string", "format": "date", "title": "Datum des Wesenstests"},
        "art": {
            "type": "array",
            "title": "Art",
            "items": {"oneOf": [{"const": "x", "title": "X"}, {"const": "y", "title": "Y"}]},
        },
        "artText": {"type": "string", "title": "Andere Art"},
        "miete": {"type": "number", "title": "Miete"},
        "belastung": {"type": "number", "title": "Belastung"},
        "mieter": {"type": "boolean", "title": "Mieter"},
    },
    "allOf": [
        {
            "if": {"properties": {"gefaehrlich": {"const": True}}, "required": ["gefaehrlich"]},
            "then": {"required": ["wesenstest"]},
        },
        {
            "if": {"properties": {"art": {"contains": {"const": "y"}}}, "required": ["art"]},
            "then": {"required": ["artText"]},
        },
        {
            "if": {"properties": {"mieter": {"const": True}}, "required": ["mieter"]},
            "then": {"required": ["miete"]},
            "else": {"required": ["belastung"]},
        },
    ],
}


@pytest.mark.parametrize(
    ("data", "hidden"),
    [
        ({}, {"wesenstest", "artText", "miete"}),
        ({"gefaehrlich": True, "mieter": True}, {"artText", "belastung"}),
        ({"gefaehrlich": False, "art": ["x", "y"], "mieter": False}, {"wesenstest", "miete"}),
        # JSON Schema semantics: 1 is not true, so the condition does not hold
        ({"gefaehrlich": 1}, {"wesenstest", "artText", "miete"}),
    ],
)
def test_hidden_fields_follow_the_validating_schema(data: dict[str, Any], hidden: set[str]) -> None:
    assert hidden_fields(HUND, data) == hidden
    # Show/hide and validation agree: a shown dependant is required, a hidden one is not.
    errors = {e.message for e in answer_validator(HUND).iter_errors(data)}
    for name in {"wesenstest", "artText", "miete", "belastung"}:
        assert (f"'{name}' is a required property" in errors) == (name not in hidden)


def test_prune_drops_hidden_answers_at_every_depth() -> None:
    root = {"type": "object", "properties": {"hunde": {"type": "array", "items": HUND}}}
    data = {
        "hunde": [
            {
                "gefaehrlich": False,
                "wesenstest": "2020-01-01",
                "mieter": True,
                "miete": 500,
                "belastung": 3,
            }
        ]
    }
    assert prune_hidden(root, root, data) == {
        "hunde": [{"gefaehrlich": False, "mieter": True, "miete": 500}]
    }


def test_prune_drops_dependants_of_hidden_triggers() -> None:
    obj = {
        "type": "object",
        "properties": {
            "a": {"type": "boolean", "title": "A"},
            "b": {"type": "boolean", "title": "B"},
            "c": {"type": "string", "title": "C"},
        },
        "allOf": [
            {
                "if": {"properties": {"a": {"const": True}}, "required": ["a"]},
                "then": {"required": ["b"]},
            },
            {
                "if": {"properties": {"b": {"const": True}}, "required": ["b"]},
                "then": {"required": ["c"]},
            },
        ],
    }
    assert prune_hidden(obj, obj, {"a": False, "b": True, "c": "x"}) == {"a": False}


@pytest.mark.parametrize("amount", [1234.56, 512.3, 0.07, 0, 2999.99, 10])
def test_multiple_of_cents_is_exact(amount: float) -> None:
    validator = answer_validator({"type": "number", "multipleOf": 0.01})
    assert validator.is_valid(amount)
    assert not validator.is_valid(amount + 0.001)


def test_formats_are_checked() -> None:
    validator = answer_validator({"type": "string", "format": "date"})
    assert validator.is_valid("2026-02-28")
    assert not validator.is_valid("2026-02-30")
    assert not answer_validator({"type": "string", "format": "email"}).is_valid("kein-at")
