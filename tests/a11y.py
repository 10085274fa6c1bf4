"""Accessibility checks with axe-core (WCAG 2.1 AA, as BITV 2.0 requires)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from playwright.sync_api import BrowserContext, Page

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def preload_axe(context: BrowserContext) -> None:
    """Load axe-core into every page of the context as it opens: cheaper than sending
    the script again after each navigation when one test scans many pages."""
    context.add_init_script(script=_axe_source())


def axe_violations(page: Page) -> list[dict]:
    """Run axe-core on the page and return the violations of the WCAG 2.1 A/AA rules."""
    # evaluate() runs through the DevTools protocol, so the page's CSP (no inline
    # scripts) does not block the injection.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    # resultTypes: only violations get full node details, which halves the run time.
    result = page.evaluate(
        "tags => axe.run(document,"
        " {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return result["violations"]


def assert_accessible(page: Page) -> None:
    """Fail with a readable list if axe finds any WCAG 2.1 A/AA violation."""
    violations = axe_violations(page)
    lines = [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(node["target"][0] if node["target"] else "?" for node in v["nodes"][:5])
        for v in violations
    ]
    assert not violations, f"axe violations on {page.url}:\n" + "\n".join(lines)
