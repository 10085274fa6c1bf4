"""The portal home page over HTTP (TestClient) and from `formwerk serve` in a subprocess."""

from __future__ import annotations

import urllib.request
from pathlib import Path

from starlette.testclient import TestClient

from form_definitions.catalogue import Catalogue, default_forms_dir
from tests.conftest import free_port, start_server

CATALOGUE = Catalogue.load(default_forms_dir())


def test_home_lists_every_authority_and_service(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    for authority in CATALOGUE.authorities.values():
        assert authority.name in response.text
    for service in CATALOGUE.services.values():
        assert f'href="/leistungen/{service.id}"' in response.text
        assert service.title in response.text


def test_security_headers(client: TestClient) -> None:
    headers = client.get("/").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"


def test_unknown_page_is_a_german_404(client: TestClient) -> None:
    response = client.get("/gibt/es/nicht")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.text
    assert "Traceback" not in response.text


def test_kern_assets_are_served(client: TestClient) -> None:
    assert client.get("/static/vendor/kern/kern.min.css").status_code == 200
    assert client.get("/static/vendor/kern/fonts/fira-sans.css").status_code == 200
    assert client.get("/static/formwerk.css").status_code == 200


def test_serve_uses_the_data_dir_and_lists_services(tmp_path: Path) -> None:
    port = free_port()
    process = start_server(tmp_path / "daten", port)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            html = response.read().decode()
        assert all(a.name in html for a in CATALOGUE.authorities.values())
        assert (tmp_path / "daten").is_dir()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_an_unexpected_error_never_shows_a_traceback(app, caplog) -> None:
    def broken(request):
        raise RuntimeError("geheimes Detail aus dem Stacktrace")

    app.add_route("/kaputt", broken)
    app.add_route("/api/v1/kaputt", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        page = client.get("/kaputt")
        api = client.get("/api/v1/kaputt")
    assert page.status_code == 500
    assert "Es ist ein Fehler aufgetreten" in page.text
    assert "geheimes Detail" not in page.text and "Traceback" not in page.text
    assert api.status_code == 500
    assert api.headers["content-type"] == "application/problem+json"
    assert "geheimes Detail" not in api.text
    assert "geheimes Detail" in caplog.text  # but the log has it, for the operators
