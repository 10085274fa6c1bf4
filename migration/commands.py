"""`formwerk migrate` and `formwerk fill`: argparse subcommands around the library."""

from __future__ import annotations

import argparse
import json
import re
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .reader import MigrationError

DEFAULT_TIMEOUT = 120.0  # seconds per PDF
TIMEOUT_STATUS = 124  # like timeout(1): the batch tells a time-out from an error by it
_SAFE_FILE = re.compile(r"^[A-Za-z0-9._-]+$")


def register(subparsers: Any) -> None:
    """Add the `migrate` and `fill` subcommands to an argparse subparsers object."""
    migrate = subparsers.add_parser(
        "migrate",
        help="turn fillable PDFs into draft definitions",
        description="Migrate a fillable AcroForm PDF into a draft definition (plus the "
        "original PDF beside it for fill-back), or every PDF of a folder in batch mode.",
    )
    migrate.add_argument("input", type=Path, metavar="INPUT", help="a PDF file or a folder")
    migrate.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="OUT",
        help="definition file (default: SERVICE_ID.json); in batch mode the output folder "
        "(default: the current folder)",
    )
    migrate.add_argument("--authority", metavar="ID", help="owning authority (authorities.json)")
    migrate.add_argument("--id", dest="service_id", metavar="SERVICE_ID", help="service id")
    migrate.add_argument(
        "--report",
        type=Path,
        metavar="REPORT",
        help="write the report as JSON here and as text beside it (.txt); in batch mode a "
        "folder (default: OUT-berichte next to the output folder)",
    )
    migrate.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"time limit per PDF (default: {DEFAULT_TIMEOUT:g})",
    )
    migrate.add_argument(
        "--jobs", type=int, default=1, metavar="N", help="PDFs migrated in parallel (batch mode)"
    )
    migrate.add_argument(
        "--forms-dir", type=Path, default=None, help="portal folder with authorities.json"
    )
    migrate.add_argument("--force", action="store_true", help="overwrite an existing PDF copy")
    migrate.add_argument("-q", "--quiet", action="store_true", help="no report on stdout")
    migrate.set_defaults(func=cmd_migrate)

    fill = subparsers.add_parser(
        "fill",
        help="fill a migrated form's original PDF with answers",
        description="Fill the original PDF of a migrated definition with the answers of an "
        "application (JSON), to check a migrated form by hand.",
    )
    fill.add_argument("definition", type=Path, metavar="DEFINITION.json")
    fill.add_argument("answers", type=Path, metavar="ANSWERS.json")
    fill.add_argument("-o", "--output", type=Path, required=True, metavar="FILLED.pdf")
    fill.add_argument("--flatten", action="store_true", help="bake the values into the pages")
    fill.set_defaults(func=cmd_fill)


