"""E-mails sent to alumni: invitations and reminders, one row per message."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.extensions import Model
from survey_app.models.types import utcnow

if TYPE_CHECKING:  # relationship targets, resolved by name at run time
    from survey_app.models.survey import Invitation


class OutboundMessage(Model):
    """One message to one invitation. ``sequence`` 0 is the invitation, 1.. the reminders.

    The unique (invitation, sequence) pair is what makes a resumed batch send nothing twice:
    a message is queued once, marked ``sending`` before the SMTP call and ``sent`` after it.
    """

    __tablename__ = "outbound_messages"
    __table_args__ = (
        UniqueConstraint("invitation_id", "sequence", name="uq_outbound_messages_invitation_sequence"),
        Index("ix_outbound_messages_status", "status"),
    )

    STATUSES = ("queued", "sending", "sent", "failed", "bounced")

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"))
    sequence: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # invitation | reminder
    channel: Mapped[str] = mapped_column(String(16), default="email")
    address: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(5), default="id")
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    invitation: Mapped[Invitation] = relationship()


class MessageTemplate(Model):
    """A wave's own wording of an e-mail (invitation or reminder) in one language.

    Without a row the built-in default in ``seeds/messages/<kind>.<language>.txt`` is used.
    """

    __tablename__ = "message_templates"
    __table_args__ = (
        UniqueConstraint("wave_id", "kind", "language", name="uq_message_templates_wave_kind_language"),
    )

    KINDS = ("invitation", "reminder")

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(5))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str] = mapped_column(String(254), default="")
