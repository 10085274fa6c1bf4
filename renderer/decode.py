"""The pure decode function: definition, step, posted form → data (the inverse of render).

Empty optional fields are left out of the data, never stored as "". What cannot be read
(letters in a number field, the 31st of February) is kept as typed, so that validation
names the problem and the page shows the citizen's input again.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from form_definitions.definition import ServiceDefinition, Step
from form_definitions.fields import Kind, choices, field_info, item_schema
from renderer.paths import Path, html_name
from renderer.views import MAX_REPEAT, option_value

_MISSING = object()
_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
_INTEGER = re.compile(r"-?\d+")
_GERMAN_THOUSANDS = re.compile(r"-?\d{1,3}(?:\.\d{3})+(?:,\d+)?")


class Form:
    """Posted fields as an ordered multi-dict (what browsers send)."""

    def __init__(self, pairs: Sequence[tuple[str, str]]) -> None:
        self._pairs = pairs
        self._last = dict(pairs)  # most fields have one value: the dict keeps the last

    def get(self, key: str, default: str = "") -> str:
        """The last value posted for ``key`` (checkbox after hidden fallback)."""
        return self._last.get(key, default)

    def getlist(self, key: str) -> list[str]:
        """All values posted for ``key`` in order."""
        return [value for name, value in self._pairs if name == key]

    def __contains__(self, key: object) -> bool:
        return key in self._last


def parse_number(text: str, integer: bool) -> int | float | str:
    """Read a number as typed in Germany ("1.234,56", "12,5") or in HTML ("1234.56").

    Anything else is returned unchanged, for validation to report.
    """
    raw = text.strip()
    if raw.isdigit() and raw.isascii():  # the common case: digits only
        return int(raw)
    raw = raw.replace(" ", "").replace("\u202f", "")
    if _GERMAN_THOUSANDS.fullmatch(raw):
        raw = raw.replace(".", "")
    if "," in raw and "." not in raw:
        raw = raw.replace(",", ".")
    if not _NUMBER.fullmatch(raw):
        return text.strip()
    if _INTEGER.fullmatch(raw):
        return int(raw)
    value = float(raw)
    if not math.isfinite(value):  # "1e999": not a number anyone means, and JSON has no inf
        return text.strip()
    if integer and value.is_integer():
        return int(value)
    return value


def _date(form: Form, names: tuple[str, str, str]) -> str | object:
    day, month, year = (
        form.get(names[0]).strip(),
        form.get(names[1]).strip(),
        form.get(names[2]).strip(),
    )
    if not (day or month or year):
        return _MISSING
    if day.isdigit() and month.isdigit() and year.isdigit():
        return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"
    return f"{year}-{month}-{day}"  # kept as typed; the date format check reports it


def has_answer(value: Any) -> bool:
    """Whether a value holds any answer: empty groups (at any depth) do not."""
    if isinstance(value, Mapping):
        return any(has_answer(v) for v in value.values())
    return not (isinstance(value, list) and not value)


class _Object:
    """Decodes the fields of one object (the step, a group, one entry of a repeat).

    Compiled once per definition version: what a field is (its kind, name, options)
    is worked out here, so decoding a post only reads the form.
    """

    def __init__(
        self, root: Mapping[str, Any], obj: Mapping[str, Any], prefix: Path, names: Sequence[str]
    ) -> None:
        properties = obj.get("properties", {})
        required = set(obj.get("required", []))
        self.fields = [
            (name, _compile(root, properties[name], (*prefix, name), name in required))
            for name in names
        ]
        self.names = frozenset(names)

    def decode(self, form: Form, previous: Mapping[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for name, field in self.fields:
            value = field(form, previous.get(name))
            if value is not _MISSING:
                result[name] = value
        return result


Decoder = Callable[[Form, Any], Any]


def _compile(
    root: Mapping[str, Any], schema: Mapping[str, Any], path: Path, required: bool
) -> Decoder:
    """The decoder of one field: (form, previous answer) → answer, or _MISSING."""
    kind, resolved = field_info(schema, root)
    if kind in (Kind.FILE, Kind.FILES):
        # Files arrive through the upload handler, never as form text.
        return _keep
    if resolved.get("readOnly"):
        # Never trust a posted read-only value: the definition decides.
        for keyword in ("const", "default"):
            if keyword in resolved:
                fixed = resolved[keyword]
                return lambda form, previous: fixed
        return _keep
    name = html_name(path)
    if kind in (Kind.TEXT, Kind.EMAIL):

        def text(form: Form, previous: Any) -> Any:
            # Browsers post textarea line breaks as CRLF; answers keep plain LF.
            value = form.get(name).replace("\r\n", "\n").strip()
            return value if value else _MISSING

        return text
    if kind is Kind.DATE:
        parts = (f"{name}.tag", f"{name}.monat", f"{name}.jahr")
        return lambda form, previous: _date(form, parts)
    if kind in (Kind.NUMBER, Kind.INTEGER):
        integer = kind is Kind.INTEGER

        def number(form: Form, previous: Any) -> Any:
            value = form.get(name).strip()
            return parse_number(value, integer) if value else _MISSING

        return number
    if kind is Kind.BOOLEAN:
        if resolved.get("x-ui", {}).get("widget") == "yesno":
            return lambda form, previous: _YES_NO.get(form.get(name), form.get(name) or _MISSING)
        # An unticked checkbox posts nothing: it means "no".
        return lambda form, previous: form.get(name) == "true"
    if kind is Kind.CHOICE:
        options: dict[str, Any] = {}
        for option in choices(resolved):
            options.setdefault(option_value(option.value), option.value)

        def choice(form: Form, previous: Any) -> Any:
            value = form.get(name)
            # Not an option: kept as posted, reported by validation.
            return options.get(value, value) if value else _MISSING

        return choice
    if kind is Kind.MULTI_CHOICE:
        offered = {option_value(o.value): o.value for o in choices(item_schema(schema, root))}

        def multi_choice(form: Form, previous: Any) -> Any:
            posted = form.getlist(name)
            picked = [offered[p] for p in offered if p in posted]
            picked += [p for p in posted if p not in offered and p]
            return picked if picked else _MISSING

        return multi_choice
    if kind is Kind.GROUP:
        group = _Object(root, resolved, path, list(resolved.get("properties", {})))

        def group_value(form: Form, previous: Any) -> Any:
            value = group.decode(form, previous if isinstance(previous, Mapping) else {})
            # A required group stays, even empty, so its own fields report what is missing.
            return value if required or has_answer(value) else _MISSING

        return group_value
    return _Repeat(root, resolved, path).decode


_YES_NO = {"true": True, "false": False}


def _keep(form: Form, previous: Any) -> Any:
    return _MISSING if previous is None else previous


class _Repeat:
    """A repeatable group: as many entries as the page had (its ``._n``), within limits."""

    def __init__(self, root: Mapping[str, Any], schema: Mapping[str, Any], path: Path) -> None:
        self.root, self.path, self.name = root, path, html_name(path)
        self.limit = min(schema.get("maxItems", MAX_REPEAT), MAX_REPEAT)
        self.items = item_schema(schema, root)
        self.names = list(self.items.get("properties", {}))
        self.entries: dict[int, _Object] = {}  # compiled per index: names differ

    def entry(self, index: int) -> _Object:
        compiled = self.entries.get(index)
        if compiled is None:
            compiled = self.entries[index] = _Object(
                self.root, self.items, (*self.path, index), self.names
            )
        return compiled

    def decode(self, form: Form, previous: Any) -> Any:
        try:
            count = int(form.get(f"{self.name}._n", "0"))
        except ValueError:
            count = 0
        count = max(0, min(count, self.limit))
        old = previous if isinstance(previous, list) else []
        entries = [
            self.entry(index).decode(
                form, old[index] if index < len(old) and isinstance(old[index], Mapping) else {}
            )
            for index in range(count)
        ]
        return entries if entries else _MISSING


#: Compiled step decoders by (definition hash, fields on the page); bounded by clearing.
_STEPS: dict[tuple[str, tuple[str, ...]], _Object] = {}


def _step_decoder(definition: ServiceDefinition, names: tuple[str, ...]) -> _Object:
    key = (definition.sha256, names)
    decoder = _STEPS.get(key)
    if decoder is None:
        if len(_STEPS) >= 1024:
            _STEPS.clear()
        decoder = _STEPS[key] = _Object(definition.schema, definition.schema, (), names)
    return decoder


def decode_step(
    definition: ServiceDefinition,
    step: Step,
    pairs: Sequence[tuple[str, str]],
    previous: Mapping[str, Any],
    rendered: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The whole application's data after posting one step.

    ``previous`` is the data before the post: answers of other steps are kept, this
    step's answers are replaced by what was posted. ``rendered`` names the top-level
    fields that were on the page (default: the whole step).
    """
    names = tuple(rendered if rendered is not None else step.properties)
    decoder = _step_decoder(definition, names)
    fresh = decoder.decode(Form(pairs), previous)
    data = {key: value for key, value in previous.items() if key not in decoder.names}
    data.update(fresh)
    return data
