"""What each kind of job does. Each handler gets a JobContext and calls the feature's service.

Handlers run in a worker with an app context and no request; audit events they cause are
recorded for the staff member who started the job (:func:`survey_app.audit.acting_as`).
"""
from __future__ import annotations

import csv
import shutil
import zipfile
from collections.abc import Callable
from functools import wraps
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from survey_app.audit import acting_as
from survey_app.csv_safety import neutralise
from survey_app.extensions import db
from survey_app.jobs.runner import N_, JobContext, JobFailed, results_root
from survey_app.models import AdminUser, Invitation, OutboundMessage, Response, SectorCode, Wave


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)[:60] or "wave"


def _wave(ctx: JobContext) -> Wave:
    wave = db.session.get(Wave, ctx.wave_id) if ctx.wave_id is not None else None
    if wave is None:
        raise JobFailed(N_("The wave of this job no longer exists."))
    return wave


def _as_starter(handler: Callable[[JobContext], None]) -> Callable[[JobContext], None]:
    @wraps(handler)
    def wrapped(ctx: JobContext) -> None:
        user_id = db.session.scalar(select(AdminUser.id).where(AdminUser.email == ctx.actor))
        with acting_as(ctx.actor, user_id):
            handler(ctx)
    return wrapped


# ------------------------------------------------------------------ exports

@_as_starter
def export(ctx: JobContext) -> None:
    """A wave's responses as CSV, XLSX, Stata or SPSS."""
    from survey_app.exports.rows import count_responses
    from survey_app.exports.service import ExportOptions, audit, plan_export, write_to

    wave = _wave(ctx)
    options = ExportOptions(**ctx.params)
    plan = plan_export(wave, options)
    ctx.set_total(count_responses(wave, submitted_only=options.submitted_only))
    ctx.say(N_("Writing %(format)s."), format=options.format.upper())
    audit(plan, via="job", job=ctx.job_id)
    db.session.commit()
    path = ctx.partial_path(plan.filename)
    write_to(plan, path, rows=ctx.counted(plan.rows()))
    ctx.check_cancel()
    ctx.publish(plan.filename, personal_data=options.include_personal)
    ctx.say(N_("%(rows)d responses written."), rows=ctx.done)


@_as_starter
def codebook(ctx: JobContext) -> None:
    """The codebook of a wave's export as CSV or HTML."""
    from survey_app.exports.codebook import render_codebook_html, write_codebook_csv
    from survey_app.exports.service import ExportOptions, plan_export

    wave = _wave(ctx)
    fmt = ctx.params.get("format", "csv")
    # --- waves: a follow-up wave's codebook also describes the prev_ columns it can export.
    plan = plan_export(wave, ExportOptions(include_personal=True, include_financial=True,
                                           include_earlier=wave.follow_up_of_id is not None))
    ctx.set_total(len(plan.columns))
    name = f"jejak-{_safe(wave.name)}-codebook.{fmt}"
    path = ctx.partial_path(name)
    if fmt == "html":
        title = f"{wave.name}: {plan.questionnaire.name} v{plan.questionnaire.version}"
        path.write_text(render_codebook_html(plan.columns, title), encoding="utf-8")
    else:
        write_codebook_csv(path, plan.columns)
    ctx.advance(len(plan.columns))
    ctx.publish(name)


def _zip_dir(source: Path, archive: Path) -> None:
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for file in sorted(p for p in source.rglob("*") if p.is_file()):
            zipped.write(file, file.relative_to(source).as_posix())


@_as_starter
def dataset(ctx: JobContext) -> None:
    """The research dataset (docs/DATASET.md) as a ZIP (audited as export.dataset)."""
    from survey_app.exports.dataset import write_dataset

    wave = _wave(ctx)
    ctx.set_total(2)
    work = ctx.work_dir()
    ctx.say(N_("Writing the research dataset."))
    write_dataset(wave, work / "dataset", include_financial=bool(ctx.params.get("include_financial")))
    ctx.advance()
    name = f"jejak-{_safe(wave.name)}-dataset.zip"
    _zip_dir(work / "dataset", ctx.partial_path(name))
    ctx.advance()
    ctx.publish(name)


