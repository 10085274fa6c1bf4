"""Content-addressed storage of uploaded files: ``<data_dir>/blobs/ab/cd/<sha256>``.

A file is stored under the SHA-256 of its bytes, so identical uploads (the same
certificate sent with two applications) take the space once, and a stored blob is never
changed. Blobs are written by renaming a fully written and fsynced temporary file into
place, so a reader sees a complete file or none. Which blobs are still needed is known
only to the store's attachment records; ``sweep`` deletes the rest after a grace period.

Blob ids are checked against ``^[0-9a-f]{64}$`` before any path is built: an id from a
URL or a form can never name another file. Assumes a local POSIX file system.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from formwerk.store.atomic import ensure_dir, fsync_dir

SHA256_RE = re.compile(r"[0-9a-f]{64}")
# Personal data: readable by the service user only (as in formwerk.store).
FILE_MODE = 0o600
_HEX2 = re.compile(r"[0-9a-f]{2}")
_READ_BLOCK = 1024 * 1024


class InvalidBlobIdError(ValueError):
    """A blob id is not 64 lower-case hex digits."""


def check_sha256(sha256: object) -> str:
    """Return ``sha256`` if it is a well-formed blob id, else raise InvalidBlobIdError."""
    # fullmatch, not "^...$": "$" would also accept a trailing newline.
    if not isinstance(sha256, str) or SHA256_RE.fullmatch(sha256) is None:
        raise InvalidBlobIdError(f"invalid blob id {sha256!r}")
    return sha256


class BlobStore:
    """Files stored by content under ``root`` (normally ``<data_dir>/blobs``)."""

    def __init__(self, root: Path) -> None:
        """Use ``root``; it and its subfolders are created on the first write."""
        self.root = root

    @property
    def incoming_dir(self) -> Path:
        """Where uploads should be spooled: same file system, so ``put_file`` renames."""
        return self.root / "incoming"

    def path(self, sha256: str) -> Path:
        """The path of blob ``sha256`` (which may not exist)."""
        check_sha256(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        """Whether blob ``sha256`` is stored."""
        return self.path(sha256).is_file()

    def open(self, sha256: str) -> BinaryIO:
        """Open blob ``sha256`` for reading; raises FileNotFoundError if it is not stored."""
        return self.path(sha256).open("rb")

    def put_file(self, tmp_path: Path) -> str:
        """Store a fully written temporary file under its SHA-256 and return the id.

        The file is hashed, fsynced and renamed into place (``os.replace``), so it is
        *moved*: afterwards ``tmp_path`` is gone. If the content is stored already, the
        temporary file is deleted instead. ``tmp_path`` should be on the same file system
        (see ``incoming_dir``); otherwise it is copied, fsynced and renamed.
        """
        digest = hashlib.sha256()
        with tmp_path.open("rb") as source:
            while block := source.read(_READ_BLOCK):
                digest.update(block)
            os.fsync(source.fileno())  # the bytes are durable before the rename is
            size = os.fstat(source.fileno()).st_size
        sha256 = digest.hexdigest()
        target = self.path(sha256)
        with self._lock(fcntl.LOCK_SH):
            with contextlib.suppress(FileNotFoundError):
                if target.stat().st_size == size:
                    # Deduplicated. A fresh mtime keeps a sweep running now from deleting
                    # the blob before the caller has recorded its reference.
                    os.utime(target)
                    tmp_path.unlink()
                    return sha256
            ensure_dir(target.parent)
            os.chmod(tmp_path, FILE_MODE)
            try:
                os.replace(tmp_path, target)
            except OSError as exc:
                if exc.errno != errno.EXDEV:
                    raise
                self._copy_into_place(tmp_path, target)
                tmp_path.unlink()
            fsync_dir(target.parent)
        return sha256

    def put_bytes(self, data: bytes) -> str:
        """Store ``data`` (a generated receipt, say) and return its id."""
        ensure_dir(self.incoming_dir)
        tmp = self.incoming_dir / f"put-{secrets.token_hex(8)}.tmp"
        try:
            with tmp.open("xb") as out:
                out.write(data)
            return self.put_file(tmp)
        finally:
            tmp.unlink(missing_ok=True)

    def delete(self, sha256: str) -> bool:
        """Delete blob ``sha256``; return whether it existed.

        Only for blobs known to be unreferenced: content is shared, so another
        attachment may point at the same blob. ``sweep`` is the safe way to clean up.
        """
        path = self.path(sha256)
        with self._lock(fcntl.LOCK_EX):
            try:
                path.unlink()
            except FileNotFoundError:
                return False
            fsync_dir(path.parent)
            return True

    def __iter__(self) -> Iterator[str]:
        """The ids of all stored blobs (in no particular order)."""
        for _, sha256 in self._blob_paths():
            yield sha256

    def sweep(self, referenced: set[str], older_than: datetime) -> int:
        """Delete blobs not in ``referenced`` last stored before ``older_than``.

        Returns how many blobs were deleted. ``older_than`` must be timezone-aware and
        well in the past (a day, say): a blob stored moments ago may be waiting for its
        attachment record, and ``referenced`` was read before the sweep began. Stale
        temporary files in ``incoming_dir`` go too.
        """
        if older_than.tzinfo is None:
            raise ValueError("older_than must be timezone-aware")
        cutoff = older_than.timestamp()
        removed = 0
        for path, sha256 in self._blob_paths():
            if sha256 in referenced or not _older(path, cutoff):
                continue
            # Re-check under the lock: put_file may just have refreshed this blob.
            with self._lock(fcntl.LOCK_EX):
                if _older(path, cutoff):
                    with contextlib.suppress(FileNotFoundError):  # a parallel sweep won
                        path.unlink()
                        removed += 1
        leftovers = [p for p in self._shard_files() if p.name.endswith(".tmp")]
        if self.incoming_dir.is_dir():
            leftovers += [p for p in self.incoming_dir.iterdir() if p.is_file()]
        for path in leftovers:
            if _older(path, cutoff):
                path.unlink(missing_ok=True)
        return removed

    def _blob_paths(self) -> Iterator[tuple[Path, str]]:
        for path in self._shard_files():
            name = path.name
            if SHA256_RE.fullmatch(name) and path.parent == self.root / name[:2] / name[2:4]:
                yield path, name

    def _shard_files(self) -> Iterator[Path]:
        # Everything in <root>/xx/yy/: blobs, and temporary files a crash left behind.
        if not self.root.is_dir():
            return
        for first in sorted(self.root.iterdir()):
            if not _HEX2.fullmatch(first.name) or not first.is_dir():
                continue
            for second in sorted(first.iterdir()):
                if _HEX2.fullmatch(second.name) and second.is_dir():
                    yield from second.iterdir()

    @contextlib.contextmanager
    def _lock(self, operation: int) -> Iterator[None]:
        # Shared for put_file, exclusive for deleting: a deduplicated put can never lose
        # its blob to a concurrent sweep, in this process or another one.
        ensure_dir(self.root)
        fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, FILE_MODE)
        try:
            fcntl.flock(fd, operation)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _copy_into_place(self, source: Path, target: Path) -> None:
        tmp = target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp"
        try:
            with source.open("rb") as src, tmp.open("xb") as dst:
                shutil.copyfileobj(src, dst, _READ_BLOCK)
                dst.flush()
                os.fsync(dst.fileno())
            os.chmod(tmp, FILE_MODE)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)


def _older(path: Path, cutoff: float) -> bool:
    try:
        return path.stat().st_mtime < cutoff
    except FileNotFoundError:
        return False
