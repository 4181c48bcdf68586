"""The programme's roster: trainings, alumni and who completed which training."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.extensions import Model


class Training(Model):
    """A training course in the programme's catalogue."""

    __tablename__ = "trainings"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    provider: Mapped[str] = mapped_column(String(200), default="")
    category: Mapped[str] = mapped_column(String(40), index=True)
    description: Mapped[str] = mapped_column(String(2000), default="")


class Alumnus(Model):
    """One programme participant, identified by the programme's own external id."""

    __tablename__ = "alumni"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    province_code: Mapped[str | None] = mapped_column(String(2), index=True)
    sex: Mapped[str | None] = mapped_column(String(1))  # 'M' / 'F'
    birth_year: Mapped[int | None] = mapped_column(SmallInteger)
    cohort: Mapped[str | None] = mapped_column(String(32), index=True)

    enrollments: Mapped[list[Enrollment]] = relationship(back_populates="alumnus")


class Enrollment(Model):
    """A training an alumnus completed (one row per alumnus and training)."""

    __tablename__ = "enrollments"
    __table_args__ = (
        UniqueConstraint("alumnus_id", "training_id", name="uq_enrollments_alumnus_training"),
        Index("ix_enrollments_training_id", "training_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    alumnus_id: Mapped[int] = mapped_column(ForeignKey("alumni.id", ondelete="CASCADE"))
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id"))
    completed_at: Mapped[date | None] = mapped_column(Date)

    alumnus: Mapped[Alumnus] = relationship(back_populates="enrollments")
    training: Mapped[Training] = relationship()


class AlumnusCategory(Model):
    """Which training categories each alumnus has a completed training in (derived data).

    Rebuilt from enrollments and trainings by every roster import, so the live dashboard
    can count alumni per category with a plain join instead of a DISTINCT over enrollments.
    """

    __tablename__ = "alumnus_categories"

    alumnus_id: Mapped[int] = mapped_column(ForeignKey("alumni.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[str] = mapped_column(String(40), primary_key=True)
