"""The pure render function: definition, step, data, errors → HTML of the step's fields.

Steps are compiled once per definition version (``renderer.widgets``); rendering fills in
the answers and errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from form_definitions.conditions import conditions_of, hidden_fields
from form_definitions.definition import ServiceDefinition, Step
from renderer.paths import Path
from renderer.views import FieldView, build_fields
from renderer.widgets import Fields, compile_field

#: Per (definition hash, step): the step's top-level fields whose condition's trigger
#: sits on another step.
_OFF_PAGE: dict[tuple[str, Step], frozenset[str]] = {}


def _off_page_fields(definition: ServiceDefinition, step: Step) -> frozenset[str]:
    key = (definition.sha256, step)
    found = _OFF_PAGE.get(key)
    if found is None:
        on_step = set(step.properties)
        found = frozenset(
            name
            for condition in conditions_of(definition.schema)
            if condition.trigger not in on_step
            for name in condition.dependants()
            if name in on_step
        )
        if len(_OFF_PAGE) >= 4096:
            _OFF_PAGE.clear()
        _OFF_PAGE[key] = found
    return found


def server_hidden(
    definition: ServiceDefinition, step: Step, data: Mapping[str, Any]
) -> frozenset[str]:
    """Top-level conditional fields of this step whose trigger sits on another step.

    Such a trigger cannot change on this page, so the server decides once: hidden fields
    are not rendered at all (and what is not rendered is not decoded).
    """
    off_page = _off_page_fields(definition, step)
    if not off_page:
        return frozenset()
    return frozenset(off_page & hidden_fields(definition.schema, data))


def step_views(
    definition: ServiceDefinition, step: Step, data: Mapping[str, Any], errors: Mapping[Path, str]
) -> list[FieldView]:
    """The field views of one step."""
    return build_fields(
        definition.schema, step.properties, data, errors, server_hidden(definition, step, data)
    )


#: Compiled steps by (definition hash, step, server-hidden fields); bounded, since
#: every published version of every service may end up here.
_PLANS: dict[tuple[str, Step, frozenset[str]], Fields] = {}
_MAX_PLANS = 1024


def compiled_step(
    definition: ServiceDefinition, step: Step, hidden: frozenset[str] = frozenset()
) -> Fields:
    """The step's fields compiled to markup with holes (built once, then reused)."""
    key = (definition.sha256, step, hidden)
    plan = _PLANS.get(key)
    if plan is None:
        root = definition.schema
        views = build_fields(root, step.properties, {}, {}, hidden)
        plan = Fields(root, [compile_field(v, root) for v in views], "\n")
        if len(_PLANS) >= _MAX_PLANS:
            _PLANS.clear()
        _PLANS[key] = plan
    return plan


def render_step(
    definition: ServiceDefinition, step: Step, data: Mapping[str, Any], errors: Mapping[Path, str]
) -> Markup:
    """The render function of issue 3: the HTML of one step's fields."""
    out: list[str] = []
    compiled_step(definition, step, server_hidden(definition, step, data)).render(out, data, errors)
    return Markup("".join(out))


def shown_fields(definition: ServiceDefinition, step: Step, data: Mapping[str, Any]) -> list[str]:
    """The top-level fields the step shows for ``data`` (what a post of it can carry)."""
    hidden = server_hidden(definition, step, data)
    return [name for name in step.properties if name not in hidden]


def has_files(definition: ServiceDefinition, step: Step) -> bool:
    """Whether the step has a file field (at any depth): its form must post multipart."""
    return compiled_step(definition, step).has_files
