"""Real headless Chromium against the app served on a local port, on SQLite and PostgreSQL.

``live_server`` serves the ``app`` fixture (so every browser test runs once per database
backend) from a background thread; ``survey`` loads the default questionnaire from seeds
and invites one alumnus with two roster trainings. ``browser`` is one Chromium per session
(the Debian package: Playwright cannot download its own here, see ``JEJAK_CHROMIUM``);
``phone`` is a fresh context per test with a phone-sized touch viewport in Indonesian.
"""
from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from survey_app.extensions import db
from survey_app.questionnaire.service import store_new_version
from tests import factories
from tests.conftest import skip_or_fail

CHROMIUM = os.environ.get("JEJAK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    # Without these Chromium keeps calling home and fills the log with refused connections.
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
DEFAULT_QUESTIONNAIRE = Path(__file__).resolve().parents[2] / "seeds" / "questionnaires" / "tracer_default.yaml"
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "locale": "id-ID",
    "device_scale_factor": 2,
}
TIMEOUT_MS = 10_000  # a local page never takes this long; fail fast instead of hanging


@dataclass
class LiveServer:
    url: str
    app: object


@dataclass
class SurveyLink:
    """One invited alumnus's personal link to the default questionnaire."""

    url: str
    token: str
    invitation_id: int
    trainings: tuple[str, str]  # roster training codes, in the order the survey lists them


@pytest.fixture
def live_server(app):
    """The app served on 127.0.0.1 at a free port (threaded), shut down after the test."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request in failure reports
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = url
    thread = threading.Thread(target=server.serve_forever, name="jejak-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url, app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.session.remove()


@pytest.fixture
def survey(app, live_server):
    """The default questionnaire from seeds, a wave, and an invited alumnus with two trainings."""
    with app.app_context():
        questionnaire = store_new_version(DEFAULT_QUESTIONNAIRE.read_text(encoding="utf-8"))
        wave = factories.make_wave(questionnaire.id, name="browser")
        barista = factories.make_training("TRN-BRW-A", "Barista Kopi Dasar", "food_beverage")
        design = factories.make_training("TRN-BRW-B", "Desain Grafis dengan Canva", "it")
        factories.make_training("TRN-BRW-C", "Pelatihan Orang Lain", "other")  # not on this roster
        alumnus = factories.make_alumnus([barista, design], name="Siti Browser")
        invitation, token = factories.make_invitation(wave, alumnus)
        return SurveyLink(f"{live_server.url}/s/{token}", token, invitation.id, ("TRN-BRW-A", "TRN-BRW-B"))


@pytest.fixture(scope="session")
def playwright_driver():
    driver = sync_playwright().start()
    yield driver
    driver.stop()


@pytest.fixture(scope="session")
def browser(playwright_driver):
    """One headless Chromium for the session (Debian's, at JEJAK_CHROMIUM)."""
    if not os.path.exists(CHROMIUM):
        skip_or_fail(f"Chromium not found at {CHROMIUM} (set JEJAK_CHROMIUM to its executable)")
    try:
        chromium = playwright_driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    except Exception as exc:  # noqa: BLE001 - any launch problem means "no browser here"
        skip_or_fail(f"Chromium at {CHROMIUM} failed to launch: {str(exc).splitlines()[0]}")
    yield chromium
    chromium.close()


def _context(browser, live_server, **options):
    context = browser.new_context(base_url=live_server.url, **PHONE, **options)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def new_phone(browser, live_server):
    """A factory of fresh phone contexts (no shared cookies); all closed after the test."""
    contexts = []

    def make(**options):
        context = _context(browser, live_server, **options)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def phone(new_phone):
    """A page in a fresh phone-sized touch context (360x740, locale id-ID)."""
    return new_phone().new_page()
