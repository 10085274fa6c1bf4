"""Reading order of fields, headings in the page text, and steps (per page or per section)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .labels import TextLine, clean_label, shorten
from .model import PdfField, Widget


@dataclass(frozen=True)
class Heading:
    page: int
    y: float
    title: str
    x: float = 0.0


def reading_order(fields: list[PdfField]) -> list[PdfField]:
    """Sort fields by page, then rows top to bottom, then left to right.

    Widgets whose tops lie within a row tolerance (half the smaller height, at least 3 pt)
    form one row, so that fields on a visual line keep their left-to-right order even when
    their rectangles are a little offset.
    """
    placed = [f for f in fields if f.widgets]
    first: dict[int, Widget] = {
        id(f): min(f.widgets, key=lambda w: (w.page, -w.top, w.rect[0])) for f in placed
    }
    by_page: dict[int, list[PdfField]] = {}
    for field in placed:
        by_page.setdefault(first[id(field)].page, []).append(field)
    ordered: list[PdfField] = []
    for page in sorted(by_page):
        items = sorted(by_page[page], key=lambda f: -first[id(f)].top)
        rows: list[list[PdfField]] = []
        row_top = row_height = 0.0
        for field in items:
            widget = first[id(field)]
            tolerance = max(3.0, 0.5 * min(row_height or widget.height, widget.height))
            if rows and row_top - widget.top <= tolerance:
                rows[-1].append(field)
                row_height = min(row_height, widget.height)
            else:
                rows.append([field])
                row_top, row_height = widget.top, widget.height
        for row in rows:
            ordered += sorted(row, key=lambda f: first[id(f)].rect[0])
    for index, field in enumerate(ordered):
        field.order = index
    return ordered + [f for f in fields if not f.widgets]


def body_size(lines_per_page: dict[int, list[TextLine]]) -> float:
    """The most common font size, weighted by characters: the size of running text."""
    sizes: Counter[float] = Counter()
    for lines in lines_per_page.values():
        for line in lines:
            sizes[round(line.size, 1)] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


_NUMBERED = re.compile(r"^\s*(?:[A-Z]|\d{1,2}|[IVX]{1,4})[.)]\s+\S")


def find_headings(
    lines_per_page: dict[int, list[TextLine]],
) -> tuple[list[Heading], list[TextLine]]:
    """Lines that look like section headings: clearly larger than running text, or bold and
    numbered ("2. Angaben zum Kind"); short, with letters. Returns the headings and the
    lines they were made of."""
    body = body_size(lines_per_page)
    headings: list[Heading] = []
    heading_lines: list[list[TextLine]] = []
    for page, lines in sorted(lines_per_page.items()):
        for line in lines:
            text = clean_label(line.text)
            if not text or len(text) > 80 or sum(c.isalpha() for c in text) < 3:
                continue
            if line.size >= 1.2 * body or (line.bold and _NUMBERED.match(line.text)):
                last = headings[-1] if headings else None
                if (
                    last
                    and last.page == page
                    and 0 < last.y - line.y <= 1.6 * line.size
                    and abs(last.x - line.x) < 20
                ):
                    # A heading set on two lines ("Third Party" / "Designee") is one heading.
                    merged = shorten(f"{last.title} {text}", 80)
                    headings[-1] = Heading(page=page, y=line.y, title=merged, x=last.x)
                    heading_lines[-1].append(line)
                    continue
                headings.append(Heading(page=page, y=line.y, title=shorten(text, 80), x=line.x))
                heading_lines.append([line])
    return headings, [line for group in heading_lines for line in group]


def _section_of(field: PdfField, headings: list[Heading]) -> int:
    """Index of the heading a field belongs to; -1 if none precedes it.

    That is the last heading above the field (or on an earlier page). Headings side by side
    on one row head columns: the field takes the one at or left of its own x position.
    """
    widget = min(field.widgets, key=lambda w: (w.page, -w.top, w.rect[0]))
    before = [
        i
        for i, h in enumerate(headings)
        if h.page < widget.page or (h.page == widget.page and h.y > widget.top - 2)
    ]
    if not before:
        return -1
    last = headings[before[-1]]
    row = [i for i in before if headings[i].page == last.page and abs(headings[i].y - last.y) < 3]
    left = [i for i in row if headings[i].x <= widget.rect[0] + 5]
    return max(left, key=lambda i: headings[i].x) if left else row[0]


def plan_steps(
    fields: list[PdfField], headings: list[Heading]
) -> tuple[str, list[tuple[str, list[PdfField]]]]:
    """Group fields (in reading order) into steps.

    Per section when headings are given and split the fields into at least two non-empty
    sections, otherwise per page. Returns the mode ("sections" or "pages") and
    [(title, fields)].
    """
    placed = [f for f in fields if f.widgets]
    if headings:
        sections: dict[int, list[PdfField]] = {}
        for field in placed:
            sections.setdefault(_section_of(field, headings), []).append(field)
        if len(sections) >= 2:
            steps = []
            for index in sorted(sections):
                title = headings[index].title if index >= 0 else "Allgemeine Angaben"
                steps.append((title, sections[index]))
            return "sections", steps
    pages: dict[int, list[PdfField]] = {}
    for field in placed:
        pages.setdefault(min(w.page for w in field.widgets), []).append(field)
    return "pages", [(f"Seite {page + 1}", pages[page]) for page in sorted(pages)]
