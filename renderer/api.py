"""The JSON API: published services, attachments, submissions and the OpenAPI document.

Every error is RFC 7807 problem+json (``renderer.problems``) with a German ``detail`` and
a stable ``code``; invalid answers are listed in ``errors`` as JSON pointers (RFC 6901)
into the request body (``/answers/hunde/1/wesenstest``), one per field, with the same
German messages the form flow shows. Shapes and codes are documented in
``renderer.openapi`` and served at ``GET /api/v1/openapi.json``.

A submission goes through the same steps as in the flow: hidden answers dropped,
``validate``, the definition version kept, ``submit_application``. Files are uploaded first
(``POST /api/v1/attachments``); the answers carry the references that upload returned.
"""

from __future__ import annotations

import hashlib
import pathlib
import re
import secrets
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import ExitStack
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from form_definitions.catalogue import Catalogue
from form_definitions.conditions import prune_hidden
from form_definitions.definition import ServiceDefinition
from form_definitions.fields import Kind, item_schema, iter_properties, kind_of, resolve
from formwerk.store import (
    AttachmentMeta,
    IdempotencyConflictError,
    Store,
    Submission,
    is_valid_reference,
)
from formwerk.store.atomic import file_lock
from renderer.archive import keep_definition
from renderer.documents import postfach_url, receipt_url
from renderer.jsonbody import read_json_body
from renderer.messages import validate
from renderer.paths import Path, html_name, pointer
from renderer.problems import ApiError
from renderer.submissions import iter_refs, keep_upload, submit_application
from renderer.uploads import (
    DEFAULT_ACCEPT,
    FieldPolicy,
    UploadError,
    UploadLimits,
    parse_multipart,
    policies_for_definition,
    policy_for_field,
)
from renderer.uploads import errors as upload_errors

#: Room for the multipart boundary and part headers around the one file of an upload.
MULTIPART_OVERHEAD = 64 * 1024
#: The draft "service" that owns an API upload until a submission claims it, so that an
#: unclaimed upload expires with the clean-up of abandoned drafts (formwerk.cleanup).
API_UPLOAD_SERVICE = "api-upload"
API_UPLOAD_STEP = "upload"
#: Keys the client chooses: visible ASCII, as any HTTP client can send in a header.
IDEMPOTENCY_KEY_RE = re.compile(r"[\x21-\x7e]{1,128}")
#: API keys live in the store's key index next to the flow's draft ids; the prefix keeps
#: the two apart whatever a client sends.
KEY_PREFIX = "api:"
UPLOAD_FIELD = "file"


def _catalogue(request: Request) -> Catalogue:
    return request.app.state.catalogue


def _published(request: Request) -> ServiceDefinition:
    service_id = request.path_params["service_id"]
    service = _catalogue(request).services.get(service_id)
    if service is None or service.meta.status != "published":
        raise ApiError(
            404, f"Es gibt keinen veröffentlichten Dienst „{service_id}“.", "unknown_service"
        )
    return service


# --- read-only ------------------------------------------------------------------------------


async def list_services(request: Request) -> Response:
    """GET /api/v1/services: every published service."""
    catalogue = _catalogue(request)
    services = [
        {
            "id": s.id,
            "title": s.title,
            "authority": {
                "id": s.meta.authority,
                "name": catalogue.authorities[s.meta.authority].name,
            },
            "version": s.meta.version,
            "links": {
                "start": str(request.url_for("start", service_id=s.id)),
                "self": str(request.url_for("api_service", service_id=s.id)),
                "submissions": str(request.url_for("api_submissions", service_id=s.id)),
            },
        }
        for s in catalogue.published()
    ]
    return JSONResponse({"services": services})


async def get_service(request: Request) -> Response:
    """GET /api/v1/services/{id}: the definition of a published service."""
    try:
        service = _published(request)
    except ApiError as error:
        return error.response(request)
    return JSONResponse(service.schema, headers={"etag": f'"{service.sha256}"'})


async def openapi_json(request: Request) -> Response:
    """GET /api/v1/openapi.json: the OpenAPI 3.1 description of this API."""
    from renderer.openapi import openapi_document

    settings = request.app.state.settings
    return JSONResponse(openapi_document(_catalogue(request), server_url=settings.base_url))


# --- attachments ----------------------------------------------------------------------------


