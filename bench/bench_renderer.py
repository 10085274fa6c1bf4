"""Renderer throughput: a 30-field step, GET and POST, against a plain Starlette + Jinja2
endpoint rendering a static template of the same form, measured in the same run.

Run from the repository root: ``python bench/bench_renderer.py [--seconds 2]``.

Requests are driven straight through the ASGI apps (no sockets), so what is compared is
the work of the two apps alone: for formwerk that is session, draft load (and on POST:
decode, validation and the durable, fsynced draft write), rendering and the security
middleware. The goal of issue 3 is a ratio of at least 0.7. Validation of a whole
30-field application is timed in microseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # allow `python bench/bench_renderer.py` without installing
    sys.path.insert(0, str(ROOT))

from jinja2 import Environment  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.responses import HTMLResponse  # noqa: E402
from starlette.routing import Route  # noqa: E402

from form_definitions.catalogue import default_forms_dir  # noqa: E402
from form_definitions.definition import ServiceDefinition  # noqa: E402
from formwerk.app import create_app  # noqa: E402
from formwerk.settings import Settings  # noqa: E402
from renderer.render import render_step  # noqa: E402
from tests.renderer.browser_post import browser_post  # noqa: E402

SERVICE = "dreissig-felder"


def definition() -> dict[str, Any]:
    """A one-step form with 30 fields of the common kinds."""
    kinds = [
        {"type": "string", "maxLength": 100, "x-ui": {"autocomplete": "given-name"}},
        {"type": "string", "format": "date"},
        {"type": "string", "format": "email"},
        {"type": "integer", "minimum": 0, "maximum": 99},
        {"type": "string", "oneOf": [{"const": f"o{i}", "title": f"Option {i}"} for i in range(4)]},
        {"type": "string", "pattern": "^[0-9]{5}$"},
    ]
    properties = {
        f"feld{i:02d}": {**kinds[i % len(kinds)], "title": f"Frage Nummer {i + 1}"}
        for i in range(30)
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Dreißig Felder",
        "type": "object",
        "x-service": {
            "id": SERVICE,
            "authority": "stadt-wiesenfeld",
            "version": "1.0.0",
            "status": "published",
        },
        "properties": properties,
        "required": list(properties),
    }


def answers(schema: dict[str, Any]) -> dict[str, Any]:
    values = {"string": "Beispiel", "integer": 42}
    result = {}
    for name, field in schema["properties"].items():
        if "oneOf" in field:
            result[name] = "o2"
        elif field.get("format") == "date":
            result[name] = "1990-03-17"
        elif field.get("format") == "email":
            result[name] = "name@beispiel.de"
        elif "pattern" in field:
            result[name] = "29614"
        else:
            result[name] = values[field["type"]]
    return result


async def call(
    app: Any, method: str, path: str, headers: list[tuple[bytes, bytes]], body: bytes = b""
) -> tuple[int, dict[bytes, bytes], bytes]:
    """One request straight through an ASGI app."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
        "root_path": "",
    }
    sent = False
    status, response_headers, chunks = 0, {}, []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status, response_headers
        if message["type"] == "http.response.start":
            status, response_headers = message["status"], dict(message["headers"])
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, response_headers, b"".join(chunks)


async def rate(
    app: Any,
    method: str,
    path: str,
    headers: list[tuple[bytes, bytes]],
    body: bytes,
    seconds: float,
    expect: int,
) -> float:
    """Requests per second over ``seconds`` (after a short warm-up)."""
    for _ in range(20):
        assert (await call(app, method, path, headers, body))[0] == expect
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        await call(app, method, path, headers, body)
        count += 1
    return count / (time.perf_counter() - started)


async def run(seconds: float) -> None:
    schema = definition()
    service = ServiceDefinition(schema)
    with tempfile.TemporaryDirectory() as folder:
        forms = Path(folder) / "forms"
        (forms / "services").mkdir(parents=True)
        shutil.copy(default_forms_dir() / "authorities.json", forms)
        (forms / "services" / f"{SERVICE}.json").write_text(json.dumps(schema))
        app = create_app(Settings(data_dir=Path(folder) / "var", forms_dir=forms))
        base = f"/leistungen/{SERVICE}/antrag"
        _, headers, _ = await call(app, "GET", base, [])
        cookie = headers[b"set-cookie"].split(b";")[0]
        step_path = f"{base}/angaben"
        status, _, page = await call(app, "GET", step_path, [(b"cookie", cookie)])
        assert status == 200
        csrf = re.search(rb'name="_csrf" value="([^"]+)"', page).group(1).decode()
        pairs = browser_post(str(render_step(service, service.steps[0], answers(schema), {})))
        body = urlencode([*pairs, ("_csrf", csrf), ("_action", "weiter")]).encode()
        form_headers = [
            (b"cookie", cookie),
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", str(len(body)).encode()),
        ]

        # The baseline: the same 30-field page as a static template, plain Starlette+Jinja2.
        template = Environment(autoescape=True).from_string(page.decode())

        async def plain(request: Any) -> HTMLResponse:
            return HTMLResponse(template.render())

        baseline = Starlette(routes=[Route("/", plain, methods=["GET", "POST"])])
        base_get = await rate(baseline, "GET", "/", [], b"", seconds, 200)
        ours_get = await rate(app, "GET", step_path, [(b"cookie", cookie)], b"", seconds, 200)
        base_post = await rate(baseline, "POST", "/", form_headers, body, seconds, 200)
        ours_post = await rate(app, "POST", step_path, form_headers, body, seconds, 303)

    validator = service.validator
    data = answers(schema)
    assert not list(validator.iter_errors(data))
    samples = []
    for _ in range(7):
        started = time.perf_counter()
        for _ in range(200):
            list(validator.iter_errors(data))
        samples.append((time.perf_counter() - started) / 200 * 1e6)

    print("30-field step, requests/s through the ASGI app (same run)")
    print(f"{'':24}{'baseline':>10}{'formwerk':>10}{'ratio':>8}  goal >= 0.7")
    for label, base, ours in (
        ("GET step", base_get, ours_get),
        ("POST valid step", base_post, ours_post),
    ):
        verdict = "ok" if ours / base >= 0.7 else "MISSED"
        print(f"{label:<24}{base:>10,.0f}{ours:>10,.0f}{ours / base:>8.2f}  {verdict}")
    print(
        f"validate a whole 30-field application: {statistics.median(samples):.0f} µs "
        f"(median of 7 x 200)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    asyncio.run(run(parser.parse_args().seconds))


if __name__ == "__main__":
    main()
