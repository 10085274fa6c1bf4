"""Draw the demo portal's fillable PDF: `python scripts/make_demo_pdf.py [OUT.pdf]`.

"Antrag auf Ausstellung eines Bewohnerparkausweises" of the Stadt Wiesenfeld, a two-page
AcroForm the way a town's form designer would make one (page 1 the form, page 2 the notes).
The demo service `bewohnerparken` was migrated from it (`formwerk migrate`), so submissions
of that service carry this PDF filled in.

reportlab's acroForm draws the fields; what it cannot write (the on-state "/Ja", Acrobat
format actions, a signature field) is added with pypdf afterwards, as in
tests/migration/pdfs.py. The output is byte-for-byte reproducible (reportlab's invariant
mode), so re-running the script does not change the sha256 recorded in the definition.
After changing the drawing, migrate again: the definition's root `x-pdf.sha256` and the
`x-pdf` rectangles of its fields must match the new file.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from reportlab.lib.colors import Color, black, white
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

OUT = Path(__file__).resolve().parent.parent / "form_definitions/services/bewohnerparken.pdf"
TITLE = "Antrag auf Ausstellung eines Bewohnerparkausweises"

DATE = 'AFDate_FormatEx("dd.mm.yyyy");'
DATE_KEYS = 'AFDate_KeystrokeEx("dd.mm.yyyy");'
POSTCODE = "AFSpecial_Format(0);"
POSTCODE_KEYS = "AFSpecial_Keystroke(0);"

LEFT, RIGHT = 50.0, 545.0
BLUE = Color(0.11, 0.25, 0.45)
GREY = Color(0.45, 0.45, 0.45)
BAR = Color(0.86, 0.89, 0.93)
FIELD_BG = Color(0.93, 0.95, 0.99)
FIELD_BORDER = Color(0.55, 0.6, 0.68)


# --------------------------------------------------------------------------- drawing helpers


def text(c: canvas.Canvas, x: float, y: float, s: str, size: float = 9, bold: bool = False):
    c.setFillColor(black)
    c.setFont("Helvetica-Bold" if bold else "Helvetica", size)
    c.drawString(x, y, s)


def small(c: canvas.Canvas, x: float, y: float, s: str, size: float = 7.5) -> None:
    c.setFillColor(GREY)
    c.setFont("Helvetica", size)
    c.drawString(x, y, s)
    c.setFillColor(black)


def section(c: canvas.Canvas, y: float, title: str) -> None:
    """A numbered section heading on a shaded bar (bold, so the migration sees a heading)."""
    c.setFillColor(BAR)
    c.rect(LEFT, y - 4, RIGHT - LEFT, 16, stroke=0, fill=1)
    text(c, LEFT + 4, y, title, 10.5, bold=True)


def textfield(c: canvas.Canvas, name: str, x: float, y: float, width: float, **kw: Any) -> None:
    """A text field in the form's style; `y` is the bottom edge, height 17 unless given."""
    kw.setdefault("height", 17)
    kw.setdefault("fieldFlags", "")
    kw.setdefault("maxlen", None)
    kw.setdefault("fontSize", 10)
    c.acroForm.textfield(
        name=name,
        x=x,
        y=y,
        width=width,
        borderWidth=0.6,
        borderColor=FIELD_BORDER,
        fillColor=FIELD_BG,
        textColor=black,
        fontName="Helvetica",
        **kw,
    )


def above(c: canvas.Canvas, label: str, x: float, y: float, width: float, **kw: Any) -> None:
    """A field with its label printed just above its top-left corner."""
    height = kw.get("height", 17)
    text(c, x + 1, y + height + 3, label, 8)
    textfield(c, kw.pop("name"), x, y, width, **kw)


