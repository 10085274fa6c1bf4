"""File types formwerk recognises by their content (magic bytes), never by name or header.

A browser's ``Content-Type`` comes from the file extension, and the extension is whatever
the sender typed, so neither says what a file *is*. The first bytes do: a Windows program
starts with ``MZ``, a script with ``#!``, a PDF with ``%PDF-``. Only types in the table
below can ever be accepted; anything ``sniff_media_type`` does not recognise is refused.

The default for a file field is PDF, JPG and PNG: what every Fachverfahren and e-Akte can
display and what a phone or scanner produces. TIFF (scanners), HEIC (iPhone photos),
WebP and office documents (ODT/ODS, DOCX/XLSX) are recognised so that a definition may
list them in ``x-ui.accept``; office documents with macros are refused.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from renderer.uploads.display import shorten, split_extension

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
TIFF = "image/tiff"
HEIC = "image/heic"
HEIF = "image/heif"
WEBP = "image/webp"
ZIP = "application/zip"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: Accepted when a file field has no ``x-ui.accept``.
DEFAULT_ACCEPT: tuple[str, ...] = (PDF, JPEG, PNG)

#: Bytes of a file's beginning that ``sniff_media_type`` needs at most.
SNIFF_BYTES = 512


@dataclass(frozen=True, slots=True)
class FileType:
    """A recognised type: its media type, its name for citizens and its extensions."""

    media_type: str
    word: str  # "PDF", "JPG": how the type is named in messages
    extensions: tuple[str, ...]  # lower case with dot; the first is added to bare names


FILE_TYPES: dict[str, FileType] = {
    t.media_type: t
    for t in (
        FileType(PDF, "PDF", (".pdf",)),
        FileType(JPEG, "JPG", (".jpg", ".jpeg", ".jpe", ".jfif")),
        FileType(PNG, "PNG", (".png",)),
        FileType(TIFF, "TIFF", (".tif", ".tiff")),
        FileType(HEIC, "HEIC", (".heic", ".heif")),
        FileType(HEIF, "HEIF", (".heif", ".heic")),
        FileType(WEBP, "WebP", (".webp",)),
        FileType(ODT, "ODT", (".odt",)),
        FileType(ODS, "ODS", (".ods",)),
        FileType(DOCX, "DOCX", (".docx",)),
        FileType(XLSX, "XLSX", (".xlsx",)),
        FileType(ZIP, "ZIP", (".zip",)),
    )
}

#: Types that are ZIP containers: their first bytes only say "ZIP", so the finished file's
#: directory is inspected (``inspect_zip``) before one of them is accepted.
ZIP_BASED = frozenset({ZIP, ODT, ODS, DOCX, XLSX})

_KNOWN_EXTENSIONS = frozenset(ext for t in FILE_TYPES.values() for ext in t.extensions)
# ISO base media file format brands (ISO/IEC 23008-12): HEVC-coded images are HEIC.
_HEIC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"})
_HEIF_BRANDS = frozenset({b"mif1", b"msf1"})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
_ODF_TYPES = {ODT.encode(): ODT, ODS.encode(): ODS}
MAX_ZIP_ENTRIES = 10_000


def sniff_media_type(head: bytes) -> str | None:
    """The media type of a file from its first bytes (up to ``SNIFF_BYTES``), or None.

    None means "not a type formwerk knows", which is always refused. ZIP-based office
    files may come back as ``application/zip``; ``inspect_zip`` tells them apart.
    """
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return TIFF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[4:8] == b"ftyp":
        return _sniff_isobmff(head)
    if head.startswith(b"PK\x03\x04"):
        return _sniff_odf(head) or ZIP
    return None


def _sniff_isobmff(head: bytes) -> str | None:
    box_end = min(int.from_bytes(head[0:4], "big"), len(head))
    major = head[8:12]
    if major in _AVIF_BRANDS:
        return None  # AVIF also lists "mif1"; no e-Akte viewer shows it yet
    brands = {major} | {head[i : i + 4] for i in range(16, box_end - 3, 4)}
    if brands & _HEIC_BRANDS:
        return HEIC
    if brands & _HEIF_BRANDS:
        return HEIF
    return None


def _sniff_odf(head: bytes) -> str | None:
    # ODF 1.2 part 3, 3.3: "mimetype" is the first entry, stored uncompressed, so its
    # content follows the 30-byte local file header, the name and the extra field.
    name_len = int.from_bytes(head[26:28], "little")
    extra_len = int.from_bytes(head[28:30], "little")
    if head[30 : 30 + name_len] != b"mimetype" or head[8:10] != b"\x00\x00":
        return None
    start = 30 + name_len + extra_len
    content = head[start : start + int.from_bytes(head[18:22], "little")]
    return _ODF_TYPES.get(content)


def inspect_zip(path: Path) -> str | None:
    """The type of a complete ZIP-based file, or None if it is unreadable or has macros.

    Reads only the ZIP directory (and the tiny ODF ``mimetype`` entry); nothing is
    unpacked. Returns ``application/zip`` for a ZIP that is no known office format.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_ENTRIES:
                return None
            names = {info.filename for info in infos}
            if any(_is_macro(name) for name in names):
                return None
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 100:
                odf = _ODF_TYPES.get(archive.read("mimetype").strip())
                if odf is not None:
                    return odf
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        return None
    except NotImplementedError:  # an exotic compression method on "mimetype"
        return None
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
    return ZIP


def _is_macro(name: str) -> bool:
    # VBA in OOXML (.docm, .xlsm); Basic and scripts in ODF. Macros run on the clerk's PC.
    lower = name.lower()
    return lower.endswith("vbaproject.bin") or lower.startswith(("basic/", "scripts/"))


def describe_types(media_types: Iterable[str]) -> str:
    """The accepted types in words for a message: ``"PDF, JPG oder PNG"``."""
    words: list[str] = []
    for media_type in media_types:
        file_type = FILE_TYPES.get(media_type)
        word = file_type.word if file_type else media_type
        if word not in words:
            words.append(word)
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} oder {words[-1]}"


def with_matching_extension(name: str, media_type: str) -> str:
    """``name`` with an extension that fits its content, so the clerk's PC opens it right.

    ``Scan.PDF`` stays; ``Foto.png`` holding a JPEG becomes ``Foto.jpg``; a name without
    a known extension gets one appended (``Bescheid.exe`` holding a PDF becomes
    ``Bescheid.exe.pdf``): the name never makes a document look like a program.
    """
    file_type = FILE_TYPES.get(media_type)
    if file_type is None:
        return name
    stem, ext = split_extension(name)
    if ext.lower() in file_type.extensions:
        return name
    base = stem if ext.lower() in _KNOWN_EXTENSIONS else name
    return shorten(base + file_type.extensions[0])
