"""The field widgets, compiled once per definition version into markup with holes.

A step page is mostly the same for every citizen: labels, hints, attributes, options and
ids come from the definition; only values, ticks, errors, the visibility of conditional
fields and the number of repeated entries depend on the answers. Each widget here takes
a *static* field view (``renderer.views``, built once with no answers) and precomputes
every piece of its KERN UX markup that does not depend on them, in both the normal and
the error state. Rendering a field is then a few string joins, not a template call:
a 30-field step renders in tens of microseconds (issue 3's benchmark).

The markup is the reference for the browser and accessibility tests; change it here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from markupsafe import escape

from form_definitions.conditions import hidden_fields
from form_definitions.fields import Kind
from renderer.paths import Path
from renderer.views import FieldView, entry_fields, number_text, option_value

Errors = Mapping[Path, str]
Out = list[str]


def html_attrs(attrs: Mapping[str, Any]) -> str:
    """HTML attributes: True as a bare attribute, False/None left out, the rest escaped."""
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(f" {name}")
        elif value is not False and value is not None:
            parts.append(f' {name}="{escape(str(value))}"')
    return "".join(parts)


def filesize(size: int) -> str:
    """A file size in German notation (``1,2 MB``, ``850 KB``)."""
    if size < 1024:
        return f"{size} Byte"
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            return f"{size:.1f} {unit}".replace(".", ",").replace(",0 ", " ")
    raise AssertionError("unreachable")


def esc(text: str) -> str:
    """``escape`` for answers: the same result, but most answers have none of the five
    characters it replaces and are left as they are (five `in` tests beat a regex)."""
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
        return escape(text)
    return text


def _text(value: Any) -> str:
    """An answer as the value of a text control, escaped."""
    return "" if value is None else esc(str(value))


class Widget:
    """One field: static markup computed at compile time, answers filled in per request."""

    def __init__(self, v: FieldView) -> None:
        self.key = v.path[-1]
        self.path = v.path
        self.id = v.id
        self.name = v.name
        optional = ' <span class="kern-label__optional">- Optional</span>' if v.optional else ""
        #: The label with KERN's marker of optional fields.
        self.label = str(escape(v.label)) + optional
        self.hint = (
            f'<div class="kern-hint" id="{v.id}-hint">{escape(v.hint)}</div>' if v.hint else ""
        )
        hint_id = f"{v.id}-hint" if v.hint else ""
        # aria-describedby and aria-invalid of a control (WCAG 1.3.1, 3.3.1), both states.
        self.described = f' aria-describedby="{hint_id}"' if hint_id else ""
        self.described_error = (
            f' aria-describedby="{hint_id + " " if hint_id else ""}{v.id}-error"'
            ' aria-invalid="true"'
        )
        self.condition: tuple[str, str] | None = None
        if v.condition:
            rules, hint = escape(v.condition.rules), escape(v.condition.hint)
            tail = (
                f' data-fw-when="{rules}">\n<p class="kern-body kern-body--small fw-cond-hint">'
                f"{hint}</p>"
            )
            self.condition = (
                f'<div class="fw-cond"{tail}',
                f'<div class="fw-cond fw-cond--off"{tail}',
            )

    @property
    def has_files(self) -> bool:
        """Whether this field is or holds a file field."""
        return False

    def fieldset_heads(self, template: str) -> tuple[str, str]:
        """A fieldset's opening markup from ``template`` (slots: KERN's error class, id,
        aria-describedby), as it is and in the error state; a fieldset is never
        aria-invalid, its controls are."""
        described = self.described_error.partition(" aria-invalid")[0]
        return (
            template.format("", self.id, self.described),
            template.format(" kern-fieldset--error", self.id, described),
        )

    def error(self, message: str) -> str:
        """The inline error message (GOV.UK: with a visually hidden "Fehler:")."""
        return (
            f'\n<p class="kern-error" id="{self.id}-error">\n'
            '  <span class="kern-icon kern-icon--danger" aria-hidden="true"></span>\n'
            '  <span class="kern-body"><span class="kern-sr-only">Fehler: </span>'
            f"{escape(message)}</span>\n</p>"
        )

    def render(self, out: Out, value: Any, errors: Errors, hidden: bool) -> None:
        """Append the field's markup, inside its condition's wrapper if it has one."""
        if self.condition is None:
            self.widget(out, value, errors)
            return
        out.append(self.condition[hidden])
        self.widget(out, value, errors)
        out.append("</div>")

    def widget(self, out: Out, value: Any, errors: Errors) -> None:
        raise NotImplementedError


class TextInput(Widget):
    """Text, e-mail, phone, number and textarea fields."""

    def __init__(self, v: FieldView, as_text: Callable[[Any], str] = _text) -> None:
        super().__init__(v)
        self.as_text = as_text
        head = (
            '<div class="kern-form-input{}">\n  <label class="kern-label" for="{}">{}</label>\n  '
        )
        self.head = head.format("", v.id, self.label) + self.hint + "\n  "
        self.head_error = head.format(" kern-form-input--error", v.id, self.label)
        self.head_error += self.hint + "\n  "
        attrs = html_attrs(v.attrs)
        failed = " kern-form-input__input--error"
        if v.widget == "textarea":
            control = '<textarea class="kern-form-input__input{}" id="{}" name="{}"{}{}>'
            self.open = control.format("", v.id, v.name, attrs, self.described)
            self.open_error = control.format(failed, v.id, v.name, attrs, self.described_error)
            self.close = self.close_error = "</textarea>"
        else:
            control = '<input class="kern-form-input__input{} {}" id="{}" name="{}" value="'
            self.open = control.format("", v.css, v.id, v.name)
            self.open_error = control.format(failed, v.css, v.id, v.name)
            self.close = f'"{attrs}{self.described}>'
            self.close_error = f'"{attrs}{self.described_error}>'

    def widget(self, out: Out, value: Any, errors: Errors) -> None:
        message = errors.get(self.path) if errors else None
        text = self.as_text(value)
        if message is None:
            out += (self.head, self.open, text, self.close, "\n  \n</div>\n")
        else:
            out += (self.head_error, self.open_error, text, self.close_error, "\n  ")
            out += (self.error(message), "\n</div>\n")


class DateInput(Widget):
    """KERN's and GOV.UK's date pattern: day, month and year as three text inputs."""

    PARTS = (("tag", "Tag", 2, "bday-day"), ("monat", "Monat", 2, "bday-month"))
    PARTS += (("jahr", "Jahr", 4, "bday-year"),)

    def __init__(self, v: FieldView) -> None:
        super().__init__(v)
        fieldset = '<fieldset class="kern-fieldset{}" id="{}" role="group"{}>\n'
        described = f' aria-describedby="{v.id}-hint"' if v.hint else ""
        described_error = f' aria-describedby="{v.id + "-hint " if v.hint else ""}{v.id}-error"'
        example = (
            f"{escape(v.hint)} Zum Beispiel: 17 3 1990" if v.hint else "Zum Beispiel: 17 3 1990"
        )
        rest = (
            f'  <legend class="kern-label">{self.label}</legend>\n'
            f'<div class="kern-hint" id="{v.id}-hint">{example}</div>'
            '  <div class="kern-fieldset__body kern-fieldset__body--horizontal">\n'
        )
        self.head = fieldset.format("", v.id, described) + rest
        self.head_error = fieldset.format(" kern-fieldset--error", v.id, described_error) + rest
        bday = v.attrs.get("autocomplete") == "bday"
        self.parts: list[tuple[str, str, str, str]] = []
        for part, label, width, autocomplete in self.PARTS:
            start = (
                '    <div class="kern-form-input">\n'
                f'      <label class="kern-label" for="{v.id}-{part}">{label}</label>\n'
                f'      <input class="kern-form-input__input kern-form-input__input--width-{width}'
            )
            middle = f'" id="{v.id}-{part}" name="{v.name}.{part}" value="'
            end = f'" type="text" inputmode="numeric" maxlength="{width}"'
            end += " required" if v.may_require else ""
            end += " readonly" if v.read_only else ""
            end += f' autocomplete="{autocomplete}"' if bday else ""
            self.parts.append((start, middle, end, "\n    </div>\n"))

    def widget(self, out: Out, value: Any, errors: Errors) -> None:
        message = errors.get(self.path) if errors else None
        day, month, year = date_parts(value)
        out.append(self.head if message is None else self.head_error)
        state = "" if message is None else " kern-form-input__input--error"
        invalid = ">" if message is None else ' aria-invalid="true">'
        for (start, middle, end, close), text in zip(self.parts, (day, month, year), strict=True):
            out += (start, state, middle, esc(text), end, invalid, close)
        out += ("  </div>\n  ", "" if message is None else self.error(message), "\n</fieldset>\n")


def date_parts(value: Any) -> tuple[str, str, str]:
    """Day, month and year of an ISO date (or of whatever was typed instead)."""
    text = "" if value is None else str(value)
    year, month, day = [*text.split("-", 2), "", "", ""][:3] if text else ("", "", "")
    return day, month, year


class Select(Widget):
    """A single choice among many options."""

    def __init__(self, v: FieldView) -> None:
        super().__init__(v)
        head = (
            '<div class="kern-form-input{}">\n'
            f'  <label class="kern-label" for="{v.id}">{self.label}</label>\n'
            f"  {self.hint}\n"
            '  <div class="kern-form-input__select-wrapper">\n'
            '    <select class="kern-form-input__select{}" id="{}" name="{}"{}{}>\n'
            '      <option value="">Bitte auswählen</option>\n'
        )
        attrs = html_attrs(v.attrs)
        self.head = head.format("", "", v.id, v.name, attrs, self.described)
        self.head_error = head.format(
            " kern-form-input--error",
            " kern-form-input__select--error",
            v.id,
            v.name,
            attrs,
            self.described_error,
        )
        self.options = [
            (o.value, f'      <option value="{escape(o.value)}"', f">{escape(o.label)}</option>\n")
            for o in v.options
        ]
        self.values = [o.value for o in v.options]
        self.ticked = _chosen

    def widget(self, out: Out, value: Any, errors: Errors) -> None:
        message = errors.get(self.path) if errors else None
        current = None if value is None else option_value(value)
        out.append(self.head if message is None else self.head_error)
        for option, start, end in self.options:
            out += (start, " selected" if option == current else "", end)
        out += ("    </select>\n  </div>\n  ", "" if message is None else self.error(message))
        out.append("\n</div>\n")


class Choices(Widget):
    """Radios (single choice, Ja/Nein) or checkboxes (multiple choice) in a fieldset."""

    def __init__(self, v: FieldView, kind: str) -> None:
        super().__init__(v)
        horizontal = " kern-fieldset__body--horizontal" if v.widget == "yesno" else ""
        head = (
            '<fieldset class="kern-fieldset{}" id="{}"{}>\n'
            f'  <legend class="kern-label">{self.label}</legend>\n'
            f"  {self.hint}\n"
            f'  <div class="kern-fieldset__body{horizontal}">\n'
        )
        self.head, self.head_error = self.fieldset_heads(head)
        required = " required" if kind == "radio" and v.attrs.get("required") else ""
        self.options: list[tuple[str, str, str, str]] = []
        for o in v.options:
            start = (
                f'    <div class="kern-form-check">\n      <input class="kern-form-check__{kind}'
            )
            middle = f'" id="{o.id}" name="{v.name}" type="{kind}" value="{escape(o.value)}"'
            end = (
                f'{required}>\n      <label class="kern-label" for="{o.id}">{escape(o.label)}'
                "</label>\n    </div>\n"
            )
            self.options.append((o.value, start, middle, end))
        self.values = [o.value for o in v.options]
        self.failed = f" kern-form-check__{kind}--error"
        self.ticked: Callable[[Any], set[str]] = {
            Kind.BOOLEAN: _yes_no,
            Kind.MULTI_CHOICE: _ticked,
        }.get(v.kind, _chosen)

    def widget(self, out: Out, value: Any, errors: Errors) -> None:
        message = errors.get(self.path) if errors else None
        ticked = self.ticked(value)
        out.append(self.head if message is None else self.head_error)
        state = "" if message is None else self.failed
        for option, start, middle, end in self.options:
            out += (start, state, middle, " checked" if option in ticked else "", end)
        out += ("  </div>\n  ", "" if message is None else self.error(message), "\n</fieldset>\n")


def _chosen(value: Any) -> set[str]:
    return set() if value is None else {option_value(value)}


def _ticked(value: Any) -> set[str]:
    return {option_value(v) for v in value} if isinstance(value, list) else set()


def _yes_no(value: Any) -> set[str]:
    return {"true"} if value is True else {"false"} if value is False else set()


class Checkbox(Widget):
    """A single checkbox (a yes/no question, or a declaration that must be ticked)."""

    def __init__(self, v: FieldView) -> None:
        super().__init__(v)
        start = (
            '<div class="kern-form-check{}">\n  <input class="kern-form-check__checkbox{}"'
            f' id="{v.id}" name="{v.name}" type="checkbox" value="true"'
        )
        self.start = start.format("", "")
        self.start_error = start.format(
            " kern-form-check--error", " kern-form-check__checkbox--error"
        )
        attrs = html_attrs(v.attrs)
        label = f'>\n  <label class="kern-label" for="{v.id}">{self.label}</label>\n'
        if v.hint:
            label += f'<div class="kern-hint fw-check-hint" id="{v.id}-hint">{escape(v.hint)}</div>'
        self.end = attrs + self.described + label + "  "
        self.end_error = attrs + self.described_error + label + "  "

    def widget(self, out: Out, value: Any, errors: Errors) -> None:
        message = errors.get(self.path) if errors else None
        checked = " checked" if value is True else ""
        if message is None:
            out += (self.start, checked, self.end, "\n</div>\n")
        else:
            out += (self.start_error, checked, self.end_error, self.error(message), "\n</div>\n")


class Group(Widget):
    """A nested object: a fieldset with a legend around its fields."""

    def __init__(self, v: FieldView, fields: Fields) -> None:
        super().__init__(v)
        self.fields = fields
        head = (
            '<fieldset class="kern-fieldset fw-group{}" id="{}"{}>\n'
            f'  <legend class="kern-label kern-label--large">{self.label}</legend>\n'
            f"  {self.hint}\n  "
        )
        self.head, self.head_error = self.fieldset_heads(head)

    @property
    def has_files(self) -> bool:
        return self.fields.has_files

    def widget(self, out: Out, value: Any, errors: Errors) -> None:
        message = errors.get(self.path) if errors else None
        if message is None:
            out.append(self.head)
        else:
            out += (self.head_error, self.error(message))
        out.append('\n  <div class="kern-fieldset__body fw-stack">\n')
        self.fields.render(out, value, errors)
        out.append("  </div>\n</fieldset>\n")


class Repeat(Widget):
    """A repeatable group: its entries, "Entfernen" per entry and "Weitere hinzufügen"."""

    def __init__(self, v: FieldView, compile_entry: Callable[[int], Fields]) -> None:
        super().__init__(v)
        self.compile_entry = compile_entry
        self.entries: dict[int, Fields] = {}
        self.minimum, self.maximum, self.item_label = v.min_items, v.max_items, v.item_label
        head = (
            '<fieldset class="kern-fieldset fw-repeat{}" id="{}"{}'
            f' data-fw-repeat="{v.name}" data-fw-min="{v.min_items}" data-fw-max="{v.max_items}">\n'
            f'  <legend class="kern-label kern-label--large">{self.label}</legend>\n'
            f"  {self.hint}\n  "
        )
        self.head, self.head_error = self.fieldset_heads(head)
        self.body = (
            '\n  <div class="kern-fieldset__body">\n'
            f'    <input type="hidden" name="{v.name}._n" value="'
        )
        self.add = (
            '    <button type="submit" class="kern-btn kern-btn--secondary fw-repeat__add"'
            f' name="_action" value="add:{v.name}" formnovalidate'
        )
        self.add_end = (
            '>\n      <span class="kern-icon kern-icon--add" aria-hidden="true"></span>'
            f'<span class="kern-label">{escape(v.add_label)}</span>\n    </button>\n'
        )

    @property
    def has_files(self) -> bool:
        return self.entry(0).has_files

    def entry(self, index: int) -> Fields:
        """The compiled fields of entry ``index`` (ids and names differ per entry)."""
        fields = self.entries.get(index)
        if fields is None:
            fields = self.entries[index] = self.compile_entry(index)
        return fields

    def widget(self, out: Out, value: Any, errors: Errors) -> None:
        message = errors.get(self.path) if errors else None
        entries = value if isinstance(value, list) else []
        count = max(len(entries), self.minimum)
        if message is None:
            out.append(self.head)
        else:
            out += (self.head_error, self.error(message))
        out += (self.body, str(count), '">\n')
        label = self.item_label
        for index in range(count):
            entry = entries[index] if index < len(entries) else {}
            legend = escape(
                label.replace("{n}", str(index + 1)) if "{n}" in label else f"{label} {index + 1}"
            )
            out.append(
                f'    <fieldset class="kern-fieldset fw-repeat__item" id="{self.id}-{index}">\n'
                f'      <legend class="kern-label">{legend}</legend>\n'
                '      <div class="kern-fieldset__body fw-stack">\n'
            )
            self.entry(index).render(out, entry, errors)
            hidden = "" if count > self.minimum else " hidden"
            out.append(
                "      </div>\n"
                '      <button type="submit" class="kern-btn kern-btn--tertiary fw-repeat__remove"'
                f' name="_action" value="remove:{self.name}.{index}" formnovalidate{hidden}>\n'
                '        <span class="kern-icon kern-icon--delete" aria-hidden="true"></span>'
                f'<span class="kern-label">{legend} entfernen</span>\n'
                "      </button>\n    </fieldset>\n"
            )
        if not count:
            out.append('    <p class="kern-body">Noch keine Einträge.</p>\n')
        if count < self.maximum:
            out += (self.add, self.add_end)
        elif count:
            out += (self.add, " hidden", self.add_end)
        out.append("  </div>\n</fieldset>\n")


class FileInput(Widget):
    """A file field: the files uploaded so far, each removable, and the upload control."""

    def __init__(self, v: FieldView) -> None:
        super().__init__(v)
        head = '<div class="kern-form-input{}">\n  <label class="kern-label" for="{}">{}</label>\n'
        head += "  {}\n"
        self.head = head.format("", v.id, self.label, self.hint)
        self.head_error = head.format(" kern-form-input--error", v.id, self.label, self.hint)
        title = escape(v.label)
        self.list_start = (
            f'  <ul class="kern-list fw-files" aria-label="Hochgeladene Dateien zu {title}">\n'
        )
        control = (
            '  <div class="fw-upload">\n'
            '    <input class="kern-form-input__input{}" id="{}" name="{}" type="file"{}{}>\n'
            '    <button type="submit" class="kern-btn kern-btn--secondary" name="_action"'
            ' value="upload:{}" formnovalidate>\n'
            '      <span class="kern-icon kern-icon--drive-folder-upload" aria-hidden="true">'
            '</span><span class="kern-label">Hochladen<span class="kern-sr-only">: {}</span>'
            "</span>\n    </button>\n  </div>\n  "
        )
        attrs = html_attrs(v.attrs)
        self.control = control.format("", v.id, v.name, attrs, self.described, v.name, title)
        self.control_error = control.format(
            " kern-form-input__input--error",
            v.id,
            v.name,
            attrs,
            self.described_error,
            v.name,
            title,
        )

    @property
    def has_files(self) -> bool:
        return True

    def widget(self, out: Out, value: Any, errors: Errors) -> None:
        message = errors.get(self.path) if errors else None
        refs = value if isinstance(value, list) else [value] if isinstance(value, Mapping) else []
        files = [ref for ref in refs if _is_file_ref(ref)]
        out.append(self.head if message is None else self.head_error)
        if files:
            out.append(self.list_start)
            for ref in files:
                name = escape(ref["name"])
                out.append(
                    '    <li class="fw-files__item">\n'
                    '      <span class="kern-icon kern-icon--success" aria-hidden="true"></span>\n'
                    f'      <span class="kern-body">{name} ({filesize(ref["size"])})</span>\n'
                    '      <button type="submit" class="kern-btn kern-btn--tertiary'
                    f' kern-btn--x-small" name="_action" value="remove-file:{self.name}:'
                    f'{escape(ref["id"])}" formnovalidate>\n'
                    f'        <span class="kern-label">Entfernen<span class="kern-sr-only">: {name}'
                    "</span></span>\n      </button>\n    </li>\n"
                )
            out.append("  </ul>\n")
        if message is None:
            out += (self.control, "\n</div>\n")
        else:
            out += (self.control_error, self.error(message), "\n</div>\n")


def _is_file_ref(ref: Any) -> bool:
    """A stored file reference as the upload code writes it (anything else is not shown)."""
    return (
        isinstance(ref, Mapping)
        and isinstance(ref.get("name"), str)
        and isinstance(ref.get("id"), str)
        and isinstance(ref.get("size"), int)
    )


class Fields:
    """The fields of one object (a step, a group, an entry of a repeatable group)."""

    def __init__(self, obj: Mapping[str, Any], widgets: list[Widget], separator: str) -> None:
        self.obj = obj
        self.widgets = widgets
        self.separator = separator
        # Only objects with conditional fields need the answers looked at to show/hide.
        self.conditional = any(w.condition for w in widgets)
        self.plan = None if self.conditional else [_plan(w) for w in widgets]

    @property
    def has_files(self) -> bool:
        """Whether any field here is or holds a file field (the form must post multipart)."""
        return any(w.has_files for w in self.widgets)

    def render(self, out: Out, data: Any, errors: Errors) -> None:
        """Append the markup of every field, with the answers in ``data``."""
        data = data if isinstance(data, Mapping) else {}
        separator, start, get = self.separator, len(out), data.get
        if self.plan is not None and not errors:
            # The common page: no conditions here, no errors anywhere. Each field is its
            # markup cut around its answer (see _plan), so this loop is all the work.
            # Text answers without any of the characters escape() replaces (most of them)
            # go in as they are: the test is inlined, as is everything else here.
            for op in self.plan:
                if separator:
                    out.append(separator)
                code, value = op[0], get(op[1])
                if code is _TEXT:
                    if type(value) is not str or (
                        "&" in value or "<" in value or ">" in value or '"' in value or "'" in value
                    ):
                        value = op[4](value)
                    out += (op[2], value, op[3])
                elif code is _VARIANTS:
                    variants = op[2]
                    out.append(variants.get(op[3](value), variants[None]))
                elif code is _DATE:
                    day, month, year = date_parts(value)
                    if type(value) is not str or (
                        "&" in value or "<" in value or ">" in value or '"' in value or "'" in value
                    ):
                        day, month, year = esc(day), esc(month), esc(year)
                    out += (op[2], day, op[3], month, op[4], year, op[5])
                else:
                    op[2].widget(out, value, errors)
        else:
            hidden = hidden_fields(self.obj, data) if self.conditional else ()
            for widget in self.widgets:
                if separator:
                    out.append(separator)
                key = widget.key
                widget.render(out, get(key), errors, key in hidden)
        if separator and len(out) > start:
            del out[start]  # separators go between fields


# What _plan makes of a widget for pages without errors:
_TEXT = 0  # (_TEXT, key, before, after, as_text): the markup around the escaped answer
_VARIANTS = 1  # (_VARIANTS, key, {variant: markup}, answer → variant): a few finished forms
_DATE = 2  # (_DATE, key, four pieces around day, month and year)
_WIDGET = 3  # (_WIDGET, key, widget): rendered by the widget itself

#: Stand-ins for answers, cut out of a widget's own markup; no definition text holds them.
_HOLES = ("\x00", "\x01", "\x02")
#: Beyond this many options the finished variants would take more memory than they save.
_MAX_VARIANTS = 12


def _without_errors(widget: Widget, value: Any) -> str:
    out: Out = []
    widget.widget(out, value, {})
    return "".join(out)


def _cut(markup: str, holes: tuple[str, ...]) -> list[str] | None:
    """``markup`` split at each hole, in order; None unless each occurs exactly once."""
    if any(markup.count(hole) != 1 for hole in holes):
        return None
    pieces = []
    for hole in holes:
        before, _, markup = markup.partition(hole)
        pieces.append(before)
    return [*pieces, markup]


def _plan(widget: Widget) -> tuple[Any, ...]:
    """The no-errors form of a widget, made by rendering it with stand-ins for answers.

    The widget's own code makes every piece, so the fast path cannot differ from it.
    """
    key = widget.key
    if isinstance(widget, TextInput) and (
        pieces := _cut(_without_errors(widget, _HOLES[0]), _HOLES[:1])
    ):
        return (_TEXT, key, pieces[0], pieces[1], widget.as_text)
    if isinstance(widget, DateInput):
        day, month, year = _HOLES
        pieces = _cut(_without_errors(widget, f"{year}-{month}-{day}"), (day, month, year))
        if pieces:
            return (_DATE, key, *pieces)
    if isinstance(widget, Checkbox):
        variants = {True: _without_errors(widget, True), None: _without_errors(widget, None)}
        return (_VARIANTS, key, variants, _is_true)
    if (
        isinstance(widget, Choices | Select)
        and widget.ticked is not _ticked  # checkboxes: too many combinations
        and len(widget.options) <= _MAX_VARIANTS
    ):
        yes_no = widget.ticked is _yes_no
        values: list[Any] = [True, False] if yes_no else widget.values
        variant = _yes_no_key if yes_no else _choice_key
        variants = {None: _without_errors(widget, None)}
        variants.update((variant(value), _without_errors(widget, value)) for value in values)
        return (_VARIANTS, key, variants, variant)
    return (_WIDGET, key, widget)


# Which finished form of a field shows an answer (None: the one with nothing ticked).


def _is_true(value: Any) -> bool | None:
    return True if value is True else None


def _yes_no_key(value: Any) -> bool | None:
    return value if value is True or value is False else None  # 1 is not "Ja"


def _choice_key(value: Any) -> str | None:
    return None if value is None else option_value(value)


def compile_field(v: FieldView, root: Mapping[str, Any]) -> Widget:
    """The widget for a static field view: by kind, then by widget."""
    kind, widget = v.kind, v.widget
    if kind is Kind.GROUP:
        return Group(v, Fields(v.schema, [compile_field(c, root) for c in v.children], ""))
    if kind is Kind.REPEAT:

        def compile_entry(index: int) -> Fields:
            views = entry_fields(root, v, index)
            return Fields(v.item_schema, [compile_field(c, root) for c in views], "")

        return Repeat(v, compile_entry)
    if kind is Kind.DATE:
        return DateInput(v)
    if kind in (Kind.FILE, Kind.FILES):
        return FileInput(v)
    if widget == "select":
        return Select(v)
    if widget in ("radios", "yesno"):
        return Choices(v, "radio")
    if widget == "checkboxes":
        return Choices(v, "checkbox")
    if widget == "checkbox":
        return Checkbox(v)
    if kind in (Kind.NUMBER, Kind.INTEGER):
        return TextInput(v, lambda value: esc(number_text(value)))
    return TextInput(v)
