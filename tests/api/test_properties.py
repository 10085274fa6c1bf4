"""Property tests of the submission API: no input gives a 5xx; valid answers are stored."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from form_definitions.fields import iter_properties
from formwerk.settings import Settings
from renderer.app import create_app
from tests.api.helpers import CATALOGUE, PROBLEM, sample_answers, submit, with_uploads

SERVICES = sorted(s.id for s in CATALOGUE.published())
NAMES = sorted(
    {ref.name for s in CATALOGUE.published() for ref in iter_properties(s.schema, s.schema)}
)
DELETE = object()

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.dates().map(str)
)
# Keys from the definitions' own property names reach deeper into validation than
# random text would.
keys = st.sampled_from(NAMES) | st.text(max_size=8)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=5),
    max_leaves=20,
)


def paths(value: Any, prefix: tuple = ()) -> Iterator[tuple]:
    """Every path into a JSON value (the root excluded)."""
    if isinstance(value, dict):
        for name, item in value.items():
            yield (*prefix, name)
            yield from paths(item, (*prefix, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield (*prefix, index)
            yield from paths(item, (*prefix, index))


@st.composite
def mutated_answers(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A service and its sample answers with a few places replaced, deleted or added."""
    service_id = draw(st.sampled_from(SERVICES))
    answers = sample_answers(service_id)
    for _ in range(draw(st.integers(1, 3))):
        where = list(paths(answers))
        path = draw(st.sampled_from(where)) if where else ()
        container: Any = answers
        for part in path[:-1]:
            container = container[part]
        value = draw(json_values | st.just(DELETE))
        if not path:
            continue
        if value is DELETE:
            del container[path[-1]]
        elif isinstance(container, dict) and draw(st.booleans()):
            container[draw(keys)] = value
        else:
            container[path[-1]] = value
    return service_id, answers


@pytest.fixture(scope="module")
def api_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app for the module: Hypothesis runs many examples against it."""
    data_dir: Path = tmp_path_factory.mktemp("properties") / "var"
    data_dir.mkdir(parents=True)
    app = create_app(Settings(data_dir=data_dir), catalogue=CATALOGUE)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def check_answer(response, service_id: str) -> None:
    assert response.status_code in (201, 422), response.text
    if response.status_code == 422:
        assert response.headers["content-type"] == PROBLEM
        errors = response.json()["errors"]
        assert errors
        pointers = [e["pointer"] for e in errors]
        assert len(pointers) == len(set(pointers))  # one per field
        assert all(
            p.startswith("/answers/") and e["message"]
            for p, e in zip(pointers, errors, strict=True)
        )
    else:
        assert response.json()["service"] == service_id


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=mutated_answers())
def test_mutated_answers_never_give_a_server_error(api_client: TestClient, case) -> None:
    service_id, answers = case
    response = submit(api_client, service_id, answers)
    check_answer(response, service_id)
    if response.status_code == 201:  # whatever is accepted has a receipt
        receipt = api_client.get(response.json()["links"]["receipt"])
        assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF-")


@settings(max_examples=50, deadline=None)
@given(service_id=st.sampled_from(SERVICES), answers=st.dictionaries(keys, json_values))
def test_random_answers_never_give_a_server_error(
    api_client: TestClient, service_id: str, answers: dict[str, Any]
) -> None:
    check_answer(submit(api_client, service_id, answers), service_id)


@settings(max_examples=20, deadline=None)
@given(
    service_id=st.sampled_from(SERVICES),
    key=st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=128),
)
def test_sample_answers_are_accepted_once_per_key(
    api_client: TestClient, service_id: str, key: str
) -> None:
    key = f"{uuid.uuid4().hex[:12]}{key}"[:128]  # the app outlives one example: keys are new
    answers = with_uploads(api_client, CATALOGUE.services[service_id], sample_answers(service_id))
    first = submit(api_client, service_id, copy.deepcopy(answers), key=key)
    assert first.status_code == 201, first.text
    again = submit(api_client, service_id, answers, key=key)
    assert again.status_code == 200
    assert again.json() == first.json()
