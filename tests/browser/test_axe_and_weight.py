"""Keep what is already good: zero axe-core WCAG 2.1 A/AA violations on every respondent page
type in both languages, and a respondent page that weighs at most 30 KB over the wire.

The weight is what Chromium received for the page's HTML, CSS and JavaScript (headers
included) with its cache off, as the app sends it: HTML gzip-compressed by Flask-Compress,
static CSS/JS as files (uncompressed; a proxy that compresses them only makes it lighter).
"""
from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import update

from survey_app.extensions import db
from survey_app.models import Invitation, Response, Wave
from survey_app.respondent.service import now
from tests import factories
from tests.browser.axe import axe_violations, install_axe
from tests.browser.survey_steps import (
    EXPECTED_ANSWERS,
    answer_until,
    stored_response,
    type_into,
)

pytestmark = pytest.mark.browser

MAX_PAGE_BYTES = 30 * 1024
PAGE_PARTS = {"document", "stylesheet", "script"}
START = {"id": "Mulai", "en": "Start"}
LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}
UNSAVED = {"id": "Belum tersimpan", "en": "Not saved yet"}


@pytest.fixture(scope="session")
def axe_source():
    return install_axe()


@pytest.fixture
def phone_in(new_phone, live_server):
    """A phone (CSP bypassed so axe can be injected) whose language cookie says ``language``."""
    def make(language: str) -> Page:
        context = new_phone(bypass_csp=True)
        context.add_cookies([{"name": "jejak_lang", "value": language, "url": live_server.url}])
        return context.new_page()
    return make


def submit(page: Page) -> None:
    page.locator("main form button[type=submit]").last.click()


def skip_to_review(app, invitation_id: int) -> None:
    """Give the response every answer of the main scenario, as if all pages had been saved."""
    with app.app_context():
        db.session.execute(update(Response).where(Response.invitation_id == invitation_id)
                           .values(answers=EXPECTED_ANSWERS, current_page="training_use"))
        db.session.commit()


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_respondent_page_type_has_no_wcag_violations(app, survey, live_server, phone_in, axe_source,
                                                            language):
    page = phone_in(language)
    checked = {}

    def check(name: str) -> None:
        expect(page.locator("html")).to_have_attribute("lang", language)
        checked[name] = axe_violations(page, axe_source)

    page.goto(survey.url)
    expect(page.get_by_label(LANGUAGE_NAMES[language])).to_be_checked()
    check("language choice")
    page.get_by_role("button", name=START[language]).click()
    expect(page.locator("[name=consent]").first).to_be_visible()
    check("consent")
    page.locator("[name=consent][value=yes]").check()
    submit(page)
    expect(page.locator("[name=birth_year]")).to_be_visible()
    check("a normal page")
    type_into(page, "birth_year", "1800")
    submit(page)
    expect(page.locator("#error-summary")).to_be_focused()
    check("a page with errors")
    type_into(page, "birth_year", "1990")  # typed, not sent: the "not saved yet" note is shown
    expect(page.locator(".draft-note")).to_contain_text(UNSAVED[language])
    check("a page with a draft not yet saved")

    skip_to_review(app, survey.invitation_id)
    page.goto(f"{survey.url}/review")
    check("review")
    submit(page)
    expect(page.locator("[data-draft-clear]")).to_be_visible()
    check("thank-you")
    assert stored_response(app, survey.invitation_id).submitted_at is not None

    page.goto(f"{live_server.url}/s/{secrets.token_urlsafe(18)}")
    check("invalid link")
    with app.app_context():
        wave_id = db.session.get(Invitation, survey.invitation_id).wave_id
        db.session.execute(update(Wave).where(Wave.id == wave_id).values(closes_at=now() - timedelta(days=1)))
        db.session.commit()
        other = _second_invitation(wave_id)
    page.goto(f"{live_server.url}/s/{other}")
    expect(page.locator("main")).to_contain_text("410")
    check("closed survey")

    assert {name: found for name, found in checked.items() if found} == {}
    assert len(checked) == 9


def _second_invitation(wave_id: int) -> str:
    """A fresh link in the (now closed) wave: what a late respondent opens."""
    wave = db.session.get(Wave, wave_id)
    alumnus = factories.make_alumnus([], name="Budi Tertutup")
    _invitation, token = factories.make_invitation(wave, alumnus)
    return token


def test_every_question_page_has_no_wcag_violations(survey, phone_in, axe_source):
    """Every page of the default questionnaire (new question types land here first)."""
    page = phone_in("id")
    found = {}
    answer_until(page, survey.url, "review",
                 on_page=lambda shown, name: found.setdefault(name, axe_violations(shown, axe_source)))
    found["review"] = axe_violations(page, axe_source)
    assert len(found) == 12
    assert {name: problems for name, problems in found.items() if problems} == {}


def page_weight(page: Page, url: str) -> dict[str, int]:
    """Bytes received for each HTML, CSS and JS response when ``url`` is loaded uncached."""
    received: dict[str, int] = {}

    def count(request):
        if request.resource_type in PAGE_PARTS:
            sizes = request.sizes()
            received[request.url] = sizes["responseHeadersSize"] + sizes["responseBodySize"]

    page.on("requestfinished", count)
    try:
        page.goto(url, wait_until="networkidle")
    finally:
        page.remove_listener("requestfinished", count)
    return received


def test_every_respondent_page_weighs_at_most_30_kb(survey, phone, new_phone):
    urls = {"language choice": survey.url, "consent": f"{survey.url}/p/consent_page"}
    answer_until(phone, survey.url, "review", on_page=lambda shown, name: urls.setdefault(name, shown.url))
    urls["review"] = phone.url

    # Each page in another phone with nothing cached, as on its first visit.
    weights = {name: page_weight(new_phone().new_page(), url) for name, url in urls.items()}
    phone.get_by_role("button", name="Kirim jawaban saya").click()
    expect(phone.locator("[data-draft-clear]")).to_be_visible()
    weights["thank-you"] = page_weight(new_phone().new_page(), survey.url)  # all the link shows once sent

    for name, parts in weights.items():
        kinds = {url.rsplit("/", 1)[-1] for url in parts}
        assert {"survey.css", "drafts.js"} <= kinds, (name, kinds)  # every part was counted
    totals = {name: sum(parts.values()) for name, parts in weights.items()}
    assert len(totals) == 15
    assert {name: total for name, total in totals.items() if total > MAX_PAGE_BYTES} == {}, totals
    assert min(totals.values()) > 5_000, weights  # really measured: HTML + CSS + JS of a page
