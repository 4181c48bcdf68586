"""Waves on the staff site (admins): create a wave, make it a follow-up of an earlier wave.

The same operations as ``flask wave create`` and ``flask wave follow-up``, with the same
refusals (unknown earlier wave, the wave itself, a circular chain, a change once invited)
shown in the staff member's language with a 400.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from survey_app.admin.blueprint import ADMIN_ONLY, bp, roles_required, wave_or_404
from survey_app.extensions import db
from survey_app.models import Invitation, Questionnaire, Wave
from survey_app.waves.panel import panel_status
from survey_app.waves.service import WaveError, create_wave, parse_moment, set_follow_up


class WaveForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    # Choices are filled per request; an id that is not offered gets the service's own message.
    questionnaire = SelectField(_l("Questionnaire"), validate_choice=False)
    follow_up_of = SelectField(_l("Follow-up of (the earlier wave whose alumni are asked again)"),
                               validate_choice=False)
    opens = StringField(_l("Opens (e.g. 2024-05-01 or 2024-05-01T08:00+07:00; empty: now)"),
                        validators=[Length(max=40)])
    closes = StringField(_l("Closes (empty: no end)"), validators=[Length(max=40)])


class FollowUpForm(FlaskForm):
    follow_up_of = SelectField(_l("Follow-up of"), validate_choice=False)


def _wave_choices(exclude: int | None = None) -> list[tuple[str, str]]:
    waves = db.session.scalars(select(Wave).order_by(Wave.created_at.desc(), Wave.id.desc())).all()
    return [("", _("— none (a wave that stands alone) —"))] + [
        (str(w.id), w.name) for w in waves if w.id != exclude]


def _choice_id(value: str | None) -> int | None:
    """The id picked in a select (None for the empty choice); a non-number is refused with a 400."""
    if not value:
        return None
    if not value.isdigit():
        abort(400)
    return int(value)


@bp.route("/waves/new", methods=["GET", "POST"])
@roles_required(*ADMIN_ONLY)
def wave_new():
    """The form creating a wave (GET); POST creates it, optionally as a follow-up wave."""
    form = WaveForm()
    questionnaires = db.session.scalars(select(Questionnaire).order_by(Questionnaire.name,
                                                                        Questionnaire.version.desc())).all()
    form.questionnaire.choices = [(str(q.id), f"{q.name} v{q.version}") for q in questionnaires]
    form.follow_up_of.choices = _wave_choices()
    if not form.is_submitted():
        return render_template("admin/wave_new.html", form=form, questionnaires=questionnaires)
    error = None
    if form.validate():
        try:
            opens_at = parse_moment(form.opens.data, _("Opens")) if (form.opens.data or "").strip() else None
            closes_at = parse_moment(form.closes.data, _("Closes")) if (form.closes.data or "").strip() else None
            wave = create_wave(form.name.data or "", form.questionnaire.data or "", opens_at, closes_at,
                               follow_up_of=_choice_id(form.follow_up_of.data))
        except WaveError as exc:
            error = exc.translated()
        else:
            flash(_("Wave %(name)s created.", name=wave.name), "success")
            return redirect(url_for("admin.wave_dashboard", wave_id=wave.id), 303)
    return render_template("admin/wave_new.html", form=form, questionnaires=questionnaires, error=error), 400


@bp.post("/waves/<int:wave_id>/follow-up")
@roles_required(*ADMIN_ONLY)
def wave_follow_up(wave_id: int):
    """Make the wave a follow-up of another wave, or of none (only before it has invitations)."""
    wave = wave_or_404(wave_id)
    form = FollowUpForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        set_follow_up(wave, _choice_id(form.follow_up_of.data))
    except WaveError as exc:
        return render_template("admin/wave_follow_up_refused.html", wave=wave, reason=exc.translated()), 400
    after = wave.follow_up_of.name if wave.follow_up_of else None
    flash(_("Wave %(name)s is a follow-up of %(earlier)s.", name=wave.name, earlier=after) if after
          else _("Wave %(name)s is not a follow-up of any wave.", name=wave.name), "success")
    return redirect(url_for("admin.wave_dashboard", wave_id=wave.id), 303)


def panel_context(wave: Wave, provinces: dict[str, str], categories: dict[str, str], *, page: bool) -> dict:
    """What the wave dashboard shows about follow-ups: the panel status (a follow-up wave), and
    on the full page the waves following this one up and, for admins, the follow-up form."""
    extra: dict = {"panel": panel_status(wave, provinces, categories)}
    if page:
        extra["follow_ups"] = list(db.session.scalars(
            select(Wave).where(Wave.follow_up_of_id == wave.id).order_by(Wave.id)))
        extra["follow_up"] = follow_up_form(wave) if current_user.can("admin") else None
    return extra


def follow_up_form(wave: Wave) -> FollowUpForm | None:
    """The form changing what ``wave`` follows up, for admins while it has no invitations."""
    invited = db.session.scalar(select(Invitation.id).where(Invitation.wave_id == wave.id).limit(1))
    if invited is not None:
        return None
    form = FollowUpForm(follow_up_of=str(wave.follow_up_of_id or ""))
    form.follow_up_of.choices = _wave_choices(exclude=wave.id)
    return form
