"""RFC 7807 problem details: the one shape of every JSON error of the API."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

PROBLEM_TYPE = "application/problem+json"

TITLES = {
    400: "Ungültige Anfrage",
    403: "Nicht erlaubt",
    404: "Nicht gefunden",
    405: "Methode nicht erlaubt",
    413: "Anfrage zu groß",
    415: "Nicht unterstützter Inhaltstyp",
    422: "Ungültige Angaben",
    500: "Interner Fehler",
}


def problem(
    status: int,
    detail: str,
    *,
    instance: str | None = None,
    errors: Sequence[dict[str, Any]] = (),
    title: str | None = None,
    code: str | None = None,
) -> JSONResponse:
    """A problem+json response; ``errors`` lists invalid fields (pointer and message).

    ``code`` is a stable machine-readable reason (an RFC 7807 extension member).
    """
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or TITLES.get(status, "Fehler"),
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if code:
        body["code"] = code
    if errors:
        body["errors"] = list(errors)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_TYPE)


class ApiError(Exception):
    """A refused API request: status, German detail, machine code, invalid fields."""

    def __init__(
        self,
        status: int,
        detail: str,
        code: str,
        errors: Sequence[dict[str, Any]] = (),
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.code = code
        self.errors = list(errors)

    def response(self, request: Request) -> Response:
        """The problem+json response for this error."""
        return problem(
            self.status,
            self.detail,
            instance=request.url.path,
            errors=self.errors,
            code=self.code,
        )
