"""`migrate` and `fill` on the command line: files written, exit status, one-line errors,
batch mode with its progress, summary table and time limit."""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from form_definitions.check import check_files
from migration import batch
from migration.commands import register
from tests.migration.helpers import AUTHORITIES, ROOT, read_back

ENV_ROOT = {"PYTHONPATH": str(ROOT)}


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python -m migration ARGS` in a subprocess, as a user would run it."""
    import os

    env = {**os.environ, **ENV_ROOT}
    return subprocess.run(
        [sys.executable, "-m", "migration", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_migrate_writes_definition_pdf_and_reports(
    generated: dict[str, Path], tmp_path: Path
) -> None:
    done = run(
        "migrate",
        str(generated["antrag"]),
        "-o",
        "out/parken.json",
        "--id",
        "anwohnerparken",
        "--report",
        "out/parken-bericht.json",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    definition = json.loads((tmp_path / "out/parken.json").read_text(encoding="utf-8"))
    copy = tmp_path / "out/parken.pdf"
    assert definition["x-pdf"] == {
        "file": "parken.pdf",
        "sha256": hashlib.sha256(copy.read_bytes()).hexdigest(),
    }
    assert copy.read_bytes() == generated["antrag"].read_bytes()
    report = json.loads((tmp_path / "out/parken-bericht.json").read_text(encoding="utf-8"))
    assert report["serviceId"] == "anwohnerparken" and report["fields"]["migrated"] == 22
    assert "Migrationsbericht" in (tmp_path / "out/parken-bericht.txt").read_text("utf-8")
    assert "Migrationsbericht: antrag.pdf" in done.stdout
    # The file passes the real check, as `formwerk check` runs it.
    _, problems = check_files([tmp_path / "out/parken.json"], AUTHORITIES)
    assert problems == []


def test_formwerk_check_accepts_the_output(generated: dict[str, Path], tmp_path: Path) -> None:
    assert run("migrate", str(generated["zwei_seiten"]), "-q", cwd=tmp_path).returncode == 0
    check = subprocess.run(
        [sys.executable, "-m", "formwerk.cli", "check", str(tmp_path / "zwei-seiten.json")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"GIF89a not a pdf", "keine PDF-Datei"),
        (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog", "PDF nicht lesbar"),
    ],
)
def test_bad_file_gives_one_line_and_status_1(tmp_path: Path, content: bytes, message: str) -> None:
    (tmp_path / "kaputt.pdf").write_bytes(content)
    done = run("migrate", "kaputt.pdf", cwd=tmp_path)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert lines[0].startswith("formwerk migrate: kaputt.pdf: ") and message in lines[0]
    assert not (tmp_path / "kaputt.json").exists()


def test_unknown_authority_and_existing_pdf_copy(
    generated: dict[str, Path], tmp_path: Path
) -> None:
    done = run("migrate", str(generated["antrag"]), "--authority", "nirgendwo", cwd=tmp_path)
    assert done.returncode == 1 and "unbekannte Behörde 'nirgendwo'" in done.stderr
    (tmp_path / "antrag.pdf").write_bytes(b"%PDF-1.4 something else")
    done = run("migrate", str(generated["antrag"]), cwd=tmp_path)
    assert done.returncode == 1 and "--force" in done.stderr
    assert run("migrate", str(generated["antrag"]), "--force", cwd=tmp_path).returncode == 0


def test_time_limit_of_a_single_file(generated: dict[str, Path], tmp_path: Path) -> None:
    done = run("migrate", str(generated["antrag"]), "--timeout", "0.001", cwd=tmp_path)
    assert done.returncode == 124
    assert "Zeitlimit von 0.001 s überschritten" in done.stderr
    assert "Traceback" not in done.stderr


def test_fill_command(generated: dict[str, Path], tmp_path: Path) -> None:
    assert run("migrate", str(generated["antrag"]), "-q", cwd=tmp_path).returncode == 0
    answers = {
        "vorname": "Jürgen",
        "email": "j@example.org",
        "einverstanden": True,
        "familienstand": "geschieden",
    }
    (tmp_path / "antworten.json").write_text(json.dumps(answers), encoding="utf-8")
    done = run("fill", "antrag.json", "antworten.json", "-o", "ausgefuellt.pdf", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    values = read_back((tmp_path / "ausgefuellt.pdf").read_bytes())
    assert values["vorname"] == "Jürgen" and values["familienstand"] == "/geschieden"
    flat = run(
        "fill", "antrag.json", "antworten.json", "-o", "flach.pdf", "--flatten", cwd=tmp_path
    )
    assert flat.returncode == 0 and read_back((tmp_path / "flach.pdf").read_bytes()) == {}


def test_fill_rejects_invalid_answers(generated: dict[str, Path], tmp_path: Path) -> None:
    assert run("migrate", str(generated["antrag"]), "-q", cwd=tmp_path).returncode == 0
    bad = {"einverstanden": False, "familienstand": "verwitwet", "kinder": "zwei"}
    (tmp_path / "antworten.json").write_text(json.dumps(bad), encoding="utf-8")
    done = run("fill", "antrag.json", "antworten.json", "-o", "x.pdf", cwd=tmp_path)
    assert done.returncode == 1 and not (tmp_path / "x.pdf").exists()
    assert "antworten.json: /familienstand:" in done.stderr
    assert "antworten.json: /email: Pflichtangabe fehlt" in done.stderr
    assert "ungültige Antwort" in done.stderr.strip().splitlines()[-1]
    (tmp_path / "antrag.pdf").unlink()
    good = {"email": "a@b.de", "einverstanden": True, "familienstand": "ledig"}
    (tmp_path / "antworten.json").write_text(json.dumps(good), encoding="utf-8")
    done = run("fill", "antrag.json", "antworten.json", "-o", "x.pdf", cwd=tmp_path)
    assert done.returncode == 1 and "Original-PDF" in done.stderr


def _batch_args(folder: Path, out: Path, **extra: object) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["migrate", str(folder), "-o", str(out)])
    for key, value in extra.items():
        setattr(args, key, value)
    return args


def test_batch_with_good_bad_and_hanging_files(
    generated: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "eingang"
    folder.mkdir()
    (folder / "Antrag Parken.pdf").write_bytes(generated["antrag"].read_bytes())
    (folder / "kaputt.PDF").write_bytes(b"kein pdf")
    (folder / "haengt.pdf").write_bytes(generated["zwei_seiten"].read_bytes())
    (folder / "notiz.txt").write_text("wird ignoriert")
    real_command = batch.worker_command

    def command(pdf: Path, *rest: object) -> list[str]:
        if pdf.name == "haengt.pdf":  # a worker that never finishes, like pypdf in a loop
            return [sys.executable, "-c", "import time; time.sleep(60)"]
        return real_command(pdf, *rest)

    monkeypatch.setattr(batch, "worker_command", command)
    monkeypatch.setattr(batch, "_GRACE", 0.5)
    out = tmp_path / "definitionen"
    status = batch.run_batch(_batch_args(folder, out, timeout=3.0, jobs=2))
    captured = capsys.readouterr()
    assert status == 1
    assert sorted(p.name for p in out.iterdir()) == ["antrag-parken.json", "antrag-parken.pdf"]
    reports = tmp_path / "definitionen-berichte"
    assert (reports / "antrag-parken.report.json").exists()
    assert (reports / "antrag-parken.report.txt").exists()
    table = captured.out
    assert "Antrag Parken.pdf" in table and "ok" in table
    assert "kaputt.PDF" in table and "Fehler: keine PDF-Datei" in table
    assert "haengt.pdf" in table and "Zeitlimit: nach 3 s abgebrochen" in table
    assert "3 PDF(s): 1 migriert (22 Felder), 1 Fehler, 1 Zeitlimit" in table
    assert "[3/3]" in captured.err  # not a terminal: one progress line per file
    _, problems = check_files([out / "antrag-parken.json"], AUTHORITIES)
    assert problems == []


def test_batch_command_line(generated: dict[str, Path], tmp_path: Path) -> None:
    folder = tmp_path / "pdfs"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(generated["antrag"].read_bytes())
    done = run("migrate", "pdfs", "-o", "defs", "--report", "berichte", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "1 PDF(s): 1 migriert (22 Felder), 0 Fehler, 0 Zeitlimit" in done.stdout
    assert (tmp_path / "defs/a.json").exists() and (tmp_path / "berichte/a.report.json").exists()
    assert run("migrate", "pdfs", "--id", "x", cwd=tmp_path).returncode == 1


def test_progress_bar_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    progress = batch.Progress(2, stream, width=10)
    progress.step(batch.Outcome(Path("a.pdf"), "a", "ok"))
    progress.step(batch.Outcome(Path("b.pdf"), "b", "Fehler", "kaputt"))
    progress.done()
    text = stream.getvalue()
    assert "\r[#####-----] 1/2 a.pdf" in text and "\r[##########] 2/2 b.pdf" in text
    assert text.endswith("\n")
