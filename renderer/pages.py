"""Portal pages: home with search, a page per authority, a start page per service."""

from __future__ import annotations

import unicodedata

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from form_definitions.catalogue import Catalogue
from form_definitions.definition import ServiceDefinition
from renderer.templating import render


def fold(text: str) -> str:
    """Lower case without accents, umlauts spelt out, so "muell" finds "Müll"."""
    text = text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    text = text.replace("ß", "ss")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def search(catalogue: Catalogue, query: str) -> list[ServiceDefinition]:
    """Published services whose title, description, keywords or authority match every word."""
    words = fold(query).split()
    found = []
    for service in catalogue.published():
        authority = catalogue.authorities.get(service.meta.authority)
        haystack = fold(
            " ".join(
                [
                    service.title,
                    service.description,
                    " ".join(service.meta.keywords),
                    authority.name if authority else "",
                ]
            )
        )
        if all(word in haystack for word in words):
            found.append(service)
    return found


async def home(request: Request) -> Response:
    """Every service grouped by authority, and the search box; with ?q= the results."""
    catalogue: Catalogue = request.app.state.catalogue
    query = request.query_params.get("q", "").strip()[:200]
    results = search(catalogue, query) if query else None
    return render(
        request,
        "home.html",
        groups=catalogue.by_authority(),
        query=query,
        results=results,
        authorities=catalogue.authorities,
    )


async def authority_page(request: Request) -> Response:
    """One authority: address, contact and its services."""
    catalogue: Catalogue = request.app.state.catalogue
    authority = catalogue.authorities.get(request.path_params["authority_id"])
    if authority is None:
        raise HTTPException(404)
    services = [s for s in catalogue.published() if s.meta.authority == authority.id]
    parent = catalogue.authorities.get(authority.parent or "")
    members = [a for a in catalogue.authorities.values() if a.parent == authority.id]
    return render(
        request,
        "authority.html",
        authority=authority,
        services=services,
        parent=parent,
        members=members,
    )


def published_service(request: Request) -> ServiceDefinition:
    """The published service named in the URL, or a 404."""
    catalogue: Catalogue = request.app.state.catalogue
    service = catalogue.services.get(request.path_params["service_id"])
    if service is None or service.meta.status != "published":
        raise HTTPException(404)
    return service


async def start_page(request: Request) -> Response:
    """What the service is, what to have ready, how long it takes, and a start button."""
    service = published_service(request)
    authority = request.app.state.catalogue.authorities[service.meta.authority]
    return render(request, "service.html", service=service, authority=authority)
