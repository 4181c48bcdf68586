"""KBLI 2020 sector codes of business descriptions, with their full history."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import DateTime, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.extensions import Model
from survey_app.models.types import JSONType, utcnow

if TYPE_CHECKING:  # relationship targets, resolved by name at run time
    from survey_app.models.accounts import AdminUser


class SectorCode(Model):
    """One coding decision for one response. Rows are never changed except to be superseded.

    ``status``: ``auto`` (the classifier was confident enough to code it), ``review`` (the
    classifier's suggestion waits for a person), ``manual`` (a person chose the code).
    The current code of a response is its row with ``superseded_at`` NULL.
    """

    __tablename__ = "sector_codes"
    __table_args__ = (
        Index("ix_sector_codes_current", "response_id", "superseded_at"),
        Index("ix_sector_codes_status", "status", "superseded_at"),
    )

    STATUSES = ("auto", "review", "manual")

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(String(5000))  # the answer as coded (answers may be erased)
    kbli5: Mapped[str | None] = mapped_column(String(5))
    division: Mapped[str | None] = mapped_column(String(2))
    section: Mapped[str | None] = mapped_column(String(1))
    confidence: Mapped[float | None] = mapped_column(Float)
    suggestions: Mapped[list | None] = mapped_column(JSONType)  # model's top 3 [[division, p], …]
    status: Mapped[str] = mapped_column(String(8))
    model_version: Mapped[str | None] = mapped_column(String(64))
    coder_id: Mapped[int | None] = mapped_column(ForeignKey("admin_users.id"))
    coded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    coder: Mapped[AdminUser | None] = relationship()
