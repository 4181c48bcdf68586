"""Queueing and sending invitation and reminder e-mails; each step commits its own rows.

Life of a message (an :class:`OutboundMessage` row):

``queued`` → ``sending`` (committed *before* the SMTP call) → ``sent`` | ``bounced`` | ``failed``

- The unique (invitation, sequence) pair means a message is queued once: sequence 0 is the
  invitation, 1, 2, … the reminders.
- A message is claimed with a conditional UPDATE (``queued`` → ``sending``), so two senders
  running at once never send the same row.
- If the SMTP server is down or refuses service, the current message goes back to ``queued``
  (the server did not accept it) and the batch stops; the next run resumes with it.
- If a run dies between the claim and the server's answer, the row stays ``sending``: it may
  or may not have been delivered, so it is reported and never resent automatically
  (at most once). ``flask messages requeue-stuck`` lets an admin decide.
"""
from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from babel.dates import format_datetime
from flask import current_app
from sqlalchemy import case, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from survey_app.audit import record
from survey_app.extensions import db
from survey_app.links import LinkChanged, current_link_key, link_for, renew_link
from survey_app.messaging import templates
from survey_app.messaging.sender import (
    DeliveryUnknown,
    MessageRejected,
    RecipientRefused,
    SmtpSender,
    SmtpUnavailable,
    TemporaryFailure,
)
from survey_app.models import Alumnus, Invitation, OutboundMessage, Response, Wave
from survey_app.models.types import as_utc, utcnow

KINDS = templates.KINDS
# Invitations that may still get e-mail: not submitted, declined, withdrawn or revoked.
ACTIVE = ("issued", "opened", "partial")
PENDING = ("queued", "sending")
MAX_ATTEMPTS = 5  # temporary (4xx) refusals of one message before it counts as failed
DEFAULT_BATCH = 500
DEFAULT_RATE = 120  # messages per minute (config SEND_RATE_PER_MINUTE)
WIB = timezone(timedelta(hours=7), "WIB")  # closing times are shown in Jakarta time
_INSERT_CHUNK = 5000
_NO_NAME = {"id": "Bapak/Ibu", "en": "there"}
_NO_CLOSING = {"id": "tidak ada batas waktu", "en": "no closing date"}


class MessagingError(Exception):
    """The request cannot be carried out; the message is meant for staff."""


@dataclass
class QueueResult:
    """How many messages were queued, and why the others were not."""

    wave: str
    kind: str
    queued: int = 0
    skipped: Counter = field(default_factory=Counter)


@dataclass
class SendResult:
    """What one ``send`` run did. ``stopped`` says why it ended early (None: ran out of work)."""

    sent: int = 0
    bounced: int = 0
    failed: int = 0
    deferred: int = 0  # temporary refusals, back in the queue
    unknown: int = 0  # connection lost after handing over the text: left 'sending'
    links_renewed: int = 0
    stuck_before: int = 0  # rows already 'sending' when the run started
    stopped: str | None = None
    remaining: int = 0  # still queued after the run

    @property
    def ok(self) -> bool:
        return self.stopped is None

    def counts(self) -> dict[str, int]:
        return {"sent": self.sent, "bounced": self.bounced, "failed": self.failed, "deferred": self.deferred,
                "unknown": self.unknown, "links_renewed": self.links_renewed, "remaining": self.remaining}


# -- Queueing ---------------------------------------------------------------------------------------

