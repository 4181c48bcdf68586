"""Password hashing with argon2id (argon2-cffi's defaults follow RFC 9106's recommendations)."""
from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app, has_app_context

_HASHERS = {
    "default": PasswordHasher(),
    # Tests only (TestConfig): the same algorithm with tiny costs, so hundreds of logins
    # take seconds. Hashes made this way are rehashed by needs_rehash() in production.
    "fast-test": PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
}
MIN_PASSWORD_LENGTH = 12


def _hasher() -> PasswordHasher:
    profile = current_app.config.get("ARGON2_PROFILE", "default") if has_app_context() else "default"
    return _HASHERS[profile]


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (salted, self-describing)."""
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches the stored hash; never raises for a mismatch."""
    try:
        return _hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's."""
    return _hasher().check_needs_rehash(password_hash)


def generate_password() -> str:
    """A random password that is easy to copy from a terminal (about 120 bits)."""
    return secrets.token_urlsafe(15)
