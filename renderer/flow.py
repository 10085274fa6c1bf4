"""The form flow: one page per step, check your answers, submit, confirmation.

The application in progress is a draft on the server, keyed by the session cookie, so the
whole flow works without JavaScript. Every POST carries a CSRF token. After a successful
POST the browser is redirected (POST/redirect/GET), so a reload never posts twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from form_definitions.authorities import Authority
from form_definitions.definition import ServiceDefinition, Step
from formwerk.store import Store
from renderer import session
from renderer.actions import apply_action
from renderer.archive import keep_definition
from renderer.decode import decode_step
from renderer.documents import confirmation_url
from renderer.messages import FieldError, step_errors, validate
from renderer.pages import published_service
from renderer.paths import get_path, parse_name
from renderer.render import has_files, render_step, shown_fields, step_views
from renderer.submissions import iter_refs, keep_upload, place_file, submit_application
from renderer.templating import render, render_html
from renderer.uploads import (
    FieldPolicy,
    ParsedForm,
    UploadError,
    parse_multipart,
    policies_for_definition,
)
from renderer.views import FieldView

CHECK = "pruefen"
#: The step a draft is left at after its submission: reloads and "Zurück" land on the
#: confirmation, "Jetzt starten" begins a new application.
SUBMITTED = "eingereicht"


@dataclass
class Visit:
    """Who is filling in what: the service, the session and the draft's data."""

    service: ServiceDefinition
    authority: Authority
    sid: str
    new_session: bool
    draft_id: str
    data: dict[str, Any]
    step_id: str | None
    #: Identifies this application: the draft id plus when the draft was started, so that
    #: a second application for the same service in the same session gets its own key.
    application_key: str = ""
    #: The reference, once this application has been submitted.
    submitted: str | None = None

    def base(self) -> str:
        return f"/leistungen/{self.service.id}"


def _visit(request: Request) -> Visit:
    service = published_service(request)
    authority = request.app.state.catalogue.authorities[service.meta.authority]
    sid, new = session.ensure_session(request)
    did = session.draft_id(request.app.state.secret, sid, service.id)
    store: Store = request.app.state.store
    draft = None if new else store.get_draft(did)
    if draft is None or draft.service_id != service.id:
        return Visit(service, authority, sid, new, did, initial_data(service), None)
    visit = Visit(
        service,
        authority,
        sid,
        new,
        did,
        draft.data,  # get_draft hands out data of our own
        draft.step,
        application_key=f"{did}.{int(draft.created_at.timestamp() * 1000)}",
    )
    if draft.step == SUBMITTED:
        visit.submitted = str(draft.data.get("reference", ""))
    return visit


def initial_data(service: ServiceDefinition) -> dict[str, Any]:
    """A new draft: top-level defaults and read-only values of the definition."""
    properties = service.schema.get("properties", {})
    return {
        name: schema["default"]
        for name, schema in properties.items()
        if isinstance(schema, Mapping) and "default" in schema
    }


def _step(visit: Visit, step_id: str) -> tuple[int, Step]:
    for index, step in enumerate(visit.service.steps):
        if step.id == step_id:
            return index, step
    raise HTTPException(404)


#: Every page of an application shows personal data: never cached (given to each response).
NO_STORE = {"cache-control": "no-store"}


def _respond(visit: Visit, request: Request, response: Response) -> Response:
    if visit.new_session:
        session.set_session_cookie(response, request, visit.sid)
    return response


def _redirect(visit: Visit, request: Request, url: str) -> Response:
    return _respond(visit, request, RedirectResponse(url, 303, NO_STORE))


def _save(request: Request, visit: Visit, step_id: str) -> None:
    store: Store = request.app.state.store
    store.save_draft(visit.draft_id, visit.service.id, visit.data, step_id)


