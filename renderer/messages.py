"""Validation with German messages per keyword that name the field by its title.

Used by the form flow (one step at a time, then the whole application) and by the JSON
API, so a citizen and an integration get the same wording. A field's ``x-errors`` replaces
the default text for a keyword; ``required`` there also covers fields that a condition or
``dependentRequired`` makes required.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from jsonschema import ValidationError

from form_definitions.conditions import prune_hidden
from form_definitions.definition import ServiceDefinition
from form_definitions.fields import DefinitionError, Kind, is_attachment, kind_of, resolve
from renderer.paths import Path

# Keywords whose errors point at the object that misses a property.
_MISSING = ("required", "dependentRequired")


@dataclass(frozen=True)
class FieldError:
    """One message for one field."""

    path: Path
    keyword: str
    message: str  # shown at the field
    entry: str = ""  # "Hund 2" for a field inside a repeatable group

    @property
    def summary(self) -> str:
        """The text for the error summary, which also names the entry ("Hund 2: …")."""
        return f"{self.entry}: {self.message}" if self.entry else self.message


@dataclass(frozen=True)
class _Located:
    path: Path
    schema: dict[str, Any]  # the field's resolved schema
    kind: Kind | None
    item: tuple[str, int] | None  # (item label, number) when inside a repeatable group


def _number(value: float | int) -> str:
    text = f"{value:,}".replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    return text


def _q(text: str) -> str:
    return f"„{text}“"


def _locate(root: Mapping[str, Any], path: Path) -> _Located:
    """Walk the schema along a data path, stopping at the field that owns the error."""
    schema: dict[str, Any] = dict(root)
    kind: Kind | None = None
    item: tuple[str, int] | None = None
    walked: list[str | int] = []
    for part in path:
        if kind in (Kind.GROUP, None) and isinstance(part, str):
            properties = schema.get("properties", {})
            if part not in properties:
                break
            raw = properties[part]
            try:
                kind = kind_of(raw, root)
            except DefinitionError:
                kind = None
            schema = dict(raw) if is_attachment(raw) else resolve(raw, root)
        elif kind is Kind.REPEAT and isinstance(part, int):
            ui = schema.get("x-ui", {})
            items = resolve(schema["items"], root)
            label = ui.get("itemLabel") or items.get("title") or schema.get("title", "Eintrag")
            item = (label.replace("{n}", "").strip(), part + 1)
            schema, kind = items, Kind.GROUP
        else:
            break  # inside a leaf (a file ref, a multiple-choice entry): the field owns it
        walked.append(part)
    return _Located(tuple(walked), schema, kind, item)


def _missing(error: ValidationError) -> Iterator[str]:
    """The property names a required/dependentRequired error is about."""
    instance = error.instance if isinstance(error.instance, Mapping) else {}
    if error.validator == "required":
        yield from (name for name in error.validator_value if name not in instance)
    else:
        for name, needed in error.validator_value.items():
            if name in instance:
                yield from (other for other in needed if other not in instance)


def default_message(keyword: str, value: Any, located: _Located, instance: Any) -> str:
    """The German default text for a keyword's error on a field."""
    schema, kind = located.schema, located.kind
    label = _q(str(schema.get("title", "Dieses Feld")))
    if keyword == "required":
        return {
            Kind.CHOICE: f"Wählen Sie bei {label} eine Antwort aus.",
            Kind.MULTI_CHOICE: f"Wählen Sie bei {label} mindestens eine Antwort aus.",
            Kind.BOOLEAN: f"Wählen Sie bei {label} „Ja“ oder „Nein“ aus.",
            Kind.FILE: f"Laden Sie {label} hoch.",
            Kind.FILES: f"Laden Sie {label} hoch.",
            Kind.GROUP: f"Machen Sie Angaben zu {label}.",
            Kind.REPEAT: f"Machen Sie Angaben zu {label}.",
        }.get(kind, f"Geben Sie {label} an.")
    if keyword == "const":
        if value is True:
            return f"Setzen Sie das Häkchen bei {label}, um fortzufahren."
        return f"{label} muss „{value}“ sein."
    if keyword in ("enum", "oneOf"):
        return f"Wählen Sie bei {label} eine der angebotenen Antworten aus."
    if keyword == "minLength":
        return f"{label} muss mindestens {value} Zeichen lang sein."
    if keyword == "maxLength":
        return f"{label} darf höchstens {value} Zeichen lang sein."
    if keyword == "pattern":
        return f"{label} hat nicht das erwartete Format."
    if keyword == "format":
        if value == "date":
            return f"{label} muss ein gültiges Datum sein, zum Beispiel 17.3.1990."
        return (
            f"Geben Sie bei {label} eine E-Mail-Adresse im richtigen Format an, "
            "zum Beispiel name@beispiel.de."
        )
    if keyword == "type":
        if value == "integer":
            return f"{label} muss eine ganze Zahl sein."
        if value == "number":
            return f"{label} muss eine Zahl sein."
        return f"{label} hat einen ungültigen Wert."
    if keyword == "minimum":
        return f"{label} muss mindestens {_number(value)} sein."
    if keyword == "maximum":
        return f"{label} darf höchstens {_number(value)} sein."
    if keyword == "exclusiveMinimum":
        return f"{label} muss größer als {_number(value)} sein."
    if keyword == "exclusiveMaximum":
        return f"{label} muss kleiner als {_number(value)} sein."
    if keyword == "multipleOf":
        if value == 0.01:
            return f"{label} darf höchstens zwei Nachkommastellen haben."
        return f"{label} muss ein Vielfaches von {_number(value)} sein."
    if keyword in ("minItems", "maxItems"):
        word = "mindestens" if keyword == "minItems" else "höchstens"
        one = value == 1
        if kind is Kind.REPEAT:
            return f"Geben Sie bei {label} {word} {value} {'Eintrag' if one else 'Einträge'} an."
        if kind is Kind.FILES:
            return f"Laden Sie bei {label} {word} {value} {'Datei' if one else 'Dateien'} hoch."
        return f"Wählen Sie bei {label} {word} {value} {'Antwort' if one else 'Antworten'} aus."
    if keyword == "uniqueItems":
        return f"Bei {label} ist jede Antwort nur einmal möglich."
    if keyword == "attachment":
        return (
            f"{label} verweist nicht auf eine hochgeladene Datei. Laden Sie die Datei erneut hoch."
        )
    if keyword == "additionalProperties":
        return f"Die Angabe „{instance}“ gibt es in diesem Formular nicht."
    return f"{label} ist ungültig."


