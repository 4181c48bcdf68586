"""A generic respondent: answers any Jejak questionnaire in the browser, driven by its definition.

Used for imported XLSForms (``test_xlsform_corpus.py``), whose questions nobody wrote steps
for. On each page it answers every question the page shows (visibility is the browser's:
``skiplogic.js`` hides what is not relevant while we type), choosing a value from the
question's type, choices and constraint: candidates are tried in order and the first one the
engine's own evaluator accepts (``Expression.is_true`` with the answers so far) is typed. It
presses "Save and continue" until the review page, sends the answers, and returns what it
typed, in the shape the answers are stored in (repeat pages as lists of instances).

Scope of expressions: answers of earlier pages are read back from the database after each
page (they include the server's calculates); calculates of the current page are computed with
the engine's ``calculate`` in page order, as the browser does.
"""
from __future__ import annotations

import re
from collections import ChainMap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from playwright.sync_api import Page, expect

from survey_app.questionnaire.definition import Question, Questionnaire
from survey_app.questionnaire.traversal import calculate
from survey_app.questionnaire.values import PARSERS

_PAGE_URL = re.compile(r"/s/[^/]+/p/([^/?#]+)(?:/(\d+))?")
MAX_ROUNDS = 6  # times one page may come back (answers revealed questions, or a value was refused)

_NUMBERS = ["1", "2", "3", "5", "10", "0", "4", "6", "8", "12", "15", "18", "20", "25", "30", "40", "50", "60",
            "100", "250", "1000", "1990", "2000", "2020", "-1"]
_TEXTS = ["Jawaban uji", "0812345678", "081234567890", "14:30", "12345", "abc", "A1", "uji@example.org", "1",
          "Jawaban uji yang sedikit lebih panjang untuk pertanyaan terbuka"]


def _dates() -> list[str]:
    today = date.today()
    past = [today - timedelta(days=d) for d in (30, 0, 1, 7, 14, 60, 90, 120, 180, 240, 270, 365, 730, 3650, 9000)]
    future = [today + timedelta(days=d) for d in (1, 7, 14, 30, 60, 90, 180, 270, 365)]
    return [d.isoformat() for d in past + future]


def _months() -> list[str]:
    seen: list[str] = []
    for text in _dates():
        if text[:7] not in seen:
            seen.append(text[:7])
    return seen


def candidates(question: Question) -> list[str]:
    """What to try typing into a question of this type, in order."""
    if question.type == "integer":
        return _NUMBERS
    if question.type == "decimal":
        return [*_NUMBERS[:5], "1.5", "2.5", "36.5", "37", *_NUMBERS[5:]]
    if question.type == "date":
        return _dates()
    if question.type == "month_year":
        return _months()
    limit = question.max_length or 500
    return [text for text in _TEXTS if len(text) <= limit]


class Unanswerable(AssertionError):
    """No candidate value satisfies a shown question (the message says which and why)."""


