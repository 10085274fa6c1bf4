"""German validation messages, one per keyword, naming the field by its title."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from form_definitions.definition import ServiceDefinition
from form_definitions.fields import ATTACHMENT_SCHEMA
from renderer.messages import validate

PROPS: dict[str, Any] = {
    "name": {"type": "string", "title": "Name", "minLength": 2, "maxLength": 5},
    "plz": {"type": "string", "title": "Postleitzahl", "pattern": "^[0-9]{5}$"},
    "geb": {"type": "string", "format": "date", "title": "Geburtsdatum"},
    "mail": {"type": "string", "format": "email", "title": "E-Mail"},
    "alter": {"type": "integer", "title": "Alter", "minimum": 18, "maximum": 99},
    "betrag": {"type": "number", "title": "Betrag", "multipleOf": 0.01, "exclusiveMinimum": 0},
    "art": {"title": "Art", "oneOf": [{"const": "a", "title": "A"}]},
    "ok": {"type": "boolean", "title": "Zustimmung", "const": True},
    "was": {
        "type": "array",
        "title": "Gegenstände",
        "minItems": 2,
        "maxItems": 3,
        "items": {"enum": ["x", "y", "z", "w"]},
    },
    "kinder": {
        "type": "array",
        "title": "Kinder",
        "minItems": 1,
        "x-ui": {"itemLabel": "Kind {n}"},
        "items": {
            "type": "object",
            "title": "Kind",
            "required": ["vorname"],
            "properties": {"vorname": {"type": "string", "title": "Vorname"}},
        },
    },
    "iban": {"type": "string", "title": "IBAN"},
    "inhaber": {
        "type": "string",
        "title": "Kontoinhaber",
        "x-errors": {"required": "Wer ist Kontoinhaber?"},
    },
    "steuer": {
        "type": "string",
        "title": "Steuernummer",
        "pattern": "^[0-9]+$",
        "x-errors": {"pattern": "Nur Ziffern, bitte."},
    },
    "nachweis": {"$ref": "#/$defs/attachment", "title": "Nachweis"},
}
DEFINITION = ServiceDefinition(
    {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Test",
        "type": "object",
        "x-service": {"id": "t", "authority": "a", "version": "1.0.0", "status": "published"},
        "properties": PROPS,
        "required": ["name", "art", "nachweis"],
        "dependentRequired": {"iban": ["inhaber"]},
        "allOf": [
            {
                "if": {"properties": {"art": {"const": "a"}}, "required": ["art"]},
                "then": {"required": ["plz"]},
            }
        ],
        "$defs": {"attachment": copy.deepcopy(ATTACHMENT_SCHEMA)},
    }
)


def messages(data: dict[str, Any]) -> dict[tuple, str]:
    return {e.path: e.summary for e in validate(DEFINITION, data)}


@pytest.mark.parametrize(
    ("data", "path", "message"),
    [
        ({}, ("name",), "Geben Sie „Name“ an."),
        ({}, ("art",), "Wählen Sie bei „Art“ eine Antwort aus."),
        ({}, ("nachweis",), "Laden Sie „Nachweis“ hoch."),
        ({"name": "A"}, ("name",), "„Name“ muss mindestens 2 Zeichen lang sein."),
        ({"name": "Abcdef"}, ("name",), "„Name“ darf höchstens 5 Zeichen lang sein."),
        ({"art": "a"}, ("plz",), "Geben Sie „Postleitzahl“ an."),  # if/then
        ({"art": "a", "plz": "1234"}, ("plz",), "„Postleitzahl“ hat nicht das erwartete Format."),
        (
            {"geb": "2026-02-30"},
            ("geb",),
            "„Geburtsdatum“ muss ein gültiges Datum sein, zum Beispiel 17.3.1990.",
        ),
        (
            {"mail": "kein-at"},
            ("mail",),
            "Geben Sie bei „E-Mail“ eine E-Mail-Adresse im richtigen "
            "Format an, zum Beispiel name@beispiel.de.",
        ),
        ({"alter": 12}, ("alter",), "„Alter“ muss mindestens 18 sein."),
        ({"alter": 120}, ("alter",), "„Alter“ darf höchstens 99 sein."),
        ({"alter": "zwölf"}, ("alter",), "„Alter“ muss eine ganze Zahl sein."),
        ({"betrag": "viel"}, ("betrag",), "„Betrag“ muss eine Zahl sein."),
        ({"betrag": 1.234}, ("betrag",), "„Betrag“ darf höchstens zwei Nachkommastellen haben."),
        ({"betrag": 0}, ("betrag",), "„Betrag“ muss größer als 0 sein."),
        ({"art": "b"}, ("art",), "Wählen Sie bei „Art“ eine der angebotenen Antworten aus."),
        ({"ok": False}, ("ok",), "Setzen Sie das Häkchen bei „Zustimmung“, um fortzufahren."),
        ({"was": ["x"]}, ("was",), "Wählen Sie bei „Gegenstände“ mindestens 2 Antworten aus."),
        (
            {"was": ["x", "y", "z", "w"]},
            ("was",),
            "Wählen Sie bei „Gegenstände“ höchstens 3 Antworten aus.",
        ),
        (
            {"was": ["x", "q"]},
            ("was",),
            "Wählen Sie bei „Gegenstände“ eine der angebotenen Antworten aus.",
        ),
        ({"kinder": []}, ("kinder",), "Geben Sie bei „Kinder“ mindestens 1 Eintrag an."),
        (
            {"kinder": [{"vorname": "A"}, {}]},
            ("kinder", 1, "vorname"),
            "Kind 2: Geben Sie „Vorname“ an.",
        ),
        ({"iban": "DE00"}, ("inhaber",), "Wer ist Kontoinhaber?"),  # dependentRequired + x-errors
        ({"steuer": "12/34"}, ("steuer",), "Nur Ziffern, bitte."),  # x-errors per keyword
        (
            {"nachweis": {"id": "x"}},
            ("nachweis",),
            "„Nachweis“ verweist nicht auf eine hochgeladene Datei. "
            "Laden Sie die Datei erneut hoch.",
        ),
    ],
)
def test_message(data: dict[str, Any], path: tuple, message: str) -> None:
    assert messages(data)[path] == message


def test_errors_come_in_page_order_one_per_field() -> None:
    found = validate(DEFINITION, {"name": "A", "alter": 1})
    paths = [e.path for e in found]
    assert paths.index(("name",)) < paths.index(("alter",)) < paths.index(("nachweis",))
    assert len(paths) == len(set(paths))


def test_hidden_fields_are_never_validated() -> None:
    # "plz" is conditional on art == "a"; with no art it is hidden, so its bad value is dropped
    assert ("plz",) not in messages({"plz": "x"})
