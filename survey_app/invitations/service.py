"""Issuing personal survey links: invitations in the database, links in a CSV file.

The database keeps only the hash of each token (and the nonce it was derived from, useless
without the server's link key), so the CSV is the one place a link is written out.
The two must therefore succeed or fail together: the CSV is written to a temporary file next
to its destination, the invitations are committed, and only then is the file moved into place.
If anything fails before the commit, the transaction is rolled back and the temporary file
deleted: no invitation exists whose link nobody has.
"""
from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

from sqlalchemy import Engine, Table, and_, exists, select
from sqlalchemy.exc import IntegrityError

from survey_app.csv_safety import neutralise, neutralise_phone
from survey_app.models import Alumnus, AuditEvent, Invitation, Wave
from survey_app.models.types import as_utc
from survey_app.roster import pg_bulk
from survey_app.roster.provinces import PROVINCES
from survey_app.tokens import hash_token, new_nonce, token_from_nonce
from survey_app.waves.service import select_wave

LINK_COLUMNS = ("external_id", "name", "phone", "email", "url")
_INVITATION_COLUMNS = ("wave_id", "alumnus_id", "token_hash", "token_nonce", "status", "reminders_sent",
                       "created_at")
DEFAULT_BATCH_SIZE = 5000

_alumni = cast(Table, Alumnus.__table__)  # a declarative model's table
_invitations = cast(Table, Invitation.__table__)  # a declarative model's table
_waves = cast(Table, Wave.__table__)  # a declarative model's table


class IssueError(Exception):
    """Invitations cannot be issued as asked; the message is meant for the user."""


@dataclass(frozen=True)
class IssueResult:
    """How many invitations were issued and where their links are."""

    wave: str
    issued: int
    path: Path
    only_respondents_of: str | None = None  # the earlier wave, with --only-respondents


def issue_invitations(
    engine: Engine,
    wave_name: str,
    out: str | os.PathLike,
    *,
    base_url: str,
    limit: int | None = None,
    cohort: str | None = None,
    province: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    actor: str = "system",
    now: datetime | None = None,
    link_key: bytes | None = None,
    only_respondents: bool = False,
) -> IssueResult:
    """Invite every alumnus (optionally of one cohort/province, at most ``limit``) who has no
    invitation in the wave yet, and write their links to the new CSV file ``out``.

    Columns: external_id, name, phone, email, url (``base_url`` + ``/s/<token>``). ``out``
    must not exist: it is never overwritten. Each token is derived from a random nonce and
    ``link_key`` (default: the app's, see :mod:`survey_app.links`), so the server can rebuild
    a link for a reminder; the database stores the nonce and the token's hash, never the token.

    ``only_respondents`` (a follow-up wave only) invites just the alumni who submitted the
    wave it follows up.
    """
    out = Path(out)
    base_url = _check_base_url(base_url)
    _check_destination(out)
    if limit is not None and limit < 0:
        raise IssueError("--limit must not be negative")
    if province is not None and province not in PROVINCES:
        raise IssueError(f"province {province!r} is not a Kepmendagri province code (two digits, 11..96)")
    now = now or datetime.now(UTC)
    if link_key is None:
        from survey_app.links import current_link_key  # needs the app; explicit keys do not

        link_key = current_link_key()

    temp: Path | None = None
    try:
        with engine.connect() as conn, conn.begin():  # commits on leaving without an exception
            # The row lock makes concurrent runs for one wave take turns (PostgreSQL; SQLite
            # serialises writers anyway), so the second run sees the first one's invitations.
            wave = conn.execute(select_wave(wave_name, _waves.c.id, _waves.c.name, _waves.c.closes_at,
                                            _waves.c.follow_up_of_id).with_for_update()).first()
            if wave is None:
                raise IssueError(f"no wave named {wave_name!r} (see `flask wave list`)")
            wave_name = wave.name
            if wave.closes_at is not None and as_utc(wave.closes_at) <= now:
                raise IssueError(f"wave {wave_name!r} closed at {as_utc(wave.closes_at):%Y-%m-%d %H:%M} UTC")
            earlier = None
            if only_respondents:
                if wave.follow_up_of_id is None:
                    raise IssueError(f"wave {wave_name!r} is not a follow-up of an earlier wave, so it has no "
                                     "earlier respondents (--only-respondents needs a wave created with "
                                     "--follow-up-of)")
                earlier = conn.execute(select(_waves.c.id, _waves.c.name)
                                       .where(_waves.c.id == wave.follow_up_of_id)).one()
            temp = _temp_file_for(out)
            with temp.open("w", newline="", encoding="utf-8") as fh:
                issued = _issue(conn, engine, fh, wave.id, base_url, limit, cohort, province, batch_size,
                                now, link_key, earlier.id if earlier else None)
                fh.flush()
                os.fsync(fh.fileno())
            conn.execute(_audit_row(actor, wave_name, issued, out, now, earlier.name if earlier else None))
    except BaseException:
        # Rolled back (or the commit failed): these links must not reach anyone.
        if temp is not None:
            temp.unlink(missing_ok=True)
        raise
    _publish(temp, out)
    return IssueResult(wave_name, issued, out, earlier.name if earlier else None)


