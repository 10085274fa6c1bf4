"""Field views: everything a template needs to show one field, derived from the schema.

``build_fields`` is pure: the same definition, step, data and errors give the same views.
The templates in ``templates/fields/`` turn the views into KERN UX markup.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from form_definitions.conditions import Condition, conditions_of, hidden_fields
from form_definitions.fields import (
    Kind,
    choices,
    is_attachment,
    item_schema,
    kind_of,
    resolve,
    widget_of,
)
from renderer.paths import Path, html_id, html_name

#: A safety cap for repeatable groups without maxItems (a posted count is never trusted).
MAX_REPEAT = 50

MEDIA_TYPE_WORDS = {
    "application/pdf": "PDF",
    "image/jpeg": "JPG",
    "image/png": "PNG",
    "image/tiff": "TIFF",
    "image/heic": "HEIC",
}


@dataclass(frozen=True)
class OptionView:
    """One radio, checkbox or select option."""

    value: str
    label: str
    id: str
    checked: bool


@dataclass(frozen=True)
class ConditionView:
    """Show/hide data for a conditional field (README, "Conditions")."""

    rules: str  # JSON for formwerk.js: [{"name", "op", "value", "negate"}]
    hidden: bool  # hidden for the current data (the server's verdict)
    hint: str  # shown without JavaScript: when to fill in this field


@dataclass
class ItemView:
    """One entry of a repeatable group."""

    index: int
    legend: str
    fields: list[FieldView]
    remove_action: str
    removable: bool  # False while at minItems (the button is there, but hidden)


@dataclass
class FieldView:
    """One field, ready for its template."""

    kind: Kind
    widget: str | None
    path: Path
    name: str
    id: str
    label: str
    hint: str | None = None
    optional: bool = False
    value: str = ""
    date_parts: tuple[str, str, str] = ("", "", "")
    options: list[OptionView] = field(default_factory=list)
    attrs: dict[str, str | int | bool] = field(default_factory=dict)
    error: str | None = None
    children: list[FieldView] = field(default_factory=list)
    items: list[ItemView] = field(default_factory=list)
    count: int = 0
    min_items: int = 0
    max_items: int = 0
    add_action: str | None = None
    add_label: str = "Weitere hinzufügen"
    files: list[dict[str, Any]] = field(default_factory=list)
    condition: ConditionView | None = None
    read_only: bool = False
    may_require: bool = True  # may carry the HTML `required` attribute
    css: str = ""  # extra classes for the control (its width)
    #: The resolved schema (a group's fields are compiled from it).
    schema: Mapping[str, Any] = field(default_factory=dict)
    #: A repeatable group's entry schema and entry legend ("Hund {n}").
    item_schema: Mapping[str, Any] = field(default_factory=dict)
    item_label: str = "Eintrag {n}"

    @property
    def described_by(self) -> str:
        """ids of hint and error, for aria-describedby (WCAG 1.3.1, 3.3.1)."""
        ids = []
        if self.hint:
            ids.append(f"{self.id}-hint")
        if self.error:
            ids.append(f"{self.id}-error")
        return " ".join(ids)

    @property
    def target(self) -> str:
        """The id the error summary links to: the first control of the field."""
        if self.widget in ("radios", "yesno", "checkboxes") and self.options:
            return self.options[0].id
        if self.kind is Kind.DATE:
            return f"{self.id}-tag"
        return self.id


def option_value(value: Any) -> str:
    """How a choice value travels in HTML: strings as they are, other JSON as JSON."""
    return value if isinstance(value, str) else json.dumps(value)


def number_text(value: Any) -> str:
    """A number as an HTML number input holds it; repr keeps 5.0 a float on the way back."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "" if value is None else str(value)
    return repr(value)


def html_pattern(pattern: str | None) -> str | None:
    """The pattern for the HTML attribute, or None when a browser would read it differently.

    HTML anchors patterns and compiles them with the ``v`` flag; JSON Schema does neither.
    Only fully anchored patterns without characters that ``v`` treats specially in
    classes are passed on: the server stays the authority either way.
    """
    if not pattern or not (pattern.startswith("^") and pattern.endswith("$")):
        return None
    inner = pattern[1:-1]
    if re.search(r"\[[^\]]*(?:[(){}/|]|\[-|-\])", inner) or "(?" in inner:
        return None
    return inner


