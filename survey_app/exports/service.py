"""Planning, running and auditing exports (used by the CLI and the staff site).

Who may ask for what is decided here, not in the views: names/contacts
(``include_personal``) and financial answers (``include_financial``) need an admin, and
every export is written to the audit log with its options before any data leaves.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from survey_app.audit import record
from survey_app.exports import codebook as codebook_module
from survey_app.exports import writers
from survey_app.exports.columns import (
    EARLIER_STATUS,
    PERSONAL_FIELDS,
    PID,
    RESPONSE_FIELDS,
    ROSTER_FIELDS,
    Column,
    answer_columns,
    earlier_columns,
    meta_columns,
)
from survey_app.exports.rows import response_rows, wave_trainings
from survey_app.extensions import db
from survey_app.models import Wave
from survey_app.questionnaire.definition import Questionnaire
from survey_app.questionnaire.service import compiled_questionnaire

FORMATS = ("csv", "xlsx", "dta", "sav")
LANGUAGES = ("id", "en")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "dta": "application/x-stata-dta",
    "sav": "application/x-spss-sav",
}


class ExportError(Exception):
    """The export cannot be made as asked (unknown wave or format, bad destination)."""


class ExportRefused(ExportError):
    """The person asking may not export this (personal or financial data without admin role)."""


@dataclass(frozen=True)
class ExportOptions:
    """What to export: format, language of labels, and the data protection choices."""

    format: str = "csv"
    language: str = "id"
    labels: bool = False            # CSV/XLSX: choice labels instead of choice names
    include_personal: bool = False  # external id, name, phone, e-mail (admins only)
    include_financial: bool = False  # answers marked sensitive (admins only)
    submitted_only: bool = False
    include_earlier: bool = False   # follow-up wave: the earlier wave's answers as prev_ columns

    def check(self, role: str | None = None) -> None:
        """Raise ExportError for unknown values, ExportRefused when ``role`` may not do it.

        ``role`` None means the command line (a trusted operator, who still has to ask for
        personal and financial data explicitly).
        """
        if self.format not in FORMATS:
            raise ExportError(f"unknown format {self.format!r}; use one of {', '.join(FORMATS)}")
        if self.language not in LANGUAGES:
            raise ExportError(f"unknown label language {self.language!r}; use one of {', '.join(LANGUAGES)}")
        if role is not None and role != "admin" and (self.include_personal or self.include_financial):
            raise ExportRefused("only admins may export names, contacts or financial answers")


@dataclass
class ExportPlan:
    """The columns of one export of one wave."""

    wave_id: int
    wave_name: str
    questionnaire: Questionnaire
    columns: list[Column]
    options: ExportOptions
    earlier_wave_id: int | None = None  # set when the rows carry the earlier wave's answers
    earlier_wave_name: str | None = None

    @property
    def filename(self) -> str:
        return f"jejak-{self.wave_name}-responses.{self.options.format}"

    def rows(self) -> Iterator:
        # Plain ids, not the ORM object: a streamed download reads rows after the request's
        # transaction (with the audit event) has been committed.
        return response_rows(self.wave_id, self.wave_name, include_personal=self.options.include_personal,
                             submitted_only=self.options.submitted_only, earlier_wave_id=self.earlier_wave_id)


def plan_export(wave: Wave, options: ExportOptions, *, dataset: bool = False) -> ExportPlan:
    """The columns for ``wave``: metadata first, then the answers in questionnaire order.

    ``dataset`` gives the research dataset's responses table: pid and response metadata
    only (the roster facts are in alumni.csv), never personal data.
    ``options.include_earlier`` (a follow-up wave only) adds ``prev_status`` and the earlier
    wave's answers as ``prev_<variable>`` columns after the wave's own.
    """
    earlier = wave.follow_up_of if options.include_earlier and not dataset else None
    if options.include_earlier and not dataset and earlier is None:
        raise ExportError(f"wave {wave.name!r} is not a follow-up of an earlier wave, so it has no earlier "
                          "answers to include")
    questionnaire = compiled_questionnaire(wave.questionnaire_id)
    taken: set[str] = set()
    if dataset:
        meta = meta_columns((PID, *RESPONSE_FIELDS), taken)
    else:
        personal = PERSONAL_FIELDS if options.include_personal else ()
        meta = meta_columns((PID, *personal, *ROSTER_FIELDS, *RESPONSE_FIELDS), taken)
    answers = answer_columns(questionnaire, include_financial=options.include_financial,
                             roster_items=wave_trainings(wave), taken=taken)
    if earlier is None:
        return ExportPlan(wave.id, wave.name, questionnaire, meta + answers, options)
    previous = meta_columns((EARLIER_STATUS,), taken) + earlier_columns(
        compiled_questionnaire(earlier.questionnaire_id), earlier.name,
        include_financial=options.include_financial, roster_items=wave_trainings(earlier), taken=taken)
    return ExportPlan(wave.id, wave.name, questionnaire, meta + answers + previous, options, earlier.id, earlier.name)


def audit(plan: ExportPlan, action: str = "export.responses", *, commit: bool = False, **extra: object) -> None:
    """Add the audit event of an export: committed at once with ``commit``, else with the caller's action."""
    detail = {"wave": plan.wave_name, **asdict(plan.options),
              "personal_data": plan.options.include_personal,
              "financial_data": plan.options.include_financial, **extra}
    record(action, f"wave:{plan.wave_name}", detail)
    if commit:
        db.session.commit()


def write_export(plan: ExportPlan, out: Path, *, force: bool = False) -> Path:
    """Write the export to ``out`` atomically (a temporary file renamed at the end)."""
    check_destination(out, force=force)
    temp = _temp_beside(out)
    try:
        write_to(plan, temp)
        os.replace(temp, out)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return out


def write_to(plan: ExportPlan, path: Path, rows: Iterable | None = None) -> None:
    """Write the export to ``path`` (overwriting it); ``rows`` replaces ``plan.rows()`` (e.g. counted)."""
    options, columns = plan.options, plan.columns
    stream = plan.rows() if rows is None else rows
    if options.format == "csv":
        writers.write_csv(path, columns, stream, labels=options.labels, language=options.language, bom=True)
    elif options.format == "xlsx":
        writers.write_xlsx(path, columns, stream, labels=options.labels, language=options.language,
                           variables=codebook_module.variable_sheet(columns))
    elif options.format == "dta":
        writers.write_dta(path, columns, stream, language=options.language, wave_name=plan.wave_name)
    else:
        writers.write_sav(path, columns, stream, language=options.language)


def check_destination(out: Path, *, force: bool = False, directory: bool = False) -> None:
    """Refuse an existing destination (unless ``force``) or one that cannot be written."""
    out = Path(out)
    if out.exists():
        if not force:
            raise ExportError(f"{out} already exists; choose a new name or use --force to replace it")
        if directory != out.is_dir():
            raise ExportError(f"{out} exists and is {'not ' if directory else ''}a directory")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise ExportError(f"cannot write {out}: directory {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise ExportError(f"cannot write {out}: permission denied")


def _temp_beside(out: Path) -> Path:
    fd, name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    os.close(fd)
    return Path(name)
