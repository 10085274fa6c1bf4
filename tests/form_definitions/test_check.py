"""`formwerk check`: each semantic check catches a broken definition precisely."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from form_definitions.catalogue import default_forms_dir
from form_definitions.check import check_document, check_files, load_authorities
from form_definitions.fields import ATTACHMENT_SCHEMA

AUTHORITIES, _ = load_authorities(default_forms_dir() / "authorities.json")
AUTHORITY = next(iter(AUTHORITIES))


def valid() -> dict[str, Any]:
    """A small definition that uses steps, a group, a choice trigger and a file field."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Testantrag",
        "type": "object",
        "x-service": {
            "id": "testantrag",
            "authority": AUTHORITY,
            "version": "1.0.0",
            "status": "published",
        },
        "x-steps": [
            {"id": "person", "title": "Person", "properties": ["name", "anschrift"]},
            {"id": "mehr", "title": "Mehr", "properties": ["art", "grund", "nachweis"]},
        ],
        "properties": {
            "name": {"type": "string", "title": "Name", "pattern": "^[A-Za-z ]+$"},
            "anschrift": {"$ref": "#/$defs/anschrift", "title": "Anschrift"},
            "art": {
                "title": "Art",
                "oneOf": [
                    {"const": "a", "title": "Erste Art"},
                    {"const": "b", "title": "Zweite Art"},
                ],
            },
            "grund": {"type": "string", "title": "Begründung"},
            "nachweis": {
                "$ref": "#/$defs/attachment",
                "title": "Nachweis",
                "x-ui": {"accept": ["application/pdf"]},
            },
        },
        "required": ["name", "art"],
        "allOf": [
            {
                "if": {"properties": {"art": {"const": "b"}}, "required": ["art"]},
                "then": {"required": ["grund"]},
            }
        ],
        "$defs": {
            "anschrift": {
                "type": "object",
                "title": "Anschrift",
                "properties": {"ort": {"type": "string", "title": "Ort"}},
            },
            "attachment": copy.deepcopy(ATTACHMENT_SCHEMA),
        },
    }


def problems_of(doc: dict[str, Any]) -> list[str]:
    return [f"{p.pointer}: {p.message}" for p in check_document(doc, "t.json")]


def test_the_valid_definition_is_clean() -> None:
    assert problems_of(valid()) == []


