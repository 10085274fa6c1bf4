"""Time to build a receipt PDF: a 1-page and a 5-page receipt against a bare baseline.

Run from the repository root::

    python bench/bench_receipt.py [--runs 30]

The baseline is a bare reportlab document with one paragraph in Helvetica, measured in
the same run, so the ratios travel between machines better than the milliseconds. Cases
take turns within each round, so background load hits them alike. The first call of each
case (imports, font registration) is a warm-up and not counted.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # allow `python bench/bench_receipt.py` without installing
    sys.path.insert(0, str(ROOT))

from form_definitions.catalogue import Catalogue, default_forms_dir  # noqa: E402
from renderer.receipt import build_receipt  # noqa: E402

ANSWERS = ROOT / "tests" / "data" / "answers"


def baseline() -> bytes:
    """One paragraph, one page, a standard font: what reportlab costs at the least."""
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer)
    doc.build([Paragraph("Ihr Antrag ist eingegangen.", getSampleStyleSheet()["Normal"])])
    return buffer.getvalue()


def receipt_case(service_id: str, change: Callable[[dict[str, Any]], None]) -> Callable[[], bytes]:
    """A receipt of a demo service with its sample answers, changed by ``change``."""
    catalogue = Catalogue.load(default_forms_dir())
    definition = catalogue.services[service_id]
    authority = catalogue.authorities[definition.meta.authority]
    answers = json.loads((ANSWERS / f"{service_id}.json").read_text(encoding="utf-8"))
    change(answers)
    attachments = [ref for ref in answers.get("nachweise", [])]
    reference = f"{authority.referencePrefix}-2026-000417"

    def build() -> bytes:
        return build_receipt(
            definition,
            authority,
            reference=reference,
            submitted_at=datetime(2026, 11, 28, 13, 3, tzinfo=UTC),
            answers=answers,
            attachments=attachments,
            postfach_url=f"https://portal.example/postfach/{reference}",
            portal_name="Serviceportal Heideland",
        )

    return build


def five_pages(answers: dict[str, Any]) -> None:
    """Wohngeld with 70 household members and a long remark: five pages."""
    member = answers["haushaltsmitglieder"][0]
    answers["haushaltsmitglieder"] = [dict(member, vorname=f"Kind {n}") for n in range(70)]
    answers["bemerkungen"] = "Ab Januar arbeite ich 30 statt 25 Stunden pro Woche. " * 120


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="timed builds per case")
    args = parser.parse_args()

    cases: dict[str, Callable[[], bytes]] = {
        "baseline (1 paragraph)": baseline,
        "meldebescheinigung": receipt_case("meldebescheinigung", lambda a: None),
        "wohngeld, 70 members": receipt_case("wohngeld", five_pages),
    }
    pages = {name: page_count(build()) for name, build in cases.items()}  # also the warm-up
    wall: dict[str, list[float]] = {name: [] for name in cases}
    cpu: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.runs):
        for name, build in cases.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            build()
            cpu[name].append((time.process_time() - start_cpu) * 1000)
            wall[name].append((time.perf_counter() - start) * 1000)

    # CPU time as well: on a shared machine it moves less with the neighbours' load.
    base = statistics.median(wall["baseline (1 paragraph)"])
    base_cpu = statistics.median(cpu["baseline (1 paragraph)"])
    print(f"Receipt PDF build, median of {args.runs} runs")
    print(
        f"{'case':<28} {'pages':>5} {'ms':>7} {'p90 ms':>7} {'x base':>7}"
        f" {'cpu ms':>7} {'x base':>7}"
    )
    for name, ms in wall.items():
        ms.sort()
        median, median_cpu = statistics.median(ms), statistics.median(cpu[name])
        print(
            f"{name:<28} {pages[name]:>5} {median:>7.1f} {ms[int(len(ms) * 0.9) - 1]:>7.1f}"
            f" {median / base:>7.1f} {median_cpu:>7.1f} {median_cpu / base_cpu:>7.1f}"
        )


if __name__ == "__main__":
    main()
