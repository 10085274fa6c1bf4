"""The original PDF kept beside a migrated definition, and filling it for an application."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from .fill import fill_pdf
from .reader import MigrationError


def original_pdf(definition: dict[str, Any], definition_path: Path) -> bytes | None:
    """The original PDF of a migrated definition, checked against its recorded sha256.

    None for a definition that was not migrated from a PDF (no root `x-pdf`). Raises
    `MigrationError` when the file is missing or is not the one the definition was made from.
    """
    origin = definition.get("x-pdf")
    if not isinstance(origin, dict) or "file" not in origin:
        return None
    path = Path(definition_path).parent / Path(str(origin["file"])).name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MigrationError(f"Original-PDF {path} fehlt ({exc.strerror})") from None
    digest = hashlib.sha256(data).hexdigest()
    if origin.get("sha256") and digest != origin["sha256"]:
        raise MigrationError(
            f"Original-PDF {path} passt nicht zur Definition (sha256 {digest[:12]}… statt "
            f"{str(origin['sha256'])[:12]}…)"
        )
    return data


def fill_application(
    definition: dict[str, Any],
    definition_path: Path,
    answers: dict[str, Any],
    *,
    flatten: bool = False,
    warnings: list[str] | None = None,
) -> bytes | None:
    """The original PDF filled with an application's (validated) answers.

    Meant for the submission flow, which stores the result as a second document beside the
    receipt: None for services that were not migrated from a PDF.
    """
    data = original_pdf(definition, definition_path)
    if data is None:
        return None
    return fill_pdf(definition, answers, data, flatten=flatten, warnings=warnings)
