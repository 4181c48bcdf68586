"""Streaming a wave's responses out of the database, joined with invitation and roster facts.

Rows are fetched with a server-side cursor (``yield_per``: PostgreSQL streams batches, SQLite
iterates its cursor), so memory stays flat whatever the number of responses.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, overload

from sqlalchemy import and_, select
from sqlalchemy.orm import aliased

from survey_app.extensions import db
from survey_app.models import Alumnus, Enrollment, Invitation, Response, Training, Wave
from survey_app.privacy import pseudonym, pseudonym_key
from survey_app.questionnaire.definition import Choice, Text
from survey_app.waves.panel import NOT_EARLIER_ANSWERS

BATCH_SIZE = 2000


class Row:
    """One response: its answers, the metadata columns by name, and (follow-up exports with
    the earlier wave) the person's answers in the wave followed up."""

    __slots__ = ("answers", "meta", "earlier")

    def __init__(self, answers: dict[str, Any], meta: dict[str, Any], earlier: dict[str, Any] | None = None):
        self.answers = answers
        self.meta = meta
        self.earlier = earlier


@overload
def as_utc(moment: datetime) -> datetime: ...


@overload
def as_utc(moment: None) -> None: ...


def as_utc(moment: datetime | None) -> datetime | None:
    """An aware UTC datetime; SQLite gives naive datetimes, which are stored as UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def iso_utc(moment: datetime | None) -> str | None:
    """``2025-03-01T08:15:00Z`` (whole seconds, UTC)."""
    return None if moment is None else as_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def response_rows(wave_id: int, wave_name: str, *, include_personal: bool = False, submitted_only: bool = False,
                  batch_size: int = BATCH_SIZE, earlier_wave_id: int | None = None) -> Iterator[Row]:
    """Every response of the wave (oldest first), with the roster facts of its alumnus.

    Erased responses (consent withdrawn) no longer exist and so never appear. With
    ``earlier_wave_id``, each row also carries the person's answers in that wave
    (``Row.earlier``, the rule of :func:`survey_app.waves.panel.earlier_answers`: partial
    answers count, declined or erased ones do not) and ``prev_status``, their invitation
    status there, joined in the same streamed query.
    """
    query = (select(Response.answers, Response.language, Response.started_at, Response.submitted_at,
                    Invitation.status, Alumnus.external_id, Alumnus.name, Alumnus.phone, Alumnus.email,
                    Alumnus.province_code, Alumnus.sex, Alumnus.birth_year, Alumnus.cohort)
             .join(Invitation, Invitation.id == Response.invitation_id)
             .join(Alumnus, Alumnus.id == Invitation.alumnus_id)
             .where(Invitation.wave_id == wave_id)
             .order_by(Response.id))
    if submitted_only:
        query = query.where(Response.submitted_at.is_not(None))
    if earlier_wave_id is not None:
        # Outer joins on the (wave, alumnus) unique index: one streamed query, no look-up per row.
        earlier_invitation, earlier_response = aliased(Invitation), aliased(Response)
        query = (query.add_columns(earlier_response.answers, earlier_invitation.status)
                 .outerjoin(earlier_invitation, and_(earlier_invitation.wave_id == earlier_wave_id,
                                                     earlier_invitation.alumnus_id == Invitation.alumnus_id))
                 .outerjoin(earlier_response, and_(earlier_response.invitation_id == earlier_invitation.id,
                                                   earlier_invitation.status.not_in(NOT_EARLIER_ANSWERS),
                                                   earlier_response.declined_at.is_(None))))
    key = pseudonym_key()
    result = db.session.execute(query.execution_options(yield_per=batch_size, stream_results=True))
    try:
        for (answers, language, started_at, submitted_at, status, external_id, name, phone, email,
             province, sex, birth_year, cohort, *earlier) in result:
            meta = {"pid": pseudonym(external_id, key), "roster_province": province, "roster_sex": sex,
                    "roster_birth_year": birth_year, "roster_cohort": cohort, "wave": wave_name,
                    "status": status, "language": language, "started_at": as_utc(started_at),
                    "submitted_at": as_utc(submitted_at)}
            if include_personal:
                meta.update(external_id=external_id, roster_name=name, roster_phone=phone, roster_email=email)
            if earlier:
                meta["prev_status"] = earlier[1]
                yield Row(answers or {}, meta, earlier[0])
            else:
                yield Row(answers or {}, meta)
    finally:
        result.close()


def count_responses(wave: Wave, *, submitted_only: bool = False) -> int:
    """How many rows :func:`response_rows` will give."""
    from sqlalchemy import func

    query = (select(func.count()).select_from(Response)
             .join(Invitation, Invitation.id == Response.invitation_id).where(Invitation.wave_id == wave.id))
    if submitted_only:
        query = query.where(Response.submitted_at.is_not(None))
    return db.session.scalar(query) or 0


def wave_trainings(wave: Wave) -> tuple[Choice, ...]:
    """The trainings of the alumni invited to ``wave``, by code: the possible roster choices."""
    rows = db.session.execute(
        select(Training.code, Training.title).distinct()
        .join(Enrollment, Enrollment.training_id == Training.id)
        .join(Invitation, Invitation.alumnus_id == Enrollment.alumnus_id)
        .where(Invitation.wave_id == wave.id)
        .order_by(Training.code))
    return tuple(Choice(code, Text({"id": title, "en": title})) for code, title in rows)
