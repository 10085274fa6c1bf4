"""File field policies from a service definition (README, "Files").

A file field (``$ref: #/$defs/attachment``) takes one file; a files field (an array of
attachments) takes up to ``maxItems``. ``x-ui.accept`` and ``x-ui.maxBytes`` say which
types and how large; without them the defaults below apply.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from form_definitions.fields import DefinitionError, Kind, is_attachment, item_schema, kind_of
from form_definitions.fields import resolve as resolve_ref
from renderer.uploads.filetypes import DEFAULT_ACCEPT
from renderer.uploads.parser import MIB, FieldPolicy

DEFAULT_MAX_BYTES = 10 * MIB
#: Files a files field takes when the definition sets no ``maxItems``.
DEFAULT_MAX_ITEMS = 10


def policy_for_field(
    schema: Mapping[str, Any], root: Mapping[str, Any], *, attached: int = 0
) -> FieldPolicy:
    """The policy of one file or files property (``schema`` as written in ``root``).

    ``attached`` is how many files the field already holds (uploaded on an earlier visit
    of the step); they count against ``maxItems``. Raises DefinitionError for a property
    that is not a file field.
    """
    kind = kind_of(schema, root)
    if kind not in (Kind.FILE, Kind.FILES):
        raise DefinitionError(f"kein Dateifeld (Art: {kind})")
    # x-ui sits beside the $ref of a single file, or on the array of a files field.
    resolved = dict(schema) if is_attachment(schema) else resolve_ref(schema, root)
    ui = resolved.get("x-ui", {})
    max_items = 1 if kind is Kind.FILE else int(resolved.get("maxItems", DEFAULT_MAX_ITEMS))
    title = resolved.get("title")
    return FieldPolicy(
        accept=tuple(ui.get("accept", DEFAULT_ACCEPT)),
        max_bytes=int(ui.get("maxBytes", DEFAULT_MAX_BYTES)),
        max_files=max(0, max_items - attached),
        label=str(title) if title else None,
    )


def policies_for_definition(
    root: Mapping[str, Any], attached: Mapping[str, int] | None = None
) -> Callable[[str], FieldPolicy | None]:
    """A policy lookup by form field name, for ``parse_multipart``.

    Names follow the renderer's scheme: property names and list indexes joined by dots
    (``nachweis``, ``hunde.0.impfpass``). Names that are no file field give None, so a
    file posted there is refused. ``attached`` counts existing files per name.
    """
    counts = attached or {}

    def lookup(name: str) -> FieldPolicy | None:
        obj: Mapping[str, Any] = root
        parts = name.split(".")
        i = 0
        try:
            while i < len(parts):
                schema = obj.get("properties", {}).get(parts[i])
                if not isinstance(schema, Mapping):
                    return None
                kind = kind_of(schema, root)
                if i == len(parts) - 1:
                    if kind in (Kind.FILE, Kind.FILES):
                        return policy_for_field(schema, root, attached=counts.get(name, 0))
                    return None
                if kind is Kind.GROUP:
                    obj = resolve_ref(schema, root)
                    i += 1
                elif kind is Kind.REPEAT and parts[i + 1].isdigit() and i + 2 < len(parts):
                    obj = item_schema(schema, root)
                    i += 2  # the property and its list index
                else:
                    return None
        except DefinitionError:
            return None
        return None

    return lookup
