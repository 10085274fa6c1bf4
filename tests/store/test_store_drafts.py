"""Drafts and attachment metadata."""

from __future__ import annotations

import multiprocessing
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from formwerk.store import (
    AttachmentMeta,
    CorruptStoreFileError,
    DuplicateAttachmentError,
    InvalidIdentifierError,
    TinyDBStore,
    open_store,
)
from tests.store._testlib import SHA, FakeClock

DRAFT = "Zq3v0bYk2dTn8sLw4xEa1g"
OTHER = "Pp7mW2cR9fJs5hKd3uVb6n"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> TinyDBStore:
    return open_store(tmp_path / "data", clock=clock)


def attachment(att_id: str, owner: str = DRAFT, name: str = "Foto.jpg") -> AttachmentMeta:
    return AttachmentMeta(
        id=att_id, owner=owner, name=name, mediaType="image/jpeg", size=99, sha256=SHA
    )


def test_draft_crud(store: TinyDBStore, clock: FakeClock) -> None:
    assert store.get_draft(DRAFT) is None
    first = store.save_draft(DRAFT, "meldebescheinigung", {"vorname": "Ädá"}, "person")
    assert store.get_draft(DRAFT) == first
    assert (store.data_dir / "drafts.sqlite").is_file()

    clock.advance(minutes=5)
    second = store.save_draft(DRAFT, "meldebescheinigung", {"vorname": "Ada"}, "anschrift")
    assert second.created_at == first.created_at  # kept from the first save
    assert second.updated_at == clock.now
    assert store.get_draft(DRAFT) == second
    assert second.data == {"vorname": "Ada"} and second.step == "anschrift"

    assert store.delete_draft(DRAFT) is True
    assert store.delete_draft(DRAFT) is False
    assert store.get_draft(DRAFT) is None


@pytest.mark.parametrize(
    "bad_id", ["../../registry", "short", "a/b" * 10, "x" * 200, "ok-but-with space-x", ""]
)
def test_draft_ids_are_never_paths(store: TinyDBStore, bad_id: str) -> None:
    with pytest.raises(InvalidIdentifierError):
        store.save_draft(bad_id, "meldebescheinigung", {}, "start")
    assert store.get_draft(bad_id) is None
    assert store.delete_draft(bad_id) is False
    assert not (store.data_dir / "registry.json").exists()


def test_draft_data_must_be_json(store: TinyDBStore) -> None:
    with pytest.raises(ValidationError):
        store.save_draft(DRAFT, "meldebescheinigung", {"x": float("inf")}, "start")
    assert store.get_draft(DRAFT) is None


def test_list_expired_drafts(store: TinyDBStore, clock: FakeClock) -> None:
    start = clock.now
    store.save_draft(DRAFT, "meldebescheinigung", {}, "start")
    clock.advance(days=10)
    store.save_draft(OTHER, "hundesteuer", {}, "start")

    expired = store.list_expired_drafts(start + timedelta(days=5))
    assert [d.draft_id for d in expired] == [DRAFT]
    assert store.list_expired_drafts(start) == []
    both = store.list_expired_drafts(clock.now + timedelta(seconds=1))
    assert [d.draft_id for d in both] == [DRAFT, OTHER]  # oldest first

    clock.advance(days=10)  # the citizen comes back: saving refreshes the draft
    store.save_draft(DRAFT, "meldebescheinigung", {"weiter": True}, "anschrift")
    assert [d.draft_id for d in store.list_expired_drafts(start + timedelta(days=15))] == [OTHER]
    with pytest.raises(ValueError):
        store.list_expired_drafts(start.replace(tzinfo=None))


def test_list_expired_drafts_on_empty_store(store: TinyDBStore, clock: FakeClock) -> None:
    assert store.list_expired_drafts(clock.now) == []


def test_attachment_crud(store: TinyDBStore, clock: FakeClock) -> None:
    a = store.add_attachment(attachment("att_" + "a" * 20, name="Ausweis.pdf"))
    b = store.add_attachment(attachment("att_" + "b" * 20))
    c = store.add_attachment(attachment("att_" + "c" * 20, owner="LKH-2026-000001"))

    assert store.get_attachment(a.id) == a
    assert store.get_attachment("att_" + "z" * 20) is None
    assert store.get_attachment("../../formwerk-store") is None
    assert store.list_attachments(DRAFT) == [a, b]
    assert store.list_attachments("LKH-2026-000001") == [c]
    assert store.list_attachments(OTHER) == []
    assert store.list_attachments("../x") == []

    assert store.delete_attachment(a.id) is True
    assert store.delete_attachment(a.id) is False
    assert store.get_attachment(a.id) is None
    assert store.list_attachments(DRAFT) == [b]


