"""Queueing and sending over a real SMTP server: links, languages, reminders, failures, resuming."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from survey_app.alumni.service import reissue_link
from survey_app.extensions import db
from survey_app.messaging import service
from survey_app.models import AuditEvent, Invitation, OutboundMessage, Wave
from survey_app.models.types import utcnow
from tests.survey_app.messaging.conftest import link_token

LATER = timedelta(days=4)  # past MIN_REMINDER_INTERVAL_HOURS (72)


def no_sleep(_seconds):
    return None


def queue(app, kind: str, now: datetime | None = None):
    with app.app_context():
        wave = db.session.scalar(select(Wave).where(Wave.name == "w1"))
        return service.queue(wave, kind, now=now)


def send(app, **kwargs):
    kwargs.setdefault("sleep", no_sleep)
    with app.app_context():
        return service.send(**kwargs)


def statuses(app) -> list[tuple[str, int, str]]:
    with app.app_context():
        return [(m.address, m.sequence, m.status) for m in
                db.session.scalars(select(OutboundMessage).order_by(OutboundMessage.id))]


def test_invitations_arrive_with_a_working_link_in_the_persons_language(app, client, smtp, invite):
    new = invite()
    started_in_english = invite(status="partial", language="en")

    queued = queue(app, "invitation")
    result = send(app)

    assert queued.queued == 2 and result.sent == 2 and result.ok
    [to_new] = smtp.mailbox.to(new.email)
    [to_english] = smtp.mailbox.to(started_in_english.email)
    assert to_new["Subject"].startswith("Undangan survei alumni")
    assert to_english["Subject"].startswith("Kartu Prakerja alumni survey invitation")
    assert to_new["From"] == "Survei Jejak <survei@jejak.test>"
    assert link_token(to_new) == new.token
    assert client.get(f"/s/{link_token(to_new)}").status_code == 200
    assert client.get(f"/s/{link_token(to_english)}").status_code == 200
    assert to_new.get_body(("html",)) is not None


def test_placeholders_are_filled_and_personal_values_cannot_inject(app, smtp, invite, wave):
    from survey_app.messaging import templates

    person = invite(name='<b>Ani</b> & "Budi"\r\nBcc: evil@example.org')
    with app.app_context():
        w = db.session.get(Wave, wave)
        w.closes_at = datetime(2030, 1, 31, 16, 59, tzinfo=UTC)
        templates.save(w, "invitation", "id", "Halo {name} ({wave})",
                       "Yth. {name},\n\nIsi survei {{tanpa placeholder}}: {link}\nDitutup {closes}.", by="t")
        db.session.commit()

    queue(app, "invitation")
    send(app)

    [message] = smtp.mailbox.to(person.email)
    assert message["Subject"] == 'Halo <b>Ani</b> & "Budi" Bcc: evil@example.org (w1)'
    assert message["Bcc"] is None and smtp.mailbox.recipients() == [person.email]
    text = message.get_body(("plain",)).get_content()
    assert "{tanpa placeholder}" in text
    assert "Ditutup 31 Januari 2030, 23.59 WIB." in text
    assert f"http://survey.test/s/{person.token}" in text
    html = message.get_body(("html",)).get_content()
    assert "&lt;b&gt;Ani&lt;/b&gt; &amp; &quot;Budi&quot;" in html and "<b>Ani" not in html
    assert f'<a href="http://survey.test/s/{person.token}">' in html


def test_invitations_without_an_address_are_skipped_and_counted(app, smtp, invite):
    invite(email="")
    invite(email="   ")
    reachable = invite()

    queued = queue(app, "invitation")
    send(app)

    assert queued.queued == 1 and queued.skipped["no_email"] == 2
    assert smtp.mailbox.recipients() == [reachable.email]


def test_queueing_again_queues_nothing_twice(app, smtp, invite):
    invite()
    first = queue(app, "invitation")
    second = queue(app, "invitation")
    send(app)
    third = queue(app, "invitation")

    assert (first.queued, second.queued, third.queued) == (1, 0, 0)
    assert second.skipped["already_messaged"] == 1
    assert len(smtp.mailbox.received) == 1


def test_reminders_go_only_to_people_who_have_not_answered_declined_or_withdrawn(app, smtp, invite):
    people = {status: invite(status=status) for status in Invitation.STATUSES}

    queued = queue(app, "reminder", now=utcnow() + LATER)
    send(app)

    expected = sorted(people[s].email for s in ("issued", "opened", "partial"))
    assert smtp.mailbox.recipients() == expected
    assert queued.queued == 3
    for status in ("submitted", "declined", "withdrawn", "revoked"):
        assert queued.skipped[f"status_{status}"] == 1
    [reminder] = smtp.mailbox.to(people["issued"].email)
    assert reminder["Subject"].startswith("Pengingat")


def test_a_reminder_waits_for_the_minimum_interval(app, smtp, invite):
    invite()
    assert queue(app, "invitation").queued == 1
    send(app)

    too_soon = queue(app, "reminder", now=utcnow() + timedelta(hours=71))
    later = queue(app, "reminder", now=utcnow() + LATER)

    assert too_soon.queued == 0 and too_soon.skipped["too_recent"] == 1
    assert later.queued == 1


def test_reminders_stop_at_the_limit_per_person(app, smtp, invite):
    app.config["MAX_REMINDERS"] = 2
    person = invite()
    moment = utcnow()
    results = []
    for _round in range(3):
        moment += LATER
        results.append(queue(app, "reminder", now=moment))
        send(app)

    assert [r.queued for r in results] == [1, 1, 0]
    assert results[2].skipped["reminder_limit"] == 1
    assert len(smtp.mailbox.to(person.email)) == 2
    assert [s[1] for s in statuses(app)] == [1, 2]
    with app.app_context():
        assert db.session.get(Invitation, person.invitation_id).reminders_sent == 2


def test_a_queued_reminder_is_not_sent_to_someone_who_submitted_meanwhile(app, smtp, invite):
    person = invite(status="partial")
    queue(app, "reminder", now=utcnow() + LATER)
    with app.app_context():
        db.session.get(Invitation, person.invitation_id).status = "submitted"
        db.session.commit()

    result = send(app)

    assert smtp.mailbox.received == [] and result.failed == 1
    with app.app_context():
        message = db.session.scalar(select(OutboundMessage))
        assert (message.status, message.error) == ("failed", "not sent: invitation is submitted")


def test_refused_recipients_are_recorded_as_bounced_and_get_no_reminder(app, smtp, invite):
    good = invite()
    bad = invite()
    smtp.mailbox.refuse.add(bad.email)

    queue(app, "invitation")
    result = send(app)
    reminder = queue(app, "reminder", now=utcnow() + LATER)

    assert (result.sent, result.bounced) == (1, 1)
    assert smtp.mailbox.recipients() == [good.email]
    with app.app_context():
        bounced = db.session.scalar(select(OutboundMessage).where(OutboundMessage.address == bad.email))
        assert bounced.status == "bounced" and bounced.error.startswith("550")
    assert reminder.queued == 1 and reminder.skipped["bounced_address"] == 1


def test_server_stopping_mid_batch_stops_the_run_and_the_next_run_sends_the_rest_once(app, smtp, invite):
    people = [invite() for _ in range(5)]
    queue(app, "invitation")
    calls = []

    def stop_after_two(_seconds):
        calls.append(1)
        if len(calls) == 2:  # before the third message
            smtp.stop()

    first = send(app, sleep=stop_after_two)

    assert first.sent == 2 and not first.ok and "cannot connect" in first.stopped
    assert first.remaining == 3
    assert [s[2] for s in statuses(app)] == ["sent", "sent", "queued", "queued", "queued"]

    down = send(app)  # server still down: nothing changes, still resumable
    assert down.sent == 0 and down.remaining == 3

    smtp.start()
    second = send(app)

    assert second.sent == 3 and second.ok and second.remaining == 0
    assert smtp.mailbox.recipients() == sorted(p.email for p in people)  # each exactly once
    with app.app_context():
        attempts = db.session.scalars(select(OutboundMessage.attempts).order_by(OutboundMessage.id)).all()
    assert attempts == [1, 1, 3, 1, 1]


def test_server_refusing_service_mid_batch_leaves_the_rest_queued(app, smtp, invite):
    people = [invite() for _ in range(4)]
    queue(app, "invitation")
    smtp.mailbox.busy_after = 1

    first = send(app)
    assert first.sent == 1 and "421" in first.stopped and first.remaining == 3

    smtp.mailbox.busy_after = None
    second = send(app)

    assert second.sent == 3
    assert smtp.mailbox.recipients() == sorted(p.email for p in people)


def test_messages_left_sending_by_a_crash_are_reported_and_not_resent(app, smtp, invite):
    crashed, waiting = invite(), invite()
    queue(app, "invitation")
    with app.app_context():
        first = db.session.scalar(select(OutboundMessage).where(OutboundMessage.address == crashed.email))
        first.status = "sending"  # as if the process died during the SMTP call
        db.session.commit()

    result = send(app)

    assert result.stuck_before == 1 and result.sent == 1
    assert smtp.mailbox.recipients() == [waiting.email]

    with app.app_context():
        assert service.requeue_stuck() == 1
    send(app)
    assert smtp.mailbox.recipients() == sorted([crashed.email, waiting.email])


def test_a_reissued_link_is_the_one_that_is_mailed(app, client, smtp, invite):
    person = invite(status="partial")
    queue(app, "invitation")
    with app.app_context():
        new_url = reissue_link(db.session.get(Invitation, person.invitation_id))

    send(app)

    [message] = smtp.mailbox.to(person.email)
    token = link_token(message)
    assert new_url.endswith(token) and token != person.token
    assert client.get(f"/s/{token}").status_code == 200
    assert client.get(f"/s/{person.token}").status_code == 410


def test_an_older_link_without_nonce_is_renewed_for_the_mail_and_audited(app, client, smtp, invite):
    person = invite(resendable=False)
    queue(app, "invitation")

    result = send(app)

    [message] = smtp.mailbox.to(person.email)
    token = link_token(message)
    assert result.links_renewed == 1 and token != person.token
    assert client.get(f"/s/{token}").status_code == 200
    assert client.get(f"/s/{person.token}").status_code == 410  # "replaced", not "unknown"
    with app.app_context():
        events = db.session.scalars(select(AuditEvent.action)).all()
        assert "invitation.link_renewed" in events


def test_a_nonce_that_no_longer_matches_the_link_is_never_mailed(app, client, smtp, invite):
    person = invite()
    with app.app_context():
        from survey_app.tokens import hash_token, new_token

        replaced = new_token()  # the hash changed behind the nonce's back (e.g. an old tool)
        db.session.get(Invitation, person.invitation_id).token_hash = hash_token(replaced)
        db.session.commit()
    queue(app, "invitation")

    result = send(app)

    token = link_token(smtp.mailbox.to(person.email)[0])
    assert result.links_renewed == 1 and token not in (person.token, replaced)
    assert client.get(f"/s/{token}").status_code == 200


def test_queue_and_send_are_audited_with_counts_only(app, smtp, invite):
    person = invite()
    queue(app, "invitation")
    send(app)

    with app.app_context():
        events = {e.action: e for e in db.session.scalars(select(AuditEvent))}
    assert events["messages.queue"].detail["queued"] == 1
    assert events["messages.send"].detail["sent"] == 1
    assert person.email not in repr([e.detail for e in events.values()])


@pytest.mark.parametrize("setting", ["MAIL_FROM"])
def test_sending_without_a_sender_address_is_refused(app, smtp, invite, setting):
    invite()
    queue(app, "invitation")
    app.config[setting] = None
    with pytest.raises(service.MessagingError, match="JEJAK_MAIL_FROM"):
        send(app)
