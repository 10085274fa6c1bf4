"""The answer summary shared by the check-your-answers page and the receipt."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from form_definitions.catalogue import Catalogue, default_forms_dir
from form_definitions.conditions import prune_hidden
from form_definitions.definition import ServiceDefinition
from form_definitions.fields import ATTACHMENT_SCHEMA, Kind, choices, kind_of, resolve
from renderer.summary import (
    Row,
    StepSummary,
    Table,
    format_number,
    format_size,
    format_value,
    summarize,
)

ANSWERS = Path(__file__).resolve().parents[1] / "data" / "answers"
CATALOGUE = Catalogue.load(default_forms_dir())
SERVICES = sorted(CATALOGUE.services)
SHA = "3f0a7c2e9b14d6a85e21c7f09d3b6a4e8c5f12d7a90b3e6c4d8f21a7b5c9e0d3"


def sample(service_id: str) -> dict[str, Any]:
    """The shipped sample answers of a demo service (a fresh copy)."""
    return json.loads((ANSWERS / f"{service_id}.json").read_text(encoding="utf-8"))


def definition(service_id: str) -> ServiceDefinition:
    return CATALOGUE.services[service_id]


def all_rows(rows: tuple[Row, ...]) -> Iterator[Row]:
    for row in rows:
        yield row
        yield from all_rows(row.children)


def by_path(summary: list[StepSummary]) -> dict[tuple[str | int, ...], Row]:
    return {row.path: row for step in summary for row in all_rows(step.rows)}


def leaves(
    obj: dict[str, Any], root: dict[str, Any], data: Any, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any], Any, str | None]]:
    """(path, schema, value, repeat column) of every answered simple field in ``data``."""
    for name, schema in obj.get("properties", {}).items():
        if not isinstance(data, dict) or data.get(name) in (None, "", [], {}):
            continue
        kind = kind_of(schema, root)
        value = data[name]
        if kind is Kind.GROUP:
            yield from leaves(resolve(schema, root), root, value, (*path, name))
        elif kind is Kind.REPEAT:
            item = resolve(resolve(schema, root)["items"], root)
            for index, entry in enumerate(value):
                for sub, sub_schema, sub_value, _ in leaves(item, root, entry, ()):
                    column = " – ".join(str(p) for p in sub)
                    yield (*path, name, index, *sub), sub_schema, sub_value, column
        else:
            yield (*path, name), schema, value, None


# --- exact rows ------------------------------------------------------------------------


def test_meldebescheinigung_without_steps_is_one_step_titled_like_the_service() -> None:
    summary = summarize(definition("meldebescheinigung"), sample("meldebescheinigung"))
    assert [s.step.title for s in summary] == ["Antrag auf eine Meldebescheinigung"]
    assert summary[0].rows == (
        Row("Vorname(n)", ("vorname",), text="Marie"),
        Row("Familienname", ("familienname",), text="Lohmann"),
        Row("Geburtsdatum", ("geburtsdatum",), text="30.09.1979"),
        Row(
            "Ihre Anschrift in Birkenbruch",
            ("anschrift",),
            children=(
                Row("Straße und Hausnummer", ("anschrift", "strasse"), text="Birkenallee 5"),
                Row("Postleitzahl", ("anschrift", "postleitzahl"), text="29649"),
                Row("Ort", ("anschrift", "ort"), text="Birkenbruch"),
            ),
        ),
        Row(
            "Welche Meldebescheinigung brauchen Sie?",
            ("art",),
            text="Einfache Meldebescheinigung: Name, Doktorgrad und Anschrift",
        ),
        Row("Anzahl der Bescheinigungen", ("anzahl",), text="1"),
        Row(
            "Wie möchten Sie die Bescheinigung erhalten?",
            ("zustellung",),
            text="Per Post an meine Anschrift",
        ),
        Row("E-Mail-Adresse", ("email",), text="marie.lohmann@beispiel.example"),
    )


def test_hundesteuer_rows_step_by_step() -> None:
    answers = sample("hundesteuer-anmeldung")
    summary = summarize(definition("hundesteuer-anmeldung"), answers)
    assert [s.step.id for s in summary] == ["halter", "hunde", "zahlung"]
    halter, hunde, zahlung = summary
    assert [r.label for r in halter.rows] == [
        "Vorname(n)",
        "Familienname",
        "Geburtsdatum",
        "Ihre Anschrift",  # the title beside the $ref wins over the block's "Anschrift"
        "Telefonnummer für Rückfragen",
        "E-Mail-Adresse",
    ]
    assert hunde.rows == (
        Row(
            "Ihre Hunde",
            ("hunde",),
            table=Table(
                columns=(
                    "Name des Hundes",
                    "Rasse",
                    "Welche Rasse?",
                    "Wurfjahr",
                    "Sie halten den Hund seit",
                    "Chipnummer (Transpondernummer)",
                    "Ist der Hund ein gefährlicher Hund?",
                    "Nachweis über den bestandenen Wesenstest",
                ),
                rows=(
                    (
                        "Balu",
                        "Labrador Retriever",
                        "",
                        "2021",
                        "01.03.2025",
                        "276098106512345",
                        "Nein",
                        "",
                    ),
                    (
                        "Rocky",
                        "Staffordshire Bullterrier",
                        "",
                        "2019",
                        "15.04.2025",
                        "276098100987654",
                        "Ja",
                        "wesenstest-rocky.pdf",
                    ),
                    (
                        "Frieda",
                        "Andere Rasse",
                        "Lagotto Romagnolo",
                        "2024",
                        "10.05.2025",
                        "276098106777001",
                        "Nein",
                        "",
                    ),
                ),
                item_label="Hund",
            ),
        ),
    )
    assert [(r.label, r.text) for r in zahlung.rows][:3] == [
        ("Möchten Sie die Hundesteuer per Lastschrift bezahlen?", "Ja"),
        ("IBAN", "DE02 1203 0000 0000 2020 51"),
        ("Kontoinhaberin oder Kontoinhaber", "Jana Brinkmann"),
    ]


def test_wohngeld_money_files_and_repeat() -> None:
    rows = by_path(summarize(definition("wohngeld"), sample("wohngeld")))
    assert rows[("einkommen",)].text == "1.899,99"
    assert rows[("miete",)].text == "685,50"  # money (multipleOf 0.01): two decimals
    assert rows[("familienstand",)].text == "Geschieden oder Lebenspartnerschaft aufgehoben"
    assert [f["name"] for f in rows[("nachweise",)].files] == [
        "mietvertrag.pdf",
        "gehaltsabrechnung-2025-08.jpg",
    ]
    assert rows[("nachweise",)].text is None
    table = rows[("haushaltsmitglieder",)].table
    assert table is not None
    assert table.item_label == "Haushaltsmitglied"
    assert table.rows[0] == ("Leon", "Kruse", "09.08.2012", "Tochter oder Sohn", "0,00")


# --- invariants over every demo service -------------------------------------------------


def shown(summary: list[StepSummary]) -> dict[tuple[str | int, ...], Any]:
    """What the summary shows per answer path: a row's text or files, or a table cell
    (addressed as (*repeat path, entry index, column label))."""
    out: dict[tuple[str | int, ...], Any] = {}
    for path, row in by_path(summary).items():
        if row.table is not None:
            for index, cells in enumerate(row.table.rows):
                for column, cell in zip(row.table.columns, cells, strict=True):
                    out[(*path, index, column)] = cell
        elif row.files:
            out[path] = list(row.files)
        elif row.text is not None:
            out[path] = row.text
    return out


def leaf_key(
    root: dict[str, Any], path: tuple[str | int, ...], column: str | None
) -> tuple[str | int, ...]:
    """The key of a leaf in :func:`shown`: its path, or for a repeat cell the repeat's
    path, the entry index and the column label ("Gruppe – Feld")."""
    if column is None:
        return path
    index_at = next(i for i, p in enumerate(path) if isinstance(p, int))
    schema = root
    for name in path[:index_at]:
        schema = resolve(schema["properties"][name], root)
    schema = resolve(schema["items"], root)
    labels = []
    for name in path[index_at + 1 :]:
        prop = schema["properties"][name]
        labels.append(prop.get("title") or resolve(prop, root)["title"])
        schema = resolve(prop, root)
    return (*path[: index_at + 1], " – ".join(labels))


@pytest.mark.parametrize("service_id", SERVICES)
def test_every_answered_leaf_appears_formatted(service_id: str) -> None:
    spec = definition(service_id)
    root = spec.schema
    answers = sample(service_id)
    seen = shown(summarize(spec, answers))
    found = 0
    for path, schema, value, column in leaves(root, root, prune_hidden(root, root, answers)):
        key = leaf_key(root, path, column)
        if column is None and kind_of(schema, root) in (Kind.FILE, Kind.FILES):
            assert seen[key] == (value if isinstance(value, list) else [value])
        else:
            assert seen[key] == format_value(schema, root, value), key
        found += 1
    assert found >= 8


@pytest.mark.parametrize("service_id", SERVICES)
def test_choices_show_titles_never_codes(service_id: str) -> None:
    spec = definition(service_id)
    root = spec.schema
    seen = shown(summarize(spec, sample(service_id)))
    checked = 0
    for path, schema, value, column in leaves(root, root, sample(service_id)):
        key = leaf_key(root, path, column)
        kind = kind_of(schema, root)
        if kind is Kind.CHOICE and key in seen:
            option = next(c for c in choices(resolve(schema, root)) if c.value == value)
            assert seen[key] == option.title
            checked += 1
        elif kind is Kind.MULTI_CHOICE and key in seen:
            options = choices(resolve(resolve(schema, root)["items"], root))
            assert seen[key] == ", ".join(o.title for o in options if o.value in value)
            checked += 1
    assert checked >= 1


@pytest.mark.parametrize("service_id", SERVICES)
def test_steps_in_order_and_only_with_answers(service_id: str) -> None:
    spec = definition(service_id)
    summary = summarize(spec, sample(service_id))
    order = [s.id for s in spec.steps]
    ids = [s.step.id for s in summary]
    assert ids == sorted(ids, key=order.index)
    for step in summary:
        assert step.rows
        labels = [r.path[0] for r in step.rows]
        assert labels == [p for p in step.step.properties if p in labels]
    first = spec.steps[0].properties[0]
    only_first = {first: sample(service_id)[first]}
    assert [s.step.id for s in summarize(spec, only_first)] == [spec.steps[0].id]
    assert summarize(spec, {}) == []


HIDDEN = [
    ("hundesteuer-anmeldung", {"lastschrift": False}, [("iban",), ("kontoinhaber",)]),
    ("kita-anmeldung", {"zweitePersonErziehungsberechtigt": False}, [("erziehungsberechtigte2",)]),
    ("sperrmuell-anmeldung", {"gegenstaende": ["moebel"]}, [("sonstigeGegenstaende",)]),
    ("wohngeld", {"belastung": 900}, [("belastung",)]),
    (
        "gewerbeanmeldung",
        {"erlaubnisBehoerde": "Landkreis", "erlaubnisDatum": "2025-01-02"},
        [("erlaubnisBehoerde",), ("erlaubnisDatum",)],
    ),
    ("gewerbeanmeldung", {"artDesBetriebs": ["handel"]}, [("handwerksrolle",)]),
]


@pytest.mark.parametrize(("service_id", "change", "hidden"), HIDDEN)
def test_hidden_conditional_answers_never_appear(
    service_id: str, change: dict[str, Any], hidden: list[tuple[str, ...]]
) -> None:
    answers = {**sample(service_id), **change}
    rows = by_path(summarize(definition(service_id), answers))
    for path in hidden:
        assert path not in rows
    assert rows  # the rest is still there


def test_hidden_fields_inside_repeat_entries_are_left_out() -> None:
    answers = sample("hundesteuer-anmeldung")
    answers["hunde"][0]["rasseAndere"] = "Geheimrasse"  # rasse is not "andere-rasse"
    answers["hunde"][0]["wesenstest"] = dict(answers["hunde"][1]["wesenstest"], name="x.pdf")
    table = by_path(summarize(definition("hundesteuer-anmeldung"), answers))[("hunde",)].table
    assert table is not None
    assert "Geheimrasse" not in {cell for row in table.rows for cell in row}
    assert "x.pdf" not in {cell for row in table.rows for cell in row}


# --- formatting -------------------------------------------------------------------------

ROOT: dict[str, Any] = {
    "$defs": {
        "attachment": ATTACHMENT_SCHEMA,
        "plz": {"type": "string", "title": "Postleitzahl"},
    }
}
MONEY = {"type": "number", "multipleOf": 0.01}
COLOURS = {
    "type": "string",
    "oneOf": [
        {"const": "r", "title": "Rot"},
        {"const": "g", "title": "Grün"},
        {"const": "b", "title": "Blau"},
    ],
}
FILE = {"$ref": "#/$defs/attachment"}
REF = {"id": "att_0123456789abcdef", "name": "a.pdf", "mediaType": "application/pdf"}


@pytest.mark.parametrize(
    ("schema", "value", "text"),
    [
        ({"type": "boolean"}, True, "Ja"),
        ({"type": "boolean"}, False, "Nein"),
        ({"type": "boolean"}, "yes", "yes"),
        ({"type": "string", "format": "date"}, "1990-03-17", "17.03.1990"),
        ({"type": "string", "format": "date"}, "1990-02-30", "1990-02-30"),
        ({"type": "string", "format": "date"}, "17.03.1990", "17.03.1990"),
        ({"type": "number"}, 1234.56, "1.234,56"),
        ({"type": "number"}, 1234567.5, "1.234.567,5"),
        ({"type": "number"}, 0.1, "0,1"),
        ({"type": "number"}, 685.0, "685"),
        ({"type": "number"}, -1234.5, "-1.234,5"),
        ({"type": "integer"}, 12, "12"),
        ({"type": "integer"}, 2021, "2021"),  # a year, not "2.021"
        ({"type": "integer"}, 12345, "12.345"),
        ({"type": "integer"}, "zwölf", "zwölf"),
        (MONEY, 0, "0,00"),
        (MONEY, 685.5, "685,50"),
        (MONEY, 1234.56, "1.234,56"),
        (MONEY, 1234, "1.234,00"),
        ({"type": "number", "multipleOf": 0.5}, 2.5, "2,5"),
        ({"type": "number"}, True, "true"),
        (COLOURS, "g", "Grün"),
        (COLOURS, "violett", "violett"),
        ({"type": "integer", "enum": [1, 2, 3]}, 2, "2"),
        ({"type": "integer", "enum": [1, 2, 3]}, True, "true"),  # True is not the option 1
        ({"type": "array", "uniqueItems": True, "items": COLOURS}, ["b", "r"], "Rot, Blau"),
        ({"type": "array", "items": COLOURS}, ["b", "x", "r"], "Rot, Blau, x"),
        ({"type": "array", "items": COLOURS}, "r", "r"),
        (FILE, REF, "a.pdf"),
        ({"type": "array", "items": FILE}, [REF, dict(REF, name="b.png")], "a.pdf, b.png"),
        ({"type": "string"}, "<b>&</b>", "<b>&</b>"),
        ({"type": "string"}, 42, "42"),
        ({"type": "string"}, None, ""),
        ({"$ref": "#/$defs/plz", "title": "PLZ"}, "29614", "29614"),
        ({"$ref": "#/$defs/fehlt"}, "x", "x"),  # a broken $ref: printed as it is
    ],
)
def test_format_value(schema: dict[str, Any], value: Any, text: str) -> None:
    assert format_value(schema, ROOT, value) == text


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (1, "1 Byte"),
        (512, "512 Bytes"),
        (184233, "179,9 KB"),
        (1258291, "1,2 MB"),
        (10485760, "10 MB"),  # the upload limit the forms call "10 MB"
        (3 * 1024**3, "3 GB"),
        ("groß", "groß"),
        (-1, "-1"),
    ],
)
def test_format_size(size: Any, text: str) -> None:
    assert format_size(size) == text


def test_format_number_keeps_every_decimal_of_the_answer() -> None:
    assert format_number(1899.999) == "1.899,999"
    assert format_number(1e-7) == "0,0000001"
    assert format_number(float("nan")) == "NaN"


# --- nesting, labels, repeat tables on a made-up definition ----------------------------

NESTED = ServiceDefinition(
    {
        "title": "Testdienst",
        "type": "object",
        "x-service": {"id": "t", "authority": "a", "version": "1.0.0", "status": "draft"},
        "x-steps": [
            {"id": "eins", "title": "Eins", "properties": ["person", "leer"]},
            {"id": "zwei", "title": "Zwei", "properties": ["kinder", "ohneLabel"]},
        ],
        "properties": {
            "person": {"$ref": "#/$defs/person"},
            "leer": {"type": "string", "title": "Leer"},
            "kinder": {
                "type": "array",
                "title": "Kinder",
                "items": {
                    "type": "object",
                    "title": "Kind",
                    "properties": {
                        "name": {"type": "string", "title": "Name"},
                        "anschrift": {"$ref": "#/$defs/anschrift", "title": "Wohnort"},
                        "zeugnisse": {"type": "array", "title": "Zeugnisse", "items": FILE},
                        "nie": {"type": "string", "title": "Nie beantwortet"},
                    },
                },
            },
            "ohneLabel": {
                "type": "array",
                "title": "Einträge",
                "items": {"type": "object", "properties": {"a": {"type": "string", "title": "A"}}},
                "x-ui": {"itemLabel": "{n}. Eintrag"},
            },
        },
        "$defs": {
            "attachment": ATTACHMENT_SCHEMA,
            "person": {
                "type": "object",
                "title": "Person",
                "properties": {
                    "name": {"type": "string", "title": "Name"},
                    "anschrift": {"$ref": "#/$defs/anschrift"},
                },
            },
            "anschrift": {
                "type": "object",
                "title": "Anschrift",
                "properties": {
                    "ort": {"type": "string", "title": "Ort"},
                    "plz": {"type": "string", "title": "PLZ"},
                },
            },
        },
    }
)


def test_nested_groups_labels_from_refs_and_flattened_repeat_columns() -> None:
    answers = {
        "person": {"name": "Ada", "anschrift": {"ort": "Celle", "plz": ""}},
        "leer": "   ",
        "kinder": [
            {"name": "Bo", "anschrift": {"ort": "Celle"}, "zeugnisse": [REF, dict(REF, name="b")]},
            {},
            {"name": "Cy", "anschrift": {"plz": "29614"}},
        ],
        "ohneLabel": [{"a": "x"}],
    }
    eins, zwei = summarize(NESTED, answers)
    assert eins.rows == (
        Row(
            "Person",
            ("person",),
            children=(
                Row("Name", ("person", "name"), text="Ada"),
                Row(
                    "Anschrift",
                    ("person", "anschrift"),
                    children=(Row("Ort", ("person", "anschrift", "ort"), text="Celle"),),
                ),
            ),
        ),
    )
    kinder, eintraege = zwei.rows
    assert kinder.table == Table(
        columns=("Name", "Wohnort – Ort", "Wohnort – PLZ", "Zeugnisse"),
        rows=(("Bo", "Celle", "", "a.pdf, b"), ("Cy", "", "29614", "")),
        item_label="Kind",
    )
    assert eintraege.table is not None and eintraege.table.item_label == "Eintrag"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_never_crashes_on_answers_of_the_wrong_shape(data: st.DataObject) -> None:
    spec = definition(data.draw(st.sampled_from(SERVICES)))
    answers = copy.deepcopy(sample(spec.id))
    for name in data.draw(st.lists(st.sampled_from(sorted(spec.schema["properties"])))):
        answers[name] = data.draw(JSON)
    for step in summarize(spec, answers):
        for row in all_rows(step.rows):
            assert row.text is not None or row.files or row.table or row.children
