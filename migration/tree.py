"""Walk the AcroForm field tree of a reader or a writer: terminal fields and their widgets.

Our own walk rather than `get_fields()`: it must see inherited keys, the widgets and their
pages, orphan widgets without /AcroForm, and work on a `PdfWriter` for the fill-back, with
the same names on both sides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Keys a field inherits from its ancestors (PDF 32000-1:2008, 12.7.3.1 and 12.7.4).
INHERITABLE = ("/FT", "/Ff", "/V", "/DV", "/Opt", "/MaxLen", "/DA", "/Q")
_MAX_DEPTH = 40


@dataclass
class RawField:
    """A terminal field: its dictionary, partial names, inherited keys and widgets."""

    obj: Any  # DictionaryObject
    parts: tuple[str, ...]
    inherited: dict[str, Any]
    widgets: list[tuple[Any, int | None]] = field(default_factory=list)  # (widget, page index)

    @property
    def name(self) -> str:
        return ".".join(self.parts)


@dataclass
class FieldTree:
    fields: list[RawField]
    warnings: list[str]
    has_acroform: bool


def text_of(value: Any) -> str:
    """A PDF string or name as Python text."""
    if value is None:
        return ""
    if hasattr(value, "get_object"):
        value = value.get_object()
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value)


def _resolve(value: Any) -> Any:
    try:
        return value.get_object() if hasattr(value, "get_object") else value
    except Exception:  # a dangling reference in a damaged file
        return None


def _is_dict(value: Any) -> bool:
    from pypdf.generic import DictionaryObject

    return isinstance(value, DictionaryObject)


def _page_maps(pages: list[Any]) -> tuple[dict[int, int], dict[int, int], list[list[Any]]]:
    """Map widget objects to page indexes via each page's /Annots (the reliable way; /P is
    often missing) and page object numbers for the /P fallback."""
    by_widget: dict[int, int] = {}
    by_ref: dict[int, int] = {}
    widgets_per_page: list[list[Any]] = []
    for index, page in enumerate(pages):
        ref = getattr(page, "indirect_reference", None)
        if ref is not None:
            by_ref[ref.idnum] = index
        found: list[Any] = []
        annots = _resolve(page.get("/Annots"))
        for annot in annots or []:
            obj = _resolve(annot)
            if _is_dict(obj) and obj.get("/Subtype") == "/Widget":
                by_widget.setdefault(id(obj), index)
                found.append(obj)
        widgets_per_page.append(found)
    return by_widget, by_ref, widgets_per_page


def walk(root: Any, pages: list[Any]) -> FieldTree:
    """Collect the terminal fields of a document (reader or writer) in tree order.

    `root` is the catalog, `pages` the page objects. Widgets on pages that the /AcroForm does
    not reach (or all of them, when it is missing) are traced up their /Parent chain and
    walked as well.
    """
    by_widget, by_ref, widgets_per_page = _page_maps(pages)
    warnings: list[str] = []
    out: list[RawField] = []
    visited: set[int] = set()
    acroform = _resolve(root.get("/AcroForm"))
    has_acroform = _is_dict(acroform) and bool(_resolve(acroform.get("/Fields")))
    if has_acroform:
        for ref in _resolve(acroform["/Fields"]) or []:
            _walk(ref, (), {}, out, visited, 0, warnings)

    seen_widgets = {id(w) for raw in out for w, _ in raw.widgets}
    orphans = [w for page in widgets_per_page for w in page if id(w) not in seen_widgets]
    if orphans:
        before = len(out)
        for widget in orphans:
            top, hops = widget, 0
            while _is_dict(_resolve(top.get("/Parent"))) and hops < _MAX_DEPTH:
                top, hops = _resolve(top["/Parent"]), hops + 1
            if id(top) not in visited:
                _walk(top, (), {}, out, visited, 0, warnings)
        if len(out) > before:
            warnings.append(
                f"{len(out) - before} Feld(er) nur als Widgets auf den Seiten, nicht im "
                "/AcroForm-Verzeichnis; sie wurden übernommen"
                if has_acroform
                else "kein /AcroForm-Verzeichnis, aber Widgets auf den Seiten; "
                "die Felder wurden aus den Widgets gewonnen"
            )

    for raw in out:
        placed = []
        for widget, _ in raw.widgets:
            page = by_widget.get(id(widget))
            if page is None:
                p_ref = widget.raw_get("/P") if "/P" in widget else None
                page = by_ref.get(getattr(p_ref, "idnum", -1))
            placed.append((widget, page))
        raw.widgets = placed
    return FieldTree(fields=out, warnings=warnings, has_acroform=has_acroform)


def _walk(
    ref: Any,
    parts: tuple[str, ...],
    inherited: dict[str, Any],
    out: list[RawField],
    visited: set[int],
    depth: int,
    warnings: list[str],
) -> None:
    node = _resolve(ref)
    if not _is_dict(node):
        return
    if id(node) in visited:
        return  # a field reached twice (cycle or shared kid) is taken once
    if depth > _MAX_DEPTH:
        warnings.append(f"Feldbaum tiefer als {_MAX_DEPTH} Ebenen bei '{'.'.join(parts)}'")
        return
    visited.add(id(node))
    if "/T" in node:
        parts = (*parts, text_of(node["/T"]))
    inh = dict(inherited)
    for key in INHERITABLE:
        if key in node:
            inh[key] = _resolve(node[key])
    kids = [_resolve(k) for k in (_resolve(node.get("/Kids")) or [])]
    kids = [k for k in kids if _is_dict(k)]
    # A kid with /T (or with kids of its own) is a field; a kid without is a widget.
    field_kids = [k for k in kids if "/T" in k or ("/Kids" in k and "/Rect" not in k)]
    if field_kids:
        for kid in field_kids:
            _walk(kid, parts, inh, out, visited, depth + 1, warnings)
        return
    if kids:
        widgets = kids
    elif node.get("/Subtype") == "/Widget" or "/Rect" in node:
        widgets = [node]
    else:
        widgets = []
    out.append(RawField(obj=node, parts=parts, inherited=inh, widgets=[(w, None) for w in widgets]))
