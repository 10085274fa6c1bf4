"""Streaming parsing of form posts that may carry files (multipart or urlencoded).

The body is read chunk by chunk from ``request.stream()`` and fed to python-multipart's
push parsers; file parts go straight to temporary files while they are hashed and
counted. Every limit is checked on the bytes as they arrive, before they are written, so
an oversized or forbidden upload is refused after at most one chunk (``CHUNK_BYTES``) past
the limit and the body is never held in memory. On any failure the temporary files of the
request are deleted before the exception leaves ``parse_multipart``.

Plain HTML forms are the design target: no JavaScript, so an empty file input arrives as
an empty part with ``filename=""`` and is simply ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping
from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote_to_bytes

import anyio.to_thread
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.datastructures import FormData
from starlette.requests import Request

from renderer.uploads import errors
from renderer.uploads.display import safe_display_name
from renderer.uploads.filetypes import (
    DEFAULT_ACCEPT,
    SNIFF_BYTES,
    ZIP_BASED,
    inspect_zip,
    sniff_media_type,
    with_matching_extension,
)

KIB = 1024
MIB = 1024 * 1024
#: Largest piece fed to the parser at once: the most a limit can be overshot in memory.
CHUNK_BYTES = 64 * KIB
TEMP_PREFIX = "upload-"
TEMP_SUFFIX = ".part"


@dataclass(frozen=True, slots=True)
class FieldPolicy:
    """What one file field takes: media types, largest file, how many files."""

    accept: tuple[str, ...] = DEFAULT_ACCEPT
    max_bytes: int = 10 * MIB
    max_files: int = 1
    label: str | None = None  # the field's title, for messages


@dataclass(frozen=True, slots=True)
class UploadLimits:
    """Caps for one request, whatever the field policies say (the stricter one wins)."""

    max_request_bytes: int = 50 * MIB
    max_file_bytes: int = 20 * MIB
    max_files: int = 10
    max_field_bytes: int = 64 * KIB  # one text value, UTF-8 encoded
    max_fields: int = 1000  # parts of any kind, empty file inputs included


@dataclass(frozen=True, slots=True)
class IncomingFile:
    """An uploaded file in a temporary file, checked against its field's policy."""

    field: str
    filename: str  # sanitised display name, extension fitting the content; never a path
    path: Path  # temporary file; the caller moves it (BlobStore.put_file) or deletes it
    size: int
    sha256: str
    media_type: str  # sniffed from the content
    raw_filename: str = ""  # as sent, for callers that refuse rather than clean (the API)


@dataclass(slots=True)
class ParsedForm:
    """Text fields in posted order and the files that were uploaded."""

    fields: list[tuple[str, str]] = field(default_factory=list)
    files: list[IncomingFile] = field(default_factory=list)

    @property
    def form(self) -> FormData:
        """The text fields as Starlette's immutable multi-dict."""
        return FormData(self.fields)

    def last(self, name: str, default: str = "") -> str:
        """The last value posted for ``name`` (a button's, say), or ``default``."""
        for key, value in reversed(self.fields):
            if key == name:
                return value
        return default

    def files_for(self, name: str) -> list[IncomingFile]:
        """The files uploaded with field ``name``, in order."""
        return [f for f in self.files if f.field == name]

    def cleanup(self) -> None:
        """Delete the temporary files that were not moved away; safe to call twice."""
        for incoming in self.files:
            incoming.path.unlink(missing_ok=True)


Policies = Mapping[str, FieldPolicy] | Callable[[str], FieldPolicy | None]


