"""Fixtures of the API tests: an app on a forms dir the test may change."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from form_definitions.catalogue import default_forms_dir
from formwerk.app import create_app
from formwerk.settings import Settings
from renderer.app import create_app as create_portal
from tests.api.helpers import CATALOGUE

Edit = Callable[[dict[str, Any]], None]


@pytest.fixture
def app(settings: Settings) -> Starlette:
    """The portal on a fresh data dir; the demo catalogue is loaded (and checked) once."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return create_portal(settings, catalogue=CATALOGUE)


@pytest.fixture
def client_with(tmp_path: Path) -> Iterator[Callable[[str, Edit], TestClient]]:
    """Make a client for a copy of the demo portal with one definition changed."""
    clients: list[TestClient] = []

    def make(service_id: str, edit: Edit) -> TestClient:
        forms = tmp_path / "forms"
        shutil.copytree(
            default_forms_dir(), forms, ignore=shutil.ignore_patterns("*.py", "__pycache__")
        )
        path = forms / "services" / f"{service_id}.json"
        doc = json.loads(path.read_text(encoding="utf-8"))
        edit(doc)
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        app = create_app(Settings(data_dir=tmp_path / "var", forms_dir=forms))
        client = TestClient(app, raise_server_exceptions=False)
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)
