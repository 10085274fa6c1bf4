"""The fast answer check (jsonschema-rs) gives python-jsonschema's verdict, exactly.

``AnswerCheck.is_valid_fast`` may only say "valid" where python-jsonschema says so too.
Because conditions (``if``, ``not``, ``oneOf``) turn a stricter subschema into a more
lenient whole, these tests ask for more: on plain JSON data the Rust verdict *equals* the
python verdict, on valid and invalid data alike.
"""

from __future__ import annotations

import copy
import json
from collections import OrderedDict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, validators

import form_definitions.validation as validation
from form_definitions.catalogue import Catalogue, default_forms_dir
from form_definitions.conditions import prune_hidden
from form_definitions.definition import ServiceDefinition
from form_definitions.validation import AnswerCheck, AnswerValidator, _plain
from renderer.messages import validate
from tests.renderer import thirty_fields
from tests.renderer.strategies import object_value

CATALOGUE = Catalogue.load(default_forms_dir())
SERVICES = sorted(CATALOGUE.services)
ANSWERS = Path(__file__).resolve().parent.parent / "data" / "answers"
DRAFT = "https://json-schema.org/draft/2020-12/schema"


def sample(service_id: str) -> dict[str, Any]:
    return json.loads((ANSWERS / f"{service_id}.json").read_text(encoding="utf-8"))


def same_verdict(check: AnswerCheck, data: Any) -> bool:
    """Assert the fast verdict equals python's and return python's."""
    expected = check.full.is_valid(data)
    fast = check.is_valid_fast(data)
    if _plain(data):
        assert check.fast is not None
        assert fast == check.fast.is_valid(data) == expected, data
    else:
        assert fast is False, data  # not plain JSON: python decides
    assert check.is_valid(data) == expected
    return expected


def check_for(schema: dict[str, Any]) -> AnswerCheck:
    return AnswerCheck({"$schema": DRAFT, **schema})


# -- mutations of the sample answers ------------------------------------------------

TRICKY: list[Any] = [
    # dates: impossible days, other spellings
    "2023-02-31",
    "2024-02-29",
    "2023-02-29",
    "1990-03-17",
    "1990-3-17",
    "17.03.1990",
    "1990-03-17\n",
    "١٩٩٠-٠٣-١٧",
    # e-mail addresses with and without @
    "name@beispiel.de",
    "name.beispiel.de",
    "@",
    # pattern edges: trailing newline ($ in Python), Arabic-Indic digits (\d), case
    "29614",
    "29614\n",
    "\n29614",
    "٢٩٦١٤",
    "2961",
    "HRA 201234",
    "HRA 201234\n",
    "hra 201234",
    "DE02120300000000202051",
    "DE02 1203 0000 0000 2020 51\n",
    "24/123/45678",
    "05191 12345",
    "123456789012345",
    "١٢٣٤٥٦٧٨٩٠١٢٣٤٥",
    "WSF-AB 123",
    "WSF-AB 123\n",
    "att_" + "a" * 16,
    "att_" + "a" * 16 + "\n",
    "0" * 64,
    "0" * 64 + "\n",
    # lengths in code points
    "",
    " ",
    "x" * 101,
    "x" * 256,
    "ä" * 100,
    "😀" * 100,
    "e\u0301" * 50,
    # numbers: decimal multipleOf, integer-valued floats, booleans
    True,
    False,
    0,
    1,
    -1,
    2,
    3,
    4,
    1.0,
    2.0,
    0.0,
    -0.0,
    1.5,
    2.5,
    0.1,
    0.3,
    0.5,
    0.7,
    1234.56,
    685.5,
    685.505,
    1e300,
    2**53,
    2**53 + 1,
    10**20,
    # other shapes
    None,
    [],
    {},
    [1],
    ["handwerk"],
    ["handwerk", "handwerk"],
    ["sonstiges"],
    {"id": "att_" + "b" * 16},
]


def consts(schema: Any) -> list[Any]:
    """Every const/enum value of a definition, with 1/1.0/True-style twins."""
    found: list[Any] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "const":
                    found.append(value)
                elif key == "enum" and isinstance(value, list):
                    found.extend(value)
                if not key.startswith("x-"):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(schema)
    twins: list[Any] = []
    for value in found:
        if value is True:
            twins += [1, 1.0, "true"]
        elif value is False:
            twins += [0, 0.0, "false"]
        elif isinstance(value, int):
            twins += [float(value), value == 1, str(value)]
        elif isinstance(value, str):
            twins += [value + "\n", value.upper(), [value], [value, value]]
    return found + twins


