"""Checks every request passes before a view sees it."""
from __future__ import annotations

from urllib.parse import parse_qsl

from flask import Flask, request
from werkzeug.exceptions import BadRequest


def reject_non_utf8_form() -> None:
    """Refuse form posts whose text is not UTF-8 rather than storing replacement characters."""
    if request.method != "POST" or request.mimetype != "application/x-www-form-urlencoded":
        return
    body = request.get_data(cache=True, parse_form_data=False)  # cached: form parsing reuses it
    try:
        parse_qsl(body.decode("ascii"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        error = BadRequest()
        error.jejak_message = None
        raise error from None


def init_app(app: Flask) -> None:
    """Register the checks ahead of every other hook (CSRF checking parses the form too)."""
    app.before_request_funcs.setdefault(None, []).insert(0, reject_non_utf8_form)
