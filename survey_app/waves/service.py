"""Waves: one fielding of a questionnaire, with an optional open/close window.

A wave may be a follow-up of an earlier wave (it asks the same alumni again and can read
their earlier answers, see :mod:`survey_app.waves.panel`). The chain of follow-ups never
loops: creating and re-pointing a wave refuse a circular chain.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Select, String, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from survey_app.audit import record
from survey_app.extensions import db
from survey_app.i18n import N_
from survey_app.models import Invitation, Questionnaire, Wave
from survey_app.questionnaire.previous import unknown_previous_references
from survey_app.questionnaire.service import compiled_questionnaire


class WaveError(Exception):
    """A wave request that cannot be honoured; the message is meant for the user.

    ``str(error)`` is the English text (command line, logs); :meth:`translated` gives it in
    the language of the current request (the staff site).
    """

    def __init__(self, message: str, **params: Any):
        super().__init__(message % params if params else message)
        self.message, self.params = message, params

    def translated(self) -> str:
        """The message in the current request's language."""
        from flask_babel import gettext

        return gettext(self.message, **self.params)


@dataclass(frozen=True)
class WaveSummary:
    """A wave as listed to staff."""

    name: str
    questionnaire: str
    opens_at: datetime | None
    closes_at: datetime | None
    invitations: int
    submitted: int
    follow_up_of: str | None = None


