"""File level: atomic storage, locks, partition layout, leftovers from crashes."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest
from tinydb import TinyDB

from formwerk.store import CorruptStoreFileError, StoreError, open_store, sweep_temp_files
from formwerk.store.atomic import AtomicJSONStorage, file_lock, read_json, write_json
from tests.store._testlib import FakeClock, load_every_file, new_submission


def test_storage_reads_missing_file_as_empty(tmp_path: Path) -> None:
    storage = AtomicJSONStorage(tmp_path / "absent.json")
    assert storage.read() is None
    assert not (tmp_path / "absent.json").exists()  # reading creates nothing
    with TinyDB(tmp_path / "absent.json", storage=AtomicJSONStorage) as db:
        assert db.table("t").all() == []


def test_storage_roundtrip_leaves_no_temp_files(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "db.json"
    with TinyDB(path, storage=AtomicJSONStorage) as db:
        db.table("t").insert({"name": "Jürgen ✓"})
        db.table("t").insert({"name": "Zoë"})
    assert sorted(p.name for p in path.parent.iterdir()) == ["db.json"]
    assert "Jürgen ✓" in path.read_text(encoding="utf-8")  # readable UTF-8, not \u escapes
    with TinyDB(path, storage=AtomicJSONStorage) as db:
        assert [d["name"] for d in db.table("t").all()] == ["Jürgen ✓", "Zoë"]


@pytest.mark.parametrize("content", [b"", b'{"submissions": {"1": {', b"\xff\xfe", b"[1, 2]"])
def test_corrupt_file_raises_a_clear_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "db.json"
    path.write_bytes(content)
    with pytest.raises(CorruptStoreFileError, match=str(path)):
        AtomicJSONStorage(path).read()


def test_corrupt_partition_is_reported_not_overwritten(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    ref = store.add_submission(new_submission("corrupt-key-0001")).reference
    path = store.block_path("LKH", 2026, 1)
    path.write_bytes(b'{"submissions": {"1": {"refer')  # damaged outside formwerk
    with pytest.raises(CorruptStoreFileError):
        store.get_submission(ref)
    with pytest.raises(CorruptStoreFileError):
        store.add_submission(new_submission("corrupt-key-0002"))
    assert path.read_bytes() == b'{"submissions": {"1": {"refer'  # evidence kept


def test_failed_serialisation_leaves_old_file_intact(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    write_json(path, {"ok": 1})
    with pytest.raises(ValueError):
        write_json(path, {"bad": float("nan")})
    assert read_json(path) == {"ok": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]


def test_temp_files_from_a_crash_do_not_break_loading(tmp_path: Path) -> None:
    clock = FakeClock()
    store = open_store(tmp_path, clock=clock)
    first = store.add_submission(new_submission("temp-key-000001"))
    block = store.block_path("LKH", 2026, 1)
    # What a writer killed mid-write leaves behind: half a temp file, maybe an empty one.
    (block.parent / f".{block.name}.4242.0badf00d.tmp").write_bytes(block.read_bytes()[:17])
    (block.parent / f".{block.name}.4243.deadbeef.tmp").write_bytes(b"")
    keys = store.data_dir / "idempotency"
    (keys / ".00.json.4242.0badf00d.tmp").write_bytes(b'{"keys": {"1": {"ke')

    fresh = open_store(tmp_path, clock=clock)
    assert fresh.get_submission(first.reference) == first
    assert fresh.count() == 1
    assert fresh.list_submissions("landkreis-heideland") == [first]
    second = fresh.add_submission(new_submission("temp-key-000002"))
    assert second.reference == "LKH-2026-000002"
    assert load_every_file(tmp_path) > 0


def test_sweep_removes_only_old_temp_files(tmp_path: Path) -> None:
    old = tmp_path / "a" / ".0000.json.1.0badf00d.tmp"
    young = tmp_path / ".x.json.2.deadbeef.tmp"
    keep = tmp_path / "a" / "0000.json"
    old.parent.mkdir()
    for path in (old, young, keep):
        path.write_text("x")
    past = time.time() - 7200
    os.utime(old, (past, past))
    os.utime(keep, (past, past))
    assert sweep_temp_files(tmp_path, max_age_seconds=3600) == 1
    assert not old.exists() and young.exists() and keep.exists()


def test_partition_layout(tmp_path: Path) -> None:
    store = open_store(tmp_path, block_size=10)
    refs = [store.add_submission(new_submission(f"layout-{i:08d}")).reference for i in range(25)]
    store.add_submission(
        new_submission("layout-swf-0001", authority="stadt-wiesenfeld", prefix="SWF")
    )

    year_dir = tmp_path / "submissions" / "LKH" / "2026"
    assert sorted(p.name for p in year_dir.iterdir()) == ["0000.json", "0001.json", "0002.json"]
    with TinyDB(year_dir / "0001.json", access_mode="r") as db:
        assert sorted(d.doc_id for d in db.table("submissions").all()) == list(range(11, 21))
    # the partition is a pure function of the reference
    assert store.block_path("LKH", 2026, 10).name == "0000.json"
    assert store.block_path("LKH", 2026, 11).name == "0001.json"
    assert refs[-1] == "LKH-2026-000025"
    assert (tmp_path / "submissions" / "SWF" / "2026" / "0000.json").is_file()
    assert json.loads((tmp_path / "registry.json").read_text()) == {
        "prefixes": {"LKH": "landkreis-heideland", "SWF": "stadt-wiesenfeld"}
    }
    key_files = list((tmp_path / "idempotency").glob("*.json"))
    assert key_files and all(len(p.stem) == 3 for p in key_files)
    assert load_every_file(tmp_path) == 1 + 1 + 3 + 1 + len(key_files)


def test_block_size_is_fixed_per_data_dir(tmp_path: Path) -> None:
    open_store(tmp_path, block_size=10)
    assert open_store(tmp_path).block_size == 10
    with pytest.raises(StoreError):
        open_store(tmp_path, block_size=100)
    assert open_store(tmp_path / "fresh").block_size == 100


def test_file_lock_serialises_read_modify_write(tmp_path: Path) -> None:
    """Threads hold separate open file descriptions, so flock excludes them too."""
    counter = tmp_path / "counter.json"
    write_json(counter, {"n": 0})

    def bump() -> None:
        for _ in range(100):
            with file_lock(tmp_path / "counter.lock"):
                value = read_json(counter)["n"]
                write_json(counter, {"n": value + 1})

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert read_json(counter) == {"n": 400}
