"""Conditions: the one supported if/then/else pattern, and show/hide derived from it.

A condition lives in the object whose fields it controls (README, "Conditions"):

    {"if": {"properties": {TRIGGER: {"const": V}}, "required": [TRIGGER]},
     "then": {"required": [DEPENDANTS...]}, "else": {"required": [DEPENDANTS...]}}

or with ``{"contains": {"const": V}}`` for a multiple-choice trigger. The renderer asks
:func:`hidden_fields` which fields to hide, and evaluates the ``if`` with the same JSON
Schema validator that checks submissions, so what is shown and what is validated agree.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator

from form_definitions.fields import DefinitionError, Kind, field_info, item_schema

SUPPORTED = (
    'unterstützt wird genau diese Form: {"if": {"properties": {"FELD": {"const": '
    'WERT}}, "required": ["FELD"]}, "then": {"required": [...]}, "else": '
    '{"required": [...]}} (bei Mehrfachauswahl {"contains": {"const": WERT}})'
)


@dataclass(frozen=True)
class Condition:
    """One parsed condition of an object schema."""

    trigger: str
    operator: str  # "const" or "contains"
    value: Any
    then: tuple[str, ...]
    otherwise: tuple[str, ...]
    if_schema: dict[str, Any] = field(repr=False, compare=False)

    def applies(self, data: Mapping[str, Any]) -> bool:
        """Whether the ``if`` holds for the object's data (JSON Schema semantics)."""
        return _if_validator(json.dumps(self.if_schema, sort_keys=True)).is_valid(data)

    def dependants(self) -> tuple[str, ...]:
        """Every field this condition shows or hides."""
        return self.then + self.otherwise


@lru_cache(maxsize=4096)
def _if_validator(if_json: str) -> Draft202012Validator:
    # Built once per distinct test: building a validator costs far more than a check.
    return Draft202012Validator(json.loads(if_json))


def condition_nodes(obj: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """The (pointer suffix, node) pairs of an object schema that hold conditions."""
    nodes: list[tuple[str, Mapping[str, Any]]] = []
    if "if" in obj or "then" in obj or "else" in obj:
        nodes.append(("", {k: obj[k] for k in ("if", "then", "else") if k in obj}))
    for index, entry in enumerate(obj.get("allOf", []) or []):
        if isinstance(entry, Mapping):
            nodes.append((f"/allOf/{index}", entry))
    return nodes


def parse_condition(node: Mapping[str, Any]) -> Condition:
    """Parse one if/then/else node, or raise DefinitionError naming the supported form."""
    extra = set(node) - {"if", "then", "else", "$comment"}
    if extra and "if" in node:
        raise DefinitionError(f"unerwartete Schlüssel {sorted(extra)} neben if/then; {SUPPORTED}")
    if "if" not in node:
        raise DefinitionError(f"Bedingung ohne 'if'; {SUPPORTED}")
    if "then" not in node and "else" not in node:
        raise DefinitionError(f"'if' ohne 'then' oder 'else'; {SUPPORTED}")
    test = node["if"]
    if not isinstance(test, Mapping) or set(test) - {"properties", "required"}:
        raise DefinitionError(f"'if' darf nur 'properties' und 'required' enthalten; {SUPPORTED}")
    properties = test.get("properties")
    if not isinstance(properties, Mapping) or len(properties) != 1:
        raise DefinitionError(f"'if' muss genau ein Feld prüfen; {SUPPORTED}")
    ((trigger, check),) = properties.items()
    if test.get("required") != [trigger]:
        raise DefinitionError(
            f"'if' muss das geprüfte Feld in 'required' nennen (\"required\": [\"{trigger}\"]), "
            "sonst gilt die Bedingung auch, solange das Feld leer ist"
        )
    if isinstance(check, Mapping) and set(check) == {"const"}:
        operator, value = "const", check["const"]
    elif (
        isinstance(check, Mapping)
        and set(check) == {"contains"}
        and isinstance(check["contains"], Mapping)
        and set(check["contains"]) == {"const"}
    ):
        operator, value = "contains", check["contains"]["const"]
    else:
        raise DefinitionError(f"das Feld in 'if' muss mit 'const' geprüft werden; {SUPPORTED}")
    branches = []
    for branch_name in ("then", "else"):
        branch = node.get(branch_name, {"required": []})
        if not isinstance(branch, Mapping) or set(branch) != {"required"}:
            raise DefinitionError(f"'{branch_name}' darf nur 'required' enthalten; {SUPPORTED}")
        names = branch["required"]
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise DefinitionError(f"'{branch_name}.required' muss eine Liste von Feldnamen sein")
        branches.append(tuple(names))
    return Condition(trigger, operator, value, branches[0], branches[1], dict(test))


def conditions_of(obj: Mapping[str, Any]) -> list[Condition]:
    """All conditions of an object schema (assumes the definition passed the check)."""
    return [parse_condition(node) for _, node in condition_nodes(obj)]


def hidden_fields(obj: Mapping[str, Any], data: Mapping[str, Any]) -> set[str]:
    """Names of the object's conditional fields whose condition does not hold for ``data``."""
    conditions = conditions_of(obj)
    if not conditions:
        return set()
    conditional: set[str] = set()
    shown: set[str] = set()
    for condition in conditions:
        conditional.update(condition.dependants())
        shown.update(condition.then if condition.applies(data) else condition.otherwise)
    return conditional - shown


def prune_hidden(obj: Mapping[str, Any], root: Mapping[str, Any], data: Any) -> Any:
    """Return ``data`` without answers to fields hidden by conditions, at every depth.

    Hidden answers are never validated or submitted (issue 3: "answers to hidden fields
    are dropped"). Fields are pruned in order, so a field hidden because its trigger is
    hidden is dropped too.
    """
    if not isinstance(data, Mapping):
        return data
    result = dict(data)
    # Hiding a trigger can hide its dependants: repeat until nothing changes.
    while True:
        hidden = hidden_fields(obj, result) & set(result)
        if not hidden:
            break
        for name in hidden:
            del result[name]
    properties = obj.get("properties", {})
    for name, value in list(result.items()):
        schema = properties.get(name)
        if not isinstance(schema, Mapping):
            continue
        try:
            kind, resolved = field_info(schema, root)
        except DefinitionError:
            continue
        if kind is Kind.GROUP:
            result[name] = prune_hidden(resolved, root, value)
        elif kind is Kind.REPEAT and isinstance(value, list):
            item = item_schema(schema, root)
            result[name] = [prune_hidden(item, root, entry) for entry in value]
    return result
