"""Storage of submissions, reference numbers, drafts and attachment metadata.

``Store`` (in ``base``) is the interface; ``open_store`` returns the file-based TinyDB
implementation that several worker processes can share.
"""

from formwerk.store.atomic import CorruptStoreFileError, sweep_temp_files
from formwerk.store.base import (
    AttachmentMeta,
    AttachmentRef,
    Draft,
    DuplicateAttachmentError,
    IdempotencyConflictError,
    InvalidIdentifierError,
    NewSubmission,
    ReferencePrefixConflictError,
    StatusChange,
    Store,
    StoreError,
    Submission,
    SubmissionNotFoundError,
    SubmissionStatus,
    format_reference,
    is_valid_draft_id,
    is_valid_reference,
    utc_now,
)
from formwerk.store.tinydb_store import TinyDBStore, open_store

__all__ = [
    "AttachmentMeta",
    "AttachmentRef",
    "CorruptStoreFileError",
    "Draft",
    "DuplicateAttachmentError",
    "IdempotencyConflictError",
    "InvalidIdentifierError",
    "NewSubmission",
    "ReferencePrefixConflictError",
    "StatusChange",
    "Store",
    "StoreError",
    "Submission",
    "SubmissionNotFoundError",
    "SubmissionStatus",
    "TinyDBStore",
    "format_reference",
    "is_valid_draft_id",
    "is_valid_reference",
    "open_store",
    "sweep_temp_files",
    "utc_now",
]
