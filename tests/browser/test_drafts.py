"""A flaky phone loses nothing: local drafts and fetch-sent pages (survey_app/static/drafts.js).

The network drop is real as far as the page can tell: Playwright fails the POST before it
leaves the browser, exactly as a lost connection does.
"""
from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import update

from survey_app.extensions import db
from survey_app.models import Response
from tests.browser.survey_steps import (
    answer_business_money,
    answer_until,
    block,
    choose,
    expect_page,
    heading,
    save,
    stored_response,
    type_into,
)

pytestmark = pytest.mark.browser

RESTORED = "Isian Anda sebelumnya di ponsel ini sudah dikembalikan. Isian ini belum tersimpan"
UNSAVED = "Belum tersimpan"
FAILED = "Tidak dapat terhubung ke server, jadi belum ada yang tersimpan."


def drop_posts_to(page: Page, page_name: str) -> None:
    """Every POST of this survey page fails as if the phone lost its connection."""
    def handle(route):
        if route.request.method == "POST":
            route.abort("internetdisconnected")
        else:
            route.continue_()
    page.route(f"**/p/{page_name}", handle)


def stored_drafts(page: Page, storage: str = "localStorage") -> list[dict]:
    """Every draft entry this browser keeps, as parsed JSON."""
    raw = page.evaluate(
        """(storage) => Object.keys(window[storage]).filter((key) => key.startsWith("jejak-draft:"))
              .map((key) => window[storage].getItem(key))""", storage)
    return [json.loads(entry) for entry in raw]


def draft_pages(page: Page, storage: str = "localStorage") -> set[str]:
    return {name for entry in stored_drafts(page, storage) for name in entry["pages"]}


def type_about(page: Page, year: str = "1990") -> None:
    type_into(page, "birth_year", year)
    choose(page, "sex", "Perempuan")
    page.locator("#province").select_option(label="Jawa Barat")


def test_a_failed_send_keeps_the_person_on_the_page_with_their_answers(app, survey, phone):
    answer_until(phone, survey.url, "about")
    about_url = phone.url
    type_about(phone)
    drop_posts_to(phone, "about")
    phone.get_by_role("button", name="Simpan dan lanjut").click()

    alert = phone.locator(".draft-alert")
    expect(alert).to_have_text(FAILED + " Jawaban Anda masih ada di sini: periksa koneksi internet, "
                               "lalu tekan “Simpan dan lanjut” lagi.")
    expect(alert).to_be_focused()
    expect_page(phone, "about")  # not the browser's offline error page
    assert phone.url == about_url
    expect(phone.locator("[name='birth_year']")).to_have_value("1990")
    expect(block(phone, "sex").get_by_label("Perempuan", exact=True)).to_be_checked()
    expect(phone.locator("#province")).to_have_value("32")
    expect(phone.locator(".draft-note")).to_contain_text(UNSAVED)
    assert "birth_year" not in (stored_response(app, survey.invitation_id).answers or {})

    # The connection comes back: the same button now saves, and the draft has done its job.
    phone.unroute("**/p/about")
    choose(phone, "education", "SMK")
    save(phone, "trainings")
    assert phone.url == f"{survey.url}/p/trainings"
    answers = stored_response(app, survey.invitation_id).answers
    assert (answers["birth_year"], answers["sex"], answers["province"]) == (1990, "female", "32")
    assert "about" not in draft_pages(phone)


def test_a_proxy_error_on_send_is_treated_like_a_lost_connection(app, survey, phone):
    answer_until(phone, survey.url, "about")
    type_about(phone, "1994")
    phone.route("**/p/about", lambda route: route.fulfill(status=502, body="Bad Gateway")
                if route.request.method == "POST" else route.continue_())
    phone.get_by_role("button", name="Simpan dan lanjut").click()

    expect(phone.locator(".draft-alert")).to_contain_text(FAILED)
    expect_page(phone, "about")
    expect(phone.locator("[name='birth_year']")).to_have_value("1994")
    assert "birth_year" not in (stored_response(app, survey.invitation_id).answers or {})


def test_a_reload_or_a_closed_tab_brings_back_what_was_typed_marked_not_saved(survey, phone, new_phone):
    answer_until(phone, survey.url, "about")
    type_about(phone, "1988")
    expect(phone.locator(".draft-note")).to_contain_text(UNSAVED)

    phone.reload()
    expect_page(phone, "about")
    expect(phone.locator("[name='birth_year']")).to_have_value("1988")
    expect(block(phone, "sex").get_by_label("Perempuan", exact=True)).to_be_checked()
    expect(phone.locator("#province")).to_have_value("32")
    expect(phone.locator(".draft-note")).to_contain_text(RESTORED)

    # Closing the tab and opening the link again in the same browser: still there.
    context = phone.context
    phone.close()
    tab = context.new_page()
    tab.goto(f"{survey.url}/p/about")
    expect(tab.locator("[name='birth_year']")).to_have_value("1988")
    expect(tab.locator(".draft-note")).to_contain_text(RESTORED)

    # The token is not written down in the browser's storage, only a hash of the link.
    keys = tab.evaluate("() => Object.keys(localStorage)")
    assert keys and not any(survey.token in key for key in keys)

    # Another phone has its own storage: nothing to restore there.
    other = new_phone().new_page()
    other.goto(f"{survey.url}/p/about")
    expect_page(other, "about")
    expect(other.locator("[name='birth_year']")).to_have_value("")
    expect(other.locator(".draft-note")).to_be_hidden()


