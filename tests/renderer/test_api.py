"""The read-only JSON API and its problem details."""

from __future__ import annotations

from starlette.testclient import TestClient

from form_definitions.catalogue import Catalogue, default_forms_dir

CATALOGUE = Catalogue.load(default_forms_dir())


def test_list_services(client: TestClient) -> None:
    response = client.get("/api/v1/services")
    assert response.status_code == 200
    services = response.json()["services"]
    assert {s["id"] for s in services} == {s.id for s in CATALOGUE.published()}
    wohngeld = next(s for s in services if s["id"] == "wohngeld")
    assert wohngeld["authority"]["id"] == "landkreis-heideland"
    assert wohngeld["version"] == "1.0.0"
    assert wohngeld["links"]["start"] == "http://testserver/leistungen/wohngeld"
    assert client.get(wohngeld["links"]["start"]).status_code == 200


def test_get_service_returns_the_definition(client: TestClient) -> None:
    response = client.get("/api/v1/services/wohngeld")
    assert response.status_code == 200
    assert response.json() == CATALOGUE.services["wohngeld"].schema
    assert response.headers["etag"] == f'"{CATALOGUE.services["wohngeld"].sha256}"'


def test_unknown_service_is_a_problem(client: TestClient) -> None:
    response = client.get("/api/v1/services/gibtsnicht")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 404 and body["title"] == "Nicht gefunden"
    assert "gibtsnicht" in body["detail"]


def test_unknown_api_route_is_a_problem_too(client: TestClient) -> None:
    response = client.get("/api/v1/gibtsnicht")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_wrong_method_is_a_problem(client: TestClient) -> None:
    response = client.delete("/api/v1/services")
    assert response.status_code == 405
    assert response.json()["title"] == "Methode nicht erlaubt"