def checkbox(
    c: canvas.Canvas, name: str, x: float, y: float, lines: list[str], required: bool = False
) -> None:
    """A check box with its text on the right (one or two lines)."""
    c.acroForm.checkbox(
        name=name,
        x=x,
        y=y,
        size=10,
        buttonStyle="cross",
        borderWidth=0.6,
        borderColor=FIELD_BORDER,
        fillColor=FIELD_BG,
        textColor=black,
        fieldFlags="required" if required else "",
    )
    for i, line in enumerate(lines):
        text(c, x + 16, y + 2 - 11 * i, line)


# --------------------------------------------------------------------------- page 1


def letterhead(c: canvas.Canvas) -> None:
    # A plain shield as the town's mark.
    c.setFillColor(BLUE)
    path = c.beginPath()
    path.moveTo(LEFT, 812)
    path.lineTo(LEFT + 30, 812)
    path.lineTo(LEFT + 30, 792)
    path.curveTo(LEFT + 30, 782, LEFT + 22, 776, LEFT + 15, 772)
    path.curveTo(LEFT + 8, 776, LEFT, 782, LEFT, 792)
    path.close()
    c.drawPath(path, stroke=0, fill=1)
    c.setFillColor(white)
    c.setFont("Helvetica-Bold", 16)
    c.drawCentredString(LEFT + 15, 790, "W")
    c.setFillColor(BLUE)
    c.setFont("Helvetica-Bold", 17)
    c.drawString(LEFT + 42, 797, "Stadt Wiesenfeld")
    c.setFillColor(black)
    text(c, LEFT + 42, 785, "Der Bürgermeister", 8)
    text(c, LEFT + 42, 775, "Fachbereich Ordnung und Verkehr – Straßenverkehrsbehörde", 8)
    for i, line in enumerate(
        (
            "Bürgerbüro im Rathaus",
            "Marktplatz 1, 29614 Wiesenfeld",
            "Telefon 05192 8830-0",
            "buergerbuero@wiesenfeld.example",
            "www.wiesenfeld.example",
        )
    ):
        small(c, 400, 806 - 9.5 * i, line, 7.5)
    c.setStrokeColor(BLUE)
    c.setLineWidth(1.2)
    c.line(LEFT, 758, RIGHT, 758)


def eingangsvermerk(c: canvas.Canvas) -> None:
    """The box the office stamps; not a field."""
    c.setStrokeColor(GREY)
    c.setLineWidth(0.5)
    c.setDash(2, 2)
    c.rect(430, 672, 115, 62, stroke=1, fill=0)
    c.setDash()
    small(c, 436, 725, "Eingangsvermerk", 7)


