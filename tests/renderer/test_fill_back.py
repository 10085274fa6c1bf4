"""A service migrated from a PDF: its submissions carry the original PDF, filled in."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import urlencode

from starlette.testclient import TestClient

from form_definitions.catalogue import default_forms_dir
from form_definitions.definition import ServiceDefinition
from formwerk.app import create_app
from formwerk.settings import Settings
from migration import migrate_pdf
from renderer.render import render_step
from tests.migration.helpers import expected_values, read_back, valid_answers
from tests.migration.pdfs import antrag
from tests.renderer.browser_post import browser_post
from tests.renderer.client import FORM, errors_of


def migrated_portal(tmp_path: Path) -> tuple[Path, dict]:
    """A forms dir with the demo authorities and one published service made from a PDF."""
    forms = tmp_path / "forms"
    (forms / "services").mkdir(parents=True)
    shutil.copy(default_forms_dir() / "authorities.json", forms / "authorities.json")
    pdf = antrag(tmp_path / "antrag.pdf")
    result = migrate_pdf(
        pdf,
        service_id="antrag-aus-pdf",
        authority="stadt-wiesenfeld",
        pdf_name="antrag-aus-pdf.pdf",
    )
    definition = result.definition
    definition["x-service"]["status"] = "published"
    (forms / "services" / "antrag-aus-pdf.json").write_text(json.dumps(definition))
    (forms / "services" / "antrag-aus-pdf.pdf").write_bytes(result.pdf_bytes)
    return forms, definition


def test_submission_keeps_the_filled_original_pdf(tmp_path: Path) -> None:
    forms, schema = migrated_portal(tmp_path)
    app = create_app(Settings(data_dir=tmp_path / "var", forms_dir=forms))
    assert app.state.catalogue.problems == []
    definition = ServiceDefinition(schema)
    answers = valid_answers(schema)
    base = "/leistungen/antrag-aus-pdf"
    with TestClient(app) as client:
        page = client.get(base + "/antrag")
        for step in definition.steps:
            csrf = re.search(r'name="_csrf" value="([^"]+)"', page.text).group(1)
            pairs = browser_post(str(render_step(definition, step, answers, {})))
            body = urlencode([*pairs, ("_csrf", csrf), ("_action", "weiter")])
            page = client.post(
                f"{base}/antrag/{step.id}", headers=FORM, content=body, follow_redirects=True
            )
            assert not errors_of(page), errors_of(page)
        csrf = re.search(r'name="_csrf" value="([^"]+)"', page.text).group(1)
        done = client.post(base + "/pruefen", data={"_csrf": csrf}, follow_redirects=True)
        assert "Ihr Antrag ist eingegangen" in done.text, errors_of(done)
        reference = re.search(r'fw-reference">([^<]+)<', done.text).group(1)
        link = re.search(r'href="([^"]+/dokumente/[^"]+)"', done.text).group(1)
        assert f"Formular-{reference}.pdf" in done.text
        download = client.get(link.replace("&amp;", "&"))
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/pdf"
    assert f"Formular-{reference}.pdf" in download.headers["content-disposition"]
    values = read_back(download.content)
    for name, value in expected_values(schema, answers).items():
        assert values[name] == value, name
