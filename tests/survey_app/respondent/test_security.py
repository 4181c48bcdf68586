"""Security findings on the respondent side (issue 10: items 11, 12, 13)."""
import io
import json
import logging
import re

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Response
from survey_app.tokens import hash_token
from tests import factories
from tests.survey_app.questionnaire.conftest import SMALL_FORM
from tests.survey_app.respondent.conftest import Link
from tests.survey_app.respondent.test_flow import answer_everything

SENSITIVE_FORM = re.sub(r"(\n( +)label: \{id: \"(Omzet|Laba)\".*)", r"\1\n\2sensitive: true", SMALL_FORM)


@pytest.fixture
def sensitive_link(app):
    """An invitation to the small survey whose revenue and profit are marked sensitive."""
    assert SENSITIVE_FORM.count("sensitive: true") == 2
    with app.app_context():
        wave = factories.make_wave(factories.make_questionnaire(SENSITIVE_FORM).id)
        t1 = factories.make_training("TRN-A", "Barista Kopi Dasar", "food_beverage")
        t2 = factories.make_training("TRN-B", "Desain Grafis dengan Canva", "it")
        invitation, token = factories.make_invitation(wave, factories.make_alumnus([t1, t2]))
        return Link(token, invitation.id)


def _answers(app, link):
    with app.app_context():
        return db.session.scalar(select(Response).where(Response.invitation_id == link.invitation_id)).answers


def _start(browser, link):
    browser.get(link.url)
    browser.submit({"language": "id"})
    browser.submit({"consent": "yes"})


# -- 11: the thank-you page ------------------------------------------------------------------
def test_thank_you_page_masks_financial_answers_and_is_not_cached(app, browser, sensitive_link):
    answer_everything(browser, sensitive_link)
    browser.submit()
    page = browser.get(sensitive_link.url)
    text = browser.text()
    assert "Terima kasih" in text
    assert "3.000.000" not in text and "1.000.000" not in text
    assert "warung kopi depan rumah" in text  # non-sensitive answers still shown
    assert page.headers["Cache-Control"] == "no-store"
    assert _answers(app, sensitive_link)["revenue"] == 3000000  # masked on screen only


# -- 13: a year is not a thousands figure ----------------------------------------------------
def test_birth_year_is_shown_without_thousands_separator(browser, link):
    answer_everything(browser, link)
    text = browser.text()
    assert "1990" in text and "1.990" not in text
    assert "3.000.000" in text  # large figures keep their separator


# -- 12: multipart posts get the UTF-8 rule ----------------------------------------------------
def test_non_utf8_multipart_form_data_is_refused(app, browser, link):
    _start(browser, link)
    fields = browser.form_fields(browser.page.find("form"))
    fields.update({"birth_year": "1990", "has_business": "yes"})
    boundary = "jejakboundary"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="business_description"\r\n\r\n'.encode()
                 + b"warung\xff\xfekopi\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    response = browser.client.post(f"{link.url}/p/work", data=body,
                                   content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 400
    assert "business_description" not in (_answers(app, link) or {})


def test_valid_utf8_multipart_form_data_is_accepted(app, browser, link):
    _start(browser, link)
    fields = browser.form_fields(browser.page.find("form"))
    fields.update({"birth_year": "1990", "has_business": "yes", "business_description": "warung kopi ñandú",
                   "upload": (io.BytesIO(b"\xff\xfe not text"), "x.bin")})
    response = browser.client.post(f"{link.url}/p/work", data=fields, content_type="multipart/form-data")
    assert response.status_code in (302, 303)
    assert _answers(app, link)["business_description"] == "warung kopi ñandú"


# -- 11: security headers on every response --------------------------------------------------
@pytest.mark.parametrize("path", ["/", "/s/AAAAAAAAAAAAAAAAAAAAAAAA", "/admin/login", "/healthz", "/no-such-page"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


def test_respondent_pages_need_no_inline_script_or_style(browser, link):
    """The CSP forbids inline code, so the pages must not rely on any."""
    browser.get(link.url)
    browser.submit({"language": "id"})
    browser.submit({"consent": "yes"})
    for node in browser.page.find_all("script"):
        assert node.get("src") or node.get("type") == "application/json"
    assert not browser.page.find_all(style=True) and not browser.page.find_all("style")
    for node in browser.page.find_all(True):
        assert not any(name.startswith("on") for name in node.attrs)


# -- 11: survey tokens never reach the logs --------------------------------------------------
def test_error_logs_carry_a_token_hash_prefix_never_the_token(app, client, link, monkeypatch):
    from survey_app.respondent import views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.service, "find_invitation", broken)
    stream = io.StringIO()
    handler = app.logger.handlers[0]
    monkeypatch.setattr(handler, "stream", stream)
    assert client.get(link.url).status_code == 500
    logged = stream.getvalue()
    assert link.token not in logged
    entry = json.loads(logged.splitlines()[-1])
    assert hash_token(link.token)[:12] in entry["path"] and hash_token(link.token)[:12] in entry["msg"]


def test_request_lines_of_the_servers_are_redacted(app, link):
    request_line = f"GET /s/{link.token}/p/work HTTP/1.1"
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '"%s" %s', (request_line, 200), None)
    for log_filter in logging.getLogger("werkzeug").filters:
        log_filter.filter(record)
    assert link.token not in record.getMessage()
    assert f"/s/#{hash_token(link.token)[:12]}/p/work" in record.getMessage()


def test_survey_pages_leave_the_session_cookie_alone_once_it_is_set(browser, link):
    """A survey page neither rewrites the session nor clears a staff remember-me cookie.

    The respondent's session holds only the CSRF token. Flask-Login's "strong" session
    protection used to read that as a tampered login on every page (its context processor
    loaded the user for every template): each reply re-signed the session and deleted
    ``remember_token``. Besides the wasted work, a staff member answering a test link in the
    same browser lost their remember-me cookie.
    """
    browser.get(link.url)
    browser.submit({"language": "id"})
    page_url = browser.response.request.path
    browser.submit({"consent": "yes"})
    for url in (link.url, page_url, browser.response.request.path):
        reply = browser.get(url)
        assert reply.status_code == 200
        assert reply.headers.getlist("Set-Cookie") == [], url

