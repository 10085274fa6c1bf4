"""Where an answer lives: data paths, HTML names and element ids.

A path is a tuple of property names and list indexes, e.g. ``("hunde", 0, "name")``. In
HTML it becomes the name ``hunde.0.name`` and the id ``f-hunde-0-name``. Property names
are ``[A-Za-z][A-Za-z0-9_]*`` (checked by ``formwerk check``), so both are unambiguous.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Path = tuple[str | int, ...]


def html_name(path: Path) -> str:
    """The form field name of a path."""
    return ".".join(str(part) for part in path)


def html_id(path: Path, suffix: str = "") -> str:
    """The element id of a path (plus an optional suffix such as ``-tag``)."""
    return "f-" + "-".join(str(part) for part in path) + suffix


def parse_name(name: str) -> Path:
    """The path of a form field name (numeric parts become list indexes)."""
    return tuple(int(part) if part.isdigit() else part for part in name.split("."))


def get_path(data: Any, path: Path) -> Any:
    """The value at ``path`` in nested data, or None when any step is missing."""
    for part in path:
        in_list = isinstance(part, int) and isinstance(data, list) and 0 <= part < len(data)
        in_object = isinstance(part, str) and isinstance(data, Mapping) and part in data
        if not (in_list or in_object):
            return None
        data = data[part]
    return data


def pointer(path: Path) -> str:
    """The JSON pointer (RFC 6901) of a path, as used in API error lists."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)
