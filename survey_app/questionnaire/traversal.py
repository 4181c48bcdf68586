"""One pass over a questionnaire for one answer set: what applies, what is kept, where to go.

:func:`walk` goes through the pages in order once. For every page (every instance of a
repeat page) it decides whether the page applies, which of its questions apply, keeps the
answers still offered, evaluates calculates, and remembers the result as a :class:`Visit`.
Cleaning answers, the required and constraint checks, the review summary, navigation
(next, previous, resume) and the exports' repeat layout all read this one result instead of
walking the questionnaire themselves.

Repeat pages: ``answers[page.name]`` is a list of mappings, one per instance. Inside an
instance, expressions see the instance's answers first, then the top-level answers
(a :class:`collections.ChainMap`), which is what ``${q}`` inside a repeat means.

Earlier answers: in a follow-up wave the top-level scope also resolves
``previous.<question>`` to the respondent's answer in the wave followed up
(:meth:`Respondent.previous_scope`); they are read, never stored with the new answers.
"""
from __future__ import annotations

import math
from collections import ChainMap
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from survey_app.questionnaire.definition import REPEAT_HARD_MAX, Page, Question, Questionnaire
from survey_app.questionnaire.expressions import PREVIOUS, is_empty, to_number
from survey_app.questionnaire.logic import (
    Respondent,
    each_of_items,
    keep_offered,
    page_applies,
    question_applies,
)


@dataclass(frozen=True)
class Visit:
    """One applicable page (one instance of a repeat page) with its applicable questions.

    ``scope`` is what the page's expressions read: the top-level answers, or for a repeat
    instance the instance's answers in front of them. ``instance`` is 1-based (None when the
    page does not repeat). ``new`` marks an "add another" instance not stored yet.
    """

    page: Page
    instance: int | None
    questions: tuple[Question, ...]
    scope: Mapping[str, Any] = field(compare=False, repr=False)
    new: bool = False

    @property
    def key(self) -> str:
        """What ``Response.current_page`` stores: ``about`` or ``businesses.2``."""
        return self.page.name if self.instance is None else f"{self.page.name}.{self.instance}"

    @property
    def own_answers(self) -> Mapping[str, Any]:
        """The answers belonging to this page (instance)."""
        names = {q.name for q in self.page.questions}
        return {k: v for k, v in self.scope.items() if k in names}

    def title(self, language: str) -> str:
        """The page title (with the instance number on a repeat page)."""
        return self.page.title_for(language, self.instance)


def calculate(question: Question, scope: Mapping[str, Any]) -> Any:
    """A calculate's value; empty (None) when it cannot be computed (e.g. division by zero)."""
    if question.relevant is not None and not question.relevant.is_true(scope):
        return None
    try:
        # only called for calculate questions, which have a calculation.
        value = question.calculation.evaluate(scope)  # type: ignore[union-attr]
    except (ValueError, TypeError, OverflowError, ArithmeticError):
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**53:
        return None  # beyond what JSON numbers hold exactly
    return value


def repeat_count(page: Page, top: Mapping[str, Any], stored: int) -> int:
    """How many instances a repeat page has: its ``count`` (capped to 0..max) or what is stored.

    A count that is negative, not a number or empty gives 0; one above ``max`` gives ``max``
    (the question feeding it refuses such values with a message, see :mod:`.forms`).
    """
    # only called for repeat pages.
    limit = min(page.repeat.max, REPEAT_HARD_MAX)  # type: ignore[union-attr]
    if page.repeat.count is not None:  # type: ignore[union-attr]
        try:
            number = to_number(page.repeat.count.evaluate(top))  # type: ignore[union-attr]
        except (ValueError, TypeError, ArithmeticError):
            return 0
        if not math.isfinite(number):
            return 0
        return max(0, min(int(number), limit))
    return max(1, min(stored, limit))  # "add another": at least the first instance is asked


