"""Auto-coding a wave's business descriptions and recording people's coding decisions."""
from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import and_, func, insert, select, update

from analysis import classify_texts
from survey_app.csv_safety import neutralise
from survey_app.extensions import db
from survey_app.models import Invitation, Response, SectorCode, Wave
from survey_app.models.types import utcnow
from survey_app.questionnaire.service import compiled_questionnaire
from survey_app.sectors import kbli
from survey_app.sectors.models import ModelNotUsable
from survey_app.sectors.versions import sector_model

BATCH = 5000


class CodingError(ValueError):
    """A coding request cannot be done as asked; the message is for the user."""


@dataclass
class CodingReport:
    """What :func:`code_wave` did."""

    auto: int = 0
    review: int = 0
    model_version: str = ""

    @property
    def total(self) -> int:
        return self.auto + self.review


def coded_questions(wave: Wave) -> list[str]:
    """What gets coded: questions marked ``coding: kbli``; inside a repeat, one per instance.

    A repeated question is named ``<question>.<instance>`` (1-based), which is also what the
    codes record as their ``question``.
    """
    return [key for key, _path in _coded_targets(wave)]


def _coded_targets(wave: Wave) -> list[tuple[str, tuple]]:
    """(name, JSON path into the answers) of every answer to code."""
    questionnaire = compiled_questionnaire(wave.questionnaire_id)
    targets: list[tuple[str, tuple]] = []
    for q in questionnaire.questions.values():
        if q.coding != "kbli":
            continue
        if q.repeat is None:
            targets.append((q.name, (q.name,)))
            continue
        # q.repeat names a repeat page of this questionnaire (checked when it was built).
        for instance in range(1, questionnaire.page(q.repeat).repeat.max + 1):  # type: ignore[union-attr]
            targets.append((f"{q.name}.{instance}", (q.repeat, instance - 1, q.name)))
    return targets


def _uncoded(wave: Wave, question: str, path: tuple | None = None) -> Iterator[list[tuple[int, str]]]:
    """Batches of (response id, text) of submitted answers without a current code."""
    path = path or (question,)
    answer = (Response.answers[path[0]] if len(path) == 1 else Response.answers[path]).as_string()
    current = and_(SectorCode.response_id == Response.id, SectorCode.question == question,
                   SectorCode.superseded_at.is_(None))
    query = (select(Response.id, answer)
             .join(Invitation, Invitation.id == Response.invitation_id)
             .outerjoin(SectorCode, current)
             .where(Invitation.wave_id == wave.id, Response.submitted_at.is_not(None),
                    answer.is_not(None), SectorCode.id.is_(None))
             .order_by(Response.id))
    # Read the ids first: the batches below insert codes, which must not disturb the cursor.
    rows = db.session.execute(query).all()
    for start in range(0, len(rows), BATCH):
        yield [(row[0], row[1]) for row in rows[start:start + BATCH]]


def code_wave(wave: Wave, model=None, threshold: float | None = None) -> CodingReport:
    """Code every submitted, not yet coded business description of ``wave``.

    Confident predictions are stored as ``auto``; the rest as ``review`` suggestions for the
    review queue. Commits per batch, so an interrupted run continues where it stopped.
    """
    targets = _coded_targets(wave)
    if not targets:
        raise CodingError(f"the questionnaire of wave {wave.name!r} has no question with 'coding: kbli'")
    if model is None:
        try:
            model = sector_model()  # house: signed model files only (issue 10 finding 6)
        except ModelNotUsable as error:
            raise CodingError(str(error)) from None
    version = _model_version(model)
    report = CodingReport(model_version=version)
    for question, path in targets:
        for batch in _uncoded(wave, question, path):
            texts = [text for _id, text in batch]
            predictions = classify_texts(texts, model=model, threshold=threshold)
            now = utcnow()
            rows = []
            for (response_id, text), prediction in zip(batch, predictions.to_dict("records")):
                status = "review" if prediction["needs_review"] else "auto"
                rows.append({
                    "response_id": response_id, "question": question, "text": text[:5000],
                    "kbli5": prediction["kbli5"] or None, "division": prediction["division"] or None,
                    "section": prediction["section"] or None, "confidence": float(prediction["confidence"]),
                    "suggestions": [[d, round(float(p), 4)] for d, p in prediction["top3"]],
                    "status": status, "model_version": version, "coded_at": now,
                })
                setattr(report, status, getattr(report, status) + 1)
            db.session.execute(insert(SectorCode), rows)
            db.session.commit()
    return report


