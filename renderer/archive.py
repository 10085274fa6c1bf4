"""Every definition version a submission was made with, kept by its hash.

The receipt of a submission must show the questions as they were asked, even after the
service owner has published a new version; so each definition used for a submission is
written once to ``<data_dir>/definitions/<sha256>.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

from form_definitions.definition import ServiceDefinition
from formwerk.store.atomic import atomic_write_bytes, ensure_dir


def _path(data_dir: Path, sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError(f"not a sha256: {sha256!r}")
    return data_dir / "definitions" / f"{sha256}.json"


def keep_definition(data_dir: Path, definition: ServiceDefinition) -> None:
    """Write the definition once (a no-op when this version is already kept)."""
    path = _path(data_dir, definition.sha256)
    if path.exists():
        return
    ensure_dir(path.parent)
    atomic_write_bytes(path, json.dumps(definition.schema, ensure_ascii=False, indent=1).encode())


def load_definition(data_dir: Path, sha256: str) -> ServiceDefinition | None:
    """The definition version with this hash, or None when it was never kept."""
    try:
        return ServiceDefinition(json.loads(_path(data_dir, sha256).read_text("utf-8")))
    except FileNotFoundError:
        return None
