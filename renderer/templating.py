"""Rendering pages with the portal's common context."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from renderer.widgets import filesize

TEMPLATES = Path(__file__).parent / "templates"


def berlin(moment: datetime) -> str:
    """A UTC timestamp as German local time: ``28.11.2026, 14:03 Uhr``."""
    local = moment.astimezone(ZoneInfo("Europe/Berlin"))
    return local.strftime("%d.%m.%Y, %H:%M Uhr")


@cache
def environment() -> Environment:
    """The one Jinja2 environment: autoescaping on, since titles and help texts from
    definitions are text, never markup."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates ship with the package: no stat() of the file on every lookup.
        auto_reload=False,
    )
    env.filters["filesize"] = filesize
    env.filters["berlin"] = berlin
    return env


def render(
    request: Request,
    template: str,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: object,
) -> Response:
    """Render a page template; every page gets ``request`` and ``settings``."""
    html = render_html(request, template, **context)
    return HTMLResponse(html, status_code=status_code, headers=headers)


def render_html(request: Request, template: str, **context: object) -> str:
    """The HTML of a page template, with ``request`` and ``settings`` in its context."""
    return (
        environment()
        .get_template(template)
        .render(request=request, settings=request.app.state.settings, **context)
    )