class Walk:
    """The result of one pass: cleaned answers and the applicable visits, in order."""

    def __init__(self, questionnaire: Questionnaire, answers: dict[str, Any], visits: list[Visit],
                 respondent: Respondent, scope: MutableMapping[str, Any] | None = None):
        self.questionnaire = questionnaire
        self.answers = answers
        self.visits = visits
        self.respondent = respondent
        # What top-level expressions read: the answers plus the earlier wave's (previous.*).
        self.scope: MutableMapping[str, Any] = answers if scope is None else scope

    # -- finding pages -----------------------------------------------------------------
    @property
    def pages(self) -> list[Page]:
        """The applicable pages (a repeat page once), in order."""
        seen: list[Page] = []
        for visit in self.visits:
            if not seen or seen[-1] is not visit.page:
                seen.append(visit.page)
        return seen

    def visit(self, page_name: str, instance: int | None = None) -> Visit | None:
        """The visit for ``page_name`` (and instance), or None when it does not apply / exist.

        On an "add another" repeat page the next, not yet stored instance is also a visit
        (``new``), as long as the maximum is not reached.
        """
        page = self.questionnaire.page(page_name)
        if page is None or (page.repeat is None) != (instance is None):
            return None
        for visit in self.visits:
            if visit.page is page and visit.instance == instance:
                return visit
        if page.repeat is not None and page.repeat.count is None and instance is not None:
            if instance == self.instance_count(page) + 1 and instance <= min(page.repeat.max, REPEAT_HARD_MAX):
                return self._new_instance(page, instance)
        return None

    def instance_count(self, page: Page) -> int:
        """How many instances of a repeat page are visits now."""
        return sum(1 for v in self.visits if v.page is page)

    def can_add(self, visit: Visit) -> bool:
        """Whether an "add another" button belongs on ``visit`` (last instance, below max)."""
        repeat = visit.page.repeat
        return (repeat is not None and repeat.count is None and visit.instance is not None
                and visit.instance >= self.instance_count(visit.page)
                and visit.instance < min(repeat.max, REPEAT_HARD_MAX))

    def _new_instance(self, page: Page, instance: int) -> Visit | None:
        if not page_applies(page, self.scope):
            return None
        scope: ChainMap[str, Any] = ChainMap({}, self.scope)
        questions = tuple(q for q in page.questions if q.is_shown
                          and question_applies(q, self.questionnaire, scope, self.respondent))
        return Visit(page, instance, questions, scope, new=True) if questions else None

    # -- navigation ----------------------------------------------------------------------
    def _position(self, visit: Visit) -> int | None:
        for index, candidate in enumerate(self.visits):
            if candidate.page is visit.page and candidate.instance == visit.instance:
                return index
        return None

    def next_visit(self, visit: Visit) -> Visit | None:
        """The visit after ``visit`` (None = the review step)."""
        index = self._position(visit)
        if index is None:  # a page that stopped applying: continue after the last one before it
            order = self.questionnaire.page_index(visit.page.name)
            following = [v for v in self.visits if self.questionnaire.page_index(v.page.name) > order]
            return following[0] if following else None
        return self.visits[index + 1] if index + 1 < len(self.visits) else None

    def previous_visit(self, visit: Visit) -> Visit | None:
        """The visit before ``visit`` (None on the first page)."""
        index = self._position(visit)
        if index is None:
            if visit.new and self.visits:  # the "add another" instance: back to the last stored one
                same = [v for v in self.visits if v.page is visit.page]
                return same[-1] if same else None
            return None
        return self.visits[index - 1] if index > 0 else None

    def resume_visit(self, current_key: str | None) -> Visit | None:
        """Where a returning person continues (None = the review step).

        After the last page saved, unless an earlier page still misses a required answer.
        """
        if current_key is None and self.visits:
            # xlsform (issue 12): nobody saved a page yet, so start at the first page. Without
            # this, a form with no required question (most XLSForms) opened on the review step,
            # and optional questions before the first required one were never shown.
            return self.visits[0]
        incomplete = self.first_incomplete()
        if incomplete is None:
            return None
        keys = [v.key for v in self.visits]
        if current_key in keys:
            index = keys.index(current_key)
            if self.visits.index(incomplete) <= index:
                return incomplete
            return self.visits[min(index + 1, len(self.visits) - 1)]
        return incomplete

    # -- checks --------------------------------------------------------------------------
    def missing_required(self, visit: Visit) -> list[Question]:
        """Required questions of ``visit`` that apply but have no (complete) answer."""
        missing = []
        for question in visit.questions:
            if not question.required:
                continue
            value = visit.scope.get(question.name)
            if question.each_of:
                items = each_of_items(question, self.questionnaire, visit.scope, self.respondent)
                if not isinstance(value, dict) or any(is_empty(value.get(i.name)) for i in items):
                    missing.append(question)
            elif is_empty(value):
                missing.append(question)
        return missing

    def first_incomplete(self) -> Visit | None:
        """The first visit with a required answer missing, or None when complete."""
        return next((v for v in self.visits if self.missing_required(v)), None)

    def problems(self, visit: Visit, language: str) -> dict[str, str]:
        """Question → message for every required or constraint rule ``visit`` breaks now.

        This is the submit-time re-check: answers saved on other pages may have changed
        since this page was saved (a cross-page constraint such as workers_paid ≤ job_status).
        """
        errors: dict[str, str] = {}
        for question in self.missing_required(visit):
            message = question.required_message.get(language) if question.required_message else None
            errors[question.name] = message or _("Please answer this question.")
        for question in visit.questions:
            if question.name in errors or question.constraint is None:
                continue
            value = visit.scope.get(question.name)
            if is_empty(value):
                continue
            values = value.values() if isinstance(value, dict) else [value]
            if not all(question.constraint.is_true(visit.scope, current=v) for v in values):
                # the builder gives every constraint a message.
                errors[question.name] = question.constraint_message.get(language)  # type: ignore[union-attr]
        limit = self.questionnaire.count_sources
        for question in visit.questions:
            if question.name in limit and question.name not in errors:
                message = count_problem(visit.scope.get(question.name), limit[question.name])
                if message:
                    errors[question.name] = message
        return errors

    def first_problem(self, language: str) -> tuple[Visit, dict[str, str]] | None:
        """The first visit breaking a rule, with its messages; None when all is well."""
        for visit in self.visits:
            errors = self.problems(visit, language)
            if errors:
                return visit, errors
        return None


