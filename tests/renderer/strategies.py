"""Hypothesis strategies: canonical answers for a definition, as decode produces them.

Canonical means what a browser post can express: no empty strings or lists (empty fields
are left out), no leading or trailing spaces, no line breaks outside textareas, multiple
choices in option order, single checkboxes always present (unticked is false).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st

from form_definitions.fields import Kind, choices, item_schema, kind_of, resolve, widget_of
from renderer.decode import has_answer

# Printable text without the characters HTML forms cannot carry faithfully.
_LINE = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\x85")
_BLOCK = st.one_of(_LINE, st.just("\n"))


def _text(schema: Mapping[str, Any], multiline: bool) -> st.SearchStrategy[str]:
    if "pattern" in schema:
        base = st.from_regex(schema["pattern"], fullmatch=True)
    else:
        low = max(1, schema.get("minLength", 1))
        high = min(schema.get("maxLength", 60), max(low, 60))
        base = st.text(_BLOCK if multiline else _LINE, min_size=low, max_size=high)

    def canonical(text: str) -> bool:
        return text == text.strip() != "" and "\r" not in text and (multiline or "\n" not in text)

    return base.filter(canonical)


def _number(schema: Mapping[str, Any], integer: bool) -> st.SearchStrategy[int | float]:
    low, high = schema.get("minimum", -(10**9)), schema.get("maximum", 10**9)
    if integer:
        return st.integers(min_value=int(low), max_value=int(high))
    if schema.get("multipleOf") == 0.01:
        return st.integers(min_value=int(low * 100), max_value=int(high * 100)).map(
            lambda cents: cents / 100 if cents % 100 else cents // 100
        )
    return st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False)


def field_value(schema: Mapping[str, Any], root: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    """Canonical values for one field (never "missing": see ``object_value``)."""
    kind = kind_of(schema, root)
    s = resolve(schema, root) if kind not in (Kind.FILE,) else dict(schema)
    if s.get("readOnly"):
        return st.just(s.get("const", s.get("default")))
    if kind is Kind.TEXT:
        return _text(s, widget_of(schema, root) == "textarea")
    if kind is Kind.EMAIL:
        return st.emails().filter(lambda e: e == e.strip())
    if kind is Kind.DATE:
        return st.dates().map(lambda d: d.isoformat())
    if kind in (Kind.NUMBER, Kind.INTEGER):
        return _number(s, kind is Kind.INTEGER)
    if kind is Kind.BOOLEAN:
        return st.booleans()
    if kind is Kind.CHOICE:
        return st.sampled_from([o.value for o in choices(s)])
    if kind is Kind.MULTI_CHOICE:
        options = [o.value for o in choices(item_schema(schema, root))]
        return st.sets(st.sampled_from(options), min_size=1).map(
            lambda picked: [o for o in options if o in picked]
        )
    if kind is Kind.GROUP:
        return object_value(s, root).filter(has_answer)
    if kind is Kind.REPEAT:
        items = item_schema(schema, root)
        low = max(1, s.get("minItems", 0))
        return st.lists(
            object_value(items, root), min_size=low, max_size=max(low, min(3, s.get("maxItems", 3)))
        )
    return st.nothing()  # files: not posted as form text


def object_value(obj: Mapping[str, Any], root: Mapping[str, Any]) -> st.SearchStrategy[dict]:
    """Canonical values for an object: each field present or left out, as a browser posts."""
    entries = {}
    required = set(obj.get("required", []))
    for name, schema in obj.get("properties", {}).items():
        kind = kind_of(schema, root)
        if kind in (Kind.FILE, Kind.FILES):
            continue
        resolved = resolve(schema, root)
        value = field_value(schema, root)
        always = kind is Kind.BOOLEAN and (resolved.get("x-ui", {}).get("widget") != "yesno")
        always = always or bool(resolved.get("readOnly"))
        if kind is Kind.REPEAT and resolved.get("minItems", 0) > 0:
            entries[name] = value  # at least minItems entries are always on the page
            continue
        if kind is Kind.GROUP and name in required:
            # decode keeps a required group, even empty, so its fields can report errors
            entries[name] = object_value(resolved, root)
            continue
        entries[name] = value if always else st.one_of(st.none(), value)
    return st.fixed_dictionaries(entries).map(
        lambda d: {k: v for k, v in d.items() if v is not None}
    )
