"""Attachment metadata as one small JSON file per record.

These records are small, independent and short-lived, so a file per record is the
simplest scheme that scales: adding one costs the same with 10 or 100,000 others, and
deleting one is an unlink. Files are written with ``write_json`` (temp file, fsync,
rename), so a crash never leaves a torn record. File names come only from ids that
matched a strict pattern, never from raw user input. (Drafts live in ``draft_table``.)
"""

from __future__ import annotations

import hashlib
import os
from contextlib import ExitStack
from pathlib import Path

from formwerk.store.atomic import (
    file_lock,
    read_json_object,
    remove_file,
    write_json,
)
from formwerk.store.base import (
    ATTACHMENT_ID_RE,
    AttachmentMeta,
    DuplicateAttachmentError,
    InvalidIdentifierError,
    is_valid_owner,
)

# Locks are striped by a hash of the id: bounded number of lock files, no lock-file cleanup.
LOCK_STRIPES = 64


def _stripe(value: str) -> int:
    return int(hashlib.sha256(value.encode("utf-8")).hexdigest()[:4], 16) % LOCK_STRIPES


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
