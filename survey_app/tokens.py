"""Personal survey-link tokens: random for the alumnus, hashed for the database.

Only :func:`hash_token` of a token is ever stored, so a leaked database (or backup) does not
give anyone working survey links. The respondent flow looks a link up by hashing the token
from the URL and comparing hashes.
"""
from __future__ import annotations

import hashlib
import secrets

# 18 random bytes = 144 bits (the brief asks for at least 128); a multiple of 3 bytes encodes
# to exactly 24 URL-safe base64 characters, short enough for an SMS link.
TOKEN_BYTES = 18


def new_token() -> str:
    """Return a fresh, unguessable, URL-safe token (144 bits from :mod:`secrets`)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """Return the SHA-256 hex digest of ``token`` (64 characters), the form stored in the DB.

    A plain (unsalted) hash is enough here: the token is random with 144 bits of entropy, so
    there is nothing to brute-force, and the hash must be deterministic to allow look-ups.
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
