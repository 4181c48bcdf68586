"""Background jobs: the state every web host shows; the queue library only carries the work."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.extensions import Model
from survey_app.models.types import JSONType, utcnow


class Job(Model):
    """One piece of staff work run by a worker: progress, outcome and result file.

    ``state``: queued → running → done | failed | cancelled; ``expired`` once the result was
    deleted (retention or an alumnus' erasure). ``message`` is an English msgid with
    ``message_args``, translated when shown, so each staff member reads it in their language.
    """

    __tablename__ = "jobs"

    STATES = ("queued", "running", "done", "failed", "cancelled", "expired")
    ACTIVE = ("queued", "running")

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    wave_id: Mapped[int | None] = mapped_column(ForeignKey("waves.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("admin_users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(254))
    params: Mapped[dict] = mapped_column(JSONType, default=dict)
    # Same kind + wave + params (+ user): a second start reuses the running job.
    dedupe_key: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="queued")
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str | None] = mapped_column(Text)
    message_args: Mapped[dict | None] = mapped_column(JSONType)
    result_path: Mapped[str | None] = mapped_column(String(500))
    result_name: Mapped[str | None] = mapped_column(String(200))
    result_size: Mapped[int | None] = mapped_column(Integer)
    # The result has names/contacts (or raw roster rows): only admins may download it.
    personal_data: Mapped[bool] = mapped_column(Boolean, default=False)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    rate: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_jobs_wave_created", "wave_id", "created_at"),
        Index("ix_jobs_state", "state"),
    )
