"""Bad input on the respondent side: clear message, 4xx not 5xx, nothing lost or half-written."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from survey_app.extensions import db
from survey_app.models import Invitation, Response, Wave
from tests.survey_app.respondent.test_flow import answer_everything


def _response(app, link):
    with app.app_context():
        return db.session.scalar(select(Response).where(Response.invitation_id == link.invitation_id))


def _start(browser, link, language="id"):
    browser.get(link.url)
    browser.submit({"language": language})
    browser.submit({"consent": "yes"})


@pytest.mark.parametrize("token", ["AAAAAAAAAAAAAAAAAAAAAAAA", "short", "bad$chars-in-token-xxxxxxx", "x" * 300])
def test_unknown_or_malformed_token_is_a_friendly_404(client, link, token):
    response = client.get(f"/s/{token}")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "Halaman tidak ditemukan" in body or "Page not found" in body


def test_revoked_link_says_it_no_longer_works(app, client, link):
    with app.app_context():
        db.session.execute(update(Invitation).values(status="revoked"))
        db.session.commit()
    assert client.get(link.url).status_code == 410


def test_guessing_tokens_is_rate_limited(client, link):
    codes = [client.get(f"/s/{'B' * 23}{i % 10}").status_code for i in range(25)]
    assert codes[0] == 404 and codes[-1] == 429
    # a real respondent from another address is unaffected
    assert client.get(link.url, environ_overrides={"REMOTE_ADDR": "10.9.9.9"}).status_code == 200


def test_a_throttled_address_is_told_when_to_try_again(client):
    for i in range(20):
        client.get(f"/s/{'C' * 23}{i % 10}")
    refused = client.get(f"/s/{'D' * 24}")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60  # the limit is per minute
    assert "Too many attempts" in refused.get_data(as_text=True) or \
        "Terlalu banyak percobaan" in refused.get_data(as_text=True)


def test_answering_page_after_page_is_never_throttled(client, link):
    """Only failed look-ups count: 60 page views of a real link in a minute all succeed."""
    assert {client.get(link.url).status_code for _ in range(60)} == {200}


def test_closed_wave_refuses_answers_politely(app, client, link):
    with app.app_context():
        db.session.execute(update(Wave).values(closes_at=datetime.now(UTC) - timedelta(days=1)))
        db.session.commit()
    response = client.get(link.url)
    assert response.status_code == 410


def test_wave_not_open_yet_says_when_it_opens(app, client, link):
    opens = datetime.now(UTC) + timedelta(days=3)
    with app.app_context():
        db.session.execute(update(Wave).values(opens_at=opens))
        db.session.commit()
    response = client.get(link.url)
    assert response.status_code == 403
    assert opens.strftime("%d-%m-%Y") in response.get_data(as_text=True)


def test_out_of_range_wrong_type_and_missing_answers_are_explained(app, browser, link):
    _start(browser, link)
    browser.submit({"birth_year": "1800"})
    assert browser.response.status_code == 422
    text = browser.text()
    assert "Tahun 1940-2010" in text  # the constraint message, in Indonesian
    browser.submit({"birth_year": "sembilan belas", "has_business": "maybe"})
    assert browser.response.status_code == 422
    assert browser.page.select_one("#error-birth_year") is not None
    assert browser.page.select_one("#error-has_business") is not None
    assert browser.page.select_one("#birth_year")["aria-invalid"] == "true"
    assert "birth_year" not in (_response(app, link).answers or {})


def test_profit_above_revenue_is_refused_and_nothing_saved(app, browser, link):
    _start(browser, link)
    browser.submit({"birth_year": "1990", "has_business": "yes", "business_description": "jual pulsa",
                    "revenue": "1000", "profit": "5000"})
    assert browser.response.status_code == 422
    assert "Laba tidak boleh melebihi omzet" in browser.text()
    assert "revenue" not in _response(app, link).answers


def test_none_channel_cannot_be_combined(browser, link):
    _start(browser, link)
    browser.submit({"birth_year": "1990", "has_business": "yes", "business_description": "jual pulsa",
                    "channels": ["none", "wa"]})
    assert browser.response.status_code == 422
    assert "'Tidak ada' tidak bisa digabung" in browser.text()


def test_choice_not_offered_is_refused(browser, link):
    _start(browser, link)
    browser.submit({"birth_year": "1990", "has_business": "no"})
    browser.submit({"finished": ["TRN-A", "TRN-NOT-MINE"]})
    assert browser.response.status_code == 422


def test_over_long_text_is_refused_with_its_limit(browser, link):
    _start(browser, link)
    browser.submit({"birth_year": "1990", "has_business": "yes", "business_description": "x" * 5001})
    assert browser.response.status_code == 422
    assert "5000" in browser.text()


def test_oversize_request_is_413(client, link):
    response = client.post(f"{link.url}/p/work", data={"business_description": "x" * 400_000})
    assert response.status_code == 413


def test_non_utf8_form_data_is_refused(app, browser, link):
    _start(browser, link)
    form = browser.form_fields(browser.page.find("form"))
    body = "&".join(f"{k}={v}" for k, v in form.items()) + "&birth_year=1990&has_business=yes" \
        "&business_description=warung%FF%FEkopi"
    response = browser.client.post(f"{link.url}/p/work", data=body,
                                   content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "business_description" not in (_response(app, link).answers or {})


def test_script_in_answers_is_escaped_on_review(app, browser, link):
    _start(browser, link)
    browser.submit({"birth_year": "1990", "has_business": "yes",
                    "business_description": "<script>alert('x')</script> warung"})
    browser.submit({"finished": ["TRN-A"]})
    browser.submit({"useful__TRN-A": "2"})
    html = browser.response.get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html
    assert _response(app, link).answers["business_description"].startswith("<script>")


@pytest.mark.parametrize("csrf", [None, "forged-token"])
def test_missing_or_forged_csrf_is_refused_and_nothing_saved(app, browser, link, csrf):
    _start(browser, link)
    data = browser.form_fields(browser.page.find("form"))
    data.update({"birth_year": "1990", "has_business": "no"})
    if csrf is None:
        data.pop("csrf_token")
    else:
        data["csrf_token"] = csrf
    response = browser.client.post(f"{link.url}/p/work", data=data)
    assert response.status_code == 400
    assert "birth_year" not in (_response(app, link).answers or {})


def test_double_submit_records_one_submission(app, browser, link):
    answer_everything(browser, link)
    review_form = browser.form_fields(browser.page.find("form"))
    first = browser.client.post(f"{link.url}/submit", data=review_form)
    submitted_at = _response(app, link).submitted_at
    second = browser.client.post(f"{link.url}/submit", data=review_form)
    assert first.status_code == 303 and second.status_code == 303
    assert _response(app, link).submitted_at == submitted_at


def test_back_button_after_submit_shows_read_only_answers(app, browser, link):
    answer_everything(browser, link)
    old_page = browser.client.get(f"{link.url}/p/work").get_data(as_text=True)  # still in the history
    browser.submit()
    before = _response(app, link).answers
    page = browser.client.get(f"{link.url}/p/work")
    assert page.status_code == 303
    from bs4 import BeautifulSoup

    stale = browser.form_fields(BeautifulSoup(old_page, "html.parser").find("form"))
    stale.update({"birth_year": "1970", "has_business": "no"})
    late = browser.client.post(f"{link.url}/p/work", data=stale)
    assert late.status_code == 303
    assert _response(app, link).answers == before


def test_two_tabs_racing_do_not_overwrite_each_other(app, client, browser, link):
    from tests.survey_app.respondent.conftest import Browser

    _start(browser, link)
    other_tab = Browser(client)
    other_tab.get(f"{link.url}/p/work")
    browser.submit({"birth_year": "1990", "has_business": "no"})  # tab 1 saves first
    other_tab.submit({"birth_year": "1975", "has_business": "yes", "business_description": "ternak lele"})
    assert other_tab.response.status_code == 409
    assert _response(app, link).answers["birth_year"] == 1990


def test_declining_consent_stores_only_the_refusal(app, browser, link):
    browser.get(link.url)
    browser.submit({"language": "id"})
    browser.submit({"consent": "no"})
    response = _response(app, link)
    assert response.answers == {"consent": "no"} and response.declined_at is not None
    with app.app_context():
        assert db.session.get(Invitation, link.invitation_id).status == "declined"
    # the pages are no longer reachable
    assert browser.client.get(f"{link.url}/p/work").status_code == 303


def test_question_revealed_without_javascript_is_asked_not_reported_as_error(app, browser, link):
    _start(browser, link)
    # as rendered with JavaScript off: only the first two questions were visible
    assert browser.page.select_one("#shown")["value"] == "birth_year,has_business"
    browser.submit({"birth_year": "1990", "has_business": "yes"})
    assert browser.response.status_code == 200
    assert browser.page.select_one(".error-summary") is None
    assert browser.page.select_one("#q-business_description").get("hidden") is None
    assert "business_description" in browser.page.select_one("#shown")["value"]
