"""PDF migration: fillable AcroForm PDFs → formwerk definitions, and answers → filled PDFs.

The library API (the CLI in `commands.py` is a thin layer over it):

- `migrate_pdf(path, service_id=…, authority=…)` → `MigrationResult` (definition, report,
  the original PDF's bytes); raises `MigrationError` with a one-line message.
- `fill_pdf(definition, answers, pdf_bytes, flatten=False)` → the filled PDF's bytes.
- `fill_application(definition, definition_path, answers)` → the filled original PDF of a
  migrated service (None for services not migrated from a PDF), for the submission flow.

Heavy imports (pypdf) happen inside the functions, so importing this package is cheap.
"""

from __future__ import annotations

from .fill import fill_pdf
from .migrate import MigrationResult, migrate_bytes, migrate_pdf
from .original import fill_application, original_pdf
from .reader import MigrationError
from .report import MigrationReport

__all__ = [
    "MigrationError",
    "MigrationReport",
    "MigrationResult",
    "fill_application",
    "fill_pdf",
    "migrate_bytes",
    "migrate_pdf",
    "original_pdf",
]
