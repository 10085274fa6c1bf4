"""The pure decode function: definition, step, posted form → data (the inverse of render).

Empty optional fields are left out of the data, never stored as "". What cannot be read
(letters in a number field, the 31st of February) is kept as typed, so that validation
names the problem and the page shows the citizen's input again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from form_definitions.definition import ServiceDefinition, Step
from form_definitions.fields import Kind, choices, item_schema, kind_of, resolve
from renderer.paths import Path, html_name
from renderer.views import MAX_REPEAT, option_value

_MISSING = object()
_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
_GERMAN_THOUSANDS = re.compile(r"-?\d{1,3}(?:\.\d{3})+(?:,\d+)?")


class Form:
    """Posted fields as an ordered multi-dict (what browsers send)."""

    def __init__(self, pairs: Sequence[tuple[str, str]]) -> None:
        self._values: dict[str, list[str]] = {}
        for key, value in pairs:
            self._values.setdefault(key, []).append(value)

    def get(self, key: str, default: str = "") -> str:
        """The last value posted for ``key`` (checkbox after hidden fallback)."""
        values = self._values.get(key)
        return values[-1] if values else default

    def getlist(self, key: str) -> list[str]:
        """All values posted for ``key`` in order."""
        return list(self._values.get(key, []))

    def __contains__(self, key: object) -> bool:
        return key in self._values


def parse_number(text: str, integer: bool) -> int | float | str:
    """Read a number as typed in Germany ("1.234,56", "12,5") or in HTML ("1234.56").

    Anything else is returned unchanged, for validation to report.
    """
    raw = text.strip().replace(" ", "").replace("\u202f", "")
    if _GERMAN_THOUSANDS.fullmatch(raw):
        raw = raw.replace(".", "")
    if "," in raw and "." not in raw:
        raw = raw.replace(",", ".")
    if not _NUMBER.fullmatch(raw):
        return text.strip()
    if re.fullmatch(r"-?\d+", raw):
        return int(raw)
    value = float(raw)
    if integer and value.is_integer():
        return int(value)
    return value


def _date(form: Form, name: str) -> str | object:
    day, month, year = (form.get(f"{name}.{p}").strip() for p in ("tag", "monat", "jahr"))
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


class _Decoder:
    def __init__(self, root: Mapping[str, Any], form: Form) -> None:
        self.root = root
        self.form = form

    def object(
        self,
        obj: Mapping[str, Any],
        prefix: Path,
        names: Sequence[str],
        previous: Mapping[str, Any],
    ) -> dict[str, Any]:
        result: dict[str, Any] = {}
        properties = obj.get("properties", {})
        required = set(obj.get("required", []))
        for name in names:
            value = self.field(
                properties[name], (*prefix, name), previous.get(name), required=name in required
            )
            if value is not _MISSING:
                result[name] = value
        return result

    def field(self, schema: Mapping[str, Any], path: Path, previous: Any, *, required: bool) -> Any:
        kind = kind_of(schema, self.root)
        if kind in (Kind.FILE, Kind.FILES):
            # Files arrive through the upload handler, never as form text.
            return _MISSING if previous is None else previous
        resolved = resolve(schema, self.root)
        if resolved.get("readOnly"):
            # Never trust a posted read-only value: the definition decides.
            for keyword in ("const", "default"):
                if keyword in resolved:
                    return resolved[keyword]
            return _MISSING if previous is None else previous
        name = html_name(path)
        form = self.form
        if kind in (Kind.TEXT, Kind.EMAIL):
            # Browsers post textarea line breaks as CRLF; answers keep plain LF.
            text = form.get(name).replace("\r\n", "\n").strip()
            return text if text else _MISSING
        if kind is Kind.DATE:
            return _date(form, name)
        if kind in (Kind.NUMBER, Kind.INTEGER):
            text = form.get(name).strip()
            return parse_number(text, kind is Kind.INTEGER) if text else _MISSING
        if kind is Kind.BOOLEAN:
            text = form.get(name)
            if resolved.get("x-ui", {}).get("widget") == "yesno":
                return {"true": True, "false": False}.get(text, text or _MISSING)
            return text == "true"  # an unticked checkbox posts nothing: it means "no"
        if kind is Kind.CHOICE:
            return self.choice(resolved, form.get(name))
        if kind is Kind.MULTI_CHOICE:
            options = {
                option_value(o.value): o.value for o in choices(item_schema(schema, self.root))
            }
            posted = form.getlist(name)
            picked = [options[p] for p in options if p in posted]
            picked += [p for p in posted if p not in options and p]
            return picked if picked else _MISSING
        if kind is Kind.GROUP:
            value = self.object(
                resolved,
                path,
                list(resolved.get("properties", {})),
                previous if isinstance(previous, Mapping) else {},
            )
            # A required group stays, even empty, so its own fields report what is missing.
            return value if required or has_answer(value) else _MISSING
        return self.repeat(resolved, path, previous)

    def choice(self, schema: Mapping[str, Any], text: str) -> Any:
        if not text:
            return _MISSING
        for option in choices(schema):
            if option_value(option.value) == text:
                return option.value
        return text  # not an option: kept, reported by validation

    def repeat(self, schema: Mapping[str, Any], path: Path, previous: Any) -> Any:
        name = html_name(path)
        try:
            count = int(self.form.get(f"{name}._n", "0"))
        except ValueError:
            count = 0
        limit = min(schema.get("maxItems", MAX_REPEAT), MAX_REPEAT)
        count = max(0, min(count, limit))
        items = item_schema(schema, self.root)
        names = list(items.get("properties", {}))
        old = previous if isinstance(previous, list) else []
        entries = [
            self.object(
                items,
                (*path, index),
                names,
                old[index] if index < len(old) and isinstance(old[index], Mapping) else {},
            )
            for index in range(count)
        ]
        return entries if entries else _MISSING


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
    names = list(rendered if rendered is not None else step.properties)
    decoder = _Decoder(definition.schema, Form(pairs))
    fresh = decoder.object(definition.schema, (), names, previous)
    data = {key: value for key, value in previous.items() if key not in names}
    data.update(fresh)
    return data