@_as_starter
def report(ctx: JobContext) -> None:
    """The research report (report.html + tables/*.csv) as a ZIP."""
    from analysis import build_report
    from survey_app.exports.dataset import write_dataset
    from survey_app.exports.rows import count_responses

    wave = _wave(ctx)
    submitted = count_responses(wave, submitted_only=True)
    if submitted == 0:
        raise JobFailed(N_("Wave %(wave)s has no submitted responses yet, so there is nothing to report."),
                        wave=wave.name)
    language = ctx.params.get("language", "id")
    ctx.set_total(3)
    work = ctx.work_dir()
    ctx.say(N_("Writing the research dataset (%(n)d submitted responses)."), n=submitted)
    write_dataset(wave, work / "dataset", include_financial=bool(ctx.params.get("include_financial")))
    ctx.advance()
    ctx.say(N_("Computing the weighted estimates."))
    build_report(work / "dataset", work / "report", lang=language)
    ctx.advance()
    name = f"report-{_safe(wave.name)}-{language}.zip"
    with zipfile.ZipFile(ctx.partial_path(name), "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.write(work / "report" / "report.html", "report.html")
        for table in sorted((work / "report" / "tables").glob("*.csv")):
            zipped.write(table, f"tables/{table.name}")
    ctx.advance()
    ctx.publish(name)
    ctx.say(N_("Report of %(n)d submitted responses."), n=submitted)


# ------------------------------------------------------------------ KBLI coding

class _CancellableModel:
    """Wraps the classifier: every use first checks the job's cancel flag (between batches)."""

    def __init__(self, model, ctx: JobContext):
        self._model, self._ctx = model, ctx

    def __getattr__(self, name):
        self._ctx.check_cancel()
        return getattr(self._model, name)


@_as_starter
def coding(ctx: JobContext) -> None:
    """KBLI-code a wave's submitted business descriptions (survey_app.sectors.service.code_wave)."""
    from survey_app.sectors.models import ModelNotUsable
    from survey_app.sectors.service import CodingError, code_wave, coded_questions
    from survey_app.sectors.versions import sector_model

    wave = _wave(ctx)
    try:
        questions = coded_questions(wave)
    except CodingError as error:
        raise JobFailed(N_("Nothing was coded: %(reason)s"), reason=str(error)) from None
    if not questions:
        raise JobFailed(N_("The questionnaire of this wave has no question to code."))

    def coded() -> int:
        return db.session.scalar(
            select(func.count()).select_from(SectorCode).join(Response, Response.id == SectorCode.response_id)
            .join(Invitation, Invitation.id == Response.invitation_id)
            .where(Invitation.wave_id == wave.id, SectorCode.superseded_at.is_(None))) or 0

    answered = 0
    for question in questions:
        answer = Response.answers[question].as_string()
        answered += db.session.scalar(
            select(func.count()).select_from(Response).join(Invitation, Invitation.id == Response.invitation_id)
            .where(Invitation.wave_id == wave.id, Response.submitted_at.is_not(None), answer.is_not(None))) or 0
    ctx.done = coded()
    ctx.set_total(answered)
    ctx.say(N_("Loading the classifier."))
    try:  # retrain: the active model version (signed files only), as `flask sectors code` uses
        model = _CancellableModel(sector_model(), ctx)
    except ModelNotUsable as error:
        raise JobFailed(N_("Nothing was coded: %(reason)s"), reason=str(error)) from None
    ctx.probe = coded  # code_wave commits per batch: the heartbeat counts the codes
    threshold = ctx.params.get("threshold")
    try:
        result = code_wave(wave, model=model, threshold=threshold)
    except CodingError as error:
        raise JobFailed(N_("Nothing was coded: %(reason)s"), reason=str(error)) from None
    ctx.probe = None
    ctx.done = coded()
    ctx.say(N_("%(auto)d coded automatically, %(review)d sent to the review queue."),
            auto=result.auto, review=result.review)


# ------------------------------------------------------------------ KBLI retraining (retrain, issue 13 item 5)

@_as_starter
def sectors_retrain(ctx: JobContext) -> None:
    """Train a candidate KBLI model on people's codes and compare it with the active one."""
    from survey_app.sectors.retraining import retrain
    from survey_app.sectors.versions import VersionRefused

    ctx.set_total(4)

    def step(message: str, **args) -> None:
        ctx.say(message, **args)
        ctx.advance()  # also where a cancel request stops the job (training itself is one call)

    try:
        row = retrain(ctx.actor, job_id=ctx.job_id, step=step)
    except VersionRefused as refused:
        raise JobFailed(refused.message, **refused.args_) from None
    ctx.done = 4
    if row.not_worse:
        ctx.say(N_("Candidate %(version)s is not worse than the active model on %(n)d held-out people's codes; "
                   "an admin can promote it on the KBLI models page."), version=row.version[:12], n=row.held_out_codes)
    else:
        ctx.say(N_("Candidate %(version)s is worse than the active model on %(n)d held-out people's codes "
                   "(%(metrics)s); it will not be promoted."), version=row.version[:12], n=row.held_out_codes,
                metrics=", ".join((row.metrics or {}).get("worse", [])))


# ------------------------------------------------------------------ e-mail

@_as_starter
def messages(ctx: JobContext) -> None:
    """Send the wave's queued e-mails in throttled batches until none is left (or it stops)."""
    from survey_app.messaging import service
    from survey_app.messaging.service import MessagingError
    from survey_app.messaging.templates import TemplateError

    wave = _wave(ctx)
    config = current_app.config
    queued = db.session.scalar(
        select(func.count()).select_from(OutboundMessage)
        .join(Invitation, Invitation.id == OutboundMessage.invitation_id)
        .where(Invitation.wave_id == wave.id, OutboundMessage.status == "queued")) or 0
    db.session.commit()
    ctx.set_total(queued)
    counts = {"sent": 0, "bounced": 0, "failed": 0}

    def pause(seconds: float) -> None:
        if ctx.cancelled.wait(seconds):
            ctx.check_cancel()

    while True:
        try:
            result = service.send(batch_size=int(config["JOBS_SEND_BATCH"]),
                                  rate_per_minute=float(config["SEND_RATE_PER_MINUTE"]),
                                  wave=wave, sleep=pause, actor=ctx.actor)
        except (MessagingError, TemplateError) as refused:
            raise JobFailed(N_("Nothing more was sent: %(reason)s"), reason=str(refused)) from None
        for key in counts:
            counts[key] += getattr(result, key)
        ctx.advance(result.sent + result.bounced + result.failed)
        ctx.say(N_("Sent %(sent)d, bounced %(bounced)d, failed %(failed)d; %(remaining)d still queued."),
                remaining=result.remaining, **counts)
        if result.stopped:
            raise JobFailed(N_("Stopped early: %(reason)s. Nothing will be sent twice; start it again later."),
                            reason=result.stopped)
        if result.remaining == 0 or result.sent + result.bounced + result.failed == 0:
            return


# ------------------------------------------------------------------ roster upload

UPLOAD_FILES = ("trainings", "alumni", "enrollments")


def upload_folder(token: str) -> Path:
    """Where a staff upload waits for its import job (inside the results folder, not web-served)."""
    if not token.isalnum():
        raise ValueError("bad upload token")
    return results_root() / "uploads" / token


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return max(0, sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b"")) - 1)


