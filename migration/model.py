"""The field model between the PDF and the definition: plain data, no pypdf objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Kinds that carry data and become properties of the definition.
DATA_KINDS = (
    "text",
    "textarea",
    "number",
    "date",
    "checkbox",
    "radio",
    "choice",
    "multichoice",
    "editcombo",
)
# Kinds that are skipped; the report lists them with the reason.
SKIPPED_KINDS = ("signature", "button", "password", "file", "unknown")

# Where a label came from; the builder flags everything but tooltips for review.
LABEL_SOURCES = ("tooltip", "pageText", "fieldName")


@dataclass(frozen=True)
class Widget:
    """One visible annotation of a field: page index (0-based) and normalised rectangle."""

    page: int
    rect: tuple[float, float, float, float]
    state: str | None = None  # the on-state name of a checkbox or radio widget, e.g. "/Ja"

    @property
    def top(self) -> float:
        return self.rect[3]

    @property
    def height(self) -> float:
        return self.rect[3] - self.rect[1]


@dataclass(frozen=True)
class Option:
    """A choice: the value stored in the PDF (export), the text shown (display)."""

    export: str
    display: str
    state: str | None = None  # radio only: the appearance state that shows this option


@dataclass
class PdfField:
    """A terminal AcroForm field, classified."""

    name: str  # fully qualified name, the partial names joined by "."
    parts: tuple[str, ...]  # the partial names (/T) from the root down; may contain dots
    kind: str  # one of DATA_KINDS or SKIPPED_KINDS
    flags: int = 0
    tooltip: str | None = None
    value: Any = None  # /V (inherited), already converted to str, list[str] or None
    default: Any = None  # /DV (inherited), likewise
    max_len: int | None = None
    comb: bool = False
    options: list[Option] = field(default_factory=list)
    on_state: str | None = None  # checkbox
    widgets: list[Widget] = field(default_factory=list)
    number: dict[str, int] | None = None  # {"decimals": n, "sepStyle": s} from AFNumber_Format
    date_format: str | None = None  # e.g. "dd.mm.yyyy" from AFDate_FormatEx
    special: int | None = None  # AFSpecial_Format: 0 ZIP, 1 ZIP+4, 2 phone, 3 SSN
    skip_reason: str | None = None
    notes: list[str] = field(default_factory=list)
    # Filled in by the label and layout steps:
    label: str = ""
    label_source: str = "fieldName"
    order: int = 0

    @property
    def required(self) -> bool:
        return bool(self.flags & (1 << 1))

    @property
    def read_only(self) -> bool:
        return bool(self.flags & 1)

    @property
    def is_data(self) -> bool:
        return self.kind in DATA_KINDS

    @property
    def first_widget(self) -> Widget:
        return self.widgets[0]
