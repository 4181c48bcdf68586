"""Staff accounts and the append-only audit log."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.extensions import Model
from survey_app.models.types import JSONType, utcnow


class AdminUser(UserMixin, Model):
    """A member of programme staff. Roles: admin, researcher, viewer."""

    __tablename__ = "admin_users"

    ROLES = ("admin", "researcher", "viewer")

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on password change: sessions carrying an older value are logged out everywhere.
    session_generation: Mapped[int] = mapped_column(default=0)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def can(self, *roles: str) -> bool:
        """Whether this user has one of ``roles``."""
        return self.role in roles

    def get_id(self) -> str:
        """Flask-Login id: includes the generation so a password change ends old sessions."""
        return f"{self.id}:{self.session_generation}"


class AuditEvent(Model):
    """Who did what to which personal data, and when. Rows are never updated or deleted."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("admin_users.id"))
    actor: Mapped[str] = mapped_column(String(254))  # e-mail, or 'cli:<os user>'
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[dict] = mapped_column(JSONType, default=dict)
