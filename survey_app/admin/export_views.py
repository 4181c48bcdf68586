"""Exports on the staff site: a wave's responses as CSV/XLSX/Stata/SPSS, and its codebook.

CSV streams while it is generated; the other formats are built in a temporary file in the
instance folder, then streamed and deleted (see survey_app/exports/__init__.py for why).
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from flask import Response, abort, current_app, render_template, stream_with_context
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, SelectField

from survey_app.admin.blueprint import DATA_ROLES, bp, menu_entry, roles_required, wave_or_404
from survey_app.downloads import download_headers, send_download
from survey_app.exports import writers
from survey_app.exports.codebook import render_codebook_html
from survey_app.exports.service import (
    FORMATS, MEDIA_TYPES, ExportOptions, ExportRefused, audit, plan_export, write_to,
)
from survey_app.extensions import db
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



@bp.get("/exports")
@roles_required(*DATA_ROLES)
def exports():
    """The waves that can be exported."""
    waves = db.session.scalars(select(Wave).order_by(Wave.created_at.desc(), Wave.id.desc())).all()
    return render_template("admin/exports.html", waves=waves)


@bp.route("/waves/<int:wave_id>/export", methods=["GET", "POST"])
@roles_required(*DATA_ROLES)
def wave_export(wave_id: int):
    """The export form (GET) and the download (POST); every export is audited."""
    wave = wave_or_404(wave_id)
    form = ExportForm()
    is_admin = current_user.can("admin")
    if not form.is_submitted():
        return render_template("admin/export.html", wave=wave, form=form, is_admin=is_admin)
    if not form.validate():
        return render_template("admin/export.html", wave=wave, form=form, is_admin=is_admin), 400
    options = ExportOptions(format=form.format.data, language=form.language.data, labels=form.labels.data,
                            include_personal=form.include_personal.data,
                            include_financial=form.include_financial.data,
                            submitted_only=form.submitted_only.data)
    try:
        options.check(current_user.role)
    except ExportRefused:
        abort(403)
    plan = plan_export(wave, options)
    filename = plan.filename
    # Recorded before any data leaves: a download cut half-way still counts as an export.
    audit(plan, via="web")
    db.session.commit()
    if options.format == "csv":
        chunks = writers.csv_chunks(plan.columns, plan.rows(), labels=options.labels,
                                    language=options.language, bom=True)
        return Response(stream_with_context(chunks), mimetype=MEDIA_TYPES["csv"],
                        headers=download_headers(filename))
    return _send_built_file(plan, filename, options.format)


def _send_built_file(plan, filename: str, fmt: str):
    folder = Path(current_app.instance_path) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=folder, prefix="export-", suffix=f".{fmt}")
    os.close(fd)
    path = Path(name)
    try:
        write_to(plan, path)
        handle = path.open("rb")
    finally:
        # Unlinked at once: the open handle keeps the data readable until the download ends,
        # and nothing personal is left behind in the instance folder.
        path.unlink(missing_ok=True)
    return send_download(handle, MEDIA_TYPES[fmt], filename)


@bp.get("/waves/<int:wave_id>/codebook")
@roles_required(*DATA_ROLES)
def wave_codebook(wave_id: int):
    """The codebook of the wave's export as a page (no data, so not audited)."""
    wave = wave_or_404(wave_id)
    plan = plan_export(wave, ExportOptions(include_personal=True, include_financial=True))
    title = f"{wave.name}: {plan.questionnaire.name} v{plan.questionnaire.version}"
    return allow_inline_styles(Response(render_codebook_html(plan.columns, title), mimetype="text/html"))
