"""Invariants on the real public sample PDFs (read from ../shared/pdf-samples)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from migration import MigrationResult, migrate_pdf
from tests.migration.helpers import GOOD_SAMPLES, check_problems, iter_fields

pytestmark = pytest.mark.skipif(not GOOD_SAMPLES, reason="../shared/pdf-samples not found")

# found, migrated, skipped per sample: what the closing note reports.
COUNTS = {
    "a2j-Abtretungserklaerung.pdf": (19, 19, 0),
    "pdflib-dod_character.pdf": (14, 13, 1),
    "pdflib-fancy_fields.pdf": (15, 11, 4),
    "pdflib-form_to_flatten.pdf": (9, 9, 0),
    "pdflib-irs-f1040-with_xfa_fields.pdf": (116, 116, 0),
    "pdflib-irs-f1040v-with_update_sections.pdf": (12, 12, 0),
    "pdflib-sample_form.pdf": (29, 27, 2),
    "pdflib-with_comments-broken-xref.pdf": (15, 15, 0),
    "pikepdf-form.pdf": (4, 3, 1),
    "pypdf-FormTestFromOo.pdf": (11, 11, 0),
    "pypdf-SF424_page2.pdf": (20, 17, 3),
    "pypdf-libreoffice-form.pdf": (8, 8, 0),
    "pypdf-pdflatex-forms.pdf": (3, 2, 1),
}

FF_RADIO, FF_PUSH, FF_COMBO, FF_EDIT, FF_MULTI = 1 << 15, 1 << 16, 1 << 17, 1 << 18, 1 << 21
FF_MULTILINE, FF_PASSWORD, FF_FILE = 1 << 12, 1 << 13, 1 << 20


@cache
def migrated(name: str) -> MigrationResult:
    return migrate_pdf(next(p for p in GOOD_SAMPLES if p.name == name))


def pdf_fields(path: Path) -> dict[str, Any]:
    """Terminal fields as pypdf sees them, independently of the migration's own walk."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(path, strict=False)
    if reader.get_fields() is None:  # widgets only on the pages (no /AcroForm)
        writer = PdfWriter(clone_from=reader)
        writer.reattach_fields()
        fields = writer.get_fields() or {}
    else:
        fields = reader.get_fields() or {}
    terminal = {}
    for name, field in fields.items():
        obj = field.indirect_reference.get_object() if field.indirect_reference else field
        kids = [k.get_object() for k in obj.get("/Kids", [])]
        if "/FT" in field and not any("/T" in k for k in kids):
            terminal[name] = field
    return terminal


def expected_kinds(field: Any) -> set[str]:
    """The x-pdf kinds a field may map to, from /FT and /Ff alone; empty if it is skipped."""
    ft, flags = field["/FT"], int(field.get("/Ff", 0))
    if ft == "/Tx":
        if flags & (FF_PASSWORD | FF_FILE):
            return set()
        return {"textarea" if flags & FF_MULTILINE else "text", "number", "date"}
    if ft == "/Btn":
        if flags & FF_PUSH:
            return set()
        return {"radio"} if flags & FF_RADIO else {"checkbox", "radio"}
    if ft == "/Ch":
        if flags & FF_COMBO and flags & FF_EDIT:
            return {"editcombo"}
        if not flags & FF_COMBO and flags & FF_MULTI:
            return {"multichoice"}
        return {"choice", "text"}
    return set()


def _required_keys(definition: dict[str, Any]) -> set[str]:
    """Pointers of required properties, collected from every object's `required`."""
    found: set[str] = set()

    def walk(obj: dict[str, Any], base: str) -> None:
        for key in obj.get("required", []):
            found.add(f"{base}/{key}")
        for key, schema in obj["properties"].items():
            if schema.get("type") == "object" and "x-pdf" not in schema:
                walk(schema, f"{base}/{key}")

    walk(definition, "")
    return found