def mutate(fn: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    doc = valid()
    fn(doc)
    return doc


CASES: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    (
        "missing title",
        lambda d: d["properties"]["grund"].pop("title"),
        "/properties/grund: Feld 'grund' braucht einen deutschen Titel ('title')",
    ),
    (
        "technical title",
        lambda d: d["properties"]["grund"].update(title="grundText"),
        "/properties/grund/title: Titel 'grundText' ist ein technischer Name",
    ),
    (
        "title of a nested property in $defs",
        lambda d: d["$defs"]["anschrift"]["properties"]["ort"].pop("title"),
        "/$defs/anschrift/properties/ort: Feld 'ort' braucht einen deutschen Titel",
    ),
    (
        "step names an unknown property",
        lambda d: d["x-steps"][0]["properties"].append("gibtsnicht"),
        "/x-steps/0/properties/2: 'gibtsnicht' ist kein Feld der obersten Ebene",
    ),
    (
        "property on two steps",
        lambda d: d["x-steps"][1]["properties"].append("name"),
        "/x-steps/1/properties/3: 'name' steht schon in Schritt 1",
    ),
    (
        "property on no step",
        lambda d: d["x-steps"][1]["properties"].remove("grund"),
        "/properties/grund: Feld 'grund' steht in keinem Schritt",
    ),
    (
        "duplicate step id",
        lambda d: d["x-steps"][1].update(id="person"),
        "/x-steps/1/id: Schritt-ID 'person' kommt mehrfach vor",
    ),
    (
        "condition with an unsupported test",
        lambda d: d["allOf"][0]["if"]["properties"]["art"].update({"enum": ["a"]}),
        "/allOf/0: Bedingung nicht unterstützt: das Feld in 'if' muss mit 'const' geprüft "
        "werden; unterstützt wird genau diese Form",
    ),
    (
        "condition without required trigger",
        lambda d: d["allOf"][0]["if"].pop("required"),
        "/allOf/0: Bedingung nicht unterstützt: 'if' muss das geprüfte Feld in 'required' nennen",
    ),
    (
        "condition with more in then",
        lambda d: d["allOf"][0]["then"].update(properties={"grund": {"minLength": 3}}),
        "/allOf/0: Bedingung nicht unterstützt: 'then' darf nur 'required' enthalten",
    ),
    (
        "condition value not an option",
        lambda d: d["allOf"][0]["if"]["properties"]["art"].update(const="c"),
        '/allOf/0/if/properties/art: "c" ist keine Option des Auslösers',
    ),
    (
        "condition on an unknown trigger",
        lambda d: d["allOf"][0].update(
            {"if": {"properties": {"x": {"const": 1}}, "required": ["x"]}}
        ),
        "/allOf/0/if/properties/x: Auslöser 'x' ist kein Feld dieses Objekts",
    ),
    (
        "dependant also required",
        lambda d: d["required"].append("grund"),
        "/allOf/0/then/required/0: 'grund' ist bedingt, steht aber auch im 'required'",
    ),
    (
        "dependant unknown",
        lambda d: d["allOf"][0]["then"]["required"].append("fehlt"),
        "/allOf/0/then/required/1: 'fehlt' ist kein Feld dieses Objekts",
    ),
    (
        "pattern does not compile",
        lambda d: d["properties"]["name"].update(pattern="^[a-z"),
        "/properties/name/pattern: regulärer Ausdruck ungültig",
    ),
    (
        "$ref does not resolve",
        lambda d: d["properties"]["anschrift"].update({"$ref": "#/$defs/adresse"}),
        "/properties/anschrift/$ref: $ref '#/$defs/adresse' verweist auf nichts",
    ),
    (
        "remote $ref",
        lambda d: d["properties"]["anschrift"].update({"$ref": "https://example.org/a.json"}),
        "/properties/anschrift/$ref: $ref 'https://example.org/a.json' wird nicht unterstützt",
    ),
    (
        "required names an unknown property",
        lambda d: d["required"].append("alter"),
        "/required/2: Pflichtfeld 'alter' ist nicht unter 'properties' definiert",
    ),
    (
        "dependentRequired names an unknown property",
        lambda d: d.update(dependentRequired={"name": ["telefon"]}),
        "/dependentRequired/name/0: 'telefon' ist nicht unter 'properties' definiert",
    ),
    (
        "typo in a keyword",
        lambda d: d["properties"]["name"].update(maxLenght=3),
        "/properties/name/maxLenght: unbekanntes oder nicht unterstütztes Schlüsselwort",
    ),
    (
        "typo in an extension keyword",
        lambda d: d["properties"]["name"].update({"x-iu": {}}),
        "/properties/name/x-iu: unbekanntes Erweiterungs-Schlüsselwort 'x-iu'",
    ),
    (
        "widget that does not fit",
        lambda d: d["properties"]["name"].update({"x-ui": {"widget": "checkboxes"}}),
        "/properties/name/x-ui/widget: Widget 'checkboxes' passt nicht zu einem Feld der Art text",
    ),
    (
        "unsupported format",
        lambda d: d["properties"]["name"].update(format="uri"),
        "/properties/name: format 'uri' wird nicht unterstützt",
    ),
    (
        "type list",
        lambda d: d["properties"]["name"].update(type=["string", "null"]),
        "/properties/name: 'type' muss ein einzelner Typ sein",
    ),
    (
        "option without title",
        lambda d: d["properties"]["art"]["oneOf"][0].pop("title"),
        "/properties/art/oneOf/0: Option braucht einen 'title'",
    ),
    (
        "altered attachment schema",
        lambda d: d["$defs"]["attachment"]["properties"].pop("sha256"),
        "/$defs/attachment: weicht vom Standard-Schema für Anhänge ab",
    ),
    (
        "missing x-service field",
        lambda d: d["x-service"].pop("version"),
        "/x-service: Pflichtangabe 'version' fehlt",
    ),
    (
        "bad status",
        lambda d: d["x-service"].update(status="live"),
        '/x-service/status: "live" ist nicht erlaubt; erlaubt: "draft", "published"',
    ),
    ("root is not an object schema", lambda d: d.update(type="array"), '/type: muss "object" sein'),
    (
        "invalid JSON Schema",
        lambda d: d["properties"]["name"].update(minLength=-1),
        "/properties/name/minLength: muss mindestens 0 sein",
    ),
    (
        "default that is not a valid answer",
        lambda d: d["properties"]["name"].update(default="123"),
        "/properties/name/default: der Standardwert ist selbst keine gültige Antwort",
    ),
    (
        "property name that cannot be an HTML name",
        lambda d: (
            d["properties"].update({"e.mail": {"type": "string", "title": "E-Mail"}}),
            d["x-steps"][0]["properties"].append("e.mail"),
        ),
        "/properties/e.mail: Feldname 'e.mail' ist ungültig",
    ),
    (
        "file type the portal cannot recognise",
        lambda d: d["properties"]["nachweis"]["x-ui"].update(accept=["video/mp4"]),
        "/properties/nachweis/x-ui/accept/0: Dateityp 'video/mp4' wird nicht unterstützt",
    ),
    (
        "min above max",
        lambda d: d["properties"]["name"].update(minLength=5, maxLength=2),
        "/properties/name/minLength: 'minLength' ist größer als 'maxLength'",
    ),
]


