"""POST /api/v1/services/{id}/submissions: the same rules as the form, plus references."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from formwerk.cleanup import clean_up
from formwerk.store import utc_now
from renderer.api import API_UPLOAD_SERVICE
from renderer.messages import validate
from renderer.paths import pointer
from tests.api.helpers import (
    CATALOGUE,
    PNG,
    assert_problem,
    sample_answers,
    snapshot,
    submit,
    upload,
    with_uploads,
)

SERVICES = sorted(s.id for s in CATALOGUE.published())


@pytest.mark.parametrize("service_id", SERVICES)
def test_sample_answers_are_stored_with_receipt_and_postfach(
    service_id: str, client: TestClient, app: Starlette
) -> None:
    definition = CATALOGUE.services[service_id]
    answers = with_uploads(client, definition, sample_answers(service_id))
    response = submit(client, service_id, answers)
    assert response.status_code == 201, response.text
    body = response.json()
    reference = body["reference"]
    prefix = CATALOGUE.authorities[definition.meta.authority].referencePrefix
    assert reference.startswith(prefix + "-")
    assert body["service"] == service_id
    assert response.headers["location"] == body["links"]["postfach"]
    for link in body["links"].values():
        assert urlsplit(link).scheme in ("http", "https")  # absolute
    store = app.state.store
    stored = store.get_submission(reference)
    assert stored is not None and stored.service_version == definition.meta.version
    assert stored.definition_sha256 == definition.sha256
    kept = app.state.settings.data_dir / "definitions" / f"{definition.sha256}.json"
    assert kept.is_file()
    # The files moved to the submission; the upload drafts are gone.
    refs = {a.id for a in stored.attachments}
    listed = {m.id: m for m in store.list_attachments(reference)}
    assert refs <= set(listed)
    # ... plus, for a service migrated from a PDF, the filled-in original (fill-back)
    if "x-pdf" in definition.schema:
        assert any(m.name == f"Formular-{reference}.pdf" for m in listed.values())
    for meta in listed.values():
        assert app.state.blobs.exists(meta.sha256)
    assert not store.list_expired_drafts(utc_now() + timedelta(days=1))
    receipt = client.get(body["links"]["receipt"])
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF-")
    assert client.get(body["links"]["postfach"]).status_code == 200


def test_errors_are_the_forms_messages_one_per_field(client: TestClient, app: Starlette) -> None:
    answers = sample_answers("meldebescheinigung")
    del answers["vorname"]
    answers["geburtsdatum"] = "31.02.1990"
    answers["unbekannt"] = 1
    before = snapshot(app)
    response = submit(client, "meldebescheinigung", answers)
    body = assert_problem(response, 422, "invalid_answers")
    expected = validate(CATALOGUE.services["meldebescheinigung"], answers)
    unknown = {
        "pointer": "/answers/unbekannt",
        "keyword": "additionalProperties",
        "message": "Die Angabe „unbekannt“ gibt es in diesem Formular nicht.",
    }
    assert body["errors"] == [
        *(
            {"pointer": "/answers" + pointer(e.path), "keyword": e.keyword, "message": e.message}
            for e in expected
        ),
        unknown,
    ]
    pointers = [e["pointer"] for e in body["errors"]]
    assert len(pointers) == len(set(pointers)) == 3
    assert "/answers/vorname" in pointers and "/answers/geburtsdatum" in pointers
    assert snapshot(app) == before


def test_errors_inside_repeated_groups_point_into_them(client: TestClient) -> None:
    answers = sample_answers("hundesteuer-anmeldung")
    answers["hunde"][2]["wurfjahr"] = "letztes Jahr"
    response = submit(client, "hundesteuer-anmeldung", answers)
    body = assert_problem(response, 422)
    pointers = {e["pointer"] for e in body["errors"]}
    assert "/answers/hunde/2/wurfjahr" in pointers
    # the placeholder file reference of dog 2 names no upload
    assert "/answers/hunde/1/wesenstest" in pointers


def test_unknown_members_are_refused_at_every_depth(client: TestClient, app: Starlette) -> None:
    answers = sample_answers("hundesteuer-anmeldung")
    answers["hunde"][0]["farbe"] = "schwarz"
    answers["anschrift"]["land"] = "DE"
    answers["hunde"][1]["gefaehrlich"] = False  # drops the placeholder file reference
    before = snapshot(app)
    body = assert_problem(submit(client, "hundesteuer-anmeldung", answers), 422)
    assert sorted(e["pointer"] for e in body["errors"]) == [
        "/answers/anschrift/land",
        "/answers/hunde/0/farbe",
    ]
    assert snapshot(app) == before


def _kita(client: TestClient) -> dict[str, Any]:
    return with_uploads(
        client, CATALOGUE.services["kita-anmeldung"], sample_answers("kita-anmeldung")
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda ref: ref.update(id="att_" + "x" * 24), "verweist nicht auf eine hochgeladene"),
        (lambda ref: ref.update(sha256="0" * 64), "verweist nicht auf eine hochgeladene"),
        (lambda ref: ref.update(size=ref["size"] + 1), "verweist nicht auf eine hochgeladene"),
        (lambda ref: ref.update(name="anders.pdf"), "verweist nicht auf eine hochgeladene"),
        (lambda ref: ref.update(mediaType="image/png"), "verweist nicht auf eine hochgeladene"),
    ],
)
def test_a_reference_must_match_its_upload(
    client: TestClient, app: Starlette, change, message: str
) -> None:
    answers = _kita(client)
    change(answers["masernschutz"])
    before = snapshot(app)
    body = assert_problem(submit(client, "kita-anmeldung", answers), 422, "invalid_answers")
    assert body["errors"] == [
        {
            "pointer": "/answers/masernschutz",
            "keyword": "attachment",
            "message": body["errors"][0]["message"],
        }
    ]
    assert message in body["errors"][0]["message"]
    assert snapshot(app) == before


def test_a_file_of_another_submission_is_refused(client: TestClient) -> None:
    answers = _kita(client)
    assert submit(client, "kita-anmeldung", answers).status_code == 201
    again = submit(client, "kita-anmeldung", answers)  # no key: a second application
    body = assert_problem(again, 422, "invalid_answers")
    assert body["errors"][0]["pointer"] == "/answers/masernschutz"
    assert "gehört zu einem anderen Antrag" in body["errors"][0]["message"]


def test_a_file_of_a_citizens_draft_is_refused(client: TestClient, app: Starlette) -> None:
    answers = _kita(client)
    meta = app.state.store.get_attachment(answers["masernschutz"]["id"])
    app.state.store.save_draft("d" * 32, "kita-anmeldung", {}, "nachweise")
    app.state.store.reassign_attachment(meta.id, "d" * 32)
    body = assert_problem(submit(client, "kita-anmeldung", answers), 422)
    assert "gehört zu einem anderen Antrag" in body["errors"][0]["message"]


def test_the_same_file_twice_is_refused_at_the_second_place(client: TestClient) -> None:
    definition = CATALOGUE.services["wohngeld"]
    answers = with_uploads(client, definition, sample_answers("wohngeld"))
    answers["nachweise"][1] = answers["nachweise"][0]
    body = assert_problem(submit(client, "wohngeld", answers), 422)
    assert [e["pointer"] for e in body["errors"]] == ["/answers/nachweise/1"]
    assert "schon angegeben" in body["errors"][0]["message"]


def test_the_fields_own_types_and_size_apply(client_with) -> None:
    def pdf_only_small(doc: dict[str, Any]) -> None:
        doc["properties"]["masernschutz"]["x-ui"] = {"accept": ["application/pdf"], "maxBytes": 70}

    client = client_with("kita-anmeldung", pdf_only_small)
    answers = sample_answers("kita-anmeldung")
    png = upload(client, "impfpass.png", PNG)  # another service takes PNG: the upload does
    assert png.status_code == 201
    answers["masernschutz"] = png.json()
    body = assert_problem(submit(client, "kita-anmeldung", answers), 422)
    assert body["errors"][0]["keyword"] == "accept"
    assert body["errors"][0]["message"] == "Die Datei „impfpass.png“ ist kein PDF."
    big = upload(client, "gross.pdf", b"%PDF-1.4\n" + b"0" * 100)
    answers["masernschutz"] = big.json()
    body = assert_problem(submit(client, "kita-anmeldung", answers), 422)
    assert body["errors"][0]["keyword"] == "maxBytes"
    assert "zu groß" in body["errors"][0]["message"]


def test_hidden_answers_are_dropped_not_checked(client: TestClient, app: Starlette) -> None:
    answers = sample_answers("hundesteuer-anmeldung")
    answers["hunde"][1]["gefaehrlich"] = False  # hides the (placeholder) Wesenstest
    response = submit(client, "hundesteuer-anmeldung", answers)
    assert response.status_code == 201, response.text
    stored = app.state.store.get_submission(response.json()["reference"])
    assert "wesenstest" not in stored.answers["hunde"][1]
    assert stored.attachments == ()


def test_unpublished_service_is_not_found(client_with) -> None:
    client = client_with("meldebescheinigung", lambda doc: doc["x-service"].update(status="draft"))
    response = submit(client, "meldebescheinigung", sample_answers("meldebescheinigung"))
    assert_problem(response, 404, "unknown_service")


# --- Idempotency-Key -------------------------------------------------------------------------


def test_same_key_returns_the_same_submission_and_stores_once(
    client: TestClient, app: Starlette
) -> None:
    answers = _kita(client)
    first = submit(client, "kita-anmeldung", answers, key="antrag-4711")
    assert first.status_code == 201
    count = app.state.store.count()
    second = submit(client, "kita-anmeldung", answers, key="antrag-4711")
    assert second.status_code == 200
    assert second.json() == first.json()
    assert second.headers["location"] == first.headers["location"]
    assert second.headers["idempotent-replayed"] == "true"
    assert app.state.store.count() == count
    quoted = submit(client, "kita-anmeldung", answers, key='"antrag-4711"')  # RFC 8941 form
    assert quoted.json()["reference"] == first.json()["reference"]


def test_same_key_with_other_answers_is_refused(client: TestClient, app: Starlette) -> None:
    answers = sample_answers("meldebescheinigung")
    assert submit(client, "meldebescheinigung", answers, key="k-1").status_code == 201
    changed = copy.deepcopy(answers)
    changed["vorname"] = "Erika"
    assert_problem(
        submit(client, "meldebescheinigung", changed, key="k-1"), 422, "idempotency_key_reused"
    )
    other = sample_answers("sperrmuell-anmeldung")
    assert_problem(
        submit(client, "sperrmuell-anmeldung", other, key="k-1"), 422, "idempotency_key_reused"
    )
    assert app.state.store.count() == 1


def test_a_refused_attempt_does_not_use_up_the_key(client: TestClient) -> None:
    answers = sample_answers("meldebescheinigung")
    broken = {**answers, "geburtsdatum": "gestern"}
    assert submit(client, "meldebescheinigung", broken, key="k-2").status_code == 422
    assert submit(client, "meldebescheinigung", answers, key="k-2").status_code == 201


def test_keys_never_meet_the_flows_draft_ids(client: TestClient, app: Starlette) -> None:
    answers = sample_answers("meldebescheinigung")
    reference = submit(client, "meldebescheinigung", answers, key="D" * 32).json()["reference"]
    assert app.state.store.find_by_idempotency_key("D" * 32) is None
    assert app.state.store.get_submission(reference).idempotency_key == "api:" + "D" * 32


# --- unclaimed uploads expire with the drafts -----------------------------------------------


def test_unclaimed_uploads_expire_with_the_draft_clean_up(
    client: TestClient, app: Starlette
) -> None:
    store, blobs = app.state.store, app.state.blobs
    unclaimed = upload(client, "vergessen.pdf", b"%PDF-1.4\nvergessen\n").json()
    claimed_answers = _kita(client)
    claimed = claimed_answers["masernschutz"]
    owner = store.get_attachment(unclaimed["id"]).owner
    assert store.get_draft(owner).service_id == API_UPLOAD_SERVICE
    reference = submit(client, "kita-anmeldung", claimed_answers).json()["reference"]
    ttl = timedelta(hours=app.state.settings.draft_ttl_hours)

    early = clean_up(store, blobs, ttl=ttl, now=utc_now() + ttl - timedelta(minutes=5))
    assert early.drafts == 0 and store.get_attachment(unclaimed["id"]) is not None

    late = clean_up(store, blobs, ttl=ttl, now=utc_now() + ttl + timedelta(minutes=5))
    assert (late.drafts, late.attachments, late.files) == (1, 1, 1)
    assert store.get_attachment(unclaimed["id"]) is None and store.get_draft(owner) is None
    assert not blobs.exists(unclaimed["sha256"])
    assert store.get_attachment(claimed["id"]).owner == reference
    assert blobs.exists(claimed["sha256"])
