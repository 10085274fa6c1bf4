"""The render function, construct by construct: markup, constraint attributes, a11y wiring."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from form_definitions.definition import ServiceDefinition, Step
from form_definitions.fields import ATTACHMENT_SCHEMA
from renderer.render import render_step
from renderer.views import html_pattern

OPTIONS = [{"const": f"o{i}", "title": f"Option {i}"} for i in range(8)]


def definition(
    properties: dict[str, Any], required: list[str] | None = None, **extra: Any
) -> ServiceDefinition:
    return ServiceDefinition(
        {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "Test",
            "type": "object",
            "x-service": {"id": "t", "authority": "a", "version": "1.0.0", "status": "published"},
            "properties": properties,
            "required": required or [],
            "$defs": {"attachment": copy.deepcopy(ATTACHMENT_SCHEMA)},
            **extra,
        }
    )


def html_of(
    props: dict[str, Any],
    data: dict[str, Any] | None = None,
    errors: dict | None = None,
    required: list[str] | None = None,
    **extra: Any,
) -> str:
    d = definition(props, required, **extra)
    return str(render_step(d, Step("s", "S", tuple(props)), data or {}, errors or {}))


def tag(html: str, element_id: str) -> str:
    match = re.search(rf'<(?:input|textarea|select)[^>]*id="{element_id}"[^>]*>', html)
    assert match, f"no control #{element_id}"
    return match.group(0)


def test_text_with_constraints_and_autocomplete() -> None:
    html = html_of(
        {
            "plz": {
                "type": "string",
                "title": "Postleitzahl",
                "minLength": 5,
                "maxLength": 5,
                "pattern": "^[0-9]{5}$",
                "x-ui": {"autocomplete": "postal-code", "width": "s"},
            }
        },
        {"plz": "29614"},
        required=["plz"],
    )
    control = tag(html, "f-plz")
    for attr in (
        'type="text"',
        'name="plz"',
        'value="29614"',
        'minlength="5"',
        'maxlength="5"',
        'pattern="[0-9]{5}"',
        'autocomplete="postal-code"',
        " required",
        "fw-width-s",
    ):
        assert attr in control
    assert '<label class="kern-label" for="f-plz">Postleitzahl</label>' in html


def test_optional_fields_are_marked_and_not_required() -> None:
    html = html_of({"tel": {"type": "string", "title": "Telefon", "x-ui": {"widget": "tel"}}})
    assert "- Optional" in html
    control = tag(html, "f-tel")
    assert 'type="tel"' in control and "required" not in control


def test_textarea_email_number_integer() -> None:
    html = html_of(
        {
            "text": {"type": "string", "title": "Text", "x-ui": {"widget": "textarea", "rows": 8}},
            "mail": {"type": "string", "format": "email", "title": "E-Mail"},
            "betrag": {"type": "number", "title": "Betrag", "minimum": 0, "multipleOf": 0.01},
            "anzahl": {"type": "integer", "title": "Anzahl", "maximum": 9},
        },
        {"text": "a < b & c", "betrag": 12.5, "anzahl": 3},
    )
    assert re.search(r'<textarea[^>]*rows="8"[^>]*>a &lt; b &amp; c</textarea>', html)
    assert 'type="email"' in tag(html, "f-mail") and 'autocomplete="email"' in tag(html, "f-mail")
    betrag = tag(html, "f-betrag")
    assert 'type="number"' in betrag and 'step="0.01"' in betrag and 'min="0"' in betrag
    assert 'inputmode="decimal"' in betrag and 'value="12.5"' in betrag
    anzahl = tag(html, "f-anzahl")
    assert 'step="1"' in anzahl and 'max="9"' in anzahl and 'inputmode="numeric"' in anzahl


def test_date_is_three_labelled_inputs_in_a_fieldset() -> None:
    html = html_of(
        {
            "geb": {
                "type": "string",
                "format": "date",
                "title": "Geburtsdatum",
                "x-ui": {"autocomplete": "bday"},
            }
        },
        {"geb": "1990-03-17"},
    )
    assert '<legend class="kern-label">Geburtsdatum' in html
    assert 'value="17"' in tag(html, "f-geb-tag") and 'autocomplete="bday-day"' in tag(
        html, "f-geb-tag"
    )
    assert 'value="03"' in tag(html, "f-geb-monat")
    assert 'value="1990"' in tag(html, "f-geb-jahr")


def test_choices_radios_up_to_six_then_select() -> None:
    few = html_of({"art": {"title": "Art", "oneOf": OPTIONS[:3]}}, {"art": "o1"}, required=["art"])
    assert few.count('type="radio"') == 3
    assert re.search(r'id="f-art-1"[^>]*value="o1"[^>]*checked', few)
    many = html_of({"art": {"title": "Art", "oneOf": OPTIONS}}, {"art": "o7"})
    assert '<option value="">Bitte auswählen</option>' in many
    assert '<option value="o7" selected>Option 7</option>' in many
    forced = html_of({"art": {"title": "Art", "oneOf": OPTIONS[:2], "x-ui": {"widget": "select"}}})
    assert "<select" in forced


def test_enum_of_integers_and_yes_no() -> None:
    html = html_of(
        {
            "n": {"type": "integer", "title": "Anzahl", "enum": [1, 2, 3]},
            "ja": {"type": "boolean", "title": "Einverstanden?", "x-ui": {"widget": "yesno"}},
        },
        {"n": 2, "ja": False},
    )
    assert re.search(r'value="2"[^>]*checked', html)
    assert re.search(r'id="f-ja-nein"[^>]*value="false"[^>]*checked', html)
    assert ">Ja</label>" in html and ">Nein</label>" in html


def test_checkbox_and_multiple_choice() -> None:
    html = html_of(
        {
            "ok": {"type": "boolean", "title": "Ich stimme zu", "const": True},
            "was": {
                "type": "array",
                "title": "Was?",
                "uniqueItems": True,
                "items": {"oneOf": OPTIONS[:3]},
            },
        },
        {"ok": True, "was": ["o0", "o2"]},
        required=["ok"],
    )
    box = tag(html, "f-ok")
    assert 'type="checkbox"' in box and 'value="true"' in box and "checked" in box
    assert "required" in box
    assert html.count('name="was"') == 3
    assert len(re.findall(r'name="was" type="checkbox" value="o[02]" checked', html)) == 2


def test_group_is_a_fieldset_with_legend_and_nested_names() -> None:
    html = html_of(
        {
            "adresse": {
                "type": "object",
                "title": "Anschrift",
                "properties": {"ort": {"type": "string", "title": "Ort"}},
                "required": ["ort"],
            }
        },
        {"adresse": {"ort": "Celle"}},
    )
    assert '<legend class="kern-label kern-label--large">Anschrift' in html
    assert 'name="adresse.ort"' in tag(html, "f-adresse-ort")


def test_repeat_renders_min_items_and_buttons() -> None:
    props = {
        "kinder": {
            "type": "array",
            "title": "Kinder",
            "minItems": 1,
            "maxItems": 2,
            "x-ui": {"itemLabel": "Kind {n}", "addLabel": "Weiteres Kind"},
            "items": {
                "type": "object",
                "title": "Kind",
                "properties": {"name": {"type": "string", "title": "Name"}},
            },
        }
    }
    empty = html_of(props)
    assert 'name="kinder._n" value="1"' in empty
    assert '<legend class="kern-label">Kind 1</legend>' in empty
    assert re.search(r'value="remove:kinder.0" formnovalidate hidden', empty)  # at minItems
    assert 'value="add:kinder"' in empty and "Weiteres Kind" in empty
    full = html_of(props, {"kinder": [{"name": "A"}, {"name": "B"}]})
    assert 'name="kinder.1.name"' in full and 'value="B"' in full
    assert re.search(r'value="add:kinder" formnovalidate hidden', full)  # at maxItems


def test_read_only_and_default() -> None:
    html = html_of(
        {
            "art": {
                "type": "string",
                "title": "Art der Meldung",
                "readOnly": True,
                "default": "Neuerrichtung",
            }
        },
        {"art": "Neuerrichtung"},
    )
    control = tag(html, "f-art")
    assert "readonly" in control and 'value="Neuerrichtung"' in control
    assert "required" not in control


def test_file_field_lists_uploads_with_remove_buttons() -> None:
    ref = {
        "id": "att_0123456789abcdef",
        "name": "nachweis.pdf",
        "mediaType": "application/pdf",
        "size": 2_500_000,
        "sha256": "0" * 64,
    }
    html = html_of(
        {
            "nachweis": {
                "$ref": "#/$defs/attachment",
                "title": "Nachweis",
                "x-ui": {"accept": ["application/pdf", "image/jpeg"], "maxBytes": 10 * 1024 * 1024},
            }
        },
        {"nachweis": ref},
    )
    control = tag(html, "f-nachweis")
    assert 'type="file"' in control and 'accept="application/pdf,image/jpeg"' in control
    assert "Erlaubt: PDF oder JPG, höchstens 10 MB je Datei." in html
    assert "nachweis.pdf (2,4 MB)" in html
    assert 'value="remove-file:nachweis:att_0123456789abcdef"' in html


def test_conditional_field_carries_rules_and_no_js_hint() -> None:
    props = {
        "hund": {"type": "boolean", "title": "Gefährlich?", "x-ui": {"widget": "yesno"}},
        "test": {"type": "string", "format": "date", "title": "Wesenstest"},
    }
    cond = [
        {
            "if": {"properties": {"hund": {"const": True}}, "required": ["hund"]},
            "then": {"required": ["test"]},
        }
    ]
    hidden = html_of(props, {"hund": False}, allOf=cond)
    assert 'class="fw-cond fw-cond--off"' in hidden
    assert 'data-fw-when="[{&#34;name&#34;: &#34;hund&#34;, &#34;op&#34;: &#34;const&#34;' in hidden
    assert "Nur nötig, wenn Sie bei „Gefährlich?“ „Ja“ angegeben haben." in hidden
    assert "required" not in tag(hidden, "f-test-tag")  # a hidden required input blocks posts
    shown = html_of(props, {"hund": True}, allOf=cond)
    assert 'class="fw-cond"' in shown
    assert "Wesenstest</legend>" in shown  # required while shown: no "Optional" marker


def test_errors_are_wired_to_their_inputs() -> None:
    html = html_of(
        {"name": {"type": "string", "title": "Name", "description": "Wie im Pass"}},
        {},
        {("name",): "Geben Sie „Name“ an."},
        required=["name"],
    )
    control = tag(html, "f-name")
    assert 'aria-describedby="f-name-hint f-name-error"' in control
    assert 'aria-invalid="true"' in control
    assert 'id="f-name-error"' in html and "kern-form-input--error" in html


def test_titles_and_help_texts_are_escaped() -> None:
    html = html_of(
        {
            "x": {
                "type": "string",
                "title": "<script>alert(1)</script>",
                "description": "<b>fett</b>",
            }
        },
        {"x": '"><img src=x>'},
    )
    assert "<script>" not in html and "<b>" not in html and "<img" not in html


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("^[0-9]{5}$", "[0-9]{5}"),
        ("[0-9]{5}", None),  # unanchored: a browser would read it as anchored
        ("^[0-9/ ]{10,13}$", None),  # "/" in a class is a syntax error with the v flag
        ("^DE[0-9]{20}$", "DE[0-9]{20}"),
        ("^(?i)abc$", None),
    ],
)
def test_html_pattern_only_when_browsers_agree(pattern: str, expected: str | None) -> None:
    assert html_pattern(pattern) == expected
