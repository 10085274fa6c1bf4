"""The `formwerk` command: serve the portal, check definitions, migrate PDFs."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError


def _settings(args: argparse.Namespace):
    """Settings from the environment, overridden by the options that were given."""
    from formwerk.settings import Settings

    given = {
        name: value
        for name in ("host", "port", "data_dir", "forms_dir")
        if (value := getattr(args, name, None)) is not None
    }
    return Settings(**given)


def add_data_dir(parser: argparse.ArgumentParser) -> None:
    """--data-dir for every command that reads or writes data (FORMWERK_DATA_DIR)."""
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="data folder (default: $FORMWERK_DATA_DIR or ./var)",
    )


def add_forms_dir(parser: argparse.ArgumentParser) -> None:
    """--forms-dir: where the authorities and service definitions are read from."""
    parser.add_argument(
        "--forms-dir",
        type=Path,
        default=None,
        help="folder with authorities.json and services/ "
        "(default: $FORMWERK_FORMS_DIR or the shipped demo portal)",
    )


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the portal with uvicorn."""
    import uvicorn

    from formwerk.app import create_app

    settings = _settings(args)
    app = create_app(settings)
    for problem in app.state.catalogue.problems:
        print(f"Warnung: {problem}", file=sys.stderr)
    print(
        f"formwerk: http://{settings.host}:{settings.port}/  (Daten: {settings.data_dir})",
        file=sys.stderr,
    )
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning", access_log=False)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Check definitions; print FILE: /pointer: message lines; exit 1 on any error."""
    from form_definitions.catalogue import AUTHORITIES_FILE, definition_paths
    from form_definitions.check import check_files, load_authorities

    forms_dir = _settings(args).forms_dir
    authorities, problems = load_authorities(forms_dir / AUTHORITIES_FILE)
    paths: list[Path] = []
    for given in args.paths:
        if given.is_dir():
            paths.extend(p for p in sorted(given.rglob("*.json")) if p.name != AUTHORITIES_FILE)
        else:
            paths.append(given)
    if not args.paths:
        paths = definition_paths(forms_dir)
    _, found = check_files(paths, authorities)
    problems += found
    for problem in problems:
        print(problem)
    files = len({p.file for p in problems})
    if problems:
        print(
            f"{len(problems)} Fehler in {files} Datei(en); {len(paths)} Definition(en) geprüft.",
            file=sys.stderr,
        )
        return 1
    print(f"OK: {len(paths)} Definition(en) geprüft, keine Fehler.", file=sys.stderr)
    return 0


def cmd_cleanup(args: argparse.Namespace) -> int:
    """Delete abandoned drafts and unused files now (`serve` also does it every hour)."""
    from datetime import timedelta

    from formwerk.blobs import BlobStore
    from formwerk.cleanup import clean_up
    from formwerk.store import open_store

    settings = _settings(args)
    hours = args.older_than_hours or settings.draft_ttl_hours
    result = clean_up(
        open_store(settings.data_dir),
        BlobStore(settings.data_dir / "blobs"),
        ttl=timedelta(hours=hours),
    )
    print(
        f"Entwürfe gelöscht: {result.drafts}, Anhänge: {result.attachments}, "
        f"Dateien: {result.files} (älter als {hours} Stunden)"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="formwerk",
        description="formwerk: Online-Dienste für die Behörden eines Portalverbunds.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="serve the portal (renderer, API, builder)")
    serve.add_argument("--host", default=None, help="interface (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default: 8000)")
    add_data_dir(serve)
    add_forms_dir(serve)
    serve.set_defaults(func=cmd_serve)

    check = sub.add_parser(
        "check",
        help="check service definitions",
        description="Check definitions against the format; prints "
        "FILE: /json/pointer: message per error, exit status 1 "
        "on any error.",
    )
    check.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="definition files or folders (default: every definition)",
    )
    add_forms_dir(check)
    check.set_defaults(func=cmd_check)

    cleanup = sub.add_parser("cleanup", help="delete abandoned drafts and unused files")
    cleanup.add_argument(
        "--older-than-hours",
        type=int,
        default=None,
        help="idle time after which a draft goes (default: $FORMWERK_DRAFT_TTL_HOURS or 168)",
    )
    add_data_dir(cleanup)
    cleanup.set_defaults(func=cmd_cleanup)

    from migration import commands as migration_commands  # cheap: pypdf loads on use

    migration_commands.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ValidationError as exc:
        for error in exc.errors():
            name = ".".join(str(part) for part in error["loc"])
            print(f"formwerk: Einstellung '{name}': {error['msg']}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