@pytest.mark.parametrize(
    ("mutation", "expected"), [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_check_reports_file_pointer_and_message(
    mutation: Callable[[dict[str, Any]], None], expected: str
) -> None:
    found = problems_of(mutate(mutation))
    assert any(line.startswith(expected) for line in found), found


def write(tmp_path: Path, name: str, doc: Any) -> Path:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return path


def test_duplicate_service_ids_across_files(tmp_path: Path) -> None:
    first, second = write(tmp_path, "a.json", valid()), write(tmp_path, "b.json", valid())
    _, problems = check_files([first, second], AUTHORITIES)
    assert [str(p) for p in problems] == [
        f"{second}: /x-service/id: Dienst-ID 'testantrag' ist schon vergeben ({first})"
    ]


def test_unknown_authority(tmp_path: Path) -> None:
    path = write(tmp_path, "a.json", mutate(lambda d: d["x-service"].update(authority="mond")))
    _, problems = check_files([path], AUTHORITIES)
    assert str(problems[0]).startswith(
        f"{path}: /x-service/authority: Behörde 'mond' gibt es im Portal nicht (bekannt: "
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"title": ', "/: kein gültiges JSON: Zeile 1, Spalte 11: Expecting value"),
        (b"\xff\xfe{}", "/: kein UTF-8-Text (Byte 0)"),
        ("[1, 2]", "/: eine Definition muss ein JSON-Objekt sein, kein Array"),
        ("[" * 100_000 + "]" * 100_000, "/: kein gültiges JSON: zu tief verschachtelt"),
    ],
    ids=["truncated", "not utf-8", "not an object", "deeply nested"],
)
def test_unreadable_files_get_one_clear_line(
    tmp_path: Path, content: str | bytes, message: str
) -> None:
    path = tmp_path / "kaputt.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    _, problems = check_files([path], AUTHORITIES)
    assert str(problems[0]) == f"{path}: {message}"


def test_missing_file(tmp_path: Path) -> None:
    _, problems = check_files([tmp_path / "fehlt.json"], AUTHORITIES)
    assert [str(p) for p in problems] == [f"{tmp_path / 'fehlt.json'}: /: Datei nicht gefunden"]


def test_authorities_file_checks(tmp_path: Path) -> None:
    doc = json.loads((default_forms_dir() / "authorities.json").read_text())
    doc["authorities"][1]["referencePrefix"] = doc["authorities"][0]["referencePrefix"]
    doc["authorities"][2]["parent"] = "atlantis"
    _, problems = load_authorities(write(tmp_path, "authorities.json", doc))
    messages = [f"{p.pointer}: {p.message}" for p in problems]
    assert any(m.startswith("/authorities/1/referencePrefix: Präfix") for m in messages)
    assert "/authorities/2/parent: übergeordnete Behörde 'atlantis' unbekannt" in messages
