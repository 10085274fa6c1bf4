"""Fill-back: answers into the original PDF, read back with pypdf; flattened files open."""

from __future__ import annotations

import copy
import json
import tempfile
from functools import cache
from io import BytesIO
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from migration import MigrationError, MigrationResult, fill_application, fill_pdf, migrate_pdf
from tests.migration import pdfs
from tests.migration.helpers import GOOD_SAMPLES, expected_values, read_back, valid_answers

ANSWERS = {
    "vorname": "Jürgen",
    "familienname": "Weiß",
    "plz": "29614",
    "geburtsdatum": "1980-02-29",
    "einkommen": 1234.5,
    "kinder": 2,
    "telefon": "0511 123456",
    "email": "j.weiss@example.org",
    "bemerkungen": "Zeile eins\nZeile zwei",
    "einverstanden": True,
    "newsletter": False,
    "familienstand": "verheiratet",
    "anrede": "herr",
    "staatsangehoerigkeit": "at",
    "stadtteil": "Südstadt",
    "fahrzeugart": "Motorrad",
    "zusatz": ["Schwerbehindert", "Gewerbe"],
}


def test_generated_form_reads_back_exactly(antrag: MigrationResult) -> None:
    warnings: list[str] = []
    filled = fill_pdf(antrag.definition, ANSWERS, antrag.pdf_bytes, warnings=warnings)
    values = read_back(filled)
    assert warnings == []
    assert values["vorname"] == "Jürgen"
    assert values["plz"] == "29614"
    assert values["geburtsdatum"] == "29.02.1980"  # AFDate_FormatEx("dd.mm.yyyy")
    assert values["einkommen"] == "1234.50"  # the plain value; the page shows 1.234,50
    assert values["kinder"] == "2"
    assert values["einverstanden"] == "/Ja"  # the real on-state, not /Yes
    assert values["newsletter"] == "/Off"
    assert values["familienstand"] == "/verheiratet"
    assert values["anrede"] == "/1"  # /Opt radio: the state name is the index
    assert values["staatsangehoerigkeit"] == "at"
    assert values["stadtteil"] == "Südstadt"
    assert values["fahrzeugart"] == "Motorrad"
    assert list(values["zusatz"]) == ["Schwerbehindert", "Gewerbe"]
    assert values["bemerkungen"] == "Zeile eins\nZeile zwei"
    # Unanswered fields are cleared: the filled PDF shows the application and nothing else.
    assert values.get("ort") in (None, "")
    assert values["aktenzeichen"] in (None, "")


def test_radio_and_checkbox_widgets_show_the_state(antrag: MigrationResult) -> None:
    filled = fill_pdf(antrag.definition, ANSWERS, antrag.pdf_bytes)
    reader = PdfReader(BytesIO(filled))
    states = {}
    for annot in reader.pages[0]["/Annots"]:
        widget = annot.get_object()
        parent = widget.get("/Parent")
        name = str((parent.get_object() if parent else widget).get("/T"))
        states.setdefault(name, []).append(str(widget.get("/AS")))
    assert states["familienstand"] == ["/Off", "/verheiratet", "/Off"]
    assert states["anrede"] == ["/Off", "/1"]
    assert states["einverstanden"] == ["/Ja"]
    assert states["newsletter"] == ["/Off"]


def test_flattened_form_opens_and_shows_the_values(antrag: MigrationResult) -> None:
    flat = fill_pdf(antrag.definition, ANSWERS, antrag.pdf_bytes, flatten=True)
    reader = PdfReader(BytesIO(flat))
    assert "/AcroForm" not in reader.root_object
    assert reader.get_fields() is None
    assert not any(
        a.get_object().get("/Subtype") == "/Widget" for a in reader.pages[0].get("/Annots", [])
    )
    text = reader.pages[0].extract_text()
    shown_texts = ("Jürgen", "Weiß", "1.234,50", "29.02.1980", "Österreichisch", "Südstadt")
    for shown in (*shown_texts, "Motorrad", "Gewerbe"):
        assert shown in text


def test_nested_fields_fill_by_qualified_name(zwei_seiten: MigrationResult) -> None:
    answers = {
        "antragsteller": {"name": "Muster", "anschrift": {"ort": "Heidestadt"}},
        "einkommen": {"brutto": "2500"},
    }
    values = read_back(fill_pdf(zwei_seiten.definition, answers, zwei_seiten.pdf_bytes))
    assert values["antragsteller.name"] == "Muster"
    assert values["antragsteller.anschrift.ort"] == "Heidestadt"
    assert values["einkommen.brutto"] == "2500"
    assert values["antragsteller.vorname"] in (None, "")