def queue(wave: Wave, kind: str, *, now: datetime | None = None, actor: str | None = None) -> QueueResult:
    """Queue an invitation (``kind='invitation'``) or the next reminder for every eligible person.

    Invitation e-mails go to active invitations that never had one. Reminders go only to
    invitations still issued/opened/partial (never submitted, declined or withdrawn) with fewer
    than MAX_REMINDERS reminders, nothing pending, and no e-mail in the last
    MIN_REMINDER_INTERVAL_HOURS. People without an address, or whose address bounced, are
    skipped and counted. Commits; refuses with TemplateError before queueing anything if a
    needed template is missing or invalid.
    """
    if kind not in KINDS:
        raise MessagingError(f"unknown kind {kind!r}; use invitation or reminder")
    config = current_app.config
    now = now or utcnow()
    max_reminders = int(config["MAX_REMINDERS"])
    interval = timedelta(hours=float(config["MIN_REMINDER_INTERVAL_HOURS"]))
    default_language = config.get("BABEL_DEFAULT_LOCALE", "id")
    # Concurrent queue runs for one wave take turns (row lock on PostgreSQL; SQLite serialises
    # writers), and the unique (invitation, sequence) pair catches anything else.
    db.session.execute(select(Wave.id).where(Wave.id == wave.id).with_for_update())

    history = _message_history(wave.id)
    bounced = _bounced_addresses()
    result = QueueResult(wave.name, kind)
    rows = []
    candidates = db.session.execute(
        select(Invitation.id, Invitation.status, Invitation.reminders_sent, Invitation.created_at,
               Alumnus.email, Response.language)
        .join(Alumnus, Alumnus.id == Invitation.alumnus_id)
        .outerjoin(Response, Response.invitation_id == Invitation.id)
        .where(Invitation.wave_id == wave.id).order_by(Invitation.id))
    for inv_id, status, reminders_sent, created_at, email, language in candidates:
        email = (email or "").strip()
        seen = history.get(inv_id)
        if status not in ACTIVE:
            result.skipped[f"status_{status}"] += 1
            continue
        if kind == "invitation" and seen is not None:
            result.skipped["already_messaged"] += 1
            continue
        if not email:
            result.skipped["no_email"] += 1
            continue
        if email.lower() in bounced:
            result.skipped["bounced_address"] += 1
            continue
        if kind == "reminder":
            if seen is not None and seen.pending:
                result.skipped["message_pending"] += 1
                continue
            if (reminders_sent or 0) >= max_reminders:
                result.skipped["reminder_limit"] += 1
                continue
            last_contact = max(filter(None, [as_utc(created_at), seen and seen.last_sent]))
            if now - last_contact < interval:
                result.skipped["too_recent"] += 1
                continue
        sequence = 0 if kind == "invitation" else max(1, (seen.max_sequence + 1) if seen else 1)
        rows.append({"invitation_id": inv_id, "sequence": sequence, "kind": kind, "channel": "email",
                     "address": email, "language": language or default_language, "status": "queued",
                     "attempts": 0, "queued_at": now})

    for language in sorted({row["language"] for row in rows}):
        templates.template_for(wave, kind, language)  # TemplateError: nothing is queued
    try:
        for start in range(0, len(rows), _INSERT_CHUNK):
            db.session.execute(insert(OutboundMessage), rows[start:start + _INSERT_CHUNK])
    except IntegrityError:
        db.session.rollback()
        raise MessagingError("another queue run for this wave ran at the same time; nothing was queued, "
                             "try again") from None
    result.queued = len(rows)
    record("messages.queue", f"wave:{wave.name}",
           {"kind": kind, "queued": result.queued, "skipped": dict(result.skipped)}, actor=actor)
    db.session.commit()
    return result


@dataclass
class _Seen:
    max_sequence: int
    pending: bool
    last_sent: datetime | None


def _message_history(wave_id: int) -> dict[int, _Seen]:
    """Per invitation of the wave: highest sequence, anything pending, last time sent."""
    pending = func.sum(case((OutboundMessage.status.in_(PENDING), 1), else_=0))
    rows = db.session.execute(
        select(OutboundMessage.invitation_id, func.max(OutboundMessage.sequence), pending,
               func.max(OutboundMessage.sent_at))
        .join(Invitation, Invitation.id == OutboundMessage.invitation_id)
        .where(Invitation.wave_id == wave_id).group_by(OutboundMessage.invitation_id))
    return {inv_id: _Seen(max_seq, bool(n_pending), as_utc(last) if last else None)
            for inv_id, max_seq, n_pending, last in rows}


def _bounced_addresses() -> set[str]:
    return {a.lower() for a in db.session.scalars(
        select(OutboundMessage.address).where(OutboundMessage.status == "bounced").distinct())}


# -- Sending ----------------------------------------------------------------------------------------

