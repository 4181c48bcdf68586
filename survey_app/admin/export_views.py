"""Exports on the staff site: a wave's responses as CSV/XLSX/Stata/SPSS, and its codebook.

Every export is a background job (survey_app/jobs): the form answers at once with the job's
page (live progress, cancel, download when done); the job writes the audit event.
"""
from __future__ import annotations

from dataclasses import asdict

from flask import Response, abort, current_app, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, SelectField

from survey_app.admin.blueprint import DATA_ROLES, bp, menu_entry, roles_required, wave_or_404
from survey_app.admin.job_views import start_and_redirect
from survey_app.exports.codebook import render_codebook_html
from survey_app.exports.service import FORMATS, ExportOptions, ExportRefused, plan_export
from survey_app.extensions import db
from survey_app.jobs import queue
from survey_app.jobs import service as jobs
from survey_app.models import Wave
from survey_app.security_headers import allow_inline_styles

menu_entry("admin.exports", _l("Exports"), DATA_ROLES)

FORMAT_LABELS = {"csv": "CSV", "xlsx": "Excel (XLSX)", "dta": "Stata (.dta)", "sav": "SPSS (.sav)"}


class ExportForm(FlaskForm):
    format = SelectField(_l("Format"), choices=[(f, FORMAT_LABELS[f]) for f in FORMATS])
    language = SelectField(_l("Language of labels"), choices=[("id", "Bahasa Indonesia"), ("en", "English")])
    labels = BooleanField(_l("CSV/Excel: write choice labels instead of codes"))
    submitted_only = BooleanField(_l("Only submitted responses"))
    include_personal = BooleanField(_l("Include external id, name, phone and e-mail (admins only)"))
    include_financial = BooleanField(_l("Include financial answers: wage, revenue, profit (admins only)"))
    include_earlier = BooleanField(_l("Follow-up wave: add the earlier wave's answers (prev_ columns)"))



@bp.get("/exports")
@roles_required(*DATA_ROLES)
def exports():
    """The waves that can be exported."""
    waves = db.session.scalars(select(Wave).order_by(Wave.created_at.desc(), Wave.id.desc())).all()
    return render_template("admin/exports.html", waves=waves)


@bp.route("/waves/<int:wave_id>/export", methods=["GET", "POST"])
@roles_required(*DATA_ROLES)
def wave_export(wave_id: int):
    """The export form and the wave's recent export jobs (GET); POST starts an export job."""
    wave = wave_or_404(wave_id)
    form = ExportForm()
    is_admin = current_user.can("admin")
    if form.is_submitted() and form.include_earlier.data and wave.follow_up_of_id is None:
        form.validate()
        form.include_earlier.errors = [*form.include_earlier.errors,
                                       _("Wave %(name)s is not a follow-up of an earlier wave.", name=wave.name)]
        return render_template("admin/export.html", wave=wave, form=form, is_admin=is_admin,
                               jobs=jobs.recent_jobs(wave_id=wave.id, kinds=("export", "codebook", "dataset"),
                                                     user=current_user, limit=10),
                               available=queue.queue_available(current_app)), 400
    if not form.is_submitted() or not form.validate():
        return render_template("admin/export.html", wave=wave, form=form, is_admin=is_admin,
                               jobs=jobs.recent_jobs(wave_id=wave.id, kinds=("export", "codebook", "dataset"),
                                                     user=current_user, limit=10),
                               available=queue.queue_available(current_app)), 400 if form.is_submitted() else 200
    options = ExportOptions(format=form.format.data, language=form.language.data, labels=form.labels.data,
                            include_personal=form.include_personal.data,
                            include_financial=form.include_financial.data,
                            submitted_only=form.submitted_only.data,
                            include_earlier=form.include_earlier.data)
    try:
        options.check(current_user.role)
    except ExportRefused:
        abort(403)
    # The export runs as a job (survey_app/jobs): the answer comes at once, the file when ready.
    return start_and_redirect("export", wave_id=wave.id, params=asdict(options),
                              personal_data=options.include_personal)


@bp.get("/waves/<int:wave_id>/codebook")
@roles_required(*DATA_ROLES)
def wave_codebook(wave_id: int):
    """The codebook of the wave's export as a page (no data, so not audited)."""
    wave = wave_or_404(wave_id)
    plan = plan_export(wave, ExportOptions(include_personal=True, include_financial=True,
                                           include_earlier=wave.follow_up_of_id is not None))
    title = f"{wave.name}: {plan.questionnaire.name} v{plan.questionnaire.version}"
    return allow_inline_styles(Response(render_codebook_html(plan.columns, title), mimetype="text/html"))
