"""Fill-back: an application's answers into the original PDF, optionally flattened.

Values are set on our own walk of the writer's field tree, by fully qualified name. pypdf's
`update_page_form_field_values` also matches a bare /T (two fields called "city" under
different parents would both be filled) and writes a button's /V as a string, so only its
appearance-stream generator for text and choice fields is used here.
"""

from __future__ import annotations

import re
from io import BytesIO
from typing import Any

from .formats import format_date, format_number, raw_number
from .reader import MigrationError, capture_pypdf_log, open_pdf
from .tree import walk

# Widget annotation flags (12.5.3): Hidden and NoView widgets are not drawn when flattening.
_HIDDEN = 1 << 1
_NO_VIEW = 1 << 5
_MULTILINE = 1 << 12
_COMBO = 1 << 17


def pdf_values(definition: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """Map answers to PDF values by fully qualified field name.

    Every migrated field of the definition appears: answered ones with their PDF value
    (text; (raw, shown) for numbers; a state name such as "/Ja" or "/Off" for buttons; a
    list for multi-select), unanswered ones with None, which clears them, so that the filled
    PDF shows exactly the application and never a sample value of the blank form.
    """
    values: dict[str, Any] = {}
    _collect(definition.get("properties", {}), answers, values)
    return values


def _collect(properties: dict[str, Any], answers: Any, values: dict[str, Any]) -> None:
    answers = answers if isinstance(answers, dict) else {}
    for key, schema in properties.items():
        if not isinstance(schema, dict):
            continue
        origin = schema.get("x-pdf")
        if isinstance(origin, dict) and "field" in origin:
            value = answers.get(key)
            values[origin["field"]] = None if value is None else _pdf_value(origin, value)
        elif schema.get("type") == "object":
            _collect(schema.get("properties", {}), answers.get(key), values)


def _pdf_value(origin: dict[str, Any], value: Any) -> Any:
    kind = origin.get("kind")
    if kind == "checkbox":
        return origin.get("onState", "/Yes") if value is True else "/Off"
    if kind == "radio":
        return origin.get("exportValues", {}).get(value, "/Off")
    if kind == "multichoice":
        return [str(v) for v in value]
    if kind == "number":
        number = origin.get("number") or {}
        decimals = int(number.get("decimals", 0))
        shown = format_number(float(value), decimals, int(number.get("sepStyle", 0)))
        return (raw_number(float(value), decimals), shown)
    if kind == "date" and origin.get("dateFormat"):
        return format_date(str(value), origin["dateFormat"])
    return str(value)


def fill_pdf(
    definition: dict[str, Any],
    answers: dict[str, Any],
    pdf_bytes: bytes,
    *,
    flatten: bool = False,
    warnings: list[str] | None = None,
) -> bytes:
    """Fill the original PDF of a migrated definition with an application's answers.

    Text, check boxes, radio groups and choices are set with appearance streams, so every
    viewer shows the values. With `flatten`, the appearances become page content and the
    widgets and /AcroForm are removed (the file still opens and prints, but is no longer a
    form). An XFA part is dropped, because viewers that prefer XFA would otherwise show its
    stale data. Problems that do not stop the fill are appended to `warnings`.
    """
    from pypdf import PdfWriter

    values = pdf_values(definition, answers)
    notes: list[str] = [] if warnings is None else warnings
    opened = open_pdf(pdf_bytes)
    try:
        with capture_pypdf_log():
            writer = PdfWriter(clone_from=opened.reader)
            _fill(writer, values, flatten, notes)
            out = BytesIO()
            writer.write(out)
    except MigrationError:
        raise
    except Exception as exc:  # pypdf fails in many ways on damaged files
        detail = " ".join(str(exc).split())[:160]
        raise MigrationError(f"PDF nicht ausfüllbar: {type(exc).__name__}: {detail}") from None
    return out.getvalue()


def _fill(writer: Any, values: dict[str, Any], flatten: bool, notes: list[str]) -> None:
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    pages = list(writer.pages)
    tree = walk(writer.root_object, pages)
    root = writer.root_object
    acro_form = root.get("/AcroForm")
    acro_form = acro_form.get_object() if acro_form is not None else None
    if not isinstance(acro_form, DictionaryObject):
        acro_form = DictionaryObject()
        root[NameObject("/AcroForm")] = writer._add_object(acro_form)
    if not tree.has_acroform:
        # Widgets only on the pages: give them a field directory, so viewers see a form.
        tops: list[Any] = []
        for raw in tree.fields:
            top, hops = raw.obj, 0
            while "/Parent" in top and hops < 40:
                top, hops = top["/Parent"].get_object(), hops + 1
            if all(top is not t for t in tops):
                tops.append(top)
        acro_form[NameObject("/Fields")] = ArrayObject(
            t.indirect_reference for t in tops if t.indirect_reference is not None
        )
    if "/XFA" in acro_form:
        del acro_form["/XFA"]
    found = set()
    for raw in tree.fields:
        if raw.name not in values:
            continue
        found.add(raw.name)
        try:
            _set_field(writer, raw, values[raw.name], pages, acro_form, flatten, notes)
        except Exception as exc:  # one odd field must not lose the whole application
            notes.append(f"Feld '{raw.name}' nicht gesetzt: {type(exc).__name__}: {exc}")
    missing = sorted(set(values) - found)
    if missing:
        notes.append(f"Felder nicht im PDF gefunden: {', '.join(missing)}")
    if flatten:
        _flatten(writer, pages)
        writer.remove_annotations(subtypes="/Widget")
        # A form without widgets makes readers fail on the orphan field tree (NOTES.md).
        del root["/AcroForm"]


def _states(widget: Any) -> set[str]:
    ap = widget.get("/AP")
    normal = ap.get_object().get("/N") if ap is not None else None
    normal = normal.get_object() if normal is not None else None
    return {str(k) for k in normal} if hasattr(normal, "keys") else set()


def _set_field(
    writer: Any,
    raw: Any,
    value: Any,
    pages: list[Any],
    acro_form: Any,
    flatten: bool,
    notes: list[str],
) -> None:
    from pypdf.generic import (
        ArrayObject,
        BooleanObject,
        NameObject,
        NumberObject,
    )

    obj = raw.obj
    ft = str(raw.inherited.get("/FT", ""))
    if ft == "/Btn":
        state = value if isinstance(value, str) and value.startswith("/") else "/Off"
        obj[NameObject("/V")] = NameObject(state)
        for widget, _ in raw.widgets:
            shown = state if state in _states(widget) else "/Off"
            widget[NameObject("/AS")] = NameObject(shown)
        return
    if value is None and not obj.get("/V"):
        return  # nothing to clear: keep the blank form's own appearance
    shown: str | None = None
    if isinstance(value, tuple):  # a number: /V keeps the plain value, the page shows format
        value, shown = value
    if value is None:
        if "/V" in obj:
            del obj["/V"]
        value_obj = None
    elif isinstance(value, list):
        value_obj = ArrayObject(_text_string(v) for v in value)
    else:
        value_obj = _text_string(value)
    if value_obj is not None:
        obj[NameObject("/V")] = value_obj
    list_box = ft == "/Ch" and not int(raw.inherited.get("/Ff", 0)) & _COMBO
    if ft == "/Ch":
        pairs = [
            (str(o[0]), str(o[1])) if isinstance(o, list) and len(o) > 1 else (str(o), str(o))
            for o in (raw.inherited.get("/Opt") or [])
        ]
        exports = [export for export, _ in pairs]
        chosen = [] if value is None else value if isinstance(value, list) else [value]
        indexes = sorted(exports.index(v) for v in chosen if v in exports)
        if indexes:
            obj[NameObject("/I")] = ArrayObject(NumberObject(i) for i in indexes)
        elif "/I" in obj:
            del obj["/I"]
        if list_box:
            # pypdf draws list boxes unreliably; show the chosen entries as lines of text.
            shown = "\n".join(pairs[i][1] for i in indexes)
        elif len(indexes) == 1:
            shown = pairs[indexes[0]][1]  # a combo box shows the display text, not the export
    for widget, page_index in raw.widgets:
        if page_index is None:
            continue
        try:
            _appearance(writer, pages[page_index], acro_form, obj, widget, shown, list_box)
        except Exception as exc:  # the value is set; only its picture is missing
            notes.append(f"Feld '{raw.name}': kein Erscheinungsbild erzeugt ({exc})")
            acro_form[NameObject("/NeedAppearances")] = BooleanObject(True)


def _text_string(value: str) -> Any:
    """A PDF text string that reads back as written.

    Text that starts like a byte-order mark ("þÿ" in PDFDocEncoding) would be read as
    UTF-16; such text is written as UTF-16 itself.
    """
    import codecs

    from pypdf.generic import TextStringObject

    text = TextStringObject(value)
    if value[:2] in ("\xfe\xff", "\xff\xfe") or value.startswith("\xef\xbb\xbf"):
        text.autodetect_pdfdocencoding = False
        text.autodetect_utf16 = True
        text.utf16_bom = codecs.BOM_UTF16_BE
    return text


def _appearance(
    writer: Any,
    page: Any,
    acro_form: Any,
    field: Any,
    widget: Any,
    shown: str | None,
    as_text: bool,
) -> None:
    """Generate a text/choice widget's normal appearance with pypdf's generator.

    `shown` replaces the value on the page (a formatted number, a list box's entries);
    `as_text` draws a list box like a multi-line text field.
    """
    from pypdf.generic import DictionaryObject, NameObject, NumberObject, TextStringObject
    from pypdf.generic._appearance_stream import TextStreamAppearance

    saved = {key: field[key] for key in ("/V", "/Ff") if key in field}
    if not as_text and int(field.get("/Ff", 0)) & _MULTILINE:
        # pypdf wraps only at font size 0 ("auto"); at a fixed size long text would run
        # out of the box, so the lines are broken here (with Helvetica's widths).
        shown = _wrapped(
            shown if shown is not None else str(field.get("/V", "")), acro_form, widget
        )
    try:
        if shown is not None:
            field[NameObject("/V")] = TextStringObject(shown)
        if as_text:
            flags = int(field.get("/Ff", 0)) | _COMBO | _MULTILINE
            field[NameObject("/Ff")] = NumberObject(flags)
        stream = TextStreamAppearance.from_text_annotation(
            writer, page, False, acro_form, field, widget, _substitute_font(acro_form, widget)
        )
    finally:
        for key in ("/V", "/Ff"):
            if key in saved:
                field[NameObject(key)] = saved[key]
            elif key in field:
                del field[key]
    widget[NameObject("/AP")] = DictionaryObject({NameObject("/N"): writer._add_object(stream)})


_FONT_SIZE = re.compile(r"([\d.]+)\s+Tf")


def _wrapped(text: str, acro_form: Any, widget: Any) -> str:
    """``text`` with line breaks so that each line fits the widget at its font size."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    da = str(widget.get_inherited("/DA", acro_form.get("/DA", "")))
    match = _FONT_SIZE.search(da)
    size = float(match.group(1)) if match else 0.0
    rect = [float(v) for v in widget.get("/Rect", [0, 0, 0, 0])]
    width = abs(rect[2] - rect[0]) - 6  # pypdf's padding and border on both sides
    if size <= 0 or width <= 0:
        return text
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if line and stringWidth(candidate, "Helvetica", size) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return "\n".join(lines)


_SUBSET = re.compile(r"^/?[A-Z]{6}\+")
_STANDARD = {
    "Helvetica", "Helvetica-Bold", "Helvetica-Oblique", "Helvetica-BoldOblique",
    "Times-Roman", "Times-Bold", "Times-Italic", "Times-BoldItalic", "Courier", "Courier-Bold",
    "Courier-Oblique", "Courier-BoldOblique", "Symbol", "ZapfDingbats",
}  # fmt: skip


def _substitute_font(acro_form: Any, widget: Any) -> str:
    """A standard font for a field whose own font may not show the applicant's text.

    An embedded subset holds only the glyphs the form's author used ("ü" or even a digit
    may be missing, pypdf #3361); a font that is neither embedded nor one of the 14
    standard fonts is replaced by whatever each viewer has. Helvetica every viewer has.
    Returns "" to keep the field's font.
    """
    da = widget.get_inherited("/DA", acro_form.get("/DA", ""))
    match = re.search(r"/([^\s/]+)\s+[\d.]+\s+Tf", str(da))
    resources = widget.get_inherited("/DR", acro_form.get("/DR"))
    fonts = resources.get_object().get("/Font") if resources is not None else None
    font = fonts.get_object().get("/" + match.group(1)) if fonts is not None and match else None
    if font is None:
        return ""  # pypdf falls back to Helvetica itself
    font = font.get_object()
    base = str(font.get("/BaseFont", "")).lstrip("/")
    descriptor = font.get("/FontDescriptor")
    descriptor = descriptor.get_object() if descriptor is not None else {}
    embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    encoding = font.get("/Encoding")
    encoding = encoding.get_object() if encoding is not None else None
    # pypdf encodes text against the base encoding, not the /Differences on top of it:
    # with reportlab's and pdf-lib's usual encoding "ß" would print as "û".
    differences = hasattr(encoding, "get") and "/Differences" in encoding
    if not differences and (base in _STANDARD or (embedded and not _SUBSET.match(base))):
        return ""
    if font.get("/Subtype") not in ("/Type1", "/TrueType") and not embedded:
        return ""  # a composite font without a file: leave it to the viewer
    return "/Helvetica-Bold" if "bold" in base.lower() else "/Helvetica"


def _flatten(writer: Any, pages: list[Any]) -> None:
    """Draw every visible widget's appearance into its page (PDF 32000-1, 12.5.5)."""
    from pypdf.generic import (
        ContentStream,
        DecodedStreamObject,
        DictionaryObject,
        IndirectObject,
        NameObject,
    )

    for page_number, page in enumerate(pages):
        commands: list[str] = []
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else None
        if not isinstance(resources, DictionaryObject):
            inherited = page.get_inherited("/Resources", None)
            resources = DictionaryObject(inherited.get_object() if inherited else {})
            page[NameObject("/Resources")] = resources
        xobjects = resources.get("/XObject")
        xobjects = xobjects.get_object() if xobjects is not None else None
        if not isinstance(xobjects, DictionaryObject):
            xobjects = DictionaryObject(xobjects or {})
            resources[NameObject("/XObject")] = xobjects
        for index, annot in enumerate(page.get("/Annots") or []):
            widget = annot.get_object()
            if widget.get("/Subtype") != "/Widget" or int(widget.get("/F", 0)) & (
                _HIDDEN | _NO_VIEW
            ):
                continue
            ap = widget.get("/AP")
            normal = ap.get_object().raw_get("/N") if ap is not None and "/N" in ap else None
            resolved = normal.get_object() if normal is not None else None
            if resolved is not None and not hasattr(resolved, "get_data"):
                state = widget.get("/AS")
                known = state is not None and state in resolved
                normal = resolved.raw_get(state) if known else None
            if not isinstance(normal, IndirectObject):
                continue
            matrix = _placement(widget, normal.get_object())
            if matrix is None:
                continue
            name = NameObject(f"/FwFlat{page_number}x{index}")
            xobjects[name] = normal
            commands.append(f"q {' '.join(f'{v:.4f}' for v in matrix)} cm {name} Do Q")
        if not commands:
            continue
        old = page.get_contents()
        data = old.get_data() if old is not None else b""
        stream = DecodedStreamObject()
        stream.set_data(b"q\n" + data + b"\nQ\n" + "\n".join(commands).encode() + b"\n")
        page.replace_contents(ContentStream(stream, writer))


def _placement(widget: Any, form: Any) -> tuple[float, ...] | None:
    """The matrix that maps an appearance's transformed bounding box onto the widget's
    rectangle (PDF 32000-1, 12.5.5, algorithm 8.1)."""
    try:
        x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
        bx1, by1, bx2, by2 = (float(v) for v in form["/BBox"])
        a, b, c, d, e, f = (float(v) for v in form.get("/Matrix", [1, 0, 0, 1, 0, 0]))
    except (KeyError, TypeError, ValueError):
        return None
    corners = [(a * x + c * y + e, b * x + d * y + f) for x in (bx1, bx2) for y in (by1, by2)]
    tx1, tx2 = min(p[0] for p in corners), max(p[0] for p in corners)
    ty1, ty2 = min(p[1] for p in corners), max(p[1] for p in corners)
    if tx2 - tx1 <= 0 or ty2 - ty1 <= 0:
        return None
    rx1, rx2, ry1, ry2 = min(x1, x2), max(x1, x2), min(y1, y2), max(y1, y2)
    sx, sy = (rx2 - rx1) / (tx2 - tx1), (ry2 - ry1) / (ty2 - ty1)
    return (sx, 0.0, 0.0, sy, rx1 - sx * tx1, ry1 - sy * ty1)