def test_attachment_ids_are_unique(store: TinyDBStore) -> None:
    store.add_attachment(attachment("att_" + "a" * 20))
    with pytest.raises(DuplicateAttachmentError):
        store.add_attachment(attachment("att_" + "a" * 20, name="anders.pdf"))
    assert len(store.list_attachments(DRAFT)) == 1


def test_attachment_validation(store: TinyDBStore) -> None:
    with pytest.raises(InvalidIdentifierError):
        store.add_attachment(attachment("att_" + "a" * 20, owner="../../etc"))
    with pytest.raises(ValidationError):
        attachment("../../evil")
    with pytest.raises(ValidationError):
        AttachmentMeta(
            id="att_" + "a" * 20, owner=DRAFT, name="x", mediaType="a/b", size=0, sha256=SHA
        )


def test_each_get_hands_out_answers_of_its_own(store: TinyDBStore) -> None:
    store.save_draft(DRAFT, "hundesteuer", {"hunde": [{"name": "Bello"}]}, "hunde")
    first = store.get_draft(DRAFT)
    assert first is not None
    first.data["hunde"].append({"name": "Fiffi"})  # the flow changes what it loaded
    again = store.get_draft(DRAFT)
    assert again is not None and again.data == {"hunde": [{"name": "Bello"}]}


def test_draft_files_from_before_move_into_the_table(tmp_path: Path, clock: FakeClock) -> None:
    """Drafts were once kept as drafts/{id}.json: opening the store takes them over."""
    data_dir = tmp_path / "data"
    open_store(data_dir, clock=clock)
    legacy = data_dir / "drafts"
    legacy.mkdir()
    created = clock.now.isoformat()
    (legacy / f"{DRAFT}.json").write_text(
        f'{{"draft_id": "{DRAFT}", "service_id": "hundesteuer", "data": {{"x": "ä"}},'
        f' "step": "halter", "created_at": "{created}", "updated_at": "{created}"}}'
    )
    (legacy / f"{OTHER}.json").write_text("{torn")  # damaged: left for a person to see

    store = open_store(data_dir, clock=clock)
    draft = store.get_draft(DRAFT)
    assert draft is not None and draft.data == {"x": "ä"} and draft.created_at == clock.now
    assert not (legacy / f"{DRAFT}.json").exists()
    assert (legacy / f"{OTHER}.json").exists() and store.get_draft(OTHER) is None


def test_a_damaged_draft_database_is_named(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "drafts.sqlite").write_bytes(b"this is no database" * 100)
    with pytest.raises(CorruptStoreFileError, match=r"drafts\.sqlite"):
        open_store(data_dir)


def _save_drafts(data_dir: str, worker: int, count: int) -> None:
    store = open_store(Path(data_dir))
    for n in range(count):
        draft_id = f"worker{worker}draft{n:04d}xx"
        store.save_draft(draft_id, "hundesteuer", {"n": n}, "halter")
        store.save_draft(draft_id, "hundesteuer", {"n": n, "weiter": True}, "hunde")


def test_processes_saving_drafts_at_once_lose_none(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    open_store(data_dir)
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_save_drafts, args=(str(data_dir), w, 150)) for w in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    store = open_store(data_dir)
    for w in range(3):
        for n in range(150):
            draft = store.get_draft(f"worker{w}draft{n:04d}xx")
            assert draft is not None and draft.data == {"n": n, "weiter": True}


@pytest.mark.parametrize(
    "data",
    [{"x": float("nan")}, {1: "number as name"}, {"x": "\ud800"}, {"x": {1, 2}}],
    ids=["nan", "int key", "lone surrogate", "set"],
)
def test_answers_json_cannot_hold_are_refused(store: TinyDBStore, data: dict) -> None:
    with pytest.raises(ValidationError):
        store.save_draft(DRAFT, "hundesteuer", data, "halter")
    assert store.get_draft(DRAFT) is None


def test_a_bad_service_id_or_step_is_refused(store: TinyDBStore) -> None:
    with pytest.raises(ValidationError):
        store.save_draft(DRAFT, "Hunde Steuer", {}, "halter")
    with pytest.raises(ValidationError):
        store.save_draft(DRAFT, "hundesteuer", {}, "x" * 81)
    assert store.get_draft(DRAFT) is None


def test_any_mapping_of_answers_is_stored_as_a_dict(store: TinyDBStore) -> None:
    from types import MappingProxyType

    saved = store.save_draft(DRAFT, "hundesteuer", MappingProxyType({"a": 1}), "halter")  # type: ignore[arg-type]
    assert saved.data == {"a": 1} and store.get_draft(DRAFT) == saved
