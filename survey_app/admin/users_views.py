"""Staff accounts on the staff site (admins): deactivate, reactivate, unlock, reset a password.

The same operations as ``flask users …``; each is a CSRF-protected POST and is audited by
the service it calls.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from survey_app.accounts import service
from survey_app.admin.blueprint import ADMIN_ONLY, bp, menu_entry, roles_required
from survey_app.admin.forms import ConfirmForm
from survey_app.extensions import db
from survey_app.models import AdminUser
from survey_app.models.types import as_utc, utcnow

menu_entry("admin.users", _l("Accounts"), ADMIN_ONLY)


def _refused(error: service.AccountError):
    flash(_("Not done: %(reason)s", reason=str(error)), "error")
    return redirect(url_for("admin.users"), 303)


@bp.get("/users")
@roles_required(*ADMIN_ONLY)
def users():
    """Every staff account with its state and the actions on it."""
    now = utcnow()
    accounts = [(user, as_utc(user.locked_until) is not None and as_utc(user.locked_until) > now)
                for user in db.session.scalars(select(AdminUser).order_by(AdminUser.email))]
    return render_template("admin/users.html", accounts=accounts, confirm=ConfirmForm())


@bp.post("/users/<int:user_id>/<any(deactivate, activate):action>")
@roles_required(*ADMIN_ONLY)
def user_set_active(user_id: int, action: str):
    """Deactivate (sessions end at once) or reactivate an account."""
    user = db.get_or_404(AdminUser, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        service.set_active(user.email, action == "activate")
    except service.AccountError as error:
        return _refused(error)
    flash(_("%(email)s is deactivated; its sessions have ended.", email=user.email) if action == "deactivate"
          else _("%(email)s can log in again.", email=user.email), "success")
    return redirect(url_for("admin.users"), 303)


@bp.post("/users/<int:user_id>/unlock")
@roles_required(*ADMIN_ONLY)
def user_unlock(user_id: int):
    """Lift the lock set after too many wrong passwords."""
    user = db.get_or_404(AdminUser, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    service.unlock(user.email)
    flash(_("%(email)s is unlocked.", email=user.email), "success")
    return redirect(url_for("admin.users"), 303)


@bp.post("/users/<int:user_id>/reset-password")
@roles_required(*ADMIN_ONLY)
def user_reset_password(user_id: int):
    """Give the account a new generated password, shown once; its sessions end."""
    user = db.get_or_404(AdminUser, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    password = service.reset_password(user.email)
    return render_template("admin/new_password.html", account=user, password=password)
