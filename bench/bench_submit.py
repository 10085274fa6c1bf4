"""Submissions per second through the full path, at 1,000 and at 100,000 stored submissions.

Run from the repository root::

    python bench/bench_submit.py [--submissions 100] [--sizes 1000 100000] [--dir PATH]

One submission is what ``POST /api/v1/services/{id}/submissions`` does after reading the
body: ``validate`` the sample answers of the Sperrmüll service, keep the definition
version, ``submit_application`` (store, fsynced) and build the receipt PDF
(``build_receipt``) as the receipt link serves it. Each store is pre-filled through
``import_submissions`` (``bench_store.prefill``) with submissions of the same authority,
so the new references continue the same, long sequence. The stores take turns in rounds
of 10, so that background load hits both alike; the throughput ratio should stay near 1.

Receipt times alone (1-page and 5-page receipts against a bare reportlab baseline) are
measured by ``bench/bench_receipt.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # allow `python bench/bench_submit.py` without installing
    sys.path.insert(0, str(ROOT))

from bench_store import AUTHORITY, PREFIX, prefill  # noqa: E402

from form_definitions.catalogue import Catalogue, default_forms_dir  # noqa: E402
from formwerk.store import TinyDBStore, open_store  # noqa: E402
from renderer.archive import keep_definition  # noqa: E402
from renderer.messages import validate  # noqa: E402
from renderer.receipt import submission_receipt  # noqa: E402
from renderer.submissions import submit_application  # noqa: E402

SERVICE = "sperrmuell-anmeldung"  # Landkreis Heideland: the prefix bench_store fills
ROUND = 10


def submit_once(
    store: TinyDBStore, data_dir: Path, catalogue: Catalogue, answers: dict, key: str
) -> tuple[float, float, float]:
    """One submission through validate, store and receipt; the three durations in s."""
    definition = catalogue.services[SERVICE]
    authority = catalogue.authorities[definition.meta.authority]
    start = time.perf_counter()
    errors = validate(definition, answers)
    assert not errors, errors
    validated = time.perf_counter()
    keep_definition(data_dir, definition)
    submission = submit_application(store, definition, authority, answers, key)
    stored = time.perf_counter()
    pdf = submission_receipt(
        definition,
        authority,
        submission,
        postfach_url=f"https://portal.example/postfach/{submission.reference}?t=x",
        portal_name="Bürgerportal Heideland",
    )
    done = time.perf_counter()
    assert pdf.startswith(b"%PDF-")
    return validated - start, stored - validated, done - stored


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--submissions", type=int, default=100)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 100_000])
    parser.add_argument("--dir", type=Path, help="where to create the stores (default: temp)")
    args = parser.parse_args()

    catalogue = Catalogue.load(default_forms_dir())
    definition = catalogue.services[SERVICE]
    assert catalogue.authorities[definition.meta.authority].referencePrefix == PREFIX
    assert definition.meta.authority == AUTHORITY
    answers = json.loads((ROOT / "tests/data/answers" / f"{SERVICE}.json").read_text("utf-8"))

    rows = []
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="bench-submit-") as tmp:
        warm = Path(tmp) / "warm-up"
        for i in range(3):  # imports, fonts, validators, caches
            submit_once(open_store(warm), warm, catalogue, answers, f"warm-{i:04d}-key-xx")
        dirs = {size: Path(tmp) / f"store-{size}" for size in args.sizes}
        stores = {size: open_store(path) for size, path in dirs.items()}
        fill_s = {size: prefill(store, size) for size, store in stores.items()}
        os.sync()  # flush the prefill's dirty pages now, not during the timed fsyncs
        timings: dict[int, list[tuple[float, float, float]]] = {s: [] for s in args.sizes}
        for start in range(0, args.submissions, ROUND):
            for size, store in stores.items():
                for i in range(start, min(start + ROUND, args.submissions)):
                    key = f"bench-submit-{i:08d}"
                    timings[size].append(submit_once(store, dirs[size], catalogue, answers, key))
        for size, store in stores.items():
            assert store.count(AUTHORITY) == size + args.submissions
            totals = sorted(sum(t) * 1000 for t in timings[size])
            rows.append(
                {
                    "stored": size,
                    "prefill_s": fill_s[size],
                    "per_s": len(totals) / (sum(totals) / 1000),
                    "p50": statistics.median(totals),
                    "p95": totals[max(0, int(len(totals) * 0.95) - 1)],
                    "parts": [
                        statistics.median(t[k] * 1000 for t in timings[size]) for k in range(3)
                    ],
                }
            )

    print(f"Submit: validate + store + receipt, {args.submissions} submissions each ({SERVICE})")
    print(
        f"{'stored':>9} {'prefill':>8} {'subm/s':>7} {'p50 ms':>7} {'p95 ms':>7}"
        f" {'valid ms':>8} {'store ms':>8} {'pdf ms':>7}"
    )
    for r in rows:
        valid, store_ms, pdf = r["parts"]
        print(
            f"{r['stored']:>9,} {r['prefill_s']:>7.1f}s {r['per_s']:>7.1f} {r['p50']:>7.1f}"
            f" {r['p95']:>7.1f} {valid:>8.2f} {store_ms:>8.2f} {pdf:>7.1f}"
        )
    if len(rows) >= 2:
        ratio = rows[-1]["per_s"] / rows[0]["per_s"]
        print(
            f"throughput ratio {rows[-1]['stored']:,} / {rows[0]['stored']:,} stored: {ratio:.2f}"
        )
    print("receipt alone, 1 and 5 pages: python bench/bench_receipt.py")


if __name__ == "__main__":
    main()