async def parse_multipart(
    request: Request, limits: UploadLimits, policies: Policies, tmp_dir: Path
) -> ParsedForm:
    """Parse a ``multipart/form-data`` or ``application/x-www-form-urlencoded`` post.

    ``policies`` maps a file field's name to its ``FieldPolicy`` (a mapping, or a function
    returning None for names that take no file). Files are written to ``tmp_dir``, which
    should be on the file system of the blob store so that moving them is a rename.
    Raises ``UploadError``: 413 for a crossed limit, 415 for another content type, 422 for
    a file of the wrong type or an empty one, 400 for a malformed body. The caller owns
    the returned temporary files (see ``ParsedForm.cleanup``).
    """
    reader = _make_reader(request, limits, policies, tmp_dir)
    received = 0
    try:
        async with aclosing(request.stream()) as stream:
            async for chunk in stream:
                received += len(chunk)
                if received > limits.max_request_bytes:
                    raise errors.request_too_large(limits.max_request_bytes)
                # Servers and test clients may hand over large chunks; pieces keep both the
                # overshoot past a limit and the queue of unwritten data at CHUNK_BYTES.
                for start in range(0, len(chunk), CHUNK_BYTES):
                    reader.feed(chunk[start : start + CHUNK_BYTES])
                    await reader.flush()
        return await reader.finish()
    except FormParserError as exc:
        reader.discard()
        error = errors.malformed()
        error.fields = reader.fields
        raise error from exc
    except BaseException as exc:
        # Also on cancellation and ClientDisconnect: nothing half-written stays behind.
        reader.discard()
        if isinstance(exc, errors.UploadError):
            exc.fields = reader.fields
        raise


def _make_reader(
    request: Request, limits: UploadLimits, policies: Policies, tmp_dir: Path
) -> _Reader:
    content_type, params = parse_options_header(request.headers.get("content-type"))
    if content_type not in (b"multipart/form-data", b"application/x-www-form-urlencoded"):
        raise errors.unsupported_content_type()
    _check_content_length(request, limits)
    if content_type == b"application/x-www-form-urlencoded":
        return _UrlencodedReader(limits)
    if b"boundary" not in params:
        raise errors.malformed()
    lookup = policies.get if isinstance(policies, Mapping) else policies
    tmp_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        return _MultipartReader(params[b"boundary"], limits, lookup, tmp_dir)
    except FormParserError as exc:  # e.g. a boundary longer than RFC 2046 allows
        raise errors.malformed() from exc


def _check_content_length(request: Request, limits: UploadLimits) -> None:
    # Fail fast, before reading a byte; the streamed count below is what really counts,
    # since the header may be absent (chunked) or lie.
    header = request.headers.get("content-length")
    if header is None:
        return
    if not header.isdigit():
        raise errors.malformed()
    if int(header) > limits.max_request_bytes:
        raise errors.request_too_large(limits.max_request_bytes)


def _decode_text(raw: bytes | bytearray, name: str | None) -> str:
    # Our pages are UTF-8, so browsers post UTF-8; guessing a charset could alter a name.
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise errors.bad_encoding(name) from None


class _Reader:
    fields: list[tuple[str, str]]  # complete text fields so far, in order

    def feed(self, data: bytes) -> None:
        raise NotImplementedError

    async def flush(self) -> None:
        return None

    async def finish(self) -> ParsedForm:
        raise NotImplementedError

    def discard(self) -> None:
        return None


_PERCENT, _PLUS = ord("%"), ord("+")


class _UrlencodedReader(_Reader):
    """``name=value&…`` as browsers post forms without files, split as it streams in.

    Splitting on ``&`` with bytes.split keeps the per-byte work in C (a state machine
    in Python costs more than everything else a step's post does). Blank chunks are
    skipped and a chunk without ``=`` is a name with an empty value, as python-multipart's
    lenient QuerystringParser reads them.
    """

    def __init__(self, limits: UploadLimits) -> None:
        self._limits = limits
        self.fields: list[tuple[str, str]] = []
        self._pending = b""  # the start of a pair whose "&" has not arrived yet

    def feed(self, data: bytes) -> None:
        pending = self._pending + data
        *complete, self._pending = pending.split(b"&")
        # One pass per field of every post: kept flat on purpose.
        fields, max_fields = self.fields, self._limits.max_fields
        max_bytes = self._limits.max_field_bytes
        for pair in complete:
            if not pair:
                continue
            if len(fields) >= max_fields:
                raise errors.too_many_fields()
            name, _, value = pair.partition(b"=")
            # An int is found with memchr; `b"%" in` goes through the buffer protocol and
            # costs ten times as much.
            if _PERCENT in pair or _PLUS in pair:
                name = unquote_to_bytes(name.replace(b"+", b" "))
                value = unquote_to_bytes(value.replace(b"+", b" "))
            try:
                fields.append((name.decode(), value.decode()))
            except UnicodeDecodeError:
                text = _decode_text(name, None)
                raise errors.bad_encoding(text) from None
            if len(value) > max_bytes:
                raise errors.field_too_long(max_bytes, fields.pop()[0])
        self._check_pending()

    def _check_pending(self) -> None:
        # Percent-encoding at most triples a value, so three times the decoded limit bounds
        # memory; the exact decoded size is checked at the field's end.
        limit = 3 * self._limits.max_field_bytes
        if len(self._pending) <= limit:
            return
        name, equals, value = self._pending.partition(b"=")
        if len(name) > limit:
            raise errors.field_too_long(self._limits.max_field_bytes, None)
        if equals and len(value) > limit:
            decoded = unquote_to_bytes(name.replace(b"+", b" "))
            raise errors.field_too_long(
                self._limits.max_field_bytes, decoded.decode("utf-8", errors="replace")
            )

    async def finish(self) -> ParsedForm:
        if self._pending:
            self._pending += b"&"  # the last pair has no "&" after it
            self.feed(b"")
        return ParsedForm(self.fields, [])


@dataclass(eq=False)
class _Upload:
    """One file part while it streams in."""

    field: str
    name: str  # sanitised display name
    policy: FieldPolicy
    max_bytes: int
    raw_name: str = ""
    size: int = 0
    head: bytearray = field(default_factory=bytearray)
    media_type: str | None = None
    path: Path | None = None
    file: BinaryIO | None = None
    hasher: hashlib._Hash = field(default_factory=hashlib.sha256)
    complete: bool = False


class _MultipartReader(_Reader):
    def __init__(
        self,
        boundary: bytes,
        limits: UploadLimits,
        lookup: Callable[[str], FieldPolicy | None],
        tmp_dir: Path,
    ) -> None:
        self._limits = limits
        self._lookup = lookup
        self._tmp_dir = tmp_dir
        self.fields: list[tuple[str, str]] = []
        self._uploads: list[_Upload] = []
        self._per_field: Counter[str] = Counter()
        self._parts = 0
        self._ended = False
        # Data callbacks only check and queue; the writing happens in flush(), in a worker
        # thread, so that disk I/O never blocks the event loop (as Starlette does it).
        self._pending: list[tuple[_Upload, bytes | None]] = []
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._disposition: str | None = None
        self._name = ""
        self._text: bytearray | None = None
        self._upload: _Upload | None = None
        self._parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._on_part_begin,
                "on_header_field": self._on_header_field,
                "on_header_value": self._on_header_value,
                "on_header_end": self._on_header_end,
                "on_headers_finished": self._on_headers_finished,
                "on_part_data": self._on_part_data,
                "on_part_end": self._on_part_end,
                "on_end": self._on_end,
            },
        )

    # --- parser callbacks (synchronous, called from feed) -----------------------------

    def _on_part_begin(self) -> None:
        self._parts += 1
        if self._parts > self._limits.max_fields:
            raise errors.too_many_fields()
        self._disposition = None
        self._name = ""
        self._text = None
        self._upload = None

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]  # the parser caps header size and count

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _on_header_end(self) -> None:
        if self._header_name.lower() == b"content-disposition":
            self._disposition = self._header_value.decode("latin-1")
        self._header_name.clear()
        self._header_value.clear()

    def _on_headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        if b"name" not in options:
            raise errors.malformed()
        # Header bytes were decoded as latin-1 above; browsers send UTF-8 (RFC 7578, 5.1).
        self._name = _decode_text(options[b"name"], None)
        if b"filename" not in options:
            self._text = bytearray()
            return
        raw_filename = options[b"filename"].decode("utf-8", errors="replace")
        if raw_filename == "":
            return  # a file input left empty: ignored, unless data follows (see below)
        policy = self._lookup(self._name)
        if policy is None:
            raise errors.unexpected_file(self._name)
        if len(self._uploads) >= self._limits.max_files:
            raise errors.too_many_files(self._limits.max_files, None, None)
        self._per_field[self._name] += 1
        if self._per_field[self._name] > policy.max_files:
            raise errors.too_many_files(policy.max_files, policy.label, self._name)
        upload = _Upload(
            field=self._name,
            name=safe_display_name(raw_filename),
            raw_name=raw_filename,
            policy=policy,
            max_bytes=min(policy.max_bytes, self._limits.max_file_bytes),
        )
        self._uploads.append(upload)
        self._upload = upload

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        size = end - start
        if self._text is not None:
            if len(self._text) + size > self._limits.max_field_bytes:
                raise errors.field_too_long(self._limits.max_field_bytes, self._name)
            self._text += data[start:end]
            return
        upload = self._upload
        if upload is None:
            raise errors.no_filename(self._name)
        if upload.size + size > upload.max_bytes:
            raise errors.file_too_large(upload.name, upload.max_bytes, upload.field)
        upload.size += size
        if upload.media_type is None:
            upload.head += data[start : start + SNIFF_BYTES - len(upload.head)]
            if len(upload.head) >= SNIFF_BYTES:
                self._check_type(upload)
        self._pending.append((upload, data[start:end]))

    def _on_part_end(self) -> None:
        if self._text is not None:
            self.fields.append((self._name, _decode_text(self._text, self._name)))
            return
        upload = self._upload
        if upload is None:
            return
        if upload.size == 0:
            raise errors.empty_file(upload.name, upload.field)
        if upload.media_type is None:
            self._check_type(upload)
        self._pending.append((upload, None))

    def _on_end(self) -> None:
        self._ended = True

    def _check_type(self, upload: _Upload) -> None:
        # The content decides; the browser's Content-Type and the extension are ignored.
        media_type = sniff_media_type(bytes(upload.head))
        accept = upload.policy.accept
        # ZIP-based types are settled once the whole file is there (finish); refuse early
        # only when the field takes none of them.
        zip_ok = media_type in ZIP_BASED and not ZIP_BASED.isdisjoint(accept)
        if media_type is None or (media_type not in accept and not zip_ok):
            raise errors.wrong_type(upload.name, upload.policy.accept, upload.field)
        upload.media_type = media_type

    # --- driving -----------------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        self._parser.write(data)

    async def flush(self) -> None:
        if self._pending:
            batch, self._pending = self._pending, []
            await anyio.to_thread.run_sync(self._write, batch)

    def _write(self, batch: list[tuple[_Upload, bytes | None]]) -> None:
        for upload, data in batch:
            if data is None:
                upload.complete = True
                if upload.file is not None:
                    upload.file.close()
                continue
            if upload.file is None:
                fd, name = tempfile.mkstemp(
                    prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=self._tmp_dir
                )
                upload.path = Path(name)
                upload.file = os.fdopen(fd, "wb")
            upload.file.write(data)
            upload.hasher.update(data)

    async def finish(self) -> ParsedForm:
        self._parser.finalize()
        await self.flush()
        # python-multipart's finalize() does not check that the closing boundary came; a
        # body cut short would otherwise pass with a truncated last file.
        if not self._ended or not all(upload.complete for upload in self._uploads):
            raise errors.malformed()
        for upload in self._uploads:
            if upload.media_type in ZIP_BASED:
                assert upload.path is not None
                media_type = await anyio.to_thread.run_sync(inspect_zip, upload.path)
                if media_type is None or media_type not in upload.policy.accept:
                    raise errors.wrong_type(upload.name, upload.policy.accept, upload.field)
                upload.media_type = media_type
        return ParsedForm(self.fields, [self._incoming(upload) for upload in self._uploads])

    @staticmethod
    def _incoming(upload: _Upload) -> IncomingFile:
        assert upload.path is not None and upload.media_type is not None
        return IncomingFile(
            field=upload.field,
            filename=with_matching_extension(upload.name, upload.media_type),
            path=upload.path,
            size=upload.size,
            sha256=upload.hasher.hexdigest(),
            media_type=upload.media_type,
            raw_filename=upload.raw_name,
        )

    def discard(self) -> None:
        for upload in self._uploads:
            if upload.file is not None:
                upload.file.close()
            if upload.path is not None:
                upload.path.unlink(missing_ok=True)


def remove_stale_uploads(tmp_dir: Path, older_than: datetime) -> int:
    """Delete temporary upload files older than ``older_than``; return how many.

    ``parse_multipart`` deletes its files on every error, but a killed process cannot;
    run this at start-up or with the blob sweep. ``older_than`` must be timezone-aware.
    """
    if older_than.tzinfo is None:
        raise ValueError("older_than must be timezone-aware")
    cutoff = older_than.timestamp()
    removed = 0
    if not tmp_dir.is_dir():
        return 0
    for path in tmp_dir.glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"):
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
    return removed
