"""Acrobat format actions (AFNumber_Format, AFDate_FormatEx, AFSpecial_Format) and values.

The JavaScript in a field's /AA is never run; its well-known AF* calls are read as data,
because they are the only place a PDF says "this is a date" or "this has two decimals".
"""

from __future__ import annotations

import datetime as dt
import re

_NUMBER = re.compile(r"AF(?:Number|Percent)_(?:Format|Keystroke)\s*\(\s*(\d+)\s*,\s*(\d+)")
_DATE_EX = re.compile(r"AFDate_(?:FormatEx|KeystrokeEx)\s*\(\s*[\"']([^\"']*)[\"']")
_DATE_LEGACY = re.compile(r"AFDate_(?:Format|Keystroke)\s*\(\s*(\d+)\s*\)")
_SPECIAL = re.compile(r"AFSpecial_(?:Format|Keystroke)\s*\(\s*(\d+)\s*\)")

# AFDate_Format(n) indexes this list (Acrobat JavaScript API, AFDate_Format).
_LEGACY_DATE_FORMATS = [
    "m/d",
    "m/d/yy",
    "mm/dd/yy",
    "mm/yy",
    "d-mmm",
    "d-mmm-yy",
    "dd-mmm-yy",
    "yy-mm-dd",
    "mmm-yy",
    "mmmm-yy",
    "mmm d, yyyy",
    "mmmm d, yyyy",
    "m/d/yy h:MM tt",
    "m/d/yy HH:MM",
]
# Acrobat prints month names in English whatever the locale.
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_TOKEN = re.compile(r"yyyy|yy|mmmm|mmm|mm|m|dd|d|HH|H|hh|h|MM|M|ss|s|tt")

# AFSpecial_Format(n): schema fragments for the web form.
SPECIAL_FORMATS: dict[int, dict] = {
    0: {"pattern": "^[0-9]{5}$", "autocomplete": "postal-code", "name": "Postleitzahl"},
    1: {"pattern": "^[0-9]{5}-?[0-9]{4}$", "autocomplete": "postal-code", "name": "ZIP+4"},
    2: {"pattern": "^[+]?[0-9][0-9 ()/-]{3,29}$", "autocomplete": "tel", "name": "Telefon"},
    3: {"pattern": "^[0-9]{3}-?[0-9]{2}-?[0-9]{4}$", "autocomplete": None, "name": "SSN"},
}


def parse_format_scripts(scripts: list[str]) -> dict:
    """Read the AF* calls from format/keystroke scripts.

    Returns {"number": {"decimals", "sepStyle"}} or {"date": fmt} or {"special": n}, or {}.
    The format script is passed first, so it wins over the keystroke script.
    """
    for script in scripts:
        if match := _DATE_EX.search(script):
            return {"date": match.group(1).strip() or "mm/dd/yyyy"}
        if match := _DATE_LEGACY.search(script):
            index = int(match.group(1))
            if index < len(_LEGACY_DATE_FORMATS):
                return {"date": _LEGACY_DATE_FORMATS[index]}
        if match := _NUMBER.search(script):
            return {"number": {"decimals": int(match.group(1)), "sepStyle": int(match.group(2))}}
        if match := _SPECIAL.search(script):
            return (
                {"special": int(match.group(1))} if int(match.group(1)) in SPECIAL_FORMATS else {}
            )
    return {}


def format_date(iso: str, fmt: str) -> str:
    """Write an ISO date (YYYY-MM-DD) the way the PDF's AFDate format shows it."""
    day = dt.date.fromisoformat(iso)

    def token(match: re.Match[str]) -> str:
        t = match.group(0)
        values = {
            "yyyy": f"{day.year:04d}",
            "yy": f"{day.year % 100:02d}",
            "mmmm": _MONTHS[day.month - 1],
            "mmm": _MONTHS[day.month - 1][:3],
            "mm": f"{day.month:02d}",
            "m": str(day.month),
            "dd": f"{day.day:02d}",
            "d": str(day.day),
            "tt": "am",
        }
        return values.get(t, "00" if t.isupper() or t in ("hh", "h", "ss", "s") else "")

    return _TOKEN.sub(token, fmt)


def parse_date(text: str, fmt: str) -> str | None:
    """Read a date written in the PDF's format back to ISO; None if it does not match."""
    groups: list[str] = []
    pattern = ""
    pos = 0
    for match in _TOKEN.finditer(fmt):
        pattern += re.escape(fmt[pos : match.start()])
        t = match.group(0)
        groups.append(t)
        if t == "yyyy":
            pattern += r"(\d{4})"
        elif t in ("mmmm", "mmm"):
            pattern += r"([A-Za-z]+)"
        elif t == "tt":
            pattern += r"([AaPp][Mm])"
        else:
            pattern += r"(\d{1,2})"
        pos = match.end()
    pattern += re.escape(fmt[pos:])
    match = re.fullmatch(pattern, text.strip())
    if not match:
        return None
    year = month = day = None
    for t, value in zip(groups, match.groups(), strict=True):
        if t == "yyyy":
            year = int(value)
        elif t == "yy":
            year = 2000 + int(value) if int(value) < 70 else 1900 + int(value)
        elif t in ("mm", "m"):
            month = int(value)
        elif t in ("mmmm", "mmm"):
            names = [m.lower() for m in _MONTHS]
            hits = [i for i, n in enumerate(names) if n.startswith(value.lower()[:3])]
            month = hits[0] + 1 if hits else None
        elif t in ("dd", "d"):
            day = int(value)
    if year is None or month is None or day is None:
        return None
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def format_number(value: float, decimals: int, sep_style: int) -> str:
    """Show a number as AFNumber_Format(decimals, sepStyle) does (1,234.56 / 1.234,56 / …)."""
    text = f"{abs(value):,.{decimals}f}"  # "1,234.56"
    whole, _, frac = text.partition(".")
    if sep_style == 1:
        whole = whole.replace(",", "")
    elif sep_style == 2:
        whole, frac_sep = whole.replace(",", "."), ","
        return ("-" if value < 0 else "") + whole + (frac_sep + frac if frac else "")
    elif sep_style == 3:
        return ("-" if value < 0 else "") + whole.replace(",", "") + ("," + frac if frac else "")
    elif sep_style == 4:
        whole = whole.replace(",", "'")
    return ("-" if value < 0 else "") + whole + ("." + frac if frac else "")


def raw_number(value: float, decimals: int) -> str:
    """The plain value Acrobat keeps in /V for a number field ("1234.5" for 1.234,50)."""
    if decimals == 0:
        return str(round(value))
    return f"{value:.{decimals}f}"


def parse_number(text: str) -> float | None:
    """Read a number as it may stand in /V: "1234.5", "1.234,50", "1,234.50", "12,5"."""
    cleaned = re.sub(r"[\s'€$%]", "", text)
    if "," in cleaned and "." in cleaned:
        # Whichever separator comes last is the decimal one.
        if cleaned.rfind(",") > cleaned.rfind("."):
            cleaned = cleaned.replace(".", "").replace(",", ".")
        else:
            cleaned = cleaned.replace(",", "")
    elif cleaned.count(",") == 1:
        cleaned = cleaned.replace(",", ".")  # German decimal comma
    else:
        cleaned = cleaned.replace(",", "")
    try:
        return float(cleaned)
    except ValueError:
        return None
