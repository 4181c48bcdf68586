"""Running one job to its end: claim it, call its kind's handler, record how it ended.

Separate from runner.py (the context every job kind uses: progress, heartbeat, cancel,
results) so that the kinds depend on the runner and only this module depends on both.
"""
from __future__ import annotations

import logging
import shutil
from pathlib import Path

from flask import current_app

from survey_app.extensions import db
from survey_app.jobs.kinds import HANDLERS
from survey_app.jobs.runner import N_, JobCancelled, JobContext, JobFailed, _update, claim, heartbeat
from survey_app.models.types import utcnow

log = logging.getLogger(__name__)


def run_job(job_id: int) -> None:
    """Run job ``job_id`` to its end state (done, failed or cancelled)."""
    job = claim(job_id)
    if job is None:
        log.info("job %s is not queued any more (cancelled or taken); skipped", job_id)
        return
    ctx = JobContext(job, progress_every=float(current_app.config.get("JOBS_PROGRESS_SECONDS", 1.0)))
    shutil.rmtree(ctx.folder, ignore_errors=True)  # a retry starts clean
    handler = HANDLERS[job.kind]
    db.session.commit()
    final: dict
    try:
        with heartbeat(ctx, float(current_app.config.get("JOBS_HEARTBEAT_SECONDS", 5))):
            handler(ctx)
        ctx._write(force=True)
        final = {"state": "done"}
    except JobCancelled:
        db.session.rollback()
        final = {"state": "cancelled", "message": N_("Cancelled."), "message_args": {}}
    except JobFailed as failed:
        db.session.rollback()
        final = {"state": "failed", "message": failed.message, "message_args": failed.args_}
    except Exception:  # noqa: BLE001 - the job fails with a message; details go to the log
        db.session.rollback()
        log.exception("job %s (%s) failed", job_id, job.kind)
        final = {"state": "failed",
                 "message": N_("The job stopped because of an unexpected error; the details are in the server log."),
                 "message_args": {}}
    finally:
        shutil.rmtree(ctx.folder / ".work", ignore_errors=True)
    if final["state"] != "done":
        _remove_partials(ctx.folder)
    final["finished_at"] = utcnow()
    final["heartbeat_at"] = final["finished_at"]
    if not _update(job_id, final, only_running=True):
        log.warning("job %s finished but was no longer running (reaped meanwhile?)", job_id)
    db.session.remove()


def _remove_partials(folder: Path) -> None:
    for partial in folder.glob(".partial-*"):
        partial.unlink(missing_ok=True)