async def _posted(request: Request, visit: Visit) -> ParsedForm:
    """The posted form (files streamed to disk within limits), after the CSRF check."""
    lookup: Callable[[str], FieldPolicy | None] | None = None

    def policy(name: str) -> FieldPolicy | None:
        # Asked only for a file part: counting the files already attached waits till then.
        nonlocal lookup
        if lookup is None:
            lookup = policies_for_definition(visit.service.schema, _attached_counts(visit))
        return lookup(name)

    parsed = await parse_multipart(
        request, request.app.state.upload_limits, policy, request.app.state.blobs.incoming_dir
    )
    token = next((v for k, v in parsed.fields if k == "_csrf"), "")  # the form's first field
    if visit.new_session or not session.csrf_valid(request.app.state.secret, visit.sid, token):
        parsed.cleanup()
        raise HTTPException(403, "Ihre Sitzung ist abgelaufen oder ungültig.")
    return parsed


def _attached_counts(visit: Visit) -> dict[str, int]:
    """Files already attached per files field (single-file fields are replaced instead)."""
    counts: dict[str, int] = {}
    for path, _ in iter_refs(visit.service.schema, visit.service.schema, visit.data):
        if isinstance(path[-1], int):
            name = ".".join(str(p) for p in path[:-1])
            counts[name] = counts.get(name, 0) + 1
    return counts


async def begin(request: Request) -> Response:
    """The start button: continue a draft where it was left, or start at step 1."""
    visit = _visit(request)
    if visit.submitted is not None:  # the last application was sent: begin a new one
        request.app.state.store.delete_draft(visit.draft_id)
        visit = _visit(request)
    steps = [s.id for s in visit.service.steps]
    target = visit.step_id if visit.step_id in [*steps, CHECK] else steps[0]
    if target == CHECK:
        return _redirect(visit, request, f"{visit.base()}/{CHECK}")
    return _redirect(visit, request, f"{visit.base()}/antrag/{target}")


def _summary_errors(views: list[FieldView], errors: list[FieldError]) -> list[tuple[str, str]]:
    """(message, target id) for the error summary, in the order of the page."""
    targets: dict[tuple[str | int, ...], str] = {}

    def collect(view_list: list[FieldView]) -> None:
        for view in view_list:
            targets[view.path] = view.target
            collect(view.children)
            for item in view.items:
                collect(item.fields)

    collect(views)
    return [(e.summary, targets.get(e.path, "inhalt")) for e in errors]


def _render_step(
    request: Request,
    visit: Visit,
    index: int,
    step: Step,
    errors: list[FieldError],
    status_code: int = 200,
    upload_error: UploadError | None = None,
) -> Response:
    if upload_error is not None:
        path = parse_name(upload_error.field) if upload_error.field else ()
        errors = [FieldError(path, "upload", upload_error.message), *errors]
    returning = request.query_params.get("aendern") == "1"
    fields = render_step(visit.service, step, visit.data, {e.path: e.message for e in errors})
    csrf = session.csrf_token(request.app.state.secret, visit.sid)
    shell = None if errors else _step_shell(request, visit, index, step, returning)
    if shell is not None:
        head, middle, tail = shell
        page = b"".join((head, csrf.encode(), middle, fields.encode(), tail))
        response: Response = HTMLResponse(page, status_code, NO_STORE)
        return _respond(visit, request, response)
    response = render(
        request,
        "step.html",
        status_code=status_code,
        headers=NO_STORE,
        **_step_context(visit, index, step, returning),
        fields=fields,
        # The error summary links to each field's first control: only error pages need
        # the field views for that.
        errors=_summary_errors(step_views(visit.service, step, visit.data, {}), errors),
        csrf=csrf,
    )
    return _respond(visit, request, response)


def _step_context(visit: Visit, index: int, step: Step, returning: bool) -> dict[str, Any]:
    return {
        "service": visit.service,
        "authority": visit.authority,
        "step": step,
        "index": index,
        "total": len(visit.service.steps),
        "multipart": has_files(visit.service, step),
        "returning": returning,
    }


