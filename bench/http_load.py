"""HTTP load for the benchmarks: an ASGI app served by uvicorn in its own process, driven by wrk.

``serve`` starts ``python -m uvicorn`` (one worker, no access log, uvloop and httptools when
installed) on a free loopback port and always stops it again; ``wrk`` runs ``wrk`` with a
generated Lua script and returns its requests/s and latency median. Every response's status
is checked by that script, and wrk's own count of non-2xx/3xx responses and socket errors
must be zero: a run that measured anything but the expected responses raises.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import uvicorn


class LoadError(RuntimeError):
    """The server or wrk did not do what the measurement needs."""


def server_options() -> list[str]:
    """uvicorn's fastest event loop and HTTP parser when installed, else its defaults."""
    options = []
    if importlib.util.find_spec("uvloop"):
        options += ["--loop", "uvloop"]
    if importlib.util.find_spec("httptools"):
        options += ["--http", "httptools"]
    return options


def server_description() -> str:
    options = server_options()
    loop = "uvloop" if "uvloop" in options else "default loop"
    http = "httptools" if "httptools" in options else "default http"
    where = ", server and wrk on a CPU each" if pinned(0) else ""
    return f"uvicorn {uvicorn.__version__}, 1 worker, {loop}, {http}, no access log{where}"


#: With two or more CPUs the server and wrk each get one of their own (``taskset``), so that
#: they do not take turns on one CPU and the scheduler does not move them around: both
#: make the figures jump from one run to the next.
SERVER_CPU, LOAD_CPU = 0, 1


def pinned(cpu: int) -> list[str]:
    """The ``taskset`` prefix that keeps a command on ``cpu`` (none where it cannot)."""
    if (os.cpu_count() or 1) < 2 or shutil.which("taskset") is None:
        return []
    return ["taskset", "-c", str(cpu)]


def free_port() -> int:
    """A loopback port that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Server:
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


@contextlib.contextmanager
def serve(
    factory: str,
    *,
    app_dir: Path,
    cwd: Path,
    env: Mapping[str, str],
    log: Path,
    startup_seconds: float = 30.0,
) -> Iterator[Server]:
    """Serve ``module:function`` (an app factory) with uvicorn until the block ends.

    The process is always stopped (terminate, then kill); its output goes to ``log`` and is
    shown if it does not come up.
    """
    port = free_port()
    command = [
        *pinned(SERVER_CPU),
        sys.executable,
        "-m",
        "uvicorn",
        factory,
        "--factory",
        "--app-dir",
        str(app_dir),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--no-access-log",
        "--log-level",
        "warning",
        *server_options(),
    ]
    with open(log, "wb") as output:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + startup_seconds
        while True:
            if process.poll() is not None:
                raise LoadError(
                    f"uvicorn {factory} exited with {process.returncode}:\n"
                    f"{log.read_text(errors='replace')}"
                )
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise LoadError(
                        f"uvicorn {factory} did not listen on port {port} within "
                        f"{startup_seconds:.0f} s:\n{log.read_text(errors='replace')}"
                    ) from None
                time.sleep(0.05)
        yield Server("127.0.0.1", port)
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def lua_string(text: str | bytes) -> str:
    """A Lua string literal for ``text`` (every byte outside printable ASCII escaped)."""
    data = text.encode() if isinstance(text, str) else text
    out = []
    for byte in data:
        char = chr(byte)
        if 0x20 <= byte < 0x7F and char not in '"\\':
            out.append(char)
        else:
            out.append(f"\\{byte:03d}")
    return '"' + "".join(out) + '"'


def wrk_script(
    method: str, headers: Mapping[str, str], body: str | bytes | None, expect: int
) -> str:
    """Set method, headers and body; count responses whose status is not ``expect``.

    The count is kept per thread and summed in ``done``, which prints it as
    ``unexpected status: N (first: S)`` for ``wrk`` to parse.
    """
    lines = [f"wrk.method = {lua_string(method)}"]
    for name, value in headers.items():
        lines.append(f"wrk.headers[{lua_string(name)}] = {lua_string(value)}")
    if body is not None:
        lines.append(f"wrk.body = {lua_string(body)}")
    lines.append(
        f"""
local threads = {{}}
function setup(thread)
  table.insert(threads, thread)
end
unexpected = 0
first = 0
function response(status, headers, body)
  if status ~= {int(expect)} then
    unexpected = unexpected + 1
    if first == 0 then first = status end
  end
end
function done(summary, latency, requests)
  local total, seen = 0, 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("unexpected")
    if seen == 0 then seen = thread:get("first") end
  end
  io.write(string.format("unexpected status: %d (first: %d)\\n", total, seen))
end
"""
    )
    return "\n".join(lines)


@dataclass(frozen=True)
class WrkResult:
    requests_per_second: float
    latency_median_ms: float | None
    output: str


_UNITS_MS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


def _latency_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not match:
        raise LoadError(f"cannot read wrk latency {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_wrk(output: str) -> WrkResult:
    """Requests/s and median latency; raise on any error wrk or the script reported."""
    problems = []
    if match := re.search(r"Non-2xx or 3xx responses:\s*(\d+)", output):
        problems.append(f"{match.group(1)} non-2xx/3xx responses")
    if match := re.search(r"Socket errors:\s*(.+)", output):
        problems.append(f"socket errors: {match.group(1).strip()}")
    unexpected = re.search(r"unexpected status: (\d+) \(first: (\d+)\)", output)
    if not unexpected:
        problems.append("the status check of the Lua script did not report")
    elif int(unexpected.group(1)):
        problems.append(
            f"{unexpected.group(1)} responses with an unexpected status "
            f"(first: {unexpected.group(2)})"
        )
    rate = re.search(r"Requests/sec:\s*([\d.]+)", output)
    if not rate:
        problems.append("no 'Requests/sec:' line")
    if problems:
        raise LoadError("wrk: " + "; ".join(problems) + "\n" + output)
    median = re.search(r"^\s*50%\s+(\S+)", output, re.MULTILINE)
    return WrkResult(float(rate.group(1)), _latency_ms(median.group(1)) if median else None, output)


def wrk(
    url: str,
    *,
    seconds: float,
    expect: int,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    body: str | bytes | None = None,
    threads: int = 1,
    connections: int = 16,
) -> WrkResult:
    """``wrk -t1 -c16 -d<seconds>s --latency`` against ``url``; every response must be ``expect``.

    A request without a body gets its headers as ``-H`` options; one with a body gets method,
    body and headers from the Lua script. The script checks each response's status either way.
    """
    if shutil.which("wrk") is None:
        raise LoadError("wrk is not installed: run `make wrk` (Debian package wrk)")
    headers = dict(headers or {})
    options = []
    if body is None:
        for name, value in headers.items():
            options += ["-H", f"{name}: {value}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(wrk_script(method, headers if body is not None else {}, body, expect))
    try:
        command = [
            *pinned(LOAD_CPU),
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--latency",
            *options,
            "-s",
            script.name,
            url,
        ]
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + 60, check=False
        )
    finally:
        os.unlink(script.name)
    if done.returncode != 0:
        raise LoadError(f"wrk exited with {done.returncode}:\n{done.stdout}{done.stderr}")
    return parse_wrk(done.stdout + done.stderr)