@dataclass
class Filler:
    """Answers one invitation of ``questionnaire`` in ``page``; ``stored`` reads its answers."""

    page: Page
    questionnaire: Questionnaire
    stored: Callable[[], Mapping[str, Any]]
    typed: dict[str, Any] = field(default_factory=dict)
    pages_seen: list[str] = field(default_factory=list)
    left_empty: list[str] = field(default_factory=list)  # optional questions no candidate satisfied
    # Which choice to take: "first", "last" (another path through the form), or "most" (the one
    # after which the page shows the most questions; select_multiple: all of them if allowed).
    strategy: str = "first"
    sideways: list[str] = field(default_factory=list)  # pages wider than the phone (long words)

    def run(self, url: str) -> bool:
        """Start, answer page after page, send; True once the answers were sent."""
        self.page.goto(url)
        self._submit("form button[type=submit]")
        while True:
            self.sideways.extend(self._overflow())
            if self.page.url.split("?")[0].endswith("/review"):
                self._submit("form .nav button[type=submit]")
                return True
            match = _PAGE_URL.search(self.page.url)
            assert match, f"neither a question page nor the review: {self.page.url}"
            self._answer_page(match.group(1), int(match.group(2)) if match.group(2) else None)

    def _submit(self, selector: str) -> None:
        """Press a submit button and wait for the page the server answers with."""
        with self.page.expect_navigation(wait_until="load"):
            self.page.locator(selector).click()

    def _overflow(self) -> list[str]:
        """The page, if it is wider than the screen (a phone user would have to scroll sideways)."""
        wide = self.page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        return [self.page.url.rsplit("/s/", 1)[-1].split("/", 1)[-1]] if wide else []

    # -- one page ------------------------------------------------------------------------------
    def _answer_page(self, name: str, instance: int | None) -> None:
        definition = self.questionnaire.page(name)
        assert definition is not None, f"the browser shows page {name!r}, which the definition lacks"
        key = name if instance is None else f"{name}.{instance}"
        self.pages_seen.append(key)
        own: dict[str, Any] = {}
        refused: dict[str, set[str]] = {}
        for _ in range(MAX_ROUNDS):
            top = dict(self.stored())
            for question in definition.questions:
                if question.type == "calculate":
                    value = calculate(question, ChainMap(own, top))
                    if value is not None:
                        own[question.name] = value
                    continue
                if question.type == "note" or question.each_of or question.name in own:
                    continue
                if self.page.locator(f"#q-{question.name}").is_hidden():
                    continue
                self._answer(question, own, top, refused.setdefault(question.name, set()))
            shown = {q.name for q in definition.questions
                     if q.has_field and q.name in own and not self.page.locator(f"#q-{q.name}").is_hidden()}
            self._submit("form .nav button[type=submit]:not([name=add_another])")
            match = _PAGE_URL.search(self.page.url)
            same = match is not None and match.group(1) == name and \
                (int(match.group(2)) if match.group(2) else None) == instance
            if not same:
                answered = {k: v for k, v in own.items() if k in shown}
                if instance is None:
                    self.typed.update(answered)
                else:
                    self.typed.setdefault(name, []).append(answered)
                return
            # The page came back: questions were revealed, or the server refused a value.
            for block in self.page.locator(".q.has-error").all():
                wrong = block.get_attribute("data-name") or ""
                text = block.locator(".error").inner_text()
                if wrong in own:
                    refused.setdefault(wrong, set()).add(str(own.pop(wrong)))
                else:
                    raise Unanswerable(f"page {key}: {wrong!r} was refused without our answer: {text}")
        raise Unanswerable(f"page {key} still refused after {MAX_ROUNDS} tries: "
                           f"{[b.inner_text() for b in self.page.locator('.q.has-error').all()]}")

    def _answer(self, question: Question, own: dict[str, Any], top: Mapping[str, Any], refused: set[str]) -> None:
        scope = ChainMap(own, top)
        if question.is_select:
            values = self._choice_values(question)
            if self.strategy == "last":
                values = values[::-1]
            options: list[Any] = [[v] if question.type == "select_multiple" else v for v in values]
            if self.strategy == "most" and question.type == "select_multiple" and len(values) > 1:
                options.insert(0, values)  # everything ticked (a constraint may refuse it)
        else:
            options = [PARSERS[question.type](text) if question.type in PARSERS else text
                       for text in candidates(question)]
        fitting = [v for v in options if str(v) not in refused and self._accepted(question, v, scope)]
        if not fitting:
            if question.required:
                raise Unanswerable(f"{question.name!r} ({question.type}) is required but no value fits: constraint "
                                   f"{question.constraint.source if question.constraint else None!r}, "
                                   f"choices shown {self._choice_values(question) if question.is_select else '-'}, "
                                   f"refused by the server {sorted(refused)}")
            self.left_empty.append(question.name)
            return
        value = fitting[0]
        if self.strategy == "most" and question.type == "select_one" and len(fitting) > 1:
            shown = []
            for candidate in fitting:  # the choice after which the page shows the most questions
                self._set(question, candidate)
                shown.append(self.page.locator(".q:not([hidden])").count())
            value = fitting[shown.index(max(shown))]
        self._set(question, value)
        own[question.name] = value

    def _set(self, question: Question, value: Any) -> None:
        """Type or choose ``value`` in the question's inputs, as a person would."""
        block = self.page.locator(f"#q-{question.name}")
        if question.type == "select_one" and block.locator("select").count():
            block.locator("select").select_option(value=value)
        elif question.is_select:
            if question.type == "select_multiple":  # a default (or an earlier try) may have ticked others
                while block.locator("input:checked").count():
                    block.locator("input:checked").first.uncheck()
            for item in value if isinstance(value, list) else [value]:
                block.locator(f"input[value=\"{item}\"]").check()
        else:
            block.locator(f"[name='{question.name}']").fill(_as_typed(question, value))

    def _choice_values(self, question: Question) -> list[str]:
        block = self.page.locator(f"#q-{question.name}")
        if block.locator("select").count():
            return [v for v in block.locator("select option").evaluate_all("os => os.map(o => o.value)") if v]
        return block.locator("label.choice:not([hidden]) input").evaluate_all("xs => xs.map(x => x.value)")

    @staticmethod
    def _accepted(question: Question, value: Any, scope: Mapping[str, Any]) -> bool:
        if question.constraint is None:
            return True
        try:
            return question.constraint.is_true(scope, current=value)
        except (ValueError, TypeError, ZeroDivisionError):
            return False


def _as_typed(question: Question, value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def expect_thanks(page: Page) -> None:
    """The thank-you page is shown (any language: it is the page without a form to fill)."""
    expect(page.locator("form .nav button[type=submit]")).to_have_count(0)
