"""The form flow: one page per step, check your answers, submit, confirmation.

The application in progress is a draft on the server, keyed by the session cookie, so the
whole flow works without JavaScript. Every POST carries a CSRF token. After a successful
POST the browser is redirected (POST/redirect/GET), so a reload never posts twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from starlette.datastructures import URL
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from form_definitions.authorities import Authority
from form_definitions.definition import ServiceDefinition, Step
from formwerk.store import NewSubmission, Store
from renderer import session
from renderer.actions import apply_action
from renderer.decode import decode_step
from renderer.messages import FieldError, step_errors, validate
from renderer.pages import published_service
from renderer.render import render_fields, step_views
from renderer.templating import render
from renderer.views import FieldView

CHECK = "pruefen"


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

    def base(self) -> str:
        return f"/leistungen/{self.service.id}"


def _visit(request: Request) -> Visit:
    service = published_service(request)
    authority = request.app.state.catalogue.authorities[service.meta.authority]
    sid, new = session.ensure_session(request)
    did = session.draft_id(request.app.state.secret, sid, service.id)
    store: Store = request.app.state.store
    draft = None if new else store.get_draft(did)
    if draft is not None and draft.service_id == service.id:
        data, step_id = dict(draft.data), draft.step
    else:
        data, step_id = initial_data(service), None
    return Visit(service, authority, sid, new, did, data, step_id)


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


def _respond(visit: Visit, request: Request, response: Response) -> Response:
    if visit.new_session:
        session.set_session_cookie(response, request, visit.sid)
    response.headers["cache-control"] = "no-store"  # personal data: never cached
    return response


def _redirect(visit: Visit, request: Request, url: str) -> Response:
    return _respond(visit, request, RedirectResponse(url, status_code=303))


def _save(request: Request, visit: Visit, step_id: str) -> None:
    store: Store = request.app.state.store
    store.save_draft(visit.draft_id, visit.service.id, visit.data, step_id)


async def _posted(request: Request, visit: Visit) -> list[tuple[str, str]]:
    """The posted text fields, after the CSRF check."""
    form = await request.form()
    pairs = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    token = next((v for k, v in pairs if k == "_csrf"), "")
    if visit.new_session or not session.csrf_valid(request.app.state.secret, visit.sid, token):
        raise HTTPException(403, "Ihre Sitzung ist abgelaufen oder ungültig.")
    return pairs


async def begin(request: Request) -> Response:
    """The start button: continue a draft where it was left, or start at step 1."""
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
    return [(e.message, targets.get(e.path, "inhalt")) for e in errors]


def _render_step(
    request: Request,
    visit: Visit,
    index: int,
    step: Step,
    errors: list[FieldError],
    status_code: int = 200,
) -> Response:
    by_path = {e.path: e.message for e in errors}
    views = step_views(visit.service, step, visit.data, by_path)
    steps = visit.service.steps
    response = render(
        request,
        "step.html",
        status_code=status_code,
        service=visit.service,
        authority=visit.authority,
        step=step,
        index=index,
        total=len(steps),
        fields=render_fields(views),
        errors=_summary_errors(views, errors),
        csrf=session.csrf_token(request.app.state.secret, visit.sid),
        multipart=_has_files(views),
        returning=request.query_params.get("aendern") == "1",
    )
    return _respond(visit, request, response)


def _has_files(views: list[FieldView]) -> bool:
    return any(
        v.kind.value in ("file", "files")
        or _has_files(v.children)
        or any(_has_files(item.fields) for item in v.items)
        for v in views
    )


async def step_page(request: Request) -> Response:
    """GET: show one step with the draft's answers."""
    visit = _visit(request)
    index, step = _step(visit, request.path_params["step_id"])
    return _render_step(request, visit, index, step, [])


async def step_post(request: Request) -> Response:
    """POST: keep what was entered; then add/remove, go back, or validate and go on."""
    visit = _visit(request)
    index, step = _step(visit, request.path_params["step_id"])
    pairs = await _posted(request, visit)
    action = next((v for k, v in reversed(pairs) if k == "_action"), "weiter")
    rendered = [v.path[0] for v in step_views(visit.service, step, visit.data, {})]
    visit.data = decode_step(visit.service, step, pairs, visit.data, rendered=rendered)
    returning = next((v for k, v in pairs if k == "_aendern"), "") == "1"
    here = f"{visit.base()}/antrag/{step.id}" + ("?aendern=1" if returning else "")
    steps = visit.service.steps

    if action.startswith(("add:", "remove:", "remove-file:")):
        visit.data = apply_action(visit.service.schema, visit.data, action)
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


def _anchor(action: str, data: Mapping[str, Any]) -> str:
    """Where the page should scroll after an add or remove: the new entry or the group."""
    verb, _, argument = action.partition(":")
    if verb == "add":
        from renderer.paths import get_path, parse_name

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
            e.message,
            f"{visit.base()}/antrag/{step_of.get(str(e.path[0]), '')}?aendern=1"
            f"#f-{'-'.join(str(p) for p in e.path)}",
        )
        for e in errors
    ]
    response = render(
        request,
        "check.html",
        status_code=status_code,
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
    if visit.new_session:
        return _redirect(visit, request, visit.base())
    return _check_response(request, visit, [])


async def submit(request: Request) -> Response:
    """Absenden: validate the whole application, store it once, confirm it."""
    visit = _visit(request)
    await _posted(request, visit)
    store: Store = request.app.state.store
    existing = store.find_by_idempotency_key(visit.draft_id)
    if existing is not None:  # "Absenden" pressed twice, or a reload after the redirect
        return _redirect(visit, request, confirmation_url(request, existing.reference))
    errors = validate(visit.service, visit.data)
    if errors:
        return _check_response(request, visit, errors, status_code=422)
    from form_definitions.conditions import prune_hidden

    answers = prune_hidden(visit.service.schema, visit.service.schema, visit.data)
    submission = store.add_submission(
        NewSubmission(
            service_id=visit.service.id,
            service_version=visit.service.meta.version,
            definition_sha256=visit.service.sha256,
            authority_id=visit.authority.id,
            reference_prefix=visit.authority.referencePrefix,
            answers=answers,
            attachments=(),
            idempotency_key=visit.draft_id,
        )
    )
    store.delete_draft(visit.draft_id)
    return _redirect(visit, request, confirmation_url(request, submission.reference))


def confirmation_url(request: Request, reference: str) -> str:
    """The capability URL of a submission's confirmation page."""
    token = session.receipt_token(request.app.state.secret, reference)
    return str(URL(f"/antraege/{reference}").include_query_params(t=token))


async def confirmation(request: Request) -> Response:
    """The reference number and what happens next."""
    import hmac

    reference = request.path_params["reference"]
    token = request.query_params.get("t", "")
    expected = session.receipt_token(request.app.state.secret, reference)
    store: Store = request.app.state.store
    if not hmac.compare_digest(token, expected):
        raise HTTPException(404)
    submission = store.get_submission(reference)
    if submission is None:
        raise HTTPException(404)
    catalogue = request.app.state.catalogue
    service = catalogue.services.get(submission.service_id)
    authority = catalogue.authorities.get(submission.authority_id)
    response = render(
        request, "done.html", submission=submission, service=service, authority=authority
    )
    response.headers["cache-control"] = "no-store"
    return response
