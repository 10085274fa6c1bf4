"""The storage interface of formwerk: typed records, errors and the ``Store`` protocol.

Everything a server database implementation (PostgreSQL later) needs to match lives here;
nothing in this module knows about files. Records are frozen pydantic models so that a
record handed out by the store cannot be mutated behind the store's back, and so that
every implementation validates input the same way before touching storage.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Protocol, runtime_checkable

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

# --- identifiers ---------------------------------------------------------------------------
# Every identifier that may end up in a file name is checked against a strict pattern, so a
# value from a cookie or a URL can never become a path ("../", "/", NUL, ...).

#: ``referencePrefix`` of an authority (authorities.json: 2–5 capital letters).
PREFIX_PATTERN = r"[A-Z]{2,5}"
#: ``{PREFIX}-{YEAR}-{SEQ:06d}``; more digits once a year has more than 999,999 submissions.
REFERENCE_RE = re.compile(rf"^(?P<prefix>{PREFIX_PATTERN})-(?P<year>\d{{4}})-(?P<seq>\d{{6,}})$")
#: Authority and service ids as in the definition meta-schema.
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
#: Opaque random draft ids (e.g. ``secrets.token_urlsafe(32)``); also used as idempotency key.
DRAFT_ID_RE = re.compile(r"^[A-Za-z0-9_-]{16,128}$")
#: Attachment ids as in the ``attachment`` schema of the definition format.
ATTACHMENT_ID_RE = re.compile(r"^att_[A-Za-z0-9_-]{16,64}$")
SHA256_PATTERN = r"^[0-9a-f]{64}$"


def utc_now() -> datetime:
    """Return the current time as a timezone-aware UTC datetime."""
    return datetime.now(UTC)


def _as_utc(value: datetime) -> datetime:
    # Normalise every offset to UTC so comparisons and ISO strings are uniform.
    return value.astimezone(UTC)


def _json_compatible(value: dict[str, Any]) -> dict[str, Any]:
    # Fail at validation time, before any lock is taken or any file touched, for values
    # JSON cannot carry faithfully: NaN/Infinity, non-string keys, sets, lone surrogates.
    try:
        json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except TypeError as exc:  # a set, say: a ValueError is what pydantic reports
        raise ValueError(str(exc)) from exc
    return value


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_as_utc)]
JsonDict = Annotated[dict[str, Any], AfterValidator(_json_compatible)]


def is_valid_reference(reference: str) -> bool:
    """Return True if ``reference`` has the form ``LKH-2026-000042``."""
    return REFERENCE_RE.fullmatch(reference) is not None


def is_valid_draft_id(draft_id: str) -> bool:
    """Return True if ``draft_id`` is a well-formed opaque draft id."""
    return DRAFT_ID_RE.fullmatch(draft_id) is not None


def format_reference(prefix: str, year: int, seq: int) -> str:
    """Build a reference number such as ``LKH-2026-000042``."""
    return f"{prefix}-{year:04d}-{seq:06d}"


# --- records --------------------------------------------------------------------------------


class SubmissionStatus(StrEnum):
    """Processing state of a submission, as shown to citizen and clerk."""

    EINGEGANGEN = "eingegangen"
    IN_BEARBEITUNG = "in Bearbeitung"
    RUECKFRAGE = "Rückfrage"
    ABGESCHLOSSEN = "abgeschlossen"
    ABGELEHNT = "abgelehnt"


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class AttachmentRef(_Record):
    """An attachment as referenced from a submission (same shape as the form schema)."""

    id: str = Field(pattern=ATTACHMENT_ID_RE.pattern)
    name: str = Field(min_length=1, max_length=255)
    media_type: str = Field(alias="mediaType", min_length=3, max_length=127)
    size: int = Field(ge=1)
    sha256: str = Field(pattern=SHA256_PATTERN)


class StatusChange(_Record):
    """One entry of a submission's status history."""

    status: SubmissionStatus
    at: UtcDatetime
    note: str | None = None


class NewSubmission(_Record):
    """What the portal hands to ``add_submission``; the store adds reference and times."""

    service_id: str = Field(pattern=SLUG_PATTERN, max_length=80)
    service_version: str = Field(min_length=1, max_length=40)
    definition_sha256: str = Field(pattern=SHA256_PATTERN)
    authority_id: str = Field(pattern=SLUG_PATTERN, max_length=80)
    #: ``referencePrefix`` of the authority in authorities.json.
    reference_prefix: str = Field(pattern=f"^{PREFIX_PATTERN}$")
    answers: JsonDict
    attachments: tuple[AttachmentRef, ...] = ()
    #: The draft id: pressing "Absenden" twice must not store a second submission.
    idempotency_key: str = Field(min_length=1, max_length=200)
    account_id: str | None = Field(default=None, max_length=200)


class Submission(_Record):
    """A stored, acknowledged submission."""

    reference: str = Field(pattern=REFERENCE_RE.pattern)
    service_id: str
    service_version: str
    definition_sha256: str
    authority_id: str
    answers: dict[str, Any]
    attachments: tuple[AttachmentRef, ...] = ()
    status: SubmissionStatus
    status_history: tuple[StatusChange, ...]
    created_at: UtcDatetime
    updated_at: UtcDatetime
    idempotency_key: str
    account_id: str | None = None


