"""The personal survey link: welcome, one page at a time, review, submit once, thank you.

URLs carry the token (and, on a repeat page, the 1-based instance); every view looks the
invitation up by the token's hash. Skip logic and navigation are the engine's
(:mod:`survey_app.questionnaire.traversal`): a view walks the answers once and asks the
walk where the person is, may go, and what is wrong. The survey works with JavaScript off.
"""
from __future__ import annotations

from flask import Blueprint, abort, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.exceptions import HTTPException

from survey_app.extensions import db
from survey_app.i18n import LANGUAGE_COOKIE
from survey_app.models.types import as_utc
from survey_app.questionnaire.forms import PageForm, PageView, build_page_form
from survey_app.questionnaire.service import compiled_questionnaire
from survey_app.questionnaire.traversal import Visit, page_visit, walk
from survey_app.respondent import compiled, compiled_page, link_guessing, presenter, service
from survey_app.respondent.service import Conflict

bp = Blueprint("respondent", __name__)
link_guessing.init_blueprint(bp)  # unknown links from one address: 429 after TOKEN_FAILURE_LIMIT


@bp.before_request
def single_statement_requests_skip_transactions() -> None:
    """On PostgreSQL, run page views and page saves without BEGIN/COMMIT round trips.

    A GET only reads; a page POST reads the link with one query and writes with one
    statement guarded by the response's revision (see :func:`service._write`), so each is
    atomic on its own and a transaction around them would add two round trips, not safety.
    They run on a plain Core connection in autocommit mode (no ORM session bookkeeping).
    """
    if (request.method == "GET" or request.endpoint == "respondent.page") and \
            db.engine.dialect.name == "postgresql":
        service.use_autocommit_connection()


@bp.teardown_request
def release_connection(_error: BaseException | None) -> None:
    """Give the request's autocommit connection back to the pool."""
    service.release_autocommit_connection()


def _http_error(code: int, message: str | None = None) -> HTTPException:
    error = HTTPException()
    error.code = code
    error.jejak_message = message  # type: ignore[attr-defined]  # read by the error handler
    return error


def _load(token: str):
    """Look up the link; 404 for unknown links, 410 for withdrawn ones."""
    invitation = service.find_invitation(token)
    if invitation is None:
        abort(410 if service.is_retired(token) else 404)
    if invitation.status in ("revoked", "withdrawn"):
        abort(410)
    questionnaire = compiled_questionnaire(invitation.wave.questionnaire_id)
    response = invitation.response
    language = response.language if response is not None else None
    g.language = language or request.cookies.get(LANGUAGE_COOKIE) or questionnaire.languages[0]
    if g.language not in questionnaire.languages:
        g.language = questionnaire.languages[0]
    g.html_lang = g.language
    return invitation, questionnaire, response


def _require_open(invitation) -> None:
    """Answering is only possible while the wave is open."""
    wave = invitation.wave
    now = service.now()
    if wave.is_open(now):
        return
    if wave.opens_at is not None and now < as_utc(wave.opens_at):
        raise _http_error(403, _("This survey is not open yet. It opens on %(date)s.",
                                 date=as_utc(wave.opens_at).strftime("%d-%m-%Y")))
    raise _http_error(410, _("This survey has closed. Thank you for your interest."))



@bp.route("/<token>", methods=["GET"])
def entry(token: str):
    """Welcome page: language choice, then start or continue; the thank-you page once submitted."""
    invitation, questionnaire, response = _load(token)
    if response is not None and response.submitted_at is not None:
        return _thanks(token, questionnaire, invitation, response)
    if response is not None and response.declined_at is not None:
        return render_template("respondent/declined.html", token=token, questionnaire=questionnaire,
                               form=FlaskForm(), response=response)
    _require_open(invitation)
    return render_template("respondent/welcome.html", token=token, questionnaire=questionnaire,
                           response=response, form=FlaskForm(), language=g.language)


