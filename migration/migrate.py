"""The migration pipeline: PDF → field models → labels, order, steps → definition + report."""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .checking import known_authorities
from .fields import classify_all
from .labels import TextLine, assign_labels, option_titles, page_lines, readable_name
from .layout import body_size, find_headings, plan_steps, reading_order
from .model import PdfField
from .names import slugify
from .reader import MigrationError, OpenedPdf, capture_pypdf_log, open_pdf, read_bytes
from .report import MigrationReport
from .schema import SCHEMA_URI, build_tree, steps_for, to_properties
from .tree import text_of, walk

DEFAULT_AUTHORITY = "unbekannt"
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass
class MigrationResult:
    """A migrated definition, its report and the original PDF bytes to keep beside it."""

    definition: dict[str, Any]
    report: MigrationReport
    pdf_bytes: bytes


def resolve_authority(authority: str | None, forms_dir: Path | None = None) -> str:
    """Check a given authority id against the portal's authorities.json, or pick the first
    one there ("unbekannt" when the portal has none)."""
    known = known_authorities(forms_dir)
    if authority is None:
        return known[0] if known else DEFAULT_AUTHORITY
    if not _ID.match(authority):
        raise MigrationError(f"ungültige Behörden-ID '{authority}' (erlaubt: a-z, 0-9, '-')")
    if known is not None and authority not in known:
        raise MigrationError(
            f"unbekannte Behörde '{authority}'; bekannt sind: {', '.join(known) or '(keine)'}"
        )
    return authority


def check_service_id(service_id: str) -> str:
    if not _ID.match(service_id) or len(service_id) > 80:
        raise MigrationError(
            f"ungültige Dienst-ID '{service_id}' (erlaubt: a-z, 0-9 und '-', höchstens 80 Zeichen)"
        )
    return service_id


def migrate_pdf(
    path: Path,
    *,
    service_id: str | None = None,
    authority: str | None = None,
    pdf_name: str | None = None,
    forms_dir: Path | None = None,
) -> MigrationResult:
    """Migrate one fillable PDF into a draft definition.

    `service_id` defaults to the slugified file name; `authority` to the first authority of
    the portal (see `resolve_authority`; `forms_dir` points at another portal than the
    configured one); `pdf_name` is the file name under which the original PDF will be kept
    beside the definition (default `<service_id>.pdf`). Raises
    `MigrationError` with a one-line message for every input that cannot be migrated.
    """
    path = Path(path)
    data = read_bytes(path)
    service_id = check_service_id(service_id or slugify(path.stem))
    return migrate_bytes(
        data,
        source_name=path.name,
        service_id=service_id,
        authority=resolve_authority(authority, forms_dir),
        pdf_name=pdf_name or f"{service_id}.pdf",
    )


def migrate_bytes(
    data: bytes, *, source_name: str, service_id: str, authority: str, pdf_name: str
) -> MigrationResult:
    """`migrate_pdf` for bytes in memory, with every argument resolved."""
    started = time.perf_counter()
    opened = open_pdf(data)
    try:
        with capture_pypdf_log():
            definition, report = _migrate(opened, source_name, service_id, authority, pdf_name)
    except MigrationError:
        raise
    except Exception as exc:  # damaged structures surface anywhere in pypdf
        if os.environ.get("FORMWERK_DEBUG"):
            raise
        detail = " ".join(str(exc).split())[:160]
        raise MigrationError(f"PDF nicht auswertbar: {type(exc).__name__}: {detail}") from None
    report.seconds = time.perf_counter() - started
    return MigrationResult(definition=definition, report=report, pdf_bytes=data)


def _title(opened: OpenedPdf, lines: dict[int, list[TextLine]], source_name: str) -> str:
    """The form's title: document metadata, else the largest text on page 1, else the file."""
    try:
        meta = opened.reader.metadata
        title = text_of(meta.get("/Title")).strip() if meta else ""
    except Exception:  # unreadable metadata is no reason to fail
        title = ""
    if len(title) >= 3 and not re.search(r"\.(docx?|odt|pdf|indd)$|^untitled$", title, re.I):
        return " ".join(title.split())[:150]
    body = body_size(lines)
    first = [
        ln
        for ln in lines.get(0, [])
        if sum(c.isalpha() for c in ln.text) >= 3 and ln.size >= 1.2 * body and len(ln.text) <= 120
    ]
    if first:
        # The largest text on the first page, if it stands out from the running text.
        return max(first, key=lambda ln: (round(ln.size, 1), ln.y)).text.strip(" :")
    name = readable_name(Path(source_name).stem.replace("-", " ")) or "Formular"
    return name if len(name) >= 3 else f"Formular {name}"


