"""Pseudonyms: stable ids that link a person's rows without revealing who they are.

A pseudonym is a keyed hash (HMAC-SHA256) of the programme's external id. With the key it
is stable across exports, so researchers can join tables; without it, it cannot be turned
back into the external id or guessed from a list of ids.
"""
from __future__ import annotations

import hashlib
import hmac

from flask import current_app


def pseudonym_key() -> bytes:
    """The key for pseudonyms: JEJAK_PSEUDONYM_KEY, or derived from the secret key."""
    configured = current_app.config.get("PSEUDONYM_KEY")
    if configured:
        return configured.encode()
    return hmac.new(current_app.config["SECRET_KEY"].encode(), b"jejak-pseudonym", hashlib.sha256).digest()


def pseudonym(external_id: str, key: bytes | None = None) -> str:
    """A 16-character pseudonym of ``external_id`` (prefix 'P' so it is never mistaken for one)."""
    digest = hmac.new(key or pseudonym_key(), external_id.encode("utf-8"), hashlib.sha256).hexdigest()
    return "P" + digest[:15]
