"""Shared browser helpers: the demo services, their sample answers, and filling a step on a
live page from those answers the way a citizen would (issue: accessibility, browser tests).

The pairs a browser posts for a step come from the server's own render function plus
``browser_post``, so the helpers know nothing about any one service.
"""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import nullcontext
from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect

from form_definitions.catalogue import Catalogue, default_forms_dir
from form_definitions.definition import ServiceDefinition, Step
from renderer.render import render_step, step_views
from renderer.summary import Row, summarize
from renderer.views import FieldView
from tests.renderer.browser_post import browser_post

ANSWERS = Path(__file__).resolve().parent.parent / "data" / "answers"
SHOTS = Path("/tmp/formwerk-shots")
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 390, "height": 844}
NARROWEST = {"width": 320, "height": 640}  # WCAG 1.4.10 Reflow: 320 CSS px, no sideways scroll


@cache
def catalogue() -> Catalogue:
    return Catalogue.load(default_forms_dir())


def service_ids() -> list[str]:
    """Every published demo service (each has one sample answer set)."""
    return sorted(s.id for s in catalogue().published())


def service(service_id: str) -> ServiceDefinition:
    return catalogue().services[service_id]


def answers(service_id: str) -> dict[str, Any]:
    return json.loads((ANSWERS / f"{service_id}.json").read_text(encoding="utf-8"))


def step_url(base: str, service_id: str, step_id: str) -> str:
    return f"{base}/leistungen/{service_id}/antrag/{step_id}"


def check_url(base: str, service_id: str) -> str:
    return f"{base}/leistungen/{service_id}/pruefen"


def shot(page: Page, name: str, *, full_page: bool = True) -> None:
    """Save a screenshot outside the repository, for a person to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def assert_fits_the_width(page: Page) -> None:
    """Nothing sticks out sideways, so nobody has to scroll in two directions (WCAG 1.4.10)."""
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
             .filter(e => e.getBoundingClientRect().right > innerWidth + 1
                          && !e.closest('.kern-table-responsive, .kern-sr-only'))
             .map(e => e.tagName.toLowerCase() + '.' + e.className).slice(0, 5)"""
    )
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth"), wide
    assert not wide, f"wider than the screen: {wide}"


def shots_wide_and_narrow(page: Page, name: str) -> None:
    """Screenshots at desktop and phone width (``NAME-desktop``, ``NAME-mobil``), checking
    on the phone that nothing scrolls sideways; the page is left at desktop width."""
    shot(page, f"{name}-desktop")
    page.set_viewport_size(MOBILE)
    assert_fits_the_width(page)
    shot(page, f"{name}-mobil")
    page.set_viewport_size(DESKTOP)


# -- files


