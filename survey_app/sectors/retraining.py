"""The review loop learns: retrain on people's codes, compare on held-out people's codes.

People's codes are the current ``manual`` codes with a 5-digit KBLI code (a division alone
cannot train the 5-digit suggestions). They are split by :func:`analysis.sectors.retrain.
split_people_codes`: a hash of the normalised text puts about a fifth in a held-out part that
is never trained on and never moves when more codes arrive (the same text written twice
stays on one side, so a twin cannot leak the answer). The candidate is trained on the seed
train split plus the training part, compared with the active model on the held-out part, and
stored as a ``candidate`` version with the comparison table; an admin promotes it on the staff
site (or ``flask sectors promote``) only when it is not worse.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from flask import current_app
from sqlalchemy import func, select, update

from analysis import InputDataError
from analysis.sectors import model_version
from analysis.sectors.retrain import check_enough_codes, promotion_table, split_people_codes, train_with_people_codes
from survey_app.audit import record
from survey_app.extensions import db
from survey_app.i18n import N_
from survey_app.models import SectorCode, SectorModelVersion
from survey_app.sectors.versions import VersionRefused, ensure_baseline, load_version, save_version_file

Step = Callable[..., None]


class RetrainRefused(VersionRefused):
    """Retraining cannot run as asked (too few people's codes, nothing new); message for staff."""


@dataclass
class Readiness:
    """How many people's codes there are for a retrain, and how many are needed."""

    codes: int
    train: int
    held_out: int
    needed: int
    held_out_needed: int

    @property
    def ready(self) -> bool:
        return self.codes >= self.needed and self.held_out >= self.held_out_needed


def people_codes() -> pd.DataFrame:
    """Current manual 5-digit codes as ``text``, ``kbli5`` (every wave)."""
    rows = db.session.execute(select(SectorCode.text, SectorCode.kbli5)
                              .where(SectorCode.status == "manual", SectorCode.superseded_at.is_(None),
                                     SectorCode.kbli5.is_not(None)).order_by(SectorCode.id)).all()
    return pd.DataFrame(rows, columns=["text", "kbli5"])


_split_counts: dict[tuple[str, int, int, int], tuple[int, int]] = {}


def _people_state() -> tuple[str, int, int, int]:
    """(database, count, newest id, newest superseded id) of people's codes: changes whenever they do."""
    manual = (SectorCode.status == "manual", SectorCode.kbli5.is_not(None))
    count, newest = db.session.execute(select(func.count(), func.max(SectorCode.id))
                                       .where(*manual, SectorCode.superseded_at.is_(None))).one()
    gone = db.session.scalar(select(func.max(SectorCode.id)).where(*manual, SectorCode.superseded_at.is_not(None)))
    return str(db.engine.url), int(count or 0), int(newest or 0), int(gone or 0)


def readiness(people: pd.DataFrame | None = None) -> Readiness:
    """Counts of people's codes (train / held out) against the configured minimums.

    Splitting normalises every text (about 3 s per 50,000 codes), so for the staff page the
    counts are kept per process until a person's code is added or superseded.
    """
    config = current_app.config
    if people is None:
        state = _people_state()
        counts = _split_counts.get(state)
        if counts is None:
            train, held = split_people_codes(people_codes())
            counts = (len(train), len(held))
            _split_counts.clear()
            _split_counts[state] = counts
    else:
        train, held = split_people_codes(people)
        counts = (len(train), len(held))
    return Readiness(codes=counts[0] + counts[1], train=counts[0], held_out=counts[1],
                     needed=int(config["SECTORS_RETRAIN_MIN_CODES"]),
                     held_out_needed=int(config["SECTORS_RETRAIN_MIN_HELD_OUT"]))


def refusal(ready: Readiness) -> RetrainRefused | None:
    """Why a retrain would be refused now (None when it may run)."""
    if ready.codes < ready.needed:
        return RetrainRefused(N_("Retraining needs at least %(needed)d people's codes with a 5-digit KBLI code; "
                                 "there are %(have)d (%(more)d more needed)."),
                              needed=ready.needed, have=ready.codes, more=ready.needed - ready.codes)
    if ready.held_out < ready.held_out_needed:
        return RetrainRefused(N_("Retraining needs at least %(needed)d held-out people's codes to compare the "
                                 "models; there are %(have)d of %(total)d. Code more answers."),
                              needed=ready.held_out_needed, have=ready.held_out, total=ready.codes)
    return None


def _nothing(message: str, **args) -> None:
    """Default progress step: say nothing."""


def retrain(actor: str, job_id: int | None = None, step: Step = _nothing) -> SectorModelVersion:
    """Train a candidate on people's codes, compare it with the active model, store it as a candidate.

    ``step(msgid, **args)`` is called before each stage (the job shows it as progress). Raises
    RetrainRefused with a message when there are too few people's codes or nothing new to learn.
    """
    config = current_app.config
    step(N_("Reading people's codes."))
    people = people_codes()
    ready = readiness(people)
    refused = refusal(ready)
    if refused is not None:
        raise refused
    train, held = split_people_codes(people)
    current_row = ensure_baseline(actor)
    current = load_version(current_row)
    step(N_("Training the candidate on the seed examples and %(n)d people's codes."), n=len(train))
    started = time.perf_counter()
    try:
        check_enough_codes(ready.codes, ready.held_out, ready.needed, ready.held_out_needed)
        candidate = train_with_people_codes(train, min_codes=0, params=config.get("SECTORS_RETRAIN_PARAMS"),
                                            n_jobs=int(config["SECTORS_RETRAIN_JOBS"]))
    except InputDataError as error:
        raise RetrainRefused(N_("The candidate could not be trained: %(reason)s"), reason=str(error)) from None
    seconds = time.perf_counter() - started
    version = model_version(candidate)[:64]
    existing = db.session.scalar(select(SectorModelVersion).where(SectorModelVersion.version == version))
    if existing is not None:
        raise RetrainRefused(N_("Nothing new to learn: model %(version)s was already trained on these codes."),
                             version=version[:12])
    step(N_("Comparing the candidate with the active model on %(n)d held-out people's codes."), n=len(held))
    table = promotion_table(current, candidate, held, precision=float(candidate.target_precision),
                            tolerance=float(config["SECTORS_PROMOTE_TOLERANCE"]))
    path = save_version_file(candidate, {"role": "candidate", "people_codes": len(train),
                                         "held_out_codes": len(held), "compared_with": current_row.version})
    # One candidate waits at a time: older ones (never active) are passed over.
    db.session.execute(update(SectorModelVersion).where(SectorModelVersion.status == "candidate")
                       .values(status="retired"))
    row = SectorModelVersion(version=version, status="candidate", path=path, people_codes=len(train),
                             held_out_codes=len(held), metrics=table, compared_with=current_row.version,
                             not_worse=bool(table["not_worse"]), sklearn_version=candidate.sklearn_version_,
                             training_seconds=round(seconds, 2), job_id=job_id, created_by=actor)
    db.session.add(row)
    db.session.flush()
    record("sectors.retrain", f"sector_model:{version[:12]}",
           {"people_codes": len(train), "held_out_codes": len(held), "not_worse": row.not_worse,
            "compared_with": current_row.version, "seconds": row.training_seconds})
    db.session.commit()
    return row
