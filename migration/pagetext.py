"""Positioned text of a page: one entry per text-show operation, with its real extent.

Label inference needs to know that "Single" starts right of a checkbox while "Filing Status"
ends left of it. pypdf's public `extract_text(visitor_text=…)` reports *runs*: everything
shown on one line within one BT/ET with the same font arrives as one string at the position
of its first glyph, so a label and the next label merge. pypdf's layout mode measures every
Tj/TJ operation on its own (start, end, font size); we use its building blocks and fall
back to the public visitor when they are missing (another pypdf version) or find nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

_WIDTH_PER_CHAR = 0.5  # of the font size, for the fallback that has no glyph widths


@dataclass(frozen=True)
class TextPiece:
    """Text drawn by one show operation (or a merged line of them)."""

    text: str
    x: float
    y: float  # baseline
    size: float
    right: float
    bold: bool = False


def page_pieces(page: Any) -> list[TextPiece]:
    """Text pieces of a page in content order; [] if the text cannot be read."""
    try:
        pieces = _show_op_pieces(page)
    except Exception:  # pypdf internals moved, or a damaged content stream
        pieces = []
    if not pieces:
        pieces = _visitor_pieces(page)
    return pieces


def _show_op_pieces(page: Any) -> list[TextPiece]:
    from pypdf.generic import ArrayObject, ContentStream, StreamObject

    try:
        from pypdf._text_extraction._layout_mode._fixed_width_page import (
            recurse_to_target_op,
            set_font_operation,
        )
        from pypdf._text_extraction._layout_mode._text_state_manager import TextStateManager
    except ImportError:
        return []
    contents = page.get("/Contents")
    contents = contents.get_object() if contents is not None else None
    if not isinstance(contents, ArrayObject | StreamObject):
        return []
    fonts = page._layout_mode_fonts()
    ops = iter(ContentStream(contents, page.pdf, "bytes").operations)
    state = TextStateManager()
    show_ops: list[Any] = []
    for operands, op in ops:
        if op in (b"BT", b"q"):
            _, found = recurse_to_target_op(ops, state, b"ET" if op == b"BT" else b"Q", fonts, True)
            show_ops.extend(found)
        elif op == b"Tf":
            set_font_operation(state, fonts, operands)
        else:
            state.set_state_param(op, operands)
    pieces: list[TextPiece] = []
    for tj in show_ops:
        if tj.rotated or not tj.text.strip() or not tj.font.interpretable:
            continue
        size = abs(tj.font_height) or abs(tj.font_size) or 1.0
        bold = "bold" in str(getattr(tj.font, "name", "")).lower()
        x1, x2 = sorted((tj.tx, tj.displaced_tx))
        pieces.append(TextPiece(tj.text, x1, tj.ty, size, max(x2, x1 + 0.1), bold))
    return pieces


def _visitor_pieces(page: Any) -> list[TextPiece]:
    pieces: list[TextPiece] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if not text or not text.strip():
            return
        _, _, c, d, e, f = tm
        ca, cb, cc, cd, ce, cf = cm
        x = e * ca + f * cc + ce
        y = e * cb + f * cd + cf
        height = abs(size * (math.hypot(c * ca + d * cc, c * cb + d * cd) or 1.0)) or 1.0
        bold = hasattr(font, "get") and "bold" in str(font.get("/BaseFont", "")).lower()
        for part in text.split("\n"):
            if part.strip():
                right = x + len(part) * height * _WIDTH_PER_CHAR
                pieces.append(TextPiece(part, x, y, height, right, bold))

    try:
        page.extract_text(visitor_text=visit)
    except Exception:  # no labels from an unreadable page, never an error
        return []
    return pieces
