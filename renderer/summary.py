"""What a citizen answered, as labelled and formatted rows: one function for both the
check-your-answers page and the receipt, so the two always show the same thing.

Pure: a definition and the answers in, frozen dataclasses out. Hidden conditional answers
are dropped first (``prune_hidden``), exactly as they are dropped before validation.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from form_definitions.conditions import prune_hidden
from form_definitions.definition import ServiceDefinition, Step
from form_definitions.fields import (
    Choice,
    DefinitionError,
    Kind,
    choices,
    item_schema,
    kind_of,
    resolve,
)

#: Joins the labels of a group and its field in a flattened table column.
COLUMN_JOIN = " – "

#: Column for a repeat entry that is not an object (invalid data, printed as it came).
ODD = "Angabe"

_FILE_KINDS = frozenset({Kind.FILE, Kind.FILES})


@dataclass(frozen=True)
class Table:
    """A repeatable group's answers: one row per entry, one column per answered field."""

    columns: tuple[str, ...]  # labels of the item's fields (nested groups "Gruppe – Feld")
    rows: tuple[tuple[str, ...], ...]  # formatted cells ("" when unanswered)
    item_label: str  # e.g. "Hund" (x-ui.itemLabel without {n}, or the items' title)


@dataclass(frozen=True)
class Row:
    """One answered field. Exactly one of text, files, table, children carries the answer."""

    label: str  # the field's title
    path: tuple[str | int, ...]  # where the answer is in the data, e.g. ("hunde", 0, "name")
    text: str | None = None  # formatted answer for simple fields
    files: tuple[dict[str, Any], ...] = ()  # attachment refs for file(s) fields
    table: Table | None = None  # repeatable groups
    children: tuple[Row, ...] = ()  # nested groups


@dataclass(frozen=True)
class StepSummary:
    """The answered rows of one step (page) of the form."""

    step: Step
    rows: tuple[Row, ...]


def summarize(definition: ServiceDefinition, answers: Mapping[str, Any]) -> list[StepSummary]:
    """The answered fields of a submission, by step, labelled and formatted in German.

    Answers to fields hidden by a condition are left out, as are unanswered fields and
    steps without any answered field. Steps come in ``x-steps`` order, the fields of a
    step in the step's order, the fields of a group in schema order.
    """
    root = definition.schema
    data = prune_hidden(root, root, answers) if isinstance(answers, Mapping) else {}
    properties = root.get("properties", {})
    result = []
    for step in definition.steps:
        rows = [
            row
            for name in step.properties
            if isinstance(properties.get(name), Mapping) and name in data
            if (row := _row(properties[name], root, data[name], (name,), name)) is not None
        ]
        if rows:
            result.append(StepSummary(step, tuple(rows)))
    return result


def format_value(schema: Mapping[str, Any], root: Mapping[str, Any], value: Any) -> str:
    """One answer as German text: "Ja"/"Nein", "17.03.1990", "1.234,56", option titles.

    Values that do not fit the schema (a choice code not among the options, a date that
    is not one) are printed as they are: a receipt must show what was sent, never fail.
    """
    if value is None:
        return ""
    try:
        kind = kind_of(schema, root)
        resolved = resolve(schema, root)
    except DefinitionError:
        return _as_is(value)
    if kind is Kind.BOOLEAN:
        return ("Ja" if value else "Nein") if _is_bool(value) else _as_is(value)
    if kind is Kind.DATE:
        return _format_date(value)
    if kind in (Kind.NUMBER, Kind.INTEGER):
        # Integer fields hold years and counts: "2021", not "2.021" (see format_number).
        return format_number(value, _min_decimals(resolved), group_four=kind is Kind.NUMBER)
    if kind is Kind.CHOICE:
        return _choice_title(choices(resolved), value)
    if kind is Kind.MULTI_CHOICE:
        return _format_multi(item_schema(schema, root), value)
    if kind in _FILE_KINDS:
        return ", ".join(_file_name(ref) for ref in _file_refs(value))
    if kind is Kind.GROUP and isinstance(value, Mapping):
        # Met in a table cell, for the entries of a repeat inside a repeat: "Feld: Wert; …".
        cells = _flat_cells(resolved, root, value, ())
        return "; ".join(f"{label}: {text}" for label, text in cells.items() if text)
    if kind is Kind.REPEAT:
        if not isinstance(value, list):
            return _as_is(value)
        item = item_schema(schema, root)
        entries = [format_value(item, root, entry) for entry in value]
        return " | ".join(e for e in entries if e)
    return value if isinstance(value, str) else _as_is(value)


