"""Background jobs on the staff site: a job's page (HTML or JSON), cancel, download, lists.

The job page polls its own URL with ``Accept: application/json`` (static/jobs.js) to move
the progress bar without reloading. Every start, download (and refused download) and cancel
is in the audit log.
"""
from __future__ import annotations

from typing import cast

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from survey_app.admin.blueprint import ALL_ROLES, DATA_ROLES, bp, menu_entry, roles_required, wave_or_404
from survey_app.admin.forms import ConfirmForm
from survey_app.audit import record_access
from survey_app.downloads import send_download
from survey_app.errors import render_error
from survey_app.extensions import db
from survey_app.jobs import queue, service
from survey_app.jobs.queue import QueueUnavailable
from survey_app.jobs.service import JobRefused
from survey_app.models import Job

menu_entry("admin.jobs_list", _l("Jobs"), DATA_ROLES)


@bp.app_context_processor
def job_labels() -> dict:
    """Translated kind and state names for the job tables."""
    return {"job_kind_label": lambda kind: _(service.KIND_LABELS.get(kind, kind)),
            "job_state_label": lambda state: _(service.STATE_LABELS.get(state, state))}


def wants_json() -> bool:
    """Whether the client asked for JSON (the progress script, or a script of staff)."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes["application/json"] > \
        request.accept_mimetypes["text/html"]


def jobs_unavailable():
    """The answer when the queue cannot be reached: the staff site says so (503)."""
    message = _("Background jobs are unavailable right now (the job queue cannot be reached). "
                "Nothing was started; please try again later.")
    if wants_json():
        return jsonify({"error": "jobs_unavailable", "message": message}), 503
    body, _code = render_error(400, _("Background jobs unavailable"), message)
    return body, 503


def start_and_redirect(kind: str, *, wave_id: int | None, params: dict, personal_data: bool = False):
    """Start (or reuse) a job and send the browser to its page (303); 403/503 when refused."""
    try:
        started = service.start_job(kind, user=current_user, wave_id=wave_id, params=params,
                                    personal_data=personal_data)
    except JobRefused:
        abort(403)
    except QueueUnavailable:
        return jobs_unavailable()
    target = url_for("admin.job_page", job_id=started.job.id, reused=1 if started.reused else None)
    if wants_json():
        return jsonify({"id": started.job.id, "url": target, "reused": started.reused}), 202
    return redirect(target, 303)


def _visible_job(job_id: int) -> Job:
    job = db.get_or_404(Job, job_id)
    if not service.may_see(current_user, job):
        abort(403)
    return job


def _download_url(job: Job) -> str | None:
    if job.state == "done" and job.result_path and service.download_refusal(current_user, job) is None:
        return url_for("admin.job_download", job_id=job.id)
    return None


@bp.get("/jobs/<int:job_id>")
@roles_required(*ALL_ROLES)
def job_page(job_id: int):
    """A job's state and progress: a page with a live bar, or JSON for ``Accept: application/json``."""
    job = _visible_job(job_id)
    data = service.as_json(job, _download_url(job))
    if wants_json():
        response = jsonify(data)
        response.headers["Cache-Control"] = "no-store"
        return response
    return render_template("admin/job.html", job=job, data=data, confirm=ConfirmForm(),
                           kind_label=_(service.KIND_LABELS[job.kind]),
                           state_label=_(service.STATE_LABELS[job.state]), reused=request.args.get("reused"))


@bp.post("/jobs/<int:job_id>/cancel")
@roles_required(*ALL_ROLES)
def job_cancel(job_id: int):
    """Cancel a job; cancelling one that already ended changes nothing (409 for scripts)."""
    job = _visible_job(job_id)
    form = ConfirmForm()
    if not form.validate():
        abort(400)
    changed = service.cancel_job(job)
    if wants_json():
        db.session.refresh(job)
        return jsonify(service.as_json(job, _download_url(job))), 200 if changed else 409
    if changed:
        flash(_("Cancel requested; the job stops at its next step."), "success")
    else:
        flash(_("This job had already ended; nothing was cancelled."), "error")
    return redirect(url_for("admin.job_page", job_id=job.id), 303)


@bp.get("/jobs/<int:job_id>/download")
@roles_required(*ALL_ROLES)
def job_download(job_id: int):
    """The job's result file; refusals (other person's, personal data, expired) are audited."""
    job = db.get_or_404(Job, job_id)
    refusal = service.download_refusal(current_user, job)
    if refusal is not None:
        record_access("job.download_refused", f"job:{job.id}",
                      {"kind": job.kind, "state": job.state, "status": refusal})
        abort(refusal)
    path = service.result_file(job)
    record_access("job.download", f"job:{job.id}", {"kind": job.kind, "file": job.result_name,
                                                      "personal_data": job.personal_data})
    name = cast(str, job.result_name)  # download_refusal refused jobs without a result file
    return send_download(path.open("rb"), _media_type(name), name)


def _media_type(name: str) -> str:
    from survey_app.exports.service import MEDIA_TYPES

    suffix = name.rsplit(".", 1)[-1].lower()
    return {"zip": "application/zip", "html": "text/html; charset=utf-8"}.get(suffix) or \
        MEDIA_TYPES.get(suffix, "application/octet-stream")


@bp.get("/jobs")
@roles_required(*DATA_ROLES)
def jobs_list():
    """Recent jobs this person may see."""
    jobs = service.recent_jobs(user=current_user, limit=50)
    return render_template("admin/jobs.html", jobs=jobs, wave=None, available=queue.queue_available(current_app))


@bp.get("/waves/<int:wave_id>/jobs")
@roles_required(*DATA_ROLES)
def wave_jobs(wave_id: int):
    """A wave's recent jobs, and buttons for the jobs without their own page (coding, dataset, codebook)."""
    wave = wave_or_404(wave_id)
    jobs = service.recent_jobs(wave_id=wave.id, user=current_user, limit=30)
    return render_template("admin/jobs.html", jobs=jobs, wave=wave, confirm=ConfirmForm(),
                           available=queue.queue_available(current_app))


@bp.post("/waves/<int:wave_id>/jobs/<kind>")
@roles_required(*DATA_ROLES)
def start_wave_job(wave_id: int, kind: str):
    """Start KBLI coding, the research dataset or the codebook of a wave."""
    wave = wave_or_404(wave_id)
    if kind not in ("coding", "dataset", "codebook"):
        abort(404)
    form = ConfirmForm()
    if not form.validate():
        abort(400)
    params: dict = {}
    if kind == "codebook":
        fmt = request.form.get("format", "csv")
        if fmt not in ("csv", "html"):
            abort(400)
        params = {"format": fmt}
    if kind == "dataset":
        financial = request.form.get("include_financial") == "1"
        if financial and not current_user.can("admin"):
            abort(403)
        params = {"include_financial": financial}
    return start_and_redirect(kind, wave_id=wave.id, params=params)