def file_policies(definition: ServiceDefinition) -> Iterator[FieldPolicy]:
    """The policy of every file field of a definition (shared blocks under $defs too)."""
    root = definition.schema
    objects = [root] + [
        block
        for name, block in root.get("$defs", {}).items()
        if name != "attachment" and isinstance(block, Mapping) and block.get("type") == "object"
    ]
    for obj in objects:
        for ref in iter_properties(obj, root):
            if kind_of(ref.schema, root) in (Kind.FILE, Kind.FILES):
                yield policy_for_field(ref.schema, root)


def accepted_media_types(catalogue: Catalogue) -> tuple[str, ...]:
    """What ``POST /api/v1/attachments`` takes: every type some published file field takes.

    A file no field accepts could never be submitted, so it is refused at the upload; the
    field's own list is checked again when a submission names the file. Without any file
    field the portal's default (PDF, JPEG, PNG) applies.
    """
    found: dict[str, None] = {}
    for service in catalogue.published():
        for policy in file_policies(service):
            found.update(dict.fromkeys(policy.accept))
    return tuple(found) or DEFAULT_ACCEPT


def _unsafe_name(raw: str) -> bool:
    # RFC 7578, 4.2: a receiver must not use directory information in a file name. The
    # flow cleans such names silently (a browser may send one); an API client that sends
    # one has a bug worth hearing about.
    name = raw.strip()
    return (
        "/" in name
        or "\\" in name
        or name in (".", "..")
        or any(unicodedata.category(char) == "Cc" for char in name)
    )


async def create_attachment(request: Request) -> Response:
    """POST /api/v1/attachments: store one file (field ``file``), return its reference."""
    state = request.app.state
    settings = state.settings
    limits = UploadLimits(
        max_request_bytes=settings.upload_max_file_bytes + MULTIPART_OVERHEAD,
        max_file_bytes=settings.upload_max_file_bytes,
        max_files=1,
        max_fields=20,
    )
    policy = FieldPolicy(
        accept=accepted_media_types(state.catalogue),
        max_bytes=settings.upload_max_file_bytes,
        max_files=1,
    )
    try:
        parsed = await parse_multipart(
            request, limits, {UPLOAD_FIELD: policy}, state.blobs.incoming_dir
        )
    except UploadError as error:
        return ApiError(error.status_code, error.message, error.code).response(request)
    try:
        if not parsed.files:
            raise ApiError(
                400,
                f"Die Anfrage enthält keine Datei im Feld „{UPLOAD_FIELD}“.",
                "missing_file",
            )
        incoming = parsed.files[0]
        if _unsafe_name(incoming.raw_filename):
            raise ApiError(
                422,
                "Der Dateiname darf keine Ordnerangaben („/“, „\\“) oder Steuerzeichen enthalten.",
                "file_name",
            )
        owner = secrets.token_urlsafe(32)  # an opaque draft id, as the flow's are

        def keep() -> dict[str, Any]:
            # The draft first: an attachment whose owner no draft names would never expire.
            state.store.save_draft(owner, API_UPLOAD_SERVICE, {}, API_UPLOAD_STEP)
            return keep_upload(state.store, state.blobs, incoming, owner)

        ref = await run_in_threadpool(keep)
    except ApiError as error:
        return error.response(request)
    finally:
        parsed.cleanup()
    return JSONResponse(ref, status_code=201, headers={"cache-control": "no-store"})


# --- submissions ----------------------------------------------------------------------------


def _answers_of(body: Any) -> dict[str, Any]:
    """The answers from the envelope ``{"answers": {...}}``; 422 for any other shape."""

    def refuse(where: str, keyword: str, message: str) -> ApiError:
        return ApiError(
            422,
            'Der Antrag hat nicht die erwartete Form {"answers": {…}}.',
            "invalid_envelope",
            [{"pointer": where, "keyword": keyword, "message": message}],
        )

    if not isinstance(body, dict):
        raise refuse("", "type", "Senden Sie ein JSON-Objekt mit dem Feld „answers“.")
    if "answers" not in body:
        raise refuse("/answers", "required", "Das Feld „answers“ fehlt.")
    extra = sorted(set(body) - {"answers"})
    if extra:
        raise refuse(
            pointer((extra[0],)), "additionalProperties", f"Das Feld „{extra[0]}“ gibt es nicht."
        )
    if not isinstance(body["answers"], dict):
        raise refuse("/answers", "type", "„answers“ muss ein JSON-Objekt sein.")
    return body["answers"]


