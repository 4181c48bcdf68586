"""Starting, cancelling, reading and cleaning up jobs; who may see which result.

Decisions (docs/ARCHITECTURE.md, "Background jobs"):
- Starting the same work twice (same kind, wave, parameters and person) while the first is
  still queued or running returns the running job instead of a second one.
- A result is downloadable by the person who started the job, and by admins; only by roles
  that may start that kind; results with names/contacts only by admins.
- A worker that stops mid-job (kill -9, power cut) stops beating; after
  ``JOBS_STALE_SECONDS`` the reaper requeues the job (up to ``JOBS_MAX_ATTEMPTS`` runs) or
  marks it failed with a message.
"""
from __future__ import annotations

import hashlib
import json
import logging
import shutil
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import current_app, has_request_context
from flask_babel import gettext
from sqlalchemy import select, update

from survey_app.audit import record
from survey_app.extensions import db
from survey_app.jobs import queue
from survey_app.jobs.runner import N_, results_root
from survey_app.models import Job
from survey_app.models.types import as_utc, utcnow

log = logging.getLogger(__name__)

DATA_ROLES = ("admin", "researcher")
ADMIN_ONLY = ("admin",)
# Who may start (and so download) each kind of job.
KIND_ROLES: dict[str, tuple[str, ...]] = {
    "export": DATA_ROLES, "codebook": DATA_ROLES, "dataset": DATA_ROLES, "report": DATA_ROLES,
    "coding": DATA_ROLES, "messages": ADMIN_ONLY, "roster_import": ADMIN_ONLY,
    "sectors.retrain": ADMIN_ONLY,  # retrain (issue 13 item 5)
}
# Kinds whose result has one row per person of the job's wave (deleted on an erasure).
PERSON_ROW_KINDS = ("export", "dataset")
KIND_LABELS = {
    "export": N_("Export"), "codebook": N_("Codebook"), "dataset": N_("Research dataset"),
    "report": N_("Research report"), "coding": N_("KBLI coding"), "messages": N_("Sending e-mails"),
    "roster_import": N_("Roster import"),
    "sectors.retrain": N_("KBLI model retraining"),  # retrain
}
STATE_LABELS = {
    "queued": N_("waiting"), "running": N_("running"), "done": N_("done"), "failed": N_("failed"),
    "cancelled": N_("cancelled"), "expired": N_("deleted"),
}


class JobRefused(Exception):
    """The job may not be started or changed as asked; the message is for staff."""


@dataclass
class Started:
    job: Job
    reused: bool


def start_job(kind: str, *, user, wave_id: int | None, params: dict, personal_data: bool = False,
              dedupe: bool = True) -> Started:
    """Record and queue a job (audited as ``job.start``); reuses an identical running one.

    Raises JobRefused when ``user`` may not start ``kind`` and queue.QueueUnavailable when
    the broker is down (the job is then recorded as failed, with that message).
    """
    if user.role not in KIND_ROLES[kind]:
        raise JobRefused("role may not start this kind of job")
    key = _dedupe_key(kind, wave_id, params, user.id)
    if dedupe:
        running = db.session.scalar(select(Job).where(Job.dedupe_key == key, Job.state.in_(Job.ACTIVE))
                                    .order_by(Job.id.desc()).limit(1))
        if running is not None:
            return Started(running, True)
    job = Job(kind=kind, wave_id=wave_id, user_id=user.id, actor=user.email, params=params, dedupe_key=key,
              state="queued", done=0, personal_data=personal_data, cancel_requested=False, attempts=0,
              message=N_("Waiting for a worker."), message_args={})
    db.session.add(job)
    db.session.flush()
    record("job.start", f"job:{job.id}", {"kind": kind, "wave_id": wave_id, **params})
    db.session.commit()
    try:
        queue.enqueue(current_app._get_current_object(), job.id)  # type: ignore[attr-defined]  # current_app is a LocalProxy
    except queue.QueueUnavailable:
        _finish(job.id, "failed", N_("Background jobs are unavailable right now (the job queue cannot be reached). "
                                     "Please try again later."))
        raise
    db.session.expire(job)
    return Started(job, False)


