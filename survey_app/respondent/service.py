"""The respondent's transactions: open a response, save a page, decline, submit once.

Every write happens here and commits here. Two tabs or devices on one link are kept apart
by the response's revision counter: a save based on an old revision is refused as a
:class:`Conflict` instead of silently overwriting newer answers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from survey_app.extensions import db
from survey_app.models import Enrollment, Invitation, Response, RetiredToken, Training, Wave
from survey_app.models.types import utcnow
from survey_app.questionnaire.definition import Questionnaire
from survey_app.questionnaire.logic import Respondent, RosterTraining
from survey_app.questionnaire.traversal import Visit, Walk, merge_page, walk
from survey_app.respondent import previous_answers
from survey_app.tokens import hash_token

TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class Conflict(Exception):
    """The response changed since the page was shown (another tab or device)."""


@dataclass
class Session:
    """Everything a respondent view needs about one link."""

    invitation: Invitation
    wave: Wave
    response: Response | None


def find_invitation(token: str) -> Invitation | None:
    """The invitation for a link token, or None for unknown or malformed tokens."""
    if not TOKEN_SHAPE.match(token):
        return None
    return db.session.scalar(
        select(Invitation).options(joinedload(Invitation.wave), joinedload(Invitation.response))
        .where(Invitation.token_hash == hash_token(token))
    )


def is_retired(token: str) -> bool:
    """Whether ``token`` belonged to a link that staff replaced with a new one."""
    if not TOKEN_SHAPE.match(token):
        return False
    return db.session.get(RetiredToken, hash_token(token)) is not None


def respondent_for(invitation: Invitation) -> Respondent:
    """The respondent's roster facts the questionnaire can use (their completed trainings),
    and in a follow-up wave the earlier answers it reads.

    Taken from the response's snapshot once the person has started, else from the roster.
    """
    response = invitation.response
    if response is not None and response.roster is not None:
        respondent = Respondent(tuple(RosterTraining(*entry) for entry in response.roster))
    else:
        respondent = Respondent(tuple(RosterTraining(*row) for row in _roster_rows(invitation.alumnus_id)))
    return previous_answers.attach(respondent, invitation)  # --- previous: earlier-wave answers (issue 11)


def _roster_rows(alumnus_id: int) -> list[tuple[str, str, str]]:
    rows = db.session.execute(
        select(Training.code, Training.title, Training.category)
        .join(Enrollment, Enrollment.training_id == Training.id)
        .where(Enrollment.alumnus_id == alumnus_id)
        .order_by(Enrollment.completed_at, Training.title)
    ).all()
    return [(code, title, category) for code, title, category in rows]


def open_response(invitation: Invitation, language: str) -> Response:
    """The invitation's response, created on first use; records when the link was opened."""
    if invitation.response is not None:
        return invitation.response
    now = utcnow()
    response = Response(invitation_id=invitation.id, answers={}, language=language,
                        roster=[list(row) for row in _roster_rows(invitation.alumnus_id)],
                        started_at=now, updated_at=now)
    db.session.add(response)
    if invitation.status == "issued":
        invitation.status = "opened"
        invitation.opened_at = now
    try:
        db.session.commit()
    except IntegrityError:
        # The same link opened twice at the same moment: use the row the other request made.
        db.session.rollback()
        response = db.session.scalars(select(Response).where(Response.invitation_id == invitation.id)).one()
    return response


def set_language(response: Response, language: str) -> None:
    """Remember the respondent's language choice."""
    if response.language != language:
        response.language = language
        _commit()


def _check_revision(response: Response, revision: str | int | None) -> None:
    try:
        expected = int(revision)  # type: ignore[arg-type]  # None raises TypeError, handled below
    except (TypeError, ValueError):
        raise Conflict() from None
    if expected != response.revision:
        raise Conflict()