def format_number(value: Any, min_decimals: int = 0, *, group_four: bool = True) -> str:
    """A number with German separators: 1234.5 -> "1.234,5", 12 -> "12".

    Keeps the decimals the value has (never rounds an answer), padded to
    ``min_decimals`` (2 for money). With ``group_four=False`` a four-digit number stays
    ungrouped, as Duden allows and a year needs ("2021", not "2.021"); 12345 is still
    "12.345". Anything that is not a finite number is returned as it is.
    """
    if _is_bool(value) or not isinstance(value, int | float):
        return _as_is(value)
    if isinstance(value, float) and not math.isfinite(value):
        return _as_is(value)
    # str() gives the shortest repr that round-trips: 0.1 stays "0.1", not 0.1000000001.
    number = Decimal(str(value))
    exponent = number.as_tuple().exponent
    decimals = max(-exponent if isinstance(exponent, int) else 0, min_decimals, 0)
    if number == number.to_integral_value():
        decimals = min_decimals  # 685.0 came as a float but means 685
    grouped = group_four or abs(number) >= 10_000
    text = f"{number:{',' if grouped else ''}.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_size(size: Any) -> str:
    """A file size as German text in binary units, as the upload limits are stated:
    "512 Bytes", "179,9 KB", "1,2 MB" (10 MB = 10,485,760 bytes)."""
    if _is_bool(size) or not isinstance(size, int | float) or size < 0:
        return _as_is(size)
    if size < 1024:
        return f"{int(size)} Byte" if size == 1 else f"{int(size)} Bytes"
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            break
    return f"{format_number(round(size, 1))} {unit}"


def _row(
    schema: Mapping[str, Any],
    root: Mapping[str, Any],
    value: Any,
    path: tuple[str | int, ...],
    name: str,
) -> Row | None:
    """The row of one answered field, or None if it holds no answer."""
    if not _answered(value):
        return None
    label = _label(schema, root, name)
    try:
        kind = kind_of(schema, root)
    except DefinitionError:
        return Row(label, path, text=_as_is(value))
    if kind in _FILE_KINDS:
        refs = _file_refs(value)
        if not refs:
            return Row(label, path, text=_as_is(value))
        return Row(label, path, files=tuple(dict(ref) for ref in refs))
    if kind is Kind.GROUP and isinstance(value, Mapping):
        children = _group_rows(resolve(schema, root), root, value, path)
        return Row(label, path, children=children) if children else None
    if kind is Kind.REPEAT and isinstance(value, list):
        table = _table(schema, root, value)
        return Row(label, path, table=table) if table.rows else None
    return Row(label, path, text=format_value(schema, root, value))


def _group_rows(
    obj: Mapping[str, Any],
    root: Mapping[str, Any],
    data: Mapping[str, Any],
    path: tuple[str | int, ...],
) -> tuple[Row, ...]:
    """Rows of a group's answered fields, in schema order."""
    rows = []
    for name, schema in obj.get("properties", {}).items():
        if name in data and isinstance(schema, Mapping):
            row = _row(schema, root, data[name], (*path, name), name)
            if row is not None:
                rows.append(row)
    return tuple(rows)


def _table(schema: Mapping[str, Any], root: Mapping[str, Any], entries: list[Any]) -> Table:
    """A repeat's entries as a table; columns nobody answered are left out."""
    resolved = resolve(schema, root)
    item = item_schema(schema, root)
    per_entry = [
        _flat_cells(item, root, entry, ()) if isinstance(entry, Mapping) else {ODD: _as_is(entry)}
        for entry in entries
    ]
    # Schema order; a column only if some entry answered it.
    order = [*_flat_cells(item, root, {}, (), all_fields=True), ODD]
    columns = [c for c in order if any(cells.get(c) for cells in per_entry)]
    rows = tuple(
        tuple(cells.get(column, "") for column in columns)
        for cells in per_entry
        if any(cells.values())
    )
    return Table(tuple(columns), rows, _item_label(resolved, item))


