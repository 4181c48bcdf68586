"""Roster import from a staff-site upload (admins): alumni, enrollments and trainings CSVs.

The files are checked at once (a CSV name, UTF-8, the expected header) and stored outside
the web root; the import runs as a background job in one transaction (nothing
half-imported), and its refused rows become a downloadable CSV. The upload limit is
``JEJAK_UPLOAD_MAX_BYTES`` (checked from Content-Length before anything is read).
"""
from __future__ import annotations

import secrets
import shutil

from flask import current_app, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField

from survey_app.admin.blueprint import ADMIN_ONLY, bp, menu_entry, roles_required
from survey_app.admin.job_views import start_and_redirect
from survey_app.jobs import queue
from survey_app.jobs import service as jobs
from survey_app.jobs.kinds import UPLOAD_FILES, upload_folder

menu_entry("admin.roster_upload", _l("Roster upload"), ADMIN_ONLY)

SNIFF_BYTES = 64 * 1024


class RosterUploadForm(FlaskForm):
    alumni = FileField(_l("Alumni (alumni.csv)"))
    enrollments = FileField(_l("Enrollments (enrollments.csv)"))
    trainings = FileField(_l("Trainings (trainings.csv, optional)"))
    strict = BooleanField(_l("Import nothing if any row is bad"))


def _check_bytes(head: bytes) -> str | None:
    """A problem with the start of an uploaded file, or None."""
    if b"\x00" in head:
        return _("this is not a text file (CSV expected)")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not just a character cut at the end of the sample
            return _("the file is not UTF-8; save it as 'CSV UTF-8' and upload it again")
    return None


@bp.route("/roster/upload", methods=["GET", "POST"])
@roles_required(*ADMIN_ONLY)
def roster_upload():
    """The upload form (GET); POST checks the files and starts the import job."""
    from survey_app.roster.csv_files import FileRefused

    form = RosterUploadForm()
    limit_mb = current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024)
    recent = jobs.recent_jobs(kinds=("roster_import",), user=current_user, limit=10)

    def page(problems: list[str], status: int = 200):
        return render_template("admin/roster_upload.html", form=form, problems=problems, limit_mb=limit_mb,
                               jobs=recent, available=queue.queue_available(current_app)), status

    if not form.is_submitted():
        return page([])
    if not form.validate():
        return page([_("The form expired; please try again.")], 400)
    files = {name: getattr(form, name).data for name in UPLOAD_FILES}
    files = {name: f for name, f in files.items() if f is not None and getattr(f, "filename", "")}
    problems = [_("Please choose the %(file)s file.", file=name + ".csv")
                for name in ("alumni", "enrollments") if name not in files]
    for upload in files.values():
        if not upload.filename.lower().endswith(".csv"):
            problems.append(_("%(file)s: only .csv files can be imported.", file=upload.filename))
            continue
        head = upload.stream.read(SNIFF_BYTES)
        upload.stream.seek(0)
        problem = _check_bytes(head)
        if problem:
            problems.append(f"{upload.filename}: {problem}")
    if problems:
        return page(problems, 400)
    token = secrets.token_hex(16)
    folder = upload_folder(token)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        for name, upload in files.items():
            upload.save(folder / f"{name}.csv")
        from survey_app.roster.csv_files import open_csv
        from survey_app.roster.importer import (
            ALUMNUS_COLUMNS,
            ENROLLMENT_COLUMNS,
            TRAINING_COLUMNS,
            TRAINING_OPTIONAL,
        )
        columns = {"trainings": (TRAINING_COLUMNS, TRAINING_OPTIONAL), "alumni": (ALUMNUS_COLUMNS, ()),
                   "enrollments": (ENROLLMENT_COLUMNS, ())}
        for name in files:
            try:
                open_csv(folder / f"{name}.csv", *columns[name])  # header check only
            except FileRefused as refused:
                problems.append(_("%(file)s was refused: %(reason)s", file=files[name].filename,
                                  reason=refused.reason))
    except OSError:
        problems.append(_("The upload could not be stored; please try again."))
    if problems:
        shutil.rmtree(folder, ignore_errors=True)
        return page(problems, 400)
    response = start_and_redirect("roster_import", wave_id=None, personal_data=True,
                                  params={"upload": token, "strict": bool(form.strict.data),
                                          "files": {n: f.filename[:100] for n, f in files.items()}})
    if isinstance(response, tuple):  # not started (queue down): keep nothing
        shutil.rmtree(folder, ignore_errors=True)
    return response