#: Stand-ins for the two per-request parts of a step page without errors.
_CSRF_HOLE = "\x00csrf\x00"
_FIELDS_HOLE = "\x00fields\x00"


def _step_shell(
    request: Request, visit: Visit, index: int, step: Step, returning: bool
) -> tuple[bytes, bytes, bytes] | None:
    """The step page without errors, cut around the CSRF token and the fields, encoded.

    Everything else on it depends only on the definition version, so it is rendered once
    and reused; None if the page cannot be cut (a hole's text in a definition).
    """
    shells: dict[tuple[str, str, str, bool], tuple[bytes, bytes, bytes] | None]
    shells = request.app.state.step_shells
    key = (visit.service.sha256, step.id, visit.authority.id, returning)
    if key not in shells:
        html = render_html(
            request,
            "step.html",
            **_step_context(visit, index, step, returning),
            fields=Markup(_FIELDS_HOLE),
            errors=[],
            csrf=_CSRF_HOLE,
        )
        shell = None
        if html.count(_CSRF_HOLE) == 1 and html.count(_FIELDS_HOLE) == 1:
            head, _, rest = html.partition(_CSRF_HOLE)
            middle, _, tail = rest.partition(_FIELDS_HOLE)
            shell = (head.encode(), middle.encode(), tail.encode())
        if len(shells) >= 1024:
            shells.clear()
        shells[key] = shell
    return shells[key]


async def step_page(request: Request) -> Response:
    """GET: show one step with the draft's answers."""
    visit = _visit(request)
    if visit.submitted is not None:
        return _redirect(visit, request, confirmation_url(request, visit.submitted))
    index, step = _step(visit, request.path_params["step_id"])
    return _render_step(request, visit, index, step, [])


async def step_post(request: Request) -> Response:
    """POST: keep what was entered; then add/remove, go back, or validate and go on."""
    visit = _visit(request)
    if visit.submitted is not None:  # a page from before the submit, posted again
        return _redirect(visit, request, confirmation_url(request, visit.submitted))
    index, step = _step(visit, request.path_params["step_id"])
    rendered = shown_fields(visit.service, step, visit.data)
    try:
        parsed = await _posted(request, visit)
    except UploadError as error:
        # Show the step again with what was typed, and the problem at the file field.
        visit.data = decode_step(visit.service, step, error.fields, visit.data, rendered=rendered)
        _save(request, visit, step.id)
        return _render_step(
            request, visit, index, step, [], status_code=error.status_code, upload_error=error
        )
    pairs = parsed.fields
    action = parsed.last("_action", "weiter")
    visit.data = decode_step(visit.service, step, pairs, visit.data, rendered=rendered)
    try:
        for incoming in parsed.files:
            ref = await run_in_threadpool(
                keep_upload,
                request.app.state.store,
                request.app.state.blobs,
                incoming,
                visit.draft_id,
            )
            place_file(visit.service, visit.data, incoming.field, ref)
    finally:
        parsed.cleanup()
    returning = parsed.last("_aendern") == "1"
    here = f"{visit.base()}/antrag/{step.id}" + ("?aendern=1" if returning else "")
    steps = visit.service.steps
    if action.startswith("upload:"):
        # "Hochladen": stay on the step; the new file shows in the field's list (WCAG 4.1.3)
        _save(request, visit, step.id)
        return _redirect(visit, request, here + "#f-" + action[7:].replace(".", "-"))
    if action.startswith(("add:", "remove:", "remove-file:")):
        visit.data = apply_action(visit.service.schema, visit.data, action)
        if action.startswith("remove-file:"):
            _forget_upload(request, visit, action.rpartition(":")[2])
        _save(request, visit, step.id)
        return _redirect(visit, request, here + _anchor(action, visit.data))
    if action == "zurueck":
        _save(request, visit, step.id)
        if index == 0:
            return _redirect(visit, request, visit.base())
        return _redirect(visit, request, f"{visit.base()}/antrag/{steps[index - 1].id}")

    errors = step_errors(visit.service, visit.data, tuple(rendered))
    if errors:
        _save(request, visit, step.id)
        return _render_step(request, visit, index, step, errors, status_code=422)
    if returning or index == len(steps) - 1:
        _save(request, visit, CHECK)
        return _redirect(visit, request, f"{visit.base()}/{CHECK}")
    _save(request, visit, steps[index + 1].id)
    return _redirect(visit, request, f"{visit.base()}/antrag/{steps[index + 1].id}")


