"""What citizens and clerks see of an upload: its display name and sizes in German."""

from __future__ import annotations

import re
import unicodedata

#: Longest display name kept; the attachment schema allows 255, receipts need far less.
MAX_NAME_LENGTH = 120
FALLBACK_NAME = "Datei"

# Control, format (bidi overrides such as U+202E, zero-width characters), surrogate,
# private-use and unassigned code points, and line/paragraph separators: none belongs in a
# name, and several can disguise "fdp.exe" as "exe.pdf" on screen.
_DROP_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# Characters Windows refuses in file names; a clerk saving the download would trip on them.
_WINDOWS_FORBIDDEN = re.compile(r'[<>:"|?*]')
_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{i}" for i in range(1, 10)}
    | {f"LPT{i}" for i in range(1, 10)}
)
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,10}$")


def safe_display_name(raw: str, max_length: int = MAX_NAME_LENGTH) -> str:
    """Turn a browser-supplied file name into a name that is safe to show and offer.

    Keeps only the last component of a Windows or POSIX path, drops control and bidi
    characters, normalises to NFC, removes leading dots, shortens long names while keeping
    the extension, and falls back to ``"Datei"``. The result is for display and for the
    download's ``Content-Disposition``; it is never used as a path.
    """
    if max_length < 1:
        raise ValueError("max_length must be at least 1")
    name = unicodedata.normalize("NFC", raw)
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(
        " " if unicodedata.category(ch) == "Zs" else ch
        for ch in name
        if unicodedata.category(ch) not in _DROP_CATEGORIES
    )
    name = _WINDOWS_FORBIDDEN.sub("_", name)
    name = re.sub(r" {2,}", " ", name)
    # Leading dots hide files on POSIX ("..", ".bashrc"); Windows drops trailing dots.
    name = name.strip(" ").lstrip(".").rstrip(". ").strip(" ")
    if not name:
        return FALLBACK_NAME[:max_length]
    if split_extension(name)[0].upper() in _WINDOWS_RESERVED:
        name = f"_{name}"
    return shorten(name, max_length)


def split_extension(name: str) -> tuple[str, str]:
    """Split ``"Bescheid.PDF"`` into ``("Bescheid", ".PDF")``; ``ext`` is ``""`` if none."""
    match = _EXTENSION.search(name)
    if match is None or match.start() == 0:
        return name, ""
    return name[: match.start()], match.group()


def shorten(name: str, max_length: int = MAX_NAME_LENGTH) -> str:
    """Shorten ``name`` to ``max_length`` characters, keeping its extension if it fits."""
    if len(name) <= max_length:
        return name
    stem, ext = split_extension(name)
    if not ext or len(ext) >= max_length:
        return name[:max_length].rstrip(" .") or FALLBACK_NAME[:max_length]
    stem = stem[: max_length - len(ext)].rstrip(" .")
    return f"{stem or FALLBACK_NAME[: max_length - len(ext)]}{ext}"


_UNITS = ("KB", "MB", "GB", "TB")


def format_bytes(n: int) -> str:
    """A size as Germans read it: ``"850 Bytes"``, ``"1,2 MB"``, ``"10 MB"``.

    Steps of 1024, because limits are set in MiB (``x-ui.maxBytes`` 10485760 is "10 MB"
    in every definition text). One decimal below 10, whole numbers above.
    """
    if n < 0:
        raise ValueError("a size cannot be negative")
    if n < 1024:
        return "1 Byte" if n == 1 else f"{n} Bytes"
    value = float(n)
    for unit in _UNITS:
        value /= 1024
        text = f"{value:.1f}" if value < 9.95 else f"{value:.0f}"
        if float(text) < 1024 or unit == _UNITS[-1]:
            return f"{text.removesuffix('.0').replace('.', ',')} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover
