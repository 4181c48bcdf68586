"""A respondent on a phone: the whole default questionnaire, and stopping and resuming later."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from survey_app.extensions import db
from survey_app.models import Invitation
from tests.browser.survey_steps import (
    BUSINESS,
    EXPECTED_ANSWERS,
    TITLES,
    answer_about,
    answer_until,
    block,
    choose,
    expect_page,
    heading,
    save,
    start,
    stored_response,
)

pytestmark = pytest.mark.browser


def test_whole_default_survey_is_answered_on_a_phone_and_submitted(app, survey, phone, tmp_path):
    seen = []
    answer_until(phone, survey.url, "review", on_page=lambda page, name: seen.append(name))
    # The business block appears for an own-account worker; wage and side business do not.
    assert seen == ["about", "trainings", "usefulness", "work", "job", "since_training",
                    "business_about", "business_money", "business_support", "income", "training_use"]

    expect(heading(phone)).to_have_text("Periksa jawaban Anda")
    review = phone.locator("main")
    expect(review).to_contain_text(BUSINESS)
    expect(review).to_contain_text("Jawa Barat")
    expect(review).to_contain_text("Marketplace (misalnya Shopee, Tokopedia)")
    expect(review).to_contain_text("3.000.000")  # Indonesian thousands separator
    expect(review.get_by_role("heading", level=2, name=TITLES["business_money"])).to_be_visible()
    screenshot = tmp_path / "review-phone.png"
    phone.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 0

    phone.get_by_role("button", name="Kirim jawaban saya").click()
    expect_page(phone, "thanks")
    expect(phone.get_by_role("status")).to_contain_text("Jawaban Anda sudah kami terima")

    response = stored_response(app, survey.invitation_id)
    assert response.submitted_at is not None
    assert response.language == "id"
    assert response.answers == EXPECTED_ANSWERS
    with app.app_context():
        assert db.session.get(Invitation, survey.invitation_id).status == "submitted"

    # The link now only shows the thank-you page; the pages are read-only.
    phone.goto(f"{survey.url}/p/about")
    expect_page(phone, "thanks")


def test_closing_the_browser_and_opening_the_link_again_continues_where_it_stopped(app, survey, new_phone):
    first = new_phone()
    page = first.new_page()
    start(page, survey.url)  # page 1: consent
    answer_about(page)  # page 2: about you
    save(page, "trainings")
    first.close()

    fresh = new_phone()  # another browser: no cookies, no session, no language choice
    assert fresh.cookies() == []
    page = fresh.new_page()
    page.goto(survey.url)
    expect(page.locator("main")).to_contain_text("Selamat datang kembali")
    page.get_by_role("button", name="Lanjutkan").click()
    expect_page(page, "trainings")

    page.get_by_role("link", name="Kembali").click()
    expect_page(page, "about")
    expect(page.locator("[name='birth_year']")).to_have_value("1995")
    expect(block(page, "sex").get_by_label("Perempuan", exact=True)).to_be_checked()
    expect(page.locator("#province")).to_have_value("32")
    expect(block(page, "education").get_by_label("SMK", exact=True)).to_be_checked()
    page.get_by_role("link", name="Kembali").click()
    expect_page(page, "consent_page")
    expect(block(page, "consent").get_by_label("Ya, saya setuju ikut survei ini")).to_be_checked()

    # Changing an earlier answer in the new browser is saved like any other.
    save(page, "about")
    page.locator("[name='birth_year']").fill("1996")
    save(page, "trainings")
    choose(page, "trainings_finished", "Barista Kopi Dasar")
    save(page, "usefulness")
    answers = stored_response(app, survey.invitation_id).answers
    assert answers["birth_year"] == 1996
    assert answers["trainings_finished"] == ["TRN-BRW-A"]
    assert answers["sex"] == "female"
