"""Answering the survey through the real HTML forms, from the link to the thank-you page."""
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Invitation, Response


def _response(app, link):
    with app.app_context():
        return db.session.scalar(select(Response).where(Response.invitation_id == link.invitation_id))


def answer_everything(browser, link, business="yes"):
    browser.get(link.url)
    browser.submit({"language": "id"})
    browser.submit({"consent": "yes"})
    work = {"birth_year": "1990", "has_business": business}
    if business == "yes":
        work.update({"business_description": "warung kopi depan rumah", "revenue": "3.000.000",
                     "profit": "1.000.000", "channels": ["wa"]})
    browser.submit(work)
    browser.submit({"finished": ["TRN-A", "TRN-B"]})
    browser.submit({"useful__TRN-A": "2", "useful__TRN-B": "1", "best": "TRN-A"})


def test_whole_survey_is_answered_and_submitted_once(app, browser, link):
    answer_everything(browser, link)
    assert "Periksa jawaban" in browser.text() or "Check your answers" in browser.text()
    browser.submit()
    assert browser.response.status_code == 200
    assert "Terima kasih" in browser.text()
    response = _response(app, link)
    assert response.submitted_at is not None
    assert response.answers["revenue"] == 3000000
    assert response.answers["channels"] == ["wa"]
    assert response.answers["useful"] == {"TRN-A": "2", "TRN-B": "1"}
    with app.app_context():
        assert db.session.get(Invitation, link.invitation_id).status == "submitted"


def test_skip_logic_drops_business_answers_when_no_business(app, browser, link):
    answer_everything(browser, link, business="yes")
    browser.get(f"{link.url}/p/work")
    browser.submit({"birth_year": "1990", "has_business": "no", "business_description": "warung kopi"})
    answers = _response(app, link).answers
    assert "business_description" not in answers and "revenue" not in answers
    assert answers["has_business"] == "no"


def test_indonesian_is_the_default_language(browser, link):
    browser.get(link.url)
    assert browser.page.html["lang"] == "id"
    assert "Bahasa Indonesia" in browser.text()


def test_english_choice_is_remembered_across_pages(app, browser, link):
    browser.get(link.url)
    browser.submit({"language": "en"})
    assert "Do you agree?" in browser.text()
    assert browser.page.html["lang"] == "en"
    assert _response(app, link).language == "en"
