"""Browser-side defences sent with every response.

The templates load scripts and styles only from ``/static`` (no inline ``<script>`` code, no
``style=""`` attributes; the skip-logic data is a non-executable ``application/json`` block),
so the policy can forbid every inline script and style. Survey links carry a secret token in
the URL, hence ``no-referrer``; pages with answers or personal data are never cached.
"""
from __future__ import annotations

from flask import Flask, Response, request

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def allow_inline_styles(response: Response) -> Response:
    """The same policy plus inline ``<style>``, for self-contained documents (the codebook page)
    that are also saved and opened as files. Scripts stay forbidden."""
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
        "style-src 'self'", "style-src 'self' 'unsafe-inline'")
    return response


def add_security_headers(response: Response) -> Response:
    """Set the policy headers (without overriding a view that set its own)."""
    headers = response.headers
    present = {name.lower() for name in headers.keys()}  # one pass, not one per header we set
    for name, value in HEADERS.items():
        if name.lower() not in present:
            headers.add(name, value)
    # Everything but static files is per person (answers, staff data): never stored by a
    # browser or proxy cache, so a shared computer's back button shows nothing.
    if "cache-control" not in present and request.endpoint != "static":
        headers.add("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    """Register the header hook for every response, error pages included."""
    app.after_request(add_security_headers)
