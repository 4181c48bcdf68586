"""Blind second coding of a share of people's codes, and the agreement report.

Which answers: a share (``SECOND_CODING_SHARE``, default 5 %) of the answers a person coded
(current ``manual`` codes), chosen by a hash of (response, question): the choice is fixed, needs
no stored flag, and nobody can steer an answer into or out of the sample.

Blind and independent (INSEE/ONS practice): the second person sees the answer text and the
KBLI search only — not the first person's code, and not the model's suggestions either. The
model's ranking anchors a coder: two people shown the same top-3 agree more with each other
and with the model than independent coders would, which would flatter both the coder agreement
and the model's agreement with people. The first person never sees that an answer was chosen.

The report (:func:`agreement`) gives, on the double-coded answers, the share of identical codes
and Cohen's kappa at section and division level with 95 % intervals, and the same between the
model (its code before the first person decided) and each person.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError

from analysis.sectors.agreement import agreement_report
from survey_app.extensions import db
from survey_app.i18n import N_
from survey_app.models import Invitation, Response, SecondCode, SectorCode, Wave
from survey_app.sectors import kbli
from survey_app.sectors.versions import VersionRefused


class SecondCodingRefused(VersionRefused):
    """A second code cannot be recorded as asked; the message is for the coder."""


def selected(response_id: int, question: str, share: float | None = None) -> bool:
    """Whether the answer (response, question) is in the blind double-coding sample."""
    share = float(current_app.config["SECOND_CODING_SHARE"]) if share is None else share
    digest = hashlib.sha256(f"jejak second coding:{response_id}:{question}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def _manual_codes(wave: Wave):
    return (select(SectorCode).join(Response, Response.id == SectorCode.response_id)
            .join(Invitation, Invitation.id == Response.invitation_id)
            .where(Invitation.wave_id == wave.id, SectorCode.status == "manual",
                   SectorCode.superseded_at.is_(None)))


@dataclass
class Progress:
    """How far the double coding of a wave is."""

    coded_by_people: int
    selected: int
    second_coded: int
    waiting_for_you: int


def _selected_firsts(wave: Wave) -> list[tuple[int, int | None, bool]]:
    """(first code id, first coder id, already second-coded) of the wave's selected answers."""
    has_second = exists().where(SecondCode.first_code_id == SectorCode.id)
    rows = db.session.execute(_manual_codes(wave).with_only_columns(
        SectorCode.id, SectorCode.response_id, SectorCode.question, SectorCode.coder_id, has_second)
        .order_by(SectorCode.id)).all()
    share = float(current_app.config["SECOND_CODING_SHARE"])
    return [(row[0], row[3], bool(row[4])) for row in rows if selected(row[1], row[2], share)]


def progress(wave: Wave, user_id: int) -> Progress:
    """Counts for the agreement page; ``waiting_for_you``: selected answers ``user_id`` may second-code."""
    people = db.session.scalar(select(func.count()).select_from(_manual_codes(wave).subquery())) or 0
    firsts = _selected_firsts(wave)
    return Progress(coded_by_people=people, selected=len(firsts), second_coded=sum(1 for f in firsts if f[2]),
                    waiting_for_you=sum(1 for f in firsts if not f[2] and f[1] != user_id))


def next_item(wave: Wave, user_id: int) -> SectorCode | None:
    """The next selected answer that ``user_id`` did not code first and nobody coded second."""
    for code_id, coder_id, done in _selected_firsts(wave):
        if not done and coder_id != user_id:
            return db.session.get(SectorCode, code_id)
    return None


def record_second_code(first: SectorCode, chosen: str, coder_id: int) -> SecondCode:
    """Store a blind second code for the answer of ``first`` (a person's current code); commits."""
    if first.status != "manual" or not selected(first.response_id, first.question):
        raise SecondCodingRefused(N_("This answer is not in the double-coding sample."))
    if first.coder_id == coder_id:
        raise SecondCodingRefused(N_("You coded this answer first; the second coding must be by someone else."))
    try:
        kbli5, division, section = kbli.resolve(chosen)
    except KeyError:
        raise SecondCodingRefused(N_("%(code)s is not a KBLI 2020 division or 5-digit code."),
                                  code=repr(chosen.strip()[:5])) from None
    second = SecondCode(first_code_id=first.id, kbli5=kbli5, division=division, section=section, coder_id=coder_id)
    db.session.add(second)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise SecondCodingRefused(N_("Someone else gave this answer its second code meanwhile.")) from None
    return second


def _model_codes(first_codes: list[SectorCode]) -> list[str | None]:
    """The model's code of each answer just before the first person decided (None: no code)."""
    if not first_codes:
        return []
    responses = {c.response_id for c in first_codes}
    rows = db.session.execute(select(SectorCode.id, SectorCode.response_id, SectorCode.question, SectorCode.kbli5,
                                     SectorCode.division)
                              .where(SectorCode.response_id.in_(responses),
                                     SectorCode.status.in_(("auto", "review")))
                              .order_by(SectorCode.id)).all()
    out: list[str | None] = []
    for first in first_codes:
        before = [r for r in rows if r[1] == first.response_id and r[2] == first.question and r[0] < first.id]
        out.append((before[-1][3] or before[-1][4]) if before else None)
    return out


def agreement(wave: Wave) -> dict[str, Any]:
    """The agreement report of ``wave`` (see :func:`analysis.sectors.agreement.agreement_report`)."""
    pairs = db.session.execute(
        select(SectorCode, SecondCode).join(SecondCode, SecondCode.first_code_id == SectorCode.id)
        .join(Response, Response.id == SectorCode.response_id)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .where(Invitation.wave_id == wave.id).order_by(SectorCode.id)).all()
    firsts = [first for first, _second in pairs]
    first_codes = [first.kbli5 or first.division for first in firsts]
    second_codes = [second.kbli5 or second.division for _first, second in pairs]
    return agreement_report(first_codes, second_codes, _model_codes(firsts))
