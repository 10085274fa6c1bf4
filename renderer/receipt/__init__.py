"""The receipt (Eingangsbestätigung): a PDF a citizen gets for every submission.

Importing this package is cheap: reportlab (about 100 ms to import) is only loaded by the
first :func:`build_receipt` call, so the web app starts fast (STYLE.md, habit 6).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from form_definitions.authorities import Authority
from form_definitions.definition import ServiceDefinition
from formwerk.store import Submission

#: Receipts show the time as the citizen and the authority know it.
BERLIN = ZoneInfo("Europe/Berlin")


def build_receipt(
    definition: ServiceDefinition,
    authority: Authority,
    *,
    reference: str,
    submitted_at: datetime,
    answers: Mapping[str, Any],
    attachments: Sequence[Mapping[str, Any]],
    postfach_url: str,
    portal_name: str,
) -> bytes:
    """Render the receipt of one submission as PDF (A4) and return its bytes.

    It holds the authority's letterhead, the reference number, the time of receipt in
    Europe/Berlin, every answered question by step (the same rows as the
    check-your-answers page, see :func:`renderer.summary.summarize`), the attachments with
    their SHA-256, a QR code of ``postfach_url`` and "Seite x von y" on every page.
    ``submitted_at`` must be timezone-aware (it is stored in UTC).
    """
    if submitted_at.tzinfo is None or submitted_at.utcoffset() is None:
        raise ValueError("submitted_at must be timezone-aware (UTC), not naive")
    from renderer.receipt._pdf import render  # reportlab is imported here, on first use

    return render(
        definition,
        authority,
        reference=reference,
        received=format_received(submitted_at),
        answers=answers,
        attachments=attachments,
        postfach_url=postfach_url,
        portal_name=portal_name,
    )


def format_received(moment: datetime) -> str:
    """A moment as shown to citizens, in Berlin time: "28.11.2026, 14:03 Uhr"."""
    local = moment.astimezone(BERLIN)
    return f"{local:%d.%m.%Y, %H:%M} Uhr"


def submission_receipt(
    definition: ServiceDefinition,
    authority: Authority,
    submission: Submission,
    *,
    postfach_url: str,
    portal_name: str,
) -> bytes:
    """The receipt of a stored submission (its reference, time, answers and files)."""
    return build_receipt(
        definition,
        authority,
        reference=submission.reference,
        submitted_at=submission.created_at,
        answers=submission.answers,
        attachments=[a.model_dump(by_alias=True) for a in submission.attachments],
        postfach_url=postfach_url,
        portal_name=portal_name,
    )
