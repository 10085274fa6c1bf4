"""The receipt's layout with reportlab platypus; imported by ``build_receipt`` on first use.

One A4 column: letterhead, title and reference box with the Postfach QR code, "Wie geht es
weiter?", the answers step by step (label/value tables, repeat tables), the attachments,
and a footer "Seite x von y" on every page.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from io import BytesIO
from typing import Any

from reportlab.graphics.barcode.qr import QrCode
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from form_definitions.authorities import Authority
from form_definitions.definition import ServiceDefinition
from renderer.receipt._answers import CELL_PAD, AnswerLayout
from renderer.receipt._fonts import MONO, SANS
from renderer.receipt._style import (
    ACCENT,
    INK,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    MUTED,
    PAGE_H,
    PAGE_W,
    RULE,
    SHADE,
    TABLE_FONT,
    WIDTH,
    markup,
    styles,
)
from renderer.summary import format_size, summarize

QR_SIZE = 30 * mm

MEDIA_TYPES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG-Bild",
    "image/png": "PNG-Bild",
}


class NumberedCanvas(Canvas):
    """A canvas that draws "Seite x von y": pages are kept until ``save`` knows y."""

    def __init__(self, *args: Any, footer: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        """Draw every kept page with its footer, then write the file."""
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._draw_footer(number, total)
            super().showPage()
        super().save()

    def _draw_footer(self, number: int, total: int) -> None:
        y = MARGIN_BOTTOM - 9 * mm
        self.saveState()
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(MARGIN_X, y + 4 * mm, PAGE_W - MARGIN_X, y + 4 * mm)
        self.setFillColor(MUTED)
        self.setFont(SANS, 8)
        page = f"Seite {number} von {total}"
        room = WIDTH - stringWidth(page, SANS, 8) - 6 * mm
        self.drawString(MARGIN_X, y, _shortened(self._footer, room, 8))
        self.drawRightString(PAGE_W - MARGIN_X, y, page)
        self.restoreState()


def _shortened(text: str, width: float, size: float) -> str:
    """One line of canvas text (drawn as it is, no markup) cut to ``width`` with "…"."""
    text = " ".join(text.split())
    if stringWidth(text, SANS, size) <= width:
        return text
    while text and stringWidth(text + "…", SANS, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def render(
    definition: ServiceDefinition,
    authority: Authority,
    *,
    reference: str,
    received: str,
    answers: Mapping[str, Any],
    attachments: Sequence[Mapping[str, Any]],
    postfach_url: str,
    portal_name: str,
) -> bytes:
    """The receipt as PDF bytes (see ``renderer.receipt.build_receipt``)."""
    st = styles()
    layout = AnswerLayout(_attachment_numbers(attachments))
    story: list[Flowable] = [
        *_letterhead(authority),
        Paragraph("Eingangsbestätigung", st["title"]),
        Paragraph(markup(definition.title), st["service"]),
        _reference_box(reference, received, portal_name, postfach_url),
        *_next_steps(authority, reference, portal_name),
    ]
    steps = summarize(definition, answers)
    if steps:
        story.append(Paragraph("Ihre Angaben", st["h2"]))
        for step in steps:
            story.append(Paragraph(markup(step.step.title), st["h3"]))
            story.extend(layout.rows(step.rows, heading=step.step.title))
    story.extend(_attachments(attachments))

    buffer = BytesIO()
    # A frame without padding, so that WIDTH is the width flowables really get.
    frame = Frame(
        MARGIN_X,
        MARGIN_BOTTOM,
        WIDTH,
        PAGE_H - MARGIN_TOP - MARGIN_BOTTOM,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        pageTemplates=[PageTemplate("receipt", [frame])],
        title=f"Eingangsbestätigung {reference} – {definition.title}",
        author=authority.name,
        subject=definition.title,
        creator="formwerk",
        lang="de-DE",
        initialFontName=SANS,  # else every page names Helvetica, a font not embedded
        initialFontSize=10,
        displayDocTitle=True,  # viewers show the title, not "receipt.pdf" (PDF/UA)
    )
    footer = f"Eingangsbestätigung {reference} · {authority.name}"
    doc.build(story, canvasmaker=functools.partial(NumberedCanvas, footer=footer))
    return buffer.getvalue()


def _letterhead(authority: Authority) -> list[Flowable]:
    st = styles()
    address = authority.address
    contact = authority.contact
    left = [
        Paragraph(markup(authority.kind), st["kind"]),
        Paragraph(markup(authority.name), st["org"]),
        Paragraph(markup(f"{address.street} · {address.postalCode} {address.city}"), st["contact"]),
    ]
    lines = [("Telefon", contact.phone), ("E-Mail", contact.email)]
    if contact.web:
        lines.append(("Web", contact.web))
    if contact.hours:
        lines.append(("Sprechzeiten", contact.hours))
    right = [
        Paragraph(f"<font color='{INK.hexval()}'>{markup(k)}</font>  {markup(v)}", st["contact"])
        for k, v in lines
    ]
    table = Table([[left, right]], colWidths=[WIDTH * 0.52, WIDTH * 0.48])
    table.setStyle(
        TableStyle(
            [
                TABLE_FONT,
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3 * mm),
                ("LINEBELOW", (0, 0), (-1, 0), 1.2, ACCENT),
            ]
        )
    )
    return [table, Spacer(1, 7 * mm)]


def _qr(url: str) -> QrCode:
    # The flowable draws the modules straight onto the canvas; the QrCodeWidget builds a
    # shape per module and encodes twice (bounds, then drawing): about 3x slower.
    code = QrCode(url, width=QR_SIZE, height=QR_SIZE, qrLevel="M")  # M: survives a crease
    code.hAlign = "CENTER"
    return code


def _reference_box(reference: str, received: str, portal_name: str, url: str) -> Table:
    st = styles()
    facts = [
        Paragraph("Vorgangsnummer", st["key"]),
        Paragraph(markup(reference), st["reference"]),
        Paragraph("Eingegangen am", st["key"]),
        Paragraph(markup(received), st["fact"]),
        Paragraph("Eingereicht über", st["key"]),
        Paragraph(markup(portal_name), st["fact"]),
    ]
    code = [
        _qr(url),
        Paragraph("Ihr Antrag im Postfach", st["caption"]),
        Paragraph(markup(url), st["url"]),
    ]
    code_w = QR_SIZE + 16 * mm
    table = Table([[facts, code]], colWidths=[WIDTH - code_w, code_w])
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), SHADE),
                TABLE_FONT,
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (0, 0), 5 * mm),
                ("TOPPADDING", (0, 0), (-1, -1), 4 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3 * mm),
                ("LINEBEFORE", (0, 0), (0, 0), 3, ACCENT),
            ]
        )
    )
    return table


def _next_steps(authority: Authority, reference: str, portal_name: str) -> list[Flowable]:
    st = styles()
    contact = authority.contact
    hours = f" ({contact.hours})" if contact.hours else ""
    # Written in the authority's voice ("wir"): its letterhead is on top of the page.
    texts = [
        "Ihr Antrag ist bei uns eingegangen. Diese Bestätigung enthält alle Ihre Angaben; "
        "bitte bewahren Sie sie auf.",
        "Wir prüfen Ihren Antrag und melden uns, wenn Angaben oder Nachweise fehlen. Den Stand "
        f"der Bearbeitung und unsere Nachrichten finden Sie in Ihrem Postfach auf {portal_name}; "
        "der QR-Code oben führt direkt dorthin.",
        f"Bei Fragen erreichen Sie uns unter {contact.phone}{hours} oder per E-Mail an "
        f"{contact.email}. Bitte nennen Sie dabei Ihre Vorgangsnummer {reference}.",
    ]
    return [
        Paragraph("Wie geht es weiter?", st["h2"]),
        *(Paragraph(markup(text), st["para"]) for text in texts),
    ]


def _attachment_numbers(attachments: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Number of each attachment in the "Anlagen" list, by sha256 and by id."""
    numbers: dict[str, int] = {}
    for number, attachment in enumerate(attachments, start=1):
        for key in ("sha256", "id"):
            if attachment.get(key):
                numbers.setdefault(str(attachment[key]), number)
    return numbers


