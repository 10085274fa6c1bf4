"""The citizen portal's Starlette app (app factory)."""

from __future__ import annotations

import logging
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from form_definitions.catalogue import Catalogue
from formwerk.settings import Settings
from renderer.security import SecurityHeadersMiddleware

HERE = Path(__file__).parent
log = logging.getLogger("formwerk.renderer")


def make_templates() -> Environment:
    """Jinja2 with autoescaping on: titles and help texts from definitions are text."""
    return Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(request: Request, template: str, status_code: int = 200, **context: object) -> Response:
    """Render a page with the portal's common context."""
    env: Environment = request.app.state.templates
    html = env.get_template(template).render(
        request=request, settings=request.app.state.settings, **context
    )
    return HTMLResponse(html, status_code=status_code)


async def home(request: Request) -> Response:
    """The portal home page: every authority with its services."""
    catalogue: Catalogue = request.app.state.catalogue
    return render(request, "home.html", groups=catalogue.by_authority())


ERROR_TEXTS = {
    404: ("Seite nicht gefunden", "Die Adresse ist falsch oder die Seite gibt es nicht mehr."),
    405: ("Aktion nicht möglich", "Diese Aktion ist auf dieser Seite nicht möglich."),
}


async def http_error(request: Request, exc: Exception) -> Response:
    """German error pages for HTTP errors."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    title, text = ERROR_TEXTS.get(status, ("Es ist ein Fehler aufgetreten", str(exc.detail)))
    return render(request, "error.html", status_code=status, title=title, text=text)


async def server_error(request: Request, exc: Exception) -> Response:
    """Never a traceback on a page: log it, show a calm German message."""
    log.exception("unhandled error on %s", request.url.path, exc_info=exc)
    return render(
        request,
        "error.html",
        status_code=500,
        title="Es ist ein Fehler aufgetreten",
        text="Bitte versuchen Sie es später noch einmal. Ihre Eingaben sind gespeichert.",
    )


def create_app(settings: Settings, catalogue: Catalogue | None = None) -> Starlette:
    """Build the portal app for ``settings`` (the catalogue is loaded if not given)."""
    app = Starlette(
        debug=False,  # never render tracebacks; the server_error handler logs them
        routes=[
            Route("/", home, name="home"),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ],
        middleware=[Middleware(SecurityHeadersMiddleware)],
        exception_handlers={HTTPException: http_error, Exception: server_error},
    )
    app.state.settings = settings
    app.state.catalogue = catalogue or Catalogue.load(settings.forms_dir)
    app.state.templates = make_templates()
    return app
