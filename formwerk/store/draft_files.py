"""Drafts and attachment metadata as one small JSON file per record.

These records are small, independent and short-lived, so a database file per record is
the simplest scheme that scales: saving a draft costs the same with 10 or 100,000 other
drafts, and deleting one is an unlink. Files are written with ``write_json`` (temp file,
fsync, rename), so a crash never leaves a torn record. File names come only from ids that
matched a strict pattern, never from raw user input.

Drafts are written without the fsyncs (``durable=False``): a draft is saved on every
step of every form, and the two fsyncs would be most of the cost of a page. Replacing
by rename still means that no reader and no crash of the process ever sees a torn
draft; a power loss may lose the last saves of a draft, so a citizen may have to enter
a step again. A submission does not depend on this: it is stored durably, once per
application key, before the citizen is told it arrived.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import Any

from formwerk.store.atomic import (
    atomic_write_bytes,
    file_lock,
    json_copy,
    parse_json_object,
    read_bytes,
    read_json_object,
    remove_file,
    write_json,
)
from formwerk.store.base import (
    ATTACHMENT_ID_RE,
    AttachmentMeta,
    Draft,
    DuplicateAttachmentError,
    InvalidIdentifierError,
    is_valid_draft_id,
    is_valid_owner,
)

# Locks are striped by a hash of the id: bounded number of lock files, no lock-file cleanup.
LOCK_STRIPES = 64

#: Drafts whose file contents were validated lately, per process (see ``DraftFiles.get``).
RECENT_DRAFTS = 2048


def _stripe(value: str) -> int:
    return int(hashlib.sha256(value.encode("utf-8")).hexdigest()[:4], 16) % LOCK_STRIPES


class DraftFiles:
    """Drafts stored as ``drafts/{draft_id}.json``."""

    def __init__(self, root: Path, lock_dir: Path, now: Callable[[], datetime]) -> None:
        """Use ``root`` for the draft files and ``lock_dir`` for the striped locks."""
        self.root = root
        self._lock_dir = lock_dir
        self._now = now
        # file bytes → validated draft, by id: every page of the form loads its draft, and
        # validating the same bytes again is most of that cost. The file is still read
        # each time (other workers write it too), so a hit is exact, never stale.
        self._recent: OrderedDict[str, tuple[bytes, Draft]] = OrderedDict()
        self._recent_lock = threading.Lock()

    def _path(self, draft_id: str) -> Path:
        if not is_valid_draft_id(draft_id):
            raise InvalidIdentifierError(f"invalid draft id {draft_id!r}")
        return self.root / f"{draft_id}.json"

    def _lock(self, draft_id: str) -> Path:
        return self._lock_dir / f"draft-{_stripe(draft_id):02d}.lock"

    def save(self, draft_id: str, service_id: str, data: dict[str, Any], step: str) -> Draft:
        """Create or replace a draft, keeping ``created_at`` of an existing one."""
        path = self._path(draft_id)
        now = self._now()
        # Validate before taking the lock: bad input must not hold up other writers.
        draft = Draft(
            draft_id=draft_id,
            service_id=service_id,
            data=data,
            step=step,
            created_at=now,
            updated_at=now,
        )
        with file_lock(self._lock(draft_id)):
            existing = self._current(draft_id, path)
            if existing is not None:
                draft = draft.model_copy(update={"created_at": existing.created_at})
            # Validated above (JsonDict: JSON can hold it), so pydantic's serializer is safe.
            raw = draft.model_dump_json().encode()
            atomic_write_bytes(path, raw, durable=False)
        self._remember(draft_id, raw, draft)
        return draft

    def get(self, draft_id: str) -> Draft | None:
        """Return the draft or None; a malformed id is simply not found."""
        if not is_valid_draft_id(draft_id):
            return None
        draft = self._current(draft_id, self._path(draft_id))
        # The caller gets answers of its own to change: the draft may be remembered.
        return None if draft is None else draft.model_copy(update={"data": json_copy(draft.data)})

    def _current(self, draft_id: str, path: Path) -> Draft | None:
        """The draft as stored; shared with ``_recent``, so never to be changed."""
        with self._recent_lock:
            recent = self._recent.get(draft_id)
        raw = read_bytes(path)
        if raw is None:
            return None
        if recent is not None and recent[0] == raw:
            return recent[1]  # the same bytes were validated before
        draft = Draft.model_validate(parse_json_object(raw, path))
        self._remember(draft_id, raw, draft)
        return draft

    def _remember(self, draft_id: str, raw: bytes, draft: Draft) -> None:
        with self._recent_lock:
            self._recent[draft_id] = (raw, draft)
            self._recent.move_to_end(draft_id)
            while len(self._recent) > RECENT_DRAFTS:
                self._recent.popitem(last=False)

    def delete(self, draft_id: str) -> bool:
        """Delete the draft file; return whether it existed."""
        if not is_valid_draft_id(draft_id):
            return False
        with self._recent_lock:
            self._recent.pop(draft_id, None)
        with file_lock(self._lock(draft_id)):
            return remove_file(self._path(draft_id))

    def list_expired(self, older_than: datetime) -> list[Draft]:
        """Return drafts whose ``updated_at`` is before ``older_than``, oldest first.

        Reads every draft: file mtimes would be a cheaper pre-filter but are not the
        store's clock (restores, copies, injected clocks), and wrongly deleting a draft a
        citizen is still working on is worse than a slower nightly job.
        """
        if older_than.tzinfo is None:
            raise ValueError("older_than must be timezone-aware")
        expired: list[Draft] = []
        try:
            entries = list(os.scandir(self.root))
        except FileNotFoundError:
            return []
        for entry in entries:
            stem, dot, ext = entry.name.rpartition(".")
            if not dot or ext != "json" or not is_valid_draft_id(stem):
                continue  # temp files, lock files, anything foreign
            raw = read_json_object(Path(entry.path))
            if raw is None:
                continue  # deleted meanwhile
            draft = Draft.model_validate(raw)
            if draft.updated_at < older_than:
                expired.append(draft)
        expired.sort(key=lambda d: d.updated_at)
        return expired


class AttachmentFiles:
    """Attachment metadata as ``attachments/meta/{id}.json`` plus a per-owner id list.

    The owner list (``attachments/owners/{owner}.json``) makes ``list`` cheap without a
    scan. Ordering keeps them consistent across crashes: on add the metadata is written
    before the list entry, on delete the list entry is removed before the metadata, so a
    listed id always has its metadata; the worst a crash leaves is an unlisted orphan.
    """

    def __init__(self, root: Path, lock_dir: Path) -> None:
        """Use ``root`` for the metadata files and ``lock_dir`` for the striped locks."""
        self.root = root
        self._lock_dir = lock_dir

    def _meta_path(self, attachment_id: str) -> Path:
        return self.root / "meta" / f"{attachment_id}.json"

    def _owner_path(self, owner: str) -> Path:
        return self.root / "owners" / f"{owner}.json"

    def _lock(self, owner: str) -> Path:
        return self._lock_dir / f"attachments-{_stripe(owner):02d}.lock"

    def _read_ids(self, owner: str) -> list[str]:
        raw = read_json_object(self._owner_path(owner))
        return [] if raw is None else list(raw.get("ids", []))

    def add(self, meta: AttachmentMeta) -> AttachmentMeta:
        """Store metadata under its owner; raise DuplicateAttachmentError for a known id."""
        if not is_valid_owner(meta.owner):
            raise InvalidIdentifierError(f"invalid attachment owner {meta.owner!r}")
        path = self._meta_path(meta.id)
        with file_lock(self._lock(meta.owner)):
            if path.exists():
                raise DuplicateAttachmentError(f"attachment {meta.id} exists")
            write_json(path, meta.model_dump(mode="json", by_alias=True))
            ids = self._read_ids(meta.owner)
            ids.append(meta.id)
            write_json(self._owner_path(meta.owner), {"ids": ids})
        return meta

    def get(self, attachment_id: str) -> AttachmentMeta | None:
        """Return the metadata or None; a malformed id is simply not found."""
        if ATTACHMENT_ID_RE.fullmatch(attachment_id) is None:
            return None
        raw = read_json_object(self._meta_path(attachment_id))
        return None if raw is None else AttachmentMeta.model_validate(raw)

    def list(self, owner: str) -> list[AttachmentMeta]:
        """Return the owner's attachments in upload order."""
        if not is_valid_owner(owner):
            return []
        result = []
        for attachment_id in self._read_ids(owner):
            meta = self.get(attachment_id)
            if meta is not None:  # deleted between reading the list and the file
                result.append(meta)
        return result

    def delete(self, attachment_id: str) -> bool:
        """Delete metadata and list entry; return whether the attachment existed."""
        meta = self.get(attachment_id)
        if meta is None:
            return False
        with file_lock(self._lock(meta.owner)):
            ids = self._read_ids(meta.owner)
            if attachment_id in ids:
                ids.remove(attachment_id)
                write_json(self._owner_path(meta.owner), {"ids": ids})
            return remove_file(self._meta_path(attachment_id))

    def reassign(self, attachment_id: str, owner: str) -> AttachmentMeta | None:
        """Give an attachment to another owner (a draft's file to its submission).

        The metadata file is rewritten atomically, so at every moment some record holds
        the attachment's hash and the blob clean-up never sees it unreferenced.
        """
        if not is_valid_owner(owner):
            raise InvalidIdentifierError(f"invalid attachment owner {owner!r}")
        meta = self.get(attachment_id)
        if meta is None or meta.owner == owner:
            return meta
        with ExitStack() as locks:
            # Two owners' locks, always taken in the same order: no deadlock between workers.
            for lock in sorted({self._lock(meta.owner), self._lock(owner)}):
                locks.enter_context(file_lock(lock))
            moved = meta.model_copy(update={"owner": owner})
            write_json(self._meta_path(attachment_id), moved.model_dump(mode="json", by_alias=True))
            ids = self._read_ids(owner)
            if attachment_id not in ids:
                write_json(self._owner_path(owner), {"ids": [*ids, attachment_id]})
            old = self._read_ids(meta.owner)
            if attachment_id in old:
                old.remove(attachment_id)
                write_json(self._owner_path(meta.owner), {"ids": old})
        return moved

    def hashes(self) -> set[str]:
        """The sha256 of every stored attachment (a scan: for the daily clean-up only)."""
        found: set[str] = set()
        try:
            entries = list(os.scandir(self.root / "meta"))
        except FileNotFoundError:
            return found
        for entry in entries:
            if not entry.name.endswith(".json"):
                continue  # temp and lock files
            raw = read_json_object(Path(entry.path))
            if raw is not None and isinstance(raw.get("sha256"), str):
                found.add(raw["sha256"])
        return found
