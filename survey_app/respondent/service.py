"""The respondent's transactions: find a link, open a response, save a page, decline, submit once.

Every write happens here and commits here. Two tabs or devices on one link are kept apart
by the response's revision counter: a save based on an old revision is refused as a
:class:`Conflict` instead of silently overwriting newer answers.

The hot path (a page view, a page save) uses SQLAlchemy Core, not the ORM: a link is looked
up with ONE query returning only the columns the respondent pages need (:class:`Link`), and
every write is ONE statement on PostgreSQL (an UPDATE of the response guarded by its
revision; when the invitation's status changes too, a second UPDATE rides in the same
statement as a data-modifying CTE). No identity map, no relationship loading, no flush.
The staff side keeps using the ORM on the same rows: its ``version_id_col`` checks the
same ``revision`` counter these statements increment.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from flask import current_app, g
from sqlalchemy import Connection, Select, Table, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from survey_app.extensions import db
from survey_app.models import Enrollment, Invitation, Response, RetiredToken, Training, Wave
from survey_app.models.types import as_utc, utcnow
from survey_app.questionnaire.definition import Questionnaire
from survey_app.questionnaire.logic import Respondent, RosterTraining
from survey_app.questionnaire.traversal import Visit, Walk, merge_page, walk
from survey_app.respondent import previous_answers
from survey_app.tokens import hash_token

TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")

# Core tables: the statements below bypass the ORM's compile and load machinery.
_INVITATIONS = cast(Table, Invitation.__table__)
_WAVES = cast(Table, Wave.__table__)
_RESPONSES = cast(Table, Response.__table__)


class Conflict(Exception):
    """The response changed since the page was shown (another tab or device)."""


@dataclass(frozen=True, slots=True)
class WaveWindow:
    """What a respondent view needs of the link's wave: its questionnaire and open window."""

    id: int
    questionnaire_id: int
    opens_at: datetime | None
    closes_at: datetime | None
    follow_up_of_id: int | None = None  # a follow-up wave reads earlier answers (issue 11)

    def is_open(self, now: datetime) -> bool:
        """True when ``now`` lies inside the wave's open window (as :meth:`Wave.is_open`)."""
        return (self.opens_at is None or as_utc(self.opens_at) <= now) and (
            self.closes_at is None or now < as_utc(self.closes_at))


@dataclass(slots=True)
class ResponseState:
    """The stored state of a response as the respondent pages use it (a plain record)."""

    id: int
    answers: dict[str, Any]
    roster: list | None
    language: str
    current_page: str | None
    submitted_at: datetime | None
    declined_at: datetime | None
    revision: int


@dataclass(slots=True)
class Link:
    """One personal link: the invitation, its wave, and its response (None before the start)."""

    id: int
    status: str
    alumnus_id: int
    wave: WaveWindow
    response: ResponseState | None


_RESPONSE_COLUMNS = (_RESPONSES.c.id, _RESPONSES.c.answers, _RESPONSES.c.roster, _RESPONSES.c.language,
                     _RESPONSES.c.current_page, _RESPONSES.c.submitted_at, _RESPONSES.c.declined_at,
                     _RESPONSES.c.revision)
# One indexed query (invitations.token_hash is unique), built once; only the hash is bound.
_FIND_LINK: Select = (
    select(_INVITATIONS.c.id, _INVITATIONS.c.status, _INVITATIONS.c.alumnus_id, _WAVES.c.id,
           _WAVES.c.questionnaire_id, _WAVES.c.opens_at, _WAVES.c.closes_at, _WAVES.c.follow_up_of_id,
           *_RESPONSE_COLUMNS)
    .select_from(_INVITATIONS)
    .join(_WAVES, _WAVES.c.id == _INVITATIONS.c.wave_id)
    .outerjoin(_RESPONSES, _RESPONSES.c.invitation_id == _INVITATIONS.c.id)
    .where(_INVITATIONS.c.token_hash == bindparam("token_hash"))
)


def use_autocommit_connection() -> None:
    """Run this request's respondent statements on a Core connection in autocommit mode.

    Every read and write of a page view or page save is one statement, atomic on its own
    (see :func:`_write`). Released by :func:`release_autocommit_connection` at teardown.
    """
    g.respondent_connection = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")