def _migrate(
    opened: OpenedPdf, source_name: str, service_id: str, authority: str, pdf_name: str
) -> tuple[dict[str, Any], MigrationReport]:
    reader = opened.reader
    pages = list(reader.pages)
    tree = walk(reader.root_object, pages)
    fields, warnings = classify_all(tree)
    xfa = _has_xfa(reader)
    if not fields:
        if xfa:
            raise MigrationError("reines XFA-Formular ohne AcroForm-Felder; nicht migrierbar")
        raise MigrationError("PDF enthält keine Formularfelder")
    report = MigrationReport(
        source=source_name, sha256=opened.sha256, service_id=service_id, pages=len(pages)
    )
    report.warnings = opened.warnings + tree.warnings + warnings
    if xfa:
        report.warnings.append("XFA-Formular vorhanden: nur der AcroForm-Teil wurde übernommen")
    data = [f for f in fields if f.is_data and not f.skip_reason]
    report.fields = fields
    if not data:
        kinds = ", ".join(sorted({f.kind for f in fields}))
        raise MigrationError(f"PDF enthält keine ausfüllbaren Datenfelder (nur: {kinds})")

    used_pages = sorted({w.page for f in data for w in f.widgets})
    lines = {page: page_lines(pages[page]) for page in used_pages}
    headings, heading_lines = find_headings(lines)
    # A heading names a section, never a single field.
    label_lines = {
        page: [ln for ln in page_text if ln not in heading_lines]
        for page, page_text in lines.items()
    }
    assign_labels(data, label_lines)
    ordered = reading_order(data)
    titles = {f.name: option_titles(f, label_lines) for f in ordered if f.kind == "radio"}
    root, notes = build_tree(ordered)
    pointers: dict[str, str] = {}
    properties, required = to_properties(root, titles, pointers, "/properties")
    mode, plan = plan_steps(ordered, headings)
    steps = steps_for(properties, plan, pointers)
    if mode == "sections" and len(steps) < 2:
        # Groups spanning sections can leave a single step; pages may still split it.
        mode, plan = plan_steps(ordered, [])
        steps = steps_for(properties, plan, pointers)

    if any(f.kind == "editcombo" for f in data):
        notes.append(
            "editierbare Kombinationsfelder als Textfelder übernommen; die Optionen stehen als "
            "Vorschläge in der Beschreibung"
        )
    if any(f.kind == "checkbox" and f.required for f in data):
        notes.append("Pflicht-Kontrollkästchen müssen angekreuzt werden (const: true)")
    report.notes = notes
    report.pointers = pointers
    report.step_mode, report.step_count = mode, len(steps)

    title = _title(opened, lines, source_name)
    definition: dict[str, Any] = {
        "$schema": SCHEMA_URI,
        "title": title,
        "description": (
            f"Aus dem PDF-Formular „{source_name}“ übernommen; vor der Veröffentlichung prüfen."
        ),
        "type": "object",
        "x-service": {
            "id": service_id,
            "authority": authority,
            "version": "1.0.0",
            "status": "draft",
        },
        "x-pdf": {"file": pdf_name, "sha256": opened.sha256},
        "x-steps": steps,
        "properties": properties,
    }
    if required:
        definition["required"] = required
    if not steps:
        del definition["x-steps"]
    return definition, report


def _has_xfa(reader: Any) -> bool:
    acroform = reader.root_object.get("/AcroForm")
    acroform = acroform.get_object() if acroform is not None else None
    return bool(acroform is not None and hasattr(acroform, "get") and acroform.get("/XFA"))


__all__ = ["MigrationError", "MigrationResult", "PdfField", "migrate_bytes", "migrate_pdf"]
