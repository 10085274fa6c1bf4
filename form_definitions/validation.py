"""The validator for answers: JSON Schema 2020-12 with formats checked, built once.

Two validators share the verdict:

* ``answer_validator`` / :class:`AnswerValidator` (python-jsonschema) is the authority. Its
  ``ValidationError``\\ s are what :mod:`renderer.messages` turns into German messages.
* :class:`AnswerCheck` adds a fast path with the Rust validator ``jsonschema-rs``: when it
  says *valid*, the application is valid; when it says anything else (invalid, an error,
  not applicable), python-jsonschema decides. A valid 30-field application is confirmed
  in a few microseconds instead of some hundred.

Why "Rust says valid" implies "python-jsonschema says valid"
-------------------------------------------------------------

It must even be *the same verdict* on every subschema, not merely a stricter one: under
``if``, ``not`` and ``oneOf`` a stricter subschema can turn a rejection into an
acceptance. So the Rust validator never sees the definition itself but a copy built by
:func:`_rust_schema`, keyword by keyword, and only for data of plain JSON types
(:func:`_plain`). Anything not listed here means: no fast path for this definition.

Data (checked by :func:`_plain` before every fast call):
    only ``dict`` (with ``str`` keys), ``list``, ``str``, ``bool``, ``None``, ``int`` with
    ``|n| <= 2**53`` and finite ``float`` -- exact types, no subclasses -- nested at most
    64 deep (deeper data could overflow jsonschema-rs' stack). jsonschema-rs
    would read a ``tuple`` as an array and a ``Decimal`` as a number, python-jsonschema
    does neither; NaN is a number to python, not to Rust. Within these bounds every
    integer is exactly a double, so all numeric comparisons agree whichever way they are
    computed. Strings (values and keys) must have a UTF-8 form: jsonschema-rs reads
    strings lazily and raises on a lone surrogate only where it looks at one. Values reach
    Python callbacks unchanged (same type, same value; tested). Any exception from
    jsonschema-rs means "ask python".

Keywords evaluated natively in Rust (only while python's implementation is the stock
Draft 2020-12 one and python's type checker is the stock one; otherwise no fast path):
    ``type``: on plain data the 2020-12 types agree, including ``1.0`` (and every float
    with no fraction) being an ``integer`` and ``True`` being neither integer nor number.
    ``const``/``enum``: python's ``equal`` and Rust's equality agree on plain JSON: strings
    by code points, numbers numerically (``1 == 1.0``, ``0 == -0.0``), booleans distinct
    from numbers (``True != 1``) also inside arrays and objects, arrays elementwise,
    objects by key set and values. Their values in the schema must be plain too.
    ``minLength``/``maxLength``: both count code points (python ``len``, Rust ``chars``).
    ``minimum``/``maximum``/``exclusiveMinimum``/``exclusiveMaximum``: numbers only
    (booleans are not numbers in either), exact comparisons (see Data).
    ``minItems``/``maxItems``, ``required``, ``dependentRequired``, ``properties``,
    ``additionalProperties`` (without ``patternProperties``), ``items`` (without
    ``prefixItems``), ``contains`` (without ``minContains``/``maxContains``), ``allOf``,
    ``anyOf``, ``oneOf``, ``not``, ``if``/``then``/``else``: the standard applicators,
    identical given identical subschemas (``then``/``else`` without ``if`` are ignored by
    both).
    ``$ref``: only local JSON pointers (``#`` or ``#/...``, no ``%``) that point at a
    subschema the copy preserves at the same place; ``$defs`` are copied alongside.
    Root ``$schema`` must be absent or 2020-12 (python always validates as 2020-12);
    root ``$id`` is dropped (with only local refs it changes nothing); ``$id`` elsewhere
    means no fast path.

Keywords evaluated by python-jsonschema's own code, called from Rust as a custom keyword
(``formwerk:python``), so they cannot differ at all:
    ``pattern`` (``re.search``: ``$`` before a trailing newline, Unicode ``\\d``),
    ``format`` (``FORMAT_CHECKER`` with whatever formats this environment knows; unknown
    formats pass, as in python), ``multipleOf`` (decimal: :func:`_exact_multiple_of`),
    ``uniqueItems`` (python's ``uniq``). The callback gets the original keyword value and
    the original subschema, and is called for every instance type, exactly as python
    calls these functions.

Annotations dropped from the copy (python ignores them for validity):
    ``title``, ``description``, ``default``, ``examples``, ``readOnly``, ``writeOnly``,
    ``deprecated``, ``$comment`` and every ``x-...`` key (``x-ui``, ``x-errors``, ...).
    Should python ever validate one of them (a keyword in ``AnswerValidator.VALIDATORS``),
    it is no longer dropped but refused.

Everything else (``patternProperties``, ``unevaluatedProperties``, ``prefixItems``,
``dependentSchemas``, ``propertyNames``, ``$anchor``, ``$dynamicRef``, ...) means no fast
path: python-jsonschema alone, as before. So does a missing or failing jsonschema-rs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from jsonschema import Draft202012Validator, ValidationError, validators

try:  # only speed depends on it
    import jsonschema_rs
except ImportError:  # pragma: no cover - jsonschema-rs is a dependency
    jsonschema_rs = None


def _exact_multiple_of(
    validator: Any, divisor: Any, instance: Any, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    """``multipleOf`` in decimal arithmetic.

    jsonschema divides floats, so 1234.56 is "not a multiple of 0.01" (about 15 % of all
    cent amounts fail). Amounts of money are entered in decimal, so they are checked in
    decimal: the value as written, divided by the divisor as written.
    """
    if not validator.is_type(instance, "number"):
        return
    try:
        quotient = Decimal(str(instance)) / Decimal(str(divisor))
        exact = quotient == quotient.to_integral_value()
    except (InvalidOperation, OverflowError):
        exact = False
    if not exact:
        yield ValidationError(f"{instance!r} is not a multiple of {divisor}")


AnswerValidator = validators.extend(Draft202012Validator, {"multipleOf": _exact_multiple_of})


def answer_validator(schema: Mapping[str, Any]) -> Draft202012Validator:
    """A validator for answers to ``schema``, checking formats (date, email) too."""
    return AnswerValidator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


# -- the fast path ---------------------------------------------------------------------

#: The largest integer every double represents exactly, with all smaller ones.
_EXACT_INT = 2**53

#: Keywords jsonschema-rs evaluates itself, with the stock python semantics (see above).
_NATIVE_LEAF = frozenset(
    {
        "type",
        "const",
        "enum",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minItems",
        "maxItems",
        "required",
        "dependentRequired",
    }
)
_ONE_SUBSCHEMA = frozenset(
    {"items", "additionalProperties", "contains", "not", "if", "then", "else"}
)
_SUBSCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf"})
_SUBSCHEMA_MAPS = frozenset({"properties", "$defs"})

#: Keywords python-jsonschema evaluates, called back from jsonschema-rs.
_PYTHON_LEAF = frozenset({"pattern", "format", "multipleOf", "uniqueItems"})

#: Pure annotations: no validator in python-jsonschema, dropped from the copy.
_ANNOTATIONS = frozenset(
    {
        "title",
        "description",
        "default",
        "examples",
        "readOnly",
        "writeOnly",
        "deprecated",
        "$comment",
    }
)

_DRAFT_2020_12 = frozenset(
    {
        "https://json-schema.org/draft/2020-12/schema",
        "https://json-schema.org/draft/2020-12/schema#",
    }
)

#: The one custom keyword of the copy: an index into the list of python checks.
_PYTHON_KEYWORD = "formwerk:python"

#: How deep answers may nest for the fast path (definitions nest a handful of levels).
_MAX_DEPTH = 64


class _Unsupported(Exception):
    """The definition uses something the fast path cannot reproduce exactly."""


def _utf8(text: str) -> bool:
    """Whether ``text`` has a UTF-8 form (no lone surrogates)."""
    if text.isascii():
        return True
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _plain(data: Any) -> bool:
    """Whether ``data`` consists of plain JSON values only (see the module docstring),
    nested at most :data:`_MAX_DEPTH` deep.

    Iterative, so deep nesting cannot overflow Python's stack, and bounded, so it cannot
    overflow jsonschema-rs' either (a recursive ``$ref`` over 100 000 nested lists
    crashes it; python-jsonschema raises ``RecursionError`` there, and still may).
    """
    isfinite, limit, utf8, deepest = math.isfinite, _EXACT_INT, _utf8, _MAX_DEPTH
    stack: list[tuple[Iterable[Any], int]] = [((data,), 0)]
    pop, push = stack.pop, stack.append
    while stack:
        values, depth = pop()
        for value in values:
            kind = type(value)
            if kind is str:
                if not (value.isascii() or utf8(value)):
                    return False
            elif kind is int:
                if not -limit <= value <= limit:
                    return False
            elif kind is dict:
                if depth >= deepest:
                    return False
                for key in value:
                    if type(key) is not str or not (key.isascii() or utf8(key)):
                        return False
                push((value.values(), depth + 1))
            elif kind is list:
                if depth >= deepest:
                    return False
                push((value, depth + 1))
            elif kind is float:
                if not isfinite(value):
                    return False
            elif kind is not bool and value is not None:
                return False
    return True


def _is_count(value: Any) -> bool:
    return type(value) is int and value >= 0


def _is_number(value: Any) -> bool:
    return type(value) in (int, float) and _plain(value)


def _is_name_list(value: Any) -> bool:
    return (
        type(value) is list
        and all(type(name) is str for name in value)
        and len(set(value)) == len(value)
    )


def _check_leaf(keyword: str, value: Any) -> None:
    """Refuse keyword values whose meaning the two libraries might read differently."""
    if keyword == "type":
        names = value if type(value) is list else [value]
        known = {"null", "boolean", "integer", "number", "string", "array", "object"}
        ok = bool(names) and _is_name_list(names) and set(names) <= known
    elif keyword == "const":
        ok = _plain(value)
    elif keyword == "enum":
        ok = type(value) is list and _plain(value)
    elif keyword in ("minLength", "maxLength", "minItems", "maxItems"):
        ok = _is_count(value)
    elif keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        ok = _is_number(value)
    elif keyword == "required":
        ok = _is_name_list(value)
    elif keyword == "dependentRequired":
        ok = type(value) is dict and all(_is_name_list(names) for names in value.values())
    else:  # pragma: no cover - every native leaf keyword is listed above
        ok = False
    if not ok:
        raise _Unsupported(f"{keyword}: {value!r}")


class _Call(NamedTuple):
    """One python-evaluated keyword of a subschema: python-jsonschema's function for it."""

    keyword: str
    function: Callable[..., Iterator[ValidationError]]
    value: Any
    schema: Mapping[str, Any]  # the original subschema


