"""A tiny browser for TestClient tests: read a page's form, change fields, post it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlencode

from httpx2 import Response
from starlette.testclient import TestClient

from tests.renderer.browser_post import browser_post

FORM = {"content-type": "application/x-www-form-urlencoded"}


def form_html(html: str) -> str:
    """The first form with a CSRF token on the page (the step form)."""
    match = re.search(r'<form method="post".*?</form>', html, re.S)
    assert match, "no form on the page"
    return match.group(0)


def post_form(
    client: TestClient,
    page: Response,
    changes: Mapping[str, str | list[str] | None] = {},
    action: str | None = "weiter",
) -> Response:
    """Post the page's form as a browser would, with some fields changed.

    ``changes`` maps a field name to a new value (a list for several values, None to clear).
    """
    html = form_html(page.text)
    url = re.search(r'action="([^"]+)"', html).group(1)
    pairs = [(k, v) for k, v in browser_post(html) if k not in changes]
    for name, value in changes.items():
        if value is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            pairs.append((name, item))
    if action:
        pairs.append(("_action", action))
    return client.post(url, content=urlencode(pairs), headers=FORM, follow_redirects=True)


def errors_of(page: Response) -> list[str]:
    """The messages of the error summary."""
    summary = re.search(r'id="fehlerzusammenfassung".*?</ul>', page.text, re.S)
    if not summary:
        return []
    return re.findall(r'<a class="kern-link" href="[^"]*">([^<]+)</a>', summary.group(0))
