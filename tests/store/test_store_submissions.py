"""Submissions: CRUD, reference numbers, idempotency, status history, listing."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError
from tinydb import TinyDB

from formwerk.store import (
    IdempotencyConflictError,
    ReferencePrefixConflictError,
    Store,
    StoreError,
    SubmissionNotFoundError,
    SubmissionStatus,
    TinyDBStore,
    open_store,
)
from tests.store._testlib import FakeClock, new_submission

KEY = "draft-0123456789abcdef"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> TinyDBStore:
    return open_store(tmp_path / "data", clock=clock)


def test_store_implements_the_protocol(store: TinyDBStore) -> None:
    assert isinstance(store, Store)


def test_add_and_get_roundtrip(store: TinyDBStore, clock: FakeClock) -> None:
    record = new_submission(KEY)
    submission = store.add_submission(record)

    assert submission.reference == "LKH-2026-000001"
    assert submission.status is SubmissionStatus.EINGEGANGEN
    assert submission.created_at == submission.updated_at == clock.now
    assert submission.created_at.tzinfo is UTC
    assert [c.status for c in submission.status_history] == [SubmissionStatus.EINGEGANGEN]
    assert submission.answers == record.answers
    assert submission.attachments == record.attachments
    assert submission.attachments[0].media_type == "application/pdf"
    assert store.get_submission(submission.reference) == submission
    assert store.count() == 1


def test_timestamps_are_stored_as_iso_strings(store: TinyDBStore) -> None:
    store.add_submission(new_submission(KEY))
    path = store.block_path("LKH", 2026, 1)
    with TinyDB(path, access_mode="r") as db:
        doc = db.table("submissions").get(doc_id=1)
    assert doc is not None
    assert datetime.fromisoformat(doc["created_at"]) == datetime(2026, 3, 1, 9, tzinfo=UTC)
    assert doc["attachments"][0]["mediaType"] == "application/pdf"


@pytest.mark.parametrize(
    "reference",
    ["", "LKH-2026-000002", "LKH-2026-0000001", "lkh-2026-000001", "../../etc/passwd",
     "LKH-2026-000000", "XY-2026-000001", "LKH-1999-000001"],
)  # fmt: skip
def test_unknown_or_malformed_references_are_not_found(store: TinyDBStore, reference: str) -> None:
    store.add_submission(new_submission(KEY))
    assert store.get_submission(reference) is None


def test_reference_format_and_sequences_per_authority(store: TinyDBStore) -> None:
    refs = [store.add_submission(new_submission(f"lkh-key-{i:04d}")).reference for i in range(3)]
    other = [
        store.add_submission(
            new_submission(f"swf-key-{i:04d}", authority="stadt-wiesenfeld", prefix="SWF")
        ).reference
        for i in range(2)
    ]
    assert refs == ["LKH-2026-000001", "LKH-2026-000002", "LKH-2026-000003"]
    assert other == ["SWF-2026-000001", "SWF-2026-000002"]
    assert all(re.fullmatch(r"[A-Z]{2,5}-\d{4}-\d{6}", r) for r in refs + other)
    assert store.count() == 5
    assert store.count("landkreis-heideland") == 3
    assert store.count("stadt-wiesenfeld") == 2
    assert store.count("unbekannt") == 0


def test_sequence_restarts_each_year(store: TinyDBStore, clock: FakeClock) -> None:
    clock.now = datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert store.add_submission(new_submission("year-key-0001")).reference == "LKH-2026-000001"
    clock.advance(seconds=2)
    assert store.add_submission(new_submission("year-key-0002")).reference == "LKH-2027-000001"
    assert store.add_submission(new_submission("year-key-0003")).reference == "LKH-2027-000002"
    assert store.count() == 3


def test_reference_year_follows_configured_timezone(tmp_path: Path) -> None:
    clock = FakeClock(datetime(2026, 12, 31, 23, 30, tzinfo=UTC))  # 00:30 in Berlin
    store = open_store(tmp_path, clock=clock, reference_tz=ZoneInfo("Europe/Berlin"))
    assert store.add_submission(new_submission(KEY)).reference == "LKH-2027-000001"


def test_prefix_cannot_be_shared_by_two_authorities(store: TinyDBStore) -> None:
    store.add_submission(new_submission(KEY))
    with pytest.raises(ReferencePrefixConflictError):
        store.add_submission(new_submission("other-key-0001", authority="stadt-wiesenfeld"))
    # also seen by a second process (fresh instance without the in-memory cache)
    fresh = open_store(store.data_dir)
    with pytest.raises(ReferencePrefixConflictError):
        fresh.add_submission(new_submission("other-key-0002", authority="stadt-wiesenfeld"))


def test_idempotency_returns_first_submission(store: TinyDBStore, clock: FakeClock) -> None:
    first = store.add_submission(new_submission(KEY, answers={"a": 1}))
    clock.advance(seconds=3)
    again = store.add_submission(new_submission(KEY, answers={"a": 2}))
    assert again == first
    assert store.count() == 1
    assert store.find_by_idempotency_key(KEY) == first
    assert store.find_by_idempotency_key("never-used-key") is None


def test_idempotency_key_for_other_service_is_a_conflict(store: TinyDBStore) -> None:
    store.add_submission(new_submission(KEY))
    with pytest.raises(IdempotencyConflictError):
        store.add_submission(new_submission(KEY, service="hundesteuer"))


def test_stale_key_entry_from_a_crash_is_ignored(store: TinyDBStore) -> None:
    """A crash between writing the key entry and the submission leaves a dangling entry."""
    store.add_submission(new_submission("first-key-000001"))
    shard = store.layout.key_path("crashed-key-00001")
    with TinyDB(shard) as db:  # what the crashed process had written
        db.table("keys").insert({"key": "crashed-key-00001", "reference": "LKH-2026-000002"})
    assert store.find_by_idempotency_key("crashed-key-00001") is None
    # The number is reused for another submission: the entry now points at a foreign one.
    other = store.add_submission(new_submission("other-key-000002"))
    assert other.reference == "LKH-2026-000002"
    assert store.find_by_idempotency_key("crashed-key-00001") is None
    # The retry of the crashed submission gets its own, new number.
    retry = store.add_submission(new_submission("crashed-key-00001"))
    assert retry.reference == "LKH-2026-000003"
    assert store.find_by_idempotency_key("crashed-key-00001") == retry
    assert store.find_by_idempotency_key("other-key-000002") == other


def test_status_history(store: TinyDBStore, clock: FakeClock) -> None:
    submission = store.add_submission(new_submission(KEY))
    clock.advance(hours=1)
    store.update_status(submission.reference, SubmissionStatus.IN_BEARBEITUNG)
    clock.advance(hours=1)
    updated = store.update_status(
        submission.reference, SubmissionStatus.RUECKFRAGE, note="Bitte Ausweis nachreichen"
    )
    assert updated.status is SubmissionStatus.RUECKFRAGE
    assert updated.updated_at == clock.now
    assert updated.created_at == submission.created_at
    assert [(c.status.value, c.note) for c in updated.status_history] == [
        ("eingegangen", None),
        ("in Bearbeitung", None),
        ("Rückfrage", "Bitte Ausweis nachreichen"),
    ]
    assert store.get_submission(submission.reference) == updated


def test_update_status_of_unknown_reference(store: TinyDBStore) -> None:
    with pytest.raises(SubmissionNotFoundError):
        store.update_status("LKH-2026-000001", SubmissionStatus.ABGELEHNT)
    with pytest.raises(SubmissionNotFoundError):
        store.update_status("../x", SubmissionStatus.ABGELEHNT)


def test_list_newest_first_with_filters_and_paging(tmp_path: Path, clock: FakeClock) -> None:
    store = open_store(tmp_path, clock=clock, block_size=4)  # several blocks
    for i in range(10):
        clock.advance(minutes=1)
        service = "hundesteuer" if i % 2 else "meldebescheinigung"
        store.add_submission(new_submission(f"list-key-{i:04d}", service=service))
    store.add_submission(new_submission("swf-key-0001", authority="stadt-wiesenfeld", prefix="SWF"))
    store.update_status("LKH-2026-000003", SubmissionStatus.ABGESCHLOSSEN)

    listed = store.list_submissions("landkreis-heideland", limit=100)
    assert [s.reference[-2:] for s in listed] == ["10", "09", "08", "07", "06", "05", "04", "03",
                                                  "02", "01"]  # fmt: skip
    page = store.list_submissions("landkreis-heideland", limit=3, offset=2)
    assert [s.reference for s in page] == [s.reference for s in listed[2:5]]
    dogs = store.list_submissions("landkreis-heideland", service_id="hundesteuer")
    assert [s.reference[-1] for s in dogs] == ["0", "8", "6", "4", "2"]
    done = store.list_submissions("landkreis-heideland", status=SubmissionStatus.ABGESCHLOSSEN)
    assert [s.reference for s in done] == ["LKH-2026-000003"]
    assert store.list_submissions("stadt-wiesenfeld")[0].reference == "SWF-2026-000001"
    assert store.list_submissions("unbekannt") == []
    with pytest.raises(ValueError):
        store.list_submissions("landkreis-heideland", limit=-1)


def test_list_spans_years(store: TinyDBStore, clock: FakeClock) -> None:
    clock.now = datetime(2026, 12, 31, 12, tzinfo=UTC)
    store.add_submission(new_submission("span-key-00001"))
    clock.now = datetime(2027, 1, 2, 12, tzinfo=UTC)
    store.add_submission(new_submission("span-key-00002"))
    refs = [s.reference for s in store.list_submissions("landkreis-heideland")]
    assert refs == ["LKH-2027-000001", "LKH-2026-000001"]


def test_invalid_records_are_rejected_before_storage(store: TinyDBStore) -> None:
    with pytest.raises(ValidationError):
        new_submission(KEY, answers={"x": float("nan")})
    with pytest.raises(ValidationError):
        new_submission(KEY, answers={"x": "\ud800"})  # lone surrogate: not UTF-8 encodable
    with pytest.raises(ValidationError):
        new_submission(KEY, prefix="lkh")
    with pytest.raises(ValidationError):
        new_submission(KEY, authority="../evil")
    assert store.count() == 0


def test_naive_clock_is_refused(tmp_path: Path) -> None:
    store = open_store(tmp_path, clock=lambda: datetime(2026, 1, 1))
    with pytest.raises(StoreError):
        store.add_submission(new_submission(KEY))


def test_import_submissions_continues_sequence(tmp_path: Path) -> None:
    source = open_store(tmp_path / "a", block_size=10)
    made = [source.add_submission(new_submission(f"imp-key-{i:05d}")) for i in range(25)]
    target = open_store(tmp_path / "b", block_size=10)
    assert target.import_submissions(made[:20]) == 20
    with pytest.raises(ValueError):
        target.import_submissions(made[21:])  # gap: 21 is missing
    assert target.import_submissions(made[20:]) == 5
    assert target.count() == 25
    assert target.get_submission(made[13].reference) == made[13]
    assert target.find_by_idempotency_key("imp-key-00024") == made[24]
    assert target.add_submission(new_submission("new-key-000001")).reference.endswith("000026")
