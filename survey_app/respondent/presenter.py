"""What the respondent templates show: progress, question blocks, the review summary."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from survey_app.questionnaire.definition import Page, Question, Questionnaire
from survey_app.questionnaire.expressions import is_empty
from survey_app.questionnaire.logic import (
    Respondent, choices_for, each_of_items, page_applies, question_applies,
)
from survey_app.questionnaire.values import format_number


# Longer single-choice lists (e.g. 38 provinces) become a <select>: less scrolling on a phone.
DROPDOWN_THRESHOLD = 15


@dataclass
class Progress:
    """Position of a page among the pages this respondent will see."""

    step: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.step / self.total) if self.total else 100


def progress(pages: list[Page], current: Page | None, questionnaire: Questionnaire | None = None,
             answers: Mapping[str, Any] | None = None) -> Progress:
    """Step number of ``current`` among the pages to be seen (None = the review step).

    Pages whose relevance depends on questions not answered yet are counted as coming, so
    the total does not jump up after the first answers (e.g. consent).
    """
    upcoming = list(pages)
    if questionnaire is not None and answers is not None:
        upcoming = [p for p in questionnaire.pages if p in pages or _undecided(p, answers)]
    total = len(upcoming) + 1  # the review step counts too
    step = upcoming.index(current) + 1 if current in upcoming else total
    return Progress(step, total)


def _undecided(page: Page, answers: Mapping[str, Any]) -> bool:
    return page.relevant is not None and any(ref not in answers for ref in page.relevant.references())


def page_context(*, token: str, questionnaire: Questionnaire, page: Page, pages: list[Page], form,
                 answers: Mapping[str, Any], respondent: Respondent, language: str,
                 errors: Mapping[str, str], revealed: list[str] = ()) -> dict[str, Any]:
    """Template variables for one page of questions."""
    context_answers = dict(answers)
    if getattr(form, "answers", None) is not None:  # re-shown after errors: judge on what was typed
        context_answers = {k: v for k, v in answers.items() if k not in {q.name for q in page.questions}}
        context_answers.update(form.answers)
    blocks = []
    for question in page.questions:
        applies = question_applies(question, questionnaire, context_answers, respondent)
        fields = []
        if question.each_of:
            for item in each_of_items(question, questionnaire, answers, respondent):
                fields.append(form[f"{question.name}__{item.name}"])
        elif question.takes_answer:
            fields.append(form[question.name])
        error = errors.get(question.name)
        blocks.append({"question": question, "fields": fields, "hidden": not applies, "error": error,
                       "attrs": _input_attributes(question, error),
                       "dropdown": question.type == "select_one" and fields and
                       len(fields[0].choices) > DROPDOWN_THRESHOLD})
    index = pages.index(page) if page in pages else 0
    return {
        "token": token, "questionnaire": questionnaire, "page": page, "form": form, "blocks": blocks,
        "language": language, "progress": progress(pages, page, questionnaire, answers),
        "previous": pages[index - 1] if index > 0 else None,
        "logic": client_logic(questionnaire, page, answers, respondent),
        "error_count": len(errors),
        "revealed": bool(revealed),
        "shown": ",".join(b["question"].name for b in blocks if not b["hidden"]),
    }


def _input_attributes(question: Question, error: str | None) -> dict[str, str]:
    """ARIA attributes tying a text input to its hint and error message."""
    described = ([f"hint-{question.name}"] if question.hint else []) + ([f"error-{question.name}"] if error else [])
    attrs = {"class_": "input"}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if error:
        attrs["aria-invalid"] = "true"
    if question.required:
        attrs["aria-required"] = "true"
    return attrs


def client_logic(questionnaire: Questionnaire, page: Page, answers: Mapping[str, Any],
                 respondent: Respondent) -> dict[str, Any]:
    """JSON for ``skiplogic.js``: expression trees of this page and the answers they read."""
    questions, needed = [], set()
    for question in page.questions:
        entry: dict[str, Any] = {"name": question.name, "type": question.type}
        if question.relevant is not None:
            entry["relevant"] = question.relevant.tree
            needed |= question.relevant.references()
        if question.choice_filter is not None:
            entry["choice_filter"] = question.choice_filter.tree
            needed |= question.choice_filter.references()
            base = respondent.training_choices() if question.choices_from else question.choices
            entry["choices"] = {c.name: c.filter_scope() for c in base}
        if question.is_select:
            entry["dynamic"] = question.choices_from is not None
        questions.append(entry)
    on_page = {q.name for q in page.questions}
    return {
        "answers": {name: answers[name] for name in sorted(needed - on_page) if name in answers},
        "questions": questions,
    }


def display_value(question: Question, value: Any, questionnaire: Questionnaire, answers: Mapping[str, Any],
                  respondent: Respondent, language: str) -> str:
    """An answer as the respondent would read it (choice labels, formatted numbers)."""
    if is_empty(value):
        return "—"
    if question.is_select:
        labels = {c.name: c.label.get(language) for c in choices_for(question, answers, respondent)}
        if question.type == "select_multiple":
            return ", ".join(labels.get(v, v) for v in value)
        return labels.get(value, str(value))
    if question.type in ("integer", "decimal"):
        return format_number(value, language)
    return str(value)


MASKED = "••••••"


def summary(questionnaire: Questionnaire, answers: Mapping[str, Any], respondent: Respondent,
            language: str, mask_sensitive: bool = False) -> list[dict[str, Any]]:
    """Pages with their applying questions and answers, for the review and thank-you pages.

    ``mask_sensitive`` hides answers to questions marked ``sensitive`` (revenue, profit): the
    thank-you page stays readable by whoever holds the link, long after submission.
    """
    result = []
    for page in questionnaire.pages:
        if not page_applies(page, answers):
            continue
        rows = []
        for question in page.questions:
            if not question.takes_answer or not question_applies(question, questionnaire, answers, respondent):
                continue
            value = answers.get(question.name)
            if mask_sensitive and question.sensitive and not is_empty(value):
                rows.append({"label": question.label.get(language), "value": MASKED})
                continue
            if question.each_of:
                for item in each_of_items(question, questionnaire, answers, respondent):
                    label = question.label.get(language).replace("{item}", item.label.get(language))
                    item_value = value.get(item.name) if isinstance(value, dict) else None
                    rows.append({"label": label, "value": display_value(
                        question, item_value, questionnaire, answers, respondent, language)})
            else:
                rows.append({"label": question.label.get(language), "value": display_value(
                    question, value, questionnaire, answers, respondent, language)})
        if rows:
            result.append({"page": page, "title": page.title.get(language), "rows": rows})
    return result