def test_a_confirmed_save_clears_the_draft_and_an_untouched_page_shows_no_marker(app, survey, phone):
    answer_until(phone, survey.url, "about")
    expect(phone.locator(".draft-note")).to_be_hidden()
    type_about(phone, "1992")
    choose(phone, "education", "SMK")
    assert "about" in draft_pages(phone)
    save(phone, "trainings")
    assert draft_pages(phone) == set()

    phone.go_back()  # the page sent by fetch pushed its URL: back loads the previous page again
    expect_page(phone, "about")
    expect(phone.locator("[name='birth_year']")).to_have_value("1992")  # from the server now
    expect(phone.locator(".draft-note")).to_be_hidden()
    assert stored_response(app, survey.invitation_id).answers["birth_year"] == 1992


def test_a_draft_older_than_what_the_server_has_is_dropped(app, survey, phone):
    answer_until(phone, survey.url, "about")
    type_about(phone, "1985")
    with app.app_context():  # another device saved this page meanwhile
        response = db.session.get(Response, stored_response(app, survey.invitation_id).id)
        newer = dict(response.answers, birth_year=1999)
        db.session.execute(update(Response).where(Response.id == response.id)
                           .values(answers=newer, revision=response.revision + 1))
        db.session.commit()

    phone.reload()
    expect_page(phone, "about")
    expect(phone.locator("[name='birth_year']")).to_have_value("1999")
    expect(phone.locator(".draft-note")).to_be_hidden()
    assert draft_pages(phone) == set()


def test_income_is_never_written_to_lasting_storage(survey, phone):
    answer_until(phone, survey.url, "business_money")
    answer_business_money(phone)  # revenue and profit are `sensitive`, workers are not

    assert "3.000.000" not in json.dumps(stored_drafts(phone))
    assert "3.000.000" in json.dumps(stored_drafts(phone, "sessionStorage"))

    phone.reload()  # same tab: everything comes back
    expect(phone.locator("[name='business_revenue']")).to_have_value("3.000.000")
    expect(phone.locator("[name='workers_unpaid']")).to_have_value("1")

    context = phone.context
    phone.close()  # a closed tab forgets the income, keeps the rest
    tab = context.new_page()
    tab.goto(f"{survey.url}/p/business_money")
    expect(tab.locator("[name='workers_unpaid']")).to_have_value("1")
    expect(tab.locator("[name='business_revenue']")).to_have_value("")
    expect(tab.locator("[name='business_profit']")).to_have_value("")


def test_a_page_changed_in_another_tab_still_refuses_the_older_send(app, survey, phone, new_phone):
    answer_until(phone, survey.url, "about")
    type_about(phone, "1991")
    choose(phone, "education", "SMK")

    other = new_phone().new_page()  # another phone saves the same page first
    other.goto(f"{survey.url}/p/about")
    type_about(other, "1993")
    choose(other, "education", "SMK")
    save(other, "trainings")

    phone.get_by_role("button", name="Simpan dan lanjut").click()
    expect(heading(phone)).to_have_text("Jawaban Anda berubah di tempat lain")
    assert stored_response(app, survey.invitation_id).answers["birth_year"] == 1993


def test_without_javascript_pages_are_plain_form_posts(app, survey, new_phone):
    page = new_phone(java_script_enabled=False).new_page()
    answer_until(page, survey.url, "trainings")
    expect(page.locator(".draft-note")).to_have_count(0)
    assert stored_response(app, survey.invitation_id).answers["birth_year"] == 1995


def test_a_page_sent_back_with_errors_keeps_the_draft_marked_not_saved(survey, phone):
    answer_until(phone, survey.url, "about")
    type_about(phone, "1800")  # out of range: the server sends the page back with the error
    save(phone)

    expect(phone.locator("#error-summary")).to_be_focused()
    expect(phone.locator("[name='birth_year']")).to_have_value("1800")
    expect(phone.locator(".draft-note")).to_contain_text(UNSAVED)
    expect(phone.locator(".draft-note")).not_to_contain_text("dikembalikan")
    assert "about" in draft_pages(phone)  # nothing was saved: the draft stays
