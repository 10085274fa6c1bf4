"""The pure render function: definition, step, data, errors → HTML of the step's fields."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import cache
from pathlib import Path as FsPath
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from form_definitions.definition import ServiceDefinition, Step
from form_definitions.fields import Kind
from renderer.paths import Path
from renderer.views import FieldView, build_fields

TEMPLATES = FsPath(__file__).parent / "templates"


def html_attrs(attrs: Mapping[str, Any]) -> Markup:
    """Render HTML attributes: True as a bare attribute, False/None left out, rest escaped."""
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(f" {name}")
        elif value is not False and value is not None:
            parts.append(f' {name}="{escape(str(value))}"')
    return Markup("".join(parts))


def filesize(size: int) -> str:
    """A file size in German notation (``1,2 MB``, ``850 KB``)."""
    if size < 1024:
        return f"{size} Byte"
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            return f"{size:.1f} {unit}".replace(".", ",").replace(",0 ", " ")
    raise AssertionError("unreachable")


def berlin(moment: datetime) -> str:
    """A UTC timestamp as German local time: ``28.11.2026, 14:03 Uhr``."""
    local = moment.astimezone(ZoneInfo("Europe/Berlin"))
    return local.strftime("%d.%m.%Y, %H:%M Uhr")


# Small pieces every field needs; Python functions because a Jinja macro call costs about
# ten times a function call, and a 30-field step makes some 200 of them.


def label_text(v: FieldView) -> Markup:
    """The label with KERN's optional marker."""
    optional = ' <span class="kern-label__optional">- Optional</span>' if v.optional else ""
    return escape(v.label) + Markup(optional)


def hint(v: FieldView) -> Markup:
    """The help text, referenced by aria-describedby."""
    if not v.hint:
        return Markup("")
    return Markup('<div class="kern-hint" id="{}-hint">{}</div>').format(v.id, v.hint)


def error(v: FieldView) -> Markup:
    """The inline error message (GOV.UK: with a visually hidden "Fehler:")."""
    if not v.error:
        return Markup("")
    return Markup(
        '\n<p class="kern-error" id="{}-error">\n'
        '  <span class="kern-icon kern-icon--danger" aria-hidden="true"></span>\n'
        '  <span class="kern-body"><span class="kern-sr-only">Fehler: </span>{}</span>\n'
        "</p>"
    ).format(v.id, v.error)


def described(v: FieldView) -> Markup:
    """aria-describedby and aria-invalid of a control (WCAG 1.3.1, 3.3.1)."""
    parts = Markup("")
    if v.described_by:
        parts += Markup(' aria-describedby="{}"').format(v.described_by)
    if v.error:
        parts += Markup(' aria-invalid="true"')
    return parts


def condition_open(v: FieldView) -> Markup:
    """The wrapper of a conditional field, with its rules and the no-JavaScript hint."""
    if not v.condition:
        return Markup("")
    off = " fw-cond--off" if v.condition.hidden else ""
    return Markup(
        '<div class="fw-cond{}" data-fw-when="{}">\n'
        '<p class="kern-body kern-body--small fw-cond-hint">{}</p>'
    ).format(Markup(off), v.condition.rules, v.condition.hint)


def condition_close(v: FieldView) -> Markup:
    """The end of a conditional field's wrapper."""
    return Markup("</div>") if v.condition else Markup("")


@cache
def environment() -> Environment:
    """The one Jinja2 environment: autoescaping on, since titles and help texts from
    definitions are text, never markup."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates ship with the package: no stat() of the file on every lookup.
        auto_reload=False,
    )
    env.filters["html_attrs"] = html_attrs
    env.filters["filesize"] = filesize
    env.filters["berlin"] = berlin
    env.globals.update(
        label_text=label_text,
        hint=hint,
        error=error,
        described=described,
        condition_open=condition_open,
        condition_close=condition_close,
        field=field,
    )
    return env


def server_hidden(
    definition: ServiceDefinition, step: Step, data: Mapping[str, Any]
) -> frozenset[str]:
    """Top-level conditional fields of this step whose trigger sits on another step.

    Such a trigger cannot change on this page, so the server decides once: hidden fields
    are not rendered at all (and what is not rendered is not decoded).
    """
    from form_definitions.conditions import conditions_of, hidden_fields

    on_step = set(step.properties)
    off_page = {
        name
        for condition in conditions_of(definition.schema)
        if condition.trigger not in on_step
        for name in condition.dependants()
    }
    return frozenset(off_page & hidden_fields(definition.schema, data) & on_step)


def step_views(
    definition: ServiceDefinition, step: Step, data: Mapping[str, Any], errors: Mapping[Path, str]
) -> list[FieldView]:
    """The field views of one step."""
    return build_fields(
        definition.schema, step.properties, data, errors, server_hidden(definition, step, data)
    )


@cache
def _macros() -> Any:
    """The widget macros, loaded once (looked up for every field of every page)."""
    return environment().get_template("fields/_macros.html").module


def text_input(v: FieldView) -> Markup:
    """Text, e-mail, phone, number and textarea fields: the most common widget, in Python
    because it is rendered most often (issue 3's 30-field benchmark)."""
    failed = " kern-form-input__input--error" if v.error else ""
    control = (
        Markup(
            '<textarea class="kern-form-input__input{}" id="{}" name="{}"{}{}>{}</textarea>'
        ).format(Markup(failed), v.id, v.name, html_attrs(v.attrs), described(v), v.value)
        if v.widget == "textarea"
        else Markup(
            '<input class="kern-form-input__input{} {}" id="{}" name="{}" value="{}"{}{}>'
        ).format(Markup(failed), v.css, v.id, v.name, v.value, html_attrs(v.attrs), described(v))
    )
    return Markup(
        '<div class="kern-form-input{}">\n'
        '  <label class="kern-label" for="{}">{}</label>\n'
        "  {}\n  {}\n  {}\n</div>\n"
    ).format(
        Markup(" kern-form-input--error" if v.error else ""),
        v.id,
        label_text(v),
        hint(v),
        control,
        error(v),
    )


def field(v: FieldView) -> Markup:
    """One field's HTML: the widget for its kind, inside its condition's wrapper."""
    kind, widget, macros = v.kind, v.widget, _macros()
    if kind is Kind.GROUP:
        inner = macros.group(v)
    elif kind is Kind.REPEAT:
        inner = macros.repeat(v)
    elif kind is Kind.DATE:
        inner = macros.date(v)
    elif kind in (Kind.FILE, Kind.FILES):
        inner = macros.file(v)
    elif widget == "select":
        inner = macros.select(v)
    elif widget in ("radios", "yesno"):
        inner = macros.choices(v, "radio")
    elif widget == "checkboxes":
        inner = macros.choices(v, "checkbox")
    elif widget == "checkbox":
        inner = macros.checkbox(v)
    else:
        inner = text_input(v)
    return condition_open(v) + Markup(inner) + condition_close(v)


def render_fields(views: list[FieldView]) -> Markup:
    """HTML for a list of field views."""
    return Markup("\n".join(str(field(view)) for view in views))


def render_step(
    definition: ServiceDefinition, step: Step, data: Mapping[str, Any], errors: Mapping[Path, str]
) -> Markup:
    """The render function of issue 3: the HTML of one step's fields."""
    return render_fields(step_views(definition, step, data, errors))