def page_one(c: canvas.Canvas) -> None:
    letterhead(c)
    eingangsvermerk(c)
    text(c, LEFT, 735, "Antrag auf Ausstellung eines", 14, bold=True)
    text(c, LEFT, 718, "Bewohnerparkausweises", 14, bold=True)
    small(c, LEFT, 703, "nach § 45 Abs. 1b Satz 1 Nr. 2a StVO in Verbindung mit der", 8)
    small(c, LEFT, 694, "Satzung über das Bewohnerparken der Stadt Wiesenfeld", 8)
    text(c, LEFT, 678, "Bitte in Druckbuchstaben ausfüllen oder am Bildschirm ausfüllen und", 8)
    text(c, LEFT, 668, "ausdrucken. Pflichtangaben sind mit * gekennzeichnet.", 8)

    section(c, 640, "1. Angaben zur Person")
    above(c, "Familienname *", LEFT, 603, 235, name="Name", maxlen=60, fieldFlags="required")
    above(c, "Vorname(n) *", 300, 603, 245, name="Vorname", maxlen=60, fieldFlags="required")
    above(
        c,
        "Geburtsdatum *",
        LEFT,
        570,
        95,
        name="Geburtsdatum",
        maxlen=10,
        fieldFlags="required",
        tooltip="Geburtsdatum (TT.MM.JJJJ)",
    )
    above(
        c,
        "Telefon (tagsüber)",
        160,
        570,
        125,
        name="Telefon",
        maxlen=30,
        tooltip="Telefonnummer für Rückfragen (freiwillige Angabe)",
    )
    above(c, "E-Mail", 300, 570, 245, name="E-Mail", maxlen=100)
    above(
        c,
        "Straße und Hausnummer *",
        LEFT,
        537,
        235,
        name="Strasse",
        maxlen=80,
        fieldFlags="required",
    )
    above(c, "PLZ *", 300, 537, 60, name="PLZ", maxlen=5, fieldFlags="required comb")
    above(c, "Ort *", 375, 537, 170, name="Ort", maxlen=60, fieldFlags="required")
    checkbox(
        c,
        "Hauptwohnsitz",
        LEFT,
        512,
        ["Ich bin unter der oben genannten Anschrift mit Hauptwohnsitz gemeldet. *"],
        required=True,
    )

    section(c, 480, "2. Fahrzeug")
    text(c, LEFT, 454, "Amtliches Kennzeichen *")
    textfield(
        c,
        "Kennzeichen",
        200,
        449,
        120,
        maxlen=12,
        fieldFlags="required",
        tooltip="Amtliches Kennzeichen, z. B. WSF-AB 123",
    )
    text(c, LEFT, 429, "Halter/in des Fahrzeugs *")
    for i, (value, label) in enumerate(
        (("selbst", "ich selbst"), ("Firmenwagen", "Firmenwagen"), ("Leasing", "Leasingfahrzeug"))
    ):
        x = 200 + 105 * i
        # reportlab draws round buttons to scale only at size 20: the ring is page content,
        # the widget is a transparent square that shows the dot when chosen.
        c.setFillColor(FIELD_BG)
        c.setStrokeColor(FIELD_BORDER)
        c.setLineWidth(0.6)
        c.circle(x + 5, 432, 5, stroke=1, fill=1)
        c.acroForm.radio(
            name="Halter",
            value=value,
            x=x,
            y=427,
            size=10,
            buttonStyle="circle",
            shape="square",
            borderWidth=None,
            borderColor=None,
            fillColor=None,
            textColor=black,
            fieldFlags="noToggleToOff radio required",
        )
        text(c, x + 15, 429, label)
    text(c, LEFT, 404, "Name der Halterin / des Halters")
    small(c, LEFT, 395, "(nur bei Firmen- oder Leasingfahrzeug)", 7)
    textfield(
        c,
        "Fahrzeughalter",
        200,
        397,
        345,
        maxlen=100,
        tooltip="Name der Halterin oder des Halters laut Zulassungsbescheinigung Teil I",
    )
    text(c, LEFT, 376, "Beantragte Parkzone *")
    c.acroForm.choice(
        name="Parkzone",
        x=200,
        y=371,
        width=180,
        height=17,
        options=[
            " ",  # the blank first line of a drop-down (reportlab needs a value)
            ("Zone A – Altstadt/Markt", "A"),
            ("Zone B – Bahnhofsviertel", "B"),
            ("Zone C – Südstadt", "C"),
        ],
        value=" ",
        borderWidth=0.6,
        borderColor=FIELD_BORDER,
        fillColor=FIELD_BG,
        textColor=black,
        fontName="Helvetica",
        fontSize=10,
        fieldFlags="combo required",
    )
    small(c, 390, 376, "Zonenplan: www.wiesenfeld.example/parken", 7)

    section(c, 343, "3. Erklärung")
    above(
        c,
        "Bemerkungen (z. B. Begründung bei Firmen- oder Leasingfahrzeug)",
        LEFT,
        268,
        RIGHT - LEFT,
        name="Bemerkungen",
        height=46,
        maxlen=500,
        fieldFlags="multiline",
        fontSize=0,  # "Auto": the text wraps and shrinks to fit the box
    )
    checkbox(
        c,
        "Versand",
        LEFT,
        247,
        ["Bitte senden Sie mir den Parkausweis per Post zu (sonst Abholung im Bürgerbüro)."],
    )
    checkbox(
        c,
        "Richtigkeit",
        LEFT,
        229,
        ["Ich versichere, dass meine Angaben richtig und vollständig sind. *"],
        required=True,
    )
    checkbox(
        c,
        "Datenschutz",
        LEFT,
        211,
        ["Ich habe die Hinweise zum Datenschutz (Seite 2) zur Kenntnis genommen. *"],
        required=True,
    )
    # The signature: a line with its caption; the field is added with pypdf (SIGNATURE).
    c.setStrokeColor(black)
    c.setLineWidth(0.5)
    c.line(LEFT, 150, 250, 150)
    c.line(300, 150, RIGHT, 150)
    small(c, LEFT, 140, "Ort, Datum", 7.5)
    small(c, 300, 140, "Unterschrift der antragstellenden Person", 7.5)

    c.setStrokeColor(GREY)
    c.rect(LEFT, 62, RIGHT - LEFT, 50, stroke=1, fill=0)
    small(c, LEFT + 5, 102, "Nur für den Verwaltungsgebrauch", 7)
    small(c, LEFT + 5, 86, "Ausweis-Nr.: ______________", 7.5)
    small(c, 210, 86, "gültig bis: ______________", 7.5)
    small(c, 370, 86, "Gebühr erhoben: ______ €", 7.5)
    small(c, LEFT + 5, 70, "Bearbeitet: ______________", 7.5)
    footer(c, 1)


