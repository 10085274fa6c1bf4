"""Clean-up of abandoned drafts and their files (issue 4: after a configurable time).

Expired drafts and their attachment records are deleted; then every stored file that no
attachment record names and that is older than the cut-off is swept. Submissions keep
their attachments' records (the submit moves them atomically from the draft to the
submission), and fresh uploads are younger than the cut-off, so neither is ever swept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from formwerk.blobs import BlobStore
from formwerk.store import Store, utc_now


@dataclass(frozen=True)
class CleanupResult:
    """What one clean-up run removed."""

    drafts: int
    attachments: int
    files: int


def clean_up(
    store: Store, blobs: BlobStore, *, ttl: timedelta, now: datetime | None = None
) -> CleanupResult:
    """Delete drafts idle for longer than ``ttl``, their attachment records, unused files."""
    cutoff = (now or utc_now()) - ttl
    drafts = attachments = 0
    for draft in store.list_expired_drafts(cutoff):
        for meta in store.list_attachments(draft.draft_id):
            attachments += store.delete_attachment(meta.id)
        drafts += store.delete_draft(draft.draft_id)
    # sweep() also removes temporary files of uploads that died half-way.
    files = blobs.sweep(store.attachment_hashes(), older_than=cutoff)
    return CleanupResult(drafts, attachments, files)
