"""Every demo service filled in a real browser from its sample answers, from the start page
to the confirmation; the check page must show every answer as the server summarises it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser import helpers as h


@pytest.mark.parametrize("service_id", h.service_ids())
def test_complete_service(page: Page, live_server: str, service_id: str) -> None:
    definition, data = h.service(service_id), h.answers(service_id)
    total = len(definition.steps)
    page.goto(f"{live_server}/leistungen/{service_id}")
    expect(page.locator("h1")).to_have_text(definition.title)
    page.get_by_role("link", name="Jetzt starten").click()

    for number, step in enumerate(definition.steps, start=1):
        here = h.step_url(live_server, service_id, step.id)
        expect(page).to_have_url(here)
        expect(page.locator("h1")).to_have_text(step.title)
        if total > 1:
            expect(page.locator("label[for=fortschritt]")).to_have_text(
                f"Schritt {number} von {total}"
            )
        h.fill_step(page, definition, step, data)
        with page.expect_navigation():
            h.next_button(page).click()
        assert page.url != here, f"{step.id} came back with {h.error_messages(page)}"

    # every answer arrived, uploads included: the check page shows what the server's own
    # summary makes of the sample answers
    expect(page).to_have_url(h.check_url(live_server, service_id))
    shown = page.locator("main").inner_text()
    missing = [text for text in h.summary_texts(definition, data) if text not in shown]
    assert not missing, f"not on the check page: {missing}"

    with page.expect_navigation():
        page.get_by_role("button", name="Absenden").click()
    prefix = h.catalogue().authorities[definition.meta.authority].referencePrefix
    expect(page).to_have_url(re.compile(rf"/antraege/{prefix}-\d{{4}}-\d{{6}}\?t="))
    expect(page.locator("h1")).to_have_text("Ihr Antrag ist eingegangen")
    expect(page.locator(".fw-reference")).to_have_text(re.compile(rf"^{prefix}-\d{{4}}-\d{{6}}$"))
    for name in h.attachment_names(data):  # the uploads went with the application
        expect(page.get_by_role("link", name=name)).to_be_visible()


def test_change_link_returns_to_the_check_page(page: Page, live_server: str) -> None:
    """ "Ändern" opens the step with the answers kept; "Weiter zur Übersicht" goes back."""
    service_id = "meldebescheinigung"
    definition, data = h.service(service_id), h.answers(service_id)
    step = definition.steps[0]
    page.goto(f"{live_server}/leistungen/{service_id}/antrag")
    h.fill_step(page, definition, step, data)
    h.next_button(page).click()
    expect(page).to_have_url(h.check_url(live_server, service_id))

    # the link's name is "Ändern" plus the step, for screen readers (WCAG 2.4.4)
    page.get_by_role("link", name=re.compile(rf"^Ändern\W+{re.escape(step.title)}$")).click()
    expect(page).to_have_url(h.step_url(live_server, service_id, step.id) + "?aendern=1")
    expect(h.field(page, "vorname")).to_have_value(data["vorname"])
    expect(h.next_button(page)).to_have_text("Weiter zur Übersicht")
    h.field(page, "vorname").fill("Marie-Luise")
    h.next_button(page).click()
    expect(page).to_have_url(h.check_url(live_server, service_id))
    expect(page.locator("main")).to_contain_text("Marie-Luise")


def test_back_keeps_the_answers(page: Page, live_server: str) -> None:
    service_id = "sperrmuell-anmeldung"
    definition, data = h.service(service_id), h.answers(service_id)
    first, second = definition.steps[:2]
    page.goto(f"{live_server}/leistungen/{service_id}/antrag")
    h.fill_step(page, definition, first, data)
    h.next_button(page).click()
    expect(page).to_have_url(h.step_url(live_server, service_id, second.id))

    page.get_by_role("button", name="Zurück").click()
    expect(page).to_have_url(h.step_url(live_server, service_id, first.id))
    for name, value in h.posted_pairs(definition, first, data):
        if value and not name.startswith("_"):
            expect(h.field(page, name).first).to_have_value(value)
