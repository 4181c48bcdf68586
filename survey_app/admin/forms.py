"""Staff-site forms (Flask-WTF: every form carries a CSRF token)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from survey_app.accounts.passwords import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)])


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=1000)])
    new = PasswordField(_l("New password"), validators=[
        DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=1000,
                               message=_l("At least %(n)d characters.", n=MIN_PASSWORD_LENGTH))])
    repeat = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(), EqualTo("new", message=_l("The two new passwords differ."))])


class SearchForm(FlaskForm):
    """A GET search box (no state change, so no CSRF token needed)."""

    class Meta:
        csrf = False

    q = StringField(_l("External id"), validators=[Length(max=64)])
    status = SelectField(_l("Status"), choices=[("", "—")], validate_choice=False)


class ConfirmForm(FlaskForm):
    """An empty form: a button whose POST carries only the CSRF token."""