def release_autocommit_connection() -> None:
    """Return the request's autocommit connection (if any) to the pool."""
    connection = g.pop("respondent_connection", None)
    if connection is not None:
        connection.close()


def _connection() -> Connection:
    """The autocommit connection of this request, else the ORM session's (in its transaction)."""
    connection = g.get("respondent_connection")
    return connection if connection is not None else db.session.connection()


def _response_state(row) -> ResponseState | None:
    if row[0] is None:  # the outer join found no response
        return None
    return ResponseState(row[0], row[1] if row[1] is not None else {}, *row[2:])


def find_invitation(token: str) -> Link | None:
    """The link for a token, or None for unknown or malformed tokens (one query)."""
    if not TOKEN_SHAPE.match(token):
        return None
    row = _connection().execute(_FIND_LINK, {"token_hash": hash_token(token)}).first()
    if row is None:
        return None
    return Link(row[0], row[1], row[2], WaveWindow(row[3], row[4], row[5], row[6], row[7]), _response_state(row[8:]))


def _started(link: Link) -> ResponseState:
    """The link's response; the views call the writes below only once it exists."""
    if link.response is None:
        raise RuntimeError(f"invitation {link.id} has no response")
    return link.response


def _reload_response(invitation_id: int) -> ResponseState | None:
    row = _connection().execute(
        select(*_RESPONSE_COLUMNS).where(_RESPONSES.c.invitation_id == invitation_id)).first()
    return None if row is None else _response_state(row)


def is_retired(token: str) -> bool:
    """Whether ``token`` belonged to a link that staff replaced with a new one."""
    if not TOKEN_SHAPE.match(token):
        return False
    return db.session.get(RetiredToken, hash_token(token)) is not None


def respondent_for(link: Link) -> Respondent:
    """What the engine knows about the person besides their answers: their completed trainings,
    and in a follow-up wave the earlier answers the questionnaire reads.

    Built per request. Taken from the response's roster snapshot once the person has started,
    else from the roster.
    """
    response = link.response
    if response is not None and response.roster is not None:
        respondent = Respondent(tuple(RosterTraining(*entry) for entry in response.roster))
    else:
        respondent = Respondent(tuple(RosterTraining(*row) for row in _roster_rows(link.alumnus_id)))
    return previous_answers.attach(respondent, link)  # --- previous: earlier-wave answers (issue 11)


def _roster_rows(alumnus_id: int) -> list[tuple[str, str, str]]:
    rows = db.session.execute(
        select(Training.code, Training.title, Training.category)
        .join(Enrollment, Enrollment.training_id == Training.id)
        .where(Enrollment.alumnus_id == alumnus_id)
        .order_by(Enrollment.completed_at, Training.title)
    ).all()
    return [(code, title, category) for code, title, category in rows]


def open_response(link: Link, language: str) -> ResponseState:
    """The link's response, created on first use; records when the link was opened."""
    if link.response is not None:
        return link.response
    now = utcnow()
    connection = db.session.connection()
    try:
        connection.execute(insert(_RESPONSES).values(
            invitation_id=link.id, answers={}, language=language,
            roster=[list(row) for row in _roster_rows(link.alumnus_id)],
            started_at=now, updated_at=now, revision=1))
        if link.status == "issued":
            connection.execute(update(_INVITATIONS)
                               .where(_INVITATIONS.c.id == link.id, _INVITATIONS.c.status == "issued")
                               .values(status="opened", opened_at=now))
        db.session.commit()
    except IntegrityError:
        # The same link opened twice at the same moment: use the row the other request made.
        db.session.rollback()
    if link.status == "issued":
        link.status = "opened"
    link.response = _reload_response(link.id)  # inserted above or by the racing request
    return _started(link)


def set_language(response: ResponseState, language: str) -> None:
    """Remember the respondent's language choice."""
    if response.language != language:
        _write(response, response.revision, {"language": language})
        response.language = language


