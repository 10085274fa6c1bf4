"""Bad input: every failure is one clear line (a MigrationError), never a traceback."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen import canvas

from migration import MigrationError, MigrationResult, migrate_bytes, migrate_pdf
from migration.commands import _TimeLimit, time_limit
from tests.migration import pdfs
from tests.migration.helpers import BAD_SAMPLES, SAMPLES, check_problems

ONE_LINE = re.compile(r"^[^\n]{10,300}$")


def migrate(data: bytes, name: str = "test.pdf") -> MigrationResult:
    return migrate_bytes(
        data, source_name=name, service_id="test", authority="landkreis-heideland", pdf_name="t.pdf"
    )


def error_of(data: bytes) -> str:
    with pytest.raises(MigrationError) as caught:
        migrate(data)
    message = str(caught.value)
    assert ONE_LINE.match(message), message
    return message


@pytest.fixture(scope="module")
def antrag_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return pdfs.antrag(tmp_path_factory.mktemp("bad") / "antrag.pdf").read_bytes()


def _rewrite(data: bytes, change: Callable[[PdfWriter], object]) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(BytesIO(data)))
    change(writer)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def test_not_a_pdf() -> None:
    assert "keine PDF-Datei" in error_of(b"Sehr geehrte Damen und Herren,\n")
    assert "keine PDF-Datei" in error_of(b"")


def test_truncated_pdf(antrag_bytes: bytes) -> None:
    assert "PDF nicht lesbar" in error_of(antrag_bytes[:700])


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(MigrationError, match="nicht lesbar"):
        migrate_pdf(tmp_path / "fehlt.pdf")
    with pytest.raises(MigrationError, match="ist ein Verzeichnis"):
        migrate_pdf(tmp_path)


def test_user_password_is_refused_with_a_clear_message(antrag_bytes: bytes) -> None:
    locked = _rewrite(
        antrag_bytes, lambda w: w.encrypt("geheim", "eigentuemer", algorithm="RC4-128")
    )
    assert "Benutzerkennwort" in error_of(locked)


def test_empty_user_password_is_simply_opened(antrag_bytes: bytes) -> None:
    locked = _rewrite(antrag_bytes, lambda w: w.encrypt("", "eigentuemer", algorithm="RC4-128"))
    result = migrate(locked)
    assert len(result.definition["properties"]) == 22
    assert any("leeres Benutzerkennwort" in w for w in result.report.warnings)


def test_aes_encrypted_with_empty_user_password_is_opened(antrag_bytes: bytes) -> None:
    """AES needs the cryptography package (pypdf[crypto], a dependency of formwerk)."""
    locked = _rewrite(antrag_bytes, lambda w: w.encrypt("", "eigentuemer", algorithm="AES-256"))
    result = migrate(locked)
    assert len(result.definition["properties"]) == 22


def test_broken_cross_reference_table_is_read_leniently(antrag_bytes: bytes) -> None:
    start = antrag_bytes.rindex(b"startxref")
    broken = antrag_bytes[:start] + b"startxref\n999999\n%%EOF\n"
    result = migrate(broken)
    assert len(result.definition["properties"]) == 22
    assert any("Querverweistabelle" in w for w in result.report.warnings)


def test_pdf_without_form_fields(tmp_path: Path) -> None:
    c = canvas.Canvas(str(tmp_path / "brief.pdf"))
    c.drawString(50, 800, "Nur ein Brief, kein Formular.")
    c.save()
    assert error_of((tmp_path / "brief.pdf").read_bytes()) == "PDF enthält keine Formularfelder"


def test_xfa_only_form(tmp_path: Path) -> None:
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    c = canvas.Canvas(str(tmp_path / "xfa.pdf"))
    c.drawString(50, 800, "Please wait... (XFA)")
    c.save()

    def xfa(writer: PdfWriter) -> None:
        writer.root_object[NameObject("/AcroForm")] = DictionaryObject(
            {
                NameObject("/Fields"): ArrayObject(),
                NameObject("/XFA"): TextStringObject("<xdp:xdp/>"),
            }
        )

    data = _rewrite((tmp_path / "xfa.pdf").read_bytes(), xfa)
    assert "reines XFA-Formular" in error_of(data)


def test_only_buttons_and_signatures(tmp_path: Path) -> None:
    c = canvas.Canvas(str(tmp_path / "knopf.pdf"))
    c.acroForm.textfield(name="weg", x=50, y=700)
    c.showPage()
    c.save()

    def buttons(writer: PdfWriter) -> None:
        from pypdf.generic import ArrayObject, NameObject

        writer.root_object["/AcroForm"][NameObject("/Fields")] = ArrayObject()
        writer.pages[0][NameObject("/Annots")] = ArrayObject()
        pdfs.add_widget_field(writer, 0, "drucken", "/Btn", [50, 50, 100, 70], flags=1 << 16)
        pdfs.add_widget_field(writer, 0, "unterschrift", "/Sig", [50, 100, 200, 130])

    data = _rewrite((tmp_path / "knopf.pdf").read_bytes(), buttons)
    assert "keine ausfüllbaren Datenfelder" in error_of(data)


def test_widgets_on_pages_without_acroform(antrag_bytes: bytes) -> None:
    data = _rewrite(antrag_bytes, lambda w: w.root_object.pop("/AcroForm"))
    result = migrate(data)
    assert len(result.definition["properties"]) == 22
    assert any("kein /AcroForm" in w for w in result.report.warnings)
    assert check_problems(result.definition) == []


def test_field_without_widget_and_duplicate_names(antrag_bytes: bytes) -> None:
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    def damage(writer: PdfWriter) -> None:
        fields = writer.root_object["/AcroForm"]["/Fields"]
        lonely = DictionaryObject(
            {NameObject("/FT"): NameObject("/Tx"), NameObject("/T"): TextStringObject("einsam")}
        )
        fields.append(writer._add_object(lonely))
        # A second dictionary called "vorname" with its own widget on the page.
        twin = pdfs.add_widget_field(writer, 0, "vorname", "/Tx", [400, 755, 550, 773])
        assert twin["/T"] == "vorname"

    result = migrate(_rewrite(antrag_bytes, damage))
    warnings = " | ".join(result.report.warnings)
    assert "'einsam' hat kein Widget" in warnings
    assert "doppelter Feldname 'vorname'" in warnings
    vorname = result.definition["properties"]["vorname"]
    assert len(vorname["x-pdf"]["widgets"]) == 2  # one property, both widgets filled
    skipped = {s["field"]: s["reason"] for s in result.report.to_dict()["skipped"]}
    assert skipped["einsam"] == "kein Widget auf einer Seite"


@pytest.mark.skipif(not BAD_SAMPLES, reason="../shared/pdf-samples not found")
@pytest.mark.parametrize("path", BAD_SAMPLES, ids=lambda p: p.name)
def test_public_bad_samples(path: Path) -> None:
    message = error_of(path.read_bytes())
    expected = {
        "pdflib-encrypted_new.pdf": "Benutzerkennwort",
        "pypdf-libreoffice-writer-password.pdf": "Benutzerkennwort",
        "pdflib-missing_xref_trailer_dict.pdf": "PDF nicht lesbar",
        "pikepdf-fuzz-378014596.pdf": "PDF nicht lesbar",
    }
    assert expected[path.name] in message


def _mutations(data: bytes) -> st.SearchStrategy[bytes]:
    """Damaged copies: bytes overwritten, cut out or the file truncated."""
    size = len(data)

    def overwrite(pos: int, junk: bytes) -> bytes:
        return data[:pos] + junk + data[pos + len(junk) :]

    return st.one_of(
        st.builds(overwrite, st.integers(0, size - 1), st.binary(min_size=1, max_size=64)),
        st.builds(lambda a, n: data[:a] + data[a + n :], st.integers(0, size), st.integers(1, 500)),
        st.builds(lambda n: data[:n], st.integers(0, size)),
    )


# FUZZ_EXAMPLES=1000 for a longer hunt; 60 keep the default run fast.
@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@given(data=st.data())
def test_fuzzed_files_fail_cleanly_or_migrate(data: st.DataObject) -> None:
    original = _fuzz_base()
    damaged = data.draw(_mutations(original))
    try:
        with time_limit(20):
            result = migrate(damaged)
    except MigrationError as exc:
        assert ONE_LINE.match(str(exc)), str(exc)
    except _TimeLimit:  # the CLI turns this into a clean message; flag it here
        pytest.fail("migration did not finish within 20 s")
    else:
        assert check_problems(result.definition) == []


_BASE: list[bytes] = []


def _fuzz_base() -> bytes:
    if not _BASE:
        sample = SAMPLES / "forms" / "pypdf-FormTestFromOo.pdf"
        if sample.exists():
            _BASE.append(sample.read_bytes())
        else:
            import tempfile

            with tempfile.TemporaryDirectory() as folder:
                _BASE.append(pdfs.antrag(Path(folder) / "antrag.pdf").read_bytes())
    return _BASE[0]
