"""A stateless web tier: the client address through trusted proxies; shared counters in Redis.

Behind nginx (deploy/nginx/jejak.conf) the app sees nginx's address; ``X-Forwarded-For`` is
believed for exactly ``JEJAK_TRUSTED_PROXIES`` hops (Werkzeug's ProxyFix), so a client cannot
forge its address past the proxies we run, and every per-address rate limit keys on the real
client. The limiter's counters live in ``RATELIMIT_STORAGE_URI`` (Redis when
``JEJAK_REDIS_URL`` is set, see config.py), shared by every worker and host.
"""
from __future__ import annotations

from flask import Flask, current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

# Endpoints that take staff file uploads: they get JEJAK_UPLOAD_MAX_BYTES instead of the
# small MAX_CONTENT_LENGTH of respondent pages.
UPLOAD_ENDPOINTS = {"admin.roster_upload"}


def init_app(app: Flask) -> None:
    """Wrap the WSGI app in ProxyFix when proxies are trusted (0 = use the socket address)."""
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way to add WSGI middleware
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
    app.before_request(allow_large_uploads)


def allow_large_uploads() -> None:
    """Raise the body limit for upload pages (before CSRF parses the form); refuse oversize at once."""
    if request.endpoint not in UPLOAD_ENDPOINTS or request.method != "POST":
        return
    limit = int(current_app.config["UPLOAD_MAX_BYTES"])
    if request.content_length is not None and request.content_length > limit:
        error = RequestEntityTooLarge()
        error.jejak_message = _(  # type: ignore[attr-defined]  # read by the error handler"The upload is larger than the limit of %(mb)d MB; nothing was imported.",
                                mb=limit // (1024 * 1024))
        raise error
    request.max_content_length = limit
