"""Which KBLI model the app codes with, and the key its files must be signed with.

The app never loads an unsigned model file (issue 10 finding 6): a model file decides
every automatic code, and its checksums alone cannot show that nobody edited it.
``MODEL_KEY`` (``JEJAK_MODEL_KEY``) is the signing key; when it is not set, a key
derived from ``SECRET_KEY`` signs the default model the app trains into its cache.
"""
from __future__ import annotations

import hashlib
import hmac

from flask import current_app

from analysis import ModelFileError, SectorClassifier, load_default_model, load_model


class ModelNotUsable(ValueError):
    """The configured model cannot be used; the message says why and what to do."""


def model_key() -> str:
    """The model signing key of the current app (configured, or derived from SECRET_KEY)."""
    configured = current_app.config.get("MODEL_KEY")
    if configured:
        return str(configured)
    secret = current_app.config.get("SECRET_KEY")
    if not secret:
        raise ModelNotUsable("no MODEL_KEY and no SECRET_KEY configured: cannot check model file signatures")
    secret_bytes = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    # A separate key for model files: a leaked model key must not forge sessions.
    return hmac.new(secret_bytes, b"jejak model file signing v1", hashlib.sha256).hexdigest()


def configured_model(path: str | None = None) -> SectorClassifier:
    """``path``, else ``SECTOR_MODEL``, else the (signed) default model: the model before any promotion."""
    key = model_key()
    chosen = path or current_app.config.get("SECTOR_MODEL")
    try:
        if chosen:
            return load_model(chosen, key=key)
        return load_default_model(key=key)
    except ModelFileError as error:
        raise ModelNotUsable(f"the KBLI model cannot be used: {error}") from None
