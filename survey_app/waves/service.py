"""Waves: one fielding of a questionnaire, with an optional open/close window."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import String, func, select
from sqlalchemy.exc import IntegrityError

from survey_app.extensions import db
from survey_app.models import Invitation, Questionnaire, Wave


class WaveError(Exception):
    """A wave request that cannot be honoured; the message is meant for the user."""


@dataclass(frozen=True)
class WaveSummary:
    """A wave as listed to staff."""

    name: str
    questionnaire: str
    opens_at: datetime | None
    closes_at: datetime | None
    invitations: int
    submitted: int


def parse_moment(text: str, option: str = "date") -> datetime:
    """Parse an ISO 8601 date or date-time; a value without a UTC offset is taken as UTC."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise WaveError(f"{option} {text!r} is not an ISO 8601 date or date-time "
                        "(e.g. 2024-05-01 or 2024-05-01T08:00+07:00)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def find_questionnaire(reference: str) -> Questionnaire:
    """Return the questionnaire with id ``reference``, else the latest version named so."""
    reference = reference.strip()
    if reference.isdigit():
        found = db.session.get(Questionnaire, int(reference))
        if found is not None:
            return found
    found = db.session.scalars(
        select(Questionnaire).where(Questionnaire.name == reference)
        .order_by(Questionnaire.version.desc()).limit(1)
    ).first()
    if found is None:
        raise WaveError(f"no questionnaire with id or name {reference!r} "
                        "(load one with `flask questionnaire load`)")
    return found


def find_wave(reference: str | int) -> Wave:
    """The wave called ``reference`` (or, for digits, with that id); :class:`WaveError` if none.

    The one lookup of a wave by what a person typed: CLI options, job parameters, exports.
    A name wins over an id, so a wave named "2024" is found by its name.
    """
    wave = db.session.scalar(select(Wave).where(Wave.name == str(reference)))
    if wave is None and str(reference).strip().isdigit():
        wave = db.session.get(Wave, int(str(reference)))
    if wave is None:
        raise WaveError(f"no wave named {str(reference)!r} (see `flask wave list`)")
    return wave


def check_wave_name(name: str) -> str:
    """The wave name without surrounding spaces, or :class:`WaveError` saying what is wrong.

    A wave name reaches file names, download headers, CSV cells and log lines, so invisible
    and control characters (a line break would split a header) are refused; any letter,
    accent, script or punctuation such as ``Gelombang 1 — Jawa`` is fine.
    """
    name = unicodedata.normalize("NFC", name.strip())
    max_length = cast(int, cast(String, Wave.__table__.c.name.type).length)  # the column is a String(n)
    if not name:
        raise WaveError("the wave name is empty")
    if len(name) > max_length:
        raise WaveError(f"the wave name is longer than {max_length} characters")
    for position, char in enumerate(name, start=1):
        category = unicodedata.category(char)
        if category[0] == "C" or category in ("Zl", "Zp"):
            raise WaveError(f"the wave name contains an invisible or control character "
                            f"(U+{ord(char):04X} at position {position}); use letters, digits and punctuation")
    return name


def create_wave(name: str, questionnaire: str, opens_at: datetime | None = None,
                closes_at: datetime | None = None) -> Wave:
    """Create and commit a wave of ``questionnaire`` (an id, or a name meaning its latest version)."""
    name = check_wave_name(name)
    if opens_at and closes_at and closes_at <= opens_at:
        raise WaveError("the wave must close after it opens (--closes is not after --opens)")
    found = find_questionnaire(questionnaire)
    if db.session.scalars(select(Wave.id).where(Wave.name == name)).first() is not None:
        raise WaveError(f"a wave named {name!r} already exists")
    wave = Wave(name=name, questionnaire=found, opens_at=opens_at, closes_at=closes_at)
    db.session.add(wave)
    try:
        db.session.commit()
    except IntegrityError:
        # Someone created the same name between our check and the commit.
        db.session.rollback()
        raise WaveError(f"a wave named {name!r} already exists") from None
    return wave


def list_waves() -> list[WaveSummary]:
    """All waves, oldest first, with their invitation and submission counts."""
    submitted = func.count().filter(Invitation.status == "submitted")
    counts = (select(Invitation.wave_id, func.count().label("invited"), submitted.label("submitted"))
              .group_by(Invitation.wave_id).subquery())
    rows = db.session.execute(
        select(Wave, Questionnaire.name, Questionnaire.version, counts.c.invited, counts.c.submitted)
        .join(Questionnaire, Wave.questionnaire_id == Questionnaire.id)
        .outerjoin(counts, counts.c.wave_id == Wave.id)
        .order_by(Wave.created_at, Wave.id)
    )
    return [WaveSummary(wave.name, f"{qname} v{version}", wave.opens_at, wave.closes_at,
                        invited or 0, done or 0)
            for wave, qname, version, invited, done in rows]
