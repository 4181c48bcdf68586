"""Checks every request passes before a view sees it."""
from __future__ import annotations

from urllib.parse import parse_qsl

from flask import Flask, request
from werkzeug.exceptions import BadRequest
from werkzeug.sansio.multipart import Data, Epilogue, Field, MultipartDecoder, NeedData

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def reject_non_utf8_form() -> None:
    """Refuse form posts whose text is not UTF-8 rather than storing replacement characters.

    Both encodings a browser uses for forms get the same rule (Werkzeug itself would decode
    either leniently, turning bad bytes into U+FFFD). Uploaded files are not text fields and
    are left to their own readers, which report encoding problems by line.
    """
    if request.method != "POST" or request.mimetype not in FORM_TYPES:
        return
    body = request.get_data(cache=True, parse_form_data=False)  # cached: form parsing reuses it
    try:
        if request.mimetype == "multipart/form-data":
            check_multipart_fields(body, request.mimetype_params.get("boundary", ""))
        else:
            parse_qsl(body.decode("ascii"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeError:
        error = BadRequest()
        error.jejak_message = None  # type: ignore[attr-defined]  # read by the error handler
        raise error from None


def check_multipart_fields(body: bytes, boundary: str) -> None:
    """Decode every non-file part of a multipart body as strict UTF-8 (raises UnicodeError).

    A body that is not valid multipart is left alone: Werkzeug's own parser rejects it.
    """
    if not boundary:
        return
    decoder = MultipartDecoder(boundary.encode("latin-1"))
    decoder.receive_data(body)
    decoder.receive_data(None)
    text_part: list[bytes] | None = None
    try:
        while True:
            event = decoder.next_event()
            if isinstance(event, (Epilogue, NeedData)):
                return
            if isinstance(event, Field):
                text_part = []
            elif not isinstance(event, Data):
                text_part = None  # a file: not ours to judge
            elif text_part is not None:
                text_part.append(event.data)
                if not event.more_data:
                    b"".join(text_part).decode("utf-8", errors="strict")
                    text_part = None
    except ValueError as exc:
        if isinstance(exc, UnicodeError):
            raise
        return  # malformed multipart: Werkzeug refuses it when the form is read


def init_app(app: Flask) -> None:
    """Register the checks ahead of every other hook (CSRF checking parses the form too)."""
    app.before_request_funcs.setdefault(None, []).insert(0, reject_non_utf8_form)
