"""`formwerk check`: meta-schema validation plus the semantic checks of the README.

Every problem is a :class:`Problem` that prints as ``FILE: /json/pointer: message``.
The functions here never raise on bad input: unreadable files, bad JSON and unsupported
constructs all become problems.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, ValidationError
from jsonschema.exceptions import SchemaError
from pydantic import ValidationError as PydanticError

from form_definitions.authorities import AuthoritiesFile, Authority
from form_definitions.conditions import condition_nodes, parse_condition
from form_definitions.fields import (
    ACCEPTABLE_MEDIA_TYPES,
    ATTACHMENT_REF,
    ATTACHMENT_SCHEMA,
    UI_KEYS_FOR,
    WIDGETS,
    DefinitionError,
    Kind,
    choices,
    escape,
    is_attachment,
    kind_of,
    lookup_ref,
    resolve,
)
from form_definitions.validation import answer_validator

#: Keywords a property schema may use; anything else is a typo or unsupported.
FIELD_KEYWORDS = frozenset(
    {
        "$ref",
        "$comment",
        "title",
        "description",
        "type",
        "default",
        "readOnly",
        "const",
        "enum",
        "oneOf",
        "format",
        "minLength",
        "maxLength",
        "pattern",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "items",
        "minItems",
        "maxItems",
        "uniqueItems",
        "properties",
        "required",
        "additionalProperties",
        "dependentRequired",
        "allOf",
        "if",
        "then",
        "else",
        "examples",
        "x-ui",
        "x-errors",
        "x-pdf",
    }
)
ROOT_KEYWORDS = FIELD_KEYWORDS | {"$schema", "$id", "$defs", "x-service", "x-steps"}
OPTION_KEYWORDS = frozenset({"const", "title", "description", "$comment"})

# Property names become HTML names and ids and JSON pointers in error messages.
PROPERTY_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
# A "title" that is just a technical name: camelCase, snake_case or kebab-case.
TECHNICAL_NAME = re.compile(r"[a-z][a-z0-9]*(?:[A-Z][A-Za-z0-9]*)+|[a-z0-9]+(?:[_-][a-z0-9]+)+")


@dataclass(frozen=True, order=True)
class Problem:
    """One error found in a file."""

    file: str
    pointer: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.pointer or '/'}: {self.message}"


@lru_cache(maxsize=1)
def meta_validator() -> Draft202012Validator:
    """The validator for definition documents, built once from ``meta-schema.json``."""
    text = resources.files("form_definitions").joinpath("meta-schema.json").read_text("utf-8")
    return Draft202012Validator(json.loads(text))


def read_json(path: Path) -> tuple[Any, Problem | None]:
    """Read a JSON file, turning every failure into a one-line problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, Problem(str(path), "", "Datei nicht gefunden")
    except IsADirectoryError:
        return None, Problem(str(path), "", "ist ein Verzeichnis, keine Datei")
    except UnicodeDecodeError as exc:
        return None, Problem(str(path), "", f"kein UTF-8-Text (Byte {exc.start})")
    except OSError as exc:
        return None, Problem(str(path), "", f"Datei nicht lesbar: {exc.strerror}")
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, Problem(
            str(path), "", f"kein gültiges JSON: Zeile {exc.lineno}, Spalte {exc.colno}: {exc.msg}"
        )
    except RecursionError:
        return None, Problem(str(path), "", "kein gültiges JSON: zu tief verschachtelt")


# --------------------------------------------------------------------------- meta-schema


def _pointer(path: Iterable[Any]) -> str:
    return "".join(f"/{escape(str(part))}" for part in path)