def stuck_count(wave: Wave | None = None) -> int:
    """Messages left ``sending`` (by a run that died, or one running right now)."""
    query = select(func.count()).select_from(OutboundMessage).where(OutboundMessage.status == "sending")
    if wave is not None:
        query = (query.join(Invitation, Invitation.id == OutboundMessage.invitation_id)
                 .where(Invitation.wave_id == wave.id))
    return db.session.scalar(query) or 0  # a COUNT always returns a row


def send(*, batch_size: int = DEFAULT_BATCH, rate_per_minute: float = DEFAULT_RATE, wave: Wave | None = None,
         time_limit: float | None = None, sleep: Callable[[float], None] = time.sleep,
         sender: SmtpSender | None = None, actor: str | None = None) -> SendResult:
    """Send up to ``batch_size`` queued messages (oldest first), at most ``rate_per_minute``.

    Stops early when the SMTP server is unavailable (the current message stays queued), when a
    template is unusable (nothing more is claimed), or after ``time_limit`` seconds. Records
    the counts in the audit log.
    """
    config = current_app.config
    if not config.get("MAIL_FROM") or "@" not in parseaddr(config["MAIL_FROM"])[1]:
        raise MessagingError("MAIL_FROM is not set: set JEJAK_MAIL_FROM, e.g. 'Survei Alumni <survei@example.id>'")
    if batch_size < 1 or rate_per_minute <= 0:
        raise MessagingError("the batch size and the rate must be positive")
    result = SendResult(stuck_before=stuck_count(wave))
    pause = 60.0 / rate_per_minute
    started = time.monotonic()
    ids = _queued_ids(wave, batch_size)
    db.session.commit()  # end the read transaction: each message gets its own
    sender = sender or SmtpSender.from_config(config)
    context = _SendContext(current_link_key(), config["MAIL_FROM"], int(config["MAX_REMINDERS"]),
                           config.get("BABEL_DEFAULT_LOCALE", "id"))
    try:
        with sender:
            for position, message_id in enumerate(ids):
                if position and time_limit is not None and time.monotonic() - started + pause > time_limit:
                    result.stopped = "time limit reached; the rest stays queued"
                    break
                if position:
                    sleep(pause)
                if not _send_one(message_id, sender, context, result):
                    break
    finally:
        db.session.rollback()
        result.remaining = _queued_count(wave)
        record("messages.send", f"wave:{wave.name}" if wave else "all waves",
               {**result.counts(), "stopped": bool(result.stopped)}, actor=actor)
        db.session.commit()
    return result


@dataclass
class _SendContext:
    link_key: bytes
    mail_from: str
    max_reminders: int
    default_language: str
    templates: dict = field(default_factory=dict)


def _queued_ids(wave: Wave | None, limit: int) -> list[int]:
    query = select(OutboundMessage.id).where(OutboundMessage.status == "queued")
    if wave is not None:
        query = (query.join(Invitation, Invitation.id == OutboundMessage.invitation_id)
                 .where(Invitation.wave_id == wave.id))
    return list(db.session.scalars(query.order_by(OutboundMessage.id).limit(limit)))


def _queued_count(wave: Wave | None) -> int:
    query = select(func.count()).select_from(OutboundMessage).where(OutboundMessage.status == "queued")
    if wave is not None:
        query = (query.join(Invitation, Invitation.id == OutboundMessage.invitation_id)
                 .where(Invitation.wave_id == wave.id))
    return db.session.scalar(query) or 0  # a COUNT always returns a row


