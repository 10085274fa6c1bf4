"""File uploads from plain HTML forms: streaming parsing, limits, type sniffing, names.

A form route calls ``parse_multipart`` for every post (multipart or urlencoded), moves
each ``IncomingFile`` into the ``BlobStore`` (``formwerk.blobs``) and records an
attachment; ``policy_for_field`` and ``policies_for_definition`` turn a definition's file
fields (``x-ui.accept``, ``x-ui.maxBytes``, ``maxItems``) into ``FieldPolicy`` objects.
"""

from renderer.uploads.display import MAX_NAME_LENGTH, format_bytes, safe_display_name
from renderer.uploads.errors import UploadError
from renderer.uploads.filetypes import (
    DEFAULT_ACCEPT,
    FILE_TYPES,
    FileType,
    describe_types,
    inspect_zip,
    sniff_media_type,
    with_matching_extension,
)
from renderer.uploads.parser import (
    CHUNK_BYTES,
    FieldPolicy,
    IncomingFile,
    ParsedForm,
    Policies,
    UploadLimits,
    parse_multipart,
    remove_stale_uploads,
)
from renderer.uploads.policies import policies_for_definition, policy_for_field

__all__ = [
    "CHUNK_BYTES",
    "DEFAULT_ACCEPT",
    "FILE_TYPES",
    "MAX_NAME_LENGTH",
    "FieldPolicy",
    "FileType",
    "IncomingFile",
    "ParsedForm",
    "Policies",
    "UploadError",
    "UploadLimits",
    "describe_types",
    "format_bytes",
    "inspect_zip",
    "parse_multipart",
    "policies_for_definition",
    "policy_for_field",
    "remove_stale_uploads",
    "safe_display_name",
    "sniff_media_type",
    "with_matching_extension",
]