def _forget_upload(request: Request, visit: Visit, attachment_id: str) -> None:
    """Delete the record of a removed file of this draft (the file goes with the sweep)."""
    store: Store = request.app.state.store
    meta = store.get_attachment(attachment_id)
    if meta is not None and meta.owner == visit.draft_id:
        store.delete_attachment(attachment_id)


def _anchor(action: str, data: Mapping[str, Any]) -> str:
    """Where the page should scroll after an add or remove: the new entry or the group."""
    verb, _, argument = action.partition(":")
    if verb == "add":
        entries = get_path(data, parse_name(argument))
        count = len(entries) if isinstance(entries, list) else 0
        return "#f-" + argument.replace(".", "-") + f"-{max(count - 1, 0)}"
    name = (
        argument.split(":")[0].rsplit(".", 1)[0]
        if verb == "remove"
        else argument.rpartition(":")[0]
    )
    return "#f-" + quote(name.replace(".", "-"))


def _check_response(
    request: Request, visit: Visit, errors: list[FieldError], status_code: int = 200
) -> Response:
    from renderer.summary import summarize

    steps = {s.id: s for s in visit.service.steps}
    step_of = {name: s.id for s in visit.service.steps for name in s.properties}
    summary_errors = [
        (
            e.summary,
            f"{visit.base()}/antrag/{step_of.get(str(e.path[0]), '')}?aendern=1"
            f"#f-{'-'.join(str(p) for p in e.path)}",
        )
        for e in errors
    ]
    response = render(
        request,
        "check.html",
        status_code=status_code,
        headers=NO_STORE,
        service=visit.service,
        authority=visit.authority,
        steps=steps,
        summary=summarize(visit.service, visit.data),
        errors=summary_errors,
        csrf=session.csrf_token(request.app.state.secret, visit.sid),
    )
    return _respond(visit, request, response)


async def check_page(request: Request) -> Response:
    """Check your answers (WCAG 3.3.4): every answer by step, with "Ändern" links."""
    visit = _visit(request)
    if visit.submitted is not None:
        return _redirect(visit, request, confirmation_url(request, visit.submitted))
    if visit.new_session:
        return _redirect(visit, request, visit.base())
    return _check_response(request, visit, [])


async def submit(request: Request) -> Response:
    """Absenden: validate the whole application, store it once, confirm it."""
    visit = _visit(request)
    try:
        (await _posted(request, visit)).cleanup()
    except UploadError as error:
        raise HTTPException(error.status_code, error.message) from error
    store: Store = request.app.state.store
    if visit.submitted is not None:  # "Absenden" pressed twice, or a reload after it
        return _redirect(visit, request, confirmation_url(request, visit.submitted))
    errors = validate(visit.service, visit.data)
    if errors or not visit.application_key:
        return _check_response(request, visit, errors, status_code=422)
    keep_definition(request.app.state.settings.data_dir, visit.service)
    submission = await run_in_threadpool(
        submit_application,
        store,
        visit.service,
        visit.authority,
        visit.data,
        visit.application_key,
        request.app.state.blobs,
    )
    # Files uploaded but no longer part of the application stay with the draft record,
    # so the clean-up can find them.
    for meta in store.list_attachments(visit.draft_id):
        store.delete_attachment(meta.id)
    # The answers leave the draft (they are in the submission now); the marker stays.
    store.save_draft(
        visit.draft_id, visit.service.id, {"reference": submission.reference}, SUBMITTED
    )
    return _redirect(visit, request, confirmation_url(request, submission.reference))
