"""Looking up one alumnus, re-issuing their link, erasing their answers on request (admins)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from survey_app.admin.blueprint import ADMIN_ONLY, bp, menu_entry, roles_required
from survey_app.admin.forms import ConfirmForm
from survey_app.alumni import service
from survey_app.audit import record
from survey_app.extensions import db
from survey_app.models import Invitation

menu_entry("admin.alumni_search", _l("Alumni"), ADMIN_ONLY)


class EraseForm(FlaskForm):
    reason = TextAreaField(_l("Reason (e.g. the person's request, with date and channel)"),
                           validators=[DataRequired(), Length(max=500)])


@bp.get("/alumni")
@roles_required(*ADMIN_ONLY)
def alumni_search():
    """Find an alumnus by the programme's external id."""
    term = (request.args.get("q") or "").strip()[:64]
    if term:
        if service.find_alumnus(term) is not None:
            return redirect(url_for("admin.alumnus_detail", external_id=term))
        flash(_("No alumnus with external id %(id)s.", id=term), "error")
    return render_template("admin/alumni_search.html", term=term)


@bp.get("/alumni/<external_id>")
@roles_required(*ADMIN_ONLY)
def alumnus_detail(external_id: str):
    """Contact details, roster trainings, invitations and their history (an audited view)."""
    alumnus = service.find_alumnus(external_id)
    if alumnus is None:
        abort(404)
    return _detail_page(alumnus, EraseForm())


def _detail_page(alumnus, erase_form: EraseForm, status: int = 200):
    record("personal_data.view", f"alumnus:{alumnus.external_id}")
    db.session.commit()
    invitations = service.invitations_of(alumnus)
    return render_template("admin/alumnus.html", alumnus=alumnus, trainings=service.trainings_of(alumnus),
                           invitations=[(i, service.history(i)) for i in invitations],
                           confirm=ConfirmForm(), erase=erase_form), status


@bp.post("/invitations/<int:invitation_id>/reissue")
@roles_required(*ADMIN_ONLY)
def reissue(invitation_id: int):
    """Give an invitation a new link; the old one stops working."""
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None:
        abort(404)
    try:
        url = service.reissue_link(invitation)
    except service.ActionRefused as refused:
        flash(str(refused), "error")
        return redirect(url_for("admin.alumnus_detail", external_id=invitation.alumnus.external_id))
    # Shown once, never stored: only the hash is kept.
    return render_template("admin/new_link.html", invitation=invitation, url=url)


@bp.post("/alumni/<external_id>/erase")
@roles_required(*ADMIN_ONLY)
def erase(external_id: str):
    """Withdraw consent and erase every answer of the person (UU PDP right to erasure)."""
    alumnus = service.find_alumnus(external_id)
    if alumnus is None:
        abort(404)
    form = EraseForm()
    if not form.validate_on_submit():
        form.reason.errors = [_("Give the reason for the erasure.")]
        return _detail_page(alumnus, form, 400)
    erased = service.erase_answers(alumnus, form.reason.data)
    flash(_("Consent withdrawn; %(n)d response(s) erased.", n=erased), "success")
    return redirect(url_for("admin.alumnus_detail", external_id=external_id), 303)
