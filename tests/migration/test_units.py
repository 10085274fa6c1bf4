"""The small pieces: format actions, names, label cleaning, reading order, headings."""

from __future__ import annotations

import pytest

from migration.formats import (
    format_date,
    format_number,
    parse_date,
    parse_format_scripts,
    parse_number,
    raw_number,
)
from migration.labels import TextLine, clean_label, readable_name
from migration.layout import find_headings, plan_steps, reading_order
from migration.model import PdfField, Widget
from migration.names import property_key, slugify, unique
from migration.schema import readable_title


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ('AFNumber_Format(2, 0, 0, 0, "€", true);', {"number": {"decimals": 2, "sepStyle": 0}}),
        ("AFNumber_Keystroke(0,1,0,0,'',true)", {"number": {"decimals": 0, "sepStyle": 1}}),
        ('AFDate_FormatEx("dd.mm.yyyy");', {"date": "dd.mm.yyyy"}),
        ("AFDate_KeystrokeEx('mm/dd/yyyy')", {"date": "mm/dd/yyyy"}),
        ("AFDate_Format(2);", {"date": "mm/dd/yy"}),
        ("AFSpecial_Format(0);", {"special": 0}),
        ("AFSpecial_Format(3)", {"special": 3}),
        ("AFSpecial_Format(9)", {}),
        ("event.value = event.value.toUpperCase();", {}),
    ],
)
def test_format_scripts(script: str, expected: dict) -> None:
    assert parse_format_scripts([script]) == expected


def test_dates_both_ways() -> None:
    assert format_date("2024-02-29", "dd.mm.yyyy") == "29.02.2024"
    assert format_date("2024-02-09", "m/d/yy") == "2/9/24"
    assert format_date("2024-03-01", "d. mmmm yyyy") == "1. March 2024"
    assert parse_date("29.02.2024", "dd.mm.yyyy") == "2024-02-29"
    assert parse_date("08/29/2020", "mm/dd/yyyy") == "2020-08-29"
    assert parse_date("1-Mar-24", "d-mmm-yy") == "2024-03-01"
    assert parse_date("31.02.2024", "dd.mm.yyyy") is None
    assert parse_date("gestern", "dd.mm.yyyy") is None


def test_numbers_as_acrobat_shows_them() -> None:
    assert format_number(1234.5, 2, 0) == "1,234.50"
    assert format_number(1234.5, 2, 1) == "1234.50"
    assert format_number(1234.5, 2, 2) == "1.234,50"
    assert format_number(-1234.5, 2, 3) == "-1234,50"
    assert format_number(1234567, 0, 2) == "1.234.567"
    assert raw_number(1234.5, 2) == "1234.50" and raw_number(3.0, 0) == "3"
    assert parse_number("1.234,50") == 1234.5 and parse_number("1,234.50") == 1234.5
    assert parse_number("12,5") == 12.5 and parse_number("1,234,567") == 1234567
    assert parse_number("abc") is None


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Name_First", "nameFirst"),
        ("c1_01[0]", "c101"),
        ("c2_05[1]", "c2051"),
        ("Straße & Nr.", "strasseNr"),
        ("Prefix ⚽️", "prefix"),
        ("⚽️", "feld"),
        ("1", "feld1"),
        ("CFDATitleProgram", "cfdaTitleProgram"),
        ("DescriptiveTitle(competition)", "descriptiveTitleCompetition"),
    ],
)
def test_property_keys(name: str, key: str) -> None:
    assert property_key(name) == key


def test_slugs_and_unique_names() -> None:
    assert slugify("Antrag auf Wohngeld (Änderung).pdf") == "antrag-auf-wohngeld-aenderung-pdf"
    assert slugify("⚽️") == "formular"
    taken: set[str] = set()
    assert [unique("ort", taken) for _ in range(3)] == ["ort", "ort2", "ort3"]


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Vorname:", "Vorname"),
        ("1. Angaben zur Person", "Angaben zur Person"),
        ("a) Familienname *", "Familienname"),
        ("Ort ________________", "Ort"),
        ("Tax-exempt interest . . . .", "Tax-exempt interest"),
        ("(3) Relationship", "Relationship"),
        ("____", ""),
        ("2b", ""),
    ],
)
def test_clean_label(text: str, label: str) -> None:
    assert clean_label(text) == label


def test_readable_names_and_titles() -> None:
    assert readable_name("Name_First") == "Name First"
    assert readable_name("topmostSubform[0]") == "Topmost Subform"
    assert readable_name("c2_07[1]") == "C2 07 2"
    assert readable_title("e-mail", "eMail") == "E-mail"
    assert readable_title("ort", "ort") == "Ort"
    assert readable_title("Vorname", "vorname") == "Vorname"


def _field(name: str, x: float, top: float, page: int = 0) -> PdfField:
    widget = Widget(page=page, rect=(x, top - 18, x + 100, top))
    return PdfField(name=name, parts=(name,), kind="text", widgets=[widget])


def test_reading_order_tolerates_ragged_rows() -> None:
    fields = [
        _field("p2", 50, 700, page=1),
        _field("b", 300, 702),  # 2 pt higher than "a" but on the same row
        _field("c", 50, 650),
        _field("a", 50, 700),
    ]
    assert [f.name for f in reading_order(fields)] == ["a", "b", "c", "p2"]


def test_headings_split_steps_and_columns() -> None:
    lines = {
        0: [
            TextLine("Antrag", 50, 800, 18, 110),
            TextLine("Abtretende Person", 50, 760, 12, 150),
            TextLine("Empfangende Person", 300, 760, 12, 410),
            TextLine("Vorname", 50, 730, 9, 90),
            TextLine("Name des Kindes im Haushalt", 50, 700, 9, 200),
            TextLine("Bitte füllen Sie alle Felder vollständig und leserlich aus.", 50, 60, 9, 300),
        ]
    }
    headings, used = find_headings(lines)
    assert [h.title for h in headings] == ["Antrag", "Abtretende Person", "Empfangende Person"]
    assert len(used) == 3
    left, right = _field("links", 50, 740), _field("rechts", 300, 740)
    mode, plan = plan_steps(reading_order([left, right]), headings)
    assert mode == "sections"
    assert [(title, [f.name for f in fs]) for title, fs in plan] == [
        ("Abtretende Person", ["links"]),
        ("Empfangende Person", ["rechts"]),
    ]
