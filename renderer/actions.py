"""Button actions within a step that work without JavaScript: add or remove a repeated
entry, remove an uploaded file. Each is a pure function of the data."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from form_definitions.fields import DefinitionError, resolve
from renderer.paths import Path, get_path, parse_name
from renderer.views import MAX_REPEAT


def _container(data: dict[str, Any], path: Path) -> Any:
    return get_path(data, path) if path else data


def _max_items(root: Mapping[str, Any], path: Path) -> int:
    """maxItems of the repeatable group at ``path``; 0 when there is no such group."""
    schema: Any = root
    for part in path:
        step = (
            schema.get("items") if isinstance(part, int) else schema.get("properties", {}).get(part)
        )
        if not isinstance(step, Mapping):
            return 0
        schema = resolve(step, root)
    if (
        schema.get("type") != "array"
        or resolve(schema.get("items", {}), root).get("type") != "object"
    ):
        return 0
    return min(schema.get("maxItems", MAX_REPEAT), MAX_REPEAT)


def apply_action(root: Mapping[str, Any], data: Mapping[str, Any], action: str) -> dict[str, Any]:
    """Apply ``add:NAME``, ``remove:NAME.INDEX`` or ``remove-file:NAME:ID`` to a copy of data.

    ``root`` is the definition, whose ``maxItems`` an add never exceeds. Unknown or stale
    actions (an index that no longer exists, a forged name) change nothing.
    """
    result = copy.deepcopy(dict(data))
    verb, _, argument = action.partition(":")
    if verb == "add":
        path = parse_name(argument)
        try:
            limit = _max_items(root, path)
        except DefinitionError:
            limit = 0
        if not limit:
            return result
        parent = _container(result, path[:-1])
        if isinstance(parent, dict):
            entries = parent.setdefault(path[-1], [])
            if isinstance(entries, list) and len(entries) < limit:
                entries.append({})
    elif verb == "remove":
        path = parse_name(argument)
        entries = _container(result, path[:-1])
        if isinstance(entries, list) and isinstance(path[-1], int) and 0 <= path[-1] < len(entries):
            del entries[path[-1]]
            if not entries:
                parent = _container(result, path[:-2])
                if isinstance(parent, dict):
                    parent.pop(path[-2], None)
    elif verb == "remove-file":
        name, _, attachment_id = argument.rpartition(":")
        path = parse_name(name)
        parent = _container(result, path[:-1])
        if isinstance(parent, dict) and path[-1] in parent:
            value = parent[path[-1]]
            if isinstance(value, list):
                kept = [ref for ref in value if ref.get("id") != attachment_id]
                if kept:
                    parent[path[-1]] = kept
                else:
                    del parent[path[-1]]
            elif isinstance(value, Mapping) and value.get("id") == attachment_id:
                del parent[path[-1]]
    return result
