"""KBLI model versions (retrain, promote, roll back) and the blind double coding with its report.

Researchers see the versions, the comparison tables and the agreement report; only admins
start a retrain, promote a candidate or roll back (each audited). The promote button is
refused — on the page and on the server — while the candidate is worse than the active model.
"""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length

from survey_app.admin.blueprint import ADMIN_ONLY, DATA_ROLES, bp, menu_entry, roles_required, wave_or_404
from survey_app.admin.forms import ConfirmForm
from survey_app.extensions import db
from survey_app.models import SectorCode, SectorModelVersion
from survey_app.sectors import kbli
from survey_app.sectors.retraining import readiness, refusal
from survey_app.sectors.second_coding import SecondCodingRefused, agreement, next_item, progress, record_second_code
from survey_app.sectors.versions import VersionRefused, active_version, promote, rollback, versions

menu_entry("admin.sector_models", _l("KBLI models"), DATA_ROLES)


@bp.get("/sectors/models")
@roles_required(*DATA_ROLES)
def sector_models():
    """Model versions with their figures; how many people's codes a retrain has and needs."""
    ready = readiness()
    refused = refusal(ready)
    return render_template("admin/sector_models.html", rows=versions(), ready=ready,
                           refused=refused.translated() if refused else None, confirm=ConfirmForm())


@bp.post("/sectors/models/retrain")
@roles_required(*ADMIN_ONLY)
def sector_models_retrain():
    """Start a retraining job (refused at once, with the number needed, when there are too few codes)."""
    from survey_app.admin.job_views import start_and_redirect

    if not ConfirmForm().validate():
        abort(400)
    refused = refusal(readiness())
    if refused is not None:
        flash(refused.translated(), "error")
        return redirect(url_for("admin.sector_models"), 303)
    return start_and_redirect("sectors.retrain", wave_id=None, params={})


def _model_page(row: SectorModelVersion, status: int = 200):
    active = active_version()
    stale = row.status == "candidate" and active is not None and row.compared_with != active.version
    labels = {"section_accuracy": _("Section accuracy"), "section_macro_f1": _("Section macro-F1"),
              "division_accuracy": _("Division accuracy"), "kbli5_top1": _("5-digit top-1"),
              "kbli5_top3": _("5-digit top-3"), "auto_share": _("Auto-coded share"),
              "auto_precision": _("Auto-coded section precision")}
    return render_template("admin/sector_model.html", row=row, active=active, stale=stale, confirm=ConfirmForm(),
                           labels=labels), status


@bp.get("/sectors/models/<int:model_id>")
@roles_required(*DATA_ROLES)
def sector_model(model_id: int):
    """One version: the comparison with the model it was compared with, and promote / roll back."""
    return _model_page(db.get_or_404(SectorModelVersion, model_id))


def _switch(model_id: int, action, done: str):
    """Run promote/rollback; on refusal show the model's page with the reason (409, nothing changed)."""
    row = db.get_or_404(SectorModelVersion, model_id)
    if not ConfirmForm().validate():
        abort(400)
    try:
        action(row)
    except VersionRefused as refused:
        flash(refused.translated(), "error")
        return _model_page(row, 409)
    flash(done, "success")
    return redirect(url_for("admin.sector_model", model_id=row.id), 303)


@bp.post("/sectors/models/<int:model_id>/promote")
@roles_required(*ADMIN_ONLY)
def sector_model_promote(model_id: int):
    """Make a candidate that is not worse the active model (audited)."""
    return _switch(model_id, promote, _("This model is now the active model; new codes carry its version."))


@bp.post("/sectors/models/<int:model_id>/rollback")
@roles_required(*ADMIN_ONLY)
def sector_model_rollback(model_id: int):
    """Make an earlier active model the active one again (audited)."""
    return _switch(model_id, rollback, _("This model is the active model again; new codes carry its version."))


# ------------------------------------------------------------------ blind double coding

class SecondCodeForm(FlaskForm):
    first = HiddenField(validators=[DataRequired()])
    code = StringField(_l("KBLI code (division or 5 digits)"), validators=[DataRequired(), Length(max=5)])


@bp.get("/waves/<int:wave_id>/agreement")
@roles_required(*DATA_ROLES)
def coding_agreement(wave_id: int):
    """Coder agreement on the blind double-coded answers, and the model's agreement with people."""
    wave = wave_or_404(wave_id)
    return render_template("admin/coding_agreement.html", wave=wave, report=agreement(wave),
                           counts=progress(wave, current_user.id),
                           share=float(current_app.config["SECOND_CODING_SHARE"]))


@bp.route("/waves/<int:wave_id>/second-coding", methods=["GET", "POST"])
@roles_required(*DATA_ROLES)
def second_coding(wave_id: int):
    """The next answer to code blind: its text and the KBLI search, nothing else."""
    wave = wave_or_404(wave_id)
    form = SecondCodeForm()
    status = 200
    item: SectorCode | None
    if form.validate_on_submit():
        first = db.session.get(SectorCode, int(form.first.data)) if str(form.first.data).isdigit() else None
        if first is None:
            abort(404)
        try:
            record_second_code(first, form.code.data, current_user.id)
        except SecondCodingRefused as refused:
            form.code.errors.append(refused.translated())
            status = 400 if "KBLI" in refused.message else 409
            item = first
        else:
            flash(_("Second code saved."), "success")
            return redirect(url_for("admin.second_coding", wave_id=wave.id), 303)
    elif request.method == "POST":
        abort(400)
    else:
        item = next_item(wave, current_user.id)
    if item is not None and status == 200:
        form.first.data = str(item.id)
        form.code.data = ""
    query = request.args.get("q", "").strip()[:80]
    return render_template("admin/second_coding.html", wave=wave, item=item, form=form, query=query,
                           results=kbli.search(query) if query else []), status
