"""The report page: a Jinja2 template, its Babel catalogue and Babel number formats (no Flask).

``templates/report.html`` holds the page and its English texts; ``locale/<lang>/LC_MESSAGES/
report.po`` the translations.  The catalogue is read from the ``.po`` file and compiled in
memory (no compiled ``.mo`` to keep in step), once per process and language.
"""
from __future__ import annotations

import io
import math
from functools import lru_cache
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations
from jinja2 import Environment, PackageLoader, select_autoescape

CATALOGUE = "report"
MISSING = "–"


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


@lru_cache(maxsize=4)
def translations(lang: str) -> NullTranslations:
    """The report's catalogue for ``lang`` (English texts are the msgids: no catalogue)."""
    po = resources.files(__package__).joinpath("locale", lang, "LC_MESSAGES", f"{CATALOGUE}.po")
    if lang == "en" or not po.is_file():
        return NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=CATALOGUE)


def percent(value: object, lang: str, digits: int = 1) -> str:
    """A share (0–1) as a percentage in ``lang``'s notation, e.g. ``12,3%`` in Indonesian.

    Examples
    --------
    >>> percent(0.1234, "id"), percent(0.1234, "en"), percent(float("nan"), "en")
    ('12,3%', '12.3%', '–')
    """
    if _missing(value):
        return MISSING
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(float(value), pattern, locale=lang)  # type: ignore[arg-type]


def number(value: object, lang: str, digits: int = 0) -> str:
    """A number with ``lang``'s grouping and decimal marks, e.g. ``1.234.567`` in Indonesian.

    Examples
    --------
    >>> number(1234567, "id"), number(1234.5, "en", 2), number(None, "id")
    ('1.234.567', '1,234.50', '–')
    """
    if _missing(value):
        return MISSING
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(float(value), pattern, locale=lang)  # type: ignore[arg-type]


def points(value: object, lang: str) -> str:
    """A difference of shares in percentage points with its sign, e.g. ``+1,5 pp``.

    Examples
    --------
    >>> points(0.015, "id"), points(-0.2, "en")
    ('+1,5 pp', '-20.0 pp')
    """
    if _missing(value):
        return MISSING
    return format_decimal(float(value) * 100, "+#,##0.0;-#,##0.0", locale=lang) + " pp"  # type: ignore[arg-type]


@lru_cache(maxsize=4)
def environment(lang: str) -> Environment:
    """The Jinja2 environment of the report in ``lang`` (autoescaped, with i18n and number filters)."""
    env = Environment(loader=PackageLoader(__package__, "templates"), autoescape=select_autoescape(["html"]),
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_translations(translations(lang), newstyle=False)  # type: ignore[attr-defined]
    env.filters["pct"] = lambda value, digits=1: percent(value, lang, digits)
    env.filters["num"] = lambda value, digits=0: number(value, lang, digits)
    env.filters["points"] = lambda value: points(value, lang)
    return env


def gettext(lang: str, message: str) -> str:
    """``message`` translated into ``lang`` with the report's catalogue (for chart titles)."""
    return translations(lang).gettext(message)


def render(context: dict[str, object], lang: str) -> str:
    """The report page for ``context`` (see :func:`analysis.report._build.page_context`)."""
    return environment(lang).get_template("report.html").render(lang=lang, **context)
