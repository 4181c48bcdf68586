"""Staff actions on one alumnus. Each commits together with its audit event."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, select, update

from survey_app.audit import record
from survey_app.extensions import db
from survey_app.links import LinkChanged, replace_link
from survey_app.models import (
    Alumnus,
    AuditEvent,
    Enrollment,
    Invitation,
    OutboundMessage,
    Response,
    Training,
)


class ActionRefused(ValueError):
    """The action is not possible in the invitation's current state; message is for staff."""


@dataclass
class HistoryEntry:
    at: datetime
    what: str
    who: str = ""


def find_alumnus(external_id: str) -> Alumnus | None:
    """The alumnus with this programme id (exact match)."""
    return db.session.scalar(select(Alumnus).where(Alumnus.external_id == external_id.strip()))


def trainings_of(alumnus: Alumnus) -> list[tuple[Training, Enrollment]]:
    """The trainings the roster says this alumnus completed."""
    rows = db.session.execute(
        select(Training, Enrollment).join(Enrollment, Enrollment.training_id == Training.id)
        .where(Enrollment.alumnus_id == alumnus.id).order_by(Enrollment.completed_at)
    ).tuples().all()
    return list(rows)


def invitations_of(alumnus: Alumnus) -> list[Invitation]:
    """The alumnus's invitations, newest wave first."""
    return list(db.session.scalars(select(Invitation).where(Invitation.alumnus_id == alumnus.id)
                                   .order_by(Invitation.id.desc())).all())


def history(invitation: Invitation) -> list[HistoryEntry]:
    """What happened to an invitation, oldest first: issue, opening, saves, messages, staff actions."""
    entries = [HistoryEntry(invitation.created_at, "issued")]
    if invitation.opened_at:
        entries.append(HistoryEntry(invitation.opened_at, "opened"))
    response = invitation.response
    if response is not None:
        entries.append(HistoryEntry(response.updated_at, "last saved"))
        if response.submitted_at:
            entries.append(HistoryEntry(response.submitted_at, "submitted"))
        if response.declined_at:
            entries.append(HistoryEntry(response.declined_at, "declined"))
    for message in db.session.scalars(select(OutboundMessage).where(OutboundMessage.invitation_id == invitation.id)):
        entries.append(HistoryEntry(message.sent_at or message.queued_at, f"{message.kind} e-mail {message.status}"))
    for event in db.session.scalars(select(AuditEvent).where(AuditEvent.target == f"invitation:{invitation.id}")):
        entries.append(HistoryEntry(event.at, event.action, event.actor))
    return sorted(entries, key=lambda e: _naive(e.at))


def _naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)


def reissue_link(invitation: Invitation) -> str:
    """Replace the invitation's link; the old one stops working at once. Returns the new URL.

    Saved answers stay with the invitation, so the person continues from the new link. The
    new link is derived from a fresh nonce, so reminder e-mails can carry it again.
    """
    if invitation.status in ("withdrawn", "revoked"):
        raise ActionRefused("this invitation was withdrawn; it cannot get a new link")
    try:
        # Conditional on the old hash: two staff re-issuing at once cannot both succeed silently.
        url = replace_link(invitation, "invitation.reissue", {"alumnus": invitation.alumnus.external_id})
    except LinkChanged:
        raise ActionRefused("the link was changed by someone else meanwhile; reload and try again") from None
    db.session.commit()
    db.session.refresh(invitation)
    return url


def erase_answers(alumnus: Alumnus, reason: str) -> int:
    """Withdraw consent and erase every answer of this alumnus (UU PDP right to erasure).

    The invitations are marked withdrawn (no reminders, links stop working). Returns how many
    responses were erased; erasing a person with no answers is recorded too.
    """
    invitations = invitations_of(alumnus)
    ids = [i.id for i in invitations]
    erased = 0
    if ids:
        erased = db.session.execute(delete(Response).where(Response.invitation_id.in_(ids))).rowcount  # type: ignore[attr-defined]  # DML returns a CursorResult, which has rowcount
        db.session.execute(update(Invitation).where(Invitation.id.in_(ids)).values(status="withdrawn"))
        db.session.execute(update(OutboundMessage).where(
            OutboundMessage.invitation_id.in_(ids), or_(OutboundMessage.status == "queued"))
            .values(status="failed", error="consent withdrawn"))
    # jobs (issue 8): result files that may contain this person are deleted with the erasure.
    from survey_app.jobs.service import forget_alumnus
    forget_alumnus(sorted({i.wave_id for i in invitations}))
    record("personal_data.erase", f"alumnus:{alumnus.external_id}",
           {"responses_erased": erased, "invitations": ids, "reason": reason[:500]})
    db.session.commit()
    return erased


def withdraw_consent(alumnus: Alumnus, reason: str) -> list[int]:
    """Withdraw consent without erasing answers: links stop working, no more reminders.

    Returns the ids of the invitations withdrawn. Audited with the reason, like an erasure.
    """
    ids = [i.id for i in invitations_of(alumnus)]
    if ids:
        db.session.execute(update(Invitation).where(Invitation.id.in_(ids)).values(status="withdrawn"))
        db.session.execute(update(OutboundMessage).where(
            OutboundMessage.invitation_id.in_(ids), OutboundMessage.status == "queued")
            .values(status="failed", error="consent withdrawn"))
    record("personal_data.withdraw", f"alumnus:{alumnus.external_id}", {"invitations": ids, "reason": reason[:500]})
    db.session.commit()
    return ids
