"""Structured (one JSON object per line) logging, so logs can be searched and aggregated."""
from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

from survey_app.tokens import hash_token

# A survey link is /s/<token>[/...]: the token is a password to someone's answers, so logs
# carry only a prefix of its SHA-256 (enough to match the invitation's stored token_hash).
_SURVEY_TOKEN = re.compile(r"(/s/)([^/?#\s\"']+)")
TOKEN_HASH_PREFIX = 12
# Loggers that write request lines: our own, the development server's and gunicorn's.
REQUEST_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")


def redact_tokens(text: str) -> str:
    """Replace every survey token in ``text`` by ``#`` and its hash prefix."""
    return _SURVEY_TOKEN.sub(lambda m: f"{m.group(1)}#{hash_token(m.group(2))[:TOKEN_HASH_PREFIX]}", text)


def redacted_path() -> str:
    """The current request's path, safe to log."""
    return redact_tokens(request.path)


class TokenRedactingFilter(logging.Filter):
    """Rewrite a record's message with survey tokens replaced by their hash prefix."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_tokens(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


class JsonFormatter(logging.Formatter):
    """Render a log record as one JSON line with request context when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "msg": redact_tokens(record.getMessage()),
        }
        if has_request_context():
            entry["method"] = request.method
            entry["path"] = redacted_path()
            entry["request_id"] = g.get("request_id")
        for key in ("event", "count", "wave", "file", "line"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exc"] = redact_tokens(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(app: Flask) -> None:
    """Send the app's log records to stderr as JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    app.logger.handlers[:] = [handler]
    app.logger.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    app.logger.propagate = False
    for name in REQUEST_LOGGERS:
        target = logging.getLogger(name)
        if not any(isinstance(f, TokenRedactingFilter) for f in target.filters):
            target.addFilter(TokenRedactingFilter())
