"""The migration report of one PDF: as JSON for tools and as text for people."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .model import LABEL_SOURCES, PdfField

_KIND_NAMES = {
    "text": "Text",
    "textarea": "mehrzeiliger Text",
    "number": "Zahl",
    "date": "Datum",
    "checkbox": "Kontrollkästchen",
    "radio": "Optionsfelder",
    "choice": "Auswahl",
    "multichoice": "Mehrfachauswahl",
    "editcombo": "Kombinationsfeld (frei)",
    "signature": "Unterschrift",
    "button": "Schaltfläche",
    "password": "Kennwort",
    "file": "Dateiauswahl",
    "unknown": "unbekannt",
}
_SOURCE_NAMES = {"tooltip": "Tooltip", "pageText": "Seitentext", "fieldName": "Feldname"}


@dataclass
class MigrationReport:
    """What the migration found, used, skipped and guessed for one PDF."""

    source: str
    sha256: str
    service_id: str
    pages: int
    fields: list[PdfField] = field(default_factory=list)
    pointers: dict[str, str] = field(default_factory=dict)  # field name → JSON pointer
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    step_mode: str = "pages"
    step_count: int = 0
    seconds: float = 0.0

    @property
    def data_fields(self) -> list[PdfField]:
        return [f for f in self.fields if f.is_data and not f.skip_reason]

    @property
    def skipped(self) -> list[PdfField]:
        return [f for f in self.fields if not f.is_data or f.skip_reason]

    def label_counts(self) -> dict[str, int]:
        counts = Counter(f.label_source for f in self.data_fields)
        return {source: counts.get(source, 0) for source in LABEL_SOURCES}

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        data = self.data_fields
        return {
            "source": self.source,
            "sha256": self.sha256,
            "serviceId": self.service_id,
            "pages": self.pages,
            "fields": {
                "found": len(self.fields),
                "migrated": len(data),
                "skipped": len(self.skipped),
                "byKind": dict(Counter(f.kind for f in data)),
            },
            "skipped": [
                {"field": f.name, "kind": f.kind, "reason": f.skip_reason or ""}
                for f in self.skipped
            ],
            "labels": self.label_counts(),
            "inferredLabels": [
                {
                    "field": f.name,
                    "property": self.pointers.get(f.name, ""),
                    "label": f.label,
                    "source": f.label_source,
                }
                for f in data
                if f.label_source != "tooltip"
            ],
            "steps": {"mode": self.step_mode, "count": self.step_count},
            "warnings": list(self.warnings),
            "notes": list(self.notes)
            + [f"{f.name}: {note}" for f in self.fields for note in f.notes],
            "seconds": round(self.seconds, 3),
        }

    def to_text(self) -> str:
        """The report as readable German text."""
        d = self.to_dict()
        mode = "Abschnitte" if self.step_mode == "sections" else "Seiten"
        lines = [
            f"Migrationsbericht: {self.source}",
            f"  Dienst-ID: {self.service_id}    Seiten: {self.pages}    "
            f"Schritte: {self.step_count} ({mode})",
            f"  Felder gefunden: {d['fields']['found']}, übernommen: {d['fields']['migrated']}, "
            f"übersprungen: {d['fields']['skipped']}",
        ]
        if d["fields"]["byKind"]:
            kinds = ", ".join(
                f"{_KIND_NAMES.get(k, k)} {n}" for k, n in sorted(d["fields"]["byKind"].items())
            )
            lines.append(f"  nach Art: {kinds}")
        labels = ", ".join(f"{_SOURCE_NAMES[s]} {n}" for s, n in d["labels"].items())
        lines.append(f"  Beschriftungen: {labels}")
        if d["skipped"]:
            lines.append("Übersprungen:")
            lines += [f"  - {s['field']}: {s['reason']}" for s in d["skipped"]]
        if d["inferredLabels"]:
            lines.append("Zu prüfende Beschriftungen (nicht aus Tooltip):")
            lines += [
                f"  - {i['field']} → „{i['label']}“ ({_SOURCE_NAMES[i['source']]})"
                for i in d["inferredLabels"]
            ]
        if d["warnings"]:
            lines.append("Warnungen:")
            lines += [f"  - {w}" for w in d["warnings"]]
        if d["notes"]:
            lines.append("Hinweise:")
            lines += [f"  - {n}" for n in d["notes"]]
        return "\n".join(lines) + "\n"
