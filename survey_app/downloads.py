"""File downloads: one way to name the file, whatever the wave is called.

Every download response of the app takes its ``Content-Disposition`` from here
(tests/survey_app/test_downloads.py checks that no view writes that header itself). A file
name comes from staff input (a wave name) and may hold any character: the header carries an
ASCII fallback in ``filename`` and the exact name in ``filename*`` (RFC 6266 / RFC 5987), and
control characters (CR/LF would split the header) and path separators never reach it.
"""
from __future__ import annotations

import os
import re
import unicodedata
from typing import IO
from urllib.parse import quote

from flask import Response, send_file

_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f/\\]+")
_NOT_PLAIN_ASCII = re.compile(r"[^A-Za-z0-9._ ()+-]+")
MAX_NAME = 150


def clean_filename(name: str, default: str = "download") -> str:
    """``name`` without control characters or path separators, at most MAX_NAME characters."""
    cleaned = _UNSAFE.sub("_", unicodedata.normalize("NFC", name)).strip(" .")
    return cleaned[:MAX_NAME] or default


def ascii_filename(name: str, default: str = "download") -> str:
    """A plain-ASCII stand-in for old clients (accents dropped, anything else → ``_``)."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return _NOT_PLAIN_ASCII.sub("_", folded).strip(" ._") or default


def content_disposition(name: str) -> str:
    """An ``attachment`` header value naming the file ``name`` safely for every browser."""
    exact = clean_filename(name)
    stem, extension = os.path.splitext(exact)
    # The extension survives even when the stem has no ASCII at all ("ꦗꦮ.csv" → "download.csv").
    extension = ascii_filename(extension, default="")
    fallback = ascii_filename(stem) + (f".{extension}" if extension else "")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(exact, safe='')}"


def download_headers(name: str) -> dict[str, str]:
    """Headers for a streamed download of personal data: the file name, and never cached."""
    return {"Content-Disposition": content_disposition(name), "Cache-Control": "no-store"}


def send_download(handle: IO[bytes], mimetype: str, name: str) -> Response:
    """``send_file`` for an open file, named with :func:`content_disposition`, never cached."""
    response = send_file(handle, mimetype=mimetype)
    response.headers.update(download_headers(name))
    return response