def _issue(conn, engine: Engine, fh, wave_id: int, base_url: str, limit: int | None,
           cohort: str | None, province: str | None, batch_size: int, now: datetime,
           link_key: bytes, respondents_of: int | None = None) -> int:
    """Create the invitations through ``conn`` and write their links to ``fh``; returns the count."""
    writer = csv.writer(fh)
    writer.writerow(LINK_COLUMNS)
    uninvited = ~exists().where(and_(_invitations.c.wave_id == wave_id,
                                     _invitations.c.alumnus_id == _alumni.c.id))
    query = select(_alumni.c.id, _alumni.c.external_id, _alumni.c.name, _alumni.c.phone,
                   _alumni.c.email).where(uninvited)
    if cohort is not None:
        query = query.where(_alumni.c.cohort == cohort)
    if province is not None:
        query = query.where(_alumni.c.province_code == province)
    if respondents_of is not None:
        earlier = _invitations.alias("earlier")
        query = query.where(exists().where(and_(earlier.c.wave_id == respondents_of,
                                                earlier.c.alumnus_id == _alumni.c.id,
                                                earlier.c.status == "submitted")))
    link_prefix = f"{base_url}/s/"

    def batches(reader) -> Iterator[list]:
        # Keyset pagination: each batch is a short indexed query, so memory stays flat.
        taken, last_id = 0, 0
        while limit is None or taken < limit:
            size = batch_size if limit is None else min(batch_size, limit - taken)
            batch = reader.execute(query.where(_alumni.c.id > last_id).order_by(_alumni.c.id).limit(size)).all()
            if not batch:
                return
            yield batch
            taken += len(batch)
            last_id = batch[-1].id

    def links_for(batch, add_invitation) -> None:
        links = []
        for alumnus_id, external_id, name, phone, email in batch:
            nonce = new_nonce()
            token = token_from_nonce(nonce, link_key)
            add_invitation(alumnus_id, hash_token(token), nonce)
            links.append((neutralise(external_id), neutralise(name), neutralise_phone(phone), neutralise(email),
                          link_prefix + token))
        writer.writerows(links)

    issued = 0
    try:
        if pg_bulk.available(conn):
            # One COPY for the whole run: PostgreSQL checks and indexes rows while we generate
            # the next ones. The COPY occupies ``conn``, so alumni are read on a second
            # connection; it cannot see our uncommitted rows, but it only reads ahead of them.
            with engine.connect() as reader, pg_bulk.stream(conn, _invitations, _INVITATION_COLUMNS) as write:
                for batch in batches(reader):
                    links_for(batch, lambda alumnus_id, token_hash, nonce: write(
                        (wave_id, alumnus_id, token_hash, nonce, "issued", 0, now)))
                    issued += len(batch)
        else:
            for batch in batches(conn):
                rows = []
                # The callback runs inside links_for, during this iteration: it sees this batch's rows.
                links_for(batch, lambda alumnus_id, token_hash, nonce: rows.append(dict(  # noqa: B023
                    zip(_INVITATION_COLUMNS, (wave_id, alumnus_id, token_hash, nonce, "issued", 0, now)))))
                conn.execute(_invitations.insert(), rows)
                issued += len(batch)
    except IntegrityError:
        raise IssueError("another `invitations issue` for this wave ran at the same time; "
                         "nothing was issued, try again") from None
    return issued



def _check_base_url(base_url: str) -> str:
    base_url = (base_url or "").rstrip("/")
    if not base_url.startswith(("https://", "http://")):
        raise IssueError(f"BASE_URL {base_url!r} must be an absolute http(s) URL "
                         "(set JEJAK_BASE_URL, e.g. https://survey.example.id)")
    return base_url


def _check_destination(out: Path) -> None:
    if out.exists():
        raise IssueError(f"{out} already exists; choose a new file name "
                         "(an existing link file is never overwritten: it may hold links not yet sent)")
    if not out.parent.is_dir():
        raise IssueError(f"directory {out.parent} does not exist")
    if not os.access(out.parent, os.W_OK):
        raise IssueError(f"directory {out.parent} is not writable")


def _temp_file_for(out: Path) -> Path:
    # Same directory as the destination so the final rename is atomic; private permissions
    # because the file holds working links to personal survey pages.
    fd, name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    os.close(fd)
    return Path(name)


def _publish(temp: Path, out: Path) -> None:
    """Move the committed link file into place without ever overwriting another file."""
    try:
        os.link(temp, out)  # fails if ``out`` appeared meanwhile, unlike rename
    except FileExistsError:
        raise IssueError(f"{out} was created by someone else meanwhile; the committed links are in "
                         f"{temp} - rename that file") from None
    except OSError:
        os.replace(temp, out)  # file systems without hard links; ``out`` was checked earlier
    else:
        temp.unlink()
    _fsync_directory(out.parent)


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # not supported everywhere; the rename itself is still atomic
    finally:
        os.close(fd)


def _audit_row(actor: str, wave_name: str, issued: int, out: Path, now: datetime,
               only_respondents_of: str | None = None):
    detail: dict = {"issued": issued, "file": str(out)}
    if only_respondents_of is not None:
        detail["only_respondents_of"] = only_respondents_of
    return cast(Table, AuditEvent.__table__).insert().values(
        at=now, actor=actor, action="invitations.issue", target=wave_name, detail=detail,
    )