@bp.route("/<token>/start", methods=["POST"])
def start(token: str):
    """Record the chosen language and go to the first unanswered page."""
    invitation, questionnaire, response = _load(token)
    _require_open(invitation)
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    language = request.form.get("language", g.language)
    if language not in questionnaire.languages:
        abort(400)
    g.language = g.html_lang = language
    response = service.open_response(invitation, language)
    if response.submitted_at is not None:
        return redirect(url_for(".entry", token=token), 303)
    try:
        service.set_language(response, language)
    except Conflict:
        pass  # another tab changed the response meanwhile: the language choice can wait
    target = _resume_page(questionnaire, invitation, response)
    reply = redirect(target, 303)
    reply.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return reply


def _visit_url(token: str, visit: Visit | None) -> str:
    """The URL of a page visit, or of the review step for None."""
    if visit is None:
        return url_for(".review", token=token)
    return url_for(".page", token=token, page_name=visit.page.name, instance=visit.instance)


def _resume_page(questionnaire, invitation, response) -> str:
    respondent = service.respondent_for(invitation)
    result = walk(questionnaire, response.answers or {}, respondent)
    token = request.view_args["token"]  # type: ignore[index]  # set on every matched request
    return _visit_url(token, result.resume_visit(response.current_page))


@bp.route("/<token>/p/<page_name>", methods=["GET", "POST"], defaults={"instance": None})
@bp.route("/<token>/p/<page_name>/<int:instance>", methods=["GET", "POST"])
def page(token: str, page_name: str, instance: int | None):
    """One page of questions (one instance of a repeat page): show it, or save it and move on."""
    invitation, questionnaire, response = _load(token)
    if response is not None and (response.submitted_at is not None or response.declined_at is not None):
        return redirect(url_for(".entry", token=token), 303)  # read-only once submitted
    _require_open(invitation)
    if response is None:
        return redirect(url_for(".entry", token=token), 303)
    page_def = questionnaire.page(page_name)
    if page_def is None:
        abort(404)
    if instance is not None and (page_def.repeat is None or not 1 <= instance <= page_def.repeat.max):
        abort(404)  # no such instance can ever exist
    if page_def.repeat is not None and instance is None:
        return redirect(url_for(".page", token=token, page_name=page_name, instance=1), 303)
    respondent = service.respondent_for(invitation)
    answers = response.answers or {}
    if request.method == "POST":  # a save needs only this page's visit; the save walks it all
        visit = page_visit(questionnaire, answers, respondent, page_def, instance)
    else:
        result = walk(questionnaire, answers, respondent)
        visit = result.visit(page_name, instance)
    if visit is None:
        if request.method == "POST" and instance is not None:
            abort(404)  # answers posted for an instance that does not exist
        result = walk(questionnaire, answers, respondent)
        return redirect(_visit_url(token, result.resume_visit(response.current_page)), 303)
    language = g.language
    errors: dict[str, str] = {}
    status = 200
    form: PageForm | PageView
    if request.method == "POST":
        # CSRFProtect checked the token before this view ran: the form does not check it again.
        posted = build_page_form(questionnaire, page_def, language, visit.scope, respondent,
                                 formdata=request.form, meta={"csrf": False})
        if posted.collect(questionnaire, page_def, visit.scope, respondent, language):
            try:
                return _save_and_continue(token, questionnaire, invitation, respondent, visit, posted)
            except Conflict:
                return _conflict(token)
        # Only newly revealed questions missing (JavaScript off): ask them, it is no error.
        errors = posted.answer_errors
        status = 422 if errors else 200
        form = posted
        # Shown again: its navigation and progress need the whole walk (same visit, same answers).
        result = walk(questionnaire, answers, respondent)
        visit = result.visit(page_name, instance) or visit  # the pages after it cannot remove it
    else:
        if compiled.ENABLED:
            form = PageView(questionnaire, page_def, language, visit.scope, respondent)  # no WTForms on a GET
        else:
            form = build_page_form(questionnaire, page_def, language, visit.scope, respondent)
        form.revision.data = str(response.revision)
        if request.args.get("check"):  # sent back by the submit re-check: show what is wrong
            errors = result.problems(visit, language)
    return compiled_page.render_page(presenter.page_context(
        token=token, questionnaire=questionnaire, walk=result, visit=visit, form=form,
        respondent=respondent, language=language, errors=errors,
        revealed=getattr(form, "revealed", []),
    )), status


