"""Field models → a formwerk definition (JSON Schema 2020-12 with x-service, x-steps, x-pdf)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .formats import SPECIAL_FORMATS, parse_date, parse_number
from .labels import readable_name
from .model import PdfField
from .names import property_key, slugify, unique, unique_slug

SCHEMA_URI = "https://json-schema.org/draft/2020-12/schema"
_RADIOS_MAX = 6  # README: radios for up to 6 options, select beyond


@dataclass
class Group:
    part: str
    children: dict[str, Group | Leaf] = field(default_factory=dict)


# What `formwerk check` takes for a technical name instead of a label (see form_definitions).
_TECHNICAL = re.compile(r"[a-z][a-z0-9]*(?:[A-Z][A-Za-z0-9]*)+|[a-z0-9]+(?:[_-][a-z0-9]+)+")


def readable_title(title: str, key: str) -> str:
    """A title that does not read as a technical name ('e-mail' → 'E-mail', 'ort' → 'Ort')."""
    if title == key or _TECHNICAL.fullmatch(title):
        title = title[:1].upper() + title[1:]
    return title


def _rect(rect: tuple[float, float, float, float]) -> list[float]:
    return [round(v, 2) for v in rect]


def _width(max_len: int | None) -> str | None:
    if max_len is None:
        return None
    for limit, width in ((4, "xs"), (10, "s"), (20, "m"), (40, "l")):
        if max_len <= limit:
            return width
    return None


def _choices(field: PdfField, option_titles: dict[str, str]) -> tuple[list[dict], dict[str, str]]:
    """oneOf entries and, for radios, the map const → appearance state."""
    entries: list[dict] = []
    states: dict[str, str] = {}
    taken: set[str] = set()
    for index, option in enumerate(field.options, start=1):
        const = option.export if option.export.strip() else f"option-{index}"
        const = unique(const, taken)
        if option.state is not None:
            # The text printed beside the button is what people read on paper; /Opt (or the
            # state name, often "Choice1") only when there is none.
            title = option_titles.get(option.state) or option.display.strip()
            states[const] = option.state
        else:
            title = option.display.strip() or option.export.strip()
        entries.append({"const": const, "title": title or f"Auswahl {index}"})
    return entries, states


def _default(field: PdfField, schema: dict) -> Any:
    """A default from /DV (else /V) that the property itself accepts, or None."""
    for raw in (field.default, field.value):
        if raw in (None, "", []):
            continue
        kind = field.kind
        if kind in ("text", "textarea", "editcombo") and isinstance(raw, str):
            if len(raw) <= schema.get("maxLength", len(raw)) and "pattern" not in schema:
                return raw
        elif kind == "number" and isinstance(raw, str):
            number = parse_number(raw)
            if number is not None:
                return round(number) if schema["type"] == "integer" else number
        elif kind == "date" and isinstance(raw, str) and field.date_format:
            return parse_date(raw, field.date_format)
        elif kind == "checkbox":
            return True if raw == field.on_state else None
        elif kind == "radio":
            by_state = {state: const for const, state in schema["x-pdf"]["exportValues"].items()}
            return by_state.get(raw)
        elif kind in ("choice", "multichoice"):
            # /V may hold the export value or (wrongly, but often) the display text.
            lookup = {o.display: o.export for o in field.options}
            lookup |= {o.export: o.export for o in field.options}
            wanted = [raw] if isinstance(raw, str) else list(raw)
            picked = [lookup[v] for v in wanted if v in lookup]
            entries = schema["items"]["oneOf"] if kind == "multichoice" else schema["oneOf"]
            consts = {e["const"] for e in entries}
            if picked and len(picked) == len(wanted) and set(picked) <= consts:
                return picked if kind == "multichoice" else picked[0]
        return None
    return None


def field_schema(field: PdfField, option_titles: dict[str, str]) -> dict:
    """The property schema of one data field, with its x-pdf origin."""
    first = field.first_widget
    origin: dict[str, Any] = {
        "field": field.name,
        "page": first.page + 1,
        "rect": _rect(first.rect),
        "kind": field.kind,
        "labelSource": field.label_source,
    }
    if len(field.widgets) > 1:
        origin["widgets"] = [{"page": w.page + 1, "rect": _rect(w.rect)} for w in field.widgets]
    schema: dict[str, Any] = {"title": field.label}
    ui: dict[str, Any] = {}
    kind = field.kind
    if kind in ("text", "textarea"):
        schema["type"] = "string"
        if field.max_len:
            schema["maxLength"] = field.max_len
            origin["maxLen"] = field.max_len
        if field.comb:
            origin["comb"] = True
        if kind == "textarea":
            ui["widget"] = "textarea"
            ui["rows"] = max(2, min(10, round(first.height / 14)))
        elif (width := _width(field.max_len)) is not None:
            ui["width"] = width
        if field.special is not None:
            special = SPECIAL_FORMATS[field.special]
            schema["pattern"] = special["pattern"]
            origin["special"] = field.special
            if special["autocomplete"]:
                ui["autocomplete"] = special["autocomplete"]
            if special["autocomplete"] == "tel":
                ui["widget"] = "tel"
    elif kind == "number":
        decimals = field.number["decimals"] if field.number else 0
        schema["type"] = "integer" if decimals == 0 else "number"
        origin["number"] = dict(field.number or {})
    elif kind == "date":
        schema.update(type="string", format="date")
        origin["dateFormat"] = field.date_format
    elif kind == "checkbox":
        schema["type"] = "boolean"
        origin["onState"] = field.on_state
        if field.required:
            # A required box in a PDF must be ticked (Acrobat treats /Off as empty).
            schema["const"] = True
    elif kind in ("radio", "choice"):
        entries, states = _choices(field, option_titles)
        schema.update(type="string", oneOf=entries)
        if kind == "radio":
            origin["exportValues"] = states
        ui["widget"] = (
            "select" if field.flags & (1 << 17) or len(entries) > _RADIOS_MAX else "radios"
        )
    elif kind == "multichoice":
        entries, _ = _choices(field, option_titles)
        schema.update(type="array", uniqueItems=True, items={"type": "string", "oneOf": entries})
        if field.required:
            schema["minItems"] = 1
        ui["widget"] = "checkboxes"
    elif kind == "editcombo":
        # An editable combo box takes any text; its options are suggestions only.
        schema["type"] = "string"
        offered = [o.display or o.export for o in field.options]
        origin["options"] = [o.export for o in field.options]
        if offered:
            schema["description"] = "Vorschläge: " + ", ".join(offered)
    if field.tooltip and field.label_source == "tooltip" and field.tooltip != field.label:
        schema["description"] = field.tooltip
    if field.read_only:
        schema["readOnly"] = True
    if ui:
        schema["x-ui"] = ui
    schema["x-pdf"] = origin
    default = _default(field, schema)
    if default is not None:
        schema["default"] = default
    return schema


@dataclass
class Leaf:
    name: str  # the partial name the property key is made from
    field: PdfField


def build_tree(fields: list[PdfField]) -> tuple[Group, list[str]]:
    """Nest fields by their partial names; unwrap a lone outer wrapper and collapse groups
    that hold a single entry (e.g. 'RoutingNo[0].f2_18[0]' becomes one field)."""
    root = Group(part="")
    notes: list[str] = []
    for index, pdf_field in enumerate(fields):
        node = root
        for part in pdf_field.parts[:-1]:
            child = node.children.get("g:" + part)
            if not isinstance(child, Group):
                child = Group(part=part)
                node.children["g:" + part] = child
            node = child
        node.children[f"f:{index}"] = Leaf(pdf_field.parts[-1], pdf_field)
    while len(root.children) == 1:
        only = next(iter(root.children.values()))
        if not isinstance(only, Group):
            break
        notes.append(f"äußere Feldgruppe '{only.part}' entfernt (umfasst alle Felder)")
        root = Group(part="", children=only.children)
    _collapse(root)
    return root, notes


def _collapse(group: Group) -> None:
    for key, child in list(group.children.items()):
        if isinstance(child, Group):
            _collapse(child)
            if len(child.children) == 1:
                inner = next(iter(child.children.values()))
                # Keep the group's name: 'RoutingNo' says more than its one child 'f2_18'.
                if isinstance(inner, Group):
                    group.children[key] = Group(part=child.part, children=inner.children)
                else:
                    group.children[key] = Leaf(child.part, inner.field)


def to_properties(
    group: Group, option_titles: dict[str, dict[str, str]], pointers: dict[str, str], base: str
) -> tuple[dict[str, Any], list[str]]:
    """Properties and required list of one object; records each field's JSON pointer."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    taken: set[str] = set()
    for child in group.children.values():
        if isinstance(child, Group):
            key = unique(property_key(child.part), taken)
            props, req = to_properties(child, option_titles, pointers, f"{base}/{key}/properties")
            sub: dict[str, Any] = {
                "type": "object",
                "title": readable_title(readable_name(child.part) or "Angaben", key),
                "properties": props,
            }
            if req:
                sub["required"] = req
            properties[key] = sub
        else:
            pdf_field = child.field
            key = unique(property_key(child.name), taken)
            schema = field_schema(pdf_field, option_titles.get(pdf_field.name, {}))
            schema["title"] = readable_title(schema["title"], key)
            properties[key] = schema
            pointers[pdf_field.name] = f"{base}/{key}"
            if pdf_field.required:
                required.append(key)
    return properties, required


def steps_for(
    properties: dict[str, Any], plan: list[tuple[str, list[PdfField]]], pointers: dict[str, str]
) -> list[dict]:
    """x-steps from a plan of (title, fields): a top-level property goes to the step of its
    first field in reading order."""
    top_of = {name: pointer.split("/")[2] for name, pointer in pointers.items()}
    placed: set[str] = set()
    steps: list[dict] = []
    ids: set[str] = set()
    for title, step_fields in plan:
        names = []
        for pdf_field in step_fields:
            top = top_of.get(pdf_field.name)
            if top and top in properties and top not in placed:
                placed.add(top)
                names.append(top)
        if names:
            steps.append(
                {
                    "id": unique_slug(slugify(title, "schritt"), ids),
                    "title": title,
                    "properties": names,
                }
            )
    rest = [key for key in properties if key not in placed]
    if rest and steps:
        steps[-1]["properties"] += rest
    return steps