def _meta_problem(file: str, error: ValidationError) -> Problem:
    """Word a meta-schema error in German, pointing at the offending place."""
    where = _pointer(error.absolute_path)
    instance, value, keyword = error.instance, error.validator_value, error.validator
    if keyword == "required" and isinstance(instance, Mapping):
        missing = [name for name in value if name not in instance]
        return Problem(file, where, f"Pflichtangabe '{missing[0]}' fehlt")
    if keyword == "additionalProperties" and isinstance(instance, Mapping):
        allowed = error.schema.get("properties", {})
        extra = sorted(set(instance) - set(allowed))
        return Problem(
            file,
            f"{where}/{escape(extra[0])}" if extra else where,
            f"unbekannter Schlüssel; erlaubt: {', '.join(sorted(allowed))}",
        )
    if keyword == "not" and isinstance(instance, str) and instance.startswith("x-"):
        # Raised through propertyNames: the instance is the key itself.
        return Problem(
            file,
            f"{where}/{escape(instance)}",
            f"unbekanntes Erweiterungs-Schlüsselwort '{instance}'; erlaubt: "
            "x-service, x-steps, x-ui, x-errors, x-pdf",
        )
    if keyword == "propertyNames" and isinstance(instance, str):
        return Problem(file, f"{where}/{escape(instance)}", f"unerlaubter Schlüssel '{instance}'")
    if keyword == "enum":
        options = ", ".join(json.dumps(v, ensure_ascii=False) for v in value)
        return Problem(
            file,
            where,
            f"{json.dumps(instance, ensure_ascii=False)} ist nicht erlaubt; erlaubt: {options}",
        )
    if keyword == "const":
        return Problem(file, where, f"muss {json.dumps(value, ensure_ascii=False)} sein")
    if keyword == "type":
        wanted = " oder ".join(value) if isinstance(value, list) else value
        return Problem(file, where, f"muss vom Typ {wanted} sein")
    if keyword == "pattern":
        return Problem(file, where, f"'{instance}' hat nicht die erwartete Form {value}")
    if keyword in ("minItems", "minProperties"):
        return Problem(file, where, f"braucht mindestens {value} Einträge")
    if keyword == "minLength":
        return Problem(file, where, f"braucht mindestens {value} Zeichen")
    if keyword in ("minimum", "maximum"):
        word = "mindestens" if keyword == "minimum" else "höchstens"
        return Problem(file, where, f"muss {word} {value} sein")
    return Problem(file, where, error.message)


def _meta_problems(file: str, doc: Any) -> list[Problem]:
    try:
        errors = sorted(meta_validator().iter_errors(doc), key=lambda e: list(e.absolute_path))
    except (SchemaError, RecursionError) as exc:  # pathological nesting or a broken $ref
        return [Problem(file, "", f"kein gültiges JSON Schema: {exc}")]
    problems = {_meta_problem(file, error) for error in errors}
    return sorted(problems)


# --------------------------------------------------------------------------- semantics