SIGNATURE = [300.0, 152.0, 545.0, 182.0]  # the signature field sits on its line


# --------------------------------------------------------------------------- page 2


NOTES = [
    (
        "Wer erhält einen Bewohnerparkausweis?",
        [
            "Bewohnerinnen und Bewohner, die in einer Bewohnerparkzone mit Hauptwohnsitz",
            "gemeldet sind und dort ein auf sie zugelassenes Fahrzeug halten oder ein Firmen-",
            "oder Leasingfahrzeug dauerhaft nutzen. Je Person wird ein Ausweis ausgestellt.",
        ],
    ),
    (
        "Unterlagen",
        [
            "Zulassungsbescheinigung Teil I (Fahrzeugschein); bei Firmenwagen eine",
            "Bescheinigung des Arbeitgebers über die private Nutzung, bei Leasingfahrzeugen",
            "der Leasingvertrag.",
        ],
    ),
    (
        "Gebühr und Gültigkeit",
        [
            "Die Gebühr beträgt 30,00 € für ein Jahr. Der Ausweis gilt nur in der",
            "angegebenen Zone und nur für das eingetragene Kennzeichen. Ein Umzug oder",
            "ein Fahrzeugwechsel ist dem Bürgerbüro unverzüglich mitzuteilen.",
        ],
    ),
    (
        "Hinweise zum Datenschutz (Art. 13 DSGVO)",
        [
            "Verantwortlich ist die Stadt Wiesenfeld, Der Bürgermeister, Marktplatz 1,",
            "29614 Wiesenfeld. Ihre Angaben werden zur Bearbeitung des Antrags verarbeitet",
            "(Art. 6 Abs. 1 lit. e DSGVO in Verbindung mit § 45 StVO) und nach Ablauf der",
            "Gültigkeit des Ausweises gelöscht, spätestens nach drei Jahren. Sie haben das",
            "Recht auf Auskunft, Berichtigung, Löschung und Einschränkung der Verarbeitung",
            "sowie auf Beschwerde bei der Landesbeauftragten für den Datenschutz.",
            "Datenschutzbeauftragte: datenschutz@wiesenfeld.example",
        ],
    ),
]


