"""The TinyDB implementation of ``Store``, rooted at a data directory.

The file layout and partitioning are described in ``layout.py``. This module holds the
operations and their locking and crash-safety rules:

* Reference numbers are derived from the durable data under a per-prefix-and-year lock:
  the next number is the highest stored one plus one. A number is handed out only after
  its submission was fsynced and renamed into place, so it is never handed out twice; a
  crash before that point loses only a number nobody was told. Numbers are therefore
  dense, which lets ``count`` read one file per prefix and year instead of all of them.
* Lock order is always key shard, then prefix-and-year; no lock is held twice.
* Reads take no lock: files are replaced atomically, so a reader sees a complete file.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from tinydb import Query
from tinydb.table import Document

from formwerk.store.atomic import file_lock
from formwerk.store.attachment_files import AttachmentFiles
from formwerk.store.base import (
    AttachmentMeta,
    Draft,
    IdempotencyConflictError,
    NewSubmission,
    StatusChange,
    StoreError,
    Submission,
    SubmissionNotFoundError,
    SubmissionStatus,
    format_reference,
    utc_now,
)
from formwerk.store.draft_table import DraftTable
from formwerk.store.layout import (
    KEYS_TABLE,
    SUBMISSIONS_TABLE,
    Layout,
    load_block_size,
    open_db,
    parse_reference,
)


def _to_doc(submission: Submission) -> dict[str, Any]:
    return submission.model_dump(mode="json", by_alias=True)


class TinyDBStore:
    """``Store`` on local files, safe for several worker processes sharing ``data_dir``."""

    def __init__(
        self,
        layout: Layout,
        *,
        clock: Callable[[], datetime] = utc_now,
        reference_tz: tzinfo = UTC,
    ) -> None:
        """Use ``open_store`` instead: it checks and records the partition parameters."""
        self.layout = layout
        self.data_dir = layout.data_dir
        self.block_size = layout.block_size
        self._clock = clock
        self._reference_tz = reference_tz
        self._drafts = DraftTable(
            self.data_dir / "drafts.sqlite", self.data_dir / "drafts", self._now
        )
        self._attachments = AttachmentFiles(self.data_dir / "attachments", layout.lock_dir)

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise StoreError("the store clock must return timezone-aware datetimes")
        return now.astimezone(UTC)

    def block_path(self, prefix: str, year: int, seq: int) -> Path:
        """Return the partition file that holds (or will hold) the given reference."""
        return self.layout.block_path(prefix, year, seq)

    # --- submissions ------------------------------------------------------------------------

    def add_submission(self, record: NewSubmission) -> Submission:
        """Store a submission durably and return it with its new reference number.

        If the idempotency key is known, the earlier submission is returned unchanged.
        Raises IdempotencyConflictError if that submission is for another service or
        authority, ReferencePrefixConflictError if the prefix belongs to another authority.
        """
        prefix, key = record.reference_prefix, record.idempotency_key
        self.layout.bind_prefix(prefix, record.authority_id)
        # Lock order everywhere: key shard, then prefix-and-year. Never the other way round.
        with file_lock(self.layout.key_lock(key)):
            entry = self._key_entry(key)
            existing = self._verified(entry, key)
            if existing is not None:
                if (existing.service_id, existing.authority_id) != (
                    record.service_id,
                    record.authority_id,
                ):
                    raise IdempotencyConflictError(
                        f"idempotency key already used for {existing.reference}"
                    )
                return existing
            now = self._now()
            year = now.astimezone(self._reference_tz).year
            with file_lock(self.layout.seq_lock(prefix, year)):
                seq = self.layout.max_seq(prefix, year) + 1
                reference = format_reference(prefix, year, seq)
                fields = record.model_dump(exclude={"reference_prefix"})
                submission = Submission(
                    **fields,
                    reference=reference,
                    status=SubmissionStatus.EINGEGANGEN,
                    status_history=(StatusChange(status=SubmissionStatus.EINGEGANGEN, at=now),),
                    created_at=now,
                    updated_at=now,
                )
                # Write-ahead: the key entry is durable before the submission, so every
                # stored submission is found by its key and a retry after a crash cannot
                # store it twice. An entry left by a crash points at a missing submission
                # or, once the number is reused, at one with another key: _verified
                # checks the key and ignores such entries.
                with open_db(self.layout.key_path(key)) as db:
                    keys, new_entry = db.table(KEYS_TABLE), {"key": key, "reference": reference}
                    # Not table.upsert: that writes the file twice when the key is new.
                    if entry is None:
                        keys.insert(new_entry)
                    else:
                        keys.update(new_entry, Query().key == key)
                with open_db(self.layout.block_path(prefix, year, seq)) as db:
                    # Inserting an explicit doc_id raises if it exists: a second guard
                    # against ever assigning a number twice.
                    db.table(SUBMISSIONS_TABLE).insert(Document(_to_doc(submission), seq))
        return submission

    def _key_entry(self, key: str) -> str | None:
        """The reference the key index names for ``key`` (not yet verified), or None."""
        with open_db(self.layout.key_path(key)) as db:
            entry = db.table(KEYS_TABLE).get(Query().key == key)
        return entry["reference"] if isinstance(entry, dict) else None

    def _verified(self, reference: str | None, key: str) -> Submission | None:
        """The submission at ``reference`` if it really carries ``key``."""
        submission = None if reference is None else self.get_submission(reference)
        if submission is None or submission.idempotency_key != key:
            return None  # no entry, or a stale one from a crash between the two writes
        return submission

    def get_submission(self, reference: str) -> Submission | None:
        """Return the submission or None; a malformed reference is simply not found.

        Needs no lock: files are replaced atomically, so a reader sees a complete file.
        """
        parsed = parse_reference(reference)
        if parsed is None:
            return None
        prefix, year, seq = parsed
        with open_db(self.layout.block_path(prefix, year, seq)) as db:
            doc = db.table(SUBMISSIONS_TABLE).get(doc_id=seq)
        # "LKH-2026-0000042" parses to the same seq as "LKH-2026-000042"; only the exact
        # stored reference counts.
        if doc is None or not isinstance(doc, dict) or doc.get("reference") != reference:
            return None
        return Submission.model_validate(dict(doc))

    def find_by_idempotency_key(self, key: str) -> Submission | None:
        """Return the submission stored under ``key`` (the draft id), or None."""
        return self._verified(self._key_entry(key), key)

    def _newest_first(
        self, prefix: str, status: SubmissionStatus | None, service_id: str | None
    ) -> Iterator[Submission]:
        """Yield a prefix's submissions by descending sequence, reading block by block."""
        for year in reversed(self.layout.years(prefix)):
            last = self.layout.last_block(prefix, year)
            if last is None:
                continue
            for block in range(last, -1, -1):
                docs = self.layout.read_block(prefix, year, block)
                for seq in sorted(docs, reverse=True):
                    doc = docs[seq]
                    if status is not None and doc["status"] != status.value:
                        continue
                    if service_id is not None and doc["service_id"] != service_id:
                        continue
                    yield Submission.model_validate(doc)

    def list_submissions(
        self,
        authority_id: str,
        *,
        status: SubmissionStatus | None = None,
        service_id: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Submission]:
        """Return an authority's submissions newest first, optionally filtered.

        Reads only as many blocks as needed for ``offset + limit`` matches, newest first;
        a filter that matches little may read every block of the authority.
        """
        if limit < 0 or offset < 0:
            raise ValueError("limit and offset must not be negative")
        streams = [
            self._newest_first(p, status, service_id) for p in self.layout.prefixes(authority_id)
        ]
        merged = heapq.merge(*streams, key=lambda s: (s.created_at, s.reference), reverse=True)
        return list(itertools.islice(merged, offset, offset + limit))

    def update_status(
        self, reference: str, status: SubmissionStatus, note: str | None = None
    ) -> Submission:
        """Set a new status, append it to the history and return the updated submission."""
        status = SubmissionStatus(status)
        parsed = parse_reference(reference)
        if parsed is None:
            raise SubmissionNotFoundError(reference)
        prefix, year, seq = parsed
        with (
            file_lock(self.layout.seq_lock(prefix, year)),
            open_db(self.layout.block_path(prefix, year, seq)) as db,
        ):
            table = db.table(SUBMISSIONS_TABLE)
            doc = table.get(doc_id=seq)
            if not isinstance(doc, dict) or doc.get("reference") != reference:
                raise SubmissionNotFoundError(reference)
            current = Submission.model_validate(dict(doc))
            now = self._now()
            change = StatusChange(status=status, at=now, note=note)
            updated = current.model_copy(
                update={
                    "status": status,
                    "status_history": (*current.status_history, change),
                    "updated_at": now,
                }
            )
            table.update(_to_doc(updated), doc_ids=[seq])
        return updated

    def count(self, authority_id: str | None = None) -> int:
        """Return the number of submissions; relies on sequence numbers being dense."""
        return sum(
            self.layout.max_seq(prefix, year)
            for prefix in self.layout.prefixes(authority_id)
            for year in self.layout.years(prefix)
        )

    def import_submissions(self, submissions: Iterable[Submission]) -> int:
        """Write already-numbered submissions block by block; for migration and benchmarks.

        Per prefix and year the references must continue the stored sequence without gaps
        (``count`` relies on that) and idempotency keys must be new. Much faster than
        ``add_submission`` in a loop because each partition file is written once.
        """
        groups: dict[tuple[str, int], list[tuple[int, Submission]]] = {}
        for submission in submissions:
            parsed = parse_reference(submission.reference)
            if parsed is None:
                raise ValueError(f"invalid reference {submission.reference!r}")
            prefix, year, seq = parsed
            self.layout.bind_prefix(prefix, submission.authority_id)
            groups.setdefault((prefix, year), []).append((seq, submission))
        for (prefix, year), items in groups.items():
            items.sort(key=lambda item: item[0])
            self._check_continues(prefix, year, items)  # early, before anything is written
        shards: dict[str, list[Submission]] = {}
        for items in groups.values():
            for _seq, submission in items:
                key = submission.idempotency_key
                shards.setdefault(self.layout.key_shard(key), []).append(submission)
        # Keys first (write-ahead, as in add_submission); a stale entry is harmless.
        for items in shards.values():
            key = items[0].idempotency_key
            with file_lock(self.layout.key_lock(key)), open_db(self.layout.key_path(key)) as db:
                table = db.table(KEYS_TABLE)
                known = {doc["key"]: doc["reference"] for doc in table.all()}
                # An entry for the same reference is left over from a failed import: fine.
                if any(known.get(s.idempotency_key, s.reference) != s.reference for s in items):
                    raise ValueError("an idempotency key is already in use")
                table.insert_multiple(
                    {"key": s.idempotency_key, "reference": s.reference}
                    for s in items
                    if s.idempotency_key not in known
                )
        for (prefix, year), items in groups.items():
            with file_lock(self.layout.seq_lock(prefix, year)):
                self._check_continues(prefix, year, items)
                for _block, chunk in itertools.groupby(
                    items, key=lambda item: self.layout.block_of(item[0])
                ):
                    chunk_items = list(chunk)
                    path = self.layout.block_path(prefix, year, chunk_items[0][0])
                    with open_db(path) as db:
                        db.table(SUBMISSIONS_TABLE).insert_multiple(
                            Document(_to_doc(s), seq) for seq, s in chunk_items
                        )
        return sum(len(items) for items in groups.values())

    def _check_continues(self, prefix: str, year: int, items: list[tuple[int, Submission]]) -> None:
        first = self.layout.max_seq(prefix, year) + 1
        if [seq for seq, _ in items] != list(range(first, first + len(items))):
            raise ValueError(f"{prefix}-{year}: references must continue at {first}")

    # --- drafts and attachment metadata -----------------------------------------------------

    def save_draft(self, draft_id: str, service_id: str, data: dict[str, Any], step: str) -> Draft:
        """Create or replace a draft; ``created_at`` is kept from the first save."""
        return self._drafts.save(draft_id, service_id, data, step)

    def get_draft(self, draft_id: str) -> Draft | None:
        """Return the draft, or None if it does not exist (or the id is malformed)."""
        return self._drafts.get(draft_id)

    def delete_draft(self, draft_id: str) -> bool:
        """Delete the draft; return whether it existed."""
        return self._drafts.delete(draft_id)

    def list_expired_drafts(self, older_than: datetime) -> list[Draft]:
        """Return drafts last saved before ``older_than``, oldest first."""
        return self._drafts.list_expired(older_than)

    def add_attachment(self, meta: AttachmentMeta) -> AttachmentMeta:
        """Store attachment metadata; raise DuplicateAttachmentError if the id exists."""
        return self._attachments.add(meta)

    def get_attachment(self, attachment_id: str) -> AttachmentMeta | None:
        """Return the metadata of one attachment, or None."""
        return self._attachments.get(attachment_id)

    def list_attachments(self, owner: str) -> list[AttachmentMeta]:
        """Return the attachments of a draft or submission in upload order."""
        return self._attachments.list(owner)

    def delete_attachment(self, attachment_id: str) -> bool:
        """Delete attachment metadata; return whether it existed."""
        return self._attachments.delete(attachment_id)

    def reassign_attachment(self, attachment_id: str, owner: str) -> AttachmentMeta | None:
        """Move an attachment to another owner (atomically); None if it does not exist."""
        return self._attachments.reassign(attachment_id, owner)

    def attachment_hashes(self) -> set[str]:
        """The sha256 of every attachment still recorded (blobs not in it may go)."""
        return self._attachments.hashes()

    def close(self) -> None:
        """Nothing to release: no file stays open between operations."""


def open_store(
    data_dir: Path,
    *,
    clock: Callable[[], datetime] = utc_now,
    reference_tz: tzinfo = UTC,
    block_size: int | None = None,
) -> TinyDBStore:
    """Open (creating if needed) the file store in ``data_dir``.

    ``block_size`` is fixed when the store is created (default 100) and must match
    afterwards. ``reference_tz`` decides which calendar year a reference number gets
    (e.g. ``ZoneInfo("Europe/Berlin")``; default UTC); ``clock`` is for tests.
    """
    data_dir = Path(data_dir)
    layout = Layout(data_dir, load_block_size(data_dir, block_size))
    return TinyDBStore(layout, clock=clock, reference_tz=reference_tz)
