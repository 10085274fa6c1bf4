"""Reading a JSON request body safely: bounded in size and depth, strict in syntax.

Python's json module accepts NaN, Infinity, duplicate keys and arbitrarily deep nesting
(which ends in a RecursionError); an API that stores what it reads must refuse all four.
"""

from __future__ import annotations

import json
import re
from contextlib import aclosing
from typing import Any

from python_multipart.multipart import parse_options_header
from starlette.requests import Request

from renderer.problems import ApiError
from renderer.uploads import format_bytes

#: Largest submission body. The demo applications are about 1 KB; 1 MiB leaves room for
#: every free text at its maxLength and every repeat at its maxItems.
MAX_BODY_BYTES = 1024 * 1024
#: Deepest nesting of arrays and objects accepted; the demo applications nest 5 levels,
#: and refusing early keeps recursion (json, jsonschema, prune_hidden) far from its limit.
MAX_JSON_DEPTH = 64


# One token per match: a whole string (escapes included), an unterminated string's quote,
# a run of brackets, or a run of anything else. Each byte is looked at once, so the scan
# stays linear whatever the input (a regex removing strings could go quadratic).
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|(")|([\[\]{}]+)|[^"\[\]{}]+', re.DOTALL)


def nesting_depth(text: str, limit: int = MAX_JSON_DEPTH) -> int:
    """The deepest nesting of arrays and objects in JSON ``text``, counted up to ``limit + 1``.

    Brackets inside strings do not count. Stops early once ``limit`` is passed, and at an
    unterminated string (the parser reports that one).
    """
    depth = deepest = 0
    for match in _TOKEN.finditer(text):
        unterminated, brackets = match.groups()
        if unterminated:
            break
        if brackets:
            for char in brackets:
                depth += 1 if char in "[{" else -1
                if depth > deepest:
                    deepest = depth
                    if deepest > limit:
                        return deepest
    return deepest


class _Refused(ValueError):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def _refuse_constant(name: str) -> Any:
    # RFC 8259 has no NaN or Infinity; Python's json would accept them.
    raise _Refused("non_finite_number", f"„{name}“ ist in JSON keine Zahl.")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):  # 1e999 parses to inf
        raise _Refused("non_finite_number", f"Die Zahl {text[:40]} ist zu groß.")
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # RFC 8259 leaves duplicate names undefined; which one counts must not be a guess.
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for name, _ in pairs:
            if name in seen:
                raise _Refused("duplicate_key", f"Der Name „{name[:60]}“ kommt doppelt vor.")
            seen.add(name)
    return result


def parse_json(raw: bytes) -> Any:
    """Strict JSON (RFC 8259) from a request body, or an ApiError 400 saying where and why.

    Refused: invalid UTF-8, nesting deeper than ``MAX_JSON_DEPTH``, NaN/Infinity and
    numbers that overflow to infinity, duplicate names, lone surrogates (``"\\ud800"``).
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(
            400, f"Der Inhalt ist kein gültiges UTF-8 (Byte {exc.start}).", "encoding"
        ) from None
    if nesting_depth(text) > MAX_JSON_DEPTH:
        raise ApiError(
            400,
            f"Der Inhalt ist zu tief verschachtelt: höchstens {MAX_JSON_DEPTH} Ebenen.",
            "too_deep",
        )
    try:
        value = json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
            object_pairs_hook=_unique_keys,
        )
    except _Refused as exc:
        raise ApiError(400, f"Der Inhalt ist kein gültiges JSON: {exc.detail}", exc.code) from None
    except json.JSONDecodeError as exc:
        raise ApiError(
            400,
            f"Der Inhalt ist kein gültiges JSON: Fehler in Zeile {exc.lineno}, "
            f"Spalte {exc.colno} (Zeichen {exc.pos}): {exc.msg}.",
            "malformed_json",
        ) from None
    except RecursionError:  # not reached below MAX_JSON_DEPTH; a guard, not a path
        raise ApiError(400, "Der Inhalt ist zu tief verschachtelt.", "too_deep") from None
    except ValueError:  # integers beyond Python's digit limit (4,300 digits)
        raise ApiError(400, "Der Inhalt enthält eine zu lange Zahl.", "malformed_json") from None
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise ApiError(400, "Der Inhalt enthält ungültige Zeichen.", "encoding") from None
    return value


async def read_json_body(request: Request, max_bytes: int = MAX_BODY_BYTES) -> Any:
    """The request's JSON body, read in chunks and never beyond ``max_bytes``."""
    media_type, params = parse_options_header(request.headers.get("content-type", ""))
    charset = params.get(b"charset", b"utf-8").lower()
    if media_type != b"application/json" or charset not in (b"utf-8", b"utf8"):
        raise ApiError(
            415,
            "Senden Sie den Antrag als JSON (Content-Type: application/json).",
            "unsupported_content_type",
        )
    too_large = ApiError(
        413, f"Die Anfrage ist zu groß: höchstens {format_bytes(max_bytes)}.", "request_too_large"
    )
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise ApiError(400, "Die Angabe Content-Length ist ungültig.", "malformed")
        if int(declared) > max_bytes:
            raise too_large  # before reading a byte
    body = bytearray()
    # The header may be absent (chunked) or lie: what counts is what arrives.
    async with aclosing(request.stream()) as stream:
        async for chunk in stream:
            if len(body) + len(chunk) > max_bytes:
                raise too_large
            body += chunk
    return parse_json(bytes(body))