def page_two(c: canvas.Canvas) -> None:
    c.setFillColor(BLUE)
    c.setFont("Helvetica-Bold", 11)
    c.drawString(LEFT, 800, "Stadt Wiesenfeld")
    c.setFillColor(black)
    text(c, LEFT, 770, "Hinweise zum Antrag auf einen Bewohnerparkausweis", 13, bold=True)
    y = 740.0
    for heading, lines in NOTES:
        text(c, LEFT, y, heading, 10, bold=True)
        y -= 15
        for line in lines:
            text(c, LEFT, y, line, 9)
            y -= 12
        y -= 12
    footer(c, 2)


def footer(c: canvas.Canvas, page: int) -> None:
    small(c, LEFT, 38, "Stadt Wiesenfeld · Bewohnerparkausweis · Stand 01/2025", 7)
    small(c, RIGHT - 50, 38, f"Seite {page} von 2", 7)


# --------------------------------------------------------------------------- pypdf touch-ups


def amend(path: Path) -> None:
    """On-state /Ja for the check boxes, format actions, and the signature field."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(path))
    fields = {
        str(f.get_object()["/T"]): f.get_object()
        for f in writer.root_object["/AcroForm"]["/Fields"]
    }
    for name in ("Hauptwohnsitz", "Versand", "Richtigkeit", "Datenschutz"):
        rename_on_state(fields[name], "/Ja")
    add_actions(fields["Geburtsdatum"], DATE, DATE_KEYS)
    add_actions(fields["PLZ"], POSTCODE, POSTCODE_KEYS)
    add_signature(writer, "Unterschrift", SIGNATURE)
    with path.open("wb") as out:
        writer.write(out)


def rename_on_state(field: Any, state: str) -> None:
    """Rename reportlab's only on-state /Yes to `state` in /AP, /V and /AS."""
    from pypdf.generic import DictionaryObject, NameObject

    for key in ("/N", "/D", "/R"):
        old = field["/AP"].get(key)
        if old is None:
            continue
        renamed = DictionaryObject()
        for name, value in old.get_object().items():
            renamed[NameObject(state if name == "/Yes" else name)] = value
        field["/AP"][NameObject(key)] = renamed
    for key in ("/V", "/AS"):
        if field.get(key) == "/Yes":
            field[NameObject(key)] = NameObject(state)


def add_actions(field: Any, format_js: str, keystroke_js: str) -> None:
    """Acrobat's format (/F) and keystroke (/K) actions."""
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    def action(script: str) -> Any:
        return DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject(script),
            }
        )

    field[NameObject("/AA")] = DictionaryObject(
        {NameObject("/F"): action(format_js), NameObject("/K"): action(keystroke_js)}
    )


def add_signature(writer: Any, name: str, rect: list[float]) -> None:
    """An unsigned signature field (merged field and widget) on page 1."""
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        NumberObject,
        TextStringObject,
    )

    page = writer.pages[0]
    field = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/FT"): NameObject("/Sig"),
            NameObject("/T"): TextStringObject(name),
            NameObject("/TU"): TextStringObject("Unterschrift der antragstellenden Person"),
            NameObject("/Rect"): ArrayObject(FloatObject(v) for v in rect),
            NameObject("/F"): NumberObject(4),
            NameObject("/P"): page.indirect_reference,
        }
    )
    ref = writer._add_object(field)
    if "/Annots" not in page:
        page[NameObject("/Annots")] = ArrayObject()
    page["/Annots"].append(ref)
    writer.root_object["/AcroForm"]["/Fields"].append(ref)
    # Acrobat sets SigFlags 1 (SignaturesExist) only once signed; an empty field needs none.


def make(path: Path) -> Path:
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    c.setTitle(TITLE)
    c.setAuthor("Stadt Wiesenfeld")
    c.setSubject("Bewohnerparken")
    page_one(c)
    c.showPage()
    page_two(c)
    c.showPage()
    c.save()
    amend(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=OUT, help=f"default: {OUT.name}")
    args = parser.parse_args()
    path = make(args.out)
    print(f"Geschrieben: {path} ({path.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
