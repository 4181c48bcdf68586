"""Creating staff accounts."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from survey_app.accounts.passwords import MIN_PASSWORD_LENGTH, hash_password, needs_rehash, verify_password
from survey_app.audit import record
from survey_app.extensions import db
from survey_app.models import AdminUser
from survey_app.models.types import as_utc, utcnow


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
    record("user.create", email, {"role": role}, actor=actor)
    db.session.commit()
    return user


# After this many wrong passwords in a row an account is locked for LOCK_MINUTES.
MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15


class LoginRefused(Exception):
    """Login failed; ``locked`` tells whether the account is (now) locked."""

    def __init__(self, locked: bool = False):
        super().__init__("locked" if locked else "wrong e-mail or password")
        self.locked = locked


def authenticate(email: str, password: str) -> AdminUser:
    """Check a login; counts failures, locks after too many, audits both outcomes (commits).

    Raises :class:`LoginRefused`. The same refusal is given for unknown e-mails and wrong
    passwords so that logins cannot be used to discover accounts.
    """
    email = email.strip().lower()
    user = db.session.scalar(select(AdminUser).where(AdminUser.email == email))
    now = utcnow()
    if user is None or not user.active:
        hash_password(password)  # spend the same time as a real check
        record("login.failed", email, {"reason": "unknown or inactive"}, actor=email)
        db.session.commit()
        raise LoginRefused()
    locked_until = as_utc(user.locked_until)
    if locked_until is not None and locked_until > now:
        record("login.refused_locked", email, actor=email)
        db.session.commit()
        raise LoginRefused(locked=True)
    if not verify_password(user.password_hash, password):
        user.failed_logins += 1
        locked = user.failed_logins >= MAX_FAILED_LOGINS
        if locked:
            user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            user.failed_logins = 0
        record("login.failed", email, {"locked": locked}, actor=email)
        db.session.commit()
        raise LoginRefused(locked=locked)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    record("login", email, actor=email)
    db.session.commit()
    return user


def change_password(user: AdminUser, current: str, new: str) -> None:
    """Change a password; every other session of the user ends (commits)."""
    if not verify_password(user.password_hash, current):
        raise AccountError("the current password is wrong")
    if len(new) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    user.password_hash = hash_password(new)
    user.session_generation += 1
    record("password.change", user.email)
    db.session.commit()



def set_role(email: str, role: str, actor: str | None = None) -> AdminUser:
    """Change an account's role; the user's sessions end so the new rights apply at once."""
    if role not in AdminUser.ROLES:
        raise AccountError(f"unknown role {role!r} (one of: {', '.join(AdminUser.ROLES)})")
    user = db.session.scalar(select(AdminUser).where(AdminUser.email == email.strip().lower()))
    if user is None:
        raise AccountError(f"no account for {email}")
    old = user.role
    user.role = role
    user.session_generation += 1
    record("user.role_change", user.email, {"from": old, "to": role}, actor=actor)
    db.session.commit()
    return user
