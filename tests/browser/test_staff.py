"""The staff site in a real browser: log in, watch the dashboard, download an export, code."""
from __future__ import annotations

import pandas as pd
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from survey_app.accounts.service import create_user
from survey_app.extensions import db
from survey_app.models import Invitation, SectorCode
from tests import factories
from tests.browser.conftest import TIMEOUT_MS

pytestmark = pytest.mark.browser
PASSWORD = "a long staff password"


@pytest.fixture
def desk(browser, live_server):
    """A desktop-sized page (staff work at desks) that sends an English Accept-Language."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900},
                                  locale="en-US", accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def _log_in(page, email: str) -> None:
    page.goto("/admin/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Waves")).to_be_visible()


def test_log_in_watch_dashboard_and_download_stata_export(app, survey, desk, tmp_path):
    with app.app_context():
        create_user("admin@example.org", "admin", PASSWORD)
    _log_in(desk, "admin@example.org")
    desk.get_by_role("link", name="browser").click()
    expect(desk.locator('[data-stat="invited"]')).to_have_text("1")
    desk.goto("/admin/exports")
    desk.get_by_role("link", name="Export", exact=True).first.click()
    desk.get_by_label("Format").select_option("dta")
    # The export runs as a background job: its page shows progress, then the download link.
    desk.get_by_role("button", name="Start the export").click()
    link = desk.locator("#job-download-link")
    expect(link).to_be_visible()
    with desk.expect_download() as download_info:
        link.click()
    path = tmp_path / "export.dta"
    download_info.value.save_as(path)
    frame = pd.read_stata(path)
    assert "pid" in frame.columns and "consent" in frame.columns


def test_researcher_codes_an_answer_with_the_keyboard(app, survey, desk):
    with app.app_context():
        create_user("coder@example.org", "researcher", PASSWORD)
        invitation = db.session.get(Invitation, survey.invitation_id)
        code = factories.make_sector_code(invitation, "jualan kopi susu di gerobak depan kampus",
                                          suggestions=[["56", 0.55], ["47", 0.3], ["10", 0.1]])
        db.session.commit()
        wave_id, code_id = invitation.wave_id, code.id
    _log_in(desk, "coder@example.org")
    desk.goto(f"/admin/waves/{wave_id}/coding")
    desk.get_by_role("link", name="Start reviewing").click()
    expect(desk.locator("#answer")).to_contain_text("jualan kopi susu")
    expect(desk.locator("html[data-coding-ready]")).to_have_count(1)  # the deferred script is running
    desk.keyboard.press("2")  # the second suggestion
    expect(desk.get_by_label("KBLI code (division or 5 digits)")).to_have_value("47")
    desk.keyboard.press("/")  # search instead
    desk.keyboard.type("minuman keliling")
    expect(desk.locator("#search-results .pick").first).to_be_visible()
    desk.keyboard.press("Enter")  # takes the first result into the code box
    chosen = desk.get_by_label("KBLI code (division or 5 digits)").input_value()
    assert chosen.isdigit()
    desk.get_by_label("KBLI code (division or 5 digits)").press("Enter")
    expect(desk.get_by_role("heading", name="KBLI coding")).to_be_visible()
    with app.app_context():
        current = db.session.scalar(select(SectorCode).where(SectorCode.superseded_at.is_(None)))
        assert current.status == "manual" and current.coder.email == "coder@example.org"
        assert current.id != code_id and current.division == chosen[:2]
