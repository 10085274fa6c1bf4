"""Run `formwerk check` on a migrated definition before it is written."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def forms_dir(given: Path | None = None) -> Path:
    """The portal's forms dir: the option, else $FORMWERK_FORMS_DIR, else the shipped one."""
    if given is not None:
        return given
    if env := os.environ.get("FORMWERK_FORMS_DIR"):
        return Path(env)
    from form_definitions.catalogue import default_forms_dir

    return default_forms_dir()


def known_authorities(directory: Path | None = None) -> list[str] | None:
    """Authority ids of the portal, or None without a readable authorities.json."""
    from form_definitions.catalogue import AUTHORITIES_FILE
    from form_definitions.check import load_authorities

    path = forms_dir(directory) / AUTHORITIES_FILE
    if not path.is_file():
        return None
    authorities, problems = load_authorities(path)
    return None if problems and not authorities else list(authorities)


def existing_service_ids(directory: Path | None = None) -> dict[str, Path]:
    """Service ids already in the portal (id → file), read leniently."""
    import json

    from form_definitions.catalogue import definition_paths

    found: dict[str, Path] = {}
    for path in definition_paths(forms_dir(directory)):
        try:
            service_id = json.loads(path.read_text(encoding="utf-8"))["x-service"]["id"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if isinstance(service_id, str):
            found[service_id] = path
    return found


def check_definition(
    definition: dict[str, Any], file: str, *, directory: Path | None = None
) -> list[str]:
    """The problems `formwerk check` would report for this definition, one line each."""
    from form_definitions.check import check_document

    problems = [str(p) for p in check_document(definition, file)]
    authority = definition.get("x-service", {}).get("authority")
    known = known_authorities(directory)
    if known is not None and authority not in known:
        problems.append(
            f"{file}: /x-service/authority: Behörde '{authority}' gibt es im Portal nicht"
        )
    return problems
