"""Looking up one alumnus, re-issuing their link, erasing their answers on request (admins).

Pages address a person by the database id, never by the programme's external id: external
ids may hold any character (``PKJ/2020/001``, ``..``) and would not survive as a URL path.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from survey_app.admin.blueprint import ADMIN_ONLY, bp, menu_entry, roles_required
from survey_app.admin.forms import ConfirmForm
from survey_app.alumni import service
from survey_app.audit import record_access
from survey_app.extensions import db
from survey_app.models import Alumnus, Invitation

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
        alumnus = service.find_alumnus(term)
        if alumnus is not None:
            return redirect(url_for("admin.alumnus_detail", alumnus_id=alumnus.id))
        flash(_("No alumnus with external id %(id)s.", id=term), "error")
    return render_template("admin/alumni_search.html", term=term)


@bp.get("/alumni/<int:alumnus_id>")
@roles_required(*ADMIN_ONLY)
def alumnus_detail(alumnus_id: int):
    """Contact details, roster trainings, invitations and their history (an audited view)."""
    return _detail_page(db.get_or_404(Alumnus, alumnus_id), EraseForm())


def _detail_page(alumnus, erase_form: EraseForm, status: int = 200):
    record_access("personal_data.view", f"alumnus:{alumnus.external_id}")
    invitations = service.invitations_of(alumnus)
    return render_template("admin/alumnus.html", alumnus=alumnus, trainings=service.trainings_of(alumnus),
                           invitations=[(i, service.history(i)) for i in invitations],
                           confirm=ConfirmForm(), erase=erase_form), status


@bp.post("/invitations/<int:invitation_id>/reissue")
@roles_required(*ADMIN_ONLY)
def reissue(invitation_id: int):
    """Give an invitation a new link; the old one stops working."""
    invitation = db.get_or_404(Invitation, invitation_id)
    try:
        url = service.reissue_link(invitation)
    except service.ActionRefused as refused:
        flash(str(refused), "error")
        return redirect(url_for("admin.alumnus_detail", alumnus_id=invitation.alumnus_id))
    # Shown once, never stored: only the hash is kept.
    return render_template("admin/new_link.html", invitation=invitation, url=url)


@bp.post("/alumni/<int:alumnus_id>/erase")
@roles_required(*ADMIN_ONLY)
def erase(alumnus_id: int):
    """Withdraw consent and erase every answer of the person (UU PDP right to erasure)."""
    alumnus = db.get_or_404(Alumnus, alumnus_id)
    form = EraseForm()
    if not form.validate_on_submit():
        form.reason.errors = [_("Give the reason for the erasure.")]
        return _detail_page(alumnus, form, 400)
    erased = service.erase_answers(alumnus, form.reason.data)
    flash(_("Consent withdrawn; %(n)d response(s) erased.", n=erased), "success")
    return redirect(url_for("admin.alumnus_detail", alumnus_id=alumnus.id), 303)
