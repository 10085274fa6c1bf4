"""Take full-page screenshots with Debian's Chromium: `python scripts/screenshot.py URL OUT.png`.

For looking at what we build (DEVELOPERS.md); `--mobile` uses a 390 px wide viewport.
"""

from __future__ import annotations

import argparse

from playwright.sync_api import sync_playwright

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("out")
    parser.add_argument("--mobile", action="store_true")
    args = parser.parse_args()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        width = 390 if args.mobile else 1280
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(args.url)
        page.screenshot(path=args.out, full_page=True)
        browser.close()


if __name__ == "__main__":
    main()