def _save_and_continue(token, questionnaire, invitation, respondent, visit, form):
    consent = questionnaire.consent
    if consent is not None and consent.question in form.answers and \
            form.answers[consent.question] != consent.accept:
        service.decline(invitation, questionnaire, form.answers[consent.question], form.revision.data)
        return redirect(url_for(".entry", token=token), 303)
    destination = service.save_page(invitation, questionnaire, respondent, visit, form.answers, form.cleared,
                                    form.revision.data, add_another=bool(request.form.get("add_another")))
    return redirect(_visit_url(token, destination), 303)


def _conflict(token: str):
    return render_template("respondent/conflict.html", token=token), 409


@bp.route("/<token>/review", methods=["GET"])
def review(token: str):
    """Every answer on one screen, with a link back to each page, before the final submit."""
    invitation, questionnaire, response = _load(token)
    if response is None or response.submitted_at is not None or response.declined_at is not None:
        return redirect(url_for(".entry", token=token), 303)
    _require_open(invitation)
    respondent = service.respondent_for(invitation)
    result = walk(questionnaire, response.answers or {}, respondent)
    problem = result.first_problem(g.language)
    form = FlaskForm()
    return render_template(
        "respondent/review.html", token=token, questionnaire=questionnaire, form=form,
        revision=response.revision,
        incomplete_url=(url_for(".page", token=token, page_name=problem[0].page.name,
                                instance=problem[0].instance, check=1) if problem else None),
        summary=presenter.summary(result, g.language),
        progress=presenter.progress(result, None),
    )


@bp.route("/<token>/submit", methods=["POST"])
def submit(token: str):
    """Submit once; a second submit (double click, other tab, back button) changes nothing."""
    invitation, questionnaire, response = _load(token)
    if response is None:
        return redirect(url_for(".entry", token=token), 303)
    if response.submitted_at is not None:
        return redirect(url_for(".entry", token=token), 303)
    _require_open(invitation)
    if not FlaskForm().validate_on_submit():
        abort(400)
    respondent = service.respondent_for(invitation)
    result = walk(questionnaire, response.answers or {}, respondent)
    problem = result.first_problem(g.language)
    if problem is not None:  # every required and constraint rule, across pages, once more
        visit, _errors = problem
        return redirect(url_for(".page", token=token, page_name=visit.page.name, instance=visit.instance,
                                check=1), 303)
    try:
        service.submit(invitation, request.form.get("revision"), answers=result.answers)
    except Conflict:
        return _conflict(token)
    return redirect(url_for(".entry", token=token), 303)


@bp.route("/<token>/resume", methods=["POST"])
def undo_decline(token: str):
    """Someone who declined may change their mind while the wave is open."""
    invitation, questionnaire, response = _load(token)
    _require_open(invitation)
    if not FlaskForm().validate_on_submit() or response is None or response.declined_at is None:
        abort(400)
    try:
        service.withdraw_decline(invitation, request.form.get("revision"))
    except Conflict:
        return _conflict(token)
    return redirect(url_for(".entry", token=token), 303)


def _thanks(token, questionnaire, invitation, response):
    respondent = service.respondent_for(invitation)
    summary = presenter.summary(walk(questionnaire, response.answers or {}, respondent), g.language,
                                mask_sensitive=True)
    reply = make_response(render_template("respondent/thanks.html", token=token, questionnaire=questionnaire,
                                          summary=summary, response=response))
    reply.headers["Cache-Control"] = "no-store"
    return reply
