"""A stateless web tier: the client address through trusted proxies; shared counters in Redis.

Behind nginx (deploy/nginx/jejak.conf) the app sees nginx's address; ``X-Forwarded-For`` is
believed for exactly ``JEJAK_TRUSTED_PROXIES`` hops (Werkzeug's ProxyFix), so a client cannot
forge its address past the proxies we run, and every per-address rate limit keys on the real
client. The limiter's counters live in ``RATELIMIT_STORAGE_URI`` (Redis when
``JEJAK_REDIS_URL`` is set, see config.py), shared by every worker and host.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

# Endpoints that take staff file uploads: they get JEJAK_UPLOAD_MAX_BYTES (None) or their own
# limit in bytes instead of the small MAX_CONTENT_LENGTH of respondent pages.
UPLOAD_ENDPOINTS: dict[str, int | None] = {"admin.roster_upload": None}
# An endpoint's own 413 text (called at request time, so it is in the user's language).
UPLOAD_MESSAGES: dict[str, Callable[[], str]] = {}


def limit_upload(endpoint: str, max_bytes: int, message: Callable[[], str]) -> None:
    """Give ``endpoint`` a body limit of its own and the message its 413 page shows."""
    UPLOAD_ENDPOINTS[endpoint] = max_bytes
    UPLOAD_MESSAGES[endpoint] = message


def init_app(app: Flask) -> None:
    """Wrap the WSGI app in ProxyFix when proxies are trusted (0 = use the socket address)."""
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way to add WSGI middleware
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
    # A URL value preprocessor runs before every before_request hook, so the limit is raised
    # before request_checks reads the body under the app-wide cap.
    app.url_value_preprocessor(lambda _endpoint, _values: allow_large_uploads())


def allow_large_uploads() -> None:
    """Raise the body limit for upload pages (before CSRF parses the form); refuse oversize at once."""
    if request.endpoint not in UPLOAD_ENDPOINTS or request.method != "POST":
        return
    limit = UPLOAD_ENDPOINTS[request.endpoint] or int(current_app.config["UPLOAD_MAX_BYTES"])
    if request.content_length is not None and request.content_length > limit:
        error = RequestEntityTooLarge()
        message = UPLOAD_MESSAGES.get(request.endpoint)
        # read by the error handler (survey_app/errors.py)
        error.jejak_message = message() if message else _(  # type: ignore[attr-defined]
            "The upload is larger than the limit of %(mb)d MB; nothing was imported.", mb=limit // (1024 * 1024))
        raise error
    request.max_content_length = limit
