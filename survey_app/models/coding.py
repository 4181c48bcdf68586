"""KBLI 2020 sector codes of business descriptions, with their full history."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String
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


# --- retrain (issue 13 items 5-6): model versions of the learning review loop, blind second codes

class SectorModelVersion(Model):
    """A KBLI model file the app may code with: the baseline, a retrained candidate, or a past one.

    ``status``: ``candidate`` (trained on people's codes, compared with the active model on
    held-out people's codes, waiting for an admin), ``active`` (the one the app codes with; at
    most one), ``retired`` (was active, or a candidate passed over; may be activated again when
    it was once active — a rollback). ``metrics`` holds the comparison table shown before a
    promotion; ``compared_with`` the version it was compared with. ``path`` is relative to the
    instance folder; files are signed with the app's model key.
    """

    __tablename__ = "sector_models"
    __table_args__ = (Index("ix_sector_models_status", "status"),)

    STATUSES = ("candidate", "active", "retired")

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    path: Mapped[str] = mapped_column(String(500))
    people_codes: Mapped[int] = mapped_column(Integer, default=0)  # people's codes trained on
    held_out_codes: Mapped[int] = mapped_column(Integer, default=0)  # people's codes it was compared on
    metrics: Mapped[dict | None] = mapped_column(JSONType)
    compared_with: Mapped[str | None] = mapped_column(String(64))
    not_worse: Mapped[bool | None] = mapped_column(Boolean)
    sklearn_version: Mapped[str | None] = mapped_column(String(32))
    training_seconds: Mapped[float | None] = mapped_column(Float)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    activated_by: Mapped[str | None] = mapped_column(String(254))


class SecondCode(Model):
    """A blind second person's code of an answer a first person coded from the review queue.

    ``first_code_id`` is the first person's (manual) code it is compared with; one second
    code per first code.
    """

    __tablename__ = "sector_second_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_code_id: Mapped[int] = mapped_column(ForeignKey("sector_codes.id", ondelete="CASCADE"), unique=True)
    kbli5: Mapped[str | None] = mapped_column(String(5))
    division: Mapped[str] = mapped_column(String(2))
    section: Mapped[str] = mapped_column(String(1))
    coder_id: Mapped[int | None] = mapped_column(ForeignKey("admin_users.id"))
    coded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
# --- end retrain
