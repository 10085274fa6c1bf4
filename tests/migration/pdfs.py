"""Fillable test PDFs, generated with reportlab's acroForm and touched up with pypdf.

reportlab cannot write everything real forms contain (on-states other than /Yes, radio
groups with /Opt, format actions, signature fields, push buttons, nested field names),
so `amend` adds those with pypdf afterwards, the way authoring tools store them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

NUMBER_2 = 'AFNumber_Format(2, 2, 0, 0, "", false);'
NUMBER_0 = 'AFNumber_Format(0, 2, 0, 0, "", false);'
DATE = 'AFDate_FormatEx("dd.mm.yyyy");'
POSTCODE = "AFSpecial_Format(0);"
PHONE = "AFSpecial_Format(2);"


def _text(c: canvas.Canvas, x: float, y: float, text: str, size: float = 10) -> None:
    c.setFont("Helvetica", size)
    c.drawString(x, y, text)


def _field(form: Any, name: str, x: float, y: float, width: float = 200, **kw: Any) -> None:
    kw.setdefault("height", 18)
    kw.setdefault("fieldFlags", "")
    kw.setdefault("maxlen", None)
    form.textfield(name=name, x=x, y=y, width=width, borderWidth=1, **kw)


def antrag(path: Path) -> Path:
    """One page, every field kind and flag, German labels in every position."""
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setTitle("Antrag auf einen Anwohnerparkausweis")
    form = c.acroForm
    _text(c, 50, 800, "Antrag auf einen Anwohnerparkausweis", 16)
    _text(c, 50, 760, "Vorname:")
    _field(form, "vorname", 160, 755)
    _field(form, "familienname", 160, 725, tooltip="Familienname der antragstellenden Person")
    _text(c, 50, 700, "Straße und Hausnummer")  # label above its field
    _field(form, "strasse", 50, 678)
    _text(c, 300, 700, "PLZ")
    _field(form, "plz", 300, 678, width=80, maxlen=5, fieldFlags="comb")
    _field(form, "ort", 400, 678, width=150)
    _text(c, 400, 668, "Ort")  # label printed below the line
    _text(c, 50, 640, "Geburtsdatum:")
    _field(form, "geburtsdatum", 160, 635, width=100)
    _text(c, 50, 610, "1. Monatliches Einkommen in €:")
    _field(form, "einkommen", 200, 605, width=100)
    _text(c, 320, 610, "Kinder")
    _field(form, "kinder", 370, 605, width=40)
    _text(c, 50, 580, "Telefon")
    _field(form, "telefon", 160, 575)
    _text(c, 50, 550, "E-Mail-Adresse *")
    _field(form, "email", 160, 545, fieldFlags="required")
    _text(c, 50, 520, "Bemerkungen")
    _field(form, "bemerkungen", 160, 470, width=300, height=60, fieldFlags="multiline")
    _text(c, 50, 440, "Kennwort")
    _field(form, "kennwort", 160, 435, fieldFlags="password")
    _text(c, 50, 410, "Aktenzeichen")
    _field(form, "aktenzeichen", 160, 405, value="AZ-2024-001", fieldFlags="readOnly")
    _field(form, "Nr.Zusatz", 420, 405, width=60)  # a dot inside a partial name
    _field(form, "feld_ohne_label", 420, 300, width=100)
    form.checkbox(name="einverstanden", x=50, y=375, size=12, fieldFlags="required")
    _text(c, 70, 377, "Ich bin mit der Verarbeitung meiner Daten einverstanden")
    form.checkbox(name="newsletter", x=50, y=355, size=12, fieldFlags="", checked=True)
    _text(c, 70, 357, "Newsletter abonnieren")
    _text(c, 50, 330, "Familienstand:")
    for i, value in enumerate(("ledig", "verheiratet", "geschieden")):
        form.radio(
            name="familienstand",
            value=value,
            x=160 + 110 * i,
            y=327,
            size=12,
            fieldFlags="noToggleToOff radio required",
            selected=value == "ledig",
        )
        _text(c, 176 + 110 * i, 329, value)
    _text(c, 50, 300, "Anrede")
    for i, value in enumerate(("0", "1")):
        form.radio(
            name="anrede",
            value=value,
            x=160 + 80 * i,
            y=297,
            size=12,
            fieldFlags="noToggleToOff radio",
        )
        _text(c, 176 + 80 * i, 299, ("Frau", "Herr")[i])
    _text(c, 50, 270, "Staatsangehörigkeit")
    form.choice(
        name="staatsangehoerigkeit",
        x=160,
        y=265,
        width=150,
        height=18,
        options=[("Deutsch", "de"), ("Österreichisch", "at"), ("Schweizerisch", "ch")],
        value="de",
        fieldFlags="combo",
    )
    _text(c, 330, 270, "Stadtteil")
    form.choice(
        name="stadtteil",
        x=380,
        y=265,
        width=120,
        height=18,
        options=["Altstadt", "Neustadt"],
        value="Altstadt",
        fieldFlags="combo edit",
    )
    _text(c, 50, 240, "Fahrzeugart")
    form.listbox(
        name="fahrzeugart",
        x=160,
        y=190,
        width=120,
        height=60,
        options=["PKW", "Motorrad", "Wohnmobil"],
        value="PKW",
        fieldFlags="",
    )
    _text(c, 300, 255, "Zusätzliche Angaben")
    form.listbox(
        name="zusatz",
        x=300,
        y=190,
        width=160,
        height=60,
        options=["Schwerbehindert", "Zweitfahrzeug", "Gewerbe"],
        value=["Gewerbe"],
        fieldFlags="multiSelect",
    )
    _text(c, 50, 150, "Unterschrift")
    c.showPage()
    c.save()
    amend(path, _antrag_extras)
    return path


def _antrag_extras(writer: Any) -> None:
    from pypdf.generic import ArrayObject, NameObject, TextStringObject

    fields = by_name(writer)
    rename_on_state(fields["einverstanden"], "/Ja")
    add_action(fields["geburtsdatum"], DATE)
    add_action(fields["einkommen"], NUMBER_2)
    add_action(fields["kinder"], NUMBER_0)
    add_action(fields["plz"], POSTCODE)
    add_action(fields["telefon"], PHONE)
    fields["anrede"][NameObject("/Opt")] = ArrayObject(
        [TextStringObject("frau"), TextStringObject("herr")]
    )
    add_widget_field(writer, 0, "unterschrift", "/Sig", [160, 140, 360, 170])
    add_widget_field(writer, 0, "drucken", "/Btn", [450, 50, 530, 70], flags=1 << 16)


def zwei_seiten(path: Path) -> Path:
    """Two pages with section headings and nested field names (antragsteller.anschrift.ort)."""
    c = canvas.Canvas(str(path), pagesize=A4)
    form = c.acroForm
    _text(c, 50, 800, "Antrag auf Wohngeld", 18)
    _text(c, 50, 760, "1. Angaben zur Person", 14)
    _text(c, 50, 730, "Vorname")
    _field(form, "antragsteller.vorname", 160, 725)
    _text(c, 50, 700, "Familienname")
    _field(form, "antragsteller.name", 160, 695, fieldFlags="required")
    _text(c, 50, 650, "2. Anschrift", 14)
    _text(c, 50, 620, "Straße")
    _field(form, "antragsteller.anschrift.strasse", 160, 615)
    _text(c, 50, 590, "Ort")
    _field(form, "antragsteller.anschrift.ort", 160, 585)
    c.showPage()
    form = c.acroForm
    _text(c, 50, 800, "3. Einkommen", 14)
    _text(c, 50, 770, "Bruttoeinkommen im Monat")
    _field(form, "einkommen.brutto", 200, 765, width=100)
    _text(c, 50, 740, "Arbeitgeber")
    _field(form, "einkommen.arbeitgeber", 200, 735)
    c.showPage()
    c.save()
    amend(path, lambda w: nest(w, ["antragsteller", "einkommen"]))
    return path


def big_form(path: Path, pages: int = 13, fields: int = 700) -> Path:
    """A long form for the benchmark: rows of labelled fields of every common kind."""
    c = canvas.Canvas(str(path), pagesize=A4)
    form = c.acroForm
    per_page = -(-fields // pages)
    made = 0
    for page in range(pages):
        _text(c, 40, 815, f"Abschnitt {page + 1}", 14)
        rows = -(-min(per_page, fields - made) // 2)
        for row in range(rows):
            y = 790 - row * 28
            for column in range(2):
                if made >= fields:
                    break
                x = 40 + column * 280
                name = f"s{page + 1}_f{made}"
                _text(c, x, y + 4, f"Angabe {made + 1}:", 8)
                kind = made % 10
                if kind == 7:
                    form.checkbox(name=name, x=x + 80, y=y, size=12, fieldFlags="")
                elif kind == 8:
                    form.choice(
                        name=name,
                        x=x + 80,
                        y=y,
                        width=150,
                        height=16,
                        options=["Ja", "Nein", "Vielleicht"],
                        value="Ja",
                        fieldFlags="combo",
                    )
                elif kind == 9:
                    for i, value in enumerate(("a", "b", "c")):
                        form.radio(
                            name=name,
                            value=value,
                            x=x + 80 + 40 * i,
                            y=y,
                            size=12,
                            fieldFlags="noToggleToOff radio",
                        )
                else:
                    _field(form, name, x + 80, y, width=150, height=16)
                made += 1
        c.showPage()
        form = c.acroForm
    c.save()
    return path


# --------------------------------------------------------------------------- pypdf touch-ups


def amend(path: Path, change: Callable[[Any], None]) -> None:
    """Rewrite a PDF after `change(writer)`."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(path))
    change(writer)
    with path.open("wb") as out:
        writer.write(out)


