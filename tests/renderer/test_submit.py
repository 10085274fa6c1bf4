"""Uploads in the form flow, the submit, the receipt, the Postfach page and the clean-up."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from pathlib import Path

from pypdf import PdfReader
from starlette.applications import Starlette
from starlette.testclient import TestClient

from formwerk.cleanup import clean_up
from formwerk.store import utc_now
from tests.renderer.browser_post import browser_post
from tests.renderer.client import errors_of, form_html, post_form

KITA = "/leistungen/kita-anmeldung"
MELDE = "/leistungen/meldebescheinigung"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
ANSWERS = Path(__file__).resolve().parent.parent / "data" / "answers"


def upload(
    client: TestClient,
    page,
    files: list[tuple[str, bytes]],
    action: str = "upload:masernschutz",
    changes: dict | None = None,
):
    html = form_html(page.text)
    url = re.search(r'action="([^"]+)"', html).group(1)
    pairs = [(k, v) for k, v in browser_post(html) if k not in (changes or {})]
    pairs += [*list((changes or {}).items()), ("_action", action)]
    files_part = [("masernschutz", (name, body, "application/pdf")) for name, body in files]
    return client.post(url, data=dict(pairs), files=files_part, follow_redirects=True)


def kita_upload_step(client: TestClient):
    client.get(KITA + "/antrag")
    return client.get(KITA + "/antrag/nachweise")


def test_upload_is_listed_and_kept_and_can_be_removed(client: TestClient, app: Starlette) -> None:
    page = kita_upload_step(client)
    assert 'enctype="multipart/form-data"' in page.text
    result = upload(client, page, [("Impfausweis.pdf", PDF)])
    assert result.status_code == 200
    assert "Impfausweis.pdf" in result.text
    attachment_id = re.search(r"remove-file:masernschutz:(att_[\w-]+)", result.text).group(1)
    meta = app.state.store.get_attachment(attachment_id)
    assert meta.media_type == "application/pdf" and meta.size == len(PDF)
    assert app.state.blobs.exists(meta.sha256)
    again = client.get(KITA + "/antrag/nachweise")  # survives a reload and "Zurück"
    assert "Impfausweis.pdf" in again.text
    removed = post_form(client, again, {}, action=f"remove-file:masernschutz:{attachment_id}")
    assert "Impfausweis.pdf" not in removed.text
    assert app.state.store.get_attachment(attachment_id) is None


def test_spoofed_file_is_refused_and_typed_text_kept(client: TestClient, app: Starlette) -> None:
    page = kita_upload_step(client)
    program = b"MZ\x90\x00" + b"\x00" * 200
    result = upload(client, page, [("masern.pdf", program)], changes={"hinweise": "Allergie"})
    assert result.status_code == 422
    assert "ist kein" in errors_of(result)[0] and "masern.pdf" in errors_of(result)[0]
    assert "Allergie" in result.text
    assert not list((app.state.settings.data_dir / "blobs").rglob("*.tmp"))


def test_oversized_upload_gets_413_and_a_german_message(client: TestClient) -> None:
    page = kita_upload_step(client)
    big = PDF + b"0" * (11 * 1024 * 1024)  # the field takes 10 MB
    result = upload(client, page, [("gross.pdf", big)])
    assert result.status_code == 413
    assert "zu groß" in errors_of(result)[0]


def submit_melde(client: TestClient):
    answers = json.loads((ANSWERS / "meldebescheinigung.json").read_text())
    page = client.get(MELDE + "/antrag")
    html = form_html(page.text)
    from form_definitions.catalogue import Catalogue, default_forms_dir
    from renderer.render import render_step

    definition = Catalogue.load(default_forms_dir()).services["meldebescheinigung"]
    pairs = browser_post(str(render_step(definition, definition.steps[0], answers, {})))
    csrf = re.search(r'name="_csrf" value="([^"]+)"', html).group(1)
    check = client.post(
        MELDE + "/antrag/angaben",
        data=dict([*pairs, ("_csrf", csrf), ("_action", "weiter")]),
        follow_redirects=True,
    )
    assert check.url.path == MELDE + "/pruefen", errors_of(check)
    token = re.search(r'name="_csrf" value="([^"]+)"', check.text).group(1)
    return client.post(MELDE + "/pruefen", data={"_csrf": token}, follow_redirects=True)


def test_confirmation_receipt_and_postfach(client: TestClient, app: Starlette) -> None:
    done = submit_melde(client)
    assert "Ihr Antrag ist eingegangen" in done.text
    reference = re.search(r'fw-reference">([^<]+)<', done.text).group(1)
    receipt_link = re.search(r'href="([^"]+eingangsbestaetigung\.pdf[^"]*)"', done.text)
    pdf = client.get(receipt_link.group(1).replace("&amp;", "&"))
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == (
        f'attachment; filename="Eingangsbestaetigung-{reference}.pdf"'
    )
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert reference in text and "Meldebescheinigung" in text
    postfach = re.search(r'href="(/postfach/[^"]+)"', done.text).group(1)
    status = client.get(postfach.replace("&amp;", "&"))
    assert status.status_code == 200 and "eingegangen" in status.text
    assert client.get(f"/postfach/{reference}?t=falsch").status_code == 404
    assert client.get(f"/antraege/{reference}/eingangsbestaetigung.pdf").status_code == 404
    kept = app.state.settings.data_dir / "definitions"
    assert len(list(kept.glob("*.json"))) == 1  # the definition version, for later receipts


def test_cleanup_removes_abandoned_drafts_and_their_files(
    client: TestClient, app: Starlette
) -> None:
    page = kita_upload_step(client)
    upload(client, page, [("alt.pdf", PDF + b"abandoned")])
    store, blobs = app.state.store, app.state.blobs
    assert len(list(blobs)) == 1
    nothing = clean_up(store, blobs, ttl=timedelta(hours=1))
    assert (nothing.drafts, nothing.files) == (0, 0)  # still fresh
    later = utc_now() + timedelta(days=8)
    result = clean_up(store, blobs, ttl=timedelta(days=7), now=later)
    assert (result.drafts, result.attachments, result.files) == (1, 1, 1)
    assert list(blobs) == []