def _expected_revision(response: ResponseState, revision: str | int | None) -> int:
    """The revision the page was shown at; Conflict when it is not the response's current one."""
    try:
        expected = int(revision)  # type: ignore[arg-type]  # None raises TypeError, handled below
    except (TypeError, ValueError):
        raise Conflict() from None
    if expected != response.revision:
        raise Conflict()
    return expected


def save_page(link: Link, questionnaire: Questionnaire, respondent: Respondent, visit: Visit,
              page_answers: dict[str, Any], cleared: list[str], revision: str | int | None,
              add_another: bool = False) -> Visit | None:
    """Store one page's answers (and drop those that no longer apply); commits.

    Returns where the person goes next: the next applicable page (or the next instance of a
    repeat page when ``add_another``), or None for the review step. Raises :class:`Conflict`
    when ``revision`` is not the response's current one (checked again by the UPDATE itself).
    """
    response = _started(link)
    expected = _expected_revision(response, revision)
    merged = merge_page(response.answers or {}, visit, page_answers, cleared)
    result = walk(questionnaire, merged, respondent)
    values: dict[str, Any] = {"answers": result.answers, "current_page": visit.key, "updated_at": utcnow()}
    if response.roster is None:  # rows made before the roster snapshot existed: take it now
        values["roster"] = [list(row) for row in _roster_rows(link.alumnus_id)]
    _write(response, expected, values, invitation_status=("partial", ("issued", "opened"), link),
           durable=not _relaxed_page_commits())
    response.answers = result.answers
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


def decline(link: Link, questionnaire: Questionnaire, value: str, revision) -> ResponseState:
    """Record a refused consent: only the refusal is kept, every other answer is erased."""
    response = _started(link)
    expected = _expected_revision(response, revision)
    now = utcnow()
    # Only a questionnaire that asks for consent offers the refusal.
    answers = {questionnaire.consent.question: value}  # type: ignore[union-attr]
    _write(response, expected, {"answers": answers, "declined_at": now, "updated_at": now},
           invitation_status=("declined", None, link))
    response.answers, response.declined_at = answers, now
    return response


def withdraw_decline(link: Link, revision) -> ResponseState:
    """Let someone who declined change their mind from the same link."""
    response = _started(link)
    expected = _expected_revision(response, revision)
    _write(response, expected, {"answers": {}, "declined_at": None}, invitation_status=("opened", None, link))
    response.answers, response.declined_at = {}, None
    return response


def submit(link: Link, revision, answers: dict[str, Any] | None = None) -> bool:
    """Mark the response submitted, exactly once. Returns False if it already was.

    ``answers`` (when given) replaces the stored answers in the same UPDATE: the walk done
    at submit re-evaluates calculates (e.g. ones reading today()). The conditional UPDATE
    makes a double click or two racing tabs submit only once.
    """
    response = _started(link)
    if response.submitted_at is not None:
        return False
    expected = _expected_revision(response, revision)
    now = utcnow()
    try:
        _write(response, expected,
               {"submitted_at": now, "updated_at": now, **({"answers": answers} if answers is not None else {})},
               invitation_status=("submitted", None, link), only_unsubmitted=True)
    except Conflict:
        current = _reload_response(link.id)
        if current is not None and current.submitted_at is not None:
            return False
        raise
    response.submitted_at = now
    return True


