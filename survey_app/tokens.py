"""Personal survey-link tokens: random for the alumnus, hashed for the database.

Only :func:`hash_token` of a token is ever stored, so a leaked database (or backup) does not
give anyone working survey links. The respondent flow looks a link up by hashing the token
from the URL and comparing hashes.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
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


# -- Links that can be sent again -------------------------------------------------------------
# A reminder e-mail must contain the person's link, but the database holds only its hash. So a
# link token is derived from a random per-invitation nonce (stored) and the server's link key
# (not stored in the database): token = HMAC-SHA256(key, nonce), cut to TOKEN_BYTES. A stolen
# database alone still yields no working link; with the key, the server can rebuild the link.
NONCE_BYTES = 16  # 128 random bits per invitation


def new_nonce() -> str:
    """A fresh random nonce (hex) for a resendable link."""
    return secrets.token_hex(NONCE_BYTES)


def link_key(secret_key: str, configured: str | None = None) -> bytes:
    """The key links are derived with: JEJAK_LINK_KEY, else derived from the secret key.

    Changing it invalidates every resendable link, so production sets it explicitly.
    """
    if configured:
        return configured.encode("utf-8")
    return hmac.new(secret_key.encode("utf-8"), b"jejak-link-key", hashlib.sha256).digest()


def token_from_nonce(nonce: str, key: bytes) -> str:
    """The link token for ``nonce`` under ``key`` (URL-safe, same length as :func:`new_token`)."""
    digest = hmac.new(key, nonce.encode("ascii"), hashlib.sha256).digest()[:TOKEN_BYTES]
    return base64.urlsafe_b64encode(digest).decode("ascii")