@pytest.mark.parametrize("path", GOOD_SAMPLES, ids=lambda p: p.name)
@pytest.mark.parametrize("variant", [0, 1])
def test_every_sample_fills_and_reads_back(path: Path, variant: int) -> None:
    result = migrate_pdf(path)
    answers = valid_answers(result.definition, variant)
    warnings: list[str] = []
    filled = fill_pdf(result.definition, answers, result.pdf_bytes, warnings=warnings)
    assert warnings == []
    values = read_back(filled)
    for name, expected in expected_values(result.definition, answers).items():
        got = values[name]
        assert (list(got) if isinstance(expected, list) else got) == expected, name
    flat = PdfReader(BytesIO(fill_pdf(result.definition, answers, result.pdf_bytes, flatten=True)))
    assert "/AcroForm" not in flat.root_object
    assert len(flat.pages) == len(PdfReader(BytesIO(result.pdf_bytes)).pages)


@cache
def _antrag_once() -> MigrationResult:
    """The generated form, made once outside the fixtures (hypothesis reruns the test)."""
    with tempfile.TemporaryDirectory() as folder:
        return migrate_pdf(pdfs.antrag(Path(folder) / "antrag.pdf"))


LATIN = st.characters(
    codec="latin-1", categories=("L", "N", "P", "Zs"), exclude_characters="\x00\xa0\xad"
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(vorname=st.text(LATIN, min_size=1, max_size=40), bemerkung=st.text(LATIN, max_size=200))
def test_any_latin_text_reads_back(vorname: str, bemerkung: str) -> None:
    answers = {"vorname": vorname, "bemerkungen": bemerkung}
    result = _antrag_once()
    values = read_back(fill_pdf(result.definition, answers, result.pdf_bytes))
    assert values["vorname"] == vorname
    assert (values["bemerkungen"] or "") == bemerkung


def _write_service(folder: Path, result: MigrationResult) -> Path:
    path = folder / "anwohnerparken.json"
    path.write_text(json.dumps(result.definition), encoding="utf-8")
    (folder / result.definition["x-pdf"]["file"]).write_bytes(result.pdf_bytes)
    return path


def test_fill_application_uses_the_pdf_beside_the_definition(
    antrag: MigrationResult, tmp_path: Path
) -> None:
    path = _write_service(tmp_path, antrag)
    filled = fill_application(antrag.definition, path, ANSWERS)
    assert filled is not None and read_back(filled)["vorname"] == "Jürgen"
    plain = copy.deepcopy(antrag.definition)
    del plain["x-pdf"]
    assert fill_application(plain, path, ANSWERS) is None


def test_fill_application_refuses_a_different_pdf(antrag: MigrationResult, tmp_path: Path) -> None:
    path = _write_service(tmp_path, antrag)
    (tmp_path / antrag.definition["x-pdf"]["file"]).write_bytes(antrag.pdf_bytes + b"\n% edit\n")
    with pytest.raises(MigrationError, match="passt nicht zur Definition"):
        fill_application(antrag.definition, path, ANSWERS)
    (tmp_path / antrag.definition["x-pdf"]["file"]).unlink()
    with pytest.raises(MigrationError, match="fehlt"):
        fill_application(antrag.definition, path, ANSWERS)


def test_fill_refuses_broken_pdf_bytes(antrag: MigrationResult) -> None:
    with pytest.raises(MigrationError, match="keine PDF-Datei"):
        fill_pdf(antrag.definition, ANSWERS, b"not a pdf")


def test_long_text_in_a_fixed_size_multiline_field_is_wrapped(tmp_path: Path) -> None:
    """pypdf wraps only at font size 0; at a fixed size the fill breaks the lines itself."""
    from io import BytesIO

    from pypdf import PdfReader
    from reportlab.pdfgen import canvas

    pdf = tmp_path / "bemerkung.pdf"
    c = canvas.Canvas(str(pdf))
    c.drawString(72, 760, "Bemerkungen")
    c.acroForm.textfield(
        name="bemerkungen",
        tooltip="Bemerkungen",
        x=72,
        y=680,
        width=200,
        height=60,
        fontSize=10,
        fieldFlags="multiline",
    )
    c.save()
    definition = migrate_pdf(pdf, service_id="bemerkung", authority="stadt-wiesenfeld").definition
    text = "Bitte stellen Sie den Ausweis für die Südstadt aus, ich wohne dort seit Mai " * 2
    filled = fill_pdf(definition, {"bemerkungen": text.strip()}, pdf.read_bytes())
    widget = PdfReader(BytesIO(filled)).pages[0]["/Annots"][0].get_object()
    stream = widget["/AP"]["/N"].get_object().get_data().decode("latin-1")
    assert stream.count("Tj") >= 3  # one line did not fit: several were drawn
