"""The receipt PDF, rendered for real and read back with pypdf."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from form_definitions.catalogue import Catalogue, default_forms_dir
from renderer.receipt import _fonts, build_receipt, format_received
from renderer.summary import Row, summarize

ROOT = Path(__file__).resolve().parents[2]
ANSWERS = ROOT / "tests" / "data" / "answers"
CATALOGUE = Catalogue.load(default_forms_dir())
SERVICES = sorted(CATALOGUE.services)
SUBMITTED = datetime(2026, 11, 28, 13, 3, 27, tzinfo=UTC)  # 14:03 in Berlin (CET)


def sample(service_id: str) -> dict[str, Any]:
    return json.loads((ANSWERS / f"{service_id}.json").read_text(encoding="utf-8"))


def refs_in(value: Any) -> Iterator[dict[str, Any]]:
    """Every attachment reference in some answers, in document order."""
    if isinstance(value, dict):
        if "sha256" in value and "name" in value:
            yield value
            return
        for item in value.values():
            yield from refs_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from refs_in(item)


def render(service_id: str, answers: dict[str, Any] | None = None, **overrides: Any) -> bytes:
    definition = CATALOGUE.services[service_id]
    authority = CATALOGUE.authorities[definition.meta.authority]
    answers = sample(service_id) if answers is None else answers
    reference = f"{authority.referencePrefix}-2026-000417"
    kwargs: dict[str, Any] = {
        "reference": reference,
        "submitted_at": SUBMITTED,
        "answers": answers,
        "attachments": list(refs_in(answers)),
        "postfach_url": f"https://portal.example/postfach/{reference}",
        "portal_name": "Serviceportal Heideland",
    }
    return build_receipt(definition, overrides.pop("authority", authority), **kwargs | overrides)


def pages(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    """Whitespace normalised: lines wrap wherever the layout puts them."""
    return " ".join(text.split())


def squeezed(text: str) -> str:
    return "".join(text.split())


def all_rows(rows: tuple[Row, ...]) -> Iterator[Row]:
    for row in rows:
        yield row
        yield from all_rows(row.children)


@pytest.fixture(scope="module")
def receipts() -> dict[str, bytes]:
    """One receipt per demo service, rendered once for the module."""
    return {service_id: render(service_id) for service_id in SERVICES}


@pytest.mark.parametrize("service_id", SERVICES)
def test_receipt_holds_every_answer_and_the_key_facts(
    receipts: dict[str, bytes], service_id: str
) -> None:
    pdf = receipts[service_id]
    texts = pages(pdf)
    text = flat("\n".join(texts))
    definition = CATALOGUE.services[service_id]
    authority = CATALOGUE.authorities[definition.meta.authority]

    assert pdf.startswith(b"%PDF-")
    assert f"{authority.referencePrefix}-2026-000417" in text
    assert "Eingangsbestätigung" in text
    assert flat(definition.title) in text
    assert "28.11.2026, 14:03 Uhr" in text
    assert authority.name in text and authority.contact.phone in text
    assert authority.contact.email in text
    assert "Ihr Antrag im Postfach" in text and "Wie geht es weiter?" in text

    expected: list[str] = []
    for step in summarize(definition, sample(service_id)):
        expected.append(step.step.title)
        for row in all_rows(step.rows):
            expected.append(row.label)
            if row.text:
                expected.append(row.text)
            expected += [ref["name"] for ref in row.files]
            if row.table:
                expected += [cell for cells in row.table.rows for cell in cells if cell]
                expected += list(row.table.columns)
    missing = [e for e in expected if flat(e) not in text and squeezed(e) not in squeezed(text)]
    assert missing == []

    for ref in refs_in(sample(service_id)):
        assert ref["name"] in text
        assert ref["sha256"] in squeezed(text)


@pytest.mark.parametrize("service_id", SERVICES)
def test_every_page_says_which_page_of_how_many(
    receipts: dict[str, bytes], service_id: str
) -> None:
    texts = pages(receipts[service_id])
    for number, text in enumerate(texts, start=1):
        assert f"Seite {number} von {len(texts)}" in text


def test_metadata() -> None:
    pdf = render("hundesteuer-anmeldung")
    meta = PdfReader(io.BytesIO(pdf)).metadata
    assert meta is not None
    assert meta.title == "Eingangsbestätigung WSF-2026-000417 – Anmeldung zur Hundesteuer"
    assert meta.author == "Stadt Wiesenfeld"
    assert meta.subject == "Anmeldung zur Hundesteuer"
    assert meta.creator == "formwerk"


def test_only_embedded_truetype_fonts_are_used() -> None:
    reader = PdfReader(io.BytesIO(render("wohngeld")))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            names.add(str(font["/BaseFont"]))
            assert font["/Subtype"] == "/TrueType"
            assert "/FontFile2" in font["/FontDescriptor"]  # embedded (a subset)
            assert "/ToUnicode" in font  # so that text can be copied and searched
    assert any("FiraSans" in name for name in names)


NAMES = ["Şükrü Ğündoğdu", "Łukasz Wołowski", "Дмитрий Иванов", "Γεώργιος Παπαδόπουλος"]


def test_names_in_any_european_script_print_and_extract() -> None:
    answers = sample("wohngeld")
    answers["vorname"], answers["familienname"] = NAMES[0].split()
    answers["kontoinhaber"] = NAMES[0]
    answers["haushaltsmitglieder"] = [
        dict(answers["haushaltsmitglieder"][0], vorname=name.split()[0], familienname=last)
        for name in NAMES[1:]
        for last in [name.split()[1]]
    ]
    answers["bemerkungen"] = "İstanbul, ı, ß, äöü ÄÖÜ, 12 € „zitiert“ – Gedankenstrich"
    text = flat("\n".join(pages(render("wohngeld", answers))))
    for name in NAMES:
        for part in name.split():
            assert part in text
    assert answers["bemerkungen"] in text


def test_markup_in_answers_prints_literally() -> None:
    answers = sample("wohngeld")
    answers["bemerkungen"] = "<b>&</b> <i>kursiv</i> &amp; <br/> <font size=40>x</font>"
    answers["vorname"] = "A & B <Müller>"
    pdf = render("wohngeld", answers, reference="<b>&1</b>", portal_name="Portal <&>")
    text = flat("\n".join(pages(pdf)))
    assert answers["bemerkungen"] in text
    assert "A & B <Müller>" in text
    assert "<b>&1</b>" in text and "Portal <&>" in text


def test_markup_in_the_authority_prints_literally() -> None:
    authority = CATALOGUE.authorities["landkreis-heideland"].model_copy(
        update={"name": "Zweckverband Wasser & Boden <Heide>"}
    )
    text = flat("\n".join(pages(render("wohngeld", authority=authority))))
    assert "Zweckverband Wasser & Boden <Heide>" in text


def test_a_10000_character_answer_flows_over_pages_quickly() -> None:
    sentences = [f"Satz {n:04d} erklärt etwas Wichtiges über meine Wohnung." for n in range(200)]
    long_text = " ".join(sentences)[:10_000]
    assert len(long_text) == 10_000
    answers = dict(sample("wohngeld"), bemerkungen=long_text)
    render("wohngeld")  # warm up: fonts are registered once per process
    start = time.perf_counter()
    pdf = render("wohngeld", answers)
    elapsed = time.perf_counter() - start
    texts = pages(pdf)
    assert len(texts) >= 3
    text = flat("\n".join(texts))
    numbers = re.findall(r"Satz (\d{4})", text)
    assert numbers == [f"{n:04d}" for n in range(len(numbers))]
    assert len(numbers) == long_text.count("Satz ")
    assert elapsed < 3  # a loose guard only; the benchmark has the real figures


def test_long_unbroken_answer_and_long_table_cells_do_not_break_the_layout() -> None:
    answers = sample("wohngeld")
    answers["bemerkungen"] = "ж" * 10_000  # a letter found nowhere else on the receipt
    member = dict(answers["haushaltsmitglieder"][0], vorname="Langer Name " * 300)
    answers["haushaltsmitglieder"] = [member, answers["haushaltsmitglieder"][1]]
    text = squeezed("\n".join(pages(render("wohngeld", answers))))
    assert text.count("ж") == 10_000
    assert squeezed("Langer Name " * 300) in text
    assert "Haushaltsmitglied1" in text  # a long cell turns the table into a list


def test_a_long_repeat_table_repeats_its_header_on_every_page() -> None:
    answers = sample("wohngeld")
    answers["haushaltsmitglieder"] = [
        dict(answers["haushaltsmitglieder"][0], vorname=f"Mitglied{n:02d}") for n in range(60)
    ]
    texts = pages(render("wohngeld", answers))
    with_people = [t for t in texts if "Mitglied0" in t or "Mitglied5" in t]
    assert len(with_people) >= 2
    for text in with_people:
        assert "Verhältnis zu" in text
    assert all(f"Mitglied{n:02d}" in "".join(texts) for n in range(60))


def test_an_empty_submission_still_renders() -> None:
    texts = pages(render("meldebescheinigung", {}, attachments=[]))
    assert texts and "Seite 1 von 1" in texts[-1]
    text = "".join(texts)
    assert "Vorname(n)" not in text and "Anlagen" not in text


def test_invalid_answers_print_as_they_came() -> None:
    answers = dict(sample("meldebescheinigung"), art="sonderwunsch", anzahl="viele")
    text = flat("\n".join(pages(render("meldebescheinigung", answers))))
    assert "sonderwunsch" in text and "viele" in text


def test_a_file_not_listed_as_attachment_shows_its_hash_in_place() -> None:
    answers = sample("kita-anmeldung")
    text = squeezed("\n".join(pages(render("kita-anmeldung", answers, attachments=[]))))
    assert answers["masernschutz"]["sha256"] in text
    assert "Anlage1" not in text


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        (datetime(2026, 11, 28, 13, 3, tzinfo=UTC), "28.11.2026, 14:03 Uhr"),  # CET
        (datetime(2026, 7, 1, 12, 0, tzinfo=UTC), "01.07.2026, 14:00 Uhr"),  # CEST
        (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), "01.01.2027, 00:30 Uhr"),
        (datetime(2026, 3, 1, 9, 0, tzinfo=timezone(timedelta(hours=-5))), "01.03.2026, 15:00 Uhr"),
    ],
)
def test_time_of_receipt_is_shown_in_berlin(moment: datetime, shown: str) -> None:
    assert format_received(moment) == shown


def test_naive_submission_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        render("meldebescheinigung", submitted_at=datetime(2026, 11, 28, 13, 3))


def test_importing_the_receipt_does_not_import_reportlab() -> None:
    code = (
        "import sys, renderer.receipt, renderer.summary; "
        "sys.exit(any(m.startswith('reportlab') for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def test_a_missing_font_package_is_named_in_the_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(_fonts._FILES, "Gone", ("fontpkg_gone_sans", "Gone-Regular.ttf"))
    with pytest.raises(RuntimeError, match="pip install fontpkg-gone-sans"):
        _fonts.font_file("Gone")
