"""Compiled question blocks: the HTML of a question rendered once, filled in per request.

A question block (``templates/respondent/_question.html``) is mostly the same for everyone
who sees it in one language: the label, hint, choices, ids and ARIA wiring. Only a few
spots depend on the person: which choices are checked, the text input's value, the
dropdown's selected option, the error message, and whether the block is hidden. This
module renders the block's macro once per (questionnaire version, page, question, language,
fields, hidden, has error) with markers in those spots, splits the HTML at the markers, and
per request joins the static parts with the person's values.

The macro stays the single source of the markup. Each compiled block is checked against
the macro's own rendering of the request that compiled it; a block the compiler cannot
reproduce byte for byte (or one whose choices come from the person's roster) is left to
the macro. Caches are bounded and keyed by the compiled questionnaire object, which is one
stored version: a new version never sees another version's blocks.
"""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any, TypeVar

from flask import current_app
from markupsafe import Markup, escape

from survey_app.questionnaire.definition import Page, Questionnaire

logger = logging.getLogger(__name__)

# Switch for tests and debugging: False renders every block through the macro, and page views
# through a WTForms form (the uncompiled path).
ENABLED = True
MAX_QUESTIONNAIRES = 8  # versions kept at once (the LRU drops the least recently used)
MAX_BLOCKS = 5000  # per version: each_of item combinations are bounded, but stay safe

_ERROR = "\x00error\x00"
_INPUT = "\x00input\x00"
_OPTIONS = "\x00options\x00"
_CHECKED = " checked"
# Constant markers, no user data: safe as Markup.
_INPUT_MARKUP = Markup(_INPUT)  # noqa: S704  # nosec B704
_OPTIONS_MARKUP = Markup(_OPTIONS)  # noqa: S704  # nosec B704
# A segment is static HTML (str) or a hole: ("error",), ("input",), ("options",) or
# ("checked", field index, choice value, multiple).
Segment = Any

_lock = threading.Lock()
_versions: OrderedDict[Questionnaire, dict[tuple, tuple[Segment, ...] | None]] = OrderedDict()


class _Everything:
    """A field value that every choice matches, so the macro marks each one checked."""

    def __eq__(self, other: object) -> bool:
        return True

    def __contains__(self, item: object) -> bool:
        return True

    def __bool__(self) -> bool:
        return True

    __hash__ = None  # type: ignore[assignment]


_EVERYTHING = _Everything()


def block_html(questionnaire: Questionnaire, page: Page, language: str, block: Mapping[str, Any]) -> Markup | None:
    """The block's HTML from its compiled form, or None when the macro must render it."""
    if not ENABLED:
        return None
    question = block["question"]
    if question.choices_from is not None:  # options differ per person: nothing to share
        return None
    if block.get("label") != question.label.get(language) or (
            question.hint is not None and block.get("hint") != question.hint.get(language)):
        return None  # the text shows this person's answers (${…}, previous.*): nothing to share
    key = (page.name, question.name, language, bool(block["hidden"]), bool(block["error"]),
           tuple((f.name, f.label.text) for f in block["fields"]))
    blocks = _blocks_of(questionnaire)
    if key in blocks:
        segments = blocks[key]
    else:
        segments = _compile(block, language)
        with _lock:
            if len(blocks) >= MAX_BLOCKS:
                blocks.clear()
            blocks[key] = segments
    if segments is None:
        return None
    return _fill(segments, block)


def clear() -> None:
    """Forget every compiled block (tests)."""
    with _lock:
        _versions.clear()


def _blocks_of(questionnaire: Questionnaire) -> dict[tuple, tuple[Segment, ...] | None]:
    return per_version(_versions, questionnaire, MAX_QUESTIONNAIRES, _lock)


V = TypeVar("V")


def per_version(versions: OrderedDict[Questionnaire, dict[tuple[Any, ...], V]], questionnaire: Questionnaire,
                limit: int, lock: threading.Lock) -> dict[tuple[Any, ...], V]:
    """The cache of one questionnaire version in ``versions``, an LRU of at most ``limit`` versions."""
    with lock:
        entries = versions.get(questionnaire)
        if entries is None:
            entries = versions[questionnaire] = {}
            while len(versions) > limit:
                versions.popitem(last=False)
        else:
            versions.move_to_end(questionnaire)
        return entries