def _idempotency_key(request: Request) -> str | None:
    key = request.headers.get("idempotency-key")
    if key is None:
        return None
    # RFC 8941 strings are quoted; accept the quoted form and the bare one.
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if IDEMPOTENCY_KEY_RE.fullmatch(key) is None:
        raise ApiError(
            400,
            "Der Idempotency-Key muss aus 1 bis 128 sichtbaren ASCII-Zeichen bestehen.",
            "invalid_idempotency_key",
        )
    return key


def _field_error(path: Path, keyword: str, message: str) -> dict[str, str]:
    return {"pointer": "/answers" + pointer(path), "keyword": keyword, "message": message}


def _claimable(store: Store, meta: AttachmentMeta, store_key: str) -> bool:
    """An API upload nobody submitted yet, or one that this very submission holds."""
    if is_valid_reference(meta.owner):
        # A retry that lost the race to its twin (same key) finds the file moved already.
        submission = store.get_submission(meta.owner)
        return submission is not None and submission.idempotency_key == store_key
    draft = store.get_draft(meta.owner)
    return draft is not None and draft.service_id == API_UPLOAD_SERVICE


def attachment_errors(
    store: Store,
    definition: ServiceDefinition,
    answers: Mapping[str, Any],
    store_key: str,
    invalid: set[Path],
) -> tuple[list[dict[str, str]], set[str]]:
    """Errors of the file answers, and the upload drafts that own the files.

    Every reference must name a stored upload with the same name, type, size and hash,
    that no other submission holds, whose type and size the field accepts. References
    the schema already refused (``invalid`` holds the paths with errors) are skipped.
    """
    root = definition.schema
    lookup = policies_for_definition(root)
    errors: list[dict[str, str]] = []
    owners: set[str] = set()
    seen: set[str] = set()
    for path, ref in iter_refs(root, root, prune_hidden(root, root, answers)):
        if any(path[:end] in invalid for end in range(len(path) + 1)):
            continue
        field = path[:-1] if isinstance(path[-1], int) else path
        policy = lookup(html_name(field)) or FieldPolicy()
        label = policy.label or "Datei"
        meta = store.get_attachment(ref["id"])
        name = str(ref["name"])
        if meta is None or (meta.name, meta.media_type, meta.size, meta.sha256) != (
            ref["name"],
            ref["mediaType"],
            ref["size"],
            ref["sha256"],
        ):
            message = (
                f"„{label}“ verweist nicht auf eine hochgeladene Datei. "
                "Laden Sie die Datei erneut hoch."
            )
            errors.append(_field_error(path, "attachment", message))
        elif meta.id in seen:
            message = f"Die Datei „{name}“ ist in diesem Antrag schon angegeben."
            errors.append(_field_error(path, "attachment", message))
        elif not _claimable(store, meta, store_key):
            message = (
                f"Die Datei „{name}“ gehört zu einem anderen Antrag. "
                "Laden Sie sie für diesen Antrag erneut hoch."
            )
            errors.append(_field_error(path, "attachment", message))
        elif meta.media_type not in policy.accept:
            message = upload_errors.wrong_type(name, policy.accept, "").message
            errors.append(_field_error(path, "accept", message))
        elif meta.size > policy.max_bytes:
            message = upload_errors.file_too_large(name, policy.max_bytes, "").message
            errors.append(_field_error(path, "maxBytes", message))
        else:
            owners.add(meta.owner)
        if meta is not None:
            seen.add(meta.id)
    return errors, owners


def unknown_members(
    root: Mapping[str, Any], obj: Mapping[str, Any], data: Any, prefix: Path = ()
) -> Iterator[Path]:
    """Paths of answers no property of the definition describes, at every depth.

    Definitions leave ``additionalProperties`` open; a browser can only post the fields a
    page shows, so the API refuses what the form could never send instead of storing it.
    """
    if not isinstance(data, Mapping) or "additionalProperties" in obj:
        return
    properties = obj.get("properties", {})
    for name, value in data.items():
        schema = properties.get(name)
        path = (*prefix, name)
        if not isinstance(schema, Mapping):
            yield path
            continue
        kind = kind_of(schema, root)
        if kind is Kind.GROUP:
            yield from unknown_members(root, resolve(schema, root), value, path)
        elif kind is Kind.REPEAT and isinstance(value, list):
            items = item_schema(schema, root)
            for index, entry in enumerate(value):
                yield from unknown_members(root, items, entry, (*path, index))


