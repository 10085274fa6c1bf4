"""The answers part of the receipt: summary rows as label/value tables and repeat tables.

A table cell cannot split across pages, so a long answer leaves the two-column table and
flows as paragraphs of its own, and a repeat table with a long cell becomes a sub-list.
A repeat table too wide for the page is turned round: fields down, entries across.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Table, TableStyle

from renderer.receipt._fonts import MONO, SANS, SANS_BOLD
from renderer.receipt._style import (
    LABEL_W,
    MUTED,
    RULE,
    SHADE,
    TABLE_FONT,
    WIDTH,
    indented,
    markup,
    styles,
)
from renderer.summary import Row, format_size
from renderer.summary import Table as Repeat

#: Characters; a longer answer gets paragraphs of its own instead of a table cell.
LONG_TEXT = 500
#: Characters per Paragraph for very long answers: wrapping cost stays linear.
CHUNK = 4000
#: Entries side by side when a repeat table is turned round.
MAX_ACROSS = 4
CELL_PAD = 4  # points left and right in table cells
INDENT = 4 * mm  # per nesting level, as in _style.indented


class AnswerLayout:
    """Turns the summary rows of one step into flowables."""

    def __init__(self, attachment_numbers: Mapping[str, int]) -> None:
        # sha256 or id of an attachment -> its number in the "Anlagen" list
        self.numbers = attachment_numbers

    def rows(self, rows: Sequence[Row], depth: int = 0, *, heading: str = "") -> list[Flowable]:
        """Flowables for a list of rows, nested ``depth`` levels deep. A repeat whose label
        repeats the ``heading`` just above it goes without its label."""
        out = _Collector()
        for row in rows:
            self._row(out, row, depth, heading)
        out.flush()
        return out.flowables

    def _row(self, out: _Collector, row: Row, depth: int, heading: str = "") -> None:
        st = styles()
        label = Paragraph(markup(row.label), indented("label", depth))
        if row.children:
            out.span(Paragraph(markup(row.label), indented("group", depth)))
            for child in row.children:
                self._row(out, child, depth + 1)
        elif row.table is not None:
            labels = [] if row.label == heading else [_block_label(row.label, depth)]
            out.block(*labels, *self._repeat(row.table, depth))
        elif row.files:
            out.line(label, Paragraph(self._files(row.files), st["value"]))
        elif len(row.text or "") > LONG_TEXT:
            # Not keepWithNext: that would move the whole first chunk (a page) along with
            # the label; it is enough that the label and a few lines start on one page.
            out.block(
                CondPageBreak(14 * mm),
                _block_label(row.label, depth, bold=False, keep=False),
                *long_paragraphs(row.text or "", indented("long", depth)),
            )
        else:
            out.line(label, Paragraph(markup(row.text or ""), st["value"]))

    def _files(self, refs: Sequence[Mapping[str, Any]]) -> str:
        """Name and size of each file, pointing to its entry under "Anlagen" (which shows
        the SHA-256); a file missing from that list shows its hash here."""
        lines = []
        for ref in refs:
            line = markup(ref.get("name") or ref.get("id") or "Datei")
            if isinstance(ref.get("size"), int | float):
                line += f" ({markup(format_size(ref['size']))})"
            number = self.numbers.get(str(ref.get("sha256"))) or self.numbers.get(
                str(ref.get("id"))
            )
            if number:
                line += f" <font color='{MUTED.hexval()}'>– Anlage {number}</font>"
            elif ref.get("sha256"):
                line += (
                    f"<br/><font name='{MONO}' size='7.5' color='{MUTED.hexval()}'>"
                    f"SHA-256 {markup(ref['sha256'])}</font>"
                )
            lines.append(line)
        return "<br/>".join(lines)

    def _repeat(self, table: Repeat, depth: int) -> list[Flowable]:
        if any(len(cell) > LONG_TEXT for row in table.rows for cell in row):
            return self._repeat_as_list(table, depth)
        width = WIDTH - depth * INDENT
        header = [table.item_label, *table.columns]
        body = [[str(number), *row] for number, row in enumerate(table.rows, start=1)]
        widths = fit_columns(header, body, width)
        if widths is None:
            return self._repeat_across(table, width)
        return [_grid([header, *body], widths)]

    def _repeat_across(self, table: Repeat, width: float) -> list[Flowable]:
        """Fields down, entries across, at most MAX_ACROSS entries per table."""
        grids: list[Flowable] = []
        label_w = min(LABEL_W, width * 0.4)
        for start in range(0, len(table.rows), MAX_ACROSS):
            chunk = table.rows[start : start + MAX_ACROSS]
            header = ["", *(f"{table.item_label} {start + n}" for n in range(1, len(chunk) + 1))]
            body = [[column, *(row[i] for row in chunk)] for i, column in enumerate(table.columns)]
            entry_w = (width - label_w) / len(chunk)
            grids.append(_grid([header, *body], [label_w, *[entry_w] * len(chunk)], across=True))
        return grids

    def _repeat_as_list(self, table: Repeat, depth: int) -> list[Flowable]:
        """Each entry as a group of label/value lines, so long cells can split pages."""
        entries = [
            Row(
                f"{table.item_label} {number}",
                (),
                children=tuple(
                    Row(column, (), text=cell)
                    for column, cell in zip(table.columns, row, strict=True)
                    if cell
                ),
            )
            for number, row in enumerate(table.rows, start=1)
        ]
        return self.rows(entries, depth + 1)


class _Collector:
    """Gathers label/value lines into two-column tables; a block ends the current table."""

    def __init__(self) -> None:
        self.flowables: list[Flowable] = []
        self._cells: list[list[Any]] = []
        self._spans: list[int] = []

    def line(self, label: Paragraph, value: Paragraph) -> None:
        self._cells.append([label, value])

    def span(self, label: Paragraph) -> None:
        self._spans.append(len(self._cells))
        self._cells.append([label, ""])

    def block(self, *flowables: Flowable) -> None:
        self.flush()
        self.flowables.extend(flowables)

    def flush(self) -> None:
        if not self._cells:
            return
        commands: list[tuple[Any, ...]] = [
            TABLE_FONT,
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (0, -1), 0),
            ("RIGHTPADDING", (0, 0), (0, -1), 8),
            ("LEFTPADDING", (1, 0), (1, -1), 0),
            ("RIGHTPADDING", (1, 0), (1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ]
        for r in self._spans:  # a group's label spans both columns, and never ends a page
            commands += [("SPAN", (0, r), (1, r)), ("NOSPLIT", (0, r), (1, r + 1))]
        self.flowables.append(
            Table(self._cells, colWidths=[LABEL_W, WIDTH - LABEL_W], hAlign="LEFT", style=commands)
        )
        self._cells, self._spans = [], []


def _block_label(label: str, depth: int, *, bold: bool = True, keep: bool = True) -> Paragraph:
    base = indented("group" if bold else "label", depth)
    style = ParagraphStyle(
        f"{base.name}-block", parent=base, spaceBefore=5, spaceAfter=3, keepWithNext=int(keep)
    )
    return Paragraph(markup(label), style)


def _grid(rows: list[list[str]], widths: list[float], *, across: bool = False) -> Table:
    """A repeat table, its header row repeated on every page. Cells that fit on one line
    stay plain strings (drawn as they are, no markup); the others wrap as Paragraphs.
    (Parsing a Paragraph per cell was most of the time of a long table.)"""
    st = styles()
    bold = [(0, 0), (-1, 0)] if not across else [(0, 0), (0, -1)]
    cells = [
        [
            _cell(text, st["head" if r == 0 or (across and c == 0) else "cell"], widths[c])
            for c, text in enumerate(row)
        ]
        for r, row in enumerate(rows)
    ]
    table = Table(cells, colWidths=widths, repeatRows=1, hAlign="RIGHT")
    table.setStyle(
        TableStyle(
            [
                TABLE_FONT,
                ("FONTNAME", (0, 0), (-1, 0), SANS_BOLD),
                ("FONTNAME", *bold, SANS_BOLD),
                ("FONTSIZE", (0, 0), (-1, -1), st["cell"].fontSize),
                ("LEADING", (0, 0), (-1, -1), st["cell"].leading),
                ("TEXTCOLOR", (0, 0), (-1, -1), st["cell"].textColor),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
                ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _cell(text: str, style: ParagraphStyle, width: float) -> str | Paragraph:
    """A plain string when the text is one printable line that fits, else a Paragraph."""
    if (
        text.isprintable()
        and stringWidth(text, style.fontName, style.fontSize) <= width - 2 * CELL_PAD
    ):
        return text
    return Paragraph(markup(text), style)


def fit_columns(header: list[str], body: list[list[str]], available: float) -> list[float] | None:
    """Column widths that fit ``available`` without breaking a word, or None if none do.

    Each column gets at least its longest word and, as far as room allows, its longest
    answer on one line and its header on two.
    """
    size = styles()["cell"].fontSize
    minimum, natural = [], []
    for j, head in enumerate(header):
        column = [row[j] for row in body]
        least = max(
            _longest_word(head, SANS_BOLD, size), *(_longest_word(c, SANS, size) for c in column)
        )
        # A header may take two lines; the answers should take one where there is room.
        whole = max(
            stringWidth(head, SANS_BOLD, size) / 2, *(stringWidth(c, SANS, size) for c in column)
        )
        least = min(least, 45 * mm) + 2 * CELL_PAD
        minimum.append(least)
        natural.append(max(min(whole, 70 * mm) + 2 * CELL_PAD, least))
    if sum(minimum) > available:
        return None
    if sum(natural) <= available:
        return [n * available / sum(natural) for n in natural]
    extra = available - sum(minimum)
    flex = [n - m for n, m in zip(natural, minimum, strict=True)]
    return [m + extra * f / sum(flex) for m, f in zip(minimum, flex, strict=True)]


def _longest_word(text: str, font: str, size: float) -> float:
    return max((stringWidth(word, font, size) for word in text.split()), default=0.0)


def long_paragraphs(text: str, style: ParagraphStyle) -> list[Paragraph]:
    """A long answer as Paragraphs (which split across pages), one per paragraph of the
    text, very long ones cut at a space every CHUNK characters."""
    out = []
    for part in re.split(r"\n[ \t]*\n", text):
        while part:
            if len(part) <= CHUNK:
                chunk, part = part, ""
            else:
                cut = _cut(part)
                chunk, part = part[:cut], part[cut:].lstrip(" \n")
            out.append(Paragraph(markup(chunk), style))
    return out


def _cut(text: str) -> int:
    """Where to end a chunk: a line end, else a sentence end, else a space, else anywhere.
    (Each chunk starts a new line, so a cut at a sentence's end goes unnoticed.)"""
    for mark in ("\n", ". ", " "):
        at = text.rfind(mark, CHUNK // 2, CHUNK)
        if at > 0:
            return at + 1 if mark == ". " else at  # the full stop stays with its sentence
    return CHUNK
