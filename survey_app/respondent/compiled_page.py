"""Compiled page shells: ``page.html`` rendered once per page, filled in per request.

Around its question blocks a survey page is the same for everyone who sees that page (one
instance of it) in one language: title, progress bar, the form's attributes, the buttons,
the interface texts and the script tags. What depends on the person is a handful of values:
the link's token in the URLs, the CSRF token, the response's revision, the progress
numbers, which questions are shown, the question blocks (compiled on their own, see
:mod:`.compiled`), the "Back" link's target and the skip-logic data. This module renders
the template once per (questionnaire version, page, instance, language, has "Back", has
"add another") with a marker in each of those spots, splits the HTML at the markers, and
per request joins the static parts with the person's values. Rendering the Jinja template
was the largest part of a page view (~0.5 of ~2 ms, issue 9).

The template stays the single source of the markup: each compiled shell is checked against
Jinja's own rendering of the request that compiled it, and one it cannot reproduce byte for
byte is left to Jinja. A page shown again with errors, or with any of its notes ("more
questions opened", "only the first N are asked"), is always rendered by Jinja.
"""
from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

from flask import current_app, g, render_template, url_for
from flask_wtf.csrf import generate_csrf
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup, escape

from survey_app.questionnaire.definition import Questionnaire
from survey_app.questionnaire.forms import PageView
from survey_app.respondent import compiled

logger = logging.getLogger(__name__)

TEMPLATE = "respondent/page.html"
MAX_QUESTIONNAIRES = 8  # versions kept at once, as for compiled blocks
MAX_SHELLS = 2000  # per version: pages × instances × languages × 4 variants, bounded anyway

# Markers: letters only, so URL quoting, HTML escaping and JSON leave them as they are.
_MARK = "qqjejakslot{}qq"
SLOTS = ("token", "csrf", "revision", "step", "total", "percent", "shown", "blocks", "previous", "logic")
_MARKERS = {slot: _MARK.format(slot) for slot in SLOTS}
_MARKER_RE = re.compile(_MARK.format(f"({'|'.join(SLOTS)})"))

_lock = threading.Lock()
_versions: OrderedDict[Questionnaire, dict[tuple[Any, ...], tuple[Any, ...] | None]] = OrderedDict()


def render_page(context: Mapping[str, Any]) -> str:
    """``page.html`` for these template variables (from :func:`presenter.page_context`)."""
    if not compiled.ENABLED or context["error_count"] or context["revealed"] or context["count_capped"] \
            or not isinstance(context["form"], PageView):  # a posted form shown again: Jinja
        return render_template(TEMPLATE, **context)
    key = (context["page"].name, context["visit"].instance, context["language"], g.get("html_lang", "id"),
           context["previous"] is not None, bool(context["can_add"]))
    shells = _shells_of(context["questionnaire"])
    if key in shells:
        segments = shells[key]
    else:
        segments = _compile(context)
        with _lock:
            if len(shells) >= MAX_SHELLS:
                shells.clear()
            shells[key] = segments
    if segments is None:
        return render_template(TEMPLATE, **context)
    return _fill(segments, _values(context))


def clear() -> None:
    """Forget every compiled shell (tests)."""
    with _lock:
        _versions.clear()


def _shells_of(questionnaire: Questionnaire) -> dict[tuple[Any, ...], tuple[Any, ...] | None]:
    return compiled.per_version(_versions, questionnaire, MAX_QUESTIONNAIRES, _lock)


def _values(context: Mapping[str, Any]) -> dict[str, str]:
    """The person's values for the slots, escaped as the template would escape them."""
    progress, previous, language = context["progress"], context["previous"], context["language"]
    blocks = "".join(str(block["html"]) if block["html"] is not None
                     else str(compiled.render_with_macro(block, language)) for block in context["blocks"])
    env = current_app.jinja_env
    logic = htmlsafe_json_dumps(context["logic"], dumps=env.policies["json.dumps_function"],
                                **env.policies["json.dumps_kwargs"])
    return {
        "token": str(escape(context["token"])),
        "csrf": str(escape(generate_csrf())),
        "revision": str(escape(context["form"].revision.data)),
        "step": str(progress.step), "total": str(progress.total), "percent": str(progress.percent),
        "shown": str(escape(context["shown"])),
        "blocks": blocks,
        "previous": (str(escape(url_for("respondent.page", token=context["token"],
                                               page_name=previous.page.name, instance=previous.instance)))
                     if previous is not None else ""),
        "logic": str(logic),
    }


def _probe(context: Mapping[str, Any]) -> dict[str, Any]:
    """The template variables with a marker in every personal spot."""
    mark = _MARKERS
    probe = dict(context)
    probe["token"] = mark["token"]
    probe["progress"] = SimpleNamespace(step=mark["step"], total=mark["total"], percent=mark["percent"])
    probe["shown"] = mark["shown"]
    probe["blocks"] = [{"html": Markup(mark["blocks"]), "error": None}]  # noqa: S704  # nosec B704
    probe["form"] = SimpleNamespace(revision=type(context["form"].revision)("revision", mark["revision"]))
    probe["logic"] = mark["logic"]
    if context["previous"] is not None:
        # The "Back" link's whole URL is a slot: the previous page differs from person to person.
        probe["previous"] = SimpleNamespace(page=SimpleNamespace(name="qqjejakprevpageqq"), instance=None)
    probe["csrf_token"] = lambda: mark["csrf"]  # shadows Flask-WTF's template global
    return probe


def _compile(context: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """Render the template with markers and split it at them; None if it cannot be reproduced."""
    html = render_template(TEMPLATE, **_probe(context))
    if context["previous"] is not None:
        previous_url = url_for("respondent.page", token=_MARKERS["token"], page_name="qqjejakprevpageqq")
        if html.count(previous_url) != 1:
            _refuse(context, "Back link")
            return None
        html = html.replace(previous_url, _MARKERS["previous"])
    if html.count(_MARKERS["logic"]) == 1:  # tojson quoted the marker as a JSON string
        html = html.replace(f'"{_MARKERS["logic"]}"', _MARKERS["logic"])
    # re.split with a group alternates static text and slot names: text, slot, text, …, text.
    parts = _MARKER_RE.split(html)
    segments = [part if index % 2 == 0 else (part,) for index, part in enumerate(parts)]
    if "qqjejak" in "".join(s for s in segments if isinstance(s, str)):
        _refuse(context, "marker left over")
        return None
    shell = tuple(s for s in segments if s != "")
    # Self-check: the shell must give exactly what Jinja gives for this request.
    if _fill(shell, _values(context)) != render_template(TEMPLATE, **context):
        _refuse(context, "differs from the template")
        return None
    return shell


def _refuse(context: Mapping[str, Any], reason: str) -> None:
    logger.warning("page %s is rendered by its template: %s", context["page"].name, reason)


def _fill(segments: tuple[Any, ...], values: Mapping[str, str]) -> str:
    # Static parts are the template's own escaped output; the values are escaped in _values.
    return "".join(segment if segment.__class__ is str else values[segment[0]] for segment in segments)