def _write(response: ResponseState, expected_revision: int, values: dict[str, Any], *,
           invitation_status: tuple[str, tuple[str, ...] | None, Link] | None = None,
           only_unsubmitted: bool = False, durable: bool = True) -> None:
    """UPDATE the response at ``expected_revision`` (incrementing it) and commit; Conflict if stale.

    ``invitation_status`` = (new status, only from these statuses or None for any, the link):
    the invitation row is updated in the same transaction, and skipped when the link's
    status already says no change is needed. On PostgreSQL it all is ONE statement (the
    UPDATEs as data-modifying CTEs), so it also runs atomically in autocommit mode (page
    POSTs run without BEGIN/COMMIT round trips). ``only_unsubmitted`` adds "not submitted
    yet" to the guard. ``durable=False`` lets PostgreSQL acknowledge this commit before its
    WAL reaches the disk (see :func:`_relaxed_page_commits`).
    """
    connection = _connection()
    autocommit = g.get("respondent_connection") is not None
    status = None
    if invitation_status is not None:
        new, from_statuses, link = invitation_status
        if link.status != new and (from_statuses is None or link.status in from_statuses):
            status = (new, from_statuses)
    postgresql = connection.dialect.name == "postgresql"
    statement, status_statement = _write_statements(
        tuple(sorted(values)), status, only_unsubmitted, durable, postgresql)
    params = {"response_id": response.id, "expected_revision": expected_revision,
              **{f"new_{name}": value for name, value in values.items()}}
    if postgresql:
        saved_rows = connection.execute(statement, params).scalar_one()
    else:
        saved_rows = connection.execute(statement, params).rowcount  # type: ignore[attr-defined]
        if saved_rows == 1 and status_statement is not None:
            connection.execute(status_statement, {"invitation_id": invitation_status[2].id})  # type: ignore[index]
    if saved_rows != 1:
        if not autocommit:
            db.session.rollback()
        raise Conflict()
    if not autocommit:
        db.session.commit()
    response.revision = expected_revision + 1
    for name, value in values.items():
        if hasattr(response, name):
            setattr(response, name, value)
    if status is not None:
        invitation_status[2].status = status[0]  # type: ignore[index]


# Built once per shape: a reused statement object keeps its compiled form and cache key.
_STATEMENTS: dict[tuple, tuple[Any, Any]] = {}


def _write_statements(columns: tuple[str, ...], status: tuple[str, tuple[str, ...] | None] | None,
                      only_unsubmitted: bool, durable: bool, postgresql: bool) -> tuple[Any, Any]:
    """(the response UPDATE, or on PostgreSQL the one combined statement; the invitation UPDATE or None)."""
    key = (columns, status, only_unsubmitted, durable, postgresql)
    found = _STATEMENTS.get(key)
    if found is not None:
        return found
    condition = [_RESPONSES.c.id == bindparam("response_id"),
                 _RESPONSES.c.revision == bindparam("expected_revision")]
    if only_unsubmitted:
        condition.append(_RESPONSES.c.submitted_at.is_(None))
    statement = update(_RESPONSES).where(*condition).values(
        revision=_RESPONSES.c.revision + 1,
        **{name: bindparam(f"new_{name}", type_=_RESPONSES.c[name].type) for name in columns})
    status_statement = None
    if status is not None:
        new, from_statuses = status
        status_statement = update(_INVITATIONS).values(status=new)
        if from_statuses is not None:
            status_statement = status_statement.where(_INVITATIONS.c.status.in_(from_statuses))
    if postgresql:
        saved = statement.returning(_RESPONSES.c.invitation_id).cte("saved")
        outputs: list[Any] = [func.count()]
        if not durable:
            # set_config(..., is_local => true) lasts until this statement's transaction commits,
            # so exactly this commit is acknowledged before the WAL flush.
            outputs.append(func.set_config("synchronous_commit", "off", True))
        combined = select(*outputs).select_from(saved)
        if status_statement is not None:
            combined = combined.add_cte(
                status_statement.where(_INVITATIONS.c.id.in_(select(saved.c.invitation_id)))
                .returning(_INVITATIONS.c.id).cte("flagged"))
        found = (combined, None)
    else:
        found = (statement, None if status_statement is None else
                 status_statement.where(_INVITATIONS.c.id == bindparam("invitation_id")))
    _STATEMENTS[key] = found
    return found


def _relaxed_page_commits() -> bool:
    """Whether page saves may be acknowledged before their WAL reaches the disk (PostgreSQL).

    The fsync of every commit dominates a page save. Without it a save is visible at once
    and durable within a fraction of a second; only a database *server* crash in that window
    loses it, and the respondent then re-answers one page. Final submissions, declines and
    staff actions keep full durability. Turn off with JEJAK_ASYNC_PAGE_COMMIT=0.
    """
    return bool(current_app.config.get("ASYNC_PAGE_COMMIT"))


def now() -> datetime:
    """The current time (UTC); a seam for tests of opening and closing dates."""
    return utcnow()
