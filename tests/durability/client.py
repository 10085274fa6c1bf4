"""A plain HTTP client for the durability tests (stdlib only: it must survive a dying server)."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ANSWERS = Path(__file__).resolve().parent.parent / "data" / "answers"
SERVICE = "sperrmuell-anmeldung"  # Landkreis Heideland (LKH); no file fields
AUTHORITY = "landkreis-heideland"


def _answer(request: urllib.request.Request, timeout: float) -> tuple[int, dict[str, Any]]:
    """Status and JSON body of a request, error statuses included."""
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def sample(service_id: str = SERVICE) -> dict[str, Any]:
    """Valid sample answers of a demo service."""
    return json.loads((ANSWERS / f"{service_id}.json").read_text(encoding="utf-8"))


def post_submission(
    base: str, answers: dict[str, Any], key: str, service_id: str = SERVICE, timeout: float = 10
) -> tuple[int, dict[str, Any]] | None:
    """POST a submission; (status, body), or None when the outcome is unknown.

    Unknown means the connection failed or broke before a whole answer arrived: the
    server may or may not have stored it, and only a retry with the same key can tell.
    """
    request = urllib.request.Request(
        f"{base}/api/v1/services/{service_id}/submissions",
        data=json.dumps({"answers": answers}).encode(),
        headers={"content-type": "application/json", "idempotency-key": key},
        method="POST",
    )
    try:
        return _answer(request, timeout)
    except (OSError, http.client.HTTPException, ValueError):
        return None


def get_status(url: str, timeout: float = 10) -> int:
    """The status of a GET."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def post_file(base: str, name: str, body: bytes, timeout: float = 10) -> tuple[int, dict]:
    """Upload one file to ``POST /api/v1/attachments`` (multipart/form-data)."""
    boundary = "formwerk-durability-boundary"
    payload = (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + body
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        f"{base}/api/v1/attachments",
        data=payload,
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
        method="POST",
    )
    return _answer(request, timeout)
