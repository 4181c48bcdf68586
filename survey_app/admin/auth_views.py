"""Staff login, logout and password change."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from survey_app.accounts.service import AccountError, LoginRefused, authenticate, change_password, end_sessions
from survey_app.admin.blueprint import bp
from survey_app.admin.forms import LoginForm, PasswordChangeForm
from survey_app.extensions import limiter


def _login_limit() -> str:
    return current_app.config["LOGIN_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """Log a staff member in (rate-limited per address; accounts lock after repeated failures)."""
    if current_user.is_authenticated:
        return redirect(url_for("admin.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = authenticate(form.email.data, form.password.data)
        except LoginRefused:
            # One message for unknown, inactive, locked and wrong: no account discovery.
            status = 401
            flash(_("Wrong e-mail or password. After several wrong attempts an account is locked for "
                    "a while; ask an administrator if you cannot log in."), "error")
        else:
            session.clear()  # a fresh session on login (no fixation)
            session.permanent = True
            login_user(user)
            return redirect(_safe_next(request.args.get("next")) or url_for("admin.home"))
    elif request.method == "POST":
        status = 400
    return render_template("admin/login.html", form=form), status


def _safe_next(target: str | None) -> str | None:
    """Only follow ``next`` to a path on this site (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """End this session on the server too: a copy of the cookie stops working."""
    end_sessions(current_user._get_current_object())
    logout_user()
    session.clear()
    return redirect(url_for("admin.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password; every other session of the account ends."""
    form = PasswordChangeForm()
    status = 200
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current.data, form.new.data)
        except AccountError as error:
            form.current.errors.append(_("The current password is wrong.") if "current" in str(error) else str(error))
            status = 400
        else:
            login_user(current_user)  # keep this session, with the new generation
            flash(_("Password changed. Other sessions have been logged out."), "success")
            return redirect(url_for("admin.home"))
    elif request.method == "POST":
        status = 400
    return render_template("admin/password.html", form=form), status