def parse_moment(text: str, option: str = "date") -> datetime:
    """Parse an ISO 8601 date or date-time; a value without a UTC offset is taken as UTC."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise WaveError(N_("%(option)s '%(text)s' is not an ISO 8601 date or date-time "
                           "(e.g. 2024-05-01 or 2024-05-01T08:00+07:00)"), option=option, text=text) from None
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
        raise WaveError(N_("no questionnaire with id or name '%(reference)s' "
                           "(load one with `flask questionnaire load`)"), reference=reference)
    return found


def select_wave(reference: str | int, *columns: Any) -> Select:
    """The query behind :func:`find_wave`: the wave called ``reference``, else (digits) with that id.

    Returns ``columns`` (default: the Wave) of at most one wave, so a caller on a connection of
    its own (e.g. issuing invitations under a row lock) finds a wave exactly as everyone else.
    """
    text = str(reference)
    matches = Wave.name == text
    if text.strip().isdigit():
        matches = or_(matches, Wave.id == int(text.strip()))
    # A name wins over an id, so a wave named "2024" is found by its name.
    return (select(*(columns or (Wave,))).where(matches)
            .order_by(case((Wave.name == text, 0), else_=1)).limit(1))


def find_wave(reference: str | int) -> Wave:
    """The wave called ``reference`` (or, for digits, with that id); :class:`WaveError` if none.

    The one lookup of a wave by what a person typed: CLI options, job parameters, exports.
    A name wins over an id, so a wave named "2024" is found by its name.
    """
    wave = db.session.scalar(select_wave(reference))
    if wave is None:
        raise WaveError(N_("no wave named '%(name)s' (see `flask wave list`)"), name=str(reference))
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
        raise WaveError(N_("the wave name is empty"))
    if len(name) > max_length:
        raise WaveError(N_("the wave name is longer than %(limit)d characters"), limit=max_length)
    for position, char in enumerate(name, start=1):
        category = unicodedata.category(char)
        if category[0] == "C" or category in ("Zl", "Zp"):
            raise WaveError(N_("the wave name contains an invisible or control character "
                               "(U+%(code)s at position %(position)d); use letters, digits and punctuation"),
                            code=f"{ord(char):04X}", position=position)
    return name


def create_wave(name: str, questionnaire: str, opens_at: datetime | None = None,
                closes_at: datetime | None = None, *, follow_up_of: str | int | None = None) -> Wave:
    """Create and commit a wave of ``questionnaire`` (an id, or a name meaning its latest version).

    ``follow_up_of`` names (or, for digits, gives the id of; an int is always an id) the
    earlier wave whose respondents this wave asks again; it must exist and cannot be the
    new wave itself.
    """
    name = check_wave_name(name)
    if opens_at and closes_at and closes_at <= opens_at:
        raise WaveError(N_("the wave must close after it opens (--closes is not after --opens)"))
    earlier = None
    if follow_up_of is not None and str(follow_up_of).strip():
        if isinstance(follow_up_of, str) and follow_up_of.strip() == name:
            raise WaveError(N_("wave '%(name)s' cannot be a follow-up of itself"), name=name)
        earlier = _earlier_wave(follow_up_of)
    found = find_questionnaire(questionnaire)
    if earlier is not None:
        _check_previous_references(found.id, earlier)
    if db.session.scalars(select(Wave.id).where(Wave.name == name)).first() is not None:
        raise WaveError(N_("a wave named '%(name)s' already exists"), name=name)
    wave = Wave(name=name, questionnaire=found, opens_at=opens_at, closes_at=closes_at, follow_up_of=earlier)
    db.session.add(wave)
    record("wave.create", f"wave:{name}", {"questionnaire": f"{found.name} v{found.version}",
                                           "follow_up_of": earlier.name if earlier else None})
    try:
        db.session.commit()
    except IntegrityError:
        # Someone created the same name between our check and the commit.
        db.session.rollback()
        raise WaveError(N_("a wave named '%(name)s' already exists"), name=name) from None
    return wave


def _check_previous_references(questionnaire_id: int, earlier: Wave) -> None:
    """Refuse a follow-up whose questionnaire reads ``${previous.x}`` the earlier wave never asked."""
    problems = unknown_previous_references(compiled_questionnaire(questionnaire_id),
                                           compiled_questionnaire(earlier.questionnaire_id))
    if problems:
        raise WaveError(N_("this questionnaire cannot follow up wave '%(name)s': %(problems)s"),
                        name=earlier.name, problems="; ".join(problems))


def questionnaire_of_wave(reference: str) -> int:
    """The questionnaire id of the wave named ``reference`` (`questionnaire check --against-wave`)."""
    return find_wave(reference).questionnaire_id


def _earlier_wave(reference: str | int) -> Wave:
    """The earlier wave: an int is an id (the staff site's choice), a text what a person typed."""
    found = db.session.get(Wave, reference) if isinstance(reference, int) else db.session.scalar(
        select_wave(reference))
    if found is None:
        raise WaveError(N_("the earlier wave '%(name)s' does not exist (see `flask wave list`)"),
                        name=str(reference).strip())
    return found


def set_follow_up(wave: Wave, earlier_reference: str | int | None) -> Wave:
    """Make ``wave`` a follow-up of another wave (or of none, for None) and commit.

    Refused when the wave already has invitations (its links may have been answered with
    the earlier answers in view), when the earlier wave does not exist, is the wave itself,
    or is itself a follow-up (directly or further back) of ``wave``: a circular chain.
    """
    earlier = None
    if earlier_reference is not None and str(earlier_reference).strip():
        earlier = _earlier_wave(earlier_reference)
    if (earlier.id if earlier else None) == wave.follow_up_of_id:
        return wave  # nothing changes: no reason to refuse
    has_invitations = db.session.scalar(select(Invitation.id).where(Invitation.wave_id == wave.id).limit(1))
    if has_invitations is not None:
        raise WaveError(N_("wave '%(name)s' already has invitations, so the wave it follows up "
                           "can no longer be changed"), name=wave.name)
    if earlier is not None:
        if earlier.id == wave.id:
            raise WaveError(N_("wave '%(name)s' cannot be a follow-up of itself"), name=wave.name)
        _check_previous_references(wave.questionnaire_id, earlier)
        chain = [earlier.name]
        current = earlier.follow_up_of
        seen = {earlier.id}
        while current is not None and current.id not in seen:
            chain.append(current.name)
            if current.id == wave.id:
                raise WaveError(N_("wave '%(name)s' cannot follow up '%(earlier)s': the chain would be "
                                   "circular (%(chain)s)"),
                                name=wave.name, earlier=earlier.name, chain=" → ".join([wave.name, *chain]))
            seen.add(current.id)
            current = current.follow_up_of
    record("wave.follow_up", f"wave:{wave.name}", {
        "before": wave.follow_up_of.name if wave.follow_up_of else None,
        "after": earlier.name if earlier else None})
    wave.follow_up_of = earlier
    db.session.commit()
    return wave


def list_waves() -> list[WaveSummary]:
    """All waves, oldest first, with their invitation and submission counts."""
    submitted = func.count().filter(Invitation.status == "submitted")
    counts = (select(Invitation.wave_id, func.count().label("invited"), submitted.label("submitted"))
              .group_by(Invitation.wave_id).subquery())
    earlier = aliased(Wave)
    rows = db.session.execute(
        select(Wave, Questionnaire.name, Questionnaire.version, counts.c.invited, counts.c.submitted, earlier.name)
        .join(Questionnaire, Wave.questionnaire_id == Questionnaire.id)
        .outerjoin(counts, counts.c.wave_id == Wave.id)
        .outerjoin(earlier, earlier.id == Wave.follow_up_of_id)
        .order_by(Wave.created_at, Wave.id)
    )
    return [WaveSummary(wave.name, f"{qname} v{version}", wave.opens_at, wave.closes_at,
                        invited or 0, done or 0, earlier_name)
            for wave, qname, version, invited, done, earlier_name in rows]
