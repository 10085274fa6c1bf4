"""The whole portal: the renderer today; the builder and the Postfach join it here."""

from __future__ import annotations

from starlette.applications import Starlette

from formwerk.settings import Settings


def create_app(settings: Settings) -> Starlette:
    """Build the portal for ``settings``."""
    from renderer.app import create_app as create_renderer

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return create_renderer(settings)