def _send_one(message_id: int, sender: SmtpSender, ctx: _SendContext, result: SendResult) -> bool:
    """Send one queued message; False when the batch must stop."""
    message = db.session.get(OutboundMessage, message_id)
    if message is None or message.status != "queued":
        return True  # taken by another sender meanwhile
    invitation = message.invitation
    response = invitation.response
    language = response.language if response is not None else ctx.default_language
    try:
        template = _template(ctx, invitation.wave, message.kind, language)
    except templates.TemplateError as exc:
        result.stopped = str(exc)
        db.session.rollback()
        return False

    # Claim the row and commit before talking to the server: whatever happens next, this
    # message is never picked up again automatically.
    claimed = db.session.execute(  # type: ignore[attr-defined]  # DML returns a CursorResult, which has rowcount
        update(OutboundMessage).where(OutboundMessage.id == message_id, OutboundMessage.status == "queued")
        .values(status="sending", attempts=OutboundMessage.attempts + 1, language=language)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    if claimed != 1:
        return True
    db.session.refresh(message)

    reason = _not_needed(message, invitation, ctx)
    if reason:
        _finish(message, "failed", f"not sent: {reason}")
        result.failed += 1
        return True
    address = invitation.alumnus.email.strip()
    url = link_for(invitation, ctx.link_key)
    if url is None:
        # Only the hash of an older link is stored, so it cannot be put in an e-mail: the
        # person gets a new link (the old one answers "replaced"), recorded in the audit log.
        try:
            url = renew_link(invitation)
            result.links_renewed += 1
        except LinkChanged:
            db.session.refresh(invitation)
            url = link_for(invitation, ctx.link_key)
        message.address = address
        db.session.commit()
        if url is None:
            _finish(message, "queued", "the link was changed meanwhile; try again")
            result.deferred += 1
            return True
    email = _build(template, ctx, invitation, address, url, language)
    try:
        sender.send(email, address)
    except SmtpUnavailable as exc:
        _finish(message, "queued", str(exc))
        result.stopped = str(exc)
        return False
    except DeliveryUnknown as exc:
        _finish(message, "sending", str(exc))
        result.unknown += 1
        result.stopped = str(exc)
        return False
    except RecipientRefused as exc:
        _finish(message, "bounced", str(exc), address=address)
        result.bounced += 1
        return True
    except TemporaryFailure as exc:
        final = message.attempts >= MAX_ATTEMPTS
        _finish(message, "failed" if final else "queued", str(exc), address=address)
        if final:
            result.failed += 1
        else:
            result.deferred += 1
        return True
    except MessageRejected as exc:
        _finish(message, "failed", str(exc), address=address)
        result.failed += 1
        return True
    _finish(message, "sent", None, address=address, sent_at=utcnow())
    if message.kind == "reminder":
        db.session.execute(update(Invitation).where(Invitation.id == invitation.id)
                           .values(reminders_sent=Invitation.reminders_sent + 1))
    db.session.commit()
    result.sent += 1
    return True


def _template(ctx: _SendContext, wave: Wave, kind: str, language: str) -> templates.Template:
    key = (wave.id, kind, language)
    if key not in ctx.templates:
        ctx.templates[key] = templates.template_for(wave, kind, language)
    return ctx.templates[key]


def _not_needed(message: OutboundMessage, invitation: Invitation, ctx: _SendContext) -> str | None:
    """Why a queued message must not go out any more (the person answered, declined, …)."""
    db.session.refresh(invitation)  # the respondent may have submitted since it was queued
    if invitation.status not in ACTIVE:
        return f"invitation is {invitation.status}"
    if message.kind == "reminder" and invitation.reminders_sent >= ctx.max_reminders:
        return "reminder limit reached"
    if not (invitation.alumnus.email or "").strip():
        return "no e-mail address"
    return None


def _finish(message: OutboundMessage, status: str, error: str | None, **values) -> None:
    message.status = status
    message.error = error[:2000] if error else None
    for key, value in values.items():
        setattr(message, key, value)
    db.session.commit()


def _build(template: templates.Template, ctx: _SendContext, invitation: Invitation, address: str,
           url: str, language: str) -> EmailMessage:
    wave = invitation.wave
    closes = (format_datetime(as_utc(wave.closes_at).astimezone(WIB), "d MMMM y, HH.mm", locale=language) + " WIB"
              if wave.closes_at else _NO_CLOSING.get(language, _NO_CLOSING["en"]))
    rendered = template.render({
        "name": invitation.alumnus.name or _NO_NAME.get(language, _NO_NAME["en"]),
        "link": url, "wave": wave.name, "closes": closes,
    })
    email = EmailMessage()
    email["From"] = ctx.mail_from
    email["To"] = address
    email["Subject"] = rendered.subject
    email["Date"] = formatdate(localtime=False)
    domain = parseaddr(ctx.mail_from)[1].rpartition("@")[2] or None
    email["Message-ID"] = make_msgid(domain=domain)
    email["Auto-Submitted"] = "auto-generated"
    email["Content-Language"] = language
    email.set_content(rendered.text, cte="quoted-printable")
    email.add_alternative(rendered.html, subtype="html", cte="quoted-printable")
    return email



# -- Repair and reports -----------------------------------------------------------------------------

def requeue_stuck(*, wave: Wave | None = None, mark_failed: bool = False, actor: str | None = None) -> int:
    """Put messages left ``sending`` back in the queue (or mark them failed); returns how many.

    Only for an admin who checked that no ``send`` is running and accepts that some of these
    people may get the message twice (their delivery is unknown).
    """
    query = update(OutboundMessage).where(OutboundMessage.status == "sending")
    if wave is not None:
        query = query.where(OutboundMessage.invitation_id.in_(
            select(Invitation.id).where(Invitation.wave_id == wave.id)))
    values = ({"status": "failed", "error": "delivery unknown; marked failed by an admin"} if mark_failed
              else {"status": "queued"})
    count = db.session.execute(query.values(**values).execution_options(synchronize_session=False)).rowcount  # type: ignore[attr-defined]  # DML returns a CursorResult, which has rowcount
    record("messages.requeue_stuck", f"wave:{wave.name}" if wave else "all waves",
           {"messages": count, "marked_failed": mark_failed}, actor=actor)
    db.session.commit()
    return count


def mark_bounced(addresses: Iterable[str], *, wave: Wave | None = None, actor: str | None = None) -> tuple[int, int]:
    """Mark sent messages to these addresses as bounced (bounce reports from the mail provider).

    Returns (messages marked, addresses with no sent message). Bounced addresses get no
    further e-mail until the roster has a different address.
    """
    wanted = sorted({a.strip().lower() for a in addresses if a and "@" in a})
    marked, matched = 0, set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        condition = [OutboundMessage.status == "sent", func.lower(OutboundMessage.address).in_(chunk)]
        if wave is not None:
            condition.append(OutboundMessage.invitation_id.in_(
                select(Invitation.id).where(Invitation.wave_id == wave.id)))
        matched |= {a.lower() for a in db.session.scalars(select(OutboundMessage.address).where(*condition))}
        marked += db.session.execute(  # type: ignore[attr-defined]  # DML returns a CursorResult, which has rowcount
            update(OutboundMessage).where(*condition)
            .values(status="bounced", error="bounce reported by the mail provider")
            .execution_options(synchronize_session=False)).rowcount
    record("messages.mark_bounced", f"wave:{wave.name}" if wave else "all waves",
           {"addresses": len(wanted), "messages": marked}, actor=actor)
    db.session.commit()
    return marked, len(wanted) - len(matched)


@dataclass
class WaveMessageStatus:
    """Counts for the status report and the staff page."""

    by_kind: dict[str, Counter]
    without_email: int
    old_links: int  # active invitations whose link cannot be rebuilt (issued before nonces)
    stuck: int


def wave_status(wave: Wave) -> WaveMessageStatus:
    """Messages of the wave by kind and status, plus the people e-mail cannot reach."""
    by_kind: dict[str, Counter] = {kind: Counter() for kind in KINDS}
    for kind, status, count in db.session.execute(
            select(OutboundMessage.kind, OutboundMessage.status, func.count())
            .join(Invitation, Invitation.id == OutboundMessage.invitation_id)
            .where(Invitation.wave_id == wave.id).group_by(OutboundMessage.kind, OutboundMessage.status)):
        by_kind.setdefault(kind, Counter())[status] = count
    active = (Invitation.wave_id == wave.id, Invitation.status.in_(ACTIVE))
    without_email = db.session.scalar(
        select(func.count()).select_from(Invitation).join(Alumnus, Alumnus.id == Invitation.alumnus_id)
        .where(*active, func.coalesce(func.trim(Alumnus.email), "") == "")) or 0
    old_links = db.session.scalar(select(func.count()).select_from(Invitation)
                                  .where(*active, Invitation.token_nonce.is_(None))) or 0
    return WaveMessageStatus(by_kind, without_email, old_links, stuck_count(wave))
