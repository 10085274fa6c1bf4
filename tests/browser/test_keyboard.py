"""Keyboard alone (WCAG 2.1.1, 2.4.3, 2.4.7): whole services with Tab, Shift+Tab, Space,
Enter, the arrow keys and typing; no clicks, no fill()."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser import helpers as h

# Between them: text, date, radios, yes/no, select, checkboxes, a single checkbox, a
# conditional group, a file, and repeated entries added in the page and by the server.
KEYBOARD_SERVICES = ["kita-anmeldung", "hundesteuer-anmeldung", "wohngeld"]


def press_enter_and_wait(page: Page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")


@pytest.mark.parametrize("service_id", KEYBOARD_SERVICES)
def test_complete_service_with_the_keyboard_alone(
    page: Page, live_server: str, service_id: str
) -> None:
    definition, data = h.service(service_id), h.answers(service_id)
    page.goto(f"{live_server}/leistungen/{service_id}")
    assert h.tab(page)["text"] == "Zum Inhalt springen"
    h.tab_to(page, lambda e: e["text"] == "Jetzt starten")
    press_enter_and_wait(page)

    for step in definition.steps:
        expect(page).to_have_url(h.step_url(live_server, service_id, step.id))
        assert page.locator("[tabindex]:not([tabindex='-1']):not([tabindex='0'])").count() == 0
        visited = h.fill_step_by_keyboard(page, definition, step, data)
        assert visited[0] and visited[0]["text"] == "Zum Inhalt springen"
        h.assert_reading_order(visited)
        reached = {e["name"] for e in visited if e}
        needed = {n for n, v in h.posted_pairs(definition, step, data) if v}
        assert not {n for n in needed if not n.startswith("_") and "._n" not in n} - reached
        # the focused control is visibly marked (WCAG 2.4.7)
        assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != (
            "none"
        )
        press_enter_and_wait(page)

    expect(page).to_have_url(h.check_url(live_server, service_id))
    shown = page.locator("main").inner_text()
    assert not [t for t in h.summary_texts(definition, data) if t not in shown]
    h.tab_to(page, lambda e: e["text"] == "Absenden")
    press_enter_and_wait(page)
    expect(page.locator("h1")).to_have_text("Ihr Antrag ist eingegangen")


def test_error_summary_takes_the_focus_and_leads_to_the_field(page: Page, live_server: str) -> None:
    """A date the browser cannot check (31 February) comes back from the server: the error
    summary has the focus, its link takes the focus to the field, the fix goes through."""
    service_id = "meldebescheinigung"
    definition, data = h.service(service_id), h.answers(service_id)
    step = definition.steps[0]
    wrong = {**data, "geburtsdatum": "1979-02-31"}
    page.goto(f"{live_server}/leistungen/{service_id}/antrag")
    h.fill_step_by_keyboard(page, definition, step, wrong)
    press_enter_and_wait(page)

    summary = page.locator("#fehlerzusammenfassung")
    expect(summary).to_be_focused()
    assert page.title().startswith("Fehler: ")
    link = h.tab(page)
    assert (
        link
        and link["tag"] == "a"
        and "geburtsdatum" in page.evaluate("() => document.activeElement.getAttribute('href')")
    )
    page.keyboard.press("Enter")
    day = page.locator("#f-geburtsdatum-tag")
    expect(day).to_be_focused()
    expect(day).to_have_attribute("aria-invalid", "true")
    expect(h.field(page, "vorname")).to_have_value(data["vorname"])  # nothing typed is lost

    page.keyboard.press("Control+A")
    page.keyboard.type("28")
    press_enter_and_wait(page)  # Enter in a field: the form's default button, "Weiter"
    expect(page).to_have_url(h.check_url(live_server, service_id))
    expect(page.locator("main")).to_contain_text("28.02.1979")


def test_shift_tab_goes_back_the_same_way(page: Page, live_server: str) -> None:
    service_id = "meldebescheinigung"
    page.goto(f"{live_server}/leistungen/{service_id}/antrag")
    forward = [h.tab(page) for _ in range(12)]
    backward = [h.tab(page, back=True) for _ in range(11)]
    assert [h.label(e) for e in reversed(backward) if e] == [h.label(e) for e in forward[:-1] if e]