@_as_starter
def roster_import(ctx: JobContext) -> None:
    """Import uploaded roster CSVs in one transaction; refused rows go to a downloadable CSV."""
    from survey_app.roster.csv_files import FileRefused
    from survey_app.roster.importer import import_roster

    folder = upload_folder(ctx.params["upload"])
    try:
        paths = {name: folder / f"{name}.csv" for name in UPLOAD_FILES if (folder / f"{name}.csv").is_file()}
        if "alumni" not in paths or "enrollments" not in paths:
            raise JobFailed(N_("The uploaded files are gone; please upload them again."))
        ctx.set_total(sum(_count_lines(p) for p in paths.values()))
        name = "bad-rows.csv"
        partial = ctx.partial_path(name)
        bad = 0
        with partial.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow(["file", "line", "message"])

            def on_error(error) -> None:
                nonlocal bad
                bad += 1
                writer.writerow([neutralise(str(error.file)), error.line, neutralise(str(error.message))])

            try:
                sources = {name: _counted_source(path, name, ctx) for name, path in paths.items()}
                report = import_roster(db.engine, alumni=sources["alumni"], enrollments=sources["enrollments"],
                                       trainings=sources.get("trainings"), strict=bool(ctx.params.get("strict")),
                                       on_error=on_error, actor=ctx.actor)
            except FileRefused as refused:
                raise JobFailed(N_("Nothing was imported: %(reason)s"), reason=str(refused)) from None
        summary = {f.name: {"inserted": f.inserted, "updated": f.updated, "unchanged": f.unchanged,
                            "refused": f.refused} for f in report.files}
        if report.committed:
            message = N_("Imported: %(summary)s. Refused rows: %(bad)d.")
        else:
            message = N_("Nothing was imported (strict mode): %(bad)d refused rows; see the bad-rows file.")
        text = "; ".join(f"{n} +{s['inserted']} ~{s['updated']} ={s['unchanged']} x{s['refused']}"
                         for n, s in summary.items())
        ctx.publish(name, personal_data=True)  # bad rows quote the roster (names, contacts)
        ctx.say(message, summary=text, bad=bad)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _counted_source(path: Path, name: str, ctx: JobContext):
    """The file opened like ``flask roster import`` does; its records count as progress.

    Cancelling raises inside the import, whose single transaction then rolls back.
    """
    from survey_app.roster.csv_files import open_csv
    from survey_app.roster.importer import (
        ALUMNUS_COLUMNS,
        ENROLLMENT_COLUMNS,
        TRAINING_COLUMNS,
        TRAINING_OPTIONAL,
    )

    columns = {"trainings": (TRAINING_COLUMNS, TRAINING_OPTIONAL), "alumni": (ALUMNUS_COLUMNS, ()),
               "enrollments": (ENROLLMENT_COLUMNS, ())}[name]
    source = open_csv(path, *columns)
    source.records = ctx.counted(source.records, every=2000)
    return source


HANDLERS: dict[str, Callable[[JobContext], None]] = {
    "export": export, "codebook": codebook, "dataset": dataset, "report": report, "coding": coding,
    "messages": messages, "roster_import": roster_import,
    "sectors.retrain": sectors_retrain,  # retrain
}
