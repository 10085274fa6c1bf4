"""Content-addressed blob storage: put, dedupe, open, delete, sweep, strict ids."""

from __future__ import annotations

import hashlib
import os
import stat
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from formwerk.blobs import BlobStore, InvalidBlobIdError, check_sha256

DAY = 86400


@pytest.fixture
def store(tmp_path: Path) -> BlobStore:
    return BlobStore(tmp_path / "var" / "blobs")


def temp_file(store: BlobStore, content: bytes, name: str = "upload-1.part") -> Path:
    store.incoming_dir.mkdir(parents=True, exist_ok=True)
    path = store.incoming_dir / name
    path.write_bytes(content)
    return path


def read(store: BlobStore, sha: str) -> bytes:
    with store.open(sha) as blob:
        return blob.read()


def age(path: Path, seconds: float) -> None:
    past = time.time() - seconds
    os.utime(path, (past, past))


def test_put_moves_the_file_into_its_content_address(store: BlobStore) -> None:
    content = b"%PDF-1.7 Einkommensnachweis"
    tmp = temp_file(store, content)
    sha = store.put_file(tmp)
    assert sha == hashlib.sha256(content).hexdigest()
    assert not tmp.exists()  # moved, not copied
    assert store.path(sha) == store.root / sha[:2] / sha[2:4] / sha
    assert store.exists(sha)
    with store.open(sha) as blob:
        assert blob.read() == content
    # Personal data: only the service user may read it.
    assert stat.S_IMODE(store.path(sha).stat().st_mode) == 0o600
    assert stat.S_IMODE(store.path(sha).parent.stat().st_mode) == 0o700


def test_identical_content_is_stored_once(store: BlobStore) -> None:
    first = store.put_file(temp_file(store, b"Masernschutz", "a.part"))
    inode = store.path(first).stat().st_ino
    age(store.path(first), 3 * DAY)
    second_tmp = temp_file(store, b"Masernschutz", "b.part")
    second = store.put_file(second_tmp)
    assert first == second
    assert not second_tmp.exists()
    assert store.path(first).stat().st_ino == inode  # the stored file was not replaced
    assert list(store) == [first]
    # Refreshed, so a sweep cannot take it before the new reference is recorded.
    assert store.path(first).stat().st_mtime > time.time() - 60


def test_put_from_another_folder_and_put_bytes(store: BlobStore, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.part"
    elsewhere.write_bytes(b"scan")
    sha = store.put_file(elsewhere)
    assert read(store, sha) == b"scan"
    assert store.put_bytes(b"scan") == sha
    other = store.put_bytes(b"Quittung")
    assert sorted(store) == sorted([sha, other])
    assert list(store.incoming_dir.iterdir()) == []


def test_put_across_file_systems_copies(
    store: BlobStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_replace = os.replace
    calls: list[str] = []

    def replace(src: str | Path, dst: str | Path) -> None:
        # The first rename (from the temp file) fails like a rename across devices.
        calls.append(str(src))
        if len(calls) == 1:
            raise OSError(18, "Invalid cross-device link")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    tmp = temp_file(store, b"auf einem anderen Laufwerk")
    sha = store.put_file(tmp)
    assert not tmp.exists()
    assert read(store, sha) == b"auf einem anderen Laufwerk"
    assert [p.name for p in store.path(sha).parent.iterdir()] == [sha]  # no temp left


def test_open_missing_blob(store: BlobStore) -> None:
    with pytest.raises(FileNotFoundError):
        store.open("0" * 64)
    assert not store.exists("0" * 64)


def test_delete(store: BlobStore) -> None:
    sha = store.put_bytes(b"weg damit")
    assert store.delete(sha) is True
    assert not store.exists(sha)
    assert store.delete(sha) is False


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "../../etc/passwd",
        "a" * 63,
        "a" * 65,
        "A" * 64,  # upper case is not how ids are written
        "a" * 64 + "\n",  # "$" in a regex would let this through
        "a" * 62 + "/x",
        "g" * 64,
        "../" + "a" * 61,
        None,
        123,
    ],
)
def test_ids_are_validated_strictly(store: BlobStore, bad: object) -> None:
    for method in (store.path, store.exists, store.open, store.delete, check_sha256):
        with pytest.raises(InvalidBlobIdError):
            method(bad)  # type: ignore[operator]


def test_sweep_deletes_only_old_unreferenced_blobs(store: BlobStore) -> None:
    kept = store.put_bytes(b"referenced")
    old = store.put_bytes(b"abandoned draft")
    fresh = store.put_bytes(b"uploaded a moment ago")
    for sha in (kept, old):
        age(store.path(sha), 3 * DAY)
    cutoff = datetime.now(UTC) - timedelta(days=1)
    assert store.sweep({kept}, older_than=cutoff) == 1
    assert sorted(store) == sorted([kept, fresh])
    assert store.sweep({kept}, older_than=cutoff) == 0


def test_sweep_removes_stale_temporary_files(store: BlobStore) -> None:
    sha = store.put_bytes(b"x")
    crashed = store.path(sha).parent / f".{sha}.dead.tmp"
    crashed.write_bytes(b"half")
    stale_upload = temp_file(store, b"half an upload", "upload-stale.part")
    running_upload = temp_file(store, b"an upload in progress", "upload-now.part")
    for path in (crashed, stale_upload):
        age(path, 3 * DAY)
    stranger = store.root / "README"
    stranger.write_text("not a blob")
    age(stranger, 3 * DAY)
    store.sweep({sha}, older_than=datetime.now(UTC) - timedelta(days=1))
    assert not crashed.exists()
    assert not stale_upload.exists()
    assert running_upload.exists()
    assert stranger.exists()  # sweep touches only what it recognises
    assert store.exists(sha)


def test_sweep_needs_an_aware_cutoff(store: BlobStore) -> None:
    with pytest.raises(ValueError):
        store.sweep(set(), older_than=datetime.now())


def test_sweep_of_an_empty_store(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "nothing-here")
    assert store.sweep(set(), older_than=datetime.now(UTC)) == 0
    assert list(store) == []


def test_files_that_are_not_blobs_are_ignored(store: BlobStore) -> None:
    sha = store.put_bytes(b"real")
    misplaced = "f" * 64  # a valid id in the wrong shard folder
    (store.path(sha).parent / misplaced).write_bytes(b"misplaced")
    assert list(store) == [sha]


def test_concurrent_puts_of_the_same_content(store: BlobStore) -> None:
    content = b"Meldebescheinigung" * 1000
    paths = [temp_file(store, content, f"upload-{i}.part") for i in range(8)]
    results: list[str] = []

    def put(path: Path) -> None:
        results.append(store.put_file(path))

    threads = [threading.Thread(target=put, args=(p,)) for p in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(results) == {hashlib.sha256(content).hexdigest()}
    assert list(store.incoming_dir.iterdir()) == []
    assert read(store, results[0]) == content
