"""Field kinds: how a property schema of a definition is understood.

This is the one registry every part of formwerk shares (renderer, decoder, receipt,
builder, migration), so that they can never disagree about what a field is.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple

ATTACHMENT_REF = "#/$defs/attachment"

#: The canonical schema of an attachment reference (see README, "Files").
ATTACHMENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Anhang",
    "properties": {
        "id": {"type": "string", "title": "Kennung", "pattern": "^att_[A-Za-z0-9_-]{16,64}$"},
        "name": {"type": "string", "title": "Dateiname", "minLength": 1, "maxLength": 255},
        "mediaType": {"type": "string", "title": "Dateityp", "minLength": 3, "maxLength": 127},
        "size": {"type": "integer", "title": "Größe in Bytes", "minimum": 1},
        "sha256": {"type": "string", "title": "SHA-256", "pattern": "^[0-9a-f]{64}$"},
    },
    "required": ["id", "name", "mediaType", "size", "sha256"],
    "additionalProperties": False,
}

#: Media types a file field may accept: those whose content the portal can recognise
#: (renderer.uploads sniffs each upload; a type it cannot recognise could never pass).
ACCEPTABLE_MEDIA_TYPES = frozenset(
    {
        "application/pdf",
        "image/jpeg",
        "image/png",
        "image/tiff",
        "image/heic",
        "image/heif",
        "image/webp",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/zip",
    }
)

#: Radios up to this many options, a select beyond (GOV.UK's advice for radios).
MAX_RADIOS = 6


class Kind(StrEnum):
    """The kinds of field the format supports."""

    TEXT = "text"
    EMAIL = "email"
    DATE = "date"
    NUMBER = "number"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    MULTI_CHOICE = "multi-choice"
    GROUP = "group"
    REPEAT = "repeat"
    FILE = "file"
    FILES = "files"


#: Widgets each kind can be shown with; the first is the default.
WIDGETS: dict[Kind, tuple[str, ...]] = {
    Kind.TEXT: ("text", "textarea", "tel"),
    Kind.EMAIL: ("email",),
    Kind.DATE: ("date",),
    Kind.NUMBER: ("number",),
    Kind.INTEGER: ("number",),
    Kind.BOOLEAN: ("checkbox", "yesno"),
    Kind.CHOICE: ("radios", "select"),
    Kind.MULTI_CHOICE: ("checkboxes",),
    Kind.GROUP: (),
    Kind.REPEAT: (),
    Kind.FILE: ("file",),
    Kind.FILES: ("file",),
}

#: x-ui keys that only make sense for some kinds.
UI_KEYS_FOR: dict[str, frozenset[Kind]] = {
    "autocomplete": frozenset(
        {Kind.TEXT, Kind.EMAIL, Kind.DATE, Kind.NUMBER, Kind.INTEGER, Kind.CHOICE}
    ),
    "width": frozenset({Kind.TEXT, Kind.EMAIL, Kind.NUMBER, Kind.INTEGER}),
    "rows": frozenset({Kind.TEXT}),
    "accept": frozenset({Kind.FILE, Kind.FILES}),
    "maxBytes": frozenset({Kind.FILE, Kind.FILES}),
    "addLabel": frozenset({Kind.REPEAT}),
    "itemLabel": frozenset({Kind.REPEAT}),
}


class DefinitionError(ValueError):
    """A definition uses something the format does not support."""


@dataclass(frozen=True, slots=True)
class Choice:
    """One option of a choice field: the stored value and the label shown."""

    value: Any
    title: str


def resolve(schema: Mapping[str, Any], root: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``schema`` with a local ``$ref`` replaced by its target.

    Keywords beside the ``$ref`` (a title, say) win over the target's, as the builder
    and the README promise. Raises DefinitionError for refs that do not resolve.
    """
    seen: set[str] = set()
    merged: dict[str, Any] = dict(schema)
    while "$ref" in merged:
        ref = merged.pop("$ref")
        if ref in seen:
            raise DefinitionError(f"$ref-Zyklus über '{ref}'")
        seen.add(ref)
        target = lookup_ref(ref, root)
        merged = {**target, **merged}
    return merged


def lookup_ref(ref: str, root: Mapping[str, Any]) -> dict[str, Any]:
    """Find the target of a local ``#/...`` reference, or raise DefinitionError."""
    if not isinstance(ref, str) or not ref.startswith("#/"):
        raise DefinitionError(
            f"$ref '{ref}' wird nicht unterstützt: nur lokale Verweise der Form '#/$defs/NAME'"
        )
    node: Any = root
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            raise DefinitionError(f"$ref '{ref}' verweist auf nichts")
    if not isinstance(node, Mapping):
        raise DefinitionError(f"$ref '{ref}' verweist nicht auf ein Schema")
    return dict(node)


def is_attachment(schema: Mapping[str, Any]) -> bool:
    """True if the schema is a reference to the standard attachment schema."""
    return schema.get("$ref") == ATTACHMENT_REF


def choices(schema: Mapping[str, Any]) -> list[Choice]:
    """The options of a (resolved) choice schema, in order."""
    if "oneOf" in schema:
        return [
            Choice(option["const"], str(option.get("title", option["const"])))
            for option in schema["oneOf"]
        ]
    return [Choice(value, str(value)) for value in schema.get("enum", [])]


def is_choice(schema: Mapping[str, Any]) -> bool:
    """True for ``oneOf`` of consts or ``enum``."""
    if "enum" in schema:
        return isinstance(schema["enum"], list)
    one_of = schema.get("oneOf")
    return isinstance(one_of, list) and all(
        isinstance(option, Mapping) and "const" in option for option in one_of
    )


