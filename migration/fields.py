"""AcroForm fields → `PdfField`: kind from /FT and /Ff, options, states, formats, widgets."""

from __future__ import annotations

from typing import Any

from .formats import parse_format_scripts
from .model import Option, PdfField, Widget
from .tree import FieldTree, RawField, text_of

# /Ff bits (PDF 32000-1:2008, tables 221, 226, 228, 230).
FF_MULTILINE = 1 << 12
FF_PASSWORD = 1 << 13
FF_RADIO = 1 << 15
FF_PUSHBUTTON = 1 << 16
FF_COMBO = 1 << 17
FF_EDIT = 1 << 18
FF_FILE_SELECT = 1 << 20
FF_MULTI_SELECT = 1 << 21
FF_COMB = 1 << 24

SKIP_REASONS = {
    "signature": "Unterschriftsfeld: trägt keine Daten",
    "button": "Schaltfläche: trägt keine Daten",
    "password": "Kennwortfeld: Kennwörter werden nicht übernommen",
    "file": "Dateiauswahlfeld: lässt sich im PDF nicht ausfüllen",
}


def to_python(value: Any) -> Any:
    """A /V or /DV value as str, list[str] or None (names keep their slash: "/Ja")."""
    from pypdf.generic import ArrayObject

    if value is None:
        return None
    if hasattr(value, "get_object"):
        value = value.get_object()
    if isinstance(value, ArrayObject | list):
        return [text_of(v) for v in value]
    return text_of(value)


def _number(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _rect(widget: Any) -> tuple[float, float, float, float] | None:
    try:
        x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    except (KeyError, TypeError, ValueError):
        return None
    return (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))


def _on_states(widget: Any) -> list[str]:
    """The appearance state names of a button widget other than /Off."""
    ap = widget.get("/AP")
    ap = ap.get_object() if ap is not None else None
    states: list[str] = []
    for key in ("/N", "/D"):
        sub = ap.get(key) if ap is not None and hasattr(ap, "get") else None
        sub = sub.get_object() if sub is not None else None
        # A stream here is a single appearance (no states); only a dictionary names states.
        if sub is not None and hasattr(sub, "keys") and not hasattr(sub, "get_data"):
            states += [str(k) for k in sub if str(k) != "/Off" and str(k) not in states]
        if states:
            break
    return states


def _options(raw_opt: Any) -> list[Option]:
    """/Opt entries are strings or [export, display] pairs (12.7.4.4)."""
    options: list[Option] = []
    for entry in raw_opt or []:
        entry = entry.get_object() if hasattr(entry, "get_object") else entry
        if isinstance(entry, list) and len(entry) >= 2:
            export, display = text_of(entry[0]), text_of(entry[1])
        elif isinstance(entry, list) and entry:
            export = display = text_of(entry[0])
        else:
            export = display = text_of(entry)
        options.append(Option(export=export, display=display or export))
    return options


def _scripts(obj: Any) -> list[str]:
    """JavaScript of the format (/F) then keystroke (/K) actions in /AA."""
    aa = obj.get("/AA")
    aa = aa.get_object() if aa is not None else None
    scripts: list[str] = []
    for key in ("/F", "/K"):
        action = aa.get(key) if aa is not None and hasattr(aa, "get") else None
        action = action.get_object() if action is not None else None
        js = action.get("/JS") if action is not None and hasattr(action, "get") else None
        js = js.get_object() if js is not None else None
        if js is None:
            continue
        if hasattr(js, "get_data"):
            try:
                scripts.append(js.get_data().decode("latin-1"))
            except Exception:  # an undecodable stream is simply no format
                continue
        else:
            scripts.append(text_of(js))
    return scripts


def classify(raw: RawField) -> PdfField:
    """Turn a raw terminal field into a classified `PdfField`."""
    obj, inh = raw.obj, raw.inherited
    ft = str(inh.get("/FT", ""))
    flags = _number(inh.get("/Ff")) or 0
    field = PdfField(name=raw.name, parts=raw.parts, kind="unknown", flags=flags)
    tooltip = text_of(obj.get("/TU")).strip() if "/TU" in obj else ""
    field.tooltip = " ".join(tooltip.split()) or None
    field.value = to_python(inh.get("/V"))
    field.default = to_python(inh.get("/DV"))
    for widget, page in raw.widgets:
        rect = _rect(widget)
        if page is None or rect is None:
            continue
        states = _on_states(widget) if ft == "/Btn" else []
        field.widgets.append(Widget(page=page, rect=rect, state=states[0] if states else None))

    if ft == "/Btn":
        _classify_button(field, raw, flags)
    elif ft == "/Tx":
        _classify_text(field, raw, flags)
    elif ft == "/Ch":
        _classify_choice(field, inh, flags)
    elif ft == "/Sig":
        field.kind = "signature"
    else:
        field.skip_reason = f"unbekannter Feldtyp {ft or '(keiner)'}"
    if field.kind in SKIP_REASONS and not field.skip_reason:
        field.skip_reason = SKIP_REASONS[field.kind]
    return field


