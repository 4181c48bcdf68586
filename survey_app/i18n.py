"""Language selection: Bahasa Indonesia first, English on request; the choice is remembered."""
from __future__ import annotations

from flask import current_app, g, request

LANGUAGE_COOKIE = "jejak_lang"


def N_(message: str) -> str:
    """Mark a message for translation where it is made; it is kept in English and translated where shown.

    For messages stored or raised before anyone's language is known (job states, service
    errors); ``pybabel extract`` collects them by this name.
    """
    return message


def select_locale() -> str:
    """Pick the UI language: explicit choice for this request, cookie, browser, then 'id'."""
    languages = current_app.config["LANGUAGES"]
    chosen = g.get("language")
    if chosen in languages:
        return chosen
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie is not None and cookie in languages:
        return cookie
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