def _python_check(full: Draft202012Validator, call: _Call) -> Callable[[Any], bool]:
    """``instance -> ok`` with the verdict of ``call.function`` on the same instance.

    Two stock functions are inlined (same code, minus the per-call lookups): ``pattern``
    is ``is_type(instance, "string") and not re.search(pattern, instance)``, where
    ``is_type`` of the stock type checker (see :class:`_Copier`) is ``isinstance(, str)``
    and ``re.search`` is ``re.compile(pattern).search``; ``format`` is "the format checker
    raises ``FormatError``", which is ``not conforms``, and nothing without a checker.
    Every other keyword runs python-jsonschema's function itself (``multipleOf`` is
    :func:`_exact_multiple_of`).
    """
    stock = Draft202012Validator.VALIDATORS.get(call.keyword)
    if call.keyword == "pattern" and call.function is stock:
        search = re.compile(call.value).search
        return lambda instance: not isinstance(instance, str) or search(instance) is not None
    if call.keyword == "format" and call.function is stock:
        checker, name = full.format_checker, call.value
        if checker is None:
            return lambda instance: True
        conforms = checker.conforms
        return lambda instance: conforms(instance, name)
    function, value, schema = call.function, call.value, call.schema
    return lambda instance: next(iter(function(full, value, instance, schema)), None) is None


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


