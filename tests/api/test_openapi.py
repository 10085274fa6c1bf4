"""The OpenAPI document: valid OpenAPI 3.1, true to the routes, and to the responses.

schemathesis generates requests from the document (valid and invalid ones) and checks
that no response is a 5xx and that every response matches the documented status codes,
content types, headers and schemas.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.routing import Route
from starlette.testclient import TestClient

from form_definitions.fields import ATTACHMENT_SCHEMA
from formwerk.settings import Settings
from renderer.app import create_app, routes
from tests.api.helpers import CATALOGUE


def test_document_is_valid_openapi_3_1(client: TestClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    validate_openapi(document)  # raises on any violation of the OpenAPI 3.1 meta-schema
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


def test_document_names_every_api_route_and_no_other(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    documented = {
        (path, method.upper()) for path, item in document["paths"].items() for method in item
    }
    served = {
        (route.path, method)
        for route in routes()
        if isinstance(route, Route) and route.path.startswith("/api/")
        for method in route.methods or ()
        if method != "HEAD"
    }
    assert documented == served


def test_service_ids_and_attachment_schema_come_from_the_portal(client: TestClient) -> None:
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert schemas["ServiceId"]["enum"] == sorted(s.id for s in CATALOGUE.published())
    assert schemas["Attachment"] == ATTACHMENT_SCHEMA


# Operations without inputs have nothing to make invalid: positive cases only.
CASES = [
    ("GET", "/api/v1/services", GenerationMode.POSITIVE),
    ("GET", "/api/v1/openapi.json", GenerationMode.POSITIVE),
    *(
        (method, path, mode)
        for method, path in [
            ("GET", "/api/v1/services/{service_id}"),
            ("POST", "/api/v1/services/{service_id}/submissions"),
            ("POST", "/api/v1/attachments"),
        ]
        for mode in GenerationMode
    ),
]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory):
    """The document as schemathesis loads it from the app (one app for the module)."""
    data_dir: Path = tmp_path_factory.mktemp("openapi") / "var"
    data_dir.mkdir(parents=True)
    app = create_app(Settings(data_dir=data_dir), catalogue=CATALOGUE)
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)


# Hypothesis drives schemathesis' strategies directly: its pytest plugin (from_fixture)
# relies on a private pytest attribute that pytest 9 no longer has.
@pytest.mark.parametrize(("method", "path", "mode"), CASES)
def test_api_conforms_to_its_document(api_schema, method: str, path: str, mode) -> None:
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
    def check(case) -> None:
        case.call_and_validate(checks=CHECKS)

    check()