def containers(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths of every dict and list inside ``data`` (the root included)."""
    found = [path] if isinstance(data, dict | list) else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += containers(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += containers(value, (*path, index))
    return found


def at(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any], pool: list[Any]) -> dict[str, Any]:
    """``base`` with one to four mutations: drop, replace, add, grow a list."""
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        target = at(data, draw(st.sampled_from(containers(data))))
        action = draw(st.sampled_from(["drop", "replace", "replace", "add", "append"]))
        value = copy.deepcopy(draw(st.sampled_from(pool)))
        if isinstance(target, dict):
            names = sorted(target)
            if action == "add" or not names:
                target[draw(st.sampled_from(["unbekannt", *names]))] = value
            elif action == "drop":
                del target[draw(st.sampled_from(names))]
            else:
                target[draw(st.sampled_from(names))] = value
        elif action == "drop" and target:
            del target[draw(st.integers(0, len(target) - 1))]
        elif action == "replace" and target:
            target[draw(st.integers(0, len(target) - 1))] = value
        else:
            target.append(value)
    return data


@pytest.mark.parametrize("service_id", SERVICES)
def test_samples_are_confirmed_by_the_fast_path(service_id: str) -> None:
    definition = CATALOGUE.services[service_id]
    data = sample(service_id)
    assert definition.answer_check.is_valid_fast(data)
    assert same_verdict(definition.answer_check, data)


@pytest.mark.parametrize("service_id", SERVICES)
def test_mutated_samples_get_the_python_verdict(service_id: str) -> None:
    definition = CATALOGUE.services[service_id]
    check = definition.answer_check
    pool = TRICKY + consts(definition.schema)
    verdicts: list[bool] = []

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=mutated(sample(service_id), pool))
    def run(data: dict[str, Any]) -> None:
        verdicts.append(same_verdict(check, data))
        verdicts.append(
            same_verdict(check, prune_hidden(definition.schema, definition.schema, data))
        )

    run()
    assert True in verdicts and False in verdicts  # both kinds were really compared


@pytest.mark.parametrize("service_id", SERVICES)
def test_generated_answers_get_the_python_verdict(service_id: str) -> None:
    definition = CATALOGUE.services[service_id]
    check = definition.answer_check

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=object_value(definition.schema, definition.schema))
    def run(data: dict[str, Any]) -> None:
        same_verdict(check, data)
        same_verdict(check, prune_hidden(definition.schema, definition.schema, data))

    run()


@pytest.mark.parametrize("service_id", SERVICES)
def test_messages_are_unchanged_by_the_fast_path(service_id: str) -> None:
    """``validate`` with the fast path gives the list it gives without it."""
    with_fast = CATALOGUE.services[service_id]
    without = ServiceDefinition(with_fast.schema)
    without.answer_check.fast = None  # python-jsonschema alone, as before

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=mutated(sample(service_id), TRICKY + consts(with_fast.schema)))
    def run(data: dict[str, Any]) -> None:
        assert validate(with_fast, data) == validate(without, data)

    run()
    assert validate(with_fast, sample(service_id)) == []


# -- the edges, one by one ------------------------------------------------------------


@pytest.mark.parametrize(
    ("schema", "value", "valid"),
    [
        # pattern: Python's re.search, not ECMA-262
        ({"pattern": "^[0-9]{5}$"}, "29614", True),
        ({"pattern": "^[0-9]{5}$"}, "29614\n", True),  # $ matches before a final newline
        ({"pattern": "^[0-9]{5}$"}, "29614\n\n", False),
        ({"pattern": "^\\d{5}$"}, "٢٩٦١٤", True),  # \d is Unicode in Python
        ({"pattern": "^[0-9]{5}$"}, "٢٩٦١٤", False),
        ({"pattern": "\\w+"}, "äöü", True),
        ({"pattern": "[0-9]"}, "abc1def", True),  # search, not match
        ({"pattern": "^a"}, 5, True),  # other types pass
        ({"not": {"pattern": "^[0-9]{5}$"}}, "29614\n", False),
        ({"not": {"pattern": "^\\d+$"}}, "٢٩", False),
        # format: python's FORMAT_CHECKER
        ({"format": "date"}, "1990-03-17", True),
        ({"format": "date"}, "2023-02-31", False),
        ({"format": "date"}, "2024-02-29", True),
        ({"format": "date"}, "2023-02-29", False),
        ({"format": "date"}, "1990-3-17", False),
        ({"format": "date"}, "١٩٩٠-٠٣-١٧", False),
        ({"format": "date"}, 19900317, True),  # not a string: passes
        ({"format": "email"}, "name@beispiel.de", True),
        ({"format": "email"}, "name.beispiel.de", False),
        ({"format": "email"}, "@", True),  # python only asks for an @
        ({"format": "iri"}, "kein iri", None),  # whatever python's checker knows here
        ({"format": "gibt-es-nicht"}, "x", True),  # unknown formats pass
        ({"not": {"format": "gibt-es-nicht"}}, "x", False),
        ({"not": {"format": "iri"}}, "kein iri", None),
        ({"not": {"format": "date"}}, "2023-02-31", True),
        # multipleOf: decimal arithmetic
        ({"multipleOf": 0.01}, 1234.56, True),
        ({"multipleOf": 0.01}, 1234.567, False),
        ({"multipleOf": 0.01}, 0.07, True),
        ({"multipleOf": 0.1}, 0.3, True),
        ({"multipleOf": 0.3}, 0.9, True),
        ({"multipleOf": 0.3}, 0.1, False),
        ({"multipleOf": 0.5}, 2.5, True),
        ({"multipleOf": 0.5}, 2, True),
        ({"multipleOf": 0.5}, True, True),  # booleans are not numbers
        ({"not": {"multipleOf": 0.01}}, 1234.56, False),
        ({"not": {"multipleOf": 0.1}}, 0.3, False),
        # const and enum: 1 == 1.0, True != 1
        ({"const": 1}, 1.0, True),
        ({"const": 1}, True, False),
        ({"const": True}, 1, False),
        ({"const": False}, 0, False),
        ({"const": 0}, -0.0, True),
        ({"const": [1]}, [True], False),
        ({"const": [1]}, [1.0], True),
        ({"const": {"a": 1}}, {"a": 1.0}, True),
        ({"const": {"a": 1}}, {"a": True}, False),
        ({"const": "ä"}, "a\u0308", False),  # no normalisation
        ({"enum": [1, 2, 3]}, 2.0, True),
        ({"enum": [1, 2, 3]}, True, False),
        ({"enum": [True, "x"]}, 1, False),
        ({"not": {"const": 1}}, True, True),
        ({"not": {"enum": [1, 2]}}, 1.0, False),
        # integer: 1.0 is one, 1.5 and True are not
        ({"type": "integer"}, 1.0, True),
        ({"type": "integer"}, -0.0, True),
        ({"type": "integer"}, 1e300, True),
        ({"type": "integer"}, 1.5, False),
        ({"type": "integer"}, True, False),
        ({"type": "number"}, False, False),
        ({"type": "array"}, {}, False),
        ({"type": ["string", "null"]}, None, True),
        ({"not": {"type": "integer"}}, 2.0, False),
        ({"minimum": 5}, True, True),  # not a number: passes
        ({"maximum": 9007199254740992}, 9007199254740992, True),
        ({"exclusiveMaximum": 1}, 0.9999999999999999, True),
        ({"exclusiveMinimum": 0}, -0.0, False),
        # lengths in code points
        ({"maxLength": 1}, "😀", True),
        ({"maxLength": 1}, "e\u0301", False),
        ({"minLength": 2}, "😀", False),
        ({"maxLength": 3}, "äöü", True),
        ({"not": {"maxLength": 1}}, "😀", False),
        # annotations and x-... keys are ignored
        ({"x-errors": {"enum": "Nein"}, "x-ui": {"widget": "radio"}, "title": "T"}, 5, True),
        ({"x-schema": {"type": "integer"}, "description": "D", "default": 3}, "a", True),
        ({"readOnly": True, "examples": [1], "$comment": "c"}, "a", True),
        # uniqueItems with python's equality
        ({"uniqueItems": True}, [1, True], True),
        ({"uniqueItems": True}, [1, 1.0], False),
        ({"uniqueItems": True}, [[1], [True]], True),
        ({"uniqueItems": True}, [{"a": 1}, {"a": 1.0}], False),
        ({"uniqueItems": True}, ["a", "b", "a"], False),
        # applicators
        ({"then": False, "else": False}, 1, True),  # without if: ignored
        ({"if": {"pattern": "^x$"}, "then": {"maxLength": 0}}, "x\n", False),
        ({"if": {"pattern": "^x$"}, "else": False}, "x\n", True),
        ({"if": {"format": "date"}, "then": False}, "2023-02-31", True),
        ({"if": {"multipleOf": 0.01}, "then": False}, 1234.56, False),
        ({"oneOf": [{"pattern": "^a$"}, {"pattern": "^a\\n?$"}]}, "a\n", False),
        ({"oneOf": [{"const": 1}, {"const": True}]}, 1.0, True),
        ({"anyOf": [{"type": "integer"}, {"format": "date"}]}, "2023-02-31", False),
        ({"contains": {"const": "x"}}, ["y", "x"], True),
        ({"items": {"type": "integer"}, "minItems": 2}, [1, 2.0], True),
        ({"items": False}, [], True),
        ({"required": ["a"], "properties": {"a": {"type": "string"}}}, {"a": "x"}, True),
        ({"required": ["a"]}, {"b": 1}, False),
        ({"required": ["a"]}, ["a"], True),  # not an object
        ({"dependentRequired": {"a": ["b"]}}, {"a": 1}, False),
        ({"dependentRequired": {"a": ["b"]}}, {"b": 1}, True),
        ({"properties": {"a": {}}, "additionalProperties": False}, {"a": 1, "b": 2}, False),
        ({"additionalProperties": {"type": "integer"}}, {"a": 1.0}, True),
        # $ref and $defs, siblings of $ref apply too
        (
            {"$defs": {"plz": {"pattern": "^[0-9]{5}$"}}, "$ref": "#/$defs/plz"},
            "29614\n",
            True,
        ),
        (
            {"$defs": {"plz": {"pattern": "^[0-9]{5}$"}}, "$ref": "#/$defs/plz", "maxLength": 5},
            "29614\n",
            False,
        ),
        (
            {
                "$defs": {"a/b": {"type": "integer"}},
                "properties": {"x": {"$ref": "#/$defs/a~1b"}},
            },
            {"x": 1.0},
            True,
        ),
        (
            {"properties": {"kind": {"$ref": "#"}}, "required": ["n"]},
            {"n": 1, "kind": {"n": 2, "kind": {}}},
            False,
        ),
    ],
)
def test_edges(schema: dict[str, Any], value: Any, valid: bool | None) -> None:
    check = check_for(schema)
    assert check.fast is not None, check.unsupported
    verdict = same_verdict(check, value)
    if valid is not None:
        assert verdict is valid


@pytest.mark.parametrize(
    "value",
    [
        (1, 2),  # Rust would read a tuple as an array, python does not
        Decimal("1"),  # a number to both, but not an integer to python
        float("nan"),  # a number to python, not to Rust
        float("inf"),
        2**53 + 1,  # not exactly a double any more
        -(2**64),
        OrderedDict(a=1),  # subclasses: python decides
        type("Text", (str,), {})("x"),
        {1: "a"},  # not a JSON object
        {"a": {"b": [("x",)]}},
        "\ud800",  # a lone surrogate is no UTF-8: jsonschema-rs raises, python decides
        {"a": "\udfff"},
    ],
)
@pytest.mark.parametrize(
    "schema",
    [
        {},
        {"type": "integer"},
        {"type": "array"},
        {"not": {"type": "array"}},
        {"not": {"type": "number"}},
        {"type": "object", "properties": {"a": {"type": "string"}}},
        {"maxLength": 1},
    ],
)
def test_non_json_data_goes_to_python(schema: dict[str, Any], value: Any) -> None:
    check = check_for(schema)
    assert check.fast is not None
    assert check.is_valid_fast(value) is False
    assert check.is_valid(value) == check.full.is_valid(value)


@pytest.mark.parametrize("depth", [10, 64, 65, 100_000])
def test_deep_data_goes_to_python_without_overflow(depth: int) -> None:
    deep: Any = "x"
    for _ in range(depth):
        deep = [deep]
    check = check_for({"type": ["array", "string"], "items": {"$ref": "#"}})
    assert check.fast is not None
    assert _plain(deep) is (depth <= 64)  # deeper: jsonschema-rs could overflow its stack
    assert check.is_valid_fast(deep) is (depth <= 64)


@pytest.mark.parametrize(
    "schema",
    [
        {"unevaluatedProperties": False, "properties": {"a": {}}},
        {"patternProperties": {"^a": {"type": "integer"}}},
        {"prefixItems": [{"type": "integer"}]},
        {"contains": {"const": 1}, "maxContains": 1},
        {"dependentSchemas": {"a": {"required": ["b"]}}},
        {"propertyNames": {"maxLength": 2}},
        {"$anchor": "x"},
        {"properties": {"a": {"$id": "https://example.org/a", "type": "integer"}}},
        {"$ref": "#/x-vorlage", "x-vorlage": {"type": "integer"}},  # into a dropped key
        {"$ref": "#/$defs/fehlt"},
        {"$ref": "#/$defs/a%20b", "$defs": {"a b": {}}},
        {"$ref": "https://example.org/schema.json"},
        {"gibtEsNicht": 1},  # a typo: python ignores it, Rust might not
        {"minLength": 2.0},
        {"minimum": 2**60},
        {"const": (1, 2)},
        {"pattern": "(unbalanced"},  # python raises on it: keep doing so
    ],
)
def test_what_cannot_be_reproduced_falls_back_to_python(schema: dict[str, Any]) -> None:
    check = check_for(schema)
    assert check.fast is None
    assert check.unsupported
    for value in ({"a": 1, "b": 2}, [1, 2], 1, "x"):
        assert check.is_valid_fast(value) is False
        try:
            expected = check.full.is_valid(value)
        except Exception:
            continue  # python cannot decide either (the bad pattern)
        assert check.is_valid(value) == expected


def test_other_dialects_fall_back() -> None:
    check = AnswerCheck({"$schema": "http://json-schema.org/draft-07/schema#", "type": "integer"})
    assert check.fast is None
    assert AnswerCheck({"type": "integer"}).fast is not None  # no $schema: 2020-12


def test_overridden_python_keywords_are_not_replaced_by_rust() -> None:
    def strict_length(validator: Any, value: Any, instance: Any, schema: Any) -> Any:
        yield from ()

    lenient = validators.extend(AnswerValidator, {"minLength": strict_length})
    full = lenient({"minLength": 5}, format_checker=Draft202012Validator.FORMAT_CHECKER)
    check = AnswerCheck({"minLength": 5}, full)
    assert check.fast is None
    assert check.is_valid("x")  # python's (overridden) verdict


def test_multiple_of_is_the_decimal_function() -> None:
    assert AnswerValidator.VALIDATORS["multipleOf"] is validation._exact_multiple_of
    check = check_for({"type": "number", "multipleOf": 0.01})
    assert Draft202012Validator({"multipleOf": 0.01}).is_valid(1234.56) is False  # floats
    assert check.is_valid_fast(1234.56) is True


def test_without_jsonschema_rs_python_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validation, "jsonschema_rs", None)
    check = check_for({"type": "integer"})
    assert check.fast is None
    assert check.is_valid_fast(1) is False
    assert check.is_valid(1) is True
    assert check.is_valid("1") is False


def test_a_failing_jsonschema_rs_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            raise TypeError("unexpected keyword argument 'offline'")

    monkeypatch.setattr(validation.jsonschema_rs, "Draft202012Validator", Broken)
    check = check_for({"type": "integer"})
    assert check.fast is None
    assert check.is_valid(2) is True


def test_exceptions_in_python_checks_reach_python() -> None:
    def boom(validator: Any, value: Any, instance: Any, schema: Any) -> Any:
        raise RuntimeError("boom")
        yield  # pragma: no cover

    custom = validators.extend(AnswerValidator, {"uniqueItems": boom})
    full = custom({"uniqueItems": True}, format_checker=Draft202012Validator.FORMAT_CHECKER)
    check = AnswerCheck({"uniqueItems": True}, full)
    assert check.fast is not None
    assert check.is_valid_fast([1]) is False  # not confirmed ...
    with pytest.raises(RuntimeError):
        check.is_valid([1])  # ... so python runs and raises, as before


# -- the fast path is really taken ------------------------------------------------------


@pytest.mark.parametrize("service_id", SERVICES)
def test_every_demo_definition_has_a_fast_path(service_id: str) -> None:
    check = CATALOGUE.services[service_id].answer_check
    assert check.fast is not None, check.unsupported
    assert check.unsupported is None


def test_answer_check_is_built_once_and_shares_the_python_validator() -> None:
    definition = ServiceDefinition(thirty_fields.definition())
    assert definition.answer_check is definition.answer_check
    assert definition.answer_check.full is definition.validator


def test_validate_returns_at_once_for_valid_answers() -> None:
    definition = ServiceDefinition(thirty_fields.definition())
    data = thirty_fields.answers(definition.schema)
    assert definition.answer_check.is_valid_fast(data)

    class Untouchable:
        def iter_errors(self, data: Any) -> Any:
            raise AssertionError("python-jsonschema ran for valid answers")

    definition.__dict__["validator"] = Untouchable()  # the cached property's slot
    assert validate(definition, data) == []