@pytest.mark.parametrize("path", GOOD_SAMPLES, ids=lambda p: p.name)
def test_every_data_field_appears_once_with_its_kind(path: Path) -> None:
    result = migrated(path.name)
    by_field: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for pointer, schema in iter_fields(result.definition["properties"]):
        by_field.setdefault(schema["x-pdf"]["field"], []).append((pointer, schema))
    required = _required_keys(result.definition)
    for name, field in pdf_fields(path).items():
        kinds = expected_kinds(field)
        found = by_field.pop(name, [])
        if not kinds:
            assert not found, f"{name} carries no data but became a property"
            continue
        assert len(found) == 1, f"{name}: {len(found)} properties"
        pointer, schema = found[0]
        assert schema["x-pdf"]["kind"] in kinds, name
        flags = int(field.get("/Ff", 0))
        assert (pointer in required) == bool(flags & 2), f"required flag of {name}"
        assert bool(schema.get("readOnly")) == bool(flags & 1), f"read-only flag of {name}"
        if schema["x-pdf"]["kind"] in ("choice", "multichoice", "editcombo"):
            opt = [o[0] if isinstance(o, list) else o for o in field.get("/Opt", [])]
            opt = [str(o) for o in opt if str(o).strip()]
            if schema["x-pdf"]["kind"] == "editcombo":
                assert schema["x-pdf"]["options"] == opt, name
            else:
                options = (schema.get("items") or schema)["oneOf"]
                assert [o["const"] for o in options] == opt, name
    assert not by_field, f"properties without a PDF field: {sorted(by_field)}"


@pytest.mark.parametrize("path", GOOD_SAMPLES, ids=lambda p: p.name)
def test_sample_passes_check_and_reports(path: Path) -> None:
    result = migrated(path.name)
    assert check_problems(result.definition, path.name) == []
    report = result.report.to_dict()
    counts = report["fields"]
    assert (counts["found"], counts["migrated"], counts["skipped"]) == COUNTS[path.name]
    migrated_count = counts["migrated"]
    assert sum(report["labels"].values()) == migrated_count
    fields = iter_fields(result.definition["properties"])
    assert len(fields) == migrated_count
    sources = [schema["x-pdf"]["labelSource"] for _, schema in fields]
    assert {s: sources.count(s) for s in report["labels"]} == report["labels"]
    assert all(reason["reason"] for reason in report["skipped"])


def test_sample_specifics() -> None:
    # pdf-lib's sample: the date and phone format actions, the signature and print button.
    sample = migrated("pdflib-sample_form.pdf")
    props = sample.definition["properties"]
    assert props["birthdate"]["format"] == "date"
    assert props["birthdate"]["x-pdf"]["dateFormat"] == "mm/dd/yyyy"
    assert props["birthdate"]["default"] == "2020-08-29"
    assert props["telephoneHome"]["x-ui"]["widget"] == "tel"
    assert props["highSchoolDiploma"]["x-pdf"]["onState"] == "/On"
    assert {s["kind"] for s in sample.report.to_dict()["skipped"]} == {"signature", "button"}
    # A radio group with /Opt: export values from /Opt, state names are indexes.
    fancy = migrated("pdflib-fancy_fields.pdf").definition["properties"]
    figures = fancy["historicalFigures"]
    assert set(figures["x-pdf"]["exportValues"].values()) == {"/0", "/1", "/2", "/3"}
    assert figures["x-pdf"]["exportValues"]["Marcus Aurelius 🏛️"] == "/0"
    assert fancy["whichArePlanets"]["x-ui"]["widget"] == "radios"  # a list box
    # The radio state literally named "/" (pypdf FormTestFromOo) gets a usable value.
    single = migrated("pypdf-FormTestFromOo.pdf").definition["properties"]["rdoS1"]
    assert single["x-pdf"]["exportValues"] == {"option-1": "/"}
    assert (
        migrated("pypdf-FormTestFromOo.pdf").definition["properties"]["liste2"]["type"] == "array"
    )


def test_sample_warnings() -> None:
    def warnings(name: str) -> str:
        return " | ".join(migrated(name).report.warnings)

    assert "XFA" in warnings("pdflib-irs-f1040-with_xfa_fields.pdf")
    assert "Querverweistabelle" in warnings("pdflib-with_comments-broken-xref.pdf")
    assert "kein /AcroForm" in warnings("pypdf-SF424_page2.pdf")
    irs = migrated("pdflib-irs-f1040-with_xfa_fields.pdf")
    assert [s["title"] for s in irs.definition["x-steps"]] == ["Seite 1", "Seite 2"]
    assert any("topmostSubform[0]" in note for note in irs.report.notes)
    a2j = migrated("a2j-Abtretungserklaerung.pdf").definition
    assert a2j["x-steps"][0]["title"] == "Abtretende Person"