class _Checker:
    """Walks one definition document and collects problems."""

    def __init__(self, file: str, doc: dict[str, Any]) -> None:
        self.file = file
        self.doc = doc
        self.problems: list[Problem] = []

    def add(self, pointer: str, message: str) -> None:
        self.problems.append(Problem(self.file, pointer, message))

    def run(self) -> list[Problem]:
        self.check_refs(self.doc, "")
        self.check_keywords(self.doc, "", ROOT_KEYWORDS)
        self.check_object(self.doc, "")
        self.check_defs()
        self.check_steps()
        return self.problems

    # -- references and keywords

    def check_refs(self, node: Any, pointer: str) -> None:
        """Every $ref anywhere resolves (the later walk relies on it)."""
        if isinstance(node, Mapping):
            ref = node.get("$ref")
            if ref is not None:
                try:
                    lookup_ref(ref, self.doc)
                except DefinitionError as exc:
                    self.add(f"{pointer}/$ref", str(exc))
            for key, value in node.items():
                if key not in ("x-pdf", "default", "const", "examples", "enum"):
                    self.check_refs(value, f"{pointer}/{escape(str(key))}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                self.check_refs(value, f"{pointer}/{index}")

    def check_keywords(
        self, schema: Mapping[str, Any], pointer: str, allowed: frozenset[str] = FIELD_KEYWORDS
    ) -> None:
        for key in schema:
            if key not in allowed and not key.startswith("x-"):  # x-: the meta-schema's job
                self.add(
                    f"{pointer}/{escape(key)}",
                    f"unbekanntes oder nicht unterstütztes Schlüsselwort '{key}'",
                )

    # -- objects: root, groups, repeated groups, $defs blocks

    def check_object(self, obj: Mapping[str, Any], pointer: str) -> None:
        properties = obj.get("properties", {})
        if not isinstance(properties, Mapping):
            return
        for index, name in enumerate(obj.get("required", []) or []):
            if name not in properties:
                self.add(
                    f"{pointer}/required/{index}",
                    f"Pflichtfeld '{name}' ist nicht unter 'properties' definiert",
                )
        for name, needed in (obj.get("dependentRequired") or {}).items():
            where = f"{pointer}/dependentRequired/{escape(name)}"
            if name not in properties:
                self.add(where, f"'{name}' ist nicht unter 'properties' definiert")
            for index, other in enumerate(needed if isinstance(needed, list) else []):
                if other not in properties:
                    self.add(
                        f"{where}/{index}", f"'{other}' ist nicht unter 'properties' definiert"
                    )
        self.check_conditions(obj, pointer)
        for name, schema in properties.items():
            if not PROPERTY_NAME.fullmatch(name):
                self.add(
                    f"{pointer}/properties/{escape(name)}",
                    f"Feldname '{name}' ist ungültig: erlaubt sind Buchstaben, Ziffern und _, "
                    "beginnend mit einem Buchstaben (der Name wird Teil von URLs und HTML)",
                )
            if isinstance(schema, Mapping):
                self.check_field(name, schema, f"{pointer}/properties/{escape(name)}")

    def check_conditions(self, obj: Mapping[str, Any], pointer: str) -> None:
        properties = obj.get("properties", {})
        required = set(obj.get("required", []) or [])
        for suffix, node in condition_nodes(obj):
            where = pointer + suffix
            try:
                condition = parse_condition(node)
            except DefinitionError as exc:
                self.add(where, f"Bedingung nicht unterstützt: {exc}")
                continue
            trigger = properties.get(condition.trigger)
            if not isinstance(trigger, Mapping):
                self.add(
                    f"{where}/if/properties/{escape(condition.trigger)}",
                    f"Auslöser '{condition.trigger}' ist kein Feld dieses Objekts",
                )
            else:
                self.check_trigger(
                    condition.operator,
                    condition.value,
                    trigger,
                    f"{where}/if/properties/{escape(condition.trigger)}",
                )
            for branch, names in (("then", condition.then), ("else", condition.otherwise)):
                for index, name in enumerate(names):
                    at = f"{where}/{branch}/required/{index}"
                    if name not in properties:
                        self.add(at, f"'{name}' ist kein Feld dieses Objekts")
                    elif name == condition.trigger:
                        self.add(at, f"'{name}' kann nicht von sich selbst abhängen")
                    elif name in required:
                        self.add(
                            at,
                            f"'{name}' ist bedingt, steht aber auch im 'required' des "
                            "Objekts und wäre so immer Pflicht und immer sichtbar",
                        )

    def check_trigger(
        self, operator: str, value: Any, schema: Mapping[str, Any], pointer: str
    ) -> None:
        try:
            kind = kind_of(schema, self.doc)
        except DefinitionError:
            return  # reported where the field itself is checked
        if operator == "contains":
            if kind is not Kind.MULTI_CHOICE:
                self.add(pointer, "'contains' geht nur bei Mehrfachauswahl-Feldern")
                return
            options = choices(resolve(resolve(schema, self.doc)["items"], self.doc))
        elif kind is Kind.BOOLEAN:
            if not isinstance(value, bool):
                self.add(pointer, "ein Ja/Nein-Feld wird mit true oder false geprüft")
            return
        elif kind is Kind.CHOICE:
            options = choices(resolve(schema, self.doc))
        else:
            self.add(
                pointer,
                "Auslöser einer Bedingung muss ein Auswahl-, Mehrfachauswahl- "
                f"oder Ja/Nein-Feld sein, nicht {kind.value}",
            )
            return
        if value not in [option.value for option in options]:
            self.add(
                pointer, f"{json.dumps(value, ensure_ascii=False)} ist keine Option des Auslösers"
            )

    # -- fields

    def check_field(self, name: str, schema: Mapping[str, Any], pointer: str) -> None:
        self.check_keywords(schema, pointer)
        try:
            kind = kind_of(schema, self.doc)
        except DefinitionError as exc:
            self.add(pointer, str(exc))
            return
        resolved = dict(schema) if is_attachment(schema) else resolve(schema, self.doc)
        self.check_title(name, resolved.get("title"), pointer)
        self.check_ui(kind, resolved.get("x-ui", {}), pointer)
        self.check_constraints(resolved, pointer)
        if kind in (Kind.CHOICE, Kind.MULTI_CHOICE):
            if kind is Kind.CHOICE:
                self.check_options(resolved, pointer)
            elif "$ref" not in (resolved.get("items") or {}):
                self.check_options(resolved["items"], f"{pointer}/items")
        if "$ref" in schema:
            return  # the block is checked where it is defined, under $defs
        if kind is Kind.GROUP:
            self.check_object(schema, pointer)
        elif kind is Kind.REPEAT and "$ref" not in schema["items"]:
            self.check_keywords(schema["items"], f"{pointer}/items")
            self.check_object(schema["items"], f"{pointer}/items")

    def check_title(self, name: str, title: Any, pointer: str) -> None:
        if not isinstance(title, str) or not title.strip():
            self.add(pointer, f"Feld '{name}' braucht einen deutschen Titel ('title')")
        elif title.strip() == name or TECHNICAL_NAME.fullmatch(title.strip()):
            self.add(
                f"{pointer}/title",
                f"Titel '{title}' ist ein technischer Name; "
                "geben Sie eine deutsche Beschriftung an",
            )

    def check_ui(self, kind: Kind, ui: Mapping[str, Any], pointer: str) -> None:
        if not isinstance(ui, Mapping):
            return
        widget = ui.get("widget")
        if widget is not None and widget not in WIDGETS[kind]:
            fitting = ", ".join(WIDGETS[kind]) or "keins"
            self.add(
                f"{pointer}/x-ui/widget",
                f"Widget '{widget}' passt nicht zu einem Feld der Art {kind.value} "
                f"(passend: {fitting})",
            )
        for key, kinds in UI_KEYS_FOR.items():
            if key in ui and kind not in kinds:
                self.add(
                    f"{pointer}/x-ui/{key}", f"'{key}' gilt nicht für ein Feld der Art {kind.value}"
                )
        for index, media_type in enumerate(ui.get("accept", []) or []):
            if media_type not in ACCEPTABLE_MEDIA_TYPES:
                self.add(
                    f"{pointer}/x-ui/accept/{index}",
                    f"Dateityp '{media_type}' wird nicht unterstützt (unterstützt: "
                    f"{', '.join(sorted(ACCEPTABLE_MEDIA_TYPES))})",
                )
        if "rows" in ui and (widget or "text") != "textarea":
            self.add(f"{pointer}/x-ui/rows", "'rows' gilt nur mit dem Widget 'textarea'")

    def check_constraints(self, schema: Mapping[str, Any], pointer: str) -> None:
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            try:
                re.compile(pattern)
            except re.error as exc:
                self.add(f"{pointer}/pattern", f"regulärer Ausdruck ungültig: {exc}")
        for low, high in (
            ("minLength", "maxLength"),
            ("minimum", "maximum"),
            ("minItems", "maxItems"),
        ):
            lower, upper = schema.get(low), schema.get(high)
            if isinstance(lower, int | float) and isinstance(upper, int | float) and lower > upper:
                self.add(f"{pointer}/{low}", f"'{low}' ist größer als '{high}'")
        if "default" in schema and not self.accepts(schema, schema["default"]):
            self.add(f"{pointer}/default", "der Standardwert ist selbst keine gültige Antwort")

    def accepts(self, schema: Mapping[str, Any], value: Any) -> bool:
        sub = {k: v for k, v in schema.items() if k != "default"}
        try:
            return answer_validator({**sub, "$defs": self.doc.get("$defs", {})}).is_valid(value)
        except Exception:  # a broken sub-schema is reported by the other checks
            return True

    def check_options(self, schema: Mapping[str, Any], pointer: str) -> None:
        if "oneOf" not in schema:
            return
        seen: set[str] = set()
        for index, option in enumerate(schema["oneOf"]):
            at = f"{pointer}/oneOf/{index}"
            self.check_keywords(option, at, OPTION_KEYWORDS)
            if not isinstance(option.get("title"), str) or not option["title"].strip():
                self.add(at, "Option braucht einen 'title' (den angezeigten Text)")
            key = json.dumps(option.get("const"))
            if key in seen:
                self.add(f"{at}/const", f"Wert {key} kommt mehrfach vor")
            seen.add(key)

    # -- $defs and steps

    def check_defs(self) -> None:
        defs = self.doc.get("$defs", {})
        if not isinstance(defs, Mapping):
            return
        uses_files = '"' + ATTACHMENT_REF + '"' in json.dumps(self.doc.get("properties", {}))
        if "attachment" in defs and defs["attachment"] != ATTACHMENT_SCHEMA:
            self.add(
                "/$defs/attachment",
                "weicht vom Standard-Schema für Anhänge ab "
                "(siehe form_definitions/README.md, 'Files')",
            )
        elif uses_files and "attachment" not in defs:
            self.add("/$defs", "Dateifelder brauchen '$defs/attachment' (Standard-Schema)")
        for name, schema in defs.items():
            if name == "attachment" or not isinstance(schema, Mapping):
                continue
            pointer = f"/$defs/{escape(name)}"
            self.check_keywords(schema, pointer)
            if schema.get("type") == "object":
                self.check_object(schema, pointer)
            else:
                try:
                    kind_of(schema, self.doc)
                except DefinitionError as exc:
                    self.add(pointer, str(exc))

    def check_steps(self) -> None:
        steps = self.doc.get("x-steps")
        properties = self.doc.get("properties", {})
        if not isinstance(steps, list) or not isinstance(properties, Mapping):
            return
        placed: dict[str, int] = {}
        step_ids: set[str] = set()
        for s_index, step in enumerate(steps):
            if not isinstance(step, Mapping):
                continue
            if step.get("id") in step_ids:
                self.add(f"/x-steps/{s_index}/id", f"Schritt-ID '{step['id']}' kommt mehrfach vor")
            step_ids.add(step.get("id"))
            for p_index, name in enumerate(step.get("properties", [])):
                at = f"/x-steps/{s_index}/properties/{p_index}"
                if name not in properties:
                    self.add(at, f"'{name}' ist kein Feld der obersten Ebene")
                elif name in placed:
                    self.add(at, f"'{name}' steht schon in Schritt {placed[name] + 1}")
                else:
                    placed[name] = s_index
        for name in properties:
            if name not in placed:
                self.add(f"/properties/{escape(name)}", f"Feld '{name}' steht in keinem Schritt")


def check_document(doc: Any, file: str) -> list[Problem]:
    """All problems of one definition document (without cross-file checks)."""
    if not isinstance(doc, dict):
        what = {list: "kein Array", str: "keine Zeichenkette"}.get(type(doc), "kein Einzelwert")
        return [Problem(file, "", f"eine Definition muss ein JSON-Objekt sein, {what}")]
    problems = _meta_problems(file, doc)
    if problems:
        # Semantic checks assume the shape the meta-schema guarantees.
        return problems
    try:
        return _Checker(file, doc).run()
    except RecursionError:
        return [Problem(file, "", "zu tief verschachtelt")]


# --------------------------------------------------------------------------- files


def load_authorities(path: Path) -> tuple[dict[str, Authority], list[Problem]]:
    """Read and check ``authorities.json``: shape, unique ids and prefixes, parents."""
    doc, problem = read_json(path)
    if problem:
        return {}, [problem]
    try:
        parsed = AuthoritiesFile.model_validate(doc)
    except PydanticError as exc:
        return {}, [Problem(str(path), _pointer(err["loc"]), err["msg"]) for err in exc.errors()]
    problems: list[Problem] = []
    authorities: dict[str, Authority] = {}
    prefixes: set[str] = set()
    for index, authority in enumerate(parsed.authorities):
        if authority.id in authorities:
            problems.append(
                Problem(
                    str(path),
                    f"/authorities/{index}/id",
                    f"Behörden-ID '{authority.id}' kommt mehrfach vor",
                )
            )
        if authority.referencePrefix in prefixes:
            problems.append(
                Problem(
                    str(path),
                    f"/authorities/{index}/referencePrefix",
                    f"Präfix '{authority.referencePrefix}' kommt mehrfach vor",
                )
            )
        prefixes.add(authority.referencePrefix)
        authorities[authority.id] = authority
    for index, authority in enumerate(parsed.authorities):
        if authority.parent is not None and authority.parent not in authorities:
            problems.append(
                Problem(
                    str(path),
                    f"/authorities/{index}/parent",
                    f"übergeordnete Behörde '{authority.parent}' unbekannt",
                )
            )
    return authorities, problems


def check_files(
    paths: Iterable[Path], authorities: Mapping[str, Authority]
) -> tuple[dict[Path, dict[str, Any]], list[Problem]]:
    """Check definition files together; return the sound documents and all problems."""
    problems: list[Problem] = []
    sound: dict[Path, dict[str, Any]] = {}
    owners: dict[str, Path] = {}
    for path in paths:
        doc, problem = read_json(path)
        if problem:
            problems.append(problem)
            continue
        found = check_document(doc, str(path))
        meta = doc.get("x-service") if isinstance(doc, dict) else None
        if isinstance(meta, Mapping):
            service_id, authority = meta.get("id"), meta.get("authority")
            if isinstance(service_id, str):
                if service_id in owners:
                    found.append(
                        Problem(
                            str(path),
                            "/x-service/id",
                            f"Dienst-ID '{service_id}' ist schon vergeben ({owners[service_id]})",
                        )
                    )
                else:
                    owners[service_id] = path
            if isinstance(authority, str) and authority not in authorities:
                known = ", ".join(sorted(authorities)) or "keine"
                found.append(
                    Problem(
                        str(path),
                        "/x-service/authority",
                        f"Behörde '{authority}' gibt es im Portal nicht (bekannt: {known})",
                    )
                )
        problems.extend(found)
        if not found:
            sound[path] = doc
    return sound, problems