@cache
def tiny_pdf() -> bytes:
    """A one-page PDF that any PDF reader (and the upload sniffer) accepts."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 720, "Nachweis (Testdatei)")
    pdf.save()
    return buffer.getvalue()


@cache
def tiny_jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (32, 68, 170)).save(buffer, format="JPEG")
    return buffer.getvalue()


def upload_payload(ref: Mapping[str, Any]) -> dict[str, Any]:
    """A file for set_input_files that stands in for an attachment reference."""
    media_type = str(ref.get("mediaType", "application/pdf"))
    content = tiny_jpeg() if media_type == "image/jpeg" else tiny_pdf()
    return {"name": ref.get("name", "nachweis.pdf"), "mimeType": media_type, "buffer": content}


def _walk(views: list[FieldView]) -> Iterator[FieldView]:
    for view in views:
        yield view
        yield from _walk(view.children)
        for item in view.items:
            yield from _walk(item.fields)


def file_fields(
    definition: ServiceDefinition, step: Step, data: Mapping[str, Any]
) -> list[tuple[str, list[dict[str, Any]]]]:
    """(input name, attachment refs) for every file field of the step that has a value."""
    return [
        (view.name, view.files)
        for view in _walk(step_views(definition, step, data, {}))
        if view.kind.value in ("file", "files") and view.files
    ]


def attachment_names(data: Any) -> list[str]:
    """Names of all attachment references anywhere in the answers."""
    if isinstance(data, Mapping):
        if {"id", "sha256", "name"} <= data.keys():
            return [str(data["name"])]
        return [n for value in data.values() for n in attachment_names(value)]
    if isinstance(data, list):
        return [n for value in data for n in attachment_names(value)]
    return []


# -- filling a step


def posted_pairs(
    definition: ServiceDefinition, step: Step, data: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """What a browser posts for this step when the citizen has entered ``data``."""
    return browser_post(str(render_step(definition, step, data, {})))


def field(page: Page, name: str) -> Locator:
    return page.locator(f'form.fw-form [name="{name}"]')


def repeat_items(page: Page, group: str) -> Locator:
    return page.locator(f'[data-fw-repeat="{group}"] > .kern-fieldset__body > .fw-repeat__item')


def match_repeat_counts(page: Page, pairs: list[tuple[str, str]]) -> None:
    """Add entries until every repeated group has as many as the answers need."""
    for name, value in pairs:
        if not name.endswith("._n"):
            continue
        group, wanted = name.removesuffix("._n"), int(value)
        items = repeat_items(page, group)
        while items.count() < wanted:
            before = items.count()
            page.locator(f'[data-fw-repeat="{group}"] .fw-repeat__add').last.click()
            expect(items).to_have_count(before + 1)


def set_value(page: Page, name: str, value: str) -> None:
    """Enter one posted value as a person would: type, tick, or choose."""
    controls = field(page, name)
    first = controls.first
    tag = first.evaluate("e => e.tagName.toLowerCase()")
    kind = first.get_attribute("type") or ""
    if tag == "select":
        first.select_option(value=value)
    elif kind in ("radio", "checkbox"):
        page.locator(f'form.fw-form input[name="{name}"][value="{value}"]').check()
    elif kind == "hidden":
        return
    elif first.get_attribute("readonly") is not None:
        expect(first).to_have_value(value)  # shown, not entered (readOnly in the schema)
    else:
        first.fill(value.replace("\r\n", "\n"))


def fill_step(
    page: Page, definition: ServiceDefinition, step: Step, data: Mapping[str, Any]
) -> None:
    """Enter the answers of one step on the live page (repeats first, then every field,
    then the files)."""
    pairs = posted_pairs(definition, step, data)
    match_repeat_counts(page, pairs)
    for name, value in pairs:
        if name == "_csrf" or name.endswith("._n") or value == "":
            continue
        set_value(page, name, value)
    for name, refs in file_fields(definition, step, data):
        page.locator(f'input[type=file][name="{name}"]').set_input_files(
            files=[upload_payload(ref) for ref in refs]
        )


def next_button(page: Page) -> Locator:
    return page.locator(".fw-nav button[value=weiter]")


def submit_without_browser_validation(page: Page) -> None:
    """Press "Weiter" as a browser without constraint validation would: the server's
    messages show, not the browser's bubbles."""
    page.evaluate("() => { document.querySelector('form.fw-form').noValidate = true; }")
    with page.expect_navigation():
        next_button(page).click()


def error_messages(page: Page) -> list[str]:
    summary = page.locator("#fehlerzusammenfassung li")
    return [text.strip() for text in summary.all_inner_texts()]


# -- what the check page must show


def summary_texts(definition: ServiceDefinition, data: Mapping[str, Any]) -> list[str]:
    """Every answer as the check page writes it (the server's own summary function)."""

    def texts(row: Row) -> Iterator[str]:
        if row.text:
            yield row.text
        for ref in row.files:
            yield str(ref["name"])
        if row.table:
            for cells in row.table.rows:
                yield from (cell for cell in cells if cell)
        for child in row.children:
            yield from texts(child)

    return [t for part in summarize(definition, data) for row in part.rows for t in texts(row)]


# -- the keyboard

FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const box = e.getBoundingClientRect();
  const group = e.type === "radio"
    ? [...e.form.querySelectorAll(`input[name="${CSS.escape(e.name)}"]`)] : [];
  return {
    tag: e.tagName.toLowerCase(), type: e.type || "", name: e.getAttribute("name") || "",
    id: e.id, text: (e.innerText || "").trim(), readOnly: !!e.readOnly,
    value: e.type === "radio" ? (group.find(r => r.checked)?.value || "") : (e.value ?? ""),
    checked: !!e.checked, action: e.tagName === "BUTTON" ? e.value : "",
    options: e.tagName === "SELECT" ? [...e.options].map(o => o.value) : group.map(r => r.value),
    inNav: !!e.closest(".fw-nav"),
    top: box.top + scrollY, bottom: box.bottom + scrollY, left: box.left + scrollX,
  };
}"""
TEXT_TYPES = ("text", "email", "tel", "number", "search", "textarea")


def focused(page: Page) -> dict[str, Any] | None:
    """What has the keyboard focus (None for the page itself)."""
    return page.evaluate(FOCUSED)


def tab(page: Page, *, back: bool = False) -> dict[str, Any] | None:
    page.keyboard.press("Shift+Tab" if back else "Tab")
    return focused(page)


def tab_to(page: Page, matches: Callable[[dict[str, Any]], bool], limit: int = 80) -> None:
    """Press Tab until ``matches(focused)`` holds."""
    passed = []
    for _ in range(limit):
        now = tab(page)
        if now is not None:
            if matches(now):
                return
            passed.append(label(now))
    raise AssertionError(f"not reached with {limit} × Tab; passed {passed}")


def label(element: dict[str, Any]) -> str:
    return element["name"] or element["id"] or element["text"][:30] or element["tag"]


def assert_reading_order(elements: list[dict[str, Any] | None]) -> None:
    """Focus moves down the page, and rightwards within a line (WCAG 2.4.3, 1.3.2).

    None marks a page load: the order starts again there."""
    for before, after in itertools.pairwise(elements):
        if before is None or after is None:
            continue
        same_line = after["top"] < before["bottom"] and after["bottom"] > before["top"]
        assert (same_line and after["left"] > before["left"]) or (
            not same_line and after["top"] >= before["top"]
        ), f"focus jumps back from {label(before)} to {label(after)}"


def choose_with_arrows(page: Page, options: list[str], current: str, wanted: str) -> None:
    """Radios and selects: the arrow keys move the choice. In a radio group without a
    choice the focus is on the first radio, unticked: Space ticks it."""
    if current == "" and "" not in options:
        page.keyboard.press("Space")
        current = options[0]
    steps = options.index(wanted) - options.index(current)
    for _ in range(abs(steps)):
        page.keyboard.press("ArrowDown" if steps > 0 else "ArrowUp")


def fill_step_by_keyboard(
    page: Page, definition: ServiceDefinition, step: Step, data: Mapping[str, Any]
) -> list[dict[str, Any] | None]:
    """Enter a step's answers with Tab, typing, Space, Enter and the arrow keys only, from
    the top of the page down to "Weiter" (which keeps the focus); return the focus order.

    Entries of a repeated group are added with Enter on the add button; a file is chosen
    in the dialog that Space opens on a file input."""
    pairs = posted_pairs(definition, step, data)
    wanted = {n: v for n, v in pairs if v}  # radios, selects, texts: one value each
    ticked = {(n, v) for n, v in pairs}
    counts = {n.removesuffix("._n"): int(v) for n, v in pairs if n.endswith("._n")}
    files = dict(file_fields(definition, step, data))
    if files:
        # Intercept file dialogs before the first Space: expect_file_chooser alone turns
        # the interception on asynchronously and can miss a dialog opened at once.
        page.on("filechooser", lambda chooser: None)
        page.evaluate("() => 0")
    visited: list[dict[str, Any] | None] = []
    moved = False  # the page moved the focus itself (to a new entry)
    for _ in range(400):
        now = focused(page) if moved else tab(page)
        moved = False
        if now is None:
            continue
        visited.append(now)
        name, kind = now["name"], now["type"] or now["tag"]
        if now["inNav"] and now["action"] == "weiter":
            return visited
        if now["action"].startswith("add:"):
            group = now["action"].removeprefix("add:")
            count = repeat_items(page, group).count()
            if count < counts.get(group, 0):
                # The first entry of an empty group comes from the server (nothing to copy).
                with page.expect_navigation() if count == 0 else nullcontext():
                    page.keyboard.press("Enter")
                visited += [None] if count == 0 else []
                moved = count > 0  # formwerk.js focuses the first field of the new entry
        elif kind == "file" and name in files:
            with page.expect_file_chooser() as chooser:
                page.keyboard.press("Space")
            chooser.value.set_files(files=[upload_payload(ref) for ref in files[name]])
        elif kind == "checkbox":
            if ((name, now["value"]) in ticked) != now["checked"]:
                page.keyboard.press("Space")
        elif name not in wanted or now["value"] == wanted[name] or now["readOnly"]:
            continue
        elif kind in ("radio", "select-one"):
            choose_with_arrows(page, now["options"], now["value"], wanted[name])
        elif kind in TEXT_TYPES:
            page.keyboard.press("Control+A")
            page.keyboard.type(wanted[name].replace("\r\n", "\n"))
    raise AssertionError("never reached the Weiter button")
