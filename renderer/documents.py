"""After the submit: confirmation page, receipt PDF, and the application's status page.

These pages are reached through a capability link (reference + token), the same link the
receipt's QR code holds; the Postfach with accounts builds on it.
"""

from __future__ import annotations

import hmac
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import URL
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from form_definitions.definition import ServiceDefinition
from formwerk.store import Store, Submission
from renderer import session
from renderer.archive import load_definition
from renderer.templating import render


def confirmation_url(request: Request, reference: str) -> str:
    """The capability URL of a submission's confirmation page."""
    token = session.receipt_token(request.app.state.secret, reference)
    return str(URL(f"/antraege/{reference}").include_query_params(t=token))


def postfach_url(request: Request, reference: str) -> str:
    """The absolute URL of the application in the Postfach (for the receipt's QR code)."""
    token = session.receipt_token(request.app.state.secret, reference)
    base = request.app.state.settings.base_url.rstrip("/")
    return f"{base}/postfach/{reference}?t={token}"


def receipt_url(request: Request, reference: str) -> str:
    """The URL of a submission's receipt PDF."""
    token = session.receipt_token(request.app.state.secret, reference)
    return str(URL(f"/antraege/{reference}/eingangsbestaetigung.pdf").include_query_params(t=token))


def _submission(request: Request) -> tuple[Submission, ServiceDefinition | None]:
    """The submission named in the URL, if the token fits; else 404 (never 403: a wrong
    token must not tell that the reference exists)."""
    reference = request.path_params["reference"]
    expected = session.receipt_token(request.app.state.secret, reference)
    if not hmac.compare_digest(request.query_params.get("t", ""), expected):
        raise HTTPException(404)
    store: Store = request.app.state.store
    submission = store.get_submission(reference)
    if submission is None:
        raise HTTPException(404)
    definition = load_definition(request.app.state.settings.data_dir, submission.definition_sha256)
    if definition is None:
        definition = request.app.state.catalogue.services.get(submission.service_id)
    return submission, definition


def document_url(request: Request, reference: str, attachment_id: str) -> str:
    """The URL of one document of a submission (an upload or the filled PDF form)."""
    token = session.receipt_token(request.app.state.secret, reference)
    return str(
        URL(f"/antraege/{reference}/dokumente/{attachment_id}").include_query_params(t=token)
    )


def documents_of(request: Request, submission: Submission) -> list[dict[str, object]]:
    """The submission's documents besides the receipt: the filled form first, then uploads."""
    store: Store = request.app.state.store
    metas = store.list_attachments(submission.reference)
    uploads = {a.id for a in submission.attachments}
    ordered = [m for m in metas if m.id not in uploads] + [m for m in metas if m.id in uploads]
    return [
        {
            "name": m.name,
            "size": m.size,
            "url": document_url(request, submission.reference, m.id),
            "kind": "Anlage" if m.id in uploads else "Ausgefülltes Formular",
        }
        for m in ordered
    ]


def _private(response: Response) -> Response:
    response.headers["cache-control"] = "no-store"
    return response


def _submission_page(request: Request, template: str) -> Response:
    submission, definition = _submission(request)
    reference = submission.reference
    return _private(
        render(
            request,
            template,
            submission=submission,
            service=definition,
            authority=request.app.state.catalogue.authorities.get(submission.authority_id),
            receipt=receipt_url(request, reference),
            # On pages the link stays on the host the citizen uses; only the receipt's QR
            # code needs the absolute, configured URL.
            postfach=str(URL(postfach_url(request, reference)).replace(scheme="", netloc="")),
            documents=documents_of(request, submission),
        )
    )


async def confirmation(request: Request) -> Response:
    """The reference number, what happens next, the receipt and the Postfach link."""
    return _submission_page(request, "done.html")


async def status_page(request: Request) -> Response:
    """The application in the Postfach: its status and history (accounts come later)."""
    return _submission_page(request, "postfach.html")


def receipt_pdf(request: Request, submission: Submission, definition: ServiceDefinition) -> bytes:
    """Build the receipt of a stored submission (pure apart from the lookups)."""
    from renderer.receipt import submission_receipt

    return submission_receipt(
        definition,
        request.app.state.catalogue.authorities[submission.authority_id],
        submission,
        postfach_url=postfach_url(request, submission.reference),
        portal_name=request.app.state.settings.portal_name,
    )


async def receipt(request: Request) -> Response:
    """The receipt as a PDF download (built from the stored submission each time)."""
    submission, definition = _submission(request)
    if definition is None or submission.authority_id not in request.app.state.catalogue.authorities:
        raise HTTPException(404)
    pdf = await run_in_threadpool(receipt_pdf, request, submission, definition)
    name = f"Eingangsbestaetigung-{submission.reference}.pdf"
    return _private(
        Response(
            pdf,
            media_type="application/pdf",
            headers={
                "content-disposition": f'attachment; filename="{name}"',
            },
        )
    )


async def document(request: Request) -> Response:
    """Download one document of a submission; only the submission's own attachments."""
    submission, _ = _submission(request)
    store: Store = request.app.state.store
    meta = store.get_attachment(request.path_params["attachment_id"])
    if meta is None or meta.owner != submission.reference:
        raise HTTPException(404)
    path = request.app.state.blobs.path(meta.sha256)
    if not path.exists():
        raise HTTPException(404)
    quoted = quote(meta.name)
    return _private(
        FileResponse(
            path,
            media_type=meta.media_type,
            headers={
                # RFC 6266: an ASCII fallback plus the UTF-8 name
                "content-disposition": f'attachment; filename="{_ascii(meta.name)}"; '
                f"filename*=UTF-8''{quoted}",
            },
        )
    )


def _ascii(name: str) -> str:
    """An ASCII stand-in for a file name in the plain filename= parameter."""
    import unicodedata

    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in plain) or "Datei"
