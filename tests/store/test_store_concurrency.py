"""Several processes on one data dir, and processes killed with SIGKILL mid-write."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from formwerk.store import open_store
from tests.store._testlib import ROOT, add_many, load_every_file

PER_PROCESS = 200


def test_processes_adding_concurrently_lose_nothing(tmp_path: Path) -> None:
    """Three processes share prefix LKH, a fourth adds for another authority meanwhile."""
    data_dir = tmp_path / "data"
    open_store(data_dir)
    ctx = multiprocessing.get_context("spawn")
    plan = [("LKH", "landkreis-heideland")] * 3 + [("SWF", "stadt-wiesenfeld")]
    barrier = ctx.Barrier(len(plan))
    processes = [
        ctx.Process(target=add_many, args=(str(data_dir), w, PER_PROCESS, prefix, auth, barrier))
        for w, (prefix, auth) in enumerate(plan)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=300)
        assert process.exitcode == 0

    acked: dict[str, str] = {}
    for w in range(len(plan)):
        for line in (data_dir / f"result-{w}.txt").read_text().splitlines():
            reference, key = line.split()
            assert reference not in acked, f"reference {reference} handed out twice"
            acked[reference] = key
    assert len(acked) == len(plan) * PER_PROCESS

    store = open_store(data_dir)
    for reference, key in acked.items():
        submission = store.get_submission(reference)
        assert submission is not None and submission.idempotency_key == key
        assert store.find_by_idempotency_key(key) == submission
    lkh = sorted(int(r[-6:]) for r in acked if r.startswith("LKH-"))
    assert lkh == list(range(1, 3 * PER_PROCESS + 1))  # dense: no number skipped or repeated
    assert store.count("landkreis-heideland") == 3 * PER_PROCESS
    assert store.count("stadt-wiesenfeld") == PER_PROCESS
    listed = store.list_submissions("landkreis-heideland", limit=10_000)
    assert len(listed) == 3 * PER_PROCESS
    assert load_every_file(data_dir) > 0


def _run_and_kill(data_dir: Path, tag: str, retry_key: str | None, delay: float) -> list[str]:
    """Start a crash worker, SIGKILL it ``delay`` seconds after it is ready, return its lines."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [sys.executable, "-m", "tests.store._testlib", str(data_dir), tag]
    process = subprocess.Popen(
        args + ([retry_key] if retry_key else []), cwd=ROOT, env=env, stdout=subprocess.PIPE
    )
    assert process.stdout is not None
    assert process.stdout.readline() == b"ready\n"
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    output = process.stdout.read()
    process.wait()
    assert process.returncode == -signal.SIGKILL
    # A line cut off by the kill was not acknowledged: keep complete lines only.
    return [line.decode() for line in output.split(b"\n")[:-1]]


def test_sigkill_never_loses_acknowledged_submissions(tmp_path: Path) -> None:
    """Kill two concurrent writers at random moments, several times, then audit the store."""
    data_dir = tmp_path / "data"
    open_store(data_dir)
    rng = random.Random(20260301)
    acked: dict[str, str] = {}  # reference -> idempotency key
    statuses: dict[str, str] = {}  # reference -> last acknowledged status
    in_flight: dict[int, str | None] = {0: None, 1: None}
    for round_no in range(6):
        results: dict[int, list[str]] = {}
        with ThreadPoolExecutor(2) as pool:
            jobs = {
                w: pool.submit(
                    _run_and_kill,
                    data_dir,
                    f"r{round_no}w{w}",
                    in_flight[w],
                    rng.uniform(0.05, 0.6),
                )
                for w in (0, 1)
            }
            for w, job in jobs.items():
                results[w] = job.result(timeout=120)
        for w, lines in results.items():
            in_flight[w] = None
            for line in lines:
                kind, *rest = line.split()
                if kind == "T":
                    in_flight[w] = rest[0]
                elif kind == "A":
                    reference, key = rest
                    assert acked.setdefault(reference, key) == key, f"{reference} reused"
                    if in_flight[w] == key:
                        in_flight[w] = None
                else:
                    statuses[rest[0]] = " ".join(rest[1:])
    assert len(acked) > 20, "the workers barely ran; the test proves little"

    store = open_store(data_dir)
    assert load_every_file(data_dir) > 0
    for reference, key in acked.items():
        submission = store.get_submission(reference)
        assert submission is not None, f"acknowledged {reference} lost"
        assert submission.idempotency_key == key
    for reference, status in statuses.items():
        submission = store.get_submission(reference)
        assert submission is not None
        assert status in [change.status.value for change in submission.status_history]
    everything = store.list_submissions("landkreis-heideland", limit=1_000_000)
    references = [s.reference for s in everything]
    keys = [s.idempotency_key for s in everything]
    assert len(set(references)) == len(references) == store.count()
    assert len(set(keys)) == len(keys), "a retried submission was stored twice"
    assert sorted(int(r[-6:]) for r in references) == list(range(1, len(references) + 1))
