"""JavaScript only enhances: conditional fields show and hide at once, repeated entries are
added and removed in the page. Without JavaScript every field shows with its "Nur nötig,
wenn…" hint, and adding and removing go through the server."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, Request, expect

from tests.a11y import assert_accessible
from tests.browser import helpers as h

# (service, step, trigger, value that shows, value that hides (None: untick), dependants)
CONDITIONS = [
    ("sperrmuell-anmeldung", "gegenstaende", "gegenstaende", "sonstiges", None,
     ["sonstigeGegenstaende"]),
    ("gewerbeanmeldung", "taetigkeit", "artDesBetriebs", "handwerk", None, ["handwerksrolle"]),
    ("gewerbeanmeldung", "erlaubnisse", "erlaubnisErforderlich", "true", "false",
     ["erlaubnisBehoerde", "erlaubnisDatum", "erlaubnisNachweis"]),
    ("hundesteuer-anmeldung", "zahlung", "lastschrift", "true", "false",
     ["iban", "kontoinhaber", "sepaMandat"]),
    ("kita-anmeldung", "erziehungsberechtigte", "zweitePersonErziehungsberechtigt", "true",
     "false", ["erziehungsberechtigte2"]),
    ("wohngeld", "wohnung", "wohnverhaeltnis", "miete", "eigentum", ["miete"]),
]  # fmt: skip


def dependant(page: Page, name: str) -> Locator:
    """The box that shows or hides a conditional field."""
    return page.locator(f"#f-{name}").locator("xpath=ancestor::*[@data-fw-when][1]")


def choose(page: Page, trigger: str, value: str | None, ticked: str) -> None:
    if value is None:
        page.locator(f'input[name="{trigger}"][value="{ticked}"]').uncheck()
    else:
        page.locator(f'input[name="{trigger}"][value="{value}"]').check()


def document_requests(page: Page) -> list[Request]:
    """Collects every page load from now on (none may happen for an in-page change)."""
    seen: list[Request] = []
    page.on("request", lambda r: seen.append(r) if r.resource_type == "document" else None)
    return seen


def start(page: Page, base: str, service_id: str, step_id: str) -> None:
    page.goto(f"{base}/leistungen/{service_id}/antrag")
    page.goto(h.step_url(base, service_id, step_id))


@pytest.mark.parametrize(("service_id", "step_id", "trigger", "on", "off", "fields"), CONDITIONS)
def test_conditional_field_follows_its_trigger(
    page: Page,
    live_server: str,
    service_id: str,
    step_id: str,
    trigger: str,
    on: str,
    off: str | None,
    fields: list[str],
) -> None:
    start(page, live_server, service_id, step_id)
    loads = document_requests(page)
    if off is not None:
        choose(page, trigger, off, on)
    for name in fields:
        expect(dependant(page, name)).to_be_hidden()
    choose(page, trigger, on, on)
    for name in fields:
        expect(page.locator(f"#f-{name}")).to_be_visible()
        expect(dependant(page, name).locator(".fw-cond-hint")).to_be_hidden()
    choose(page, trigger, off, on)
    for name in fields:
        expect(dependant(page, name)).to_be_hidden()
    assert loads == []


def test_else_branch_shows_the_other_field(page: Page, live_server: str) -> None:
    """Wohngeld: rent for tenants, the owner's burden otherwise (an `else` branch)."""
    start(page, live_server, "wohngeld", "wohnung")
    choose(page, "wohnverhaeltnis", "miete", "miete")
    expect(page.locator("#f-miete")).to_be_visible()
    expect(dependant(page, "belastung")).to_be_hidden()
    choose(page, "wohnverhaeltnis", "eigentum", "miete")
    expect(dependant(page, "miete")).to_be_hidden()
    expect(page.locator("#f-belastung")).to_be_visible()


def entry_attributes(page: Page, index: int) -> list[str]:
    """Every name, id, for, aria-describedby and button value inside one dog entry."""
    return (
        repeat_entries(page)
        .nth(index)
        .evaluate(
            """item => [item, ...item.querySelectorAll('*')].flatMap(n =>
             ['name', 'id', 'for', 'aria-describedby', 'value', 'data-fw-when']
               .filter(a => n.hasAttribute(a) && (a !== 'value' || n.tagName === 'BUTTON'))
               .map(a => n.getAttribute(a)))"""
        )
    )


def repeat_entries(page: Page) -> Locator:
    return h.repeat_items(page, "hunde")


