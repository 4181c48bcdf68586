"""The research dataset (`flask export dataset`): the tables the analysis package reads.

A directory with alumni.csv, trainings.csv, enrollments.csv, responses.csv, codes.csv,
invitations.csv, codebook.csv and manifest.json, documented in docs/DATASET.md; plus, for every
repeat page of the questionnaire, a long table ``repeat_<page>.csv`` (one row per alumnus ×
wave × instance). People appear only by pseudonym; names and contacts are never written;
financial answers only when asked for. The directory is built beside the destination and moved
into place at the end, so a failed run leaves nothing.

Format version 2 (issue 11) is the panel: the exported wave and every wave it follows up
(``Wave.follow_up_of``, oldest first) are written together — responses long (one row per
alumnus × wave), invitations and KBLI codes of each wave — so that the analysis can link an
alumnus' answers over time and correct for attrition. Weights are left to ``analysis``: they
depend on analysis choices (frame, trimming, pooling) that the export cannot know.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import and_, select

from survey_app.exports import writers
from survey_app.exports.codebook import write_codebook_csv
from survey_app.exports.columns import Column, safe_name
from survey_app.exports.rows import iso_utc
from survey_app.exports.service import ExportOptions, audit, check_destination, plan_export
from survey_app.extensions import db
from survey_app.models import Alumnus, Enrollment, Invitation, Response, SectorCode, Training, Wave
from survey_app.privacy import pseudonym, pseudonym_key

FORMAT = "jejak-dataset"
FORMAT_VERSION = 2
FILES = ("alumni.csv", "trainings.csv", "enrollments.csv", "responses.csv", "codes.csv", "invitations.csv",
         "codebook.csv")
CODE_COLUMNS = ("pid", "wave", "question", "kbli5", "division", "section", "confidence", "status", "model_version",
                "coded_at")
INVITATION_COLUMNS = ("pid", "wave", "invitation_status")
BATCH = 5000


class _Counted:
    """Wraps an iterable and counts what passed through."""

    def __init__(self, items: Iterable):
        self.items, self.count = items, 0

    def __iter__(self):
        for item in self.items:
            self.count += 1
            yield item


def write_dataset(wave: Wave, out: Path, *, include_financial: bool = False, force: bool = False) -> dict:
    """Write the dataset of ``wave`` (and the waves it follows up) to directory ``out``; returns the manifest."""
    out = Path(out)
    check_destination(out, force=force, directory=True)
    chain = wave_chain(wave)
    options = ExportOptions(format="csv", include_financial=include_financial)
    plans = [plan_export(member, options, dataset=True) for member in chain]
    plan = plans[-1]
    columns = union_columns([p.columns for p in plans])
    temp = Path(tempfile.mkdtemp(dir=out.parent if str(out.parent) else ".", prefix=f".{out.name}."))
    try:
        counts = {
            "alumni.csv": _write_rows(temp / "alumni.csv", ("pid", "province", "sex", "birth_year", "cohort",
                                                            "invitation_status"), _alumni(wave)),
            "trainings.csv": _write_rows(temp / "trainings.csv",
                                         ("code", "title", "provider", "category", "description"), _trainings()),
            "enrollments.csv": _write_rows(temp / "enrollments.csv", ("pid", "training_code", "completed_at"),
                                           _enrollments()),
        }
        responses = _Counted(row for member in plans for row in member.rows())
        writers.write_csv(temp / "responses.csv", columns, responses)
        counts["responses.csv"] = responses.count
        counts["codes.csv"] = _write_rows(temp / "codes.csv", CODE_COLUMNS,
                                          (row for member in chain for row in _codes(member)))
        counts["invitations.csv"] = _write_rows(temp / "invitations.csv", INVITATION_COLUMNS, _invitations(chain))
        write_codebook_csv(temp / "codebook.csv", columns)
        counts["codebook.csv"] = len(columns)
        repeat_files = []
        for page in plan.questionnaire.repeat_pages:
            name = f"repeat_{page.name}.csv"
            header, rows = _repeat_table(plans, page, include_financial)
            counts[name] = _write_rows(temp / name, header, rows)
            repeat_files.append(name)
        manifest = {
            "format": FORMAT, "format_version": FORMAT_VERSION, "wave": wave.name,
            "questionnaire": {"name": plan.questionnaire.name, "version": plan.questionnaire.version},
            "waves": [{"name": member.name,
                       "follow_up_of": member.follow_up_of.name if member.follow_up_of is not None and i else None,
                       "questionnaire": {"name": p.questionnaire.name, "version": p.questionnaire.version}}
                      for i, (member, p) in enumerate(zip(chain, plans))],
            "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "files": {name: {"rows": counts[name]} for name in (*FILES, *repeat_files)},
            "repeats": {name[len("repeat_"):-len(".csv")]: name for name in repeat_files},
            "includes_financial": include_financial,
        }
        (temp / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        audit(plan, "export.dataset", rows=counts["responses.csv"], alumni=counts["alumni.csv"],
              waves=[member.name for member in chain])
        _publish(temp, out, repeat_files)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return manifest


def wave_chain(wave: Wave) -> list[Wave]:
    """``wave`` and every wave it follows up (``follow_up_of``, transitively), oldest first.

    A chain that loops back (which the wave service refuses to create) stops at the first
    wave seen twice, so the export never runs forever.
    """
    chain: list[Wave] = []
    seen: set[int] = set()
    current: Wave | None = wave
    while current is not None and current.id not in seen:
        seen.add(current.id)
        chain.append(current)
        current = current.follow_up_of
    return chain[::-1]


def union_columns(column_lists: list[list[Column]]) -> list[Column]:
    """The columns of several waves' exports, in chain order, each (question, item, instance) once.

    A column of a later questionnaire whose variable name is already taken by a different
    question is renamed the way the export names clashes (:func:`safe_name`).
    """
    merged: list[Column] = []
    keys: set[tuple] = set()
    taken: set[str] = set()
    for columns in column_lists:
        for column in columns:
            key = (column.source, column.question if column.source == "answer" else column.name, column.item,
                   column.repeat, column.instance)
            if key in keys:
                continue
            keys.add(key)
            if column.name.lower() in {t.lower() for t in taken}:
                column = replace(column, name=safe_name(column.name, taken))
            taken.add(column.name)
            merged.append(column)
    return merged


def _publish(temp: Path, out: Path, extra: Iterable[str] = ()) -> None:
    if not out.exists():
        os.rename(temp, out)
        return
    for name in (*FILES, *extra, "manifest.json"):  # --force: replace our files, leave anything else
        os.replace(temp / name, out / name)
    shutil.rmtree(temp, ignore_errors=True)


def _repeat_table(plans, page, include_financial: bool) -> tuple[tuple[str, ...], Iterable[tuple]]:
    """The long table of one repeat page: pid, wave, instance, then its questions (answers as stored).

    Rows come from every wave of the chain (a wave whose questionnaire lacks the page has
    none). A select_multiple is written as its choice names separated by spaces (as in XLSForm).
    """
    questions = [q for q in page.questions if q.takes_answer and (include_financial or not q.sensitive)]
    header = ("pid", "wave", "instance", *(q.name for q in questions))

    def rows():
        for plan in plans:
            for row in plan.rows():
                instances = row.answers.get(page.name)
                if not isinstance(instances, list):
                    continue
                for number, found in enumerate(instances, start=1):
                    if not isinstance(found, dict) or not found:
                        continue
                    values = [found.get(q.name) for q in questions]
                    yield (row.meta["pid"], row.meta["wave"], number,
                           *(" ".join(map(str, v)) if isinstance(v, list) else v for v in values))
    return header, rows()


def _write_rows(path: Path, header: tuple[str, ...], rows: Iterable[tuple]) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None else writers.neutralise(v) if isinstance(v, str) else v for v in row])
            count += 1
    return count


def _stream(query):
    return db.session.execute(query.execution_options(yield_per=BATCH, stream_results=True))


def _alumni(wave: Wave):
    key = pseudonym_key()
    query = (select(Alumnus.external_id, Alumnus.province_code, Alumnus.sex, Alumnus.birth_year, Alumnus.cohort,
                    Invitation.status)
             .outerjoin(Invitation, and_(Invitation.alumnus_id == Alumnus.id, Invitation.wave_id == wave.id))
             .order_by(Alumnus.id))
    for external_id, province, sex, birth_year, cohort, status in _stream(query):
        yield pseudonym(external_id, key), province, sex, birth_year, cohort, status


def _trainings():
    yield from _stream(select(Training.code, Training.title, Training.provider, Training.category,
                              Training.description).order_by(Training.code))


def _codes(wave: Wave):
    """Current KBLI codes of the wave's answers (auto, awaiting review, or by a person)."""
    key = pseudonym_key()
    query = (select(Alumnus.external_id, SectorCode.question, SectorCode.kbli5, SectorCode.division,
                    SectorCode.section, SectorCode.confidence, SectorCode.status, SectorCode.model_version,
                    SectorCode.coded_at)
             .join(Response, Response.id == SectorCode.response_id)
             .join(Invitation, Invitation.id == Response.invitation_id)
             .join(Alumnus, Alumnus.id == Invitation.alumnus_id)
             .where(Invitation.wave_id == wave.id, SectorCode.superseded_at.is_(None))
             .order_by(SectorCode.id))
    for external_id, *rest, coded_at in _stream(query):
        yield (pseudonym(external_id, key), wave.name, *rest, iso_utc(coded_at))


def _invitations(chain: list[Wave]):
    """Every invitation of every wave of the chain (non-response and attrition weighting need them)."""
    key = pseudonym_key()
    names = {member.id: member.name for member in chain}
    order = {member.id: i for i, member in enumerate(chain)}
    for member_id in sorted(names, key=order.__getitem__):
        query = (select(Alumnus.external_id, Invitation.status)
                 .join(Alumnus, Alumnus.id == Invitation.alumnus_id)
                 .where(Invitation.wave_id == member_id).order_by(Alumnus.id))
        for external_id, status in _stream(query):
            yield pseudonym(external_id, key), names[member_id], status


def _enrollments():
    key = pseudonym_key()
    query = (select(Alumnus.external_id, Training.code, Enrollment.completed_at)
             .join(Alumnus, Alumnus.id == Enrollment.alumnus_id)
             .join(Training, Training.id == Enrollment.training_id)
             .order_by(Enrollment.id))
    for external_id, code, completed_at in _stream(query):
        yield pseudonym(external_id, key), code, completed_at.isoformat() if completed_at else None