class _TimeLimit(BaseException):
    """Raised by SIGALRM; a BaseException so that pypdf's `except Exception` lets it pass."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after `seconds` (Unix, main thread; elsewhere no limit)."""
    usable = (
        seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise _TimeLimit

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _fail(prefix: str, message: str, status: int = 1) -> int:
    print(f"formwerk {prefix}: {message}", file=sys.stderr)
    return status


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def cmd_migrate(args: argparse.Namespace) -> int:
    """Migrate one PDF, or every PDF of a folder (batch mode)."""
    if args.input.is_dir():
        from .batch import run_batch

        if args.service_id:
            return _fail("migrate", "--id gilt nur für eine einzelne PDF-Datei, nicht im Stapel")
        return run_batch(args)
    try:
        with time_limit(args.timeout):
            return _migrate_one(args)
    except _TimeLimit:
        message = f"{args.input}: Zeitlimit von {args.timeout:g} s überschritten"
        return _fail("migrate", message, TIMEOUT_STATUS)
    except MigrationError as exc:
        return _fail("migrate", f"{args.input}: {exc}")


def _migrate_one(args: argparse.Namespace) -> int:
    from .checking import check_definition, existing_service_ids
    from .migrate import check_service_id, migrate_pdf
    from .names import slugify

    if not args.input.exists():
        raise MigrationError("Datei nicht gefunden")
    service_id = check_service_id(args.service_id or slugify(args.input.stem))
    output: Path = args.output or Path(f"{service_id}.json")
    stem = output.stem if _SAFE_FILE.match(output.stem) else slugify(output.stem)
    pdf_path = output.with_name(f"{stem}.pdf")
    result = migrate_pdf(
        args.input,
        service_id=service_id,
        authority=args.authority,
        pdf_name=pdf_path.name,
        forms_dir=args.forms_dir,
    )
    owner = existing_service_ids(args.forms_dir).get(service_id)
    if owner is not None and owner.resolve() != output.resolve():
        result.report.warnings.append(
            f"Dienst-ID '{service_id}' ist im Portal schon vergeben ({owner}); vor dem "
            "Übernehmen mit --id umbenennen"
        )
    problems = check_definition(result.definition, str(output), directory=args.forms_dir)
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        raise MigrationError("die erzeugte Definition besteht 'formwerk check' nicht (Fehler oben)")
    if (
        pdf_path.exists()
        and not args.force
        and pdf_path.resolve() != args.input.resolve()
        and pdf_path.read_bytes() != result.pdf_bytes
    ):
        raise MigrationError(f"{pdf_path} gibt es schon mit anderem Inhalt (--force überschreibt)")
    _write_json(output, result.definition)
    if not pdf_path.exists() or pdf_path.read_bytes() != result.pdf_bytes:
        pdf_path.write_bytes(result.pdf_bytes)
    text = result.report.to_text()
    if args.report:
        _write_json(args.report, result.report.to_dict())
        args.report.with_suffix(".txt").write_text(text, encoding="utf-8")
    if not args.quiet:
        print(text, end="")
        print(f"Geschrieben: {output} und {pdf_path}")
    return 0


def cmd_fill(args: argparse.Namespace) -> int:
    """Fill the original PDF of a migrated definition with answers from a JSON file."""
    from jsonschema import Draft202012Validator, FormatChecker

    from .original import fill_application

    try:
        definition = _read_json(args.definition, "Definition")
        answers = _read_json(args.answers, "Antworten")
        if not isinstance(answers, dict):
            raise MigrationError(f"{args.answers}: die Antworten müssen ein JSON-Objekt sein")
        validator = Draft202012Validator(definition, format_checker=FormatChecker())
        errors = sorted(validator.iter_errors(answers), key=lambda e: list(e.absolute_path))
        if errors:
            for error in errors:
                print(f"{args.answers}: {_describe(error)}", file=sys.stderr)
            raise MigrationError(f"{args.answers}: {len(errors)} ungültige Antwort(en)")
        warnings: list[str] = []
        data = fill_application(
            definition, args.definition, answers, flatten=args.flatten, warnings=warnings
        )
        if data is None:
            raise MigrationError(f"{args.definition}: keine migrierte Definition (x-pdf fehlt)")
    except MigrationError as exc:
        return _fail("fill", str(exc))
    for warning in warnings:
        print(f"Warnung: {warning}", file=sys.stderr)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(data)
    print(f"Geschrieben: {args.output}")
    return 0


def _describe(error: Any) -> str:
    """'/pointer: message' for a jsonschema error; a missing answer points at itself."""
    where = "".join(f"/{p}" for p in error.absolute_path)
    if error.validator == "required" and isinstance(error.instance, dict):
        # One error per missing name; only the message tells which one.
        missing = [
            n
            for n in error.validator_value
            if n not in error.instance and error.message.startswith(repr(n))
        ]
        if missing:
            return f"{where}/{missing[0]}: Pflichtangabe fehlt"
    return f"{where or '/'}: {error.message}"


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MigrationError(f"{what} {path} nicht lesbar ({exc.strerror})") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise MigrationError(f"{what} {path} ist kein gültiges JSON ({exc})") from None