def _message(keyword: str, value: Any, located: _Located, instance: Any) -> str:
    own = located.schema.get("x-errors", {})
    key = {"oneOf": "enum", "dependentRequired": "required"}.get(keyword, keyword)
    text = own.get(key) or default_message(keyword, value, located, instance)
    return text


def _entry(located: _Located) -> str:
    return f"{located.item[0]} {located.item[1]}" if located.item else ""


def validate(definition: ServiceDefinition, data: Mapping[str, Any]) -> list[FieldError]:
    """Every error of an application, hidden conditional fields dropped first, one per field.

    Errors come in document order of the fields, so the error summary reads like the page.
    """
    root = definition.schema
    pruned = prune_hidden(root, root, data) if definition.conditional else data
    if definition.answer_check.is_valid_fast(pruned):
        return []  # confirmed valid: python-jsonschema would find no error either
    found: dict[Path, FieldError] = {}
    for error in definition.validator.iter_errors(pruned):
        base = tuple(error.absolute_path)
        if error.validator in _MISSING:
            for name in _missing(error):
                located = _locate(root, (*base, name))
                keyword = "required"
                if located.kind in (Kind.FILE, Kind.FILES) and located.path != (*base, name):
                    keyword = "attachment"  # a reference with parts missing
                found.setdefault(
                    located.path,
                    FieldError(
                        located.path,
                        keyword,
                        _message(keyword, None, located, None),
                        _entry(located),
                    ),
                )
        elif error.validator == "additionalProperties":
            extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            for name in extra:
                path = (*base, name)
                located = _Located(path, {}, None, None)
                found.setdefault(
                    path,
                    FieldError(
                        path,
                        "additionalProperties",
                        _message("additionalProperties", None, located, name),
                    ),
                )
        else:
            located = _locate(root, base)
            keyword = str(error.validator)
            if located.kind in (Kind.FILE, Kind.FILES) and located.path != base:
                keyword = "attachment"  # inside a reference: not something a citizen typed
            found.setdefault(
                located.path,
                FieldError(
                    located.path,
                    keyword,
                    _message(keyword, error.validator_value, located, error.instance),
                    _entry(located),
                ),
            )
    order = {path: index for index, path in enumerate(_document_order(definition, pruned))}
    return sorted(found.values(), key=lambda e: (order.get(e.path, len(order)), e.path.__repr__()))


def _document_order(definition: ServiceDefinition, data: Any) -> list[Path]:
    """Field paths in the order the form shows them: steps, then schema order."""
    root = definition.schema
    paths: list[Path] = []

    def walk(obj: Mapping[str, Any], value: Any, prefix: Path, names: tuple[str, ...]) -> None:
        for name in names:
            raw = obj.get("properties", {}).get(name)
            if raw is None:
                continue
            path = (*prefix, name)
            paths.append(path)
            try:
                kind = kind_of(raw, root)
            except DefinitionError:
                continue
            sub = value.get(name) if isinstance(value, Mapping) else None
            if kind is Kind.GROUP:
                group = resolve(raw, root)
                walk(group, sub, path, tuple(group.get("properties", {})))
            elif kind is Kind.REPEAT:
                items = resolve(resolve(raw, root)["items"], root)
                for index, entry in enumerate(sub if isinstance(sub, list) else []):
                    walk(items, entry, (*path, index), tuple(items.get("properties", {})))

    for step in definition.steps:
        walk(root, data, (), step.properties)
    return paths


def step_errors(
    definition: ServiceDefinition, data: Mapping[str, Any], names: tuple[str, ...]
) -> list[FieldError]:
    """The errors that belong to the given top-level properties (one step's fields)."""
    return [e for e in validate(definition, data) if e.path and e.path[0] in names]
