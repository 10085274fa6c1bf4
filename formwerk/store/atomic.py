"""Crash-safe JSON files and an inter-process lock.

TinyDB's own ``JSONStorage`` rewrites its file in place (seek 0, write, truncate): a crash in
between leaves a torn file, and two processes writing it interleave. Here every write goes
to a temporary file in the same directory, is flushed and fsynced, and then atomically
renamed over the old file; the directory is fsynced so the rename itself is durable.
A reader therefore always sees either the complete old or the complete new file, which is
why reads need no lock. Read-modify-write sequences are serialised with ``file_lock``.

Assumes a local POSIX file system (ext4, xfs, btrfs): ``flock`` and ``rename`` are not
reliable on every network file system.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from formwerk.store.base import StoreError

#: Temporary files are hidden, carry the writer's pid and a random tag, and end in ``.tmp``;
#: loaders only ever look at ``*.json``, so a leftover from a crash is simply ignored.
TEMP_FILE_RE = re.compile(r"^\..+\.\d+\.[0-9a-f]{8}\.tmp$")

# Personal data: readable by the service user only.
FILE_MODE = 0o600
DIR_MODE = 0o700


class CorruptStoreFileError(StoreError):
    """A store file exists but is not valid JSON of the expected shape.

    With atomic writes this cannot result from a crash; it means the file was edited or
    damaged outside formwerk. The store refuses to guess and names the file instead.
    """

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(f"corrupt store file {path}: {detail}")
        self.path = path


def fsync_dir(path: Path) -> None:
    """Fsync a directory so that renames, creations and unlinks in it are durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def ensure_dir(path: Path) -> None:
    """Create ``path`` and missing parents; fsync each parent that gained an entry.

    Without the parent fsync a freshly created directory (and every file in it) could
    vanish after a power loss even though the files themselves were fsynced.
    """
    if path.is_dir():
        return
    missing: list[Path] = []
    current = path
    while not current.is_dir():
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process was faster: fine
            os.mkdir(directory, DIR_MODE)
        fsync_dir(directory.parent)


def dumps(data: Any) -> bytes:
    """Serialise to compact UTF-8 JSON; reject NaN/Infinity, which JSON cannot represent."""
    return json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode(
        "utf-8"
    )


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically and durably (temp file, fsync, rename).

    When this returns, the new content survives a crash; if it raises, the old content is
    untouched.
    """
    directory = path.parent
    ensure_dir(directory)
    temp = directory / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    fsync_dir(directory)


def read_json(path: Path) -> Any | None:
    """Load a JSON file; return None if it does not exist, raise if it is corrupt."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    if not raw:
        # Atomic writes never leave an empty file; treat it as damage, not as "no data".
        raise CorruptStoreFileError(path, "file is empty")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorruptStoreFileError(path, str(exc)) from exc


def read_json_object(path: Path) -> dict[str, Any] | None:
    """Like ``read_json`` but the top level must be an object."""
    data = read_json(path)
    if data is not None and not isinstance(data, dict):
        raise CorruptStoreFileError(path, f"expected a JSON object, got {type(data).__name__}")
    return data


def write_json(path: Path, data: Any) -> None:
    """Serialise ``data`` and write it with ``atomic_write_bytes``."""
    # Serialise before creating the temp file, so a value JSON cannot hold fails early.
    atomic_write_bytes(path, dumps(data))


def remove_file(path: Path) -> bool:
    """Unlink ``path`` durably; return whether it existed."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    fsync_dir(path.parent)
    return True


class AtomicJSONStorage(Storage):
    """A TinyDB storage that never rewrites its file in place.

    It keeps no file handle and no cache: every ``read`` loads the file from disk, so a
    ``TinyDB`` opened for one operation under ``file_lock`` always sees what other
    processes wrote. Do not combine it with ``CachingMiddleware``.
    """

    def __init__(self, path: str | os.PathLike[str], **_kwargs: Any) -> None:
        """Remember the path; the file is created by the first ``write``."""
        super().__init__()
        self.path = Path(path)

    def read(self) -> dict[str, dict[str, Any]] | None:
        """Return the database state, or None if the file does not exist yet."""
        return read_json_object(self.path)

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        """Write the whole database state atomically and durably."""
        write_json(self.path, data)


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive inter-process lock on ``path`` (created if missing).

    ``flock`` locks belong to the open file description, so two threads of one process are
    excluded from each other as well as two processes. The kernel drops the lock when the
    holder dies, so a crashed worker can never leave the store locked. Lock files are
    never deleted: unlinking a lock file while another process waits on it would let a
    third process lock a new file of the same name and break mutual exclusion. Do not
    nest the same lock in one thread: that deadlocks.
    """
    if not path.parent.is_dir():
        ensure_dir(path.parent)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def sweep_temp_files(root: Path, max_age_seconds: float = 3600.0) -> int:
    """Delete temp files left behind by crashed writers; return how many were removed.

    Only files older than ``max_age_seconds`` are removed, so a write in progress in another
    process is never disturbed. Leftovers are harmless (loaders ignore them); this only
    reclaims space.
    """
    cutoff = time.time() - max_age_seconds
    removed = 0
    for directory, _dirs, files in os.walk(root):
        for name in files:
            if not TEMP_FILE_RE.match(name):
                continue
            path = Path(directory, name)
            with contextlib.suppress(FileNotFoundError):
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
    return removed
