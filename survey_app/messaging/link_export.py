"""The links CSV for SMS/WhatsApp gateways, rebuilt from the stored nonces.

One row per invitation that may still be answered and reminded (issued, opened, partial):
not submitted, declined, withdrawn or revoked. Links issued before nonces existed cannot be
rebuilt (only their hash is stored); they are left out and counted, and get a new link when
an e-mail is sent to them or staff re-issue them.

The file holds working links to personal survey pages: admins only, every export audited.
"""
from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from survey_app.audit import record_access
from survey_app.csv_safety import neutralise
from survey_app.extensions import db
from survey_app.links import current_link_key, link_prefix
from survey_app.messaging.service import ACTIVE, MessagingError
from survey_app.models import Alumnus, Invitation, Response, Wave
from survey_app.tokens import hash_token, token_from_nonce

COLUMNS = ("external_id", "name", "phone", "email", "language", "status", "url")
# A phone number in international form is left as it is (gateways need the "+"); it can
# only be read as a number by a spreadsheet, never as a formula with cell references.
_PLAIN_PHONE = re.compile(r"^\+?[0-9]{4,20}$")
_FETCH = 5000


@dataclass
class ExportCount:
    rows: int = 0
    old_links: int = 0


def old_link_count(wave: Wave) -> int:
    """Active invitations of the wave whose link cannot be rebuilt."""
    return db.session.scalar(select(func.count()).select_from(Invitation).where(
        Invitation.wave_id == wave.id, Invitation.status.in_(ACTIVE), Invitation.token_nonce.is_(None))) or 0


def rows(wave: Wave, count: ExportCount | None = None) -> Iterator[list[str]]:
    """The CSV rows (without header), formula-like text neutralised; fills ``count``."""
    count = count if count is not None else ExportCount()
    key, prefix = current_link_key(), link_prefix()
    query = (select(Invitation.id, Invitation.token_nonce, Invitation.token_hash, Invitation.status,
                    Alumnus.external_id, Alumnus.name, Alumnus.phone, Alumnus.email, Response.language)
             .join(Alumnus, Alumnus.id == Invitation.alumnus_id)
             .outerjoin(Response, Response.invitation_id == Invitation.id)
             .where(Invitation.wave_id == wave.id, Invitation.status.in_(ACTIVE)))
    last_id = 0
    while True:  # keyset pages: memory stays flat for 240,000 invitations
        page = db.session.execute(query.where(Invitation.id > last_id).order_by(Invitation.id).limit(_FETCH)).all()
        if not page:
            return
        last_id = page[-1].id
        for row in page:
            token = token_from_nonce(row.token_nonce, key) if row.token_nonce else None
            if token is None or hash_token(token) != row.token_hash:
                count.old_links += 1  # cannot be rebuilt (see survey_app.links.link_for)
                continue
            count.rows += 1
            phone = row.phone or ""
            yield [neutralise(row.external_id), neutralise(row.name or ""),
                   phone if _PLAIN_PHONE.match(phone) else neutralise(phone), neutralise(row.email or ""),
                   row.language or "", row.status, prefix + token]


def csv_chunks(wave: Wave, count: ExportCount | None = None) -> Iterator[str]:
    """The whole CSV as text chunks, for streaming (UTF-8 with a BOM so Excel reads it right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(COLUMNS)
    for n, row in enumerate(rows(wave, count), 1):
        writer.writerow(row)
        if n % 1000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def audit_export(wave: Wave, via: str, actor: str | None = None) -> None:
    """Record the export and commit it, before any data leaves."""
    record_access("personal_data.export", f"wave:{wave.name}:links", {"via": via, "what": "survey links"}, actor=actor)


def write_links(wave: Wave, out: Path, actor: str | None = None) -> ExportCount:
    """Write the links CSV to the new file ``out`` (readable by its owner only); audited."""
    if out.exists():
        raise MessagingError(f"{out} already exists; choose a new file name")
    if not out.parent.is_dir():
        raise MessagingError(f"directory {out.parent} does not exist")
    audit_export(wave, "cli", actor)
    count = ExportCount()
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            for chunk in csv_chunks(wave, count):
                fh.write(chunk)
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    return count
