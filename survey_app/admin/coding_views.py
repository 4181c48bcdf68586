"""The KBLI review queue: people code the answers the classifier was unsure about."""
from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from survey_app.admin.blueprint import DATA_ROLES, bp, page_arg, roles_required, wave_or_404
from survey_app.extensions import db
from survey_app.models import Wave
from survey_app.sectors import kbli
from survey_app.sectors.service import (
    CodingError,
    current_code,
    history,
    record_manual_code,
    review_queue,
    status_counts,
)

PAGE_SIZE = 50


class CodeForm(FlaskForm):
    code = StringField(_l("KBLI code (division or 5 digits)"), validators=[DataRequired(), Length(max=5)])


@bp.get("/waves/<int:wave_id>/coding")
@roles_required(*DATA_ROLES)
def coding_queue(wave_id: int):
    """Counts by status and the answers waiting for a person, least confident first."""
    wave = wave_or_404(wave_id)
    page = page_arg()
    total, items = review_queue(wave, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    return render_template("admin/coding_queue.html", wave=wave, items=items, total=total, page=page,
                           pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1), counts=status_counts(wave),
                           title=kbli.title)


@bp.route("/coding/<int:code_id>", methods=["GET", "POST"])
@roles_required(*DATA_ROLES)
def coding_item(code_id: int):
    """One answer: the model's top 3 with titles, KBLI search, and the coding history."""
    code = current_code(code_id)
    if code is None:
        abort(404)
    wave_id = request.args.get("wave", type=int)
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            record_manual_code(code, form.code.data, current_user.id)
        except CodingError as error:
            form.code.errors.append(str(error))
            status = 409 if "meanwhile" in str(error) else 400
        else:
            flash(_("Saved %(code)s for this answer.", code=form.code.data), "success")
            return redirect(_next_item(wave_id), 303)
    elif request.method == "POST":
        status = 400
    query = request.args.get("q", "").strip()[:80]
    return render_template("admin/coding_item.html", code=code, form=form, wave_id=wave_id,
                           history=history(code.response_id, code.question), title=kbli.title,
                           query=query, results=kbli.search(query) if query else []), status


def _next_item(wave_id: int | None) -> str:
    if wave_id is None:
        return url_for("admin.home")
    wave = db.session.get(Wave, wave_id)
    _total, items = review_queue(wave, 1, 0) if wave else (0, [])
    if items:
        return url_for("admin.coding_item", code_id=items[0].id, wave=wave_id)
    return url_for("admin.coding_queue", wave_id=wave_id)


@bp.get("/kbli/search")
@roles_required(*DATA_ROLES)
def kbli_search():
    """KBLI 2020 divisions and 5-digit codes matching ``q`` (for the coder's search box)."""
    query = request.args.get("q", "").strip()[:80]
    return jsonify([{"code": e.code, "title": e.title, "section": e.section} for e in kbli.search(query)])
