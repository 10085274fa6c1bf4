"""Shared fixtures: the app on a temporary data dir, a live server, Chromium for Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from formwerk.app import create_app
from formwerk.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
# Flags from DEVELOPERS.md: the machine's network is closed, so Chromium's background
# connections must be switched off or they fail by the dozen.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that drives a browser carries the `browser` marker."""
    browser_fixtures = {"page", "context", "browser"}
    for item in items:
        in_folder = item.path.parent.name == "browser"
        if in_folder or browser_fixtures & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings pointing into a fresh temporary data dir, with the shipped demo portal."""
    return Settings(data_dir=tmp_path / "var")


@pytest.fixture
def app(settings: Settings) -> Starlette:
    """The whole portal app."""
    return create_app(settings)


@pytest.fixture
def client(app: Starlette) -> Iterator[TestClient]:
    """Real HTTP through Starlette's TestClient; server errors become 500 responses."""
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def free_port() -> int:
    """A TCP port on loopback that nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(data_dir: Path, port: int, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start `formwerk serve` in a subprocess and wait until it accepts connections."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "formwerk.cli",
            "serve",
            "--port",
            str(port),
            "--data-dir",
            str(data_dir),
        ],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"formwerk serve exited: {process.stderr.read().decode()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("formwerk serve did not start within 20 s")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`formwerk serve` on a free loopback port; yields its base URL."""
    port = free_port()
    process = start_server(tmp_path_factory.mktemp("live") / "var", port)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Point pytest-playwright at Debian's Chromium (Playwright cannot download its own)."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}