def _visual_key(widget: Widget) -> tuple[int, float, float]:
    return (widget.page, -round(widget.top), widget.rect[0])


def _classify_button(field: PdfField, raw: RawField, flags: int) -> None:
    if flags & FF_PUSHBUTTON:
        field.kind = "button"
        return
    states = [w.state for w in field.widgets if w.state]
    distinct = list(dict.fromkeys(states))
    if flags & FF_RADIO or len(distinct) > 1:
        if not flags & FF_RADIO:
            field.notes.append("Kontrollkästchen mit mehreren Ein-Zuständen wie Optionsfeld")
        field.kind = "radio"
        opt = _options(raw.inherited.get("/Opt"))
        # /Opt of a radio group: one export value per widget in /Kids order (12.7.4.2.4);
        # writers that use /Opt name the states by index ("/0", "/1", …).
        by_state: dict[str, Option] = {}
        visual = sorted(range(len(field.widgets)), key=lambda i: _visual_key(field.widgets[i]))
        for index in visual:
            state = field.widgets[index].state
            if not state or state in by_state:
                continue  # radios in unison share a state: one option
            name = state[1:]
            if opt and name.isdigit() and int(name) < len(opt):
                option = opt[int(name)]
            elif len(opt) == len(field.widgets):
                option = opt[index]
            else:
                option = Option(export=name, display=name)
            by_state[state] = Option(export=option.export, display=option.display, state=state)
        field.options = list(by_state.values())
        if not field.options:
            # Without appearance states there is nothing a viewer could show as chosen.
            field.skip_reason = "Optionsfeld ohne Ein-Zustände im Erscheinungsbild"
        return
    field.kind = "checkbox"
    if distinct:
        field.on_state = distinct[0]
    else:
        field.on_state = "/Yes"
        field.notes.append("kein Ein-Zustand im Erscheinungsbild; /Yes angenommen")


def _classify_text(field: PdfField, raw: RawField, flags: int) -> None:
    if flags & FF_PASSWORD:
        field.kind = "password"
        return
    if flags & FF_FILE_SELECT:
        field.kind = "file"
        return
    field.max_len = _number(raw.inherited.get("/MaxLen"))
    if field.max_len is not None and field.max_len <= 0:
        field.max_len = None
    field.comb = bool(flags & FF_COMB) and field.max_len is not None
    fmt = parse_format_scripts(_scripts(raw.obj))
    if "number" in fmt:
        field.kind = "number"
        field.number = fmt["number"]
    elif "date" in fmt:
        field.kind = "date"
        field.date_format = fmt["date"]
    else:
        field.kind = "textarea" if flags & FF_MULTILINE else "text"
        field.special = fmt.get("special")


def _classify_choice(field: PdfField, inh: dict[str, Any], flags: int) -> None:
    options = _options(inh.get("/Opt"))
    # An empty entry is the "nothing chosen" line of a drop-down, not an answer.
    field.options = [o for o in options if o.export.strip() or o.display.strip()]
    if flags & FF_COMBO and flags & FF_EDIT:
        field.kind = "editcombo"
    elif not field.options:
        field.kind = "text"
        field.notes.append("Auswahlfeld ohne Optionen; als Textfeld übernommen")
    elif not flags & FF_COMBO and flags & FF_MULTI_SELECT:
        field.kind = "multichoice"
    else:
        field.kind = "choice"


def classify_all(tree: FieldTree) -> tuple[list[PdfField], list[str]]:
    """Classify every terminal field; merge duplicate names; drop fields without widgets.

    Returns all fields (data and skipped, in tree order) and warnings.
    """
    warnings: list[str] = []
    by_name: dict[str, PdfField] = {}
    result: list[PdfField] = []
    for raw in tree.fields:
        field = classify(raw)
        if not raw.parts:
            warnings.append("Feld ohne Namen (/T) übersprungen")
            continue
        if field.name in by_name:
            first = by_name[field.name]
            if first.kind == field.kind:
                # Two dictionaries with one qualified name are one field to every viewer
                # (pypdf #1528): keep one property, fill all widgets.
                first.widgets += field.widgets
                warnings.append(f"doppelter Feldname '{field.name}': als ein Feld übernommen")
            else:
                warnings.append(
                    f"doppelter Feldname '{field.name}' mit anderem Typ: zweites Feld übersprungen"
                )
            continue
        by_name[field.name] = field
        if field.is_data and not field.widgets:
            field.skip_reason = "kein Widget auf einer Seite"
            warnings.append(f"Feld '{field.name}' hat kein Widget auf einer Seite: übersprungen")
        result.append(field)
    return result, warnings
