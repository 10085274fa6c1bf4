"""Render and decode are inverse: data → HTML → what a browser posts → decode → data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from form_definitions.catalogue import Catalogue, default_forms_dir
from form_definitions.definition import ServiceDefinition
from form_definitions.fields import Kind, choices, item_schema, kind_of
from renderer.decode import decode_step
from renderer.render import render_step
from tests.renderer.browser_post import browser_post
from tests.renderer.strategies import object_value

CATALOGUE = Catalogue.load(default_forms_dir())
ANSWERS = Path(__file__).resolve().parent.parent / "data" / "answers"
SERVICES = sorted(CATALOGUE.services)


def canonical(definition: ServiceDefinition, obj: dict[str, Any], data: Any) -> Any:
    """Multiple choices in option order, as a browser posts checkboxes."""
    root = definition.schema
    if not isinstance(data, dict):
        return data
    result = dict(data)
    for name, value in data.items():
        schema = obj.get("properties", {}).get(name)
        if schema is None:
            continue
        kind = kind_of(schema, root)
        if kind is Kind.MULTI_CHOICE:
            order = [o.value for o in choices(item_schema(schema, root))]
            result[name] = sorted(value, key=order.index)
        elif kind is Kind.GROUP:
            from form_definitions.fields import resolve

            result[name] = canonical(definition, resolve(schema, root), value)
        elif kind is Kind.REPEAT:
            items = item_schema(schema, root)
            result[name] = [canonical(definition, items, entry) for entry in value]
    return result


def round_trip(definition: ServiceDefinition, data: dict[str, Any]) -> dict[str, Any]:
    """Post every step of the form as a browser would, starting from ``data``."""
    result = data
    for step in definition.steps:
        html = str(render_step(definition, step, result, {}))
        result = decode_step(definition, step, browser_post(html), result)
    return result


@pytest.mark.parametrize("service_id", SERVICES)
def test_sample_answers_survive_the_round_trip(service_id: str) -> None:
    definition = CATALOGUE.services[service_id]
    data = canonical(
        definition, definition.schema, json.loads((ANSWERS / f"{service_id}.json").read_text())
    )
    assert round_trip(definition, data) == data


@pytest.mark.parametrize("service_id", SERVICES)
def test_generated_answers_survive_the_round_trip(service_id: str) -> None:
    definition = CATALOGUE.services[service_id]

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(data=object_value(definition.schema, definition.schema))
    def check(data: dict[str, Any]) -> None:
        assert round_trip(definition, data) == data

    check()


@given(st.text())
def test_decode_never_crashes_on_arbitrary_posts(text: str) -> None:
    definition = CATALOGUE.services["wohngeld"]
    for step in definition.steps:
        pairs = [
            (name, text)
            for name in (
                "vorname",
                "geburtsdatum.tag",
                "einkommen",
                "haushaltsmitglieder._n",
                "familienstand",
                "haushaltsmitglieder.0.einkommen",
            )
        ]
        decode_step(definition, step, pairs, {})


@pytest.mark.parametrize("service_id", SERVICES)
def test_pages_without_errors_are_spliced_exactly_as_the_widgets_render(service_id: str) -> None:
    """The fast path (markup cut around answers, finished choice variants) against the
    widgets' own rendering, which an error anywhere on the page switches to."""
    definition = CATALOGUE.services[service_id]
    elsewhere = {("kein-feld",): "ein Fehler bei keinem Feld dieser Seite"}

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(data=object_value(definition.schema, definition.schema))
    def check(data: dict[str, Any]) -> None:
        for step in definition.steps:
            spliced = str(render_step(definition, step, data, {}))
            assert spliced == str(render_step(definition, step, data, elsewhere))

    check()
