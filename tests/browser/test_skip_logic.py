"""Skip logic in a real browser: instant with JavaScript, decided by the server without it."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.survey_steps import (
    answer_about,
    answer_until,
    block,
    choose,
    expect_page,
    save,
    start,
    stored_response,
    type_into,
)

pytestmark = pytest.mark.browser


def test_follow_up_questions_appear_and_disappear_instantly_without_a_request(app, survey, phone):
    answer_until(phone, survey.url, "work")
    url = phone.url
    requests = []
    phone.on("request", lambda request: requests.append(request.url))
    temp_absent, job_search = block(phone, "temp_absent"), block(phone, "job_search")
    expect(temp_absent).to_be_hidden()
    expect(job_search).to_be_hidden()

    choose(phone, "worked_last_week", "Tidak")
    expect(temp_absent).to_be_visible()
    expect(job_search).to_be_hidden()  # still depends on temp_absent
    choose(phone, "temp_absent", "Tidak")
    expect(job_search).to_be_visible()
    choose(phone, "job_search", "Mencari pekerjaan")

    choose(phone, "worked_last_week", "Ya")
    expect(temp_absent).to_be_hidden()
    expect(job_search).to_be_hidden()
    # Hidden answers are not sent: their inputs are disabled while hidden.
    expect(temp_absent.get_by_label("Tidak", exact=True)).to_be_disabled()
    expect(job_search.get_by_label("Mencari pekerjaan", exact=True)).to_be_disabled()

    choose(phone, "worked_last_week", "Tidak")  # and back again: the earlier ticks are kept
    expect(temp_absent.get_by_label("Tidak", exact=True)).to_be_checked()
    expect(job_search).to_be_visible()
    choose(phone, "worked_last_week", "Ya")
    assert requests == [] and phone.url == url  # all of it happened in the page

    choose(phone, "main_activity", "Bekerja")
    save(phone, "job")
    answers = stored_response(app, survey.invitation_id).answers
    assert answers["worked_last_week"] == "yes"
    assert "temp_absent" not in answers and "job_search" not in answers
    requests.clear()
    # The job page already knows worked_last_week: own-business answers drop the side-business question.
    expect(block(phone, "job_status")).to_be_visible()
    expect(block(phone, "wage")).to_be_hidden()
    expect(block(phone, "side_business")).to_be_visible()
    choose(phone, "job_status", "Berusaha sendiri (usaha sendiri, tanpa dibantu orang lain)")
    expect(block(phone, "side_business")).to_be_hidden()
    expect(block(phone, "wage")).to_be_hidden()
    choose(phone, "job_status", "Buruh/karyawan/pegawai (digaji oleh orang lain atau kantor)")
    expect(block(phone, "wage")).to_be_visible()
    expect(block(phone, "side_business")).to_be_visible()
    assert requests == []


def test_i_do_not_sell_online_cannot_be_combined_with_other_channels(app, survey, phone):
    answer_until(phone, survey.url, "business_about")
    phone.locator("[name='business_description']").fill("jasa jahit gamis pesanan tetangga sekitar rumah")
    phone.locator("[name='business_started']").fill("2021-07")
    choose(phone, "business_channels", "Tidak jualan online", "Website sendiri")
    save(phone)
    expect(phone.locator("#error-summary")).to_be_focused()
    expect(phone.locator("#error-business_channels")).to_have_text(
        '"Tidak jualan online" tidak bisa dipilih bersama pilihan lain.')
    expect(phone.locator("[name='business_description']")).to_have_value(
        "jasa jahit gamis pesanan tetangga sekitar rumah")  # nothing typed is lost
    block(phone, "business_channels").get_by_label("Website sendiri", exact=True).uncheck()
    save(phone, "business_money")
    assert stored_response(app, survey.invitation_id).answers["business_channels"] == ["none"]


def test_without_javascript_the_server_shows_follow_ups_and_skips_pages(app, survey, new_phone):
    page = new_phone(java_script_enabled=False).new_page()
    start(page, survey.url)
    answer_about(page)
    save(page, "trainings")
    save(page, "work")  # finished none of the trainings: the usefulness page is skipped

    expect(block(page, "temp_absent")).to_be_hidden()
    expect(block(page, "job_search")).to_be_hidden()
    choose(page, "worked_last_week", "Tidak")
    choose(page, "main_activity", "Lainnya (misalnya mencari kerja, sakit, pensiun)")
    save(page)
    # Without JavaScript the follow-up can only appear after the round trip.
    expect_page(page, "work")
    expect(block(page, "temp_absent")).to_be_visible()
    expect(block(page, "job_search")).to_be_hidden()
    expect(block(page, "worked_last_week").get_by_label("Tidak", exact=True)).to_be_checked()
    choose(page, "temp_absent", "Tidak")
    save(page)
    expect_page(page, "work")
    expect(block(page, "job_search")).to_be_visible()
    choose(page, "job_search", "Mencari pekerjaan")
    save(page, "job")

    # Not working: status, change and wage do not apply, only the side-business question.
    for question in ("job_status", "job_change", "wage"):
        expect(block(page, question)).to_be_hidden()
    expect(block(page, "side_business")).to_be_visible()
    choose(page, "side_business", "Tidak")
    save(page, "since_training")
    choose(page, "first_work_timing", "Belum pernah bekerja atau berusaha sejak pelatihan")
    expect(block(page, "months_to_first_work")).to_be_hidden()
    save(page, "income")  # no business: the three business pages are skipped
    type_into(page, "income_before", "0")
    type_into(page, "income_now", "0")
    save(page, "training_use")
    expect(block(page, "most_useful_training")).to_be_hidden()  # fewer than 2 trainings finished

    answers = stored_response(app, survey.invitation_id).answers
    assert answers["worked_last_week"] == "no"
    assert answers["temp_absent"] == "no"
    assert answers["job_search"] == "looking_for_work"
    assert answers["side_business"] == "no"
    assert answers.get("trainings_finished", []) == []  # none ticked: stored as no answer
    assert not {"job_status", "job_change", "wage", "training_usefulness", "business_description"} & set(answers)


def test_without_javascript_answers_that_no_longer_apply_are_dropped(app, survey, new_phone):
    page = new_phone(java_script_enabled=False).new_page()
    start(page, survey.url)
    answer_about(page)
    save(page, "trainings")
    save(page, "work")
    choose(page, "worked_last_week", "Tidak")
    choose(page, "main_activity", "Sekolah atau kuliah")
    save(page)
    choose(page, "temp_absent", "Ya")
    save(page, "job")  # temporarily absent counts as working: job_status applies
    expect(block(page, "job_status")).to_be_visible()

    page.get_by_role("link", name="Kembali").click()
    expect_page(page, "work")
    choose(page, "worked_last_week", "Ya")  # the now-irrelevant temp_absent tick is still in the page
    save(page, "job")
    answers = stored_response(app, survey.invitation_id).answers
    assert answers["worked_last_week"] == "yes"
    assert "temp_absent" not in answers
