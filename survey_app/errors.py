"""Error pages in the visitor's language; never a stack trace, never a 5xx for bad input."""
from __future__ import annotations

from flask import Flask, g, render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from survey_app.logging import redacted_path


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("The request could not be understood"),
              _("Something in what was sent was not valid. Please go back and try again.")),
        403: (_("Not allowed"), _("You do not have access to this page.")),
        404: (_("Page not found"),
              _("This link is not valid. Please check that you copied the whole link from your message.")),
        405: (_("Not allowed"), _("This page cannot be used this way.")),
        409: (_("Your answers changed elsewhere"),
              _("This survey was changed in another tab or device. Please open the link again.")),
        410: (_("This link no longer works"), _("This survey link has been replaced or withdrawn.")),
        413: (_("Too much data"), _("What you sent is too large. Please shorten your answer.")),
        429: (_("Too many attempts"), _("Please wait a minute and try again.")),
        500: (_("Something went wrong"),
              _("An unexpected error happened on our side. Your saved answers are safe; please try again later.")),
    }


def render_error(code: int, title: str | None = None, message: str | None = None):
    """Render the error page for ``code`` with an optional specific message."""
    default_title, default_message = _messages().get(code, _messages()[400])
    if "html_lang" not in g:  # e.g. an unknown link: say the language the page is really in
        g.html_lang = str(get_locale())
    return (
        render_template("errors/error.html", code=code, title=title or default_title,
                        message=message or default_message),
        code,
    )


def init_app(app: Flask) -> None:
    """Install handlers for HTTP errors, CSRF failures and unexpected exceptions."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400, _("The form expired"),
            _("For your security this form could not be accepted. Please reload the page and try again."),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        description = getattr(error, "jejak_message", None)
        return render_error(error.code if error.code in _messages() else 400, message=description)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("unhandled error on %s", redacted_path())
        return render_error(500)
