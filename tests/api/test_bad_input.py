"""Bad input to the API: always a clear 4xx problem+json, and nothing stored.

Each case sends one malformed or hostile request and checks the status, the machine
``code``, a German ``detail``, and that the submission count and every file of the data
dir (records, blobs, temporary uploads) are exactly as before.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from renderer.jsonbody import MAX_BODY_BYTES, MAX_JSON_DEPTH
from tests.api.helpers import (
    PDF,
    PNG,
    PROGRAM,
    assert_problem,
    sample_answers,
    snapshot,
    upload,
)

SUBMIT = "/api/v1/services/meldebescheinigung/submissions"
JSON = {"content-type": "application/json"}


def post_json(client: TestClient, raw: bytes, url: str = SUBMIT, **headers: str):
    return client.post(url, content=raw, headers={**JSON, **headers})


def nested(depth: int, open_: str = "[", close: str = "]") -> bytes:
    return (open_ * depth + close * depth).encode()


def chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    """A streamed body without Content-Length (chunked transfer)."""
    sent = 0
    while sent < total:
        piece = min(size, total - sent)
        sent += piece
        yield b" " * piece


VALID = json.dumps({"answers": sample_answers("meldebescheinigung")}).encode()

# name -> (request, expected status, expected code)
Case = Callable[[TestClient], object]
CASES: dict[str, tuple[Case, int, str]] = {
    "malformed json": (
        lambda c: post_json(c, b'{"answers": {"a": [1, 2,}}'),
        400,
        "malformed_json",
    ),
    "truncated json": (lambda c: post_json(c, VALID[:-5]), 400, "malformed_json"),
    "empty body": (lambda c: post_json(c, b""), 400, "malformed_json"),
    "trailing garbage": (lambda c: post_json(c, VALID + b"x"), 400, "malformed_json"),
    "not utf-8": (lambda c: post_json(c, b'{"answers": {"vorname": "\xff"}}'), 400, "encoding"),
    "lone surrogate": (
        lambda c: post_json(c, b'{"answers": {"vorname": "\\ud800"}}'),
        400,
        "encoding",
    ),
    "NaN": (lambda c: post_json(c, b'{"answers": {"x": NaN}}'), 400, "non_finite_number"),
    "Infinity": (
        lambda c: post_json(c, b'{"answers": {"x": -Infinity}}'),
        400,
        "non_finite_number",
    ),
    "overflowing float": (
        lambda c: post_json(c, b'{"answers": {"x": 1e999}}'),
        400,
        "non_finite_number",
    ),
    "huge integer": (
        lambda c: post_json(c, b'{"answers": {"x": ' + b"9" * 5000 + b"}}"),
        400,
        "malformed_json",
    ),
    "duplicate key": (
        lambda c: post_json(c, b'{"answers": {}, "answers": {"vorname": "X"}}'),
        400,
        "duplicate_key",
    ),
    "10,000 nested arrays": (lambda c: post_json(c, nested(10_000)), 400, "too_deep"),
    "nested objects in the answers": (
        lambda c: post_json(
            c, b'{"answers": {"a": ' + b'{"a": ' * 5000 + b"1" + b"}" * 5000 + b"}}"
        ),
        400,
        "too_deep",
    ),
    "one level too deep": (
        lambda c: post_json(c, nested(MAX_JSON_DEPTH + 1)),
        400,
        "too_deep",
    ),
    "wrong content type": (
        lambda c: c.post(SUBMIT, content=VALID, headers={"content-type": "text/plain"}),
        415,
        "unsupported_content_type",
    ),
    "form post": (
        lambda c: c.post(SUBMIT, data={"answers": "{}"}),
        415,
        "unsupported_content_type",
    ),
    "no content type": (lambda c: c.post(SUBMIT, content=VALID), 415, "unsupported_content_type"),
    "latin-1 charset": (
        lambda c: c.post(
            SUBMIT, content=VALID, headers={"content-type": "application/json; charset=latin-1"}
        ),
        415,
        "unsupported_content_type",
    ),
    "unknown service": (
        lambda c: post_json(c, VALID, url="/api/v1/services/gibtsnicht/submissions"),
        404,
        "unknown_service",
    ),
    "oversized body": (
        lambda c: post_json(c, b'{"answers": {"x": "' + b"a" * MAX_BODY_BYTES + b'"}}'),
        413,
        "request_too_large",
    ),
    "oversized body without Content-Length": (
        lambda c: c.post(SUBMIT, content=chunks(MAX_BODY_BYTES + 1), headers=JSON),
        413,
        "request_too_large",
    ),
    "lying Content-Length": (
        lambda c: post_json(c, VALID, **{"content-length": "nonsense"}),
        400,
        "malformed",
    ),
    "bad idempotency key": (
        lambda c: post_json(c, VALID, **{"idempotency-key": "x" * 129}),
        400,
        "invalid_idempotency_key",
    ),
    "body is a list": (lambda c: post_json(c, b"[]"), 422, "invalid_envelope"),
    "no answers": (lambda c: post_json(c, b"{}"), 422, "invalid_envelope"),
    "answers not an object": (
        lambda c: post_json(c, b'{"answers": "Max"}'),
        422,
        "invalid_envelope",
    ),
    "unknown envelope member": (
        lambda c: post_json(c, b'{"answers": {}, "extra": 1}'),
        422,
        "invalid_envelope",
    ),
    "invalid answers": (lambda c: post_json(c, b'{"answers": {}}'), 422, "invalid_answers"),
    # uploads
    "upload: not multipart": (
        lambda c: c.post(
            "/api/v1/attachments", content=PDF, headers={"content-type": "application/pdf"}
        ),
        415,
        "unsupported_content_type",
    ),
    "upload: no file": (
        lambda c: c.post("/api/v1/attachments", files={"other": (None, "text")}),
        400,
        "missing_file",
    ),
    "upload: file in another field": (
        lambda c: upload(c, field="anhang"),
        400,
        "unexpected_file",
    ),
    "upload: two files": (
        lambda c: c.post(
            "/api/v1/attachments",
            files=[
                ("file", ("a.pdf", PDF, "application/pdf")),
                ("file", ("b.pdf", PDF, "application/pdf")),
            ],
        ),
        413,
        "too_many_files",
    ),
    "upload: empty file": (lambda c: upload(c, body=b""), 422, "empty_file"),
    "upload: program named .pdf": (lambda c: upload(c, "antrag.pdf", PROGRAM), 422, "file_type"),
    "upload: html named .png": (
        lambda c: upload(c, "bild.png", b"<html><script>alert(1)</script></html>"),
        422,
        "file_type",
    ),
    "upload: svg": (
        lambda c: upload(c, "bild.svg", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>'),
        422,
        "file_type",
    ),
    "upload: ../ in the name": (lambda c: upload(c, "../../etc/passwd.pdf"), 422, "file_name"),
    "upload: absolute path": (lambda c: upload(c, "/etc/cron.d/job.pdf"), 422, "file_name"),
    "upload: backslashes": (lambda c: upload(c, "..\\..\\boot.ini.pdf"), 422, "file_name"),
    "upload: dot-dot": (lambda c: upload(c, ".."), 422, "file_name"),
    "upload: control character": (lambda c: upload(c, "a\x1b[31m.pdf"), 422, "file_name"),
    "upload: truncated multipart": (
        lambda c: c.post(
            "/api/v1/attachments",
            content=b'--xx\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n'
            + PDF,
            headers={"content-type": "multipart/form-data; boundary=xx"},
        ),
        400,
        "malformed",
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_bad_input_is_a_problem_and_stores_nothing(
    name: str, client: TestClient, app: Starlette
) -> None:
    send, status, code = CASES[name]
    client.get("/api/v1/services")  # the app has started: secret and store files exist
    before = snapshot(app)
    response = send(client)
    body = assert_problem(response, status, code)
    assert body["instance"].startswith("/api/v1/")
    assert snapshot(app) == before


def test_malformed_json_says_where(client: TestClient) -> None:
    response = post_json(client, b'{\n  "answers": {\n    "vorname": "Max",,\n  }\n}')
    detail = assert_problem(response, 400, "malformed_json")["detail"]
    assert "Zeile 3, Spalte 22" in detail


def test_oversized_upload_is_refused(client: TestClient, app: Starlette) -> None:
    limit = app.state.settings.upload_max_file_bytes
    before = snapshot(app)
    response = upload(client, "gross.pdf", PDF + b"0" * limit)
    assert_problem(response, 413, "file_too_large")
    assert "zu groß" in response.json()["detail"]
    assert snapshot(app) == before


def test_a_png_is_accepted_by_content(client: TestClient) -> None:
    response = upload(client, "scan", PNG)
    assert response.status_code == 201
    assert response.json()["mediaType"] == "image/png"
    assert response.json()["name"] == "scan.png"  # extension added from the content
