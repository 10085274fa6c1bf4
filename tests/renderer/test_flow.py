"""The form flow over real HTTP: steps, errors, back, repeats, check, submit."""

from __future__ import annotations

import html
import re

from starlette.testclient import TestClient

from tests.renderer.client import errors_of, post_form

HUND = "/leistungen/hundesteuer-anmeldung"
MELDE = "/leistungen/meldebescheinigung"


def start(client: TestClient, base: str):
    page = client.get(base + "/antrag")
    assert page.status_code == 200
    return page


def fill_halter(client: TestClient):
    page = start(client, HUND)
    return post_form(
        client,
        page,
        {
            "vorname": "Kim",
            "familienname": "Musterperson",
            "geburtsdatum.tag": "7",
            "geburtsdatum.monat": "3",
            "geburtsdatum.jahr": "1985",
            "anschrift.strasse": "Lindenweg 4",
            "anschrift.postleitzahl": "29614",
            "anschrift.ort": "Wiesenfeld",
        },
    )


def test_an_endless_number_is_an_error_not_a_crash(client: TestClient) -> None:
    # "1e999" reads as infinity, which JSON (and so the draft) cannot hold.
    page = post_form(client, fill_halter(client), {"hunde.0.wurfjahr": "1e999"})
    assert page.status_code == 422
    assert any("Wurfjahr" in message for message in errors_of(page))
    assert 'value="1e999"' in page.text


