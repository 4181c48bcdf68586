"""The research report on the staff site: build it for a wave and download it as a ZIP.

Building runs as a background job (survey_app/jobs/kinds.py, ``report``): the dataset export
(audited as ``export.dataset``) is written to the job's scratch folder, the analysis package
builds report.html and tables/*.csv, and the ZIP becomes the job's result (kept for the
retention period, readable by its starter and admins).
"""
from __future__ import annotations

from flask import abort, current_app, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, SelectField

from survey_app.admin.blueprint import DATA_ROLES, bp, menu_entry, roles_required, wave_or_404
from survey_app.admin.job_views import start_and_redirect
from survey_app.extensions import db
from survey_app.jobs import queue
from survey_app.jobs import service as jobs
from survey_app.models import Wave

menu_entry("admin.reports", _l("Report"), DATA_ROLES)


class ReportForm(FlaskForm):
    language = SelectField(_l("Language of the report"), choices=[("id", "Bahasa Indonesia"), ("en", "English")])
    include_financial = BooleanField(_l("Include revenue and profit (admins only)"))


@bp.get("/reports")
@roles_required(*DATA_ROLES)
def reports():
    """The waves a report can be built for."""
    waves = db.session.scalars(select(Wave).order_by(Wave.created_at.desc(), Wave.id.desc())).all()
    return render_template("admin/reports.html", waves=waves)


@bp.route("/waves/<int:wave_id>/report", methods=["GET", "POST"])
@roles_required(*DATA_ROLES)
def wave_report(wave_id: int):
    """The report form and recent report jobs (GET); POST starts a report job."""
    wave = wave_or_404(wave_id)
    form = ReportForm()
    is_admin = current_user.can("admin")
    if not form.is_submitted() or not form.validate():
        return render_template("admin/report.html", wave=wave, form=form, is_admin=is_admin,
                               jobs=jobs.recent_jobs(wave_id=wave.id, kinds=("report",), user=current_user,
                                                     limit=10),
                               available=queue.queue_available(current_app)), 400 if form.is_submitted() else 200
    if form.include_financial.data and not is_admin:
        abort(403)
    # Built by a background job (survey_app/jobs/kinds.py: report); the answer comes at once.
    return start_and_redirect("report", wave_id=wave.id,
                              params={"language": form.language.data,
                                      "include_financial": bool(form.include_financial.data)})
