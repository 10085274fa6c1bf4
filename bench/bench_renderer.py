"""Renderer throughput: a 30-field step, GET and POST, against a plain Starlette + Jinja2
endpoint serving the same 30-field form from a static template, measured in the same run.

Run from the repository root: ``python bench/bench_renderer.py [--seconds 10]`` (``make bench``
installs wrk first).

The goal of issue 3 is a ratio formwerk / baseline of at least 0.7, in requests/s measured
the way a server is measured: each app is served by uvicorn in its own process on a loopback
port (one worker, no access log, uvloop and httptools when installed, the same for both) and
loaded by ``wrk -t1 -c16``. For formwerk a request is session, draft load (and on POST:
parsing, decoding and validating the form and saving the draft), rendering, the CSRF token
and the security middleware. The baseline is the same page as a developer would write its
template by hand: formwerk's step page with the answers and the CSRF token turned into
Jinja2 expressions (checked to render the identical page); its GET renders it with answers
held in memory, its POST reads the form with Starlette's ``request.form()`` and renders it
with what was posted. The same page as a template without any expression ("constant page")
is measured too: the floor of what any endpoint costs.

This machine's speed drifts (up to 3x over tens of seconds), so baseline and formwerk run
in alternating rounds of ``--seconds / 5`` each and the median of the per-round ratios is
reported. Before measuring, one request of each kind checks the status (formwerk: GET 200,
POST 303; baseline: 200), and the wrk script checks every response's status: a run with
any other response, or with socket errors, fails.

The same rates are also measured with requests driven straight through the ASGI apps in
this process (no server, no sockets): that table shows the work of the apps alone.
Validation of a whole 30-field application is timed in microseconds, as a step's post
does it and with python-jsonschema alone.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import os
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

from http_load import Server, serve, server_description, wrk  # noqa: E402
from jinja2 import Environment  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import HTMLResponse  # noqa: E402
from starlette.routing import Route  # noqa: E402

from form_definitions.catalogue import default_forms_dir  # noqa: E402
from form_definitions.definition import ServiceDefinition  # noqa: E402
from formwerk.app import create_app  # noqa: E402
from formwerk.settings import Settings  # noqa: E402
from renderer.messages import validate  # noqa: E402
from renderer.render import render_step  # noqa: E402
from tests.renderer.browser_post import browser_post  # noqa: E402
from tests.renderer.thirty_fields import SERVICE, answers, definition  # noqa: E402

BASE_PATH = f"/leistungen/{SERVICE}/antrag"
STEP_PATH = f"{BASE_PATH}/angaben"
GOAL = 0.7
ROUNDS = 5
STATIC = "constant page"  # the floor: the same page with no template expressions
WARM_UP_SECONDS = 1
FORM_TYPE = "application/x-www-form-urlencoded"


def write_forms(folder: Path, schema: dict[str, Any]) -> Path:
    """A forms dir with the shipped authorities and the 30-field service only."""
    forms = folder / "forms"
    (forms / "services").mkdir(parents=True)
    shutil.copy(default_forms_dir() / "authorities.json", forms)
    (forms / "services" / f"{SERVICE}.json").write_text(json.dumps(schema))
    return forms


def post_body(service: ServiceDefinition, schema: dict[str, Any], csrf: str) -> bytes:
    """What a browser posts from the step filled with valid answers, with "Weiter"."""
    pairs = browser_post(str(render_step(service, service.steps[0], answers(schema), {})))
    return urlencode([*pairs, ("_csrf", csrf), ("_action", "weiter")]).encode()


def scrape_csrf(page: bytes) -> str:
    match = re.search(rb'name="_csrf" value="([^"]+)"', page)
    assert match, "no _csrf field on the step page"
    return match.group(1).decode()


_CSRF = re.compile(r'(name="_csrf" value=")[^"]*(")')
_RADIO = re.compile(r'(name="([^"]+)" type="radio" value="([^"]*)")(?: checked)?')
_TEXT = re.compile(r'(name="([^"_][^"]*)" value=")[^"]*(")')


def hand_written(page: str) -> str:
    """The step page as a developer would write its Jinja2 template by hand: the same
    markup, with the answers and the CSRF token as template expressions."""
    template = _CSRF.sub(r"\1{{ csrf }}\2", page)
    template = _RADIO.sub(r'\1{% if form["\2"] == "\3" %} checked{% endif %}', template)
    return _TEXT.sub(r'\1{{ form["\2"] }}\3', template)


def baseline(page: str) -> Starlette:
    """Plain Starlette + Jinja2 serving the same 30-field form from a hand-written template.

    ``/`` renders it with the answers (GET: held in memory; POST: as posted, read with
    Starlette's ``request.form()``, the way a plain form endpoint shows a form again);
    ``/static`` serves the finished page as a template without expressions, the floor
    of what any endpoint costs.
    """
    environment = Environment(autoescape=True)
    template = environment.from_string(hand_written(page))
    static = environment.from_string(page)
    csrf = scrape_csrf(page.encode())
    answers = dict(browser_post(page))
    if template.render(form=answers, csrf=csrf) != page:
        raise AssertionError("the hand-written template does not give the step page")

    async def form_page(request: Request) -> HTMLResponse:
        form = await request.form() if request.method == "POST" else answers
        return HTMLResponse(template.render(form=form, csrf=csrf))

    async def static_page(request: Request) -> HTMLResponse:
        return HTMLResponse(static.render())

    return Starlette(
        routes=[
            Route("/", form_page, methods=["GET", "POST"]),
            Route("/static", static_page),
        ]
    )


# App factories for `uvicorn --factory`, configured through the environment.


def formwerk_app() -> Starlette:
    return create_app(
        Settings(
            data_dir=Path(os.environ["BENCH_DATA_DIR"]),
            forms_dir=Path(os.environ["BENCH_FORMS_DIR"]),
        )
    )


def baseline_app() -> Starlette:
    return baseline(Path(os.environ["BENCH_TEMPLATE"]).read_text(encoding="utf-8"))


# In-process: requests straight through the ASGI apps.


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
    """Requests per second over ``seconds``."""
    assert (await call(app, method, path, headers, body))[0] == expect
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        await call(app, method, path, headers, body)
        count += 1
    return count / (time.perf_counter() - started)


def median_pair(rounds: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Median baseline rate, median formwerk rate and the median of the per-round ratios."""
    return (
        statistics.median(base for base, _ in rounds),
        statistics.median(ours for _, ours in rounds),
        statistics.median(ours / base for base, ours in rounds),
    )


async def asgi_rates(
    folder: Path, forms: Path, service: ServiceDefinition, schema: dict[str, Any], seconds: float
) -> tuple[dict[str, tuple[float, float, float]], float]:
    """(baseline, formwerk, ratio) per kind through the ASGI apps in this process, and the
    rate of the constant page."""
    app = create_app(Settings(data_dir=folder / "var-asgi", forms_dir=forms))
    _, headers, _ = await call(app, "GET", BASE_PATH, [])
    cookie = headers[b"set-cookie"].split(b";")[0]
    status, _, page = await call(app, "GET", STEP_PATH, [(b"cookie", cookie)])
    assert status == 200, status
    body = post_body(service, schema, scrape_csrf(page))
    form_headers = [
        (b"cookie", cookie),
        (b"content-type", FORM_TYPE.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    assert (await call(app, "POST", STEP_PATH, form_headers, body))[0] == 303
    status, _, page = await call(app, "GET", STEP_PATH, [(b"cookie", cookie)])  # filled in
    plain = baseline(page.decode())
    get_ours = (app, "GET", STEP_PATH, [(b"cookie", cookie)], b"")
    post_ours = (app, "POST", STEP_PATH, form_headers, body)
    kinds = {
        "GET step": ((plain, "GET", "/", [], b"", 200), (*get_ours, 200)),
        "POST valid step": ((plain, "POST", "/", form_headers, body, 200), (*post_ours, 303)),
    }
    results: dict[str, tuple[float, float, float]] = {}
    for label, (base, ours) in kinds.items():
        for _ in range(20):  # warm-up
            await call(*base[:5])
            await call(*ours[:5])
        # Alternating short rounds: the machine's speed drifts, the ratio within a round not.
        rounds = []
        for _ in range(ROUNDS):
            base_rate = await rate(*base[:5], seconds / ROUNDS, base[5])
            rounds.append((base_rate, await rate(*ours[:5], seconds / ROUNDS, ours[5])))
        results[label] = median_pair(rounds)
    static = await rate(plain, "GET", "/static", [], b"", seconds / ROUNDS, 200)
    return results, static


# Over HTTP: each app served by uvicorn, loaded by wrk.


def request(
    server: Server,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One request, redirects not followed."""
    connection = http.client.HTTPConnection(server.host, server.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def expect_status(what: str, got: int, expected: int) -> None:
    if got != expected:
        raise AssertionError(f"{what}: status {got}, expected {expected}")


def http_rates(
    folder: Path, forms: Path, service: ServiceDefinition, schema: dict[str, Any], seconds: float
) -> tuple[dict[str, tuple[float, float, float]], float]:
    """(baseline, formwerk, ratio) per kind, each app served by its own uvicorn and loaded
    by wrk, and the rate of the constant page."""
    env = {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "BENCH_DATA_DIR": str(folder / "var-http"),
        "BENCH_FORMS_DIR": str(forms),
        "BENCH_TEMPLATE": str(folder / "step.html"),
    }
    here = Path(__file__).resolve().parent
    with contextlib.ExitStack() as servers:
        ours = servers.enter_context(
            serve(
                f"{Path(__file__).stem}:formwerk_app",
                app_dir=here,
                cwd=ROOT,
                env=env,
                log=folder / "formwerk.log",
            )
        )
        status, headers, _ = request(ours, "GET", BASE_PATH)
        expect_status(f"formwerk GET {BASE_PATH}", status, 303)
        cookie = headers["set-cookie"].split(";")[0]
        assert cookie.startswith("fw_session="), cookie
        status, _, page = request(ours, "GET", STEP_PATH, {"cookie": cookie})
        expect_status(f"formwerk GET {STEP_PATH}", status, 200)
        body = post_body(service, schema, scrape_csrf(page))
        post_headers = {"cookie": cookie, "content-type": FORM_TYPE}
        status, _, _ = request(ours, "POST", STEP_PATH, post_headers, body)
        expect_status(f"formwerk POST {STEP_PATH}", status, 303)
        status, _, page = request(ours, "GET", STEP_PATH, {"cookie": cookie})  # filled in
        expect_status(f"formwerk GET {STEP_PATH}", status, 200)

        (folder / "step.html").write_bytes(page)  # the baseline's own template is made from it
        plain = servers.enter_context(
            serve(
                f"{Path(__file__).stem}:baseline_app",
                app_dir=here,
                cwd=ROOT,
                env=env,
                log=folder / "baseline.log",
            )
        )
        for path in ("/", "/static"):
            status, _, served = request(plain, "GET", path)
            expect_status(f"baseline GET {path}", status, 200)
            assert served == page, f"the baseline's {path} is not the step page"
        status, _, _ = request(plain, "POST", "/", {"content-type": FORM_TYPE}, body)
        expect_status("baseline POST /", status, 200)

        get = {"headers": {"cookie": cookie}}
        post = {"method": "POST", "headers": post_headers, "body": body}
        kinds = {
            "GET step": ((plain, "/", 200, {}), (ours, STEP_PATH, 200, get)),
            "POST valid step": ((plain, "/", 200, post), (ours, STEP_PATH, 303, post)),
        }
        results: dict[str, tuple[float, float, float]] = {}
        for label, sides in kinds.items():
            for server, path, expect, kind in sides:  # warm-up
                wrk(server.url + path, seconds=WARM_UP_SECONDS, expect=expect, **kind)
            # Alternating rounds: the machine's speed drifts, the ratio within a round not.
            rounds = []
            for _ in range(ROUNDS):
                base_rate, ours_rate = (
                    wrk(
                        server.url + path, seconds=seconds / ROUNDS, expect=expect, **kind
                    ).requests_per_second
                    for server, path, expect, kind in sides
                )
                rounds.append((base_rate, ours_rate))
                if os.environ.get("BENCH_VERBOSE"):
                    print(
                        label,
                        f"{base_rate:,.0f}",
                        f"{ours_rate:,.0f}",
                        f"{ours_rate / base_rate:.2f}",
                    )
            results[label] = median_pair(rounds)
        static = wrk(plain.url + "/static", seconds=seconds / ROUNDS, expect=200)
        return results, static.requests_per_second


def verdict(ratio: float) -> str:
    return "ok" if ratio >= GOAL else "MISSED"


def validation_microseconds(
    service: ServiceDefinition, schema: dict[str, Any]
) -> tuple[float, float]:
    """µs to validate a whole valid application: as the flow does it, and in python alone."""
    data = answers(schema)
    assert validate(service, data) == [] and not list(service.validator.iter_errors(data))

    def median_of(check: Any) -> float:
        samples = []
        for _ in range(7):
            started = time.perf_counter()
            for _ in range(200):
                check()
            samples.append((time.perf_counter() - started) / 200 * 1e6)
        return statistics.median(samples)

    return (
        median_of(lambda: validate(service, data)),
        median_of(lambda: list(service.validator.iter_errors(data))),
    )


def report(title: str, results: dict[str, tuple[float, float, float]], static: float) -> None:
    print(title)
    print(f"{'':24}{'baseline':>10}{'formwerk':>10}{'ratio':>8}  >= {GOAL}")
    for label, (base, ours, ratio) in results.items():
        print(f"{label:<24}{base:>10,.0f}{ours:>10,.0f}{ratio:>8.2f}  {verdict(ratio)}")
    print(f"{STATIC:<24}{static:>10,.0f}  (the same page, no template expressions)")
    print()


def run(seconds: float) -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: run `make wrk` (Debian package wrk)")
    schema = definition()
    service = ServiceDefinition(schema)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        forms = write_forms(folder, schema)
        over_http = http_rates(folder, forms, service, schema, seconds)
        in_process = asyncio.run(asgi_rates(folder, forms, service, schema, seconds))
    rounds = f"median of {ROUNDS} alternating rounds of {seconds / ROUNDS:g} s each"
    report(
        f"30-field step, requests/s over HTTP (the goal's measure): {server_description()};"
        f" wrk -t1 -c16; {rounds}",
        *over_http,
    )
    report(
        f"app alone, no server: requests/s through the ASGI apps in this process; {rounds}",
        *in_process,
    )
    fast, full = validation_microseconds(service, schema)
    print(
        f"validate a whole 30-field application: {fast:.0f} µs as a step's post does it"
        f" (valid: confirmed by jsonschema-rs), {full:.0f} µs with python-jsonschema"
        " (what finds the errors)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seconds",
        type=float,
        default=10.0,
        help="seconds of load per app and kind, split into alternating rounds (default 10)",
    )
    run(parser.parse_args().seconds)


if __name__ == "__main__":
    main()
