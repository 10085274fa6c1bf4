"""``UploadError`` and every message a citizen can get from an upload, in one place.

Messages say what happened and, where it helps, what is allowed, naming the file as the
citizen named it. ``code`` is stable for the JSON API; the status says which kind of
problem it is: 400 malformed, 413 a limit crossed, 415 not a form, 422 a file refused.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.exceptions import HTTPException

from renderer.uploads.display import format_bytes
from renderer.uploads.filetypes import describe_types


class UploadError(HTTPException):
    """A form post that cannot be accepted, with a German message for the citizen.

    ``field`` names the form field at fault (None when the whole request is); ``code`` is
    a stable machine-readable reason for the JSON API. As an ``HTTPException`` it renders
    as an error page if a route does not catch it, but a form route should catch it and
    show the message at the field (WCAG 3.3.1). ``fields`` holds the text fields read
    before the error, so the form can be shown again with what the citizen typed.
    """

    def __init__(
        self, status_code: int, message: str, field: str | None = None, *, code: str = "invalid"
    ) -> None:
        super().__init__(status_code, detail=message)
        self.message = message
        self.field = field
        self.code = code
        self.fields: list[tuple[str, str]] = []


def malformed() -> UploadError:
    return UploadError(
        400,
        "Das Formular konnte nicht gelesen werden. Bitte senden Sie es noch einmal.",
        code="malformed",
    )


def unsupported_content_type() -> UploadError:
    return UploadError(
        415,
        "Das Formular wurde in einem unbekannten Format gesendet.",
        code="unsupported_content_type",
    )


def bad_encoding(field: str | None) -> UploadError:
    return UploadError(400, "Eine Eingabe enthält ungültige Zeichen.", field, code="encoding")


def request_too_large(max_bytes: int) -> UploadError:
    return UploadError(
        413,
        "Die Anfrage ist zu groß: Sie können höchstens "
        f"{format_bytes(max_bytes)} auf einmal hochladen.",
        code="request_too_large",
    )


def field_too_long(max_bytes: int, field: str | None) -> UploadError:
    return UploadError(
        413,
        f"Eine Eingabe ist zu lang: höchstens {format_bytes(max_bytes)} sind erlaubt.",
        field,
        code="field_too_long",
    )


def too_many_fields() -> UploadError:
    return UploadError(413, "Das Formular enthält zu viele Felder.", code="too_many_fields")


def too_many_files(limit: int, label: str | None, field: str | None) -> UploadError:
    where = f" für „{label}“" if label else ""
    if limit <= 0:
        text = f"Sie können{where} keine weiteren Dateien hochladen."
    elif limit == 1:
        text = f"Sie können{where} nur eine Datei hochladen."
    else:
        text = f"Sie können{where} höchstens {limit} Dateien hochladen."
    return UploadError(413, text, field, code="too_many_files")


def unexpected_file(field: str) -> UploadError:
    # Only a tampered or outdated form sends a file where the definition has none.
    return UploadError(
        400,
        "Das Formular enthält eine Datei an einer Stelle, die keine Dateien annimmt.",
        field,
        code="unexpected_file",
    )


def no_filename(field: str) -> UploadError:
    return UploadError(400, "Eine Datei wurde ohne Dateinamen gesendet.", field, code="no_filename")


def file_too_large(name: str, max_bytes: int, field: str) -> UploadError:
    return UploadError(
        413,
        f"Die Datei „{name}“ ist zu groß: höchstens {format_bytes(max_bytes)} sind erlaubt.",
        field,
        code="file_too_large",
    )


def empty_file(name: str, field: str) -> UploadError:
    return UploadError(422, f"Die Datei „{name}“ ist leer.", field, code="empty_file")


def wrong_type(name: str, accept: Iterable[str], field: str) -> UploadError:
    return UploadError(
        422,
        f"Die Datei „{name}“ ist kein {describe_types(accept)}.",
        field,
        code="file_type",
    )