def count_problem(value: Any, maximum: int) -> str | None:
    """The message for an answer that gives a repeat's count outside 0..max (None if fine)."""
    if is_empty(value):
        return None
    number = to_number(value)
    if not math.isfinite(number) or number != int(number) or not 0 <= number <= maximum:
        return str(_("Please enter a whole number from 0 to %(max)d.", max=maximum))
    return None


def walk(questionnaire: Questionnaire, answers: Mapping[str, Any], respondent: Respondent) -> Walk:
    """Walk the questionnaire once for ``answers``; see the module docstring.

    Each question is judged on the answers already kept, so a chain of dependent questions
    disappears together when its first link changes.
    """
    return _walk(questionnaire, answers, respondent, through=None)


def page_visit(questionnaire: Questionnaire, answers: Mapping[str, Any], respondent: Respondent,
               page: Page, instance: int | None) -> Visit | None:
    """The visit of one page (instance) for ``answers``, walking only up to that page.

    What :meth:`Walk.visit` of a whole walk gives, for less: a page's expressions may only read
    questions before it (``questionnaire check`` refuses the rest), so the pages after it
    cannot change its visit. A page save needs nothing more before it merges the answers
    and walks the whole questionnaire once.
    """
    return _walk(questionnaire, answers, respondent, through=page).visit(page.name, instance)


