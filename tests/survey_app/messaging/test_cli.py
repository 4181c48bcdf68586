"""`flask messages …`: queue, send, status, requeue-stuck, mark-bounced and the links CSV."""
from __future__ import annotations

import csv

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEvent, OutboundMessage


def run(runner, *args: str):
    return runner.invoke(args=["messages", *args])


def test_queue_send_and_status_from_the_command_line(app, runner, smtp, invite):
    invite()
    invite(email="")

    queued = run(runner, "queue", "--wave", "w1", "--kind", "invitation")
    sent = run(runner, "send", "--batch", "10", "--rate", "60000")
    status = run(runner, "status", "--wave", "w1")

    assert queued.exit_code == 0, queued.output
    assert "Queued 1 invitation e-mail(s) in wave 'w1'." in queued.output
    assert "skipped 1: no email" in queued.output
    assert sent.exit_code == 0 and "Sent 1, bounced 0, failed 0, deferred 0; 0 still queued." in sent.output
    assert "invitation: queued 0, sending 0, sent 1, bounced 0, failed 0" in status.output
    assert "without e-mail address: 1" in status.output


def test_send_with_the_server_down_exits_non_zero_and_keeps_the_queue(app, runner, smtp, invite):
    invite()
    run(runner, "queue", "--wave", "w1", "--kind", "invitation")
    smtp.stop()

    result = run(runner, "send")

    assert result.exit_code == 1
    assert "stopped early: cannot connect to SMTP server 127.0.0.1" in result.output
    assert "nothing will be sent twice" in result.output
    with app.app_context():
        assert db.session.scalar(select(OutboundMessage.status)) == "queued"


def test_unknown_wave_and_kind_are_refused(runner, app):
    assert "no wave named 'nope'" in run(runner, "queue", "--wave", "nope", "--kind", "reminder").output
    assert run(runner, "queue", "--wave", "nope", "--kind", "sms").exit_code == 2


def test_stuck_messages_are_reported_and_requeued_only_when_confirmed(app, runner, smtp, invite):
    person = invite()
    run(runner, "queue", "--wave", "w1", "--kind", "invitation")
    with app.app_context():
        db.session.scalar(select(OutboundMessage)).status = "sending"
        db.session.commit()

    sent = run(runner, "send", "--rate", "60000")
    assert "1 message(s) were already 'sending'" in sent.output and smtp.mailbox.received == []

    refused = runner.invoke(args=["messages", "requeue-stuck"], input="n\n")
    confirmed = run(runner, "requeue-stuck", "--yes")
    resent = run(runner, "send", "--rate", "60000")

    assert refused.exit_code == 1 and "nothing changed" in refused.output
    assert "1 message(s) queued again." in confirmed.output
    assert resent.exit_code == 0 and smtp.mailbox.recipients() == [person.email]


def test_mark_bounced_from_a_provider_report(app, runner, smtp, invite, tmp_path):
    bounced, fine = invite(), invite()
    run(runner, "queue", "--wave", "w1", "--kind", "invitation")
    run(runner, "send", "--rate", "60000")
    report = tmp_path / "bounces.csv"
    report.write_text(f"Email,Reason\n{bounced.email.upper()},mailbox full\nnobody@example.org,unknown\n",
                      encoding="utf-8")

    result = run(runner, "mark-bounced", "--file", str(report))

    assert result.exit_code == 0, result.output
    assert "Marked 1 sent message(s) as bounced; 1 address(es) had no sent message." in result.output
    with app.app_context():
        by_address = dict(db.session.execute(select(OutboundMessage.address, OutboundMessage.status)).all())
    assert by_address == {bounced.email: "bounced", fine.email: "sent"}


def read_csv(path):
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def test_links_csv_has_working_links_for_everyone_who_may_still_answer(app, client, runner, invite, tmp_path):
    active = [invite(status=s) for s in ("issued", "opened", "partial")]
    for status in ("submitted", "declined", "withdrawn", "revoked"):
        invite(status=status)
    invite(resendable=False)  # an older link: cannot be rebuilt
    out = tmp_path / "links.csv"

    result = run(runner, "links", "--wave", "w1", "--out", str(out))

    assert result.exit_code == 0, result.output
    assert "Wrote 4 link(s)" not in result.output and "Wrote 3 link(s) of wave 'w1'" in result.output
    assert "1 invitation(s) have an older link" in result.output
    rows = read_csv(out)
    assert [r["external_id"] for r in rows] == [p.external_id for p in active]
    assert list(rows[0]) == ["external_id", "name", "phone", "email", "language", "status", "url"]
    for row, person in zip(rows, active):
        assert row["url"] == f"http://survey.test/s/{person.token}"
        assert client.get(row["url"].removeprefix("http://survey.test")).status_code == 200
    assert (out.stat().st_mode & 0o077) == 0  # readable by its owner only
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "personal_data.export"))
        assert event.target == "wave:w1:links"


def test_links_csv_neutralises_formulas_but_keeps_phone_numbers(app, runner, invite, tmp_path):
    invite(name='=HYPERLINK("http://evil.example","klik")', phone="+6281234567890", email="@evil.example")
    invite(name="-2+3", phone="=1+2", email="+x@example.org")
    out = tmp_path / "links.csv"

    run(runner, "links", "--wave", "w1", "--out", str(out))

    first, second = read_csv(out)
    assert first["name"] == "'=HYPERLINK(\"http://evil.example\",\"klik\")"
    assert first["phone"] == "+6281234567890"
    assert first["email"] == "'@evil.example"
    assert (second["name"], second["phone"], second["email"]) == ("'-2+3", "'=1+2", "'+x@example.org")


def test_links_csv_never_overwrites_a_file(app, runner, invite, tmp_path):
    invite()
    out = tmp_path / "links.csv"
    out.write_text("keep me", encoding="utf-8")

    result = run(runner, "links", "--wave", "w1", "--out", str(out))

    assert result.exit_code == 1 and "already exists" in result.output
    assert out.read_text(encoding="utf-8") == "keep me"