def _dedupe_key(kind: str, wave_id: int | None, params: dict, user_id: int | None) -> str:
    text = json.dumps([kind, wave_id, params, user_id], sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:64]


def _finish(job_id: int, state: str, message: str, **args) -> None:
    db.session.execute(update(Job).where(Job.id == job_id)
                       .values(state=state, message=message, message_args=args, finished_at=utcnow()))
    db.session.commit()


def cancel_job(job: Job) -> bool:
    """Ask a job to stop; a queued job stops at once. False when it had already ended."""
    if job.state not in Job.ACTIVE:
        record("job.cancel", f"job:{job.id}", {"refused": "already " + job.state})
        db.session.commit()
        return False
    changed = db.session.execute(update(Job).where(Job.id == job.id, Job.state == "queued")  # type: ignore[attr-defined]  # DML returns a CursorResult, which has rowcount
                                 .values(state="cancelled", cancel_requested=True, finished_at=utcnow(),
                                         message=N_("Cancelled."), message_args={})).rowcount
    if not changed:  # running: the worker sees the flag within a heartbeat and stops
        db.session.execute(update(Job).where(Job.id == job.id).values(cancel_requested=True))
    record("job.cancel", f"job:{job.id}", {"kind": job.kind, "state": job.state})
    db.session.commit()
    return True


# ------------------------------------------------------------------ reading

def may_start(user, kind: str) -> bool:
    return user.role in KIND_ROLES.get(kind, ())


def may_see(user, job: Job) -> bool:
    """Whether ``user`` may see the job's page (its kind is theirs to start; own job or admin)."""
    if not may_start(user, job.kind):
        return False
    return user.role == "admin" or job.user_id == user.id


def download_refusal(user, job: Job) -> int | None:
    """None when ``user`` may download the job's result, else the HTTP status to answer."""
    if not may_see(user, job) or (job.personal_data and user.role != "admin"):
        return 403
    if job.state != "done" or not job.result_path or not result_file(job).is_file():
        return 404
    return None


def result_file(job: Job) -> Path:
    """The result file on disk (whether or not it still exists)."""
    root = results_root().resolve()
    path = (root / (job.result_path or "")).resolve()
    if root not in path.parents:  # never leave the results folder, whatever the row says
        raise ValueError("result path outside the results folder")
    return path


def translated_message(job: Job) -> str:
    """The job's status line in the current user's language."""
    if not job.message:
        return ""
    text = gettext(job.message) if has_request_context() else job.message
    args = job.message_args or {}
    try:
        return text % args if args else text
    except (KeyError, TypeError, ValueError):
        return text


def progress(job: Job) -> dict:
    """done/total, percent, rows per second and seconds left (None when unknown)."""
    total = job.total
    percent = None
    if job.state == "done":
        percent = 100.0
    elif total:
        percent = round(min(100.0, 100.0 * job.done / total), 1)
    eta = None
    if job.state == "running" and total and job.rate and job.rate > 0:
        eta = round(max(0, total - job.done) / job.rate)
    return {"done": job.done, "total": total, "percent": percent, "rate": job.rate, "eta_seconds": eta}


def as_json(job: Job, download_url: str | None) -> dict:
    """The job as the staff page's JSON (also for scripts)."""
    info = progress(job)
    localized = has_request_context()
    return {"id": job.id, "kind": job.kind, "state": job.state, "progress": info,
            "state_label": gettext(STATE_LABELS[job.state]) if localized else job.state,
            "eta_text": (gettext("about %(s)d s left", s=info["eta_seconds"]) if localized else None)
            if info["eta_seconds"] is not None else None,
            "message": translated_message(job), "download_url": download_url,
            "result_name": job.result_name if job.state == "done" else None,
            "created_at": _iso(job.created_at), "finished_at": _iso(job.finished_at),
            "cancel_requested": job.cancel_requested, "attempts": job.attempts}


def _iso(moment) -> str | None:
    return None if moment is None else as_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def recent_jobs(*, wave_id: int | None = None, kinds: tuple[str, ...] | None = None, limit: int = 20,
                user=None) -> list[Job]:
    """Newest jobs first (of a wave, of some kinds, visible to ``user``)."""
    query = select(Job).order_by(Job.id.desc()).limit(limit * 3 if user is not None else limit)
    if wave_id is not None:
        query = query.where(Job.wave_id == wave_id)
    if kinds:
        query = query.where(Job.kind.in_(kinds))
    jobs = list(db.session.scalars(query).all())
    if user is not None:
        jobs = [job for job in jobs if may_see(user, job)]
    return jobs[:limit]


