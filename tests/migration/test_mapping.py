"""The exact mapping of generated PDFs: kinds, flags, labels, order, groups, steps, origin."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from reportlab.pdfgen import canvas

from migration import MigrationError, MigrationResult, migrate_pdf
from tests.migration.helpers import AUTHORITIES, check_problems, iter_fields


def _strip(schema: dict[str, Any]) -> dict[str, Any]:
    """A property without the geometry of its origin (rect, page, widgets)."""
    origin = {k: v for k, v in schema["x-pdf"].items() if k not in ("rect", "page", "widgets")}
    return {**schema, "x-pdf": origin}


def _origin(field: str, kind: str, source: str = "pageText", **extra: Any) -> dict[str, Any]:
    return {"field": field, "kind": kind, "labelSource": source, **extra}


def _choices(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"const": const, "title": title} for const, title in pairs]


EXPECTED_ANTRAG: dict[str, dict[str, Any]] = {
    "vorname": {"title": "Vorname", "type": "string", "x-pdf": _origin("vorname", "text")},
    "familienname": {
        "title": "Familienname der antragstellenden Person",
        "type": "string",
        "x-pdf": _origin("familienname", "text", "tooltip"),
    },
    "strasse": {
        "title": "Straße und Hausnummer",
        "type": "string",
        "x-pdf": _origin("strasse", "text"),
    },
    "plz": {
        "title": "PLZ",
        "type": "string",
        "maxLength": 5,
        "pattern": "^[0-9]{5}$",
        "x-ui": {"width": "s", "autocomplete": "postal-code"},
        "x-pdf": _origin("plz", "text", maxLen=5, comb=True, special=0),
    },
    "ort": {"title": "Ort", "type": "string", "x-pdf": _origin("ort", "text")},
    "geburtsdatum": {
        "title": "Geburtsdatum",
        "type": "string",
        "format": "date",
        "x-pdf": _origin("geburtsdatum", "date", dateFormat="dd.mm.yyyy"),
    },
    "einkommen": {
        "title": "Monatliches Einkommen in €",
        "type": "number",
        "x-pdf": _origin("einkommen", "number", number={"decimals": 2, "sepStyle": 2}),
    },
    "kinder": {
        "title": "Kinder",
        "type": "integer",
        "x-pdf": _origin("kinder", "number", number={"decimals": 0, "sepStyle": 2}),
    },
    "telefon": {
        "title": "Telefon",
        "type": "string",
        "pattern": "^[+]?[0-9][0-9 ()/-]{3,29}$",
        "x-ui": {"autocomplete": "tel", "widget": "tel"},
        "x-pdf": _origin("telefon", "text", special=2),
    },
    "email": {"title": "E-Mail-Adresse", "type": "string", "x-pdf": _origin("email", "text")},
    "bemerkungen": {
        "title": "Bemerkungen",
        "type": "string",
        "x-ui": {"widget": "textarea", "rows": 4},
        "x-pdf": _origin("bemerkungen", "textarea"),
    },
    "aktenzeichen": {
        "title": "Aktenzeichen",
        "type": "string",
        "readOnly": True,
        "default": "AZ-2024-001",
        "x-pdf": _origin("aktenzeichen", "text"),
    },
    "nrZusatz": {
        "title": "Nr Zusatz",
        "type": "string",
        "x-pdf": _origin("Nr.Zusatz", "text", "fieldName"),
    },
    "einverstanden": {
        "title": "Ich bin mit der Verarbeitung meiner Daten einverstanden",
        "type": "boolean",
        "const": True,
        "x-pdf": _origin("einverstanden", "checkbox", onState="/Ja"),
    },
    "newsletter": {
        "title": "Newsletter abonnieren",
        "type": "boolean",
        "default": True,
        "x-pdf": _origin("newsletter", "checkbox", onState="/Yes"),
    },
    "familienstand": {
        "title": "Familienstand",
        "type": "string",
        "oneOf": _choices(
            ("ledig", "ledig"), ("verheiratet", "verheiratet"), ("geschieden", "geschieden")
        ),
        "x-ui": {"widget": "radios"},
        "default": "ledig",
        "x-pdf": _origin(
            "familienstand",
            "radio",
            exportValues={
                "ledig": "/ledig",
                "verheiratet": "/verheiratet",
                "geschieden": "/geschieden",
            },
        ),
    },
    "feldOhneLabel": {
        "title": "Feld ohne label",
        "type": "string",
        "x-pdf": _origin("feld_ohne_label", "text", "fieldName"),
    },
    "anrede": {
        "title": "Anrede",
        "type": "string",
        "oneOf": _choices(("frau", "Frau"), ("herr", "Herr")),
        "x-ui": {"widget": "radios"},
        "x-pdf": _origin("anrede", "radio", exportValues={"frau": "/0", "herr": "/1"}),
    },
    "staatsangehoerigkeit": {
        "title": "Staatsangehörigkeit",
        "type": "string",
        "oneOf": _choices(("de", "Deutsch"), ("at", "Österreichisch"), ("ch", "Schweizerisch")),
        "x-ui": {"widget": "select"},
        "default": "de",
        "x-pdf": _origin("staatsangehoerigkeit", "choice"),
    },
    "stadtteil": {
        "title": "Stadtteil",
        "type": "string",
        "description": "Vorschläge: Altstadt, Neustadt",
        "default": "Altstadt",
        "x-pdf": _origin("stadtteil", "editcombo", options=["Altstadt", "Neustadt"]),
    },
    "fahrzeugart": {
        "title": "Fahrzeugart",
        "type": "string",
        "oneOf": _choices(("PKW", "PKW"), ("Motorrad", "Motorrad"), ("Wohnmobil", "Wohnmobil")),
        "x-ui": {"widget": "radios"},
        "default": "PKW",
        "x-pdf": _origin("fahrzeugart", "choice"),
    },
    "zusatz": {
        "title": "Zusätzliche Angaben",
        "type": "array",
        "uniqueItems": True,
        "items": {
            "type": "string",
            "oneOf": _choices(
                ("Schwerbehindert", "Schwerbehindert"),
                ("Zweitfahrzeug", "Zweitfahrzeug"),
                ("Gewerbe", "Gewerbe"),
            ),
        },
        "x-ui": {"widget": "checkboxes"},
        "default": ["Gewerbe"],
        "x-pdf": _origin("zusatz", "multichoice"),
    },
}


def test_every_kind_and_flag_maps_exactly(antrag: MigrationResult) -> None:
    properties = antrag.definition["properties"]
    assert {key: _strip(schema) for key, schema in properties.items()} == EXPECTED_ANTRAG


def test_reading_order_and_required(antrag: MigrationResult) -> None:
    definition = antrag.definition
    assert list(definition["properties"]) == list(EXPECTED_ANTRAG)
    assert definition["required"] == ["email", "einverstanden", "familienstand"]
    assert definition["x-steps"] == [
        {"id": "seite-1", "title": "Seite 1", "properties": list(EXPECTED_ANTRAG)}
    ]


def test_root_metadata_and_origin(antrag: MigrationResult, generated: dict[str, Path]) -> None:
    definition = antrag.definition
    assert definition["title"] == "Antrag auf einen Anwohnerparkausweis"
    assert definition["x-service"] == {
        "id": "anwohnerparken",
        "authority": next(iter(AUTHORITIES)),
        "version": "1.0.0",
        "status": "draft",
    }
    digest = hashlib.sha256(generated["antrag"].read_bytes()).hexdigest()
    assert definition["x-pdf"] == {"file": "anwohnerparken.pdf", "sha256": digest}
    assert antrag.pdf_bytes == generated["antrag"].read_bytes()
    plz = definition["properties"]["plz"]["x-pdf"]
    assert (plz["page"], plz["rect"]) == (1, [300.0, 678.0, 380.0, 696.0])
    radios = definition["properties"]["familienstand"]["x-pdf"]["widgets"]
    assert [w["rect"][0] for w in radios] == [160.0, 270.0, 380.0]


def test_report_lists_skipped_fields_and_label_sources(antrag: MigrationResult) -> None:
    report = antrag.report.to_dict()
    assert report["fields"]["found"] == 25
    assert report["fields"]["migrated"] == 22
    assert report["skipped"] == [
        {
            "field": "kennwort",
            "kind": "password",
            "reason": "Kennwortfeld: Kennwörter werden nicht übernommen",
        },
        {
            "field": "unterschrift",
            "kind": "signature",
            "reason": "Unterschriftsfeld: trägt keine Daten",
        },
        {"field": "drucken", "kind": "button", "reason": "Schaltfläche: trägt keine Daten"},
    ]
    assert report["labels"] == {"tooltip": 1, "pageText": 19, "fieldName": 2}
    inferred = {
        i["field"]: (i["label"], i["source"], i["property"]) for i in report["inferredLabels"]
    }
    assert inferred["ort"] == ("Ort", "pageText", "/properties/ort")
    assert inferred["Nr.Zusatz"] == ("Nr Zusatz", "fieldName", "/properties/nrZusatz")
    assert "familienname" not in inferred  # tooltips need no review
    assert any("editierbare Kombinationsfelder" in note for note in report["notes"])
    text = antrag.report.to_text()
    assert "Übersprungen:" in text and "kennwort: Kennwortfeld" in text


def test_generated_definitions_pass_the_check(
    antrag: MigrationResult, zwei_seiten: MigrationResult
) -> None:
    assert check_problems(antrag.definition) == []
    assert check_problems(zwei_seiten.definition) == []


def test_hierarchical_names_become_groups_and_headings_steps(zwei_seiten: MigrationResult) -> None:
    definition = zwei_seiten.definition
    person = definition["properties"]["antragsteller"]
    assert person["type"] == "object" and person["title"] == "Antragsteller"
    assert list(person["properties"]) == ["vorname", "name", "anschrift"]
    assert person["required"] == ["name"]
    address = person["properties"]["anschrift"]
    assert address["title"] == "Anschrift"
    assert address["properties"]["ort"]["x-pdf"]["field"] == "antragsteller.anschrift.ort"
    assert address["properties"]["ort"]["title"] == "Ort"
    income = definition["properties"]["einkommen"]["properties"]
    assert income["brutto"]["x-pdf"]["page"] == 2
    assert definition["title"] == "Antrag auf Wohngeld"
    assert definition["x-steps"] == [
        {
            "id": "angaben-zur-person",
            "title": "Angaben zur Person",
            "properties": ["antragsteller"],
        },
        {"id": "einkommen", "title": "Einkommen", "properties": ["einkommen"]},
    ]
    assert zwei_seiten.report.step_mode == "sections"


def _plain_two_pages(path: Path) -> Path:
    """Two pages, no headings; fields created in scrambled order, one row slightly offset."""
    c = canvas.Canvas(str(path))
    form = c.acroForm
    c.setFont("Helvetica", 10)
    for name, x, y in (("rechts", 300, 701), ("unten", 50, 600), ("links", 50, 700)):
        c.drawString(x, y + 22, name.capitalize())
        form.textfield(name=name, x=x, y=y, width=150, height=18, maxlen=None, borderWidth=1)
    c.showPage()
    form = c.acroForm
    c.setFont("Helvetica", 10)
    c.drawString(50, 722, "Zweite Seite")
    form.textfield(name="seite2", x=50, y=700, width=150, height=18, maxlen=None, borderWidth=1)
    c.showPage()
    c.save()
    return path


def test_reading_order_with_row_tolerance_and_steps_per_page(tmp_path: Path) -> None:
    result = migrate_pdf(_plain_two_pages(tmp_path / "Plain Form.pdf"))
    definition = result.definition
    assert list(definition["properties"]) == ["links", "rechts", "unten", "seite2"]
    assert [(s["id"], s["properties"]) for s in definition["x-steps"]] == [
        ("seite-1", ["links", "rechts", "unten"]),
        ("seite-2", ["seite2"]),
    ]
    assert definition["x-service"]["id"] == "plain-form"
    assert definition["x-pdf"]["file"] == "plain-form.pdf"
    assert definition["properties"]["seite2"]["title"] == "Zweite Seite"  # above the field
    assert check_problems(definition) == []


def test_authority_is_validated_against_the_portal(generated: dict[str, Path]) -> None:
    authority = sorted(AUTHORITIES)[-1]
    result = migrate_pdf(generated["antrag"], authority=authority)
    assert result.definition["x-service"]["authority"] == authority
    with pytest.raises(MigrationError, match="unbekannte Behörde 'amt-nirgendwo'"):
        migrate_pdf(generated["antrag"], authority="amt-nirgendwo")
    with pytest.raises(MigrationError, match="ungültige Dienst-ID"):
        migrate_pdf(generated["antrag"], service_id="Mit Leerzeichen")


def test_portal_without_authorities_gets_placeholder(
    generated: dict[str, Path], tmp_path: Path
) -> None:
    result = migrate_pdf(generated["antrag"], forms_dir=tmp_path)
    assert result.definition["x-service"]["authority"] == "unbekannt"


def test_every_property_records_its_origin(antrag: MigrationResult) -> None:
    for pointer, schema in iter_fields(antrag.definition["properties"]):
        origin = schema["x-pdf"]
        assert origin["page"] == 1, pointer
        x1, y1, x2, y2 = origin["rect"]
        assert 0 <= x1 < x2 <= 595.3 and 0 <= y1 < y2 <= 841.9, pointer
        assert origin["labelSource"] in ("tooltip", "pageText", "fieldName")
        assert schema["title"].strip()
