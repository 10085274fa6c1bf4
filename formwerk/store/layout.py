"""Where the TinyDB store keeps what: paths, partitions, locks and the prefix registry.

Layout of a data directory (every ``*.json`` is written atomically, see ``atomic.py``;
``drafts.sqlite`` is an SQLite database in WAL mode, see ``draft_table.py``)::

    formwerk-store.json                      format version and partition parameters
    registry.json                            reference prefix -> authority id
    submissions/{PREFIX}/{YEAR}/{BLOCK}.json TinyDB file, table "submissions", doc_id = seq
    idempotency/{xxx}.json                   TinyDB file, table "keys": key -> reference
    drafts.sqlite (+ -wal, -shm)             table "drafts": one row per draft
    attachments/meta/{id}.json               one file per attachment
    attachments/owners/{owner}.json          attachment ids of a draft or submission
    locks/*.lock                             flock targets, never deleted

Partitioning keeps every operation's cost independent of the store's size: a submission
lives in block ``(seq - 1) // block_size`` of its prefix and year, so its file is a pure
function of its reference and an insert rewrites at most ``block_size`` documents.
Idempotency keys are spread over 4,096 shards by the first three hex digits of their
SHA-256 (about 25 keys per shard at 100,000 submissions, 250 at a million). The last block
of a prefix and year is found by probing file names (blocks are dense), not by listing the
directory, whose length grows with the data.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from tinydb import TinyDB

from formwerk.store.atomic import (
    AtomicJSONStorage,
    ensure_dir,
    file_lock,
    read_json_object,
    write_json,
)
from formwerk.store.base import REFERENCE_RE, ReferencePrefixConflictError, StoreError

STORE_FORMAT = "formwerk-tinydb-store"
STORE_VERSION = 1
META_FILE = "formwerk-store.json"
#: 100 documents of ~1 KB parse and serialise in ~3 ms; 1,000 would take ~30 ms per insert.
DEFAULT_BLOCK_SIZE = 100
#: Hex digits of SHA-256(key) naming the idempotency shard: 3 -> 4,096 shard files.
KEY_SHARD_DIGITS = 3
SUBMISSIONS_TABLE = "submissions"
KEYS_TABLE = "keys"
_YEAR_DIR_RE = re.compile(r"^\d{4}$")


def open_db(path: Path) -> TinyDB:
    """Open a TinyDB file for one operation.

    A fresh TinyDB per operation: nothing read earlier (by us or TinyDB's query cache) is
    trusted, because another process may have written the file since.
    """
    return TinyDB(path, storage=AtomicJSONStorage)


def parse_reference(reference: str) -> tuple[str, int, int] | None:
    """Split ``LKH-2026-000042`` into ``("LKH", 2026, 42)``; None if malformed."""
    match = REFERENCE_RE.fullmatch(reference)
    if match is None or int(match["seq"]) < 1:
        return None
    return match["prefix"], int(match["year"]), int(match["seq"])


def load_block_size(data_dir: Path, requested: int | None) -> int:
    """Create or check ``formwerk-store.json`` and return the data dir's block size.

    The partition parameters are fixed on first use: changing the block size of existing
    data would make every reference point at the wrong file.
    """
    ensure_dir(data_dir)
    meta_path = data_dir / META_FILE
    meta = read_json_object(meta_path)
    if meta is None:
        with file_lock(data_dir / "locks" / "store.lock"):
            meta = read_json_object(meta_path)
            if meta is None:
                meta = {
                    "format": STORE_FORMAT,
                    "version": STORE_VERSION,
                    "block_size": requested or DEFAULT_BLOCK_SIZE,
                    "key_shard_digits": KEY_SHARD_DIGITS,
                }
                write_json(meta_path, meta)
    if meta.get("format") != STORE_FORMAT or meta.get("version") != STORE_VERSION:
        raise StoreError(f"{meta_path}: unsupported store format {meta!r}")
    if meta.get("key_shard_digits") != KEY_SHARD_DIGITS:
        raise StoreError(f"{meta_path}: unsupported idempotency sharding {meta!r}")
    block_size = int(meta["block_size"])
    if requested is not None and requested != block_size:
        raise StoreError(f"{data_dir} uses block size {block_size}, not {requested}")
    return block_size


class Layout:
    """Paths and partition arithmetic of one data directory."""

    def __init__(self, data_dir: Path, block_size: int) -> None:
        """Describe ``data_dir`` partitioned into blocks of ``block_size`` submissions."""
        self.data_dir = data_dir
        self.block_size = block_size
        self.lock_dir = data_dir / "locks"
        # prefix -> authority bindings never change once written, so caching them is safe.
        self._prefix_owner: dict[str, str] = {}
        # Last block seen per prefix and year. Only a starting point for probing: blocks are
        # never deleted, so a stale hint is merely too low and probing moves past it.
        self._last_block_hint: dict[tuple[str, int], int] = {}

    # --- submissions ------------------------------------------------------------------------

    def year_dir(self, prefix: str, year: int) -> Path:
        """Directory of one prefix and year."""
        return self.data_dir / "submissions" / prefix / f"{year:04d}"

    def block_file(self, prefix: str, year: int, block: int) -> Path:
        """File of block number ``block``."""
        return self.year_dir(prefix, year) / f"{block:04d}.json"

    def block_path(self, prefix: str, year: int, seq: int) -> Path:
        """File that holds (or will hold) sequence number ``seq``."""
        return self.block_file(prefix, year, self.block_of(seq))

    def block_of(self, seq: int) -> int:
        """Block number of a sequence number."""
        return (seq - 1) // self.block_size

    def seq_lock(self, prefix: str, year: int) -> Path:
        """Lock for numbering and every write to one prefix and year."""
        return self.lock_dir / f"seq-{prefix}-{year:04d}.lock"

    def years(self, prefix: str) -> list[int]:
        """Years with submissions of a prefix, ascending (one directory entry per year)."""
        directory = self.data_dir / "submissions" / prefix
        if not directory.is_dir():
            return []
        return sorted(int(p.name) for p in directory.iterdir() if _YEAR_DIR_RE.fullmatch(p.name))

    def last_block(self, prefix: str, year: int) -> int | None:
        """Number of the highest block of a prefix and year, or None if there is none.

        Sequence numbers are dense, so blocks 0..last all exist: gallop forward from the
        hint with existence checks, then bisect. Usually two ``stat`` calls.
        """

        def exists(block: int) -> bool:
            return self.block_file(prefix, year, block).exists()

        low = self._last_block_hint.get((prefix, year), 0)
        if not exists(low):
            if low == 0 or not exists(0):
                return None
            low = 0
        step = 1
        while exists(low + step):
            low += step
            step *= 2
        high = low + step  # invariant: low exists, high does not
        while high - low > 1:
            middle = (low + high) // 2
            if exists(middle):
                low = middle
            else:
                high = middle
        self._last_block_hint[(prefix, year)] = low
        return low

    def read_block(self, prefix: str, year: int, block: int) -> dict[int, dict[str, Any]]:
        """All documents of a block by sequence number (empty if the block does not exist)."""
        with open_db(self.block_file(prefix, year, block)) as db:
            return {doc.doc_id: dict(doc) for doc in db.table(SUBMISSIONS_TABLE).all()}

    def max_seq(self, prefix: str, year: int) -> int:
        """Highest stored sequence number of a prefix and year (0 if none)."""
        last = self.last_block(prefix, year)
        if last is None:
            return 0
        return max(self.read_block(prefix, year, last), default=last * self.block_size)

    # --- idempotency keys -------------------------------------------------------------------

    def key_shard(self, key: str) -> str:
        """Name of the shard that holds ``key``."""
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:KEY_SHARD_DIGITS]

    def key_path(self, key: str) -> Path:
        """File of the shard that holds ``key``."""
        return self.data_dir / "idempotency" / f"{self.key_shard(key)}.json"

    def key_lock(self, key: str) -> Path:
        """Lock of the shard that holds ``key``."""
        # One lock may cover several shards: 256 lock files are plenty.
        return self.lock_dir / f"key-{self.key_shard(key)[:2]}.lock"

    # --- prefix registry --------------------------------------------------------------------

    def registry(self) -> dict[str, str]:
        """The current prefix -> authority bindings, read from disk."""
        raw = read_json_object(self.data_dir / "registry.json") or {}
        return dict(raw.get("prefixes", {}))

    def bind_prefix(self, prefix: str, authority_id: str) -> None:
        """Record that ``prefix`` belongs to ``authority_id``; refuse a second authority.

        References are unique per prefix; two authorities sharing a prefix would make
        ``get_submission`` ambiguous and mix their sequences, so that is an error.
        """
        owner = self._prefix_owner.get(prefix) or self.registry().get(prefix)
        if owner is None:
            with file_lock(self.lock_dir / "registry.lock"):
                registry = self.registry()
                owner = registry.get(prefix)
                if owner is None:  # still unbound now that we hold the lock
                    owner = registry[prefix] = authority_id
                    write_json(self.data_dir / "registry.json", {"prefixes": registry})
        self._prefix_owner[prefix] = owner
        if owner != authority_id:
            raise ReferencePrefixConflictError(
                f"reference prefix {prefix} belongs to {owner}, not {authority_id}"
            )

    def prefixes(self, authority_id: str | None) -> list[str]:
        """Prefixes of one authority (or of all authorities if None)."""
        return sorted(p for p, a in self.registry().items() if authority_id in (None, a))
