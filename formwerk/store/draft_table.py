"""Drafts as rows of one SQLite table (``drafts.sqlite``, Python's own sqlite3).

A draft is saved on every step of every form, so its store is the busiest part of the
portal. One JSON file per draft, replaced by rename, cost a forced write-back on ext4
(``auto_da_alloc``) with every save: some 100 µs each, and far more under sustained
load. An SQLite table in WAL mode does the same job in about ten:

* every save is one atomic statement: a reader sees the old or the new draft, never a
  mix, and a crash of the process loses nothing (the WAL is in the page cache);
* several worker processes share the file; SQLite's own locking orders their writes;
* ``synchronous=NORMAL``: commits are not fsynced one by one, so a power loss may lose
  the last saves of a draft and a citizen may have to enter a step again. Submissions do
  not depend on drafts: they are stored durably, once per application key, before the
  citizen is told they arrived.

Times are whole microseconds since the epoch. There is deliberately no index on them: it
would double the pages every save writes (the WAL's volume is what a busy portal pays
for), while expiry runs once an hour in a thread of its own and can read the table.
"""

from __future__ import annotations

import contextlib
import json
import marshal
import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from formwerk.store.atomic import (
    CorruptStoreFileError,
    ensure_dir,
    read_json_object,
    remove_file,
)
from formwerk.store.base import Draft, InvalidIdentifierError, is_valid_draft_id

#: Drafts whose rows were validated lately, per process (see ``DraftTable._row_draft``).
RECENT_DRAFTS = 2048
#: How long a writer waits for another process's write before giving up.
BUSY_TIMEOUT_MS = 10_000

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SCHEMA = """
create table if not exists drafts (
    id text primary key,
    body text not null,          -- {"service_id", "step", "data"} as JSON
    created_us integer not null,
    updated_us integer not null
);
drop index if exists drafts_by_update;  -- there was one: see the module docstring
"""
_GET = "select body, created_us, updated_us from drafts where id = ?"
_SAVE = """
insert into drafts (id, body, created_us, updated_us) values (?, ?, ?, ?)
on conflict (id) do update set body = excluded.body, updated_us = excluded.updated_us
returning created_us
"""

Row = tuple[str, int, int]  # body, created_us, updated_us


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _moment(micros: int) -> datetime:
    return _EPOCH + timedelta(microseconds=micros)


