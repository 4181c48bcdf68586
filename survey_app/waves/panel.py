"""The panel across waves: a follow-up wave's earlier waves, earlier answers and panel status.

A follow-up wave (``Wave.follow_up_of``) asks the alumni of an earlier wave again. The
questionnaire of the follow-up reads a person's answers in the wave it follows up
(:func:`earlier_answers`, one indexed query per page view); staff see, per group, who answered
both waves, only one, or neither (:func:`panel_status`, one GROUP BY whatever the size).

"Answered" means *submitted* for the panel status and for ``--only-respondents``; the
questionnaire's earlier answers also come from a partial response (what the person told us
is worth showing back), but never from a declined or erased one.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import aliased

from survey_app.extensions import db
from survey_app.models import Alumnus, AlumnusCategory, Invitation, Response, Wave

# Invitation statuses whose answers are no longer the person's to show: they refused, or
# withdrew consent (erasure deletes the answers; the status stays).
NOT_EARLIER_ANSWERS = ("declined", "withdrawn")


def earlier_waves(wave: Wave) -> list[Wave]:
    """The waves ``wave`` follows up, nearest first (empty for a wave that stands alone).

    Stops at a wave already seen, so a circular chain left in the database by hand
    (the service refuses to make one) cannot loop.
    """
    chain: list[Wave] = []
    seen = {wave.id}
    current = wave.follow_up_of
    while current is not None and current.id not in seen:
        chain.append(current)
        seen.add(current.id)
        current = current.follow_up_of
    return chain


class FollowsUp(Protocol):
    """A wave, or a record of one, that knows which wave it follows up."""

    @property
    def follow_up_of_id(self) -> int | None: ...


def earlier_answers(alumnus_id: int, wave: FollowsUp) -> dict[str, Any] | None:
    """The alumnus' answers in the wave that ``wave`` follows up, or None.

    None when ``wave`` is not a follow-up, the person was not invited to or did not start
    the earlier wave, declined it, or their answers were erased (consent withdrawn). A
    partial response counts: its answers are what the person told us. One query on the
    (wave, alumnus) unique index.
    """
    if wave.follow_up_of_id is None:
        return None
    answers = db.session.scalar(
        select(Response.answers)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .where(Invitation.wave_id == wave.follow_up_of_id, Invitation.alumnus_id == alumnus_id,
               Invitation.status.not_in(NOT_EARLIER_ANSWERS), Response.declined_at.is_(None))
    )
    return dict(answers) if answers else None


@dataclass
class PanelGroup:
    """How many alumni of one group answered the earlier wave, the follow-up, both or neither."""

    label: str
    both: int = 0
    earlier_only: int = 0
    current_only: int = 0
    neither: int = 0

    @property
    def total(self) -> int:
        return self.both + self.earlier_only + self.current_only + self.neither

    def share(self, what: str) -> float | None:
        """Share of the group's alumni in one of the four cells (None for an empty group)."""
        return getattr(self, what) / self.total if self.total else None

    def add(self, answered_earlier: bool, answered_current: bool, count: int) -> None:
        cell = ("both" if answered_current else "earlier_only") if answered_earlier else (
            "current_only" if answered_current else "neither")
        setattr(self, cell, getattr(self, cell) + count)


@dataclass
class PanelStatus:
    """Panel status of a follow-up wave: overall, by training category and by province."""

    wave: Wave
    earlier: Wave
    total: PanelGroup
    by_category: list[PanelGroup]
    by_province: list[PanelGroup]


def panel_status(wave: Wave, province_names: dict[str, str] | None = None,
                 category_names: dict[str, str] | None = None) -> PanelStatus | None:
    """Who answered (submitted) the earlier wave, this follow-up, both or neither; None if not a follow-up.

    The people counted are the alumni invited to either wave (revoked links aside); an
    alumnus with trainings in two categories counts once in each category. Two GROUP BY
    queries (by province, by category), no per-person work in Python.
    """
    earlier = wave.follow_up_of
    if earlier is None:
        return None
    by_province_rows = db.session.execute(_cells(Alumnus.province_code, Alumnus.id, earlier.id, wave.id)).all()
    by_category_rows = db.session.execute(
        _cells(AlumnusCategory.category, AlumnusCategory.alumnus_id, earlier.id, wave.id)).all()
    total = PanelGroup("total")
    for _province, a1, a2, count in by_province_rows:
        total.add(bool(a1), bool(a2), count)
    return PanelStatus(wave=wave, earlier=earlier, total=total,
                       by_category=_groups(by_category_rows, category_names),
                       by_province=_groups(by_province_rows, province_names))


def _cells(group: Any, alumnus_id: Any, earlier_id: int, wave_id: int) -> Select:
    """(group, answered earlier 0/1, answered this wave 0/1, alumni) over alumni invited to either wave.

    Each side is an outer join on the (wave, alumnus) unique key, so PostgreSQL hashes the two
    waves' invitations once and counts in one pass, with no per-alumnus aggregate to spill.
    """
    first, second = aliased(Invitation), aliased(Invitation)
    answered_first = case((first.status == "submitted", 1), else_=0)
    answered_second = case((second.status == "submitted", 1), else_=0)
    return (select(group, answered_first, answered_second, func.count())
            .select_from(alumnus_id.table)
            .outerjoin(first, and_(first.alumnus_id == alumnus_id, first.wave_id == earlier_id,
                                   first.status != "revoked"))
            .outerjoin(second, and_(second.alumnus_id == alumnus_id, second.wave_id == wave_id,
                                    second.status != "revoked"))
            .where(or_(first.id.is_not(None), second.id.is_not(None)))
            .group_by(group, answered_first, answered_second))


def _groups(rows: Iterable, labels: dict[str, str] | None) -> list[PanelGroup]:
    groups: dict[str, PanelGroup] = {}
    for key, a1, a2, count in rows:
        key = key if key is not None else "—"
        groups.setdefault(key, PanelGroup((labels or {}).get(key, key))).add(bool(a1), bool(a2), count)
    return sorted(groups.values(), key=lambda g: (-g.total, g.label))