class _Copier:
    """Builds the schema copy for jsonschema-rs (see the module docstring)."""

    def __init__(self, python: type[Draft202012Validator]) -> None:
        stock = Draft202012Validator.VALIDATORS
        if python.TYPE_CHECKER is not Draft202012Validator.TYPE_CHECKER:
            raise _Unsupported("type checker")
        self.keywords = python.VALIDATORS
        native = _NATIVE_LEAF | _ONE_SUBSCHEMA | _SUBSCHEMA_LISTS | {"properties", "$ref"}
        for keyword in native & set(self.keywords):
            if self.keywords[keyword] is not stock[keyword]:
                raise _Unsupported(f"{keyword} is not python-jsonschema's own")
        self.checks: list[tuple[_Call, ...]] = []  # python's keywords, per subschema
        self.places: set[str] = set()
        self.refs: list[str] = []

    def copy(self, schema: Any, place: str) -> Any:
        self.places.add(place)
        if type(schema) is bool:
            return schema
        if type(schema) is not dict:
            raise _Unsupported(f"{place}: not a schema")
        copied: dict[str, Any] = {}
        calls = []
        for keyword, value in schema.items():
            at = f"{place}/{_escape(keyword)}"
            if keyword in _PYTHON_LEAF:
                calls.append(_Call(keyword, self.keywords[keyword], value, schema))
            elif keyword in _NATIVE_LEAF:
                _check_leaf(keyword, value)
                copied[keyword] = value
            elif keyword in _ONE_SUBSCHEMA:
                copied[keyword] = self.copy(value, at)
            elif keyword in _SUBSCHEMA_LISTS:
                if type(value) is not list or not value:
                    raise _Unsupported(at)
                copied[keyword] = [self.copy(sub, f"{at}/{i}") for i, sub in enumerate(value)]
            elif keyword in _SUBSCHEMA_MAPS:
                if type(value) is not dict:
                    raise _Unsupported(at)
                copied[keyword] = {
                    name: self.copy(sub, f"{at}/{_escape(name)}") for name, sub in value.items()
                }
            elif keyword == "$ref":
                if type(value) is not str or not value.startswith("#") or "%" in value:
                    raise _Unsupported(f"{at}: {value!r}")
                self.refs.append(value[1:])
                copied[keyword] = value
            elif keyword in ("$schema", "$id") and place == "":
                if keyword == "$schema" and value not in _DRAFT_2020_12:
                    raise _Unsupported(f"$schema {value!r}")
            elif keyword in self.keywords:
                raise _Unsupported(f"{at}: keyword not reproduced")
            elif keyword in _ANNOTATIONS or keyword.startswith("x-"):
                continue
            else:
                raise _Unsupported(f"{at}: unknown keyword")
        if calls:
            copied[_PYTHON_KEYWORD] = len(self.checks)
            self.checks.append(tuple(calls))
        return copied


