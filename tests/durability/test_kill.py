"""SIGKILL at random moments: no submission the client was told about is ever lost.

``formwerk serve`` runs in a subprocess on one data dir; a client thread submits through
the API in a loop while the server is killed (SIGKILL, no clean-up of any kind) at a
random moment, five times, restarting on the same data dir each time. A request whose
answer never arrived is "in doubt" and is sent again, with the same Idempotency-Key,
after the restart: it must then get its stored reference (200) or be stored now (201).
"""

from __future__ import annotations

import random
import re
import signal
import threading
import time
from pathlib import Path

from formwerk.store import open_store
from tests.conftest import free_port, start_server
from tests.durability.client import AUTHORITY, post_submission, sample

ROUNDS = 5


def test_sigkill_loses_no_confirmed_submission(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    answers = sample()
    rng = random.Random(20260417)  # reproducible kill moments
    confirmed: dict[str, str] = {}  # Idempotency-Key -> reference the client was given
    in_doubt: list[str] = []
    resent = 0
    failures: list[BaseException] = []

    def settle(base: str) -> None:
        # Every in-doubt key is answered now: stored before the kill (200) or now (201).
        nonlocal resent
        resent += len(in_doubt)
        for key in in_doubt:
            result = post_submission(base, answers, key)
            assert result is not None and result[0] in (200, 201), result
            confirmed[key] = result[1]["reference"]
        in_doubt.clear()

    for round_ in range(ROUNDS + 1):
        port = free_port()
        server = start_server(data_dir, port)
        base = f"http://127.0.0.1:{port}"
        try:
            settle(base)
            if round_ == ROUNDS:
                break  # the last start only settles the keys of the last kill
            stop = threading.Event()

            def submit_in_a_loop(
                round_: int = round_, base: str = base, stop: threading.Event = stop
            ) -> None:
                try:
                    n = 0
                    while not stop.is_set():
                        key = f"kill-{round_}-{n}"
                        n += 1
                        result = post_submission(base, answers, key)
                        if result is None:
                            in_doubt.append(key)
                            return  # the server is gone
                        status, body = result
                        assert status == 201, body
                        confirmed[key] = body["reference"]
                except BaseException as exc:  # surfaced in the main thread
                    failures.append(exc)

            client = threading.Thread(target=submit_in_a_loop)
            client.start()
            time.sleep(rng.uniform(0.2, 1.2))
            server.send_signal(signal.SIGKILL)
            server.wait(timeout=10)
            stop.set()
            client.join(timeout=30)
            assert not client.is_alive()
            assert not failures, failures
        finally:
            if server.poll() is None:
                server.terminate()
                server.wait(timeout=10)

    references = list(confirmed.values())
    assert len(references) > ROUNDS  # the loop got somewhere in every round
    assert len(set(references)) == len(references), "a reference was handed out twice"
    store = open_store(data_dir)  # the store loads after five kills
    for key, reference in confirmed.items():
        submission = store.get_submission(reference)
        assert submission is not None, reference
        assert submission.idempotency_key == f"api:{key}"
        assert submission.answers == answers
    # Nothing stored that the client does not know of, and the numbers are dense.
    stored = store.list_submissions(AUTHORITY, limit=len(references) + 10)
    assert {s.reference for s in stored} == set(references)
    numbers = sorted(int(re.search(r"(\d+)$", r).group(1)) for r in references)
    assert numbers == list(range(1, len(references) + 1))
    assert store.count(AUTHORITY) == len(references)
    found = sum(store.get_submission(r) is not None for r in references)
    # The figures for the closing note (pytest -s shows them).
    print(
        f"\ndurability: {ROUNDS} SIGKILLs, {len(references)} submissions acknowledged, "
        f"{found} found after restart, {resent} in-doubt requests resent"
    )
