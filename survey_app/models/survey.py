"""Questionnaires, waves of fielding, personal invitations and the responses to them."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.extensions import Model
from survey_app.models.types import JSONType, as_utc, utcnow

if TYPE_CHECKING:  # relationship targets, resolved by name at run time
    from survey_app.models.roster import Alumnus


class Questionnaire(Model):
    """One stored version of a questionnaire definition (never edited once stored)."""

    __tablename__ = "questionnaires"
    __table_args__ = (UniqueConstraint("name", "version", name="uq_questionnaires_name_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)  # the YAML as loaded, for audit and export
    definition: Mapped[dict] = mapped_column(JSONType)  # validated, normalised form
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Wave(Model):
    """One fielding of a questionnaire, open between two optional dates."""

    __tablename__ = "waves"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaires.id"))
    opens_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closes_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # A follow-up wave asks the same alumni again; it can read their answers in this earlier wave.
    follow_up_of_id: Mapped[int | None] = mapped_column(ForeignKey("waves.id"), index=True)

    questionnaire: Mapped[Questionnaire] = relationship()
    follow_up_of: Mapped[Wave | None] = relationship(remote_side=[id])

    def is_open(self, now: datetime) -> bool:
        """True when ``now`` lies inside the wave's open window."""
        return (self.opens_at is None or as_utc(self.opens_at) <= now) and (
            self.closes_at is None or now < as_utc(self.closes_at)
        )



class Invitation(Model):
    """A personal link for one alumnus in one wave. Only the token's hash is stored."""

    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("wave_id", "alumnus_id", name="uq_invitations_wave_alumnus"),
        Index("ix_invitations_wave_status", "wave_id", "status"),
    )

    # withdrawn: the person withdrew consent and their answers were erased (UU PDP).
    STATUSES = ("issued", "opened", "partial", "submitted", "declined", "withdrawn", "revoked")

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id"))
    alumnus_id: Mapped[int] = mapped_column(ForeignKey("alumni.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Random nonce from which the link token is re-derived (HMAC with the server's link
    # secret) when a reminder e-mail needs the link again; the token itself is never stored.
    token_nonce: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="issued")
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    wave: Mapped[Wave] = relationship()
    alumnus: Mapped[Alumnus] = relationship()
    response: Mapped[Response | None] = relationship(back_populates="invitation", uselist=False)


class Response(Model):
    """The answers given through one invitation: saved page by page, submitted once.

    ``revision`` is SQLAlchemy's optimistic-locking counter: two tabs or devices saving the
    same response cannot silently overwrite each other.
    """

    __tablename__ = "responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), unique=True
    )
    answers: Mapped[dict] = mapped_column(JSONType, default=dict)
    # The roster trainings [code, title, category] as they were when the person started:
    # the questionnaire keeps offering the same list even if the roster is re-imported, and
    # a page view needs no roster query.
    roster: Mapped[list | None] = mapped_column(JSONType)
    language: Mapped[str] = mapped_column(String(5), default="id")
    current_page: Mapped[str | None] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    declined_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revision: Mapped[int] = mapped_column(Integer, nullable=False)

    invitation: Mapped[Invitation] = relationship(back_populates="response")

    __mapper_args__ = {"version_id_col": revision}


class RetiredToken(Model):
    """The hash of a link that was replaced, so the old link can say so (410) instead of 404."""

    __tablename__ = "retired_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"), index=True)
    retired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
