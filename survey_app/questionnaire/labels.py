"""Answers shown inside question texts: ``${name}`` placeholders in labels and hints.

"Last time you told us you ran: ${previous.business_description}" is filled in on the server
when the page is rendered, from the answers of earlier pages and the earlier wave's answers
(``previous.*``). The result is plain text: templates escape it like any label, so an answer
containing HTML is shown as typed, never interpreted.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from survey_app.questionnaire.expressions import is_empty, to_text
from survey_app.questionnaire.values import format_number

PLACEHOLDER = re.compile(r"\$\{\s*([^}]*?)\s*\}")


def placeholders(text: str) -> list[str]:
    """The names written as ``${name}`` in ``text``, in order."""
    return PLACEHOLDER.findall(text)


def interpolate(text: str, scope: Mapping[str, Any], language: str) -> str:
    """``text`` with every ``${name}`` replaced by that answer as a person reads it.

    Empty answers give an empty string (a questionnaire shows such a label only where its
    relevance guarantees the answer: ``questionnaire check`` warns otherwise).
    """
    if "${" not in text:
        return text
    return PLACEHOLDER.sub(lambda match: shown_value(scope.get(match.group(1)), language), text)


def shown_value(value: Any, language: str) -> str:
    """An answer as text: numbers grouped the language's way, selections joined by commas."""
    if is_empty(value):
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_number(value, language)
    if isinstance(value, (list, tuple)):
        return ", ".join(to_text(item) for item in value)
    return to_text(value)