def _attachments(attachments: Sequence[Mapping[str, Any]]) -> list[Flowable]:
    if not attachments:
        return []
    st = styles()
    rows = [
        [
            Paragraph("Nr.", st["head"]),
            Paragraph("Datei", st["head"]),
            Paragraph("SHA-256 (Prüfsumme)", st["head"]),
        ]
    ]
    for number, attachment in enumerate(attachments, start=1):
        media = attachment.get("mediaType")
        details = " · ".join(
            part
            for part in (
                MEDIA_TYPES.get(str(media), str(media or "")),
                format_size(attachment["size"]) if "size" in attachment else "",
            )
            if part
        )
        rows.append(
            [
                Paragraph(f"{number}.", st["cell"]),
                Paragraph(
                    f"{markup(attachment.get('name', ''))}<br/>"
                    f"<font color='{MUTED.hexval()}'>{markup(details)}</font>",
                    st["cell"],
                ),
                Paragraph(markup(attachment.get("sha256", "")), st["hash"]),
            ]
        )
    # The hash column is as wide as 64 hex digits, so a hash stays on one line to compare.
    hash_w = stringWidth("0" * 64, MONO, st["hash"].fontSize) + 2 * CELL_PAD
    table = Table(
        rows, colWidths=[9 * mm, WIDTH - 9 * mm - hash_w, hash_w], repeatRows=1, hAlign="LEFT"
    )
    table.setStyle(
        TableStyle(
            [
                TABLE_FONT,
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
    return [Paragraph("Anlagen", st["h2"]), table]
