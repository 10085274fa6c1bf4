"""Helpers shared by the store tests, importable by spawned worker processes.

Worker functions live here rather than in test modules so that ``multiprocessing`` (spawn)
and ``subprocess`` children can import them without importing pytest fixtures.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tinydb import TinyDB

from formwerk.store import NewSubmission, SubmissionStatus, open_store

ROOT = Path(__file__).resolve().parents[2]
SHA = "ab" * 32


def new_submission(
    key: str,
    *,
    authority: str = "landkreis-heideland",
    prefix: str = "LKH",
    service: str = "meldebescheinigung",
    answers: dict[str, Any] | None = None,
) -> NewSubmission:
    """A valid ``NewSubmission`` with sensible defaults."""
    return NewSubmission(
        service_id=service,
        service_version="1.0.0",
        definition_sha256=SHA,
        authority_id=authority,
        reference_prefix=prefix,
        answers={"vorname": "Jürgen", "familienname": "Müller"} if answers is None else answers,
        attachments=[
            {
                "id": "att_" + "x" * 20,
                "name": "Ausweis.pdf",
                "mediaType": "application/pdf",
                "size": 1234,
                "sha256": SHA,
            }
        ],
        idempotency_key=key,
    )


class FakeClock:
    """A settable clock for the store (timezone-aware UTC)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move the clock forward by ``timedelta(**delta)``."""
        self.now += timedelta(**delta)


def load_every_file(data_dir: Path) -> int:
    """Parse every ``*.json`` in the store; TinyDB files also with TinyDB's own storage.

    Returns the number of files. Raises on any file that is not complete JSON.
    """
    count = 0
    for path in sorted(data_dir.rglob("*.json")):
        json.loads(path.read_text(encoding="utf-8"))
        if path.parent.parent.parent.name == "submissions" or path.parent.name == "idempotency":
            # The stock JSONStorage must read our files too (format compatibility).
            with TinyDB(path, access_mode="r") as db:
                for name in db.tables():
                    db.table(name).all()
        count += 1
    return count


def add_many(data_dir: str, worker: int, n: int, prefix: str, authority: str, barrier: Any) -> None:
    """multiprocessing target: add ``n`` submissions and report (reference, key) pairs."""
    store = open_store(Path(data_dir))
    barrier.wait()  # start together for maximum contention
    lines = []
    for i in range(n):
        key = f"w{worker:02d}-n{i:05d}-key"
        submission = store.add_submission(new_submission(key, authority=authority, prefix=prefix))
        lines.append(f"{submission.reference} {key}\n")
    Path(data_dir, f"result-{worker}.txt").write_text("".join(lines), encoding="utf-8")


def crash_worker(data_dir: str, tag: str, retry_key: str | None) -> None:
    """subprocess target: add submissions forever, printing each one once acknowledged.

    Prints ``A <reference> <key>`` after ``add_submission`` returned and
    ``S <reference> <status>`` after ``update_status`` returned. Starts by re-submitting
    ``retry_key`` (the submission in flight when the previous worker was killed), like a
    citizen pressing "Absenden" again.
    """
    store = open_store(Path(data_dir))
    out = sys.stdout
    out.write("ready\n")
    out.flush()
    if retry_key:
        submission = store.add_submission(new_submission(retry_key))
        out.write(f"A {submission.reference} {retry_key}\n")
        out.flush()
    statuses = list(SubmissionStatus)
    i = 0
    while True:
        key = f"{tag}-{i:06d}"
        out.write(f"T {key}\n")  # "trying": the key that may be in flight when killed
        out.flush()
        submission = store.add_submission(new_submission(key, answers={"i": i, "tag": tag}))
        out.write(f"A {submission.reference} {key}\n")
        out.flush()
        if i % 3 == 0:
            status = statuses[i % len(statuses)]
            store.update_status(submission.reference, status, note=f"note {i}")
            out.write(f"S {submission.reference} {status.value}\n")
            out.flush()
        i += 1


if __name__ == "__main__":
    crash_worker(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
