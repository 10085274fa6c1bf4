"""The `formwerk` command line: check, settings, errors without tracebacks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from form_definitions.catalogue import default_forms_dir
from formwerk.cli import main
from formwerk.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "formwerk.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


def test_check_passes_on_the_shipped_definitions() -> None:
    result = run("check")
    assert result.returncode == 0, result.stdout
    assert result.stdout == ""
    assert result.stderr.startswith("OK: ")
    assert "Definition(en) geprüft, keine Fehler." in result.stderr


def test_check_reports_errors_one_a_line_and_exits_1(tmp_path: Path) -> None:
    broken = json.loads((default_forms_dir() / "services" / "meldebescheinigung.json").read_text())
    broken["required"].append("gibtsnicht")
    (tmp_path / "kaputt.json").write_text(json.dumps(broken))
    (tmp_path / "leer.json").write_text("")
    result = run("check", str(tmp_path))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert any(
        line.startswith(f"{tmp_path / 'kaputt.json'}: /required/")
        and "'gibtsnicht' ist nicht unter 'properties' definiert" in line
        for line in lines
    ), lines
    assert (
        f"{tmp_path / 'leer.json'}: /: kein gültiges JSON: Zeile 1, Spalte 1: "
        "Expecting value" in lines
    )
    assert "Traceback" not in result.stderr
    assert "2 Fehler in 2 Datei(en)" in result.stderr


def test_check_on_a_missing_path(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "/nicht/da.json"]) == 1
    assert capsys.readouterr().out == "/nicht/da.json: /: Datei nicht gefunden\n"


def test_check_with_another_forms_dir(tmp_path: Path) -> None:
    shutil.copytree(default_forms_dir() / "services", tmp_path / "services")
    (tmp_path / "authorities.json").write_text('{"authorities": []}')
    result = run("check", "--forms-dir", str(tmp_path))
    assert result.returncode == 1
    assert (
        f"{tmp_path / 'authorities.json'}: /authorities: List should have at least 1 "
        "item after validation, not 0" in result.stdout
    )


def test_settings_come_from_the_environment_and_options(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FORMWERK_DATA_DIR", str(tmp_path / "env"))
    monkeypatch.setenv("FORMWERK_PORT", "9000")
    assert Settings().data_dir == tmp_path / "env"
    assert Settings().port == 9000


def test_bad_setting_is_one_clear_line() -> None:
    result = run("check", env={"FORMWERK_PORT": "achttausend"})
    assert result.returncode == 2
    assert result.stderr.startswith("formwerk: Einstellung 'port': ")
    assert "Traceback" not in result.stderr


def test_usage_error_exits_2() -> None:
    result = run("gibtsnicht")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr
