"""Open a PDF leniently and turn every way it can fail into one clear `MigrationError`."""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pypdf import PdfReader

# Messages pypdf logs while it repairs a damaged cross-reference table (strict=False).
_XREF_HINTS = re.compile(r"xref|startxref|object streams|trailer|EOF marker", re.IGNORECASE)


class MigrationError(Exception):
    """A PDF cannot be migrated or filled; the message is one precise line for the user."""


@dataclass
class OpenedPdf:
    """A parsed PDF with what the migration needs besides the pypdf reader."""

    reader: PdfReader
    data: bytes
    sha256: str
    warnings: list[str] = field(default_factory=list)


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


_quiet_lock = threading.Lock()
_quiet_depth = 0
_saved_state = (True, logging.NOTSET)


@contextmanager
def capture_pypdf_log() -> Iterator[list[str]]:
    """Collect pypdf's log warnings instead of letting them reach stderr.

    pypdf reports repairs (broken xref, missing EOF) through `logging`; the migration turns
    them into report warnings, and a batch run must not spray them over the progress bar.
    Safe to nest and to use from several threads (the web app fills PDFs concurrently):
    the logger is silenced by the first user and restored by the last.
    """
    global _quiet_depth, _saved_state
    logger = logging.getLogger("pypdf")
    collector = _Collector()
    logger.addHandler(collector)
    with _quiet_lock:
        if _quiet_depth == 0:
            _saved_state = (logger.propagate, logger.level)
            logger.propagate = False
            if logger.getEffectiveLevel() > logging.WARNING:
                logger.setLevel(logging.WARNING)
        _quiet_depth += 1
    try:
        yield collector.messages
    finally:
        logger.removeHandler(collector)
        with _quiet_lock:
            _quiet_depth -= 1
            if _quiet_depth == 0:
                logger.propagate, level = _saved_state
                logger.setLevel(level)


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "…"


def read_bytes(path: Path) -> bytes:
    """Read a file, raising `MigrationError` with the reason if that fails."""
    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise MigrationError(f"{path}: ist ein Verzeichnis, keine PDF-Datei") from None
    except OSError as exc:
        raise MigrationError(f"{path}: nicht lesbar ({exc.strerror or _short(exc)})") from None


def open_pdf(data: bytes) -> OpenedPdf:
    """Parse PDF bytes leniently.

    Raises `MigrationError` for anything that is not a readable PDF: no PDF header, a
    structure pypdf cannot repair, or encryption with a user password. A file encrypted with
    an empty user password is opened; a repaired cross-reference table gives a warning.
    """
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    # A PDF may have a little junk before its header (allowed by readers); 1 KiB is Acrobat's
    # own limit.
    if b"%PDF-" not in data[:1024]:
        raise MigrationError("keine PDF-Datei (die Kennung %PDF- fehlt am Dateianfang)")
    digest = hashlib.sha256(data).hexdigest()
    warnings: list[str] = []
    with capture_pypdf_log() as log:
        try:
            reader = PdfReader(BytesIO(data), strict=False)
        except Exception as exc:  # pypdf raises many types for damaged files
            raise MigrationError(f"PDF nicht lesbar: {_short(exc)}") from None
        if reader.is_encrypted:
            try:
                decrypted = reader.decrypt("")
            except DependencyError:
                raise MigrationError(
                    "PDF ist mit AES verschlüsselt; zum Öffnen fehlt das Paket 'cryptography'"
                ) from None
            except Exception as exc:
                raise MigrationError(f"PDF-Verschlüsselung nicht lesbar: {_short(exc)}") from None
            if not decrypted:
                raise MigrationError(
                    "PDF ist mit einem Benutzerkennwort verschlüsselt; "
                    "bitte eine Fassung ohne Kennwort verwenden"
                )
            warnings.append("PDF ist verschlüsselt (leeres Benutzerkennwort) und wurde geöffnet")
        try:
            # Touch the catalog and the page tree now, so that damage surfaces here as one
            # message and not later in the middle of the field walk.
            if len(reader.pages) == 0:
                raise MigrationError("PDF hat keine Seiten")
            reader.root_object.get("/AcroForm")
        except MigrationError:
            raise
        except Exception as exc:
            raise MigrationError(f"PDF nicht lesbar: {_short(exc)}") from None
    if any(_XREF_HINTS.search(message) for message in log):
        warnings.append(
            "Querverweistabelle (xref) defekt; das PDF wurde nachsichtig gelesen und repariert"
        )
    return OpenedPdf(reader=reader, data=data, sha256=digest, warnings=warnings)
