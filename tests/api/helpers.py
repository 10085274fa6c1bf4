"""Shared pieces of the API tests: sample files and answers, uploads, store snapshots."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from httpx2 import Response
from starlette.applications import Starlette
from starlette.testclient import TestClient

from form_definitions.catalogue import Catalogue, default_forms_dir
from form_definitions.definition import ServiceDefinition
from renderer.submissions import iter_refs

ANSWERS = Path(__file__).resolve().parent.parent / "data" / "answers"
CATALOGUE = Catalogue.load(default_forms_dir())
PROBLEM = "application/problem+json"

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PROGRAM = b"MZ\x90\x00" + b"\x00" * 200  # a Windows program, whatever its name says


def sample_answers(service_id: str) -> dict[str, Any]:
    """The valid sample answers of a demo service (file references are placeholders)."""
    return json.loads((ANSWERS / f"{service_id}.json").read_text(encoding="utf-8"))


def upload(
    client: TestClient, name: str = "nachweis.pdf", body: bytes = PDF, field: str = "file"
) -> Response:
    """POST one file to the attachments endpoint."""
    return client.post("/api/v1/attachments", files={field: (name, body, "application/pdf")})


def with_uploads(client: TestClient, definition: ServiceDefinition, answers: dict) -> dict:
    """The answers with every placeholder file reference replaced by a real upload."""
    result = copy.deepcopy(answers)
    root = definition.schema
    for path, ref in list(iter_refs(root, root, result)):
        response = upload(client, name=ref["name"])
        assert response.status_code == 201, response.text
        container: Any = result
        for part in path[:-1]:
            container = container[part]
        container[path[-1]] = response.json()
    return result


def submit(
    client: TestClient,
    service_id: str,
    answers: Any,
    key: str | None = None,
) -> Response:
    """POST ``{"answers": answers}`` to a service's submissions."""
    headers = {"idempotency-key": key} if key else {}
    return client.post(
        f"/api/v1/services/{service_id}/submissions", json={"answers": answers}, headers=headers
    )


def snapshot(app: Starlette) -> tuple[int, frozenset[str]]:
    """The submission count and every file of the data dir (locks aside).

    A refused request must leave both as they were: no submission, no record, no blob,
    no temporary file.
    """
    data_dir: Path = app.state.settings.data_dir
    files = frozenset(
        str(p.relative_to(data_dir))
        for p in data_dir.rglob("*")
        if p.is_file() and p.relative_to(data_dir).parts[0] != "locks"
    )
    return app.state.store.count(), files


def assert_problem(response: Response, status: int, code: str | None = None) -> dict[str, Any]:
    """Check a problem+json response and return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    if code is not None:
        assert body["code"] == code, body
    return body
