"""The session-signing key: never a published one, and the development app stays on localhost.

Whoever knows ``SECRET_KEY`` can sign a staff session cookie, so no configuration may serve
requests with a key that appears in this repository. Production requires the key from the
environment; the development configuration generates a random key once and keeps it in the
instance folder (so ``make demo`` works from a fresh clone and sessions survive a restart),
and it refuses clients that are not on this machine.
"""
from __future__ import annotations

import ipaddress
import os
import secrets

from flask import Flask, abort, request

KEY_FILE_NAME = "secret_key"
# Keys that were ever written in this repository: public, so never acceptable.
PUBLISHED_KEYS = frozenset({"dev-only-insecure-key", "test-secret-key"})

MISSING_KEY_MESSAGE = (
    "SECRET_KEY is not set. Set JEJAK_SECRET_KEY (or SECRET_KEY) in the environment to a long "
    "random value, e.g. the output of: python -c \"import secrets; print(secrets.token_urlsafe(32))\". "
    "For a local demo on this machine only, use JEJAK_CONFIG=development."
)


def configure_secret_key(app: Flask) -> None:
    """Make sure the app has a private key, or refuse to start."""
    if not app.config.get("SECRET_KEY") and app.config.get("GENERATE_SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)
    key = app.config.get("SECRET_KEY")
    if not key:
        raise RuntimeError(MISSING_KEY_MESSAGE)
    if key in PUBLISHED_KEYS:
        raise RuntimeError("SECRET_KEY is a value published in the Jejak repository. " + MISSING_KEY_MESSAGE)
    if app.config.get("LOCALHOST_ONLY"):
        app.before_request_funcs.setdefault(None, []).insert(0, refuse_remote_clients)


def instance_secret_key(instance_path: str) -> str:
    """Read the instance's generated key, creating it (owner-readable only) the first time."""
    os.makedirs(instance_path, exist_ok=True)
    path = os.path.join(instance_path, KEY_FILE_NAME)
    try:
        # O_EXCL: two processes starting together cannot both write a different key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    with open(path, encoding="ascii") as handle:
        key = handle.read().strip()
    if not key:
        raise RuntimeError(f"{path} is empty: delete it and start again to generate a new key")
    return key


def is_loopback(address: str | None) -> bool:
    """True for 127.0.0.0/8, ::1 (and IPv4-mapped loopback)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return ip.is_loopback or bool(mapped and mapped.is_loopback)


def refuse_remote_clients() -> None:
    """The development configuration answers only clients on this machine."""
    if not is_loopback(request.remote_addr):
        abort(403)
