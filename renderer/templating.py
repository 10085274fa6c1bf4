"""Rendering pages with the portal's common context."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from renderer.render import environment


def render(
    request: Request,
    template: str,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: object,
) -> Response:
    """Render a page template; every page gets ``request`` and ``settings``."""
    html = (
        environment()
        .get_template(template)
        .render(request=request, settings=request.app.state.settings, **context)
    )
    return HTMLResponse(html, status_code=status_code, headers=headers)