def duplicate_ids(page: Page) -> list[str]:
    return page.evaluate(
        """() => { const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
                   return ids.filter((id, i) => ids.indexOf(id) !== i); }"""
    )


def test_add_and_remove_entries_without_a_page_load(page: Page, live_server: str) -> None:
    start(page, live_server, "hundesteuer-anmeldung", "hunde")
    loads = document_requests(page)
    add = page.get_by_role("button", name="Weiteren Hund hinzufügen")
    h.field(page, "hunde.0.name").fill("Balu")

    add.click()
    expect(repeat_entries(page)).to_have_count(2)
    expect(repeat_entries(page).nth(1).locator("legend").first).to_have_text("Hund 2")
    expect(h.field(page, "hunde.1.name")).to_be_focused()
    expect(h.field(page, "hunde.1.name")).to_have_value("")
    expect(h.field(page, "hunde.0.name")).to_have_value("Balu")
    expect(page.locator("#fw-status")).to_have_text("Hund 2 hinzugefügt.")
    expect(page.locator('input[name="hunde._n"]')).to_have_value("2")
    stale = [a for a in entry_attributes(page, 1) if "hunde.0" in a or "hunde-0" in a]
    assert not stale, f"the new entry still points at entry 1: {stale}"
    assert duplicate_ids(page) == []
    # a condition inside the copy follows the copy's own trigger
    h.field(page, "hunde.1.rasse").select_option("andere-rasse")
    expect(page.locator("#f-hunde-1-rasseAndere")).to_be_visible()
    expect(dependant(page, "hunde-0-rasseAndere")).to_be_hidden()
    assert_accessible(page)

    add.click()
    h.field(page, "hunde.1.name").fill("Rocky")
    h.field(page, "hunde.2.name").fill("Frieda")
    page.get_by_role("button", name="Hund 1 entfernen").click()
    expect(repeat_entries(page)).to_have_count(2)
    expect(page.locator("#fw-status")).to_have_text("Hund 1 entfernt.")
    expect(h.field(page, "hunde.0.name")).to_have_value("Rocky")
    expect(h.field(page, "hunde.1.name")).to_have_value("Frieda")
    expect(page.locator("#f-hunde-0-rasseAndere")).to_be_visible()  # moved with its entry
    expect(dependant(page, "hunde-1-rasseAndere")).to_be_hidden()
    expect(repeat_entries(page).locator(":scope > legend")).to_have_text(["Hund 1", "Hund 2"])
    expect(page.locator(".fw-repeat__remove .kern-label")).to_have_text(
        ["Hund 1 entfernen", "Hund 2 entfernen"]
    )
    expect(page.locator('input[name="hunde._n"]')).to_have_value("2")
    assert duplicate_ids(page) == []
    assert loads == []

    # the server gets the entries under their new numbers
    h.submit_without_browser_validation(page)
    expect(h.field(page, "hunde.0.name")).to_have_value("Rocky")
    expect(h.field(page, "hunde.1.name")).to_have_value("Frieda")
    expect(h.field(page, "hunde.0.rasse")).to_have_value("andere-rasse")
    expect(repeat_entries(page)).to_have_count(2)


def test_add_stops_at_max_and_remove_at_min(page: Page, live_server: str) -> None:
    start(page, live_server, "hundesteuer-anmeldung", "hunde")
    add = page.get_by_role("button", name="Weiteren Hund hinzufügen")
    expect(page.locator(".fw-repeat__remove")).to_be_hidden()  # minItems 1
    for _ in range(4):
        add.click()
    expect(repeat_entries(page)).to_have_count(5)  # maxItems 5
    expect(add).to_be_hidden()
    for _ in range(4):
        page.locator(".fw-repeat__remove").last.click()
    expect(repeat_entries(page)).to_have_count(1)
    expect(add).to_be_visible()
    expect(page.locator(".fw-repeat__remove")).to_be_hidden()


def test_first_entry_of_an_empty_group_comes_from_the_server(page: Page, live_server: str) -> None:
    """Nothing to copy yet: the first "hinzufügen" is a round trip, the next one is not."""
    start(page, live_server, "wohngeld", "haushalt")
    add = page.get_by_role("button", name="Haushaltsmitglied hinzufügen")
    with page.expect_navigation():
        add.click()
    expect(h.repeat_items(page, "haushaltsmitglieder")).to_have_count(1)
    loads = document_requests(page)
    add.click()
    expect(h.repeat_items(page, "haushaltsmitglieder")).to_have_count(2)
    assert loads == []


