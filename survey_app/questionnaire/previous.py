"""``${previous.<question>}``: where a questionnaire reads a follow-up wave's earlier answers.

The engine resolves the references (:meth:`.logic.Respondent.previous_scope`); this module
answers the questions asked about them before fielding: which earlier answers does a
questionnaire read, do they exist in the questionnaire of the wave followed up
(:func:`unknown_previous_references`, used by ``flask questionnaire check --against-wave`` and
by wave creation), and which labels show an earlier answer where it may be empty
(:func:`previous_warnings`).
"""
from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from typing import Any

from survey_app.questionnaire.builder import build, build_from_text
from survey_app.questionnaire.definition import Questionnaire
from survey_app.questionnaire.errors import Problem
from survey_app.questionnaire.expressions import PREVIOUS, Expression
from survey_app.questionnaire.labels import placeholders


@dataclass(frozen=True)
class PreviousUse:
    """One place reading ``previous.<name>``: where (line, question, key) and what."""

    name: str
    line: int
    question: str | None
    where: str


def previous_uses(questionnaire: Questionnaire) -> list[PreviousUse]:
    """Every ``${previous.…}`` of the questionnaire, in document order."""
    uses: list[PreviousUse] = []
    for page in questionnaire.pages:
        page_expressions = (("relevant", page.relevant),
                            ("repeat count", page.repeat.count if page.repeat is not None else None))
        for key, expression in page_expressions:
            uses.extend(_from_expression(expression, page.line, None, f"{key} of page '{page.name}'"))
        for question in page.questions:
            for key in ("relevant", "constraint", "choice_filter", "calculation", "default"):
                uses.extend(_from_expression(getattr(question, key), question.line, question.name, key))
            for key in ("label", "hint"):
                text = getattr(question, key)
                if text is None or not question.is_shown:
                    continue
                names = {name for value in text.translations.values() for name in placeholders(value)}
                uses.extend(PreviousUse(name[len(PREVIOUS):], question.line, question.name, key)
                            for name in sorted(names) if name.startswith(PREVIOUS))
    return uses


def _from_expression(expression: Expression | None, line: int, question: str | None,
                     where: str) -> list[PreviousUse]:
    if expression is None:
        return []
    return [PreviousUse(name, line, question, where) for name in sorted(expression.previous_references())]


_NAMES: weakref.WeakKeyDictionary[Questionnaire, frozenset[str]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def previous_names(questionnaire: Questionnaire) -> frozenset[str]:
    """The earlier wave's questions this questionnaire reads (computed once per questionnaire)."""
    found = _NAMES.get(questionnaire)
    if found is None:
        found = frozenset(use.name for use in previous_uses(questionnaire))
        with _LOCK:
            _NAMES[questionnaire] = found
    return found


Definition = Questionnaire | str | dict[str, Any]


def _compiled(definition: Definition) -> Questionnaire:
    if isinstance(definition, Questionnaire):
        return definition
    return build_from_text(definition) if isinstance(definition, str) else build(definition)


def unknown_previous_references(definition: Definition, earlier_definition: Definition) -> list[str]:
    """Messages for every ``${previous.x}`` where x is no question of the earlier questionnaire.

    Each argument is a compiled questionnaire, YAML source text, or a stored version's
    ``definition`` mapping. Messages name the question, and the line when it is known (a
    questionnaire compiled from YAML text; stored ``definition`` mappings have no lines, so
    pass ``source`` when it is the YAML). Empty list = fine. Raises
    :class:`~survey_app.questionnaire.errors.DefinitionError` for an invalid definition.
    """
    current, earlier = _compiled(definition), _compiled(earlier_definition)
    known = set(earlier.questions) | {page.name for page in earlier.repeat_pages}
    messages = []
    for use in previous_uses(current):
        if use.name in known:
            continue
        where = ", ".join(part for part in (f"line {use.line}" if use.line else "",
                                            f"question '{use.question}'" if use.question else "") if part)
        messages.append(f"{where}: '{use.where}' reads previous.{use.name}, but questionnaire "
                        f"'{earlier.name}' of the earlier wave has no question '{use.name}'")
    return messages


def previous_warnings(questionnaire: Questionnaire) -> list[Problem]:
    """Labels and hints that show ``previous.x`` on a question whose relevance does not test x.

    A newcomer has every ``previous.*`` empty; such a text would show them an empty gap. The
    question's own ``relevant`` or its page's should read ``previous.x`` (e.g. ``!= ''``).
    """
    tests: dict[str, frozenset[str]] = {}
    for page in questionnaire.pages:
        page_tests = page.relevant.previous_references() if page.relevant is not None else frozenset()
        for question in page.questions:
            own = question.relevant.previous_references() if question.relevant is not None else frozenset()
            tests[question.name] = page_tests | own
    return [Problem(f"the {use.where} shows previous.{use.name}, but neither the question's nor the page's "
                    f"'relevant' reads previous.{use.name}: a person without that earlier answer would see "
                    f"an empty gap (add e.g. relevant: \"${{previous.{use.name}}} != ''\")",
                    use.line, use.question)
            for use in previous_uses(questionnaire)
            if use.where in ("label", "hint") and use.question is not None
            and use.name not in tests.get(use.question, set())]
