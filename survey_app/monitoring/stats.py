"""Aggregate queries behind the wave dashboard. One GROUP BY per table, no row loops.

Statuses: issued → opened → partial → submitted, or declined; revoked links are not counted
as invited. "Opened" counts everyone who opened the link, whatever happened next.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Alumnus, AlumnusCategory, Invitation, Response, Wave

COUNTED = ("issued", "opened", "partial", "submitted", "declined", "withdrawn")
OPENED = ("opened", "partial", "submitted", "declined", "withdrawn")


@dataclass
class Funnel:
    """Counts and rates of one group of invitations."""

    label: str
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def invited(self) -> int:
        return sum(self.by_status.get(s, 0) for s in COUNTED)

    def count(self, what: str) -> int:
        """Invited, opened (any progress), or a single status."""
        if what == "invited":
            return self.invited
        if what == "opened":
            return sum(self.by_status.get(s, 0) for s in OPENED)
        if what == "declined":  # a later withdrawal of consent is a refusal too
            return self.by_status.get("declined", 0) + self.by_status.get("withdrawn", 0)
        return self.by_status.get(what, 0)

    def rate(self, what: str) -> float | None:
        """Share of the invited (None when nobody was invited)."""
        return self.count(what) / self.invited if self.invited else None


@dataclass
class WaveStats:
    """Everything the dashboard shows for one wave."""

    wave: Wave
    total: Funnel
    by_province: list[Funnel]
    by_category: list[Funnel]
    by_cohort: list[Funnel]
    per_day: list[tuple[date, int]]


def _funnels(rows, labels: dict[str, str] | None = None) -> list[Funnel]:
    groups: dict[str, Funnel] = {}
    for key, status, count in rows:
        key = key if key is not None else "—"
        funnel = groups.setdefault(key, Funnel((labels or {}).get(key, key)))
        funnel.by_status[status] = funnel.by_status.get(status, 0) + count
    return sorted(groups.values(), key=lambda f: (-f.invited, f.label))


def wave_stats(wave: Wave, province_names: dict[str, str] | None = None,
               category_names: dict[str, str] | None = None) -> WaveStats:
    """Response funnel of a wave, overall and by province, training category and cohort."""
    # One pass over the wave's invitations gives the total, provinces and cohorts.
    cells = db.session.execute(
        select(Alumnus.province_code, Alumnus.cohort, Invitation.status, func.count())
        .join(Alumnus, Alumnus.id == Invitation.alumnus_id)
        .where(Invitation.wave_id == wave.id)
        .group_by(Alumnus.province_code, Alumnus.cohort, Invitation.status)
    ).all()
    total: dict[str, int] = defaultdict(int)
    by_province: dict[tuple, int] = defaultdict(int)
    by_cohort: dict[tuple, int] = defaultdict(int)
    for province, cohort, status, count in cells:
        total[status] += count
        by_province[(province, status)] += count
        by_cohort[(cohort, status)] += count
    # An alumnus with trainings in two categories counts once in each.
    category_rows = db.session.execute(
        select(AlumnusCategory.category, Invitation.status, func.count())
        .join(AlumnusCategory, AlumnusCategory.alumnus_id == Invitation.alumnus_id)
        .where(Invitation.wave_id == wave.id)
        .group_by(AlumnusCategory.category, Invitation.status)
    ).all()
    day = func.date(Response.submitted_at)
    per_day = db.session.execute(
        select(day, func.count()).join(Invitation, Invitation.id == Response.invitation_id)
        .where(Invitation.wave_id == wave.id, Invitation.status == "submitted")
        .group_by(day).order_by(day)
    ).all()
    return WaveStats(
        wave=wave,
        total=Funnel("total", dict(total)),
        by_province=_funnels([(p, s, c) for (p, s), c in by_province.items()], province_names),
        by_category=_funnels(category_rows, category_names),
        by_cohort=sorted(_funnels([(k, s, c) for (k, s), c in by_cohort.items()]), key=lambda f: f.label),
        per_day=[(_as_date(d), c) for d, c in per_day],
    )


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def waves_overview() -> list[tuple[Wave, Funnel]]:
    """Every wave with its overall funnel, newest first."""
    waves = db.session.scalars(select(Wave).order_by(Wave.created_at.desc())).all()
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for wave_id, status, count in db.session.execute(
            select(Invitation.wave_id, Invitation.status, func.count())
            .group_by(Invitation.wave_id, Invitation.status)):
        counts[wave_id][status] = count
    return [(wave, Funnel(wave.name, counts.get(wave.id, {}))) for wave in waves]
