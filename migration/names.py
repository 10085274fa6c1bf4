"""Safe identifiers from arbitrary PDF names: property keys, service ids, step ids."""

from __future__ import annotations

import re
import unicodedata

_GERMAN = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_MAX_KEY = 60


def ascii_text(text: str) -> str:
    """German umlauts spelled out, other accents dropped, everything else non-ASCII removed."""
    text = unicodedata.normalize("NFKD", text.translate(_GERMAN))
    return text.encode("ascii", "ignore").decode("ascii")


def slugify(text: str, fallback: str = "formular") -> str:
    """'Antrag auf Wohngeld (2024).pdf' → 'antrag-auf-wohngeld-2024-pdf': [a-z0-9] and '-'."""
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text(text).lower()).strip("-")
    return slug[:80].strip("-") or fallback


def property_key(name: str) -> str:
    """A lowerCamelCase key matching [A-Za-z][A-Za-z0-9]* from a partial field name.

    'Name_First' → 'nameFirst', 'c1_01[0]' → 'c101', 'Straße & Nr.' → 'strasseNr',
    'Prefix ⚽️' → 'prefix', '1' → 'feld1'.
    """
    name = re.sub(r"\[0\]$", "", name)
    name = re.sub(r"\[(\d+)\]", r" \1", name)
    words = re.findall(r"[A-Za-z0-9]+", _CAMEL.sub(" ", ascii_text(name)))
    if not words:
        return "feld"
    key = words[0].lower() + "".join(w[:1].upper() + w[1:].lower() for w in words[1:])
    if not key[0].isalpha():
        key = "feld" + key
    return key[:_MAX_KEY]


def unique(key: str, taken: set[str]) -> str:
    """`key`, or `key2`, `key3`, … whichever is not in `taken`; adds the result to `taken`."""
    candidate, n = key, 2
    while candidate in taken:
        candidate = f"{key}{n}"
        n += 1
    taken.add(candidate)
    return candidate


def unique_slug(slug: str, taken: set[str]) -> str:
    candidate, n = slug, 2
    while candidate in taken:
        candidate = f"{slug}-{n}"
        n += 1
    taken.add(candidate)
    return candidate