# -- without JavaScript


@pytest.fixture
def no_js(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(
        java_script_enabled=False, viewport=h.DESKTOP, reduced_motion="reduce"
    )
    yield context
    context.close()


@pytest.fixture
def no_scripts(browser: Browser) -> Iterator[BrowserContext]:
    """The page as without JavaScript, for axe: axe itself needs JavaScript (its timers
    never fire with java_script_enabled=False), so here only formwerk's scripts are off."""
    context = browser.new_context(viewport=h.DESKTOP, reduced_motion="reduce")
    context.route(re.compile(r"/static/(formwerk|fw-head)\.js$"), lambda route: route.abort())
    yield context
    context.close()


STEPS_WITH_CONDITIONS = sorted(
    {(c[0], c[1]) for c in CONDITIONS} | {("hundesteuer-anmeldung", "hunde")}
)


@pytest.mark.parametrize(("service_id", "step_id"), STEPS_WITH_CONDITIONS)
def test_without_js_every_field_shows_with_its_hint(
    no_js: BrowserContext, live_server: str, service_id: str, step_id: str
) -> None:
    page = no_js.new_page()
    start(page, live_server, service_id, step_id)
    boxes = page.locator("[data-fw-when]")
    assert boxes.count() > 0
    for index in range(boxes.count()):
        expect(boxes.nth(index)).to_be_visible()
        expect(boxes.nth(index).locator(".fw-cond-hint")).to_have_text(
            re.compile("^Nur nötig, wenn Sie bei „")
        )


@pytest.mark.parametrize(("service_id", "step_id"), STEPS_WITH_CONDITIONS)
def test_without_scripts_steps_are_accessible(
    no_scripts: BrowserContext, live_server: str, service_id: str, step_id: str
) -> None:
    """Empty and with errors, every conditional field and its hint on show."""
    page = no_scripts.new_page()
    start(page, live_server, service_id, step_id)
    expect(page.locator(".fw-cond-hint").first).to_be_visible()
    assert_accessible(page)
    h.submit_without_browser_validation(page)
    assert_accessible(page)


def test_without_js_add_and_remove_go_through_the_server(
    no_js: BrowserContext, live_server: str
) -> None:
    page = no_js.new_page()
    start(page, live_server, "hundesteuer-anmeldung", "hunde")
    h.field(page, "hunde.0.name").fill("Balu")
    with page.expect_navigation():
        page.get_by_role("button", name="Weiteren Hund hinzufügen").click()
    assert page.url.endswith("/antrag/hunde#f-hunde-1")
    expect(repeat_entries(page)).to_have_count(2)
    expect(h.field(page, "hunde.0.name")).to_have_value("Balu")  # kept by the server
    h.field(page, "hunde.1.name").fill("Rocky")

    with page.expect_navigation():
        page.get_by_role("button", name="Hund 1 entfernen").click()
    expect(repeat_entries(page)).to_have_count(1)
    expect(h.field(page, "hunde.0.name")).to_have_value("Rocky")
    expect(repeat_entries(page).locator(":scope > legend")).to_have_text(["Hund 1"])


def test_without_js_the_error_summary_has_the_focus(
    no_js: BrowserContext, live_server: str
) -> None:
    page = no_js.new_page()
    start(page, live_server, "meldebescheinigung", "angaben")
    page.locator("form.fw-form").evaluate("form => { form.noValidate = true; }")
    with page.expect_navigation():
        h.next_button(page).click()
    expect(page.locator("#fehlerzusammenfassung")).to_be_focused()  # autofocus


def test_without_js_answers_to_hidden_fields_are_not_kept(
    no_js: BrowserContext, live_server: str
) -> None:
    """The server decides: an IBAN typed while "Nein" is chosen is dropped."""
    page = no_js.new_page()
    start(page, live_server, "hundesteuer-anmeldung", "zahlung")
    page.locator('input[name="lastschrift"][value="false"]').check()
    h.field(page, "iban").fill("DE02 1203 0000 0000 2020 51")
    with page.expect_navigation():
        h.next_button(page).click()
    page.goto(h.check_url(live_server, "hundesteuer-anmeldung"))
    expect(page.locator("main")).to_contain_text("Nein")
    expect(page.locator("main")).not_to_contain_text("DE02 1203")
