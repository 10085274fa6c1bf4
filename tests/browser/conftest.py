"""Browser contexts for these tests."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    """Reduced motion: KERN scrolls smoothly, and Playwright would wait for every scroll
    to come to rest before it types or clicks."""
    return {**browser_context_args, "reduced_motion": "reduce"}