class Draft(_Record):
    """An application in progress, keyed by the opaque id from the session cookie."""

    draft_id: str = Field(pattern=DRAFT_ID_RE.pattern)
    service_id: str = Field(pattern=SLUG_PATTERN, max_length=80)
    data: JsonDict
    #: Id of the step the citizen is on (step ids are slugs in the definition format).
    step: str = Field(max_length=80)
    created_at: UtcDatetime
    updated_at: UtcDatetime


class AttachmentMeta(_Record):
    """Metadata of an uploaded file; the bytes live content-addressed elsewhere."""

    id: str = Field(pattern=ATTACHMENT_ID_RE.pattern)
    #: A draft id while the application is in progress, or a submission reference.
    owner: str
    name: str = Field(min_length=1, max_length=255)
    media_type: str = Field(alias="mediaType", min_length=3, max_length=127)
    size: int = Field(ge=1)
    sha256: str = Field(pattern=SHA256_PATTERN)
    created_at: UtcDatetime = Field(default_factory=utc_now)


def is_valid_owner(owner: str) -> bool:
    """Return True if ``owner`` is a draft id or a submission reference."""
    return is_valid_draft_id(owner) or is_valid_reference(owner)


# --- errors ---------------------------------------------------------------------------------


class StoreError(Exception):
    """Base class of all errors raised by a store."""


class InvalidIdentifierError(StoreError, ValueError):
    """A draft id, attachment id, owner or reference does not match its pattern."""


class SubmissionNotFoundError(StoreError, LookupError):
    """No submission has the given reference."""


class ReferencePrefixConflictError(StoreError):
    """The reference prefix is already used by another authority."""


class IdempotencyConflictError(StoreError):
    """The idempotency key was used for a submission to a different service or authority."""


class DuplicateAttachmentError(StoreError):
    """An attachment with this id already exists."""


# --- the interface --------------------------------------------------------------------------


@runtime_checkable
class Store(Protocol):
    """Durable storage of submissions, drafts and attachment metadata.

    Contract for every implementation: when ``add_submission`` returns, the submission is
    durable (survives a crash or power loss) and its reference number is never handed out
    again. All methods are safe to call from several processes sharing one store.
    """

    # Submissions

    def add_submission(self, record: NewSubmission) -> Submission:
        """Store a submission and assign its reference number atomically.

        If a submission with ``record.idempotency_key`` exists, return it unchanged instead.
        """
        ...

    def get_submission(self, reference: str) -> Submission | None:
        """Return the submission with this reference, or None (also for malformed input)."""
        ...

    def find_by_idempotency_key(self, key: str) -> Submission | None:
        """Return the submission stored under this idempotency key, or None."""
        ...

    def list_submissions(
        self,
        authority_id: str,
        *,
        status: SubmissionStatus | None = None,
        service_id: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Submission]:
        """Return an authority's submissions, newest first, optionally filtered."""
        ...

    def update_status(
        self, reference: str, status: SubmissionStatus, note: str | None = None
    ) -> Submission:
        """Set a new status and append it to the history; raise SubmissionNotFoundError."""
        ...

    def count(self, authority_id: str | None = None) -> int:
        """Return the number of submissions (of one authority, or of all)."""
        ...

    # Drafts

    def save_draft(self, draft_id: str, service_id: str, data: dict[str, Any], step: str) -> Draft:
        """Create or replace a draft; ``created_at`` is kept from the first save."""
        ...

    def get_draft(self, draft_id: str) -> Draft | None:
        """Return the draft, or None if it does not exist (or the id is malformed)."""
        ...

    def delete_draft(self, draft_id: str) -> bool:
        """Delete the draft; return whether it existed."""
        ...

    def list_expired_drafts(self, older_than: datetime) -> list[Draft]:
        """Return drafts last saved before ``older_than`` (for the cleanup job)."""
        ...

    # Attachment metadata

    def add_attachment(self, meta: AttachmentMeta) -> AttachmentMeta:
        """Store attachment metadata; raise DuplicateAttachmentError if the id exists."""
        ...

    def get_attachment(self, attachment_id: str) -> AttachmentMeta | None:
        """Return the metadata of one attachment, or None."""
        ...

    def list_attachments(self, owner: str) -> list[AttachmentMeta]:
        """Return the attachments of a draft or submission, oldest first."""
        ...

    def delete_attachment(self, attachment_id: str) -> bool:
        """Delete attachment metadata; return whether it existed."""
        ...

    def reassign_attachment(self, attachment_id: str, owner: str) -> AttachmentMeta | None:
        """Move an attachment to another owner (atomically); None if it does not exist."""
        ...

    def attachment_hashes(self) -> set[str]:
        """The sha256 of every attachment still recorded (for the blob clean-up)."""
        ...

    def close(self) -> None:
        """Release resources (connections, file handles)."""
        ...