def by_name(writer: Any) -> dict[str, Any]:
    """Top-level AcroForm fields by /T."""
    fields = writer.root_object["/AcroForm"]["/Fields"]
    return {str(f.get_object()["/T"]): f.get_object() for f in fields}


def rename_on_state(field: Any, state: str) -> None:
    """Rename a checkbox's /Yes appearance state (reportlab's only one) to `state`."""
    from pypdf.generic import DictionaryObject, NameObject

    for key in ("/N", "/D"):
        old = field["/AP"].get(key)
        if old is None:
            continue
        old = old.get_object()
        renamed = DictionaryObject()
        for name, value in old.items():
            renamed[NameObject(state if name == "/Yes" else name)] = value
        field["/AP"][NameObject(key)] = renamed
    for key in ("/V", "/AS"):
        if field.get(key) == "/Yes":
            field[NameObject(key)] = NameObject(state)


def add_action(field: Any, script: str) -> None:
    """A format action (/AA /F) with Acrobat JavaScript."""
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    action = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject(script)}
    )
    field[NameObject("/AA")] = DictionaryObject({NameObject("/F"): action})


def add_widget_field(
    writer: Any, page: int, name: str, ft: str, rect: list[float], flags: int = 0
) -> Any:
    """A merged field/widget of type `ft` on a page (signature fields, push buttons)."""
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        NumberObject,
        TextStringObject,
    )

    field = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/FT"): NameObject(ft),
            NameObject("/T"): TextStringObject(name),
            NameObject("/Rect"): ArrayObject(FloatObject(v) for v in rect),
            NameObject("/F"): NumberObject(4),
            NameObject("/Ff"): NumberObject(flags),
        }
    )
    ref = writer._add_object(field)
    target = writer.pages[page]
    if "/Annots" not in target:
        target[NameObject("/Annots")] = ArrayObject()
    target["/Annots"].append(ref)
    writer.root_object["/AcroForm"]["/Fields"].append(ref)
    return field


