"""The receipt's fonts: Fira Sans (the KERN UX typeface the portal uses) and IBM Plex Mono.

Both come as TrueType files in PyPI packages (``fontpkg-fira-sans``, ``fontpkg-ibm-plex-mono``)
so ``pip install -e .`` brings them; no system font is used. Fira Sans covers Latin with
all its extensions, Cyrillic and Greek; Plex Mono is used for hex hashes only (it has no
Greek). reportlab embeds subsets with a ToUnicode map, so text extraction works.
"""

from __future__ import annotations

import threading
from importlib import resources
from pathlib import Path

SANS = "FiraSans"
SANS_BOLD = "FiraSans-Bold"
MONO = "IBMPlexMono"

_FILES = {
    SANS: ("fontpkg_fira_sans", "FiraSans-Regular.ttf"),
    SANS_BOLD: ("fontpkg_fira_sans", "FiraSans-Bold.ttf"),
    MONO: ("fontpkg_ibm_plex_mono", "IBMPlexMono-Regular.ttf"),
}

_lock = threading.Lock()
_registered = False


def font_file(name: str) -> Path:
    """Path of one of the receipt's font files; fails loudly naming the missing package."""
    package, filename = _FILES[name]
    try:
        path = Path(str(resources.files(package) / "files" / filename))
    except ModuleNotFoundError:
        path = None
    if path is None or not path.is_file():
        dist = package.replace("_", "-")
        raise RuntimeError(
            f"Font {filename} is missing: the receipt needs the package '{dist}' "
            f"(pip install {dist}; it is a dependency in pyproject.toml)"
        )
    return path


def register_fonts() -> None:
    """Register the fonts with reportlab, once per process (parsing a TTF takes ~20 ms)."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        from reportlab.lib.fonts import addMapping
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        for name in _FILES:
            pdfmetrics.registerFont(TTFont(name, str(font_file(name))))
        # <b> in Paragraph markup picks the bold face; there is no italic in the receipt.
        for bold, italic, face in (
            (0, 0, SANS),
            (1, 0, SANS_BOLD),
            (0, 1, SANS),
            (1, 1, SANS_BOLD),
        ):
            addMapping(SANS, bold, italic, face)
        _registered = True