def _created(request: Request, submission: Submission, status: int) -> Response:
    reference = submission.reference
    base = request.app.state.settings.base_url.rstrip("/")
    postfach = postfach_url(request, reference)
    body = {
        "reference": reference,
        "service": submission.service_id,
        "submittedAt": submission.created_at.isoformat().replace("+00:00", "Z"),
        "links": {"receipt": base + receipt_url(request, reference), "postfach": postfach},
    }
    headers = {"location": postfach, "cache-control": "no-store"}
    if status == 200:
        headers["idempotent-replayed"] = "true"
    return JSONResponse(body, status_code=status, headers=headers)


def _reused_key() -> ApiError:
    return ApiError(
        422,
        "Dieser Idempotency-Key wurde schon für einen anderen Antrag verwendet.",
        "idempotency_key_reused",
    )


def _claim_locks(
    data_dir: pathlib.Path, answers: Mapping[str, Any], root: Mapping[str, Any]
) -> ExitStack:
    """Locks on the attachments an application names, held from their check to the store.

    Without them two submissions (different keys) naming one upload could both find it
    unclaimed and both store it. Striped by id, taken in one order (no deadlock), and
    always before the store's own locks; ``flock`` excludes threads and processes alike.
    """
    ids = {str(ref.get("id")) for _, ref in iter_refs(root, root, answers)}
    stripes = sorted({hashlib.sha256(i.encode()).hexdigest()[:2] for i in ids})
    stack = ExitStack()
    try:
        for stripe in stripes:
            stack.enter_context(file_lock(data_dir / "locks" / f"claim-{stripe}.lock"))
    except BaseException:
        stack.close()
        raise
    return stack


def _submit(
    request: Request, service: ServiceDefinition, answers: dict[str, Any], key: str | None
) -> Response:
    """Validate and store (in a worker thread: validation and fsyncs block)."""
    store: Store = request.app.state.store
    data_dir = request.app.state.settings.data_dir
    root = service.schema
    pruned = prune_hidden(root, root, answers)
    store_key = KEY_PREFIX + (key or secrets.token_urlsafe(24))
    if key is not None:
        existing = store.find_by_idempotency_key(store_key)
        if existing is not None:
            if existing.service_id != service.id or existing.answers != pruned:
                raise _reused_key()
            return _created(request, existing, 200)
    field_errors = validate(service, answers)
    errors = [_field_error(e.path, e.keyword, e.summary) for e in field_errors]
    known = {e.path for e in field_errors}
    errors += [
        _field_error(
            path,
            "additionalProperties",
            f"Die Angabe „{path[-1]}“ gibt es in diesem Formular nicht.",
        )
        for path in unknown_members(root, root, pruned)
        if path not in known
    ]
    with _claim_locks(data_dir, pruned, root):
        more, owners = attachment_errors(store, service, answers, store_key, known)
        errors += more
        if errors:
            detail = (
                "Eine Angabe ist ungültig."
                if len(errors) == 1
                else f"{len(errors)} Angaben sind ungültig."
            )
            raise ApiError(422, detail, "invalid_answers", errors)
        authority = _catalogue(request).authorities[service.meta.authority]
        keep_definition(data_dir, service)
        try:
            submission = submit_application(
                store, service, authority, answers, store_key, request.app.state.blobs
            )
        except IdempotencyConflictError:
            raise _reused_key() from None
    for owner in owners:
        # Each upload has its own draft; once its file moved to the submission it is empty.
        if not is_valid_reference(owner) and not store.list_attachments(owner):
            store.delete_draft(owner)
    return _created(request, submission, 201)


async def create_submission(request: Request) -> Response:
    """POST /api/v1/services/{id}/submissions: submit ``{"answers": {...}}``."""
    try:
        service = _published(request)
        key = _idempotency_key(request)
        answers = _answers_of(await read_json_body(request))
        return await run_in_threadpool(_submit, request, service, answers, key)
    except ApiError as error:
        return error.response(request)


routes = [
    Route("/api/v1/services", list_services, name="api_services"),
    Route("/api/v1/services/{service_id}", get_service, name="api_service"),
    Route(
        "/api/v1/services/{service_id}/submissions",
        create_submission,
        methods=["POST"],
        name="api_submissions",
    ),
    Route("/api/v1/attachments", create_attachment, methods=["POST"], name="api_attachments"),
    Route("/api/v1/openapi.json", openapi_json, name="api_openapi"),
]
