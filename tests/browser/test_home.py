"""The portal home page in a real browser."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.a11y import assert_accessible, axe_violations


def test_home_lists_authorities_and_is_accessible(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    expect(page).to_have_title("Online-Dienste Ihrer Verwaltung – Bürgerportal Heideland")
    expect(page.get_by_role("heading", level=1)).to_have_text("Online-Dienste Ihrer Verwaltung")
    expect(page.get_by_role("heading", level=2).first).to_be_visible()
    assert_accessible(page)


def test_axe_helper_catches_a_violation(page: Page, live_server: str) -> None:
    """The helper must be able to fail: an image without alt text is a WCAG 1.1.1 error."""
    page.goto(live_server + "/")
    page.evaluate(
        "() => { const i = document.createElement('img'); i.src = '/static/none.png';"
        " document.querySelector('main').append(i); }"
    )
    assert "image-alt" in {v["id"] for v in axe_violations(page)}


def test_skip_link_reaches_main_content(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Zum Inhalt springen")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
