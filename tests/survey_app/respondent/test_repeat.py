"""calculate, default and repeat through the real HTML forms, and their bad input."""
import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Response
from tests import factories
from tests.survey_app.questionnaire.conftest import ENGINE_FORM, SMALL_FORM
from tests.survey_app.respondent.conftest import Link


@pytest.fixture
def engine_link(app):
    """An invitation to the inline calculate/default/repeat survey."""
    with app.app_context():
        q = factories.make_questionnaire(ENGINE_FORM)
        wave = factories.make_wave(q.id)
        invitation, token = factories.make_invitation(wave, factories.make_alumnus())
        return Link(token, invitation.id)


def _answers(app, link):
    with app.app_context():
        return db.session.scalar(select(Response.answers).where(Response.invitation_id == link.invitation_id))


def _begin(browser, link):
    browser.get(link.url)
    browser.submit({"language": "en"})


def test_default_prefills_and_count_repeats_pages_then_everything_is_stored(app, browser, engine_link):
    _begin(browser, engine_link)
    assert browser.page.find("input", {"name": "business_count"})["value"] == "1"  # the default
    browser.submit({"runs_business": "yes", "business_count": "2", "revenue": "1.000", "workers": "5"})
    assert browser.response.request.path.endswith("/p/businesses/1")
    assert "Business 1" in browser.text()
    assert browser.page.find("input", {"name": "business_workers"})["value"] == "5"  # default from ${workers}
    browser.submit({"business_description": "warung kopi", "business_workers": "6", "business_export": "yes"})
    assert browser.response.request.path.endswith("/p/businesses/2")
    browser.submit({"business_description": "jahit", "business_workers": "1"})
    assert browser.response.request.path.endswith("/p/jobs/1")
    browser.submit({"job_title": "guru"}, follow=True)
    browser.submit({"satisfied": "yes"})
    assert "Check your answers" in browser.text() and "Business 2" in browser.text()
    browser.submit()
    answers = _answers(app, engine_link)
    assert answers["revenue_per_worker"] == 200
    assert answers["businesses"] == [
        {"business_description": "warung kopi", "business_workers": 6, "business_big": "yes", "business_export": "yes"},
        {"business_description": "jahit", "business_workers": 1, "business_big": "no"}]
    assert answers["jobs"] == [{"job_title": "guru"}] and answers["business_total"] == 2


def test_add_another_adds_an_instance_up_to_max(app, browser, engine_link):
    _begin(browser, engine_link)
    browser.submit({"runs_business": "no"})
    assert browser.response.request.path.endswith("/p/jobs/1")
    assert browser.page.find("button", {"name": "add_another"}).get_text(strip=True) == "Add another job"
    browser.submit({"job_title": "guru", "add_another": "1"})
    assert browser.response.request.path.endswith("/p/jobs/2")
    assert browser.page.find("button", {"name": "add_another"}) is None  # max 2 reached
    browser.submit({"job_title": "petani"})
    assert _answers(app, engine_link)["jobs"] == [{"job_title": "guru"}, {"job_title": "petani"}]


@pytest.mark.parametrize("count", ["-1", "4", "99999999999", "1e9"])
def test_bad_repeat_counts_get_a_message_not_a_page(app, browser, engine_link, count):
    _begin(browser, engine_link)
    browser.submit({"runs_business": "yes", "business_count": count})
    assert browser.response.status_code == 422
    text = browser.text()
    assert "from 0 to 3" in text or "whole number" in text
    assert "business_count" not in (_answers(app, engine_link) or {})


def test_a_repeat_index_that_does_not_exist_is_refused(app, client, browser, engine_link):
    _begin(browser, engine_link)
    browser.submit({"runs_business": "yes", "business_count": "1"})
    form = browser.page.find("form")
    data = browser.form_fields(form) | {"business_description": "x"}
    for url, expected in ((f"/s/{engine_link.token}/p/businesses/2", 404),
                          (f"/s/{engine_link.token}/p/businesses/4", 404),
                          (f"/s/{engine_link.token}/p/businesses/0", 404),
                          (f"/s/{engine_link.token}/p/businesses/-1", 404),
                          (f"/s/{engine_link.token}/p/first/1", 404)):
        assert client.post(url, data=data).status_code == expected, url
    assert "businesses" not in _answers(app, engine_link)  # nothing answered, nothing stored


def test_thousands_of_digits_are_a_422_with_a_message(app, browser, engine_link):
    _begin(browser, engine_link)
    browser.submit({"runs_business": "yes", "business_count": "1", "revenue": "9" * 5000})
    assert browser.response.status_code == 422
    assert "too large" in browser.text()
    browser.submit({"runs_business": "yes", "business_count": "1", "revenue": "1." + "000." * 2000 + "000"})
    assert browser.response.status_code == 422


@pytest.fixture
def small_link(app):
    with app.app_context():
        q = factories.make_questionnaire(SMALL_FORM)
        wave = factories.make_wave(q.id, name="w-small")
        t1 = factories.make_training("TRN-A", "Barista Kopi Dasar", "food_beverage")
        invitation, token = factories.make_invitation(wave, factories.make_alumnus([t1]))
        return Link(token, invitation.id)


def test_submit_rechecks_cross_page_constraints_and_sends_the_person_back(app, browser, small_link):
    """Answer so a constraint holds, then change what it depends on: submit must catch it."""
    browser.get(small_link.url)
    browser.submit({"language": "en"})
    browser.submit({"consent": "yes"})
    browser.submit({"birth_year": "1990", "has_business": "yes", "business_description": "warung kopi",
                    "revenue": "100", "profit": "50"})
    browser.submit({"finished": ["TRN-A"]})
    browser.submit({"useful__TRN-A": "2"})
    assert "Check your answers" in browser.text()
    review = browser.page
    # the stored answers change behind the review page (the job_status / workers_paid case)
    with app.app_context():
        response = db.session.scalar(select(Response).where(Response.invitation_id == small_link.invitation_id))
        response.answers = {**response.answers, "revenue": 10}
        db.session.commit()
    browser.page = review
    browser.submit()
    assert browser.response.request.path.endswith("/p/work")
    assert "Profit cannot exceed revenue" in browser.text()
    # the review page now also points there instead of offering to send
    browser.get(f"{small_link.url}/review")
    assert browser.page.find("button", string="Send my answers") is None
    with app.app_context():
        assert db.session.scalar(select(Response.submitted_at)
                                 .where(Response.invitation_id == small_link.invitation_id)) is None
