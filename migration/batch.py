"""Batch mode: every PDF of a folder, each in its own process with a time limit.

A worker process per PDF means that a file on which pypdf loops or exhausts memory costs
that file and nothing else: the parent kills it at the time limit and goes on.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from .names import slugify, unique_slug

_GRACE = 2.0  # seconds the parent waits beyond the worker's own time limit


@dataclass
class Outcome:
    """What became of one PDF."""

    source: Path
    service_id: str
    status: str  # "ok", "Fehler", "Zeitlimit"
    message: str = ""
    seconds: float = 0.0
    report: dict[str, Any] = field(default_factory=dict)


def pdf_files(folder: Path) -> list[Path]:
    """The PDFs directly inside a folder, by name."""
    return sorted(
        (p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".pdf"),
        key=lambda p: p.name.lower(),
    )


def run_batch(args: argparse.Namespace) -> int:
    """Migrate every PDF in `args.input` into `args.output`; exit status 1 if any failed."""
    out_dir: Path = args.output or Path(".")
    report_dir: Path = args.report or out_dir.resolve().with_name(
        f"{out_dir.resolve().name}-berichte"
    )
    files = pdf_files(args.input)
    if not files:
        print(f"formwerk migrate: {args.input}: keine PDF-Dateien gefunden", file=sys.stderr)
        return 1
    out_dir.mkdir(parents=True, exist_ok=True)
    report_dir.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    jobs = [(pdf, unique_slug(slugify(pdf.stem), taken)) for pdf in files]
    progress = Progress(len(jobs), sys.stderr)
    outcomes: list[Outcome] = []
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [
            pool.submit(migrate_in_worker, pdf, sid, out_dir, report_dir, args) for pdf, sid in jobs
        ]
        for future in as_completed(futures):
            outcome = future.result()
            outcomes.append(outcome)
            progress.step(outcome)
    progress.done()
    order = {pdf: i for i, (pdf, _) in enumerate(jobs)}
    outcomes.sort(key=lambda o: order[o.source])
    print(summary_table(outcomes))
    print(f"Definitionen: {out_dir}   Berichte: {report_dir}")
    return 0 if all(o.status == "ok" for o in outcomes) else 1


def worker_command(
    pdf: Path, service_id: str, out_dir: Path, report_dir: Path, args: argparse.Namespace
) -> list[str]:
    """The command line of the worker process for one PDF."""
    command = [
        sys.executable,
        "-m",
        "migration",
        "migrate",
        str(pdf),
        "-o",
        str(out_dir / f"{service_id}.json"),
        "--id",
        service_id,
        "--report",
        str(report_dir / f"{service_id}.report.json"),
        "--timeout",
        str(args.timeout),
        "--quiet",
    ]
    if args.authority:
        command += ["--authority", args.authority]
    if args.forms_dir:
        command += ["--forms-dir", str(args.forms_dir)]
    if args.force:
        command.append("--force")
    return command


def migrate_in_worker(
    pdf: Path, service_id: str, out_dir: Path, report_dir: Path, args: argparse.Namespace
) -> Outcome:
    """Run the worker for one PDF with a hard time limit."""
    report = report_dir / f"{service_id}.report.json"
    command = worker_command(pdf, service_id, out_dir, report_dir, args)
    env = dict(os.environ)
    # The worker must import this package even when formwerk is not installed.
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    started = time.perf_counter()
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=args.timeout + _GRACE
        )
    except subprocess.TimeoutExpired:
        return Outcome(
            pdf,
            service_id,
            "Zeitlimit",
            f"nach {args.timeout:g} s abgebrochen",
            time.perf_counter() - started,
        )
    seconds = time.perf_counter() - started
    lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
    if done.returncode != 0:
        from .commands import TIMEOUT_STATUS

        message = lines[-1].split(": ", 2)[-1] if lines else f"Exit-Status {done.returncode}"
        status = "Zeitlimit" if done.returncode == TIMEOUT_STATUS else "Fehler"
        return Outcome(pdf, service_id, status, message, seconds)
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    return Outcome(pdf, service_id, "ok", "", seconds, data)


class Progress:
    """A progress bar on a terminal, a line per file otherwise (CI logs stay readable)."""

    def __init__(self, total: int, stream: TextIO, width: int = 30) -> None:
        self.total, self.stream, self.width, self.count = total, stream, width, 0
        self.tty = stream.isatty()

    def step(self, outcome: Outcome) -> None:
        self.count += 1
        mark = "ok" if outcome.status == "ok" else outcome.status
        if self.tty:
            filled = round(self.width * self.count / self.total)
            bar = "#" * filled + "-" * (self.width - filled)
            name = outcome.source.name[:40]
            self.stream.write(f"\r[{bar}] {self.count}/{self.total} {name:<40} {mark:<9}")
        else:
            self.stream.write(f"[{self.count}/{self.total}] {outcome.source.name}: {mark}\n")
        self.stream.flush()

    def done(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def summary_table(outcomes: list[Outcome]) -> str:
    """The end-of-batch table: one row per PDF, totals below."""
    head = ("Datei", "Status", "Felder", "übersp.", "Tooltip", "Seitentext", "Feldname", "Warn.")
    rows: list[tuple[str, ...]] = []
    for o in outcomes:
        if o.status == "ok":
            fields, labels = o.report.get("fields", {}), o.report.get("labels", {})
            rows.append(
                (
                    o.source.name,
                    "ok",
                    str(fields.get("migrated", "")),
                    str(fields.get("skipped", "")),
                    str(labels.get("tooltip", "")),
                    str(labels.get("pageText", "")),
                    str(labels.get("fieldName", "")),
                    str(len(o.report.get("warnings", []))),
                )
            )
        else:
            rows.append((o.source.name, f"{o.status}: {o.message}", "", "", "", "", "", ""))
    widths = [max(len(r[i]) for r in [head, *rows]) if i else 0 for i in range(len(head))]
    widths[0] = min(48, max(len(r[0]) for r in [head, *rows]))
    widths[1] = min(60, widths[1])

    def line(cells: tuple[str, ...]) -> str:
        first = cells[0] if len(cells[0]) <= widths[0] else cells[0][: widths[0] - 1] + "…"
        parts = [first.ljust(widths[0]), cells[1].ljust(widths[1])]
        parts += [c.rjust(widths[i + 2]) for i, c in enumerate(cells[2:])]
        return "  ".join(parts).rstrip()

    ok = [o for o in outcomes if o.status == "ok"]
    total_fields = sum(int(o.report.get("fields", {}).get("migrated", 0)) for o in ok)
    rule = "-" * len(line(head))
    footer = (
        f"{len(outcomes)} PDF(s): {len(ok)} migriert ({total_fields} Felder), "
        f"{sum(o.status == 'Fehler' for o in outcomes)} Fehler, "
        f"{sum(o.status == 'Zeitlimit' for o in outcomes)} Zeitlimit"
    )
    return "\n".join([line(head), rule, *(line(r) for r in rows), rule, footer])
