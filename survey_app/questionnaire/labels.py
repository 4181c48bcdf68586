"""Answers shown inside question texts: ``${name}`` placeholders in labels and hints.

"Last time you told us you ran: ${previous.business_description}" is filled in on the server
when the page is rendered, from the answers of earlier pages and the earlier wave's answers
(``previous.*``). The result is plain text: templates escape it like any label, so an answer
containing HTML is shown as typed, never interpreted.

Only placeholders whose value is known when the page is shown are filled in: ``previous.*``
and questions on earlier pages outside repeats. Any other ``${…}`` (an answer on the same
page, a name an imported XLSForm used for something Jejak does not import) stays as written,
as it did before placeholders were filled in; ``questionnaire check`` warns about it.
"""
from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Collection, Mapping
from typing import Any

from survey_app.questionnaire.definition import Question, Questionnaire
from survey_app.questionnaire.errors import Problem
from survey_app.questionnaire.expressions import PREVIOUS, ExpressionError, is_empty, parse, to_text
from survey_app.questionnaire.values import format_number

PLACEHOLDER = re.compile(r"\$\{\s*([^}]*?)\s*\}")


def placeholders(text: str) -> list[str]:
    """The names written as ``${name}`` in ``text``, in order."""
    return PLACEHOLDER.findall(text)


def interpolate(text: str, scope: Mapping[str, Any], language: str,
                names: Collection[str] | None = None) -> str:
    """``text`` with ``${name}`` replaced by that answer as a person reads it.

    ``names`` limits which placeholders are filled (see :func:`fillable`); others are kept
    as written. Empty answers give an empty string (a questionnaire shows such a label only
    where its relevance guarantees the answer: ``questionnaire check`` warns otherwise).
    """
    if "${" not in text:
        return text

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if names is not None and name not in names:
            return match.group(0)
        return shown_value(scope.get(name), language)

    return PLACEHOLDER.sub(fill, text)


def shown_value(value: Any, language: str) -> str:
    """An answer as text: numbers grouped the language's way, selections joined by commas."""
    if is_empty(value):
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_number(value, language)
    if isinstance(value, (list, tuple)):
        return ", ".join(to_text(item) for item in value)
    return to_text(value)


_FILLABLE: weakref.WeakKeyDictionary[Questionnaire, dict[str, frozenset[str]]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def fillable(questionnaire: Questionnaire) -> dict[str, frozenset[str]]:
    """Question → the placeholders of its label and hint filled in when its page is shown."""
    found = _FILLABLE.get(questionnaire)
    if found is None:
        found = {question.name: frozenset(name for name in _text_names(question)
                                          if _problem(questionnaire, question, name) is None)
                 for question in questionnaire.questions.values()}
        with _LOCK:
            _FILLABLE[questionnaire] = found
    return found


def placeholder_warnings(questionnaire: Questionnaire) -> list[Problem]:
    """Placeholders in labels and hints that cannot be filled in (they are shown as written)."""
    warnings = []
    for question in questionnaire.questions.values():
        for name in sorted(_text_names(question)):
            problem = _problem(questionnaire, question, name)
            if problem is not None:
                warnings.append(Problem(f"${{{name}}} in the label or hint {problem}; it is shown as written",
                                        question.line, question.name))
    return warnings


def _text_names(question: Question) -> set[str]:
    if not question.is_shown:
        return set()
    texts = [question.label] + ([question.hint] if question.hint is not None else [])
    return {name for text in texts for value in text.translations.values() for name in placeholders(value)}


def _problem(questionnaire: Questionnaire, question: Question, name: str) -> str | None:
    """Why ``${name}`` cannot be filled in on ``question``'s page (None: it can)."""
    try:
        parse(f"${{{name}}}")
    except ExpressionError:
        return "is not a valid reference"
    if name.startswith(PREVIOUS):
        return None
    target = questionnaire.questions.get(name)
    if target is None:
        return "names no question of this questionnaire"
    if target.repeat is not None:
        return f"names '{name}', which is inside repeat '{target.repeat}'"
    if target.page == question.page or questionnaire.page_index(target.page) > questionnaire.page_index(question.page):
        return f"names '{name}', which is not on an earlier page (a text can only show answers saved before its page)"
    return None
