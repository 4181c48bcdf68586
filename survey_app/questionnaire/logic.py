"""Skip logic at run time: whether one question or page applies, and what it offers.

The walk over the whole questionnaire (and its shorthands ``clean_answers``,
``visible_pages``, ``first_incomplete_page``) lives in :mod:`.traversal`, which builds on this
module; this module never imports it.

Everything is decided from the stored answers plus the respondent's roster (and, in a
follow-up wave, their answers in the wave followed up), on the server, so the survey works
with JavaScript off; the browser only mirrors it for instant feedback.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from survey_app.questionnaire.definition import Choice, Page, Question, Questionnaire, Text
from survey_app.questionnaire.expressions import PREVIOUS


@dataclass(frozen=True)
class RosterTraining:
    """A training the roster says this respondent completed."""

    code: str
    title: str
    category: str = ""


@dataclass(frozen=True)
class Respondent:
    """What the engine knows about the person answering besides their answers.

    ``previous`` holds their answers in the wave this one follows up (question → value, as
    stored there), read by ``${previous.<question>}``; empty for a newcomer, in a wave that
    is not a follow-up, or after their earlier answers were erased.
    """

    trainings: tuple[RosterTraining, ...] = ()
    previous: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)
    _choices: dict[str, tuple[Choice, ...]] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def previous_scope(self) -> dict[str, Any]:
        """The earlier answers keyed as expressions read them (``previous.<question>``)."""
        return {PREVIOUS + name: value for name, value in self.previous.items()}

    def training_choices(self) -> tuple[Choice, ...]:
        """The roster trainings as select choices (value = training code)."""
        if "roster_trainings" not in self._choices:
            self._choices["roster_trainings"] = tuple(
                Choice(t.code, Text({"id": t.title, "en": t.title}), {"category": t.category})
                for t in self.trainings
            )
        return self._choices["roster_trainings"]


def choices_for(question: Question, answers: Mapping[str, Any], respondent: Respondent) -> tuple[Choice, ...]:
    """The options this respondent sees for ``question``, after its choice filter."""
    base = respondent.training_choices() if question.choices_from == "roster_trainings" else question.choices
    if question.choice_filter is None:
        return base
    return tuple(c for c in base if question.choice_filter.is_true(answers, choice=c.filter_scope()))


def each_of_items(question: Question, questionnaire: Questionnaire, answers: Mapping[str, Any],
                  respondent: Respondent) -> tuple[Choice, ...]:
    """For an ``each_of`` question: the options selected in the question it repeats over."""
    # only called for each_of questions.
    target = questionnaire.questions[question.each_of]  # type: ignore[index]
    selected = answers.get(target.name) or []
    options = {c.name: c for c in choices_for(target, answers, respondent)}
    return tuple(options[value] for value in selected if value in options)


def question_applies(question: Question, questionnaire: Questionnaire, answers: Mapping[str, Any],
                     respondent: Respondent) -> bool:
    """Whether ``question`` is asked, given the answers so far (page relevance excluded)."""
    if question.relevant is not None and not question.relevant.is_true(answers):
        return False
    if question.is_select and not choices_for(question, answers, respondent):
        return False  # e.g. no roster trainings: nothing to choose from
    if question.each_of and not each_of_items(question, questionnaire, answers, respondent):
        return False
    return True


def page_applies(page: Page, answers: Mapping[str, Any]) -> bool:
    """Whether the page's own relevance allows it (its questions are checked separately)."""
    return page.relevant is None or page.relevant.is_true(answers)


def keep_offered(question: Question, questionnaire: Questionnaire, value: Any,
                  kept: Mapping[str, Any], respondent: Respondent) -> Any:
    if question.each_of:
        items = {c.name for c in each_of_items(question, questionnaire, kept, respondent)}
        value = {k: v for k, v in (value or {}).items() if k in items} if isinstance(value, dict) else None
        if value and question.is_select:
            offered = {c.name for c in choices_for(question, kept, respondent)}
            value = {k: v for k, v in value.items() if v in offered}
        return value
    if question.is_select:
        offered = {c.name for c in choices_for(question, kept, respondent)}
        if question.type == "select_multiple":
            return [v for v in (value or []) if v in offered] if isinstance(value, list) else None
        return value if value in offered else None
    return value
