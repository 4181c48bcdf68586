"""Creating staff accounts."""
from __future__ import annotations

from sqlalchemy import func, select

from survey_app.accounts.passwords import MIN_PASSWORD_LENGTH, hash_password
from survey_app.extensions import db
from survey_app.models import AdminUser, AuditEvent


class AccountError(ValueError):
    """An account cannot be created or changed as asked; the message is for the user."""


def create_user(email: str, role: str, password: str, actor: str = "system") -> AdminUser:
    """Create a staff account (commits); e-mail addresses are compared case-insensitively."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise AccountError(f"not an e-mail address: {email!r}")
    if role not in AdminUser.ROLES:
        raise AccountError(f"unknown role {role!r} (one of: {', '.join(AdminUser.ROLES)})")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if db.session.scalar(select(func.count()).select_from(AdminUser).where(AdminUser.email == email)):
        raise AccountError(f"an account for {email} already exists")
    user = AdminUser(email=email, password_hash=hash_password(password), role=role, active=True)
    db.session.add(user)
    db.session.flush()
    db.session.add(AuditEvent(user_id=None, actor=actor, action="user.create", target=email,
                              detail={"role": role}))
    db.session.commit()
    return user