def save_page(response: Response, questionnaire: Questionnaire, respondent: Respondent, visit: Visit,
              page_answers: dict[str, Any], cleared: list[str], revision: str | int | None,
              add_another: bool = False) -> Visit | None:
    """Store one page's answers (and drop those that no longer apply); commits.

    Returns where the person goes next: the next applicable page (or the next instance of a
    repeat page when ``add_another``), or None for the review step. Raises :class:`Conflict`
    when ``revision`` is not the response's current one.
    """
    _check_revision(response, revision)
    merged = merge_page(response.answers or {}, visit, page_answers, cleared)
    result = walk(questionnaire, merged, respondent)
    response.answers = result.answers
    response.current_page = visit.key
    response.updated_at = utcnow()
    if response.roster is None:  # rows made before the roster snapshot existed: take it now
        response.roster = [list(row) for row in _roster_rows(response.invitation.alumnus_id)]
    invitation = response.invitation
    if invitation.status in ("issued", "opened"):
        invitation.status = "partial"
    _relax_durability_of_page_save()
    _commit()
    # The commit expired the row; the caller reads the answers just written, so keep them
    # instead of paying a BEGIN + SELECT + ROLLBACK to read them back.
    set_committed_value(response, "answers", result.answers)
    return destination_after(result, visit, add_another)


def destination_after(result: Walk, saved: Visit, add_another: bool) -> Visit | None:
    """Where to go after saving ``saved``: the next instance when adding another, else onwards."""
    if add_another and saved.instance is not None:
        current = result.visit(saved.page.name, saved.instance)
        if current is not None and result.can_add(current):
            following = result.visit(saved.page.name, saved.instance + 1)
            if following is not None:
                return following
    return result.next_visit(saved)


def decline(response: Response, questionnaire: Questionnaire, value: str, revision) -> Response:
    """Record a refused consent: only the refusal is kept, every other answer is erased."""
    _check_revision(response, revision)
    # Only a questionnaire that asks for consent offers the refusal.
    response.answers = {questionnaire.consent.question: value}  # type: ignore[union-attr]
    response.declined_at = utcnow()
    response.updated_at = response.declined_at
    response.invitation.status = "declined"
    _commit()
    return response


def withdraw_decline(response: Response, revision) -> Response:
    """Let someone who declined change their mind from the same link."""
    _check_revision(response, revision)
    response.answers = {}
    response.declined_at = None
    response.invitation.status = "opened"
    _commit()
    return response


def submit(response: Response, revision, answers: dict[str, Any] | None = None) -> bool:
    """Mark the response submitted, exactly once. Returns False if it already was.

    ``answers`` (when given) replaces the stored answers in the same UPDATE: the walk done
    at submit re-evaluates calculates (e.g. ones reading today()). The conditional UPDATE
    makes a double click or two racing tabs submit only once.
    """
    if response.submitted_at is not None:
        return False
    _check_revision(response, revision)
    now = utcnow()
    result = db.session.execute(
        update(Response)
        .where(Response.id == response.id, Response.submitted_at.is_(None),
               Response.revision == response.revision)
        .values(submitted_at=now, updated_at=now, revision=Response.revision + 1,
                **({"answers": answers} if answers is not None else {}))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]  # DML returns a CursorResult, which has rowcount
        db.session.rollback()
        db.session.refresh(response)
        if response.submitted_at is not None:
            return False
        raise Conflict()
    db.session.execute(update(Invitation).where(Invitation.id == response.invitation_id)
                       .values(status="submitted"))
    db.session.commit()
    db.session.refresh(response)
    return True


def _relax_durability_of_page_save() -> None:
    """Let PostgreSQL acknowledge a page save before its WAL reaches the disk.

    The fsync of every commit dominates a page save. Without it a save is visible at once
    and durable within a fraction of a second; only a database *server* crash in that window
    loses it, and the respondent then re-answers one page. Final submissions, declines and
    staff actions keep full durability. Turn off with JEJAK_ASYNC_PAGE_COMMIT=0.
    """
    if current_app.config.get("ASYNC_PAGE_COMMIT") and db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))


def _commit() -> None:
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Conflict() from None


def now() -> datetime:
    """The current time (UTC); a seam for tests of opening and closing dates."""
    return utcnow()
