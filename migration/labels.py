"""Labels: the tooltip, else the page text next to the widget, else the field name.

Page text comes as positioned pieces (see pagetext.py); the tolerances below absorb the
small differences between where a label ends and where its field begins.
"""

from __future__ import annotations

import re
from typing import Any

from .model import PdfField, Widget
from .pagetext import TextPiece, page_pieces

_MAX_TITLE = 120


#: A line of text is a piece merged from several show operations: the same shape.
TextLine = TextPiece


def page_lines(page: Any) -> list[TextLine]:
    """Positioned text lines of a page, top to bottom, left to right.

    Pieces on one baseline merge when the gap between them is about a word space; a wider
    gap (where a field or a column usually sits) starts a new line.
    """
    pieces = sorted(page_pieces(page), key=lambda p: (-round(p.y), p.x))
    lines: list[TextLine] = []
    for piece in pieces:
        last = lines[-1] if lines else None
        size = max(last.size, piece.size) if last else piece.size
        if (
            last is not None
            and abs(last.y - piece.y) <= 0.3 * size
            and -0.5 * size <= piece.x - last.right <= 0.8 * size
        ):
            gap = "" if piece.x - last.right < 0.15 * size or piece.text[:1] == " " else " "
            lines[-1] = TextLine(
                last.text + gap + piece.text, last.x, last.y, last.size, piece.right, last.bold
            )
        else:
            lines.append(
                TextLine(piece.text, piece.x, piece.y, piece.size, piece.right, piece.bold)
            )
    return [
        TextLine(" ".join(ln.text.split()), ln.x, ln.y, ln.size, ln.right, ln.bold)
        for ln in lines
        if ln.text.strip()
    ]


_NUMBERING = re.compile(r"^\s*(?:\(?\d{1,3}(?:\.\d{1,3})*[.)]?|\(?[a-zA-Z][.)]|[-–•*])\s+")
_LEADERS = re.compile(r"(?:\s?[_.…]){2,}|_")


def clean_label(text: str) -> str:
    """Strip numbering, colons, asterisks, underscores and dot leaders from page text."""
    text = _LEADERS.sub(" ", text)
    text = " ".join(text.split())
    text = _NUMBERING.sub("", text)
    text = text.strip(" :*|-–")
    return text if sum(ch.isalpha() for ch in text) >= 2 else ""


def shorten(text: str, limit: int = _MAX_TITLE) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + " …"


def _vertical_center(line: TextLine) -> float:
    return line.y + 0.35 * line.size


# Penalties in points per direction. The order for fields is: same line to the
# left, above, below; check boxes and radio buttons are labelled on their right.
TEXT_ORDER = {"left": 0.0, "above": 1.0, "below": 3.0}
BOX_ORDER = {"right": 0.0, "left": 2.0, "above": 4.0, "below": 6.0}
OPTION_ORDER = {"right": 0.0, "left": 3.0}


def _candidates(
    widget: Widget, lines: list[TextLine], order: dict[str, float]
) -> list[tuple[float, int]]:
    """(cost, line index) of the lines near the widget: distance plus direction penalty."""
    x1, y1, x2, y2 = widget.rect
    center = (y1 + y2) / 2
    found: list[tuple[float, int]] = []
    for index, ln in enumerate(lines):
        if ln.y > y2 + 1.2 * ln.size + 8 or ln.y < y1 - 1.5 * ln.size - 6 - (y2 - y1):
            continue  # too far above or below for any direction
        if x1 - 1 <= ln.x <= x2 and y1 <= ln.y <= y2:
            continue  # text inside the field is a printed hint or value, not its label
        same_row = abs(_vertical_center(ln) - center) <= max((y2 - y1) / 2, 0.6 * ln.size)
        overlaps = ln.x < x2 and ln.right > x1 - 5 and ln.x >= x1 - 60
        offset = 0.05 * abs(ln.x - x1)
        if "left" in order and same_row and ln.x < x1 and ln.right <= x1 + ln.size:
            if x1 - ln.right < 250:
                found.append((max(0.0, x1 - ln.right) + order["left"], index))
        elif "right" in order and same_row and ln.x >= x2 - 2 and ln.x - x2 < 3 * ln.size + 20:
            found.append((max(0.0, ln.x - x2) + order["right"], index))
        elif "above" in order and overlaps and y2 - 1 < ln.y <= y2 + 1.2 * ln.size + 8:
            found.append((max(0.0, ln.y - y2) + offset + order["above"], index))
        elif "below" in order and overlaps and y1 - 1.5 * ln.size - 6 <= ln.y < y1 - 0.5:
            found.append((max(0.0, y1 - ln.y - 0.7 * ln.size) + offset + order["below"], index))
    return sorted(found)


