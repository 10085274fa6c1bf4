"""The JSON API (read-only part): published services and their definitions."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from form_definitions.catalogue import Catalogue
from renderer.problems import problem


def _catalogue(request: Request) -> Catalogue:
    return request.app.state.catalogue


async def list_services(request: Request) -> Response:
    """GET /api/v1/services: every published service."""
    catalogue = _catalogue(request)
    services = [
        {
            "id": s.id,
            "title": s.title,
            "authority": {
                "id": s.meta.authority,
                "name": catalogue.authorities[s.meta.authority].name,
            },
            "version": s.meta.version,
            "links": {
                "start": str(request.url_for("start", service_id=s.id)),
                "self": str(request.url_for("api_service", service_id=s.id)),
            },
        }
        for s in catalogue.published()
    ]
    return JSONResponse({"services": services})


async def get_service(request: Request) -> Response:
    """GET /api/v1/services/{id}: the definition of a published service."""
    service = _catalogue(request).services.get(request.path_params["service_id"])
    if service is None or service.meta.status != "published":
        return problem(
            404,
            f"Es gibt keinen veröffentlichten Dienst „{request.path_params['service_id']}“.",
            instance=request.url.path,
        )
    return JSONResponse(service.schema, headers={"etag": f'"{service.sha256}"'})


routes = [
    Route("/api/v1/services", list_services, name="api_services"),
    Route("/api/v1/services/{service_id}", get_service, name="api_service"),
]
