"""WCAG 2.1 AA (BITV 2.0) with axe-core on every page of every demo service: empty, with
the server's error messages, filled, check-your-answers and the confirmation."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.a11y import assert_accessible, preload_axe
from tests.browser import helpers as h

STATIC_PAGES = [
    "/",
    "/?q=Hund",
    "/?q=Zeppelin",  # no results
    "/leistungen/gibt-es-nicht",  # the 404 page
    *(f"/behoerden/{a}" for a in sorted(h.catalogue().authorities)),
    *(f"/leistungen/{s}" for s in h.service_ids()),
]


@pytest.mark.parametrize("path", STATIC_PAGES)
def test_catalogue_page_is_accessible(page: Page, live_server: str, path: str) -> None:
    page.goto(live_server + path)
    expect(page.locator("h1")).to_have_count(1)
    assert_accessible(page)
    page.set_viewport_size(h.NARROWEST)
    h.assert_fits_the_width(page)


@pytest.mark.parametrize("service_id", h.service_ids())
def test_every_step_is_accessible(page: Page, live_server: str, service_id: str) -> None:
    definition, data = h.service(service_id), h.answers(service_id)
    preload_axe(page.context)
    page.set_viewport_size(h.DESKTOP)
    page.goto(f"{live_server}/leistungen/{service_id}/antrag")
    for number, step in enumerate(definition.steps, start=1):
        here = h.step_url(live_server, service_id, step.id)
        name = f"{service_id}-{number}-{step.id}"
        page.goto(here)
        assert_accessible(page)
        if number == 1:
            h.shots_wide_and_narrow(page, f"{name}-leer")

        h.submit_without_browser_validation(page)
        if page.url.startswith(here):  # a step with required fields: the error state
            assert page.title().startswith(f"Fehler: {step.title} – {definition.title} – ")
            expect(page.locator("#fehlerzusammenfassung")).to_be_focused()
            assert_accessible(page)
            if number == 1:
                h.shots_wide_and_narrow(page, f"{name}-fehler")
        else:  # nothing required here: the form went on
            page.goto(here)

        h.fill_step(page, definition, step, data)
        assert_accessible(page)
        page.set_viewport_size(h.NARROWEST)
        h.assert_fits_the_width(page)
        page.set_viewport_size(h.DESKTOP)
        with page.expect_navigation():
            h.next_button(page).click()
        assert not page.url.startswith(here), h.error_messages(page)

    page.goto(h.check_url(live_server, service_id))
    assert_accessible(page)
    page.set_viewport_size(h.NARROWEST)
    h.assert_fits_the_width(page)
    page.set_viewport_size(h.DESKTOP)
    h.shot(page, f"{service_id}-pruefen-desktop")
    page.set_viewport_size(h.MOBILE)
    h.assert_fits_the_width(page)
    h.shot(page, f"{service_id}-pruefen-mobil")
    page.set_viewport_size(h.DESKTOP)

    with page.expect_navigation():
        page.get_by_role("button", name="Absenden").click()
    expect(page.locator("h1")).to_have_text("Ihr Antrag ist eingegangen")
    assert_accessible(page)
    h.shot(page, f"{service_id}-bestaetigung-desktop")
    page.set_viewport_size(h.MOBILE)
    h.assert_fits_the_width(page)
    h.shot(page, f"{service_id}-bestaetigung-mobil")

    # The link is absolute, built from settings.base_url (for the receipt's QR code): the
    # live server runs on another port, so follow its path.
    link = page.get_by_role("link", name="Antrag im Postfach ansehen").get_attribute("href")
    postfach = urlsplit(link or "")
    page.goto(f"{live_server}{postfach.path}?{postfach.query}")
    expect(page.locator(".kern-preline")).to_have_text("Postfach")
    assert_accessible(page)


def test_check_page_with_errors_is_accessible(page: Page, live_server: str) -> None:
    """ "Absenden" with answers missing: the check page lists them, each a link to its step."""
    service_id = "sperrmuell-anmeldung"
    definition = h.service(service_id)
    page.goto(f"{live_server}/leistungen/{service_id}/antrag")
    page.goto(h.check_url(live_server, service_id))
    with page.expect_navigation():
        page.get_by_role("button", name="Absenden").click()
    assert page.title().startswith("Fehler: ")
    expect(page.locator("#fehlerzusammenfassung")).to_be_focused()
    first = page.locator("#fehlerzusammenfassung a").first
    expect(first).to_have_attribute(
        "href", re.compile(rf"/antrag/{definition.steps[0].id}\?aendern=1#f-")
    )
    assert_accessible(page)
    h.shot(page, f"{service_id}-pruefen-fehler-desktop")
