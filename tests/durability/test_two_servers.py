"""Two server processes on one data dir: nothing lost, no number twice, numbers dense."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from formwerk.store import open_store
from tests.conftest import free_port, start_server
from tests.durability.client import AUTHORITY, get_status, post_file, post_submission, sample

PER_THREAD = 12
THREADS_PER_SERVER = 2


@pytest.fixture
def two_servers(tmp_path: Path) -> Iterator[tuple[Path, list[str]]]:
    """Two `formwerk serve` processes sharing ``tmp_path / "var"``."""
    data_dir = tmp_path / "var"
    ports = [free_port(), free_port()]
    servers = [start_server(data_dir, port) for port in ports]
    try:
        yield data_dir, [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=10)


def run_threads(targets: list) -> None:
    failures: list[BaseException] = []

    def guarded(target) -> None:
        try:
            target()
        except BaseException as exc:  # surfaced in the main thread
            failures.append(exc)

    threads = [threading.Thread(target=guarded, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures


def test_concurrent_submissions_through_two_servers(two_servers) -> None:
    data_dir, bases = two_servers
    answers = sample()
    received: list[tuple[str, dict]] = []

    def submitter(base: str, name: str):
        def run() -> None:
            for n in range(PER_THREAD):
                result = post_submission(base, answers, f"{name}-{n}")
                assert result is not None and result[0] == 201, result
                received.append((base, result[1]))

        return run

    run_threads(
        [
            submitter(base, f"s{i}-t{t}")
            for i, base in enumerate(bases)
            for t in range(THREADS_PER_SERVER)
        ]
    )
    references = [body["reference"] for _, body in received]
    total = len(bases) * THREADS_PER_SERVER * PER_THREAD
    assert len(references) == total
    assert len(set(references)) == total, "a reference was handed out twice"
    numbers = sorted(int(re.search(r"(\d+)$", r).group(1)) for r in references)
    assert numbers == list(range(1, total + 1))  # dense
    store = open_store(data_dir)
    assert store.count(AUTHORITY) == total
    assert all(store.get_submission(r) is not None for r in references)
    # One signing key for both: a link from one server opens on the other.
    base, body = received[0]
    other = bases[1] if base == bases[0] else bases[0]
    path = body["links"]["postfach"].split("/postfach/", 1)[1]
    assert get_status(f"{other}/postfach/{path}") == 200


def test_one_key_sent_to_both_servers_at_once_is_stored_once(two_servers) -> None:
    data_dir, bases = two_servers
    answers = sample()
    results: list[tuple[int, dict]] = []

    def send(base: str):
        def run() -> None:
            result = post_submission(base, answers, "derselbe-antrag")
            assert result is not None, "no answer"
            results.append(result)

        return run

    run_threads([send(bases[i % 2]) for i in range(8)])
    assert sorted({status for status, _ in results}) in ([200, 201], [201])
    assert len({body["reference"] for _, body in results}) == 1
    assert open_store(data_dir).count(AUTHORITY) == 1


def test_one_upload_claimed_by_two_submissions_at_once_goes_to_one(two_servers) -> None:
    data_dir, bases = two_servers
    status, ref = post_file(bases[0], "impfpass.pdf", b"%PDF-1.4\nimpfpass\n%%EOF\n")
    assert status == 201, ref
    answers = {**sample("kita-anmeldung"), "masernschutz": ref}
    results: list[tuple[int, dict]] = []

    def send(base: str, key: str):
        def run() -> None:
            result = post_submission(base, answers, key, service_id="kita-anmeldung")
            assert result is not None, "no answer"
            results.append(result)

        return run

    run_threads([send(bases[i % 2], f"anderer-antrag-{i}") for i in range(8)])
    assert sorted(status for status, _ in results) == [201] + [422] * 7
    winner = next(body["reference"] for status, body in results if status == 201)
    for status, body in results:
        if status == 422:
            assert body["errors"][0]["pointer"] == "/answers/masernschutz"
    store = open_store(data_dir)
    assert store.get_attachment(ref["id"]).owner == winner
    assert store.count() == 1