def kind_of(schema: Mapping[str, Any], root: Mapping[str, Any]) -> Kind:
    """Classify a property schema, or raise DefinitionError saying what is unsupported."""
    if is_attachment(schema):
        return Kind.FILE
    s = resolve(schema, root)
    if "oneOf" in s or "enum" in s:
        if not is_choice(s):
            raise DefinitionError(
                "oneOf wird nur für Auswahlfelder unterstützt: jede Option braucht 'const' "
                "und 'title'"
            )
        return Kind.CHOICE
    type_ = s.get("type")
    if isinstance(type_, list):
        raise DefinitionError("'type' muss ein einzelner Typ sein, keine Liste")
    if type_ == "string":
        fmt = s.get("format")
        if fmt is None:
            return Kind.TEXT
        if fmt in ("date", "email"):
            return Kind(fmt)
        raise DefinitionError(
            f"format '{fmt}' wird nicht unterstützt (unterstützt: 'date', 'email')"
        )
    if type_ in ("number", "integer", "boolean"):
        return Kind(type_)
    if type_ == "object":
        if not isinstance(s.get("properties"), Mapping) or not s["properties"]:
            raise DefinitionError("eine Gruppe (type 'object') braucht 'properties'")
        return Kind.GROUP
    if type_ == "array":
        items = s.get("items")
        if not isinstance(items, Mapping):
            raise DefinitionError("ein Feld vom Typ 'array' braucht ein Schema in 'items'")
        if is_attachment(items):
            return Kind.FILES
        item = resolve(items, root)
        if is_choice(item):
            return Kind.MULTI_CHOICE
        if item.get("type") == "object":
            return Kind.REPEAT
        raise DefinitionError(
            "'items' muss Auswahloptionen (Mehrfachauswahl), eine Gruppe (wiederholbare "
            "Gruppe) oder '#/$defs/attachment' (Dateien) sein"
        )
    if type_ is None and "const" in s:
        raise DefinitionError("ein Feld mit 'const' braucht auch 'type'")
    raise DefinitionError(
        "Feldtyp fehlt oder wird nicht unterstützt: 'type' muss string, number, integer, "
        "boolean, object oder array sein (oder das Feld ist eine Auswahl mit oneOf/enum)"
    )


def widget_of(schema: Mapping[str, Any], root: Mapping[str, Any]) -> str | None:
    """The widget a field is shown with: x-ui.widget or the kind's default."""
    kind = kind_of(schema, root)
    s = resolve(schema, root) if not is_attachment(schema) else dict(schema)
    chosen = s.get("x-ui", {}).get("widget")
    if chosen:
        return chosen
    if kind is Kind.CHOICE:
        return "radios" if len(choices(s)) <= MAX_RADIOS else "select"
    options = WIDGETS[kind]
    return options[0] if options else None


class FieldInfo(NamedTuple):
    """What the hot paths (decode, pruning, file lookup) need to know of a property."""

    kind: Kind
    #: The property with its ``$ref`` resolved (an attachment stays as written). Shared:
    #: read it, never change it.
    resolved: Mapping[str, Any]


#: field_info results by id() of the property schema. Each entry keeps the schema and the
#: root alive, so an id cannot be reused while its entry exists; bounded by clearing.
_FIELD_INFO: dict[int, tuple[Mapping[str, Any], Mapping[str, Any], FieldInfo]] = {}
_FIELD_INFO_MAX = 65536


def field_info(schema: Mapping[str, Any], root: Mapping[str, Any]) -> FieldInfo:
    """``kind_of`` and ``resolve`` of a property, computed once per schema object.

    Every posted step classifies every field again; a loaded definition never changes,
    so the answer is kept, keyed by the identity of the schema (and checked against it).
    Raises DefinitionError like ``kind_of`` (errors are not kept).
    """
    entry = _FIELD_INFO.get(id(schema))
    if entry is not None and entry[0] is schema and entry[1] is root:
        return entry[2]
    info = FieldInfo(
        kind_of(schema, root), dict(schema) if is_attachment(schema) else resolve(schema, root)
    )
    if len(_FIELD_INFO) >= _FIELD_INFO_MAX:
        _FIELD_INFO.clear()
    _FIELD_INFO[id(schema)] = (schema, root, info)
    return info


def item_schema(schema: Mapping[str, Any], root: Mapping[str, Any]) -> dict[str, Any]:
    """The resolved ``items`` schema of an array field."""
    return resolve(resolve(schema, root)["items"], root)


@dataclass(frozen=True, slots=True)
class FieldRef:
    """A property met while walking a definition."""

    pointer: str  # JSON pointer of the property's schema in the definition document
    name: str
    schema: dict[str, Any]  # as written (may hold a $ref)
    parent: dict[str, Any]  # the resolved object schema the property belongs to


def iter_properties(
    obj: Mapping[str, Any], root: Mapping[str, Any], pointer: str = ""
) -> Iterator[FieldRef]:
    """Walk every property of an object schema, depth first, in document order.

    Groups and repeated groups are descended into. A property that ``$ref``s a shared
    block is yielded, but the block's own properties are walked where they are defined
    (under ``$defs``), so that each schema location is visited once.
    """
    properties = obj.get("properties", {})
    if not isinstance(properties, Mapping):
        return
    for name, schema in properties.items():
        if not isinstance(schema, Mapping):
            continue
        here = f"{pointer}/properties/{escape(name)}"
        yield FieldRef(here, name, dict(schema), dict(obj))
        if "$ref" in schema:
            continue
        if schema.get("type") == "object":
            yield from iter_properties(schema, root, here)
        items = schema.get("items")
        if (
            schema.get("type") == "array"
            and isinstance(items, Mapping)
            and "$ref" not in items
            and items.get("type") == "object"
        ):
            yield from iter_properties(items, root, f"{here}/items")


def escape(token: str) -> str:
    """Escape one JSON pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")