def label_from_page(widget: Widget, lines: list[TextLine], order: dict[str, float]) -> str:
    """The cleaned text nearest the widget, or "" when nothing fits."""
    for _, index in _candidates(widget, lines, order):
        if label := clean_label(lines[index].text):
            return shorten(label)
    return ""


def _first(field: PdfField) -> Widget:
    return min(field.widgets, key=lambda w: (w.page, -w.top, w.rect[0]))


def assign_labels(fields: list[PdfField], lines_per_page: dict[int, list[TextLine]]) -> None:
    """Set `label` and `label_source` on every data field.

    A tooltip wins. Otherwise each line of page text labels at most one field: candidates
    of all fields are taken cheapest first, so that in a grid of fields with their labels
    printed underneath, "AGE" labels the field above it and not the one below.
    """
    used: set[tuple[int, int]] = set()
    wanted: list[tuple[float, int, int, int, str]] = []
    for number, field in enumerate(fields):
        if not field.is_data or not field.widgets:
            continue
        if field.tooltip and clean_label(field.tooltip):
            field.label, field.label_source = shorten(field.tooltip), "tooltip"
            continue
        field.label, field.label_source = "", "fieldName"
        if field.kind == "radio" and len(field.widgets) > 1:
            # The text right of each button names that option; reserve it.
            for widget in field.widgets:
                lines = lines_per_page.get(widget.page, [])
                for _, index in _candidates(widget, lines, OPTION_ORDER)[:1]:
                    used.add((widget.page, index))
        first = _first(field)
        order = BOX_ORDER if field.kind == "checkbox" else TEXT_ORDER
        lines = lines_per_page.get(first.page, [])
        for cost, index in _candidates(first, lines, order):
            if label := clean_label(lines[index].text):
                wanted.append((cost, number, first.page, index, shorten(label)))
    for _, number, page, index, label in sorted(wanted):
        field = fields[number]
        if field.label or (page, index) in used:
            continue
        field.label, field.label_source = label, "pageText"
        used.add((page, index))
    for number, field in enumerate(fields, start=1):
        if field.is_data and not field.label:
            field.label = readable_name(field.parts[-1]) or f"Feld {number}"
            field.label_source = "fieldName"


_CAMEL = re.compile(r"(?<=[a-zäöüß])(?=[A-ZÄÖÜ])|(?<=[A-Z])(?=[A-Z][a-z])")


def readable_name(name: str) -> str:
    """A readable title from a partial field name: 'Name_First[0]' → 'Name First'."""
    name = re.sub(r"\[0\]$", "", name)
    name = re.sub(r"\[(\d+)\]", lambda m: f" {int(m.group(1)) + 1}", name)
    name = _CAMEL.sub(" ", name)
    name = re.sub(r"[_.#+/\\]+", " ", name)
    words = [w for w in re.findall(r"[\wÄÖÜäöüß()'-]+", name) if any(c.isalnum() for c in w)]
    text = " ".join(words).strip()
    return (text[:1].upper() + text[1:]) if text else ""


def option_titles(field: PdfField, lines_per_page: dict[int, list[TextLine]]) -> dict[str, str]:
    """Titles for radio options from the text right of each button (state → title)."""
    titles: dict[str, str] = {}
    for widget in field.widgets:
        if widget.state and widget.state not in titles:
            text = label_from_page(widget, lines_per_page.get(widget.page, []), OPTION_ORDER)
            if text:
                titles[widget.state] = text
    return titles
