"""Staff accounts: creating, logging in and out, and what administrators can do to them."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app, has_app_context
from sqlalchemy import func, select

from survey_app.accounts.passwords import (
    MIN_PASSWORD_LENGTH,
    generate_password,
    hash_password,
    needs_rehash,
    verify_password,
)
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
    """Check a login; counts failures, locks after too many, audits every outcome (commits).

    Raises :class:`LoginRefused`. Unknown, inactive, locked and wrong-password logins are
    indistinguishable from outside: every path computes one argon2 hash of the password and
    the web page shows one message, so logins cannot be used to discover accounts.
    """
    email = email.strip().lower()
    user = db.session.scalar(select(AdminUser).where(AdminUser.email == email))
    now = utcnow()
    if user is None or not user.active:
        verify_password(_dummy_hash(), password)  # spend the same time as a real check
        record("login.failed", email, {"reason": "unknown or inactive"}, actor=email)
        db.session.commit()
        raise LoginRefused()
    # Checked even when locked: the answer must take as long as any other refusal.
    correct = verify_password(user.password_hash, password)
    locked_until = as_utc(user.locked_until)
    if locked_until is not None and locked_until > now:
        record("login.refused_locked", email, actor=email)
        db.session.commit()
        raise LoginRefused(locked=True)
    if not correct:
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


_DUMMY_HASHES: dict[str, str] = {}


def _dummy_hash() -> str:
    """A hash of a random password, made with the current parameters (one per profile)."""
    profile = current_app.config.get("ARGON2_PROFILE", "default") if has_app_context() else "default"
    if profile not in _DUMMY_HASHES:
        _DUMMY_HASHES[profile] = hash_password(generate_password())
    return _DUMMY_HASHES[profile]


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


# -- Administering accounts (CLI `flask users …` and the staff site's Accounts page) ----------
def find_user(email: str) -> AdminUser:
    """The account for ``email`` (case-insensitive), or :class:`AccountError`."""
    user = db.session.scalar(select(AdminUser).where(AdminUser.email == email.strip().lower()))
    if user is None:
        raise AccountError(f"no account for {email}")
    return user


def end_sessions(user: AdminUser, action: str = "logout", actor: str | None = None) -> None:
    """End every session of ``user`` on the server (commits).

    Sessions are signed cookies naming the account's session generation (see
    :meth:`AdminUser.get_id`); bumping it makes every existing cookie, including a copy taken
    before logout, load no user.
    """
    user.session_generation += 1
    record(action, user.email, actor=actor or user.email)
    db.session.commit()


def _refuse_last_admin(user: AdminUser) -> None:
    if user.role == "admin":
        others = db.session.scalar(select(func.count()).select_from(AdminUser).where(
            AdminUser.role == "admin", AdminUser.active.is_(True), AdminUser.id != user.id))
        if not others:
            raise AccountError("this is the last active admin account; create another admin first")


def set_active(email: str, active: bool, actor: str | None = None) -> AdminUser:
    """Deactivate (sessions end at once, logins refused) or reactivate an account (commits)."""
    user = find_user(email)
    if not active:
        _refuse_last_admin(user)
    user.active = active
    user.session_generation += 1
    record("user.activate" if active else "user.deactivate", user.email, actor=actor)
    db.session.commit()
    return user


def unlock(email: str, actor: str | None = None) -> AdminUser:
    """Lift a lock after too many wrong passwords (commits)."""
    user = find_user(email)
    user.failed_logins, user.locked_until = 0, None
    record("user.unlock", user.email, actor=actor)
    db.session.commit()
    return user


def reset_password(email: str, actor: str | None = None, password: str | None = None) -> str:
    """Give an account a new password (generated unless given); its sessions end (commits).

    Returns the password, to be shown once to the administrator and never stored in clear.
    """
    user = find_user(email)
    password = generate_password() if password is None else password
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    user.password_hash = hash_password(password)
    user.failed_logins, user.locked_until = 0, None
    user.session_generation += 1
    record("user.password_reset", user.email, actor=actor)
    db.session.commit()
    return password