def _file_hint(ui: Mapping[str, Any], max_files: int | None) -> str:
    words = [MEDIA_TYPE_WORDS.get(t, t.split("/")[-1].upper()) for t in ui.get("accept", [])]
    parts = []
    if words:
        kinds = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " oder " + words[-1]
        parts.append(f"Erlaubt: {kinds}")
    if ui.get("maxBytes"):
        size = round(ui["maxBytes"] / 1024**2, 1)
        parts.append(f"höchstens {size:g} MB".replace(".", ",") + " je Datei")
    if max_files and max_files > 1:
        parts.append(f"bis zu {max_files} Dateien")
    return ", ".join(parts) + "." if parts else ""


class _Builder:
    def __init__(self, root: Mapping[str, Any], errors: Mapping[Path, str]) -> None:
        self.root = root
        self.errors = errors

    def object_fields(
        self,
        obj: Mapping[str, Any],
        data: Any,
        prefix: Path,
        names: Sequence[str] | None = None,
        *,
        server_hidden: frozenset[str] = frozenset(),
        may_require: bool = True,
    ) -> list[FieldView]:
        """Views for the properties of an object (all, or the given names in order)."""
        data = data if isinstance(data, Mapping) else {}
        properties = obj.get("properties", {})
        required = set(obj.get("required", []))
        conditions = conditions_of(obj)
        conditional = {n for c in conditions for n in c.dependants()}
        hidden = hidden_fields(obj, data)
        on_page = set(names) if names is not None else set(properties)
        views = []
        for name in names if names is not None else list(properties):
            if name in server_hidden:
                continue
            # A trigger on another step cannot change here: the server has decided.
            revealing = [c for c in conditions if name in c.dependants() and c.trigger in on_page]
            condition = (
                self.condition_view(name, revealing, obj, prefix, name in hidden)
                if revealing
                else None
            )
            optional = name not in required and name not in conditional
            views.append(
                self.field(
                    name,
                    properties[name],
                    data.get(name),
                    (*prefix, name),
                    optional=optional,
                    condition=condition,
                    # Browsers refuse to post a form with an empty required input, even a hidden
                    # one: only fields that are always shown and always needed get `required`.
                    may_require=may_require and not optional and condition is None,
                )
            )
        return views

    def condition_view(
        self,
        name: str,
        conditions: list[Condition],
        obj: Mapping[str, Any],
        prefix: Path,
        hidden: bool,
    ) -> ConditionView:
        rules, hints = [], []
        for condition in conditions:
            for branch, negate in ((condition.then, False), (condition.otherwise, True)):
                if name not in branch:
                    continue
                rules.append(
                    {
                        "name": html_name((*prefix, condition.trigger)),
                        "op": condition.operator,
                        "value": option_value(condition.value),
                        "negate": negate,
                    }
                )
                hints.append(self.condition_hint(condition, obj, negate))
        return ConditionView(json.dumps(rules), hidden, " oder ".join(hints))

    def condition_hint(self, condition: Condition, obj: Mapping[str, Any], negate: bool) -> str:
        trigger = obj["properties"][condition.trigger]
        resolved = resolve(trigger, self.root)
        title = resolved.get("title", condition.trigger)
        if isinstance(condition.value, bool):
            answer = "Ja" if condition.value else "Nein"
        else:
            options = (
                choices(resolved)
                if condition.operator == "const"
                else choices(item_schema(trigger, self.root))
            )
            answer = next(
                (o.title for o in options if o.value == condition.value), str(condition.value)
            )
        verb = "nicht " if negate else ""
        return f"Nur nötig, wenn Sie bei „{title}“ {verb}„{answer}“ angegeben haben."

    def field(
        self,
        name: str,
        schema: Mapping[str, Any],
        value: Any,
        path: Path,
        *,
        optional: bool,
        condition: ConditionView | None,
        may_require: bool,
    ) -> FieldView:
        kind = kind_of(schema, self.root)
        resolved = dict(schema) if is_attachment(schema) else resolve(schema, self.root)
        ui = resolved.get("x-ui", {})
        view = FieldView(
            kind=kind,
            widget=widget_of(schema, self.root),
            path=path,
            name=html_name(path),
            id=html_id(path),
            label=str(resolved.get("title", name)),
            hint=resolved.get("description"),
            optional=optional,
            error=self.errors.get(path),
            read_only=bool(resolved.get("readOnly")),
            condition=condition,
            may_require=may_require,
            schema=resolved,
        )
        getattr(self, f"fill_{kind.value.replace('-', '_')}")(view, resolved, ui, value)
        return view

    # -- one filler per kind

    def fill_text(
        self, view: FieldView, schema: Mapping[str, Any], ui: Mapping[str, Any], value: Any
    ) -> None:
        view.value = "" if value is None else str(value)
        attrs = view.attrs
        if view.widget != "textarea":
            attrs["type"] = {"tel": "tel", "email": "email"}.get(view.widget or "", "text")
        else:
            attrs["rows"] = ui.get("rows", 5)
        for keyword, attr in (("minLength", "minlength"), ("maxLength", "maxlength")):
            if keyword in schema:
                attrs[attr] = schema[keyword]
        if view.widget != "textarea" and (pattern := html_pattern(schema.get("pattern"))):
            attrs["pattern"] = pattern
        if ui.get("autocomplete"):
            attrs["autocomplete"] = ui["autocomplete"]
        if view.widget == "tel":
            attrs["inputmode"] = "tel"
        self._common(view, schema, ui)

    def fill_email(
        self, view: FieldView, schema: Mapping[str, Any], ui: Mapping[str, Any], value: Any
    ) -> None:
        self.fill_text(view, schema, ui, value)
        view.attrs["type"] = "email"
        view.attrs["spellcheck"] = "false"
        view.attrs.setdefault("autocomplete", "email")

    def fill_date(
        self, view: FieldView, schema: Mapping[str, Any], ui: Mapping[str, Any], value: Any
    ) -> None:
        # KERN's and GOV.UK's date pattern: day, month and year as three text inputs.
        text = "" if value is None else str(value)
        year, month, day = [*text.split("-", 2), "", "", ""][:3] if text else ("", "", "")
        view.date_parts = (day, month, year)
        if ui.get("autocomplete") == "bday":
            view.attrs["autocomplete"] = "bday"
        self._common(view, schema, ui)

    def fill_number(
        self, view: FieldView, schema: Mapping[str, Any], ui: Mapping[str, Any], value: Any
    ) -> None:
        view.value = number_text(value)
        attrs = view.attrs
        attrs["type"] = "number"
        integer = view.kind is Kind.INTEGER
        attrs["inputmode"] = "numeric" if integer else "decimal"
        attrs["step"] = schema.get("multipleOf", 1 if integer else "any")
        for keyword, attr in (("minimum", "min"), ("maximum", "max")):
            if keyword in schema:
                attrs[attr] = schema[keyword]
        if ui.get("autocomplete"):
            attrs["autocomplete"] = ui["autocomplete"]
        self._common(view, schema, ui)

    fill_integer = fill_number

    def fill_boolean(
        self, view: FieldView, schema: Mapping[str, Any], ui: Mapping[str, Any], value: Any
    ) -> None:
        if view.widget == "yesno":
            view.options = [
                OptionView("true", "Ja", f"{view.id}-ja", value is True),
                OptionView("false", "Nein", f"{view.id}-nein", value is False),
            ]
            if view.may_require:
                view.attrs["required"] = True
        else:
            view.value = "true" if value is True else ""
            if schema.get("const") is True and view.may_require:
                view.attrs["required"] = True

    def fill_choice(
        self, view: FieldView, schema: Mapping[str, Any], ui: Mapping[str, Any], value: Any
    ) -> None:
        current = None if value is None else option_value(value)
        view.options = [
            OptionView(
                option_value(o.value),
                o.title,
                f"{view.id}-{index}",
                option_value(o.value) == current,
            )
            for index, o in enumerate(choices(schema))
        ]
        if current is not None and not any(o.checked for o in view.options):
            view.value = current  # an unknown posted value: shown nowhere, reported as error
        if ui.get("autocomplete"):
            view.attrs["autocomplete"] = ui["autocomplete"]
        self._common(view, schema, ui)

    def fill_multi_choice(
        self, view: FieldView, schema: Mapping[str, Any], ui: Mapping[str, Any], value: Any
    ) -> None:
        ticked = {option_value(v) for v in value} if isinstance(value, list) else set()
        view.options = [
            OptionView(
                option_value(o.value),
                o.title,
                f"{view.id}-{index}",
                option_value(o.value) in ticked,
            )
            for index, o in enumerate(choices(item_schema(schema, self.root)))
        ]

    def fill_group(
        self, view: FieldView, schema: Mapping[str, Any], ui: Mapping[str, Any], value: Any
    ) -> None:
        view.children = self.object_fields(schema, value, view.path, may_require=view.may_require)

    def fill_repeat(
        self, view: FieldView, schema: Mapping[str, Any], ui: Mapping[str, Any], value: Any
    ) -> None:
        entries = value if isinstance(value, list) else []
        minimum = schema.get("minItems", 0)
        maximum = min(schema.get("maxItems", MAX_REPEAT), MAX_REPEAT)
        items = item_schema(schema, self.root)
        count = max(len(entries), minimum)
        label = ui.get("itemLabel") or items.get("title") or "Eintrag {n}"
        view.count, view.min_items, view.max_items = count, minimum, maximum
        view.item_schema, view.item_label = items, label
        for index in range(count):
            entry = entries[index] if index < len(entries) else {}
            legend = (
                label.replace("{n}", str(index + 1)) if "{n}" in label else f"{label} {index + 1}"
            )
            view.items.append(
                ItemView(
                    index=index,
                    legend=legend,
                    fields=self.object_fields(
                        items, entry, (*view.path, index), may_require=view.may_require
                    ),
                    remove_action=f"remove:{view.name}.{index}",
                    removable=count > minimum,
                )
            )
        view.add_action = f"add:{view.name}" if count < maximum else None
        view.add_label = ui.get("addLabel", "Weitere hinzufügen")

    def fill_file(
        self, view: FieldView, schema: Mapping[str, Any], ui: Mapping[str, Any], value: Any
    ) -> None:
        refs = value if isinstance(value, list) else [value] if isinstance(value, Mapping) else []
        view.files = [dict(ref) for ref in refs if isinstance(ref, Mapping)]
        max_files = 1 if view.kind is Kind.FILE else schema.get("maxItems")
        if ui.get("accept"):
            view.attrs["accept"] = ",".join(ui["accept"])
        if view.kind is Kind.FILES and (max_files or 2) > 1:
            view.attrs["multiple"] = True
        auto = _file_hint(ui, max_files)
        view.hint = " ".join(p for p in (view.hint, auto) if p) or None

    fill_files = fill_file

    def _common(self, view: FieldView, schema: Mapping[str, Any], ui: Mapping[str, Any]) -> None:
        if view.may_require and not view.read_only:
            view.attrs["required"] = True
        if view.read_only:
            view.attrs["readonly"] = True
        if ui.get("width"):
            view.css = f"fw-width-{ui['width']}"


def build_fields(
    definition_schema: Mapping[str, Any],
    names: Sequence[str],
    data: Mapping[str, Any],
    errors: Mapping[Path, str],
    server_hidden: frozenset[str] = frozenset(),
) -> list[FieldView]:
    """Views for the top-level properties ``names`` (one step) with data and errors."""
    builder = _Builder(definition_schema, errors)
    return builder.object_fields(definition_schema, data, (), names, server_hidden=server_hidden)


def entry_fields(root: Mapping[str, Any], repeat: FieldView, index: int) -> list[FieldView]:
    """Views for entry ``index`` of a repeatable group, without answers."""
    builder = _Builder(root, {})
    path = (*repeat.path, index)
    return builder.object_fields(repeat.item_schema, {}, path, may_require=repeat.may_require)