def _flat_cells(
    obj: Mapping[str, Any],
    root: Mapping[str, Any],
    data: Any,
    prefix: tuple[str, ...],
    *,
    all_fields: bool = False,
) -> dict[str, str]:
    """Label -> formatted text for an entry's fields; nested groups become "Gruppe – Feld"."""
    cells: dict[str, str] = {}
    data = data if isinstance(data, Mapping) else {}
    for name, schema in obj.get("properties", {}).items():
        if not isinstance(schema, Mapping) or not (all_fields or name in data):
            continue
        label_path = (*prefix, _label(schema, root, name))
        try:
            kind = kind_of(schema, root)
        except DefinitionError:
            kind = None
        value = data.get(name)
        if kind is Kind.GROUP and (all_fields or isinstance(value, Mapping)):
            cells.update(
                _flat_cells(resolve(schema, root), root, value, label_path, all_fields=all_fields)
            )
        else:
            cells[COLUMN_JOIN.join(label_path)] = (
                format_value(schema, root, value) if _answered(value) else ""
            )
    return cells


def _item_label(repeat: Mapping[str, Any], item: Mapping[str, Any]) -> str:
    """x-ui.itemLabel without its "{n}" ("Hund {n}" -> "Hund"), else the items' title."""
    template = repeat.get("x-ui", {}).get("itemLabel")
    if isinstance(template, str):
        label = template.replace("{n}", "").strip(" .:#-–")
        if label:
            return label
    return str(item.get("title") or "Eintrag")


def _label(schema: Mapping[str, Any], root: Mapping[str, Any], name: str) -> str:
    """The field's title; a title beside a $ref wins over the target's."""
    if "title" in schema:
        return str(schema["title"])
    try:
        return str(resolve(schema, root).get("title") or name)
    except DefinitionError:
        return name


def _answered(value: Any) -> bool:
    """False for what a form leaves behind when nothing was entered."""
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    if isinstance(value, Mapping | list | tuple):
        return any(_answered(v) for v in (value.values() if isinstance(value, Mapping) else value))
    return True


def _format_date(value: Any) -> str:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value).strftime("%d.%m.%Y") if len(value) == 10 else value
        except ValueError:
            return value
    return _as_is(value)


def _min_decimals(schema: Mapping[str, Any]) -> int:
    """2 for money fields (multipleOf 0.01), else 0: the value's own decimals rule."""
    step = schema.get("multipleOf")
    if _is_bool(step) or not isinstance(step, int | float):
        return 0
    try:
        return 2 if Decimal(str(step)).as_tuple().exponent == -2 else 0
    except InvalidOperation:
        return 0


def _same(a: Any, b: Any) -> bool:
    """Equality that keeps True apart from 1 (Python says True == 1; JSON does not)."""
    return a == b and _is_bool(a) == _is_bool(b)


def _choice_title(options: Sequence[Choice], value: Any) -> str:
    for option in options:
        if _same(option.value, value):
            return option.title
    return _as_is(value)


def _format_multi(item: Mapping[str, Any], value: Any) -> str:
    """Ticked options' titles in option order; unknown codes follow as they are."""
    if not isinstance(value, list):
        return _as_is(value)
    options = choices(item)
    known = [o.title for o in options if any(_same(o.value, v) for v in value)]
    unknown = [_as_is(v) for v in value if not any(_same(o.value, v) for o in options)]
    return ", ".join(known + unknown)


def _file_refs(value: Any) -> list[Mapping[str, Any]]:
    """The attachment refs of a file or files answer (one ref or a list of them)."""
    candidates = value if isinstance(value, list) else [value]
    return [ref for ref in candidates if isinstance(ref, Mapping)]


def _file_name(ref: Mapping[str, Any]) -> str:
    return str(ref.get("name") or ref.get("id") or "")


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _as_is(value: Any) -> str:
    """A value printed as it came: strings unchanged, anything else as JSON."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)
