"""E-mail invitations and reminders on the staff site (admins): counts, templates, queue, send, links.

"Send now" starts a background job (survey_app/jobs) that sends the queued e-mails in throttled
batches until the queue is empty; ``flask messages send`` from cron or a systemd timer still
works the same (see README, "E-mail").
"""
from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length

from survey_app.admin.blueprint import ADMIN_ONLY, bp, menu_entry, roles_required, wave_or_404
from survey_app.admin.forms import ConfirmForm
from survey_app.admin.job_views import start_and_redirect
from survey_app.downloads import download_headers
from survey_app.extensions import db
from survey_app.jobs import service as jobs
from survey_app.messaging import link_export, service, templates
from survey_app.messaging.service import MessagingError
from survey_app.messaging.templates import TemplateError
from survey_app.models import Wave

menu_entry("admin.messages_home", _l("Messages"), ADMIN_ONLY)

KIND_LABELS = {"invitation": _l("Invitation"), "reminder": _l("Reminder")}
LANGUAGE_LABELS = {"id": "Bahasa Indonesia", "en": "English"}


class QueueForm(FlaskForm):
    kind = HiddenField(validators=[AnyOf(templates.KINDS)])


class TemplateForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=templates.MAX_SUBJECT)])
    body = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=templates.MAX_BODY)])
    save = SubmitField(_l("Save"))
    reset = SubmitField(_l("Use the built-in default"))



def _back(wave: Wave):
    return redirect(url_for("admin.wave_messages", wave_id=wave.id), 303)


@bp.get("/messages")
@roles_required(*ADMIN_ONLY)
def messages_home():
    """The waves whose e-mails can be managed."""
    waves = db.session.scalars(select(Wave).order_by(Wave.created_at.desc(), Wave.id.desc())).all()
    return render_template("admin/messages.html", waves=waves)


@bp.get("/waves/<int:wave_id>/messages")
@roles_required(*ADMIN_ONLY)
def wave_messages(wave_id: int):
    """Messages of a wave by kind and status, its templates, and the actions."""
    wave = wave_or_404(wave_id)
    rows = [(kind, language, templates.stored(wave, kind, language) is not None)
            for kind in templates.KINDS for language in templates.LANGUAGES]
    return render_template("admin/wave_messages.html", wave=wave, status=service.wave_status(wave),
                           template_rows=rows, kind_labels=KIND_LABELS, language_labels=LANGUAGE_LABELS,
                           queue_form=QueueForm(), confirm=ConfirmForm(),
                           statuses=("queued", "sending", "sent", "bounced", "failed"),
                           web_batch=current_app.config["JOBS_SEND_BATCH"],
                           jobs=jobs.recent_jobs(wave_id=wave.id, kinds=("messages",), user=current_user, limit=5))


@bp.route("/waves/<int:wave_id>/messages/template", methods=["GET", "POST"])
@roles_required(*ADMIN_ONLY)
def message_template(wave_id: int):
    """Edit the wave's wording of one e-mail (``?kind=invitation|reminder&language=id|en``)."""
    wave = wave_or_404(wave_id)
    kind = request.args.get("kind", "invitation")
    language = request.args.get("language", "id")
    if kind not in templates.KINDS or language not in templates.LANGUAGES:
        abort(404)
    own = templates.stored(wave, kind, language)
    form = TemplateForm()
    problems: list[str] = []
    if form.is_submitted():
        if not form.validate():
            problems = [error for errors in form.errors.values() for error in errors]
        elif form.reset.data:
            templates.reset(wave, kind, language)
            flash(_("The built-in default text is used again."), "success")
            return _back(wave)
        else:
            try:
                templates.save(wave, kind, language, form.subject.data, form.body.data, by=current_user.email)
            except TemplateError as refused:
                problems = refused.problems
            else:
                flash(_("Template saved."), "success")
                return _back(wave)
    elif own is not None:
        form.subject.data, form.body.data = own.subject, own.body
    else:
        default = templates.default_template(kind, language)
        if default is not None:
            form.subject.data, form.body.data = default.subject, default.body
    return render_template("admin/message_template.html", wave=wave, form=form, kind=kind, language=language,
                           own=own, problems=problems, placeholders=templates.PLACEHOLDERS,
                           kind_label=KIND_LABELS[kind], language_label=LANGUAGE_LABELS[language]), \
        400 if problems else 200


@bp.post("/waves/<int:wave_id>/messages/queue")
@roles_required(*ADMIN_ONLY)
def queue_messages(wave_id: int):
    """Queue invitations or reminders for everyone they apply to."""
    wave = wave_or_404(wave_id)
    form = QueueForm()
    if not form.validate():
        abort(400)
    try:
        result = service.queue(wave, form.kind.data)
    except (MessagingError, TemplateError) as refused:
        flash(_("Nothing was queued: %(reason)s", reason=str(refused)), "error")
        return _back(wave)
    skipped = ", ".join(f"{reason.replace('_', ' ')}: {count}" for reason, count in sorted(result.skipped.items()))
    flash(_("%(n)d message(s) queued.", n=result.queued) + (" " + _("Skipped: %(list)s.", list=skipped)
                                                           if skipped else ""), "success")
    return _back(wave)


@bp.post("/waves/<int:wave_id>/messages/send")
@roles_required(*ADMIN_ONLY)
def send_messages(wave_id: int):
    """Start a job that sends the wave's queued e-mails in throttled batches until none is left."""
    wave = wave_or_404(wave_id)
    form = ConfirmForm()
    if not form.validate():
        abort(400)
    return start_and_redirect("messages", wave_id=wave.id, params={})


@bp.post("/waves/<int:wave_id>/messages/links")
@roles_required(*ADMIN_ONLY)
def download_links(wave_id: int):
    """The links CSV for SMS/WhatsApp gateways (streamed; recorded in the audit log first)."""
    wave = wave_or_404(wave_id)
    form = ConfirmForm()
    if not form.validate():
        abort(400)
    link_export.audit_export(wave, "web")
    return Response(stream_with_context(link_export.csv_chunks(wave)), mimetype="text/csv",
                    headers=download_headers(f"links-{wave.name}.csv"))
