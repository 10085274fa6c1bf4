"""Fixtures: the generated test PDFs, made once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from migration import MigrationResult, migrate_pdf
from tests.migration import pdfs


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The generated PDFs by name: antrag (every kind and flag), zwei_seiten (headings,
    nested names), in a session-wide temporary folder."""
    folder = tmp_path_factory.mktemp("pdfs")
    return {
        "antrag": pdfs.antrag(folder / "antrag.pdf"),
        "zwei_seiten": pdfs.zwei_seiten(folder / "zwei_seiten.pdf"),
    }


@pytest.fixture(scope="session")
def antrag(generated: dict[str, Path]) -> MigrationResult:
    return migrate_pdf(generated["antrag"], service_id="anwohnerparken")


@pytest.fixture(scope="session")
def zwei_seiten(generated: dict[str, Path]) -> MigrationResult:
    return migrate_pdf(generated["zwei_seiten"])
