"""Insert throughput of the TinyDB store at 1,000 and at 100,000 stored submissions.

Run from the repository root::

    python bench/bench_store.py [--inserts 200] [--sizes 1000 100000] [--dir PATH]

Each store is pre-filled through ``TinyDBStore.import_submissions`` (the store's own
serialisation, one write per partition file instead of one per submission), then
``add_submission`` is timed for ``--inserts`` new submissions per store. The stores take
turns in rounds of 20 inserts so that background load on the machine hits both alike.
Partitioning should keep the per-insert cost flat: the throughput ratio should stay near 1.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # allow `python bench/bench_store.py` without installing
    sys.path.insert(0, str(ROOT))

from formwerk.store import (  # noqa: E402
    NewSubmission,
    StatusChange,
    Submission,
    SubmissionStatus,
    TinyDBStore,
    format_reference,
    open_store,
    utc_now,
)

PREFIX, AUTHORITY = "LKH", "landkreis-heideland"
SHA = "0123456789abcdef" * 4


def answers(i: int) -> dict[str, object]:
    """About 1 KB of answers, like a short real form (name, address, free text)."""
    return {
        "vorname": "Jürgen",
        "familienname": f"Müller-{i}",
        "geburtsdatum": "1970-01-01",
        "anschrift": {"strasse": "Am Kreishaus 1", "plz": "29600", "ort": "Heidestadt"},
        "email": f"buerger{i}@example.org",
        "begruendung": "Ich benötige eine Bescheinigung für meinen Arbeitgeber. " * 10,
    }


def prefill(store: TinyDBStore, count: int) -> float:
    """Import ``count`` submissions; return the seconds it took."""
    now = utc_now()
    year = now.year
    start = time.perf_counter()
    batch: list[Submission] = []
    for seq in range(1, count + 1):
        at = now - timedelta(seconds=count - seq)
        batch.append(
            Submission(
                reference=format_reference(PREFIX, year, seq),
                service_id="meldebescheinigung",
                service_version="1.0.0",
                definition_sha256=SHA,
                authority_id=AUTHORITY,
                answers=answers(seq),
                status=SubmissionStatus.EINGEGANGEN,
                status_history=(StatusChange(status=SubmissionStatus.EINGEGANGEN, at=at),),
                created_at=at,
                updated_at=at,
                idempotency_key=f"prefill-{seq:08d}-key",
            )
        )
        if len(batch) == 50_000:  # bounded memory (~150 MB); import continues the sequence
            store.import_submissions(batch)
            batch = []
    store.import_submissions(batch)
    return time.perf_counter() - start


def time_inserts(store: TinyDBStore, start: int, n: int) -> list[float]:
    """Add ``n`` submissions one by one; return each call's duration in seconds."""
    durations = []
    for i in range(start, start + n):
        record = NewSubmission(
            service_id="meldebescheinigung",
            service_version="1.0.0",
            definition_sha256=SHA,
            authority_id=AUTHORITY,
            reference_prefix=PREFIX,
            answers=answers(i),
            idempotency_key=f"bench-{i:08d}-key",
        )
        start = time.perf_counter()
        store.add_submission(record)
        durations.append(time.perf_counter() - start)
    return durations


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--inserts", type=int, default=200)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 100_000])
    parser.add_argument("--dir", type=Path, help="where to create the stores (default: temp)")
    args = parser.parse_args()

    rows = []
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="bench-store-") as tmp:
        time_inserts(open_store(Path(tmp) / "warm-up"), 0, 20)  # imports, pydantic, caches
        stores = {size: open_store(Path(tmp) / f"store-{size}") for size in args.sizes}
        fill_s = {size: prefill(store, size) for size, store in stores.items()}
        os.sync()  # flush the prefill's dirty pages now, not during the timed fsyncs
        durations: dict[int, list[float]] = {size: [] for size in args.sizes}
        for start in range(0, args.inserts, 20):
            for size, store in stores.items():
                n = min(20, args.inserts - start)
                durations[size] += time_inserts(store, start, n)
        for size, store in stores.items():
            assert store.count() == size + args.inserts
            ms = sorted(d * 1000 for d in durations[size])
            sample = store.get_submission(format_reference(PREFIX, utc_now().year, size // 2))
            assert sample is not None
            get_start = time.perf_counter()
            for _ in range(50):
                store.get_submission(sample.reference)
            get_ms = (time.perf_counter() - get_start) / 50 * 1000
            rows.append(
                {
                    "stored": size,
                    "prefill_s": fill_s[size],
                    "per_s": len(ms) / sum(durations[size]),
                    "p50": statistics.median(ms),
                    "p95": ms[int(len(ms) * 0.95) - 1],
                    "max": ms[-1],
                    "get": get_ms,
                }
            )

    print(f"TinyDB store, {args.inserts} inserts each, block size {store.block_size}")
    header = f"{'stored':>9} {'prefill':>8} {'inserts/s':>10} {'p50 ms':>7} {'p95 ms':>7}"
    print(header + f" {'max ms':>7} {'get ms':>7}")
    for r in rows:
        print(
            f"{r['stored']:>9,} {r['prefill_s']:>7.1f}s {r['per_s']:>10.0f} {r['p50']:>7.2f}"
            f" {r['p95']:>7.2f} {r['max']:>7.2f} {r['get']:>7.2f}"
        )
    if len(rows) >= 2:
        ratio = rows[-1]["per_s"] / rows[0]["per_s"]
        print(
            f"throughput ratio {rows[-1]['stored']:,} / {rows[0]['stored']:,} stored: {ratio:.2f}"
        )


if __name__ == "__main__":
    main()