def render_with_macro(block: Mapping[str, Any], language: str) -> Markup:
    """The block as the macro renders it (the uncompiled path)."""
    macro = current_app.jinja_env.get_template("respondent/_question.html").module.question_block  # type: ignore[attr-defined]
    return Markup(macro(block, language))  # noqa: S704  # nosec B704  # the macro's output is escaped HTML


def _compile(block: Mapping[str, Any], language: str) -> tuple[Segment, ...] | None:
    """Render the block with markers in its personal spots and split it there."""
    question = block["question"]
    if block["fields"] and not question.is_select and block.get("input") is None:
        return _refuse(question, "field rendered by its widget")  # e.g. each_of text inputs
    multiple = question.type == "select_multiple"
    probe_fields = []
    for field in block["fields"]:
        probe_fields.append(SimpleNamespace(id=field.id, name=field.name, label=field.label,
                                            choices=getattr(field, "choices", None), data=_EVERYTHING))
    probe = dict(block)
    probe["fields"] = probe_fields
    if block["error"]:
        probe["error"] = _ERROR
    if block.get("input") is not None:
        probe["input"] = _INPUT_MARKUP
    if block.get("options") is not None:
        probe["options"] = _OPTIONS_MARKUP
    try:
        html = str(render_with_macro(probe, language))
    except (TypeError, AttributeError):  # the macro needs more of a field than the probe has
        return _refuse(question, "probe rejected")
    segments: list[Segment] = []
    # Choices checked in the probe: cut after each one's value attribute, in document order.
    cuts: list[tuple[int, int, Segment]] = []
    if question.is_select and not block["dropdown"]:
        for index, field in enumerate(block["fields"]):
            for value, _label in field.choices:
                # Quotes cannot occur inside escaped text, so this anchor is unambiguous.
                anchor = f' name="{escape(field.name)}" value="{escape(value)}"{_CHECKED}'
                if html.count(anchor) != 1:
                    return _refuse(question, "choice anchor")
                at = html.index(anchor) + len(anchor) - len(_CHECKED)
                cuts.append((at, at + len(_CHECKED), ("checked", index, value, multiple)))
    for marker, hole in ((_ERROR, ("error",)), (_INPUT, ("input",)), (_OPTIONS, ("options",))):
        count = html.count(marker)
        if count > 1:
            return _refuse(question, "marker repeated")
        if count == 1:
            at = html.index(marker)
            cuts.append((at, at + len(marker), hole))
    if "\x00" in html.replace(_ERROR, "").replace(_INPUT, "").replace(_OPTIONS, ""):
        return _refuse(question, "stray marker")
    position = 0
    for start, end, hole in sorted(cuts, key=lambda cut: cut[0]):
        if start < position:
            return _refuse(question, "overlapping holes")
        segments.append(html[position:start])
        segments.append(hole)
        position = end
    segments.append(html[position:])
    compiled = tuple(s for s in segments if s != "")
    # Self-check: the compiled block must give exactly what the macro gives for this request.
    if str(_fill(compiled, block)) != str(render_with_macro(block, language)):
        return _refuse(question, "differs from the macro")
    return compiled


def _refuse(question, reason: str) -> tuple[Segment, ...] | None:
    logger.warning("question %s is rendered by its macro: %s", question.name, reason)
    return None


def _fill(segments: tuple[Segment, ...], block: Mapping[str, Any]) -> Markup:
    fields = block["fields"]
    parts: list[str] = []
    for segment in segments:
        if segment.__class__ is str:
            parts.append(segment)
            continue
        kind = segment[0]
        if kind == "checked":
            data = fields[segment[1]].data
            if segment[3]:
                chosen = bool(data) and segment[2] in data
            else:
                chosen = data == segment[2]
            if chosen:
                parts.append(_CHECKED)
        elif kind == "error":
            parts.append(escape(block["error"]))
        elif kind == "input":
            parts.append(block["input"])
        else:
            parts.append(block["options"])
    # Static parts are the macro's own escaped output; holes are escaped above or are Markup.
    return Markup("".join(parts))  # noqa: S704  # nosec B704
