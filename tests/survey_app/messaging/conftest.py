"""A real SMTP server on loopback (aiosmtpd) and a wave of the small survey with invited alumni."""
from __future__ import annotations

import email
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

from survey_app.extensions import db
from survey_app.models import Response
from tests import factories
from tests.survey_app.questionnaire.conftest import SMALL_FORM
from tests.survey_app.roster.conftest import import_roster, write_csv  # noqa: F401  (re-exported fixtures)


@dataclass
class Mailbox:
    """What the server received; ``refuse`` addresses get 550 to RCPT, ``busy_after`` n
    accepted messages makes the server answer 421 to MAIL (refusing service mid-batch)."""

    received: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    busy_after: int | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.busy_after is not None and len(self.received) >= self.busy_after:
            return "421 4.3.2 Service not available, closing transmission channel"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=default_policy)
        with self.lock:
            self.received.append((list(envelope.rcpt_tos), message))
        return "250 2.0.0 Ok: queued"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpts, m in self.received if address in rcpts]

    def recipients(self) -> list[str]:
        return sorted(a for rcpts, _m in self.received for a in rcpts)


class SmtpServer:
    """An aiosmtpd server that tests can stop and start again on the same port."""

    def __init__(self, mailbox: Mailbox):
        self.mailbox = mailbox
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port, ready_timeout=5)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(app):
    """A running SMTP server the app is configured to use; ``smtp.mailbox`` has what arrived."""
    server = SmtpServer(Mailbox())
    server.start()
    app.config["SMTP_PORT"] = server.port
    yield server
    server.stop()


@dataclass
class Person:
    invitation_id: int
    token: str
    email: str
    external_id: str


@pytest.fixture
def wave(app):
    """An open wave of the small survey (name 'w1'); returns its id."""
    with app.app_context():
        questionnaire = factories.make_questionnaire(SMALL_FORM)
        wave = factories.make_wave(questionnaire.id, name="w1")
        db.session.commit()
        return wave.id


@pytest.fixture
def invite(app, wave):
    """``invite(status='issued', language=None, resendable=True, **alumnus_fields)`` → Person.

    ``language`` gives the person a started response in that language.
    """

    def _invite(status: str = "issued", language: str | None = None, resendable: bool = True, **fields) -> Person:
        with app.app_context():
            from survey_app.models import Wave

            w = db.session.get(Wave, wave)
            alumnus = factories.make_alumnus([], **fields)
            make = factories.make_resendable_invitation if resendable else factories.make_invitation
            invitation, token = make(w, alumnus, status=status)
            if language is not None:
                db.session.add(Response(invitation_id=invitation.id, answers={}, language=language))
                db.session.commit()
            return Person(invitation.id, token, alumnus.email, alumnus.external_id)

    return _invite


def link_token(message: EmailMessage) -> str:
    """The survey token in an e-mail's plain-text part."""
    import re

    text = message.get_body(("plain",)).get_content()
    match = re.search(r"http://survey\.test/s/([A-Za-z0-9_-]{24})", text)
    assert match, text
    return match.group(1)
