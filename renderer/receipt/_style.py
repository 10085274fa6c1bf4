"""Page geometry, colours, paragraph styles and text escaping shared by the receipt's parts."""

from __future__ import annotations

import functools
import re
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm

from renderer.receipt._fonts import MONO, SANS, SANS_BOLD, register_fonts

PAGE_W, PAGE_H = A4
MARGIN_X = 20 * mm
MARGIN_TOP = 18 * mm
MARGIN_BOTTOM = 22 * mm  # room for the footer
WIDTH = PAGE_W - 2 * MARGIN_X  # the one text column
LABEL_W = WIDTH * 0.4  # label column of the answers; the value gets the rest

INK = colors.HexColor("#1b1d21")
MUTED = colors.HexColor("#555b64")
ACCENT = colors.HexColor("#1d4f91")
RULE = colors.HexColor("#cfd4db")
SHADE = colors.HexColor("#eef2f7")

#: Every table names the body font: a table's default is Helvetica, which would be
#: referenced (not embedded) on every page although no text uses it.
TABLE_FONT = ("FONTNAME", (0, 0), (-1, -1), SANS)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def markup(text: Any) -> str:
    """Text as Paragraph markup: "<b>&" prints literally, line breaks are kept.

    Control characters are dropped: the Paragraph parser is XML and rejects them.
    """
    clean = _CONTROL.sub("", str(text)).replace("\r\n", "\n").replace("\r", "\n")
    return escape(clean.replace("\t", " ")).replace("\n", "<br/>")


@functools.cache
def styles() -> dict[str, ParagraphStyle]:
    """The receipt's paragraph styles, built once (after the fonts are registered)."""
    register_fonts()
    body = ParagraphStyle("body", fontName=SANS, fontSize=10, leading=14, textColor=INK)

    def style(name: str, parent: ParagraphStyle = body, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=parent, **kw)

    cell = style("cell", fontSize=8.5, leading=11)
    heading = {"fontName": SANS_BOLD, "keepWithNext": 1}
    return {
        "body": body,
        "para": style("para", spaceAfter=2 * mm),
        "kind": style("kind", fontSize=8.5, leading=11, textColor=MUTED),
        "org": style("org", fontName=SANS_BOLD, fontSize=15, leading=19, textColor=ACCENT),
        "contact": style("contact", fontSize=8.5, leading=11.5, textColor=MUTED),
        "title": style("title", fontName=SANS_BOLD, fontSize=20, leading=25),
        "service": style("service", fontSize=13, leading=17, spaceAfter=5 * mm),
        "key": style("key", fontSize=8.5, leading=11, textColor=MUTED),
        "fact": style("fact", fontSize=10.5, leading=14, spaceAfter=2.5 * mm),
        "reference": style(
            "reference",
            fontName=SANS_BOLD,
            fontSize=18,
            leading=22,
            textColor=ACCENT,
            spaceAfter=3 * mm,
        ),
        "caption": style(
            "caption", fontName=SANS_BOLD, fontSize=8.5, leading=11, alignment=TA_CENTER
        ),
        "url": style("url", fontSize=6.5, leading=8.5, textColor=MUTED, alignment=TA_CENTER),
        "h2": style(
            "h2",
            fontSize=13,
            leading=17,
            spaceBefore=6 * mm,
            spaceAfter=1.5 * mm,
            textColor=ACCENT,
            **heading,
        ),
        "h3": style(
            "h3", fontSize=11, leading=15, spaceBefore=4 * mm, spaceAfter=1 * mm, **heading
        ),
        "label": style("label", fontSize=9.5, leading=13, textColor=MUTED),
        "group": style("group", fontName=SANS_BOLD, fontSize=9.5, leading=13),
        "value": body,
        "long": style("long", spaceAfter=1.5 * mm),
        "cell": cell,
        "head": style("head", cell, fontName=SANS_BOLD),
        "hash": style("hash", fontName=MONO, fontSize=7.5, leading=10, textColor=MUTED),
    }


@functools.cache
def indented(name: str, depth: int) -> ParagraphStyle:
    """A style moved right by ``depth`` levels: how groups nest in the answer list."""
    base = styles()[name]
    return ParagraphStyle(
        f"{name}-{depth}", parent=base, leftIndent=base.leftIndent + depth * 4 * mm
    )