def test_start_page_and_start_button(client: TestClient) -> None:
    page = client.get(HUND)
    assert page.status_code == 200
    assert "Jetzt starten" in page.text and "Das brauchen Sie" in page.text
    first = client.get(HUND + "/antrag", follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"] == HUND + "/antrag/halter"
    assert "fw_session" in first.cookies


def test_errors_follow_the_govuk_pattern(client: TestClient) -> None:
    page = start(client, HUND)
    result = post_form(client, page, {})
    assert result.status_code == 422
    assert "<title>Fehler: " in result.text
    assert "Es gibt ein Problem" in result.text
    assert errors_of(result)[0] == "Geben Sie Ihren Vornamen an."
    assert 'href="#f-vorname"' in result.text
    field = re.search(r'<input[^>]*id="f-vorname"[^>]*>', result.text).group(0)
    assert 'aria-invalid="true"' in field
    assert 'aria-describedby="f-vorname-error"' in field or "f-vorname-error" in field
    assert '<span class="kern-sr-only">Fehler: </span>Geben Sie Ihren Vornamen an.' in result.text


def test_next_and_back_keep_what_was_entered(client: TestClient) -> None:
    second = fill_halter(client)
    assert second.url.path == HUND + "/antrag/hunde"
    assert "Schritt 2 von 3" in second.text
    back = post_form(client, second, {"hunde.0.name": "Bello"}, action="zurueck")
    assert back.url.path == HUND + "/antrag/halter"
    assert 'value="Kim"' in back.text and 'value="1985"' in back.text
    again = client.get(HUND + "/antrag/hunde")
    assert 'value="Bello"' in again.text


def test_add_and_remove_repeated_entries_without_javascript(client: TestClient) -> None:
    page = fill_halter(client)
    added = post_form(client, page, {"hunde.0.name": "Bello"}, action="add:hunde")
    assert added.url.fragment == "f-hunde-1"
    assert 'name="hunde._n" value="2"' in added.text
    assert "Hund 2" in added.text
    removed = post_form(client, added, {"hunde.1.name": "Rex"}, action="remove:hunde.0")
    assert 'name="hunde._n" value="1"' in removed.text
    assert 'value="Rex"' in removed.text and 'value="Bello"' not in removed.text


def test_maximum_of_repeated_entries_is_honoured(client: TestClient) -> None:
    page = fill_halter(client)
    for _ in range(7):
        page = post_form(client, page, {}, action="add:hunde")
    assert 'name="hunde._n" value="5"' in page.text  # maxItems 5
    assert "Weiteren Hund hinzufügen" not in re.sub(
        r"<button[^>]*hidden[^>]*>.*?</button>", "", page.text, flags=re.S
    )


def test_conditional_field_is_dropped_when_hidden(client: TestClient, app) -> None:
    page = fill_halter(client)
    dog = {
        "hunde.0.name": "Bello",
        "hunde.0.rasse": "mischling",
        "hunde.0.wurfjahr": "2020",
        "hunde.0.haltungSeit.tag": "1",
        "hunde.0.haltungSeit.monat": "2",
        "hunde.0.haltungSeit.jahr": "2024",
        "hunde.0.chipnummer": "276098106512345",
    }
    # "gefährlich: nein" but an answer to the dependant posted anyway (no JavaScript)
    result = post_form(client, page, {**dog, "hunde.0.gefaehrlich": "false"})
    assert result.url.path == HUND + "/antrag/zahlung", errors_of(result)


def test_check_page_lists_answers_and_change_links(client: TestClient) -> None:
    page = start(client, MELDE)
    check = post_form(
        client,
        page,
        {
            "vorname": "Ayşe",
            "familienname": "Yılmaz",
            "geburtsdatum.tag": "1",
            "geburtsdatum.monat": "12",
            "geburtsdatum.jahr": "1990",
            "anschrift.strasse": "Dorfstraße 3",
            "anschrift.postleitzahl": "29649",
            "anschrift.ort": "Birkenbruch",
            "art": "einfach",
            "anzahl": "1",
            "zustellung": "post",
        },
    )
    assert check.url.path == MELDE + "/pruefen", errors_of(check)
    text = html.unescape(check.text)
    assert "Prüfen Sie Ihre Angaben" in text
    assert "Ayşe" in text and "Yılmaz" in text and "01.12.1990" in text
    assert f'href="{MELDE}/antrag/angaben?aendern=1"' in check.text


def test_change_link_returns_to_the_check_page(client: TestClient) -> None:
    test_check_page_lists_answers_and_change_links(client)
    page = client.get(MELDE + "/antrag/angaben?aendern=1")
    assert "Weiter zur Übersicht" in html.unescape(page.text)
    back = post_form(client, page, {"vorname": "Ayla"})
    assert back.url.path == MELDE + "/pruefen"
    assert "Ayla" in back.text


def test_submit_once_even_when_pressed_twice(client: TestClient, app) -> None:
    test_check_page_lists_answers_and_change_links(client)
    check = client.get(MELDE + "/pruefen")
    token = re.search(r'name="_csrf" value="([^"]+)"', check.text).group(1)
    first = client.post(MELDE + "/pruefen", data={"_csrf": token}, follow_redirects=False)
    second = client.post(MELDE + "/pruefen", data={"_csrf": token}, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    done = client.get(first.headers["location"])
    reference = re.search(r'class="kern-heading-large fw-reference">([^<]+)<', done.text).group(1)
    assert re.fullmatch(r"GBB-\d{4}-000001", reference)
    assert app.state.store.count() == 1
    stored = app.state.store.get_submission(reference)
    assert stored.answers["vorname"] == "Ayşe" and stored.status == "eingegangen"


def test_submit_validates_the_whole_application(client: TestClient) -> None:
    page = start(client, HUND)
    token = re.search(r'name="_csrf" value="([^"]+)"', page.text).group(1)
    result = client.post(HUND + "/pruefen", data={"_csrf": token})
    assert result.status_code == 422
    assert "Es gibt ein Problem" in result.text
    assert f"{HUND}/antrag/halter?aendern=1#f-vorname" in result.text


def test_post_without_csrf_token_is_refused(client: TestClient) -> None:
    page = start(client, HUND)
    assert page.status_code == 200
    result = client.post(HUND + "/antrag/halter", data={"vorname": "X", "_action": "weiter"})
    assert result.status_code == 403
    assert "Sitzung abgelaufen" in result.text


def test_post_from_another_session_is_refused(client: TestClient, app) -> None:
    page = start(client, HUND)
    token = re.search(r'name="_csrf" value="([^"]+)"', page.text).group(1)
    with TestClient(app) as other:
        other.get(HUND + "/antrag")
        result = other.post(HUND + "/antrag/halter", data={"_csrf": token})
    assert result.status_code == 403


def test_unknown_service_and_step(client: TestClient) -> None:
    assert client.get("/leistungen/gibtsnicht").status_code == 404
    start(client, HUND)
    assert client.get(HUND + "/antrag/gibtsnicht").status_code == 404


def test_search_and_authority_pages(client: TestClient) -> None:
    found = html.unescape(client.get("/", params={"q": "muell"}).text)
    assert "1 Ergebnis für „muell“" in found and "Sperrmüll" in found
    none = html.unescape(client.get("/", params={"q": "Raumfahrt"}).text)
    assert "0 Ergebnisse" in none and "Keine Leistung gefunden" in none
    county = html.unescape(client.get("/behoerden/landkreis-heideland").text)
    assert "Stadt Wiesenfeld" in county and "Antrag auf Wohngeld" in county
    assert client.get("/behoerden/atlantis").status_code == 404


def test_pages_with_personal_data_are_not_cached(client: TestClient) -> None:
    page = start(client, HUND)
    assert page.headers["cache-control"] == "no-store"
    with_errors = post_form(client, page, {"vorname": None})  # the page built in full
    assert with_errors.status_code == 422
    assert with_errors.headers["cache-control"] == "no-store"
    redirect = client.get(HUND + "/antrag", follow_redirects=False)
    assert redirect.status_code == 303 and redirect.headers["cache-control"] == "no-store"
    check = client.get(HUND + "/pruefen")
    assert check.headers["cache-control"] == "no-store"


def test_after_submitting_back_and_reload_land_on_the_confirmation(client: TestClient, app) -> None:
    test_submit_once_even_when_pressed_twice(client, app)
    back = client.get(MELDE + "/pruefen", follow_redirects=False)
    assert back.status_code == 303 and back.headers["location"].startswith("/antraege/GBB-")
    step = client.get(MELDE + "/antrag/angaben", follow_redirects=False)
    assert step.headers["location"] == back.headers["location"]


def test_a_second_application_for_the_same_service_gets_its_own_reference(
    client: TestClient, app
) -> None:
    test_submit_once_even_when_pressed_twice(client, app)
    test_check_page_lists_answers_and_change_links(client)  # "Jetzt starten" again
    check = client.get(MELDE + "/pruefen")
    token = re.search(r'name="_csrf" value="([^"]+)"', check.text).group(1)
    done = client.post(MELDE + "/pruefen", data={"_csrf": token}, follow_redirects=False)
    assert done.headers["location"].startswith("/antraege/GBB-2")
    assert "-000002?" in done.headers["location"]
    assert app.state.store.count() == 2