def _walk(questionnaire: Questionnaire, answers: Mapping[str, Any], respondent: Respondent,
          through: Page | None) -> Walk:
    # In a follow-up wave the earlier answers (``previous.<q>``, names no question can have)
    # sit in the same dict as the answers being kept, so every lookup stays a dict lookup;
    # they are left out of the answers the walk returns.
    kept: dict[str, Any] = respondent.previous_scope() if respondent.previous else {}
    visits: list[Visit] = []
    pages = questionnaire.pages if through is None else \
        questionnaire.pages[:questionnaire.page_index(through.name) + 1]
    for page in pages:
        if not page_applies(page, kept):
            continue
        if page.repeat is None:
            shown = _walk_questions(questionnaire, page, answers, kept, kept, respondent)
            if shown:
                visits.append(Visit(page, None, shown, kept))
            continue
        stored = answers.get(page.name)
        stored = stored if isinstance(stored, list) else []
        instances: list[dict[str, Any]] = []
        for number in range(1, repeat_count(page, kept, len(stored)) + 1):
            raw = stored[number - 1] if number <= len(stored) and isinstance(stored[number - 1], dict) else {}
            own: dict[str, Any] = {}
            scope = ChainMap(own, kept)
            shown = _walk_questions(questionnaire, page, raw, own, scope, respondent)
            instances.append(own)
            if shown:
                visits.append(Visit(page, number, shown, scope))
        asked = {q.name for q in page.questions if q.has_field}
        while instances and not asked.intersection(instances[-1]):
            instances.pop()  # trailing instances nobody answered (calculates alone) are not stored
        if instances:
            kept[page.name] = instances
    if respondent.previous:
        answers_kept = {k: v for k, v in kept.items() if not k.startswith(PREVIOUS)}
        return Walk(questionnaire, answers_kept, visits, respondent, kept)
    return Walk(questionnaire, kept, visits, respondent)


def _walk_questions(questionnaire: Questionnaire, page: Page, source: Mapping[str, Any], target: dict[str, Any],
                    scope: Mapping[str, Any], respondent: Respondent) -> tuple[Question, ...]:
    shown: list[Question] = []
    for question in page.questions:
        if question.type == "calculate":
            value = calculate(question, scope)
            if not is_empty(value):
                target[question.name] = value
            continue
        if not question_applies(question, questionnaire, scope, respondent):
            continue
        shown.append(question)
        if question.takes_answer and question.name in source:
            value = keep_offered(question, questionnaire, source[question.name], scope, respondent)
            if not is_empty(value):
                target[question.name] = value
    return tuple(shown)


def merge_page(stored: Mapping[str, Any], visit: Visit, page_answers: Mapping[str, Any],
               cleared: list[str]) -> dict[str, Any]:
    """The stored answers with one page's (one instance's) new answers in place of its old ones."""
    own = {q.name for q in visit.page.questions}
    if visit.instance is None:
        merged = {k: v for k, v in stored.items() if k not in own and k not in cleared}
        merged.update(page_answers)
        return merged
    merged = dict(stored)
    instances = list(merged.get(visit.page.name) or [])
    instances = [item if isinstance(item, dict) else {} for item in instances]
    while len(instances) < visit.instance:
        instances.append({})
    instances[visit.instance - 1] = {k: v for k, v in page_answers.items() if k in own}
    merged[visit.page.name] = instances
    return merged


# Shorthands over one walk, for callers that need one answer of it.
def clean_answers(questionnaire: Questionnaire, answers: Mapping[str, Any],
                  respondent: Respondent) -> dict[str, Any]:
    """Drop answers to questions that no longer apply, and choices no longer offered.

    Calculates are evaluated afresh. One pass: see :func:`walk`.
    """
    return walk(questionnaire, answers, respondent).answers


def visible_pages(questionnaire: Questionnaire, answers: Mapping[str, Any],
                  respondent: Respondent) -> list[Page]:
    """Pages this respondent will see, given the (cleaned) answers so far."""
    return walk(questionnaire, answers, respondent).pages


def first_incomplete_page(questionnaire: Questionnaire, answers: Mapping[str, Any],
                          respondent: Respondent) -> Page | None:
    """The first visible page with a required answer missing, or None when complete."""
    visit = walk(questionnaire, answers, respondent).first_incomplete()
    return visit.page if visit is not None else None