def nest(writer: Any, roots: list[str]) -> None:
    """Turn flat fields named 'a.b.c' into a field tree a → b → c (/T, /Parent, /Kids)."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    acro = writer.root_object["/AcroForm"]
    keep = ArrayObject()
    parents: dict[str, Any] = {}

    def parent_of(path: str) -> Any:
        if path in parents:
            return parents[path]
        node = DictionaryObject(
            {
                NameObject("/T"): TextStringObject(path.rsplit(".", 1)[-1]),
                NameObject("/Kids"): ArrayObject(),
            }
        )
        ref = writer._add_object(node)
        parents[path] = node
        if "." in path:
            up = parent_of(path.rsplit(".", 1)[0])
            node[NameObject("/Parent")] = up.indirect_reference
            up["/Kids"].append(ref)
        else:
            keep.append(ref)
        return node

    for ref in acro["/Fields"]:
        field = ref.get_object()
        name = str(field["/T"])
        if "." in name and name.split(".")[0] in roots:
            parent = parent_of(name.rsplit(".", 1)[0])
            field[NameObject("/T")] = TextStringObject(name.rsplit(".", 1)[1])
            field[NameObject("/Parent")] = parent.indirect_reference
            parent["/Kids"].append(ref)
        else:
            keep.append(ref)
    acro[NameObject("/Fields")] = keep
