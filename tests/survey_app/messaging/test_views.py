"""The staff "Messages" pages: counts, template editing, queue/send buttons, links download."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import AuditEvent, MessageTemplate, OutboundMessage
from tests.survey_app.admin.conftest import csrf_of


@pytest.fixture(autouse=True)
def english(client):
    """These tests read the staff pages in English (Indonesian is the default)."""
    client.set_cookie("jejak_lang", "en")


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_admin_queues_and_sends_a_batch_from_the_wave_page(app, smtp, invite, as_role, wave):
    client = as_role("admin")
    people = [invite(), invite()]
    invite(email="")
    url = f"/admin/waves/{wave}/messages"
    token = csrf_of(page(client, url))

    queued = client.post(f"{url}/queue", data={"csrf_token": token, "kind": "invitation"}, follow_redirects=True)
    sent = client.post(f"{url}/send", data={"csrf_token": token}, follow_redirects=True)

    assert "2 message(s) queued. Skipped: no email: 1." in queued.get_data(as_text=True)
    assert "Sent 2, bounced 0, failed 0; 0 still queued." in sent.get_data(as_text=True)
    assert smtp.mailbox.recipients() == sorted(p.email for p in people)
    html = page(client, url)
    assert "without an e-mail address (skipped): 1" in html
    assert ">Messages</a>" in page(client, "/admin/")  # menu entry


def test_send_now_with_the_server_down_says_so_and_keeps_the_queue(app, smtp, invite, as_role, wave):
    client = as_role("admin")
    invite()
    url = f"/admin/waves/{wave}/messages"
    token = csrf_of(page(client, url))
    client.post(f"{url}/queue", data={"csrf_token": token, "kind": "invitation"})
    smtp.stop()

    response = client.post(f"{url}/send", data={"csrf_token": token}, follow_redirects=True)

    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Stopped early: cannot connect to SMTP server" in html
    with app.app_context():
        assert db.session.scalar(select(OutboundMessage.status)) == "queued"


def test_queue_without_csrf_token_is_refused_and_queues_nothing(app, invite, as_role, wave):
    client = as_role("admin")
    invite()

    response = client.post(f"/admin/waves/{wave}/messages/queue", data={"kind": "invitation"})

    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboundMessage)) == 0


def test_template_page_shows_the_default_and_refuses_unknown_placeholders(app, as_role, wave):
    client = as_role("admin")
    url = f"/admin/waves/{wave}/messages/template?kind=reminder&language=en"
    html = page(client, url)
    assert "Reminder: Kartu Prakerja alumni survey" in html

    refused = client.post(url, data={"csrf_token": csrf_of(html), "subject": "Hi {nama}",
                                     "body": "No link here <script>alert(1)</script>", "save": "Save"})

    text = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "the subject uses the unknown placeholder {nama}" in text
    assert "the text must contain {link}" in text
    assert "<script>alert(1)</script>" not in text  # the typed text is shown escaped
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MessageTemplate)) == 0


def test_a_saved_template_is_used_and_can_be_reset(app, smtp, invite, as_role, wave):
    client = as_role("admin")
    person = invite(language="en")
    url = f"/admin/waves/{wave}/messages/template?kind=invitation&language=en"
    token = csrf_of(page(client, url))

    saved = client.post(url, data={"csrf_token": token, "subject": "Hello {name}",
                                   "body": "Answer here: {link}", "save": "Save"})
    assert saved.status_code == 303
    messages = f"/admin/waves/{wave}/messages"
    client.post(f"{messages}/queue", data={"csrf_token": token, "kind": "invitation"})
    client.post(f"{messages}/send", data={"csrf_token": token})

    [mail] = smtp.mailbox.to(person.email)
    assert mail["Subject"].startswith("Hello Alumni")
    assert "this wave's text" in page(client, messages)
    client.post(url, data={"csrf_token": token, "subject": "x", "body": "{link}", "reset": "1"})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MessageTemplate)) == 0


def test_unknown_template_kind_or_language_is_not_found(as_role, wave):
    client = as_role("admin")
    assert client.get(f"/admin/waves/{wave}/messages/template?kind=sms&language=id").status_code == 404
    assert client.get(f"/admin/waves/{wave}/messages/template?kind=reminder&language=jv").status_code == 404


def test_links_download_is_streamed_neutralised_and_audited(app, client, invite, as_role, wave):
    person = invite(name="=cmd|' /C calc'!A0")
    invite(status="submitted")
    admin = as_role("admin")
    token = csrf_of(page(admin, f"/admin/waves/{wave}/messages"))

    response = admin.post(f"/admin/waves/{wave}/messages/links", data={"csrf_token": token})

    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [(r["external_id"], r["name"]) for r in rows] == [(person.external_id, "'=cmd|' /C calc'!A0")]
    assert rows[0]["url"] == f"http://survey.test/s/{person.token}"
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "personal_data.export"))
        assert event.actor == "admin@example.org" and event.detail["via"] == "web"
