"""The citizen portal's Starlette app (app factory)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import anyio
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from form_definitions.catalogue import Catalogue
from formwerk.blobs import BlobStore
from formwerk.cleanup import clean_up
from formwerk.settings import Settings
from formwerk.store import Store, open_store
from renderer import api, documents, flow, pages
from renderer.problems import problem
from renderer.security import SecurityHeadersMiddleware
from renderer.session import load_or_create_secret
from renderer.templating import render
from renderer.uploads import UploadLimits

HERE = Path(__file__).parent
BERLIN = ZoneInfo("Europe/Berlin")
log = logging.getLogger("formwerk.renderer")

ERROR_TEXTS = {
    403: (
        "Sitzung abgelaufen",
        "Ihre Sitzung ist abgelaufen oder die Seite war zu lange "
        "geöffnet. Bitte laden Sie die Seite neu und versuchen Sie es "
        "noch einmal. Gespeicherte Angaben bleiben erhalten.",
    ),
    404: ("Seite nicht gefunden", "Die Adresse ist falsch oder die Seite gibt es nicht mehr."),
    405: ("Aktion nicht möglich", "Diese Aktion ist auf dieser Seite nicht möglich."),
}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def http_error(request: Request, exc: Exception) -> Response:
    """German error pages (or problem+json under /api/) for HTTP errors."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    title, text = ERROR_TEXTS.get(
        status, ("Es ist ein Fehler aufgetreten", "Bitte versuchen Sie es noch einmal.")
    )
    if _wants_json(request):
        return problem(status, text, instance=request.url.path)
    return render(request, "error.html", status_code=status, title=title, text=text)


async def server_error(request: Request, exc: Exception) -> Response:
    """Never a traceback on a page: log it, show a calm German message."""
    log.exception("unhandled error on %s", request.url.path, exc_info=exc)
    text = "Bitte versuchen Sie es später noch einmal. Ihre gespeicherten Angaben bleiben erhalten."
    if _wants_json(request):
        return problem(500, text, instance=request.url.path)
    return render(
        request, "error.html", status_code=500, title="Es ist ein Fehler aufgetreten", text=text
    )


def routes() -> list[Route | Mount]:
    """Every route of the citizen portal."""
    # Routes are tried in order: the steps of a form, asked for most, come first.
    return [
        Route("/leistungen/{service_id}/antrag/{step_id}", flow.step_page, name="step"),
        Route("/leistungen/{service_id}/antrag/{step_id}", flow.step_post, methods=["POST"]),
        Route("/", pages.home, name="home"),
        Route("/behoerden/{authority_id}", pages.authority_page, name="authority"),
        Route("/leistungen/{service_id}", pages.start_page, name="start"),
        Route("/leistungen/{service_id}/antrag", flow.begin, name="begin"),
        Route(f"/leistungen/{{service_id}}/{flow.CHECK}", flow.check_page, name="check"),
        Route(f"/leistungen/{{service_id}}/{flow.CHECK}", flow.submit, methods=["POST"]),
        Route("/antraege/{reference}", documents.confirmation, name="confirmation"),
        Route("/antraege/{reference}/eingangsbestaetigung.pdf", documents.receipt, name="receipt"),
        Route(
            "/antraege/{reference}/dokumente/{attachment_id}", documents.document, name="document"
        ),
        Route("/postfach/{reference}", documents.status_page, name="postfach"),
        *api.routes,
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]


CLEANUP_INTERVAL_SECONDS = 3600


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    """Run the clean-up of abandoned drafts at start and then every hour."""
    settings: Settings = app.state.settings

    async def every_hour() -> None:
        while True:
            try:
                result = await run_in_threadpool(
                    clean_up,
                    app.state.store,
                    app.state.blobs,
                    ttl=timedelta(hours=settings.draft_ttl_hours),
                )
                if result.drafts or result.files:
                    log.info("clean-up: %s", result)
            except Exception:  # a failed clean-up must never stop the portal
                log.exception("clean-up failed")
            await anyio.sleep(CLEANUP_INTERVAL_SECONDS)

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(every_hour)
        yield
        tasks.cancel_scope.cancel()


def create_app(
    settings: Settings, catalogue: Catalogue | None = None, store: Store | None = None
) -> Starlette:
    """Build the portal app for ``settings`` (catalogue and store opened if not given)."""
    app = Starlette(
        debug=False,  # never render tracebacks; server_error logs them
        routes=routes(),
        middleware=[Middleware(SecurityHeadersMiddleware)],
        exception_handlers={HTTPException: http_error, Exception: server_error},
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.catalogue = catalogue or Catalogue.load(settings.forms_dir)
    # A reference's year is the year in Germany: 00:30 on 1 January is already the new one.
    app.state.store = store or open_store(settings.data_dir, reference_tz=BERLIN)
    app.state.blobs = BlobStore(settings.data_dir / "blobs")
    app.state.secret = load_or_create_secret(settings.data_dir)
    # Step pages without errors, rendered once per definition version (renderer.flow).
    app.state.step_shells = {}
    app.state.upload_limits = UploadLimits(
        max_request_bytes=settings.upload_max_request_bytes,
        max_file_bytes=settings.upload_max_file_bytes,
        max_files=settings.upload_max_files,
    )
    return app
