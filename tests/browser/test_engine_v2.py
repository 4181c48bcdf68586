"""calculate and repeat in a real browser: live relevance from a calculate, repeat pages."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.survey_steps import answer_until, block, expect_page, stored_response, type_into
from tests.survey_app.questionnaire.conftest import ENGINE_FORM

pytestmark = pytest.mark.browser


@pytest.fixture
def engine_survey(app, live_server):
    """A wave of the inline calculate/default/repeat questionnaire and one invitation."""
    with app.app_context():
        questionnaire = factories.make_questionnaire(ENGINE_FORM)
        wave = factories.make_wave(questionnaire.id, name="engine-browser")
        invitation, token = factories.make_invitation(wave, factories.make_alumnus())
        return f"{live_server.url}/s/{token}", invitation.id


def test_a_calculate_drives_relevance_live_and_repeat_pages_follow_the_count(app, engine_survey, phone):
    url, invitation_id = engine_survey
    phone.goto(url)
    phone.get_by_role("button", name="Mulai").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Awal")
    phone.wait_for_load_state("load")  # its CSS and script are fetched before we start counting
    requests = []
    phone.on("request", lambda request: requests.append(request.url))
    block(phone, "runs_business").get_by_label("Ya", exact=True).check()
    big = block(phone, "big_earner")
    expect(phone.locator("#business_count")).to_have_value("1")  # the default
    type_into(phone, "revenue", "5000")
    type_into(phone, "workers", "2")
    expect(big).to_be_visible()          # 5000 div 2 > 1000, computed in the page
    type_into(phone, "workers", "10")
    expect(big).to_be_hidden()
    type_into(phone, "workers", "0")     # division by zero: empty, not an error
    expect(big).to_be_hidden()
    assert requests == []
    type_into(phone, "workers", "2")
    type_into(phone, "business_count", "2")
    phone.get_by_role("button", name="Simpan dan lanjut").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Usaha 1")
    expect(phone.locator("#business_workers")).to_have_value("2")  # default from ${workers}
    type_into(phone, "business_description", "warung kopi")
    phone.get_by_role("button", name="Simpan dan lanjut").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Usaha 2")
    type_into(phone, "business_description", "jahit baju")
    phone.get_by_role("button", name="Simpan dan lanjut").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Pekerjaan 1")
    answers = stored_response(app, invitation_id).answers
    assert [b["business_description"] for b in answers["businesses"]] == ["warung kopi", "jahit baju"]
    assert answers["revenue_per_worker"] == 2500


def test_the_default_questionnaire_asks_other_businesses_on_repeat_pages(app, survey, phone):
    answer_until(phone, survey.url, "business_support")
    from tests.browser.survey_steps import answer_business_support

    answer_business_support(phone)
    expect(phone.locator("#other_business_count")).to_have_value("0")
    type_into(phone, "other_business_count", "1")
    phone.get_by_role("button", name="Simpan dan lanjut").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Usaha lain ke-1")
    type_into(phone, "other_business_description", "ternak lele di kolam terpal belakang rumah")
    phone.get_by_role("button", name="Simpan dan lanjut").click()
    expect_page(phone, "income")
    answers = stored_response(app, survey.invitation_id).answers
    assert answers["other_businesses"] == [{"other_business_description": "ternak lele di kolam terpal belakang rumah",
                                            "other_business_workers_paid": 0}]
    assert answers["workers_total"] == 1
