"""Finding 10.2: e-mail addresses checked at roster import, and one bad recipient fails one message."""
from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.messaging import service
from survey_app.models import Alumnus, OutboundMessage, Wave
from survey_app.roster.csv_rows import normalise_email
from tests.survey_app.messaging.conftest import Mailbox, SmtpServer
from tests.survey_app.roster.conftest import ALUMNI_HEADER, ENROLLMENTS_HEADER

NON_ASCII = "ñandú@example.org"


def _send(app):
    with app.app_context():
        wave = db.session.scalar(select(Wave).where(Wave.name == "w1"))
        service.queue(wave, "invitation")
        return service.send(sleep=lambda _s: None)


def _statuses(app):
    with app.app_context():
        return {m.address or "": (m.status, m.error or "") for m in db.session.scalars(select(OutboundMessage))}


# -- at import -----------------------------------------------------------------------------
@pytest.mark.parametrize(("address", "reason"), [
    ("ani@example", "email 'ani@example' is not an e-mail address"),
    ("ani budi@example.org", "email 'ani budi@example.org' is not an e-mail address"),
    ("ani@@example.org", "email 'ani@@example.org' is not an e-mail address"),
    ("ani..b@example.org", "email 'ani..b@example.org' is not an e-mail address"),
    ("ani@-example.org", "email 'ani@-example.org' is not an e-mail address"),
    ("<ani@example.org>", "email '<ani@example.org>' is not an e-mail address"),
])
def test_roster_import_reports_bad_addresses_by_line(app, import_roster, write_csv, address, reason):
    paths = {"alumni": write_csv("alumni.csv", ALUMNI_HEADER, [
        ["PKJ1", "Budi", "", "budi@example.org", "32", "M", "1990", "G01"],
        ["PKJ2", "Ani", "", address, "32", "F", "1990", "G01"],
    ]), "enrollments": write_csv("enrollments.csv", ENROLLMENTS_HEADER, [])}
    result = import_roster(paths)
    assert result.exit_code == 1
    assert f"alumni.csv line 3: {reason}" in result.output
    with app.app_context():
        assert [a.external_id for a in db.session.scalars(select(Alumnus))] == ["PKJ1"]


def test_international_addresses_are_kept_in_normal_form():
    assert normalise_email("ñandú@Example.ORG") == NON_ASCII
    assert normalise_email("Budi@GMAIL.com") == "Budi@gmail.com"


# -- when sending ---------------------------------------------------------------------------
class AsciiOnlyServer(SmtpServer):
    """A server that does not offer SMTPUTF8 (aiosmtpd's Controller offers it by default)."""

    def start(self):
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port, ready_timeout=5,
                                     enable_SMTPUTF8=False)
        self.controller.start()


@pytest.fixture
def ascii_smtp(app):
    server = AsciiOnlyServer(Mailbox())
    server.start()
    app.config["SMTP_PORT"] = server.port
    yield server
    server.stop()


def test_a_non_ascii_address_fails_its_message_only_when_the_server_lacks_smtputf8(app, ascii_smtp, invite):
    first = invite(email="first@example.org")
    odd = invite(email=NON_ASCII)
    last = invite(email="last@example.org")
    result = _send(app)
    assert result.sent == 2 and result.bounced == 1 and not result.stopped
    assert sorted(ascii_smtp.mailbox.recipients()) == [first.email, last.email]
    status, error = _statuses(app)[odd.email]
    assert status == "bounced" and "SMTPUTF8" in error
    again = _send(app)  # nothing stuck in 'sending', nothing sent twice
    assert again.sent == 0 and "sending" not in {s for s, _ in _statuses(app).values()}


def test_a_non_ascii_address_is_delivered_when_the_server_offers_smtputf8(app, smtp, invite):
    invite(email=NON_ASCII)
    plain = invite(email="plain@example.org")
    result = _send(app)
    assert result.sent == 2 and result.bounced == 0
    assert sorted(smtp.mailbox.recipients()) == sorted([NON_ASCII, plain.email])
    [message] = smtp.mailbox.to(NON_ASCII)
    assert message["To"] == NON_ASCII


@pytest.mark.parametrize("address", ["a>b@example.org", "x@example.org>\r\nRCPT TO:<y@example.org", ""])
def test_the_sender_refuses_an_address_that_would_break_the_smtp_dialogue(address):
    from email.message import EmailMessage

    from survey_app.messaging.sender import RecipientRefused, SmtpSender

    message = EmailMessage()
    message["From"] = "survei@jejak.test"
    with SmtpSender("127.0.0.1", 9) as sender, pytest.raises(RecipientRefused):
        sender.send(message, address)  # refused before any connection is tried
