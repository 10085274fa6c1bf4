"""Turning an application into a stored submission: shared by the form flow and the API.

A submission is confirmed only after ``Store.add_submission`` returned, that is after its
file was fsynced and renamed into place (issue 4: nothing a citizen was told is received
may ever be lost).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator, Mapping
from typing import Any

from form_definitions.authorities import Authority
from form_definitions.conditions import prune_hidden
from form_definitions.definition import ServiceDefinition
from form_definitions.fields import Kind, field_info, is_attachment, item_schema, kind_of, resolve
from formwerk.blobs import BlobStore
from formwerk.store import AttachmentMeta, NewSubmission, Store, Submission
from renderer.uploads import IncomingFile

log = logging.getLogger("formwerk.submissions")


def iter_refs(
    root: Mapping[str, Any], obj: Mapping[str, Any], data: Any, prefix: tuple = ()
) -> Iterator[tuple[tuple, dict[str, Any]]]:
    """(path, attachment reference) for every file answer in ``data``, in schema order."""
    if not isinstance(data, Mapping):
        return
    for name, schema in obj.get("properties", {}).items():
        if name not in data:
            continue
        value, path = data[name], (*prefix, name)
        kind, resolved = field_info(schema, root)
        if kind is Kind.FILE and isinstance(value, Mapping):
            yield path, dict(value)
        elif kind is Kind.FILES and isinstance(value, list):
            for index, ref in enumerate(value):
                if isinstance(ref, Mapping):
                    yield (*path, index), dict(ref)
        elif kind is Kind.GROUP:
            yield from iter_refs(root, resolved, value, path)
        elif kind is Kind.REPEAT and isinstance(value, list):
            items = item_schema(schema, root)
            for index, entry in enumerate(value):
                yield from iter_refs(root, items, entry, (*path, index))


def attachments_of(definition: ServiceDefinition, answers: Mapping[str, Any]) -> list[dict]:
    """The attachment references of an application's (pruned) answers."""
    root = definition.schema
    return [ref for _, ref in iter_refs(root, root, answers)]


def new_attachment_id() -> str:
    """A random attachment id (format: ``att_`` + 24 url-safe characters)."""
    return "att_" + secrets.token_urlsafe(18)


def keep_upload(store: Store, blobs: BlobStore, incoming: IncomingFile, owner: str) -> dict:
    """Move an uploaded file into the blob store and record it; return its reference."""
    sha256 = blobs.put_file(incoming.path)
    meta = store.add_attachment(
        AttachmentMeta(
            id=new_attachment_id(),
            owner=owner,
            name=incoming.filename,
            mediaType=incoming.media_type,
            size=incoming.size,
            sha256=sha256,
        )
    )
    return {
        "id": meta.id,
        "name": meta.name,
        "mediaType": meta.media_type,
        "size": meta.size,
        "sha256": meta.sha256,
    }


def place_file(
    definition: ServiceDefinition, data: dict[str, Any], field: str, ref: dict[str, Any]
) -> None:
    """Put a new reference into the data at a file field's name (``hunde.0.nachweis``).

    A single-file field takes the new file in place of the old one; a files field appends.
    """
    root = definition.schema
    parts = [int(p) if p.isdigit() else p for p in field.split(".")]
    container: Any = data
    obj: Mapping[str, Any] = root
    for index, part in enumerate(parts[:-1]):
        if isinstance(part, int):
            container = container[part]
            continue
        schema = obj["properties"][part]
        kind = kind_of(schema, root)
        if kind is Kind.REPEAT:
            container = container.setdefault(part, [])
            while len(container) <= parts[index + 1]:
                container.append({})
            obj = item_schema(schema, root)
        else:
            container = container.setdefault(part, {})
            obj = resolve(schema, root)
    schema = obj["properties"][parts[-1]]
    if is_attachment(schema) or kind_of(schema, root) is Kind.FILE:
        container[parts[-1]] = ref
    else:
        container.setdefault(parts[-1], []).append(ref)


def submit_application(
    store: Store,
    definition: ServiceDefinition,
    authority: Authority,
    data: Mapping[str, Any],
    idempotency_key: str,
    blobs: BlobStore | None = None,
) -> Submission:
    """Store a validated application once (the same key returns the first submission).

    The attachments' records move from the draft to the submission, so the clean-up of
    abandoned drafts never touches files that were submitted. Should a crash come between
    storing and moving, the next attempt (same key) finds the submission and moves them.
    """
    existing = store.find_by_idempotency_key(idempotency_key)
    if existing is not None:
        for ref in existing.attachments:
            store.reassign_attachment(ref.id, existing.reference)
        if blobs is not None:
            keep_filled_form(store, blobs, definition, existing)
        return existing
    root = definition.schema
    answers = prune_hidden(root, root, data)
    refs = attachments_of(definition, answers)
    submission = store.add_submission(
        NewSubmission(
            service_id=definition.id,
            service_version=definition.meta.version,
            definition_sha256=definition.sha256,
            authority_id=authority.id,
            reference_prefix=authority.referencePrefix,
            answers=answers,
            attachments=tuple(refs),
            idempotency_key=idempotency_key,
        )
    )
    for ref in refs:
        store.reassign_attachment(ref["id"], submission.reference)
    if blobs is not None:
        keep_filled_form(store, blobs, definition, submission)
    return submission


FILLED_FORM_PREFIX = "Formular-"


def keep_filled_form(
    store: Store, blobs: BlobStore, definition: ServiceDefinition, submission: Submission
) -> AttachmentMeta | None:
    """For a service migrated from a PDF: the original PDF filled with the answers, kept as
    a second document of the submission beside the receipt (issue 5, fill-back).

    Runs again safely: a submission gets at most one filled form. A failure is logged and
    never undoes the submission, which is already stored and confirmed.
    """
    if definition.path is None or "x-pdf" not in definition.schema:
        return None
    name = f"{FILLED_FORM_PREFIX}{submission.reference}.pdf"
    for meta in store.list_attachments(submission.reference):
        if meta.name == name:
            return meta
    from migration import MigrationError, fill_application

    try:
        pdf = fill_application(definition.schema, definition.path, dict(submission.answers))
    except MigrationError:
        log.exception("fill-back failed for %s", submission.reference)
        return None
    if pdf is None:
        return None
    return store.add_attachment(
        AttachmentMeta(
            id=new_attachment_id(),
            owner=submission.reference,
            name=name,
            mediaType="application/pdf",
            size=len(pdf),
            sha256=blobs.put_bytes(pdf),
        )
    )