def _rust_schema(
    schema: Mapping[str, Any], python: type[Draft202012Validator]
) -> tuple[dict[str, Any], list[tuple[_Call, ...]]]:
    """The copy of ``schema`` for jsonschema-rs and the python checks it calls back."""
    copier = _Copier(python)
    copied = copier.copy(dict(schema), "")
    for pointer in copier.refs:
        if pointer not in copier.places:
            raise _Unsupported(f"$ref #{pointer}")
    return copied, copier.checks


class AnswerCheck:
    """Answer validation with a fast path for valid answers (see the module docstring).

    ``full`` is the python-jsonschema validator, the authority for the verdict and the
    source of every error; ``fast`` is the jsonschema-rs validator, or ``None`` when the
    definition uses something the fast path cannot reproduce (or jsonschema-rs is missing).
    """

    def __init__(self, schema: Mapping[str, Any], full: Draft202012Validator | None = None) -> None:
        self.full = full if full is not None else answer_validator(schema)
        self.fast: Any = None
        self.unsupported: str | None = None  # why there is no fast path
        if jsonschema_rs is None:  # pragma: no cover - jsonschema-rs is a dependency
            self.unsupported = "jsonschema-rs is not installed"
            return
        try:
            copied, checks = _rust_schema(schema, type(self.full))
        except _Unsupported as reason:
            self.unsupported = str(reason)
            return
        except Exception as error:  # a schema python-jsonschema would reject anyway
            self.unsupported = f"{type(error).__name__}: {error}"
            return
        self.fast = self._build(copied, checks)

    def _build(
        self,
        copied: dict[str, Any],
        calls: list[tuple[_Call, ...]],
    ) -> Any:
        try:
            checks = [tuple(_python_check(self.full, call) for call in group) for group in calls]
        except Exception as error:  # e.g. a pattern python cannot compile: python alone
            self.unsupported = f"{type(error).__name__}: {error}"
            return None

        class PythonKeywords:
            """python-jsonschema's keywords of one subschema, called from jsonschema-rs."""

            __slots__ = ("checks",)

            def __init__(self, parent: Any, index: int, path: Any) -> None:
                self.checks = checks[index]

            def validate(self, instance: Any) -> None:
                for check in self.checks:
                    if not check(instance):
                        raise ValueError("rejected by python-jsonschema")

        try:
            return jsonschema_rs.Draft202012Validator(
                copied,
                validate_formats=False,
                keywords={_PYTHON_KEYWORD: PythonKeywords},
                offline=True,
            )
        except Exception as error:  # an older or newer jsonschema-rs: python alone
            self.unsupported = f"jsonschema-rs: {type(error).__name__}: {error}"
            return None

    def is_valid_fast(self, data: Any) -> bool:
        """True when the fast path confirms ``data`` valid; False means "not confirmed"
        (invalid, or not decidable here): ask :attr:`full`."""
        fast = self.fast
        if fast is None or not _plain(data):
            return False
        try:
            return bool(fast.is_valid(data))
        except Exception:
            return False

    def is_valid(self, data: Any) -> bool:
        """The verdict of python-jsonschema, confirmed quickly when the data is valid."""
        return self.is_valid_fast(data) or self.full.is_valid(data)

    def iter_errors(self, data: Any) -> Iterator[ValidationError]:
        """python-jsonschema's errors (none for valid data)."""
        return self.full.iter_errors(data)
