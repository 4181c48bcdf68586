"""The research report on the staff site: build it for a wave and download it as a ZIP.

The dataset export (audited as ``export.dataset``) is written to a temporary directory in the
instance folder, the analysis package builds report.html and tables/*.csv from it, and the
ZIP is streamed from an unlinked temporary file, so no data stays on disk.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from flask import abort, current_app, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, SelectField

from analysis import build_report
from survey_app.admin.blueprint import DATA_ROLES, bp, menu_entry, roles_required, wave_or_404
from survey_app.downloads import send_download
from survey_app.exports.dataset import write_dataset
from survey_app.extensions import db
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
    """The report form (GET) and the ZIP download (POST)."""
    wave = wave_or_404(wave_id)
    form = ReportForm()
    is_admin = current_user.can("admin")
    if not form.is_submitted():
        return render_template("admin/report.html", wave=wave, form=form, is_admin=is_admin)
    if not form.validate():
        return render_template("admin/report.html", wave=wave, form=form, is_admin=is_admin), 400
    if form.include_financial.data and not is_admin:
        abort(403)
    folder = Path(current_app.instance_path) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=folder, prefix="report-"))
    try:
        write_dataset(wave, work / "dataset", include_financial=form.include_financial.data)  # audits
        build_report(work / "dataset", work / "report", lang=form.language.data)
        fd, name = tempfile.mkstemp(dir=folder, prefix="report-", suffix=".zip")
        os.close(fd)
        archive = Path(name)
        try:
            with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
                zipped.write(work / "report" / "report.html", "report.html")
                for table in sorted((work / "report" / "tables").glob("*.csv")):
                    zipped.write(table, f"tables/{table.name}")
            handle = archive.open("rb")
        finally:
            archive.unlink(missing_ok=True)  # the open handle keeps it readable until sent
    finally:
        shutil.rmtree(work, ignore_errors=True)
    filename = f"report-{_safe(wave.name)}-{form.language.data}.zip"
    return send_download(handle, "application/zip", filename)


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)[:60] or "wave"