# ------------------------------------------------------------------ maintenance

def reap_stale_jobs(*, now=None) -> dict[str, int]:
    """Running jobs whose worker stopped beating: requeue (attempts left) or fail them."""
    now = now or utcnow()
    stale = timedelta(seconds=float(current_app.config["JOBS_STALE_SECONDS"]))
    limit = int(current_app.config["JOBS_MAX_ATTEMPTS"])
    outcome = {"requeued": 0, "failed": 0}
    candidates = db.session.scalars(select(Job).where(Job.state == "running")).all()
    for job in candidates:
        beat = as_utc(job.heartbeat_at or job.started_at or job.created_at)
        if beat > now - stale:
            continue
        if job.attempts < limit and not job.cancel_requested:
            changed = db.session.execute(  # type: ignore[attr-defined]  # DML returns a CursorResult, which has rowcount
                update(Job).where(Job.id == job.id, Job.state == "running", Job.attempts == job.attempts)
                .values(state="queued", message=N_("The worker stopped during this job; it was queued again."),
                        message_args={})).rowcount
            db.session.commit()
            if changed:
                try:
                    queue.enqueue(current_app._get_current_object(), job.id)  # type: ignore[attr-defined]  # current_app is a LocalProxy
                    outcome["requeued"] += 1
                    continue
                except queue.QueueUnavailable:
                    pass
        changed = db.session.execute(  # type: ignore[attr-defined]  # DML returns a CursorResult, which has rowcount
            update(Job).where(Job.id == job.id, Job.state.in_(Job.ACTIVE))
            .values(state="failed", finished_at=now,
                    message=N_("The worker stopped during this job (attempt %(attempts)d of %(limit)d); "
                               "please start it again."),
                    message_args={"attempts": job.attempts, "limit": limit})).rowcount
        db.session.commit()
        if changed:
            _remove_folder(job.id)
            outcome["failed"] += 1
    if any(outcome.values()):
        log.warning("stale jobs: %s", outcome)
    return outcome


def delete_expired_results(*, now=None) -> int:
    """Delete result files older than ``JOBS_RETENTION_DAYS``; their jobs become ``expired``."""
    now = now or utcnow()
    cutoff = now - timedelta(days=float(current_app.config["JOBS_RETENTION_DAYS"]))
    jobs = db.session.scalars(select(Job).where(Job.state == "done", Job.finished_at < cutoff)).all()
    for job in jobs:
        _expire(job, N_("The result was deleted after the retention period."))
    if jobs:
        record("job.results_deleted", "retention", {"jobs": [job.id for job in jobs]}, actor="system")
    db.session.commit()
    return len(jobs)


def forget_alumnus(wave_ids: list[int]) -> list[int]:
    """An alumnus' erasure: delete results that may contain them; stop such running jobs.

    Results with one row per person of their waves (exports, datasets) and uploaded roster
    files' bad-rows lists go. Joins the caller's transaction (commit with the erasure).
    """
    query = select(Job).where(Job.kind == "roster_import")
    if wave_ids:
        query = select(Job).where((Job.kind == "roster_import")
                                  | (Job.kind.in_(PERSON_ROW_KINDS) & Job.wave_id.in_(wave_ids)))
    touched = []
    for job in db.session.scalars(query).all():
        if job.state == "done" and job.result_path:
            _expire(job, N_("The result was deleted because a person in it asked for erasure."))
            touched.append(job.id)
        elif job.state in Job.ACTIVE and job.kind != "roster_import":
            job.cancel_requested = True
            touched.append(job.id)
    return touched


def _expire(job: Job, message: str) -> None:
    _remove_folder(job.id)
    job.state, job.result_path, job.message, job.message_args = "expired", None, message, {}


def _remove_folder(job_id: int) -> None:
    shutil.rmtree(results_root() / str(job_id), ignore_errors=True)