def _model_version(model) -> str:
    """The identifier of the model that coded (stamped on every stored code)."""
    from analysis.sectors import model_version

    return model_version(model)[:64]


def review_queue(wave: Wave, limit: int = 50, offset: int = 0) -> tuple[int, Sequence[SectorCode]]:
    """Suggestions waiting for a person, least confident first: (total, page)."""
    base = (select(SectorCode).join(Response, Response.id == SectorCode.response_id)
            .join(Invitation, Invitation.id == Response.invitation_id)
            .where(Invitation.wave_id == wave.id, SectorCode.status == "review",
                   SectorCode.superseded_at.is_(None)))
    total = db.session.scalar(select(func.count()).select_from(base.subquery()))
    items = db.session.scalars(base.order_by(SectorCode.confidence, SectorCode.id).limit(limit).offset(offset)).all()
    return total or 0, items


def status_counts(wave: Wave) -> dict[str, int]:
    """Current codes of the wave by status."""
    rows = db.session.execute(
        select(SectorCode.status, func.count()).join(Response, Response.id == SectorCode.response_id)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .where(Invitation.wave_id == wave.id, SectorCode.superseded_at.is_(None))
        .group_by(SectorCode.status)).all()
    return {status: count for status, count in rows}


def history(response_id: int, question: str) -> Sequence[SectorCode]:
    """Every coding decision for one answer, newest first."""
    return db.session.scalars(select(SectorCode).where(SectorCode.response_id == response_id,
                                                       SectorCode.question == question)
                              .order_by(SectorCode.id.desc())).all()


def current_code(code_id: int) -> SectorCode | None:
    """The code row ``code_id``, if it is still the current one."""
    code = db.session.get(SectorCode, code_id)
    return code if code is not None and code.superseded_at is None else None


def record_manual_code(code: SectorCode, chosen: str, coder_id: int) -> SectorCode:
    """A person's code for the answer of ``code`` (which it supersedes); commits.

    ``chosen`` is a division (2 digits) or a 5-digit KBLI 2020 code. Raises CodingError for an
    unknown code, or when someone else coded the answer meanwhile.
    """
    try:
        kbli5, division, section = kbli.resolve(chosen)
    except KeyError:
        raise CodingError(f"{chosen!r} is not a KBLI 2020 division or 5-digit code") from None
    now = utcnow()
    # Conditional on still being current: two coders on one answer cannot both win silently.
    result = db.session.execute(update(SectorCode).where(SectorCode.id == code.id,
                                                         SectorCode.superseded_at.is_(None))
                                .values(superseded_at=now))
    if getattr(result, "rowcount", None) != 1:  # an UPDATE gives a CursorResult
        db.session.rollback()
        raise CodingError("this answer was coded by someone else meanwhile")
    manual = SectorCode(response_id=code.response_id, question=code.question, text=code.text,
                        kbli5=kbli5, division=division, section=section, confidence=None,
                        suggestions=code.suggestions, status="manual", model_version=code.model_version,
                        coder_id=coder_id, coded_at=now)
    db.session.add(manual)
    db.session.commit()
    return manual


def write_training_data(handle) -> int:
    """Write people's current 5-digit codes as ``text,kbli5`` rows (for ``analysis train --extra``)."""
    writer = csv.writer(handle)
    writer.writerow(["text", "kbli5"])
    count = 0
    rows = db.session.execute(select(SectorCode.text, SectorCode.kbli5)
                              .where(SectorCode.status == "manual", SectorCode.superseded_at.is_(None),
                                     SectorCode.kbli5.is_not(None)).order_by(SectorCode.id))
    for text, code in rows:
        writer.writerow([neutralise(text), code])
        count += 1
    return count