class DraftTable:
    """Drafts in ``path`` (an SQLite database); ``legacy_dir`` holds drafts as JSON files
    from before, which are moved into the table when it is first opened."""

    def __init__(self, path: Path, legacy_dir: Path, now: Callable[[], datetime]) -> None:
        self.path = path
        self._legacy_dir = legacy_dir
        self._now = now
        self._local = threading.local()  # a connection per thread and process
        # row → validated draft, by id: validating the same row again is most of the cost
        # of loading a draft. The row is still read each time (other workers write it
        # too), so a hit is exact, never stale.
        self._recent: OrderedDict[str, tuple[Row, Draft, Frozen]] = OrderedDict()
        self._recent_lock = threading.Lock()
        self._db()  # the table exists (and old draft files are in it) once the store is open
        os.register_at_fork(after_in_child=self._forget_connections)

    # -- the connection

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:  # a new thread (or a forked worker: see _forget_connections)
            db = self._local.db = self._connect()
        return db

    def _forget_connections(self) -> None:
        # SQLite connections must not cross a fork: the child opens its own.
        self._local = threading.local()

    def _connect(self) -> sqlite3.Connection:
        ensure_dir(self.path.parent)
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            db.execute(f"pragma busy_timeout = {BUSY_TIMEOUT_MS}")
            db.execute("pragma journal_mode = wal")
            db.execute("pragma synchronous = normal")
            db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            db.close()
            raise CorruptStoreFileError(self.path, str(exc)) from exc
        with contextlib.suppress(OSError):
            os.chmod(self.path, 0o600)  # personal data: readable by the service user only
        self._adopt_legacy_files(db)
        return db

    def _run(self, sql: str, parameters: tuple[Any, ...]) -> sqlite3.Cursor:
        try:
            return self._db().execute(sql, parameters)
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                raise  # contention beyond the timeout: not damage
            raise CorruptStoreFileError(self.path, str(exc)) from exc

    def _adopt_legacy_files(self, db: sqlite3.Connection) -> None:
        """Move drafts kept as ``{id}.json`` files (before drafts.sqlite) into the table."""
        try:
            entries = list(os.scandir(self._legacy_dir))
        except FileNotFoundError:
            return
        for entry in entries:
            stem, dot, ext = entry.name.rpartition(".")
            if not dot or ext != "json" or not is_valid_draft_id(stem):
                continue
            try:
                raw = read_json_object(Path(entry.path))
                draft = None if raw is None else Draft.model_validate(raw)
            except (CorruptStoreFileError, ValueError):
                continue  # left where it is, for a person to look at
            if draft is not None:
                db.execute(
                    "insert or ignore into drafts values (?, ?, ?, ?)",
                    (stem, _body(draft), _micros(draft.created_at), _micros(draft.updated_at)),
                )
            remove_file(Path(entry.path))

    # -- the Store's draft operations

    def save(self, draft_id: str, service_id: str, data: dict[str, Any], step: str) -> Draft:
        """Create or replace a draft, keeping ``created_at`` of an existing one."""
        if not is_valid_draft_id(draft_id):
            raise InvalidIdentifierError(f"invalid draft id {draft_id!r}")
        now = self._now()
        # Validated before it is written: data JSON cannot hold never reaches the table.
        _check_head(service_id, step)
        try:
            # Serialising the answers is the check that JSON can hold them (what Draft's
            # JsonDict does), so the body is made and the data checked in one pass.
            body = _dumps({"service_id": service_id, "step": step, "data": data})
            if not all(type(key) is str for key in data):
                raise TypeError("answer names must be strings")
        except (TypeError, ValueError):
            # Draft names the problem (ValidationError), or turns what it accepts (another
            # kind of mapping, say) into what it stores.
            body = _body(
                Draft(
                    draft_id=draft_id,
                    service_id=service_id,
                    data=data,
                    step=step,
                    created_at=now,
                    updated_at=now,
                )
            )
            data = json.loads(body)["data"]
        updated = _micros(now)
        ((created,),) = self._run(_SAVE, (draft_id, body, updated, updated)).fetchall()
        draft = Draft.model_construct(
            draft_id=draft_id,
            service_id=service_id,
            data=data,
            step=step,
            created_at=_moment(created),
            updated_at=now,
        )
        self._remember(draft_id, (body, created, updated), draft)
        return draft

    def get(self, draft_id: str) -> Draft | None:
        """Return the draft or None; a malformed id is simply not found."""
        if not is_valid_draft_id(draft_id):
            return None
        row = self._run(_GET, (draft_id,)).fetchone()
        if row is None:
            return None
        draft, frozen = self._row_draft(draft_id, row)
        # The caller gets answers of its own to change: the draft may be remembered.
        return draft.model_copy(update={"data": frozen.thaw()})

    def delete(self, draft_id: str) -> bool:
        """Delete the draft; return whether it existed."""
        if not is_valid_draft_id(draft_id):
            return False
        with self._recent_lock:
            self._recent.pop(draft_id, None)
        return self._run("delete from drafts where id = ?", (draft_id,)).rowcount > 0

    def list_expired(self, older_than: datetime) -> list[Draft]:
        """Return drafts whose ``updated_at`` is before ``older_than``, oldest first."""
        if older_than.tzinfo is None:
            raise ValueError("older_than must be timezone-aware")
        rows = self._run(
            "select id, body, created_us, updated_us from drafts"
            " where updated_us < ? order by updated_us, id",
            (_micros(older_than),),
        ).fetchall()
        drafts = [self._row_draft(draft_id, tuple(row)) for draft_id, *row in rows]
        return [draft.model_copy(update={"data": frozen.thaw()}) for draft, frozen in drafts]

    # -- rows and drafts

    def _row_draft(self, draft_id: str, row: Row) -> tuple[Draft, Frozen]:
        """The draft of a row and its data frozen. The draft is shared with ``_recent``
        (and its data with whoever saved it), so callers hand out thawed copies."""
        with self._recent_lock:
            recent = self._recent.get(draft_id)
        if recent is not None and recent[0] == row:
            return recent[1], recent[2]  # the same row was validated before
        body, created, updated = row
        try:
            fields = json.loads(body)
            draft = Draft.model_validate(
                {
                    **fields,
                    "draft_id": draft_id,
                    "created_at": _moment(created),
                    "updated_at": _moment(updated),
                }
            )
        except ValueError as exc:  # not JSON, or not a draft: changed outside formwerk
            raise CorruptStoreFileError(self.path, f"draft {draft_id}: {exc}") from exc
        return draft, self._remember(draft_id, row, draft)

    def _remember(self, draft_id: str, row: Row, draft: Draft) -> Frozen:
        frozen = Frozen(draft.data)
        with self._recent_lock:
            self._recent[draft_id] = (row, draft, frozen)
            self._recent.move_to_end(draft_id)
            while len(self._recent) > RECENT_DRAFTS:
                self._recent.popitem(last=False)
        return frozen


class Frozen:
    """A snapshot of JSON data that gives out deep copies of itself.

    Answers are mostly strings and numbers at the top level: those are shared by a
    plain dict copy, and only the nested groups and lists are copied deeply (by
    ``marshal``, the quickest deep copy of JSON data in Python).
    """

    __slots__ = ("nested", "top")

    def __init__(self, data: dict[str, Any]) -> None:
        self.top = dict(data)
        self.nested = {
            key: marshal.dumps(value) for key, value in data.items() if type(value) in (dict, list)
        }

    def thaw(self) -> dict[str, Any]:
        """A copy the caller may change at any depth."""
        copy = dict(self.top)
        for key, frozen in self.nested.items():
            copy[key] = marshal.loads(frozen)
        return copy


def _dumps(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    text.encode("utf-8")  # a lone surrogate cannot be stored either
    return text


@lru_cache(maxsize=1024)
def _check_head(service_id: str, step: str) -> None:
    """Raise ValidationError unless a draft may carry this service id and step (checked
    once per pair: there are few, and every save of a draft repeats them)."""
    Draft(
        draft_id="x" * 16,
        service_id=service_id,
        data={},
        step=step,
        created_at=_EPOCH,
        updated_at=_EPOCH,
    )


def _body(draft: Draft) -> str:
    # Validated already (JsonDict: JSON can hold it), so pydantic's serializer is safe.
    return draft.model_dump_json(include={"service_id", "step", "data"})
