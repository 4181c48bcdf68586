"""What the respondent templates show: progress, question blocks, the review summary."""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup
from wtforms.fields.core import Label

from survey_app.questionnaire.definition import Page, Question, Questionnaire
from survey_app.questionnaire.expressions import PREVIOUS, Expression, is_empty, to_number
from survey_app.questionnaire.forms import input_tag, option_tags
from survey_app.questionnaire.labels import fillable, interpolate
from survey_app.questionnaire.logic import Respondent, choices_for, each_of_items, question_applies
from survey_app.questionnaire.traversal import Visit, Walk
from survey_app.questionnaire.values import format_number
from survey_app.respondent import compiled

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


def progress(walk: Walk, current: Visit | None) -> Progress:
    """Step number of ``current`` among the pages to be seen (None = the review step).

    Pages whose relevance depends on questions not answered yet are counted as coming, so
    the total does not jump up after the first answers (e.g. consent).
    """
    visits = walk.visits
    on_walk = {v.page.name for v in visits}
    undecided = sum(1 for p in walk.questionnaire.pages if p.name not in on_walk and _undecided(p, walk.answers))
    total = len(visits) + undecided + 1  # the review step counts too
    if current is None:
        return Progress(total, total)
    keys = [v.key for v in visits]
    if current.key not in keys:
        return Progress(min(len(visits) + 1, total), total)
    index = keys.index(current.key)
    # undecided pages placed before the current one count as steps already behind
    order = walk.questionnaire.page_index(current.page.name)
    before = sum(1 for p in walk.questionnaire.pages[:order] if p.name not in on_walk and _undecided(p, walk.answers))
    return Progress(index + 1 + before, total)


def _undecided(page: Page, answers: Mapping[str, Any]) -> bool:
    return page.relevant is not None and any(ref not in answers for ref in page.relevant.references())


def page_context(*, token: str, questionnaire: Questionnaire, walk: Walk, visit: Visit, form,
                 respondent: Respondent, language: str, errors: Mapping[str, str],
                 revealed: Sequence[str] = ()) -> dict[str, Any]:
    """Template variables for one page of questions (one instance of a repeat page)."""
    page = visit.page
    context_answers: Mapping[str, Any] = visit.scope
    if getattr(form, "answers", None) is not None:  # re-shown after errors: judge on what was typed
        own = {q.name for q in page.questions}
        context_answers = {k: v for k, v in visit.scope.items() if k not in own}
        context_answers.update(form.answers)
    applying = {q.name for q in visit.questions} if context_answers is visit.scope else None
    blocks: list[dict[str, Any]] = []
    for question in page.questions:
        if not question.is_shown:
            continue
        if applying is not None:
            applies = question.name in applying
        else:
            applies = question_applies(question, questionnaire, context_answers, respondent)
        fields = []
        if question.each_of:
            for item in each_of_items(question, questionnaire, visit.scope, respondent):
                fields.append(form[f"{question.name}__{item.name}"])
        elif question.takes_answer:
            fields.append(form[question.name])
        error = errors.get(question.name)
        dropdown = bool(question.type == "select_one" and fields and len(fields[0].choices) > DROPDOWN_THRESHOLD)
        attrs = _input_attributes(question, error)
        text_like = question.has_field and not question.is_select and not question.each_of
        # --- previous: ${…} in label and hint (earlier pages' answers, previous.*), as plain text.
        # A new Label per request: page views share their Label objects between people.
        names = fillable(questionnaire).get(question.name)
        for field in fields:
            if "${" in field.label.text:
                field.label = Label(field.label.field_id, interpolate(field.label.text, visit.scope, language, names))
        label = interpolate(question.label.get(language), visit.scope, language, names)
        hint = interpolate(question.hint.get(language), visit.scope, language, names) if question.hint else None
        block = {"question": question, "fields": fields, "hidden": not applies, "error": error,
                 "attrs": attrs, "dropdown": dropdown, "label": label, "hint": hint,
                 "input": input_tag(questionnaire, page, language, fields[0], attrs) if text_like else None,
                 "options": (option_tags(questionnaire, page, language, question, fields[0].data)
                             if dropdown else None)}
        # The block's HTML from its compiled form (None: the template renders the macro).
        block["html"] = compiled.block_html(questionnaire, page, language, block)
        blocks.append(block)
    previous = walk.previous_visit(visit)
    return {
        "token": token, "questionnaire": questionnaire, "page": page, "visit": visit, "form": form,
        "blocks": blocks, "language": language, "progress": progress(walk, visit),
        "title": visit.title(language),
        "previous": previous,
        "can_add": walk.can_add(visit),
        "add_label": (page.repeat.add_label.get(language) if page.repeat is not None and page.repeat.add_label
                      else None),
        "count_capped": _count_capped(page, walk),
        "logic": client_logic(questionnaire, page, visit.scope, respondent),
        "error_count": len(errors),
        "revealed": bool(revealed),
        "shown": ",".join(b["question"].name for b in blocks if not b["hidden"]),
        "texts": page_texts(),
    }


_TEXTS: dict[str, dict[str, Markup]] = {}


def page_texts() -> Mapping[str, Markup]:
    """The page's fixed interface texts in the current locale, translated once per process.

    A gettext lookup per text per request was a measurable part of rendering a page. Like
    Jinja's gettext, the translations are trusted markup, so the page reads exactly the same.
    """
    locale = str(get_locale())
    texts = _TEXTS.get(locale)
    if texts is None:
        texts = {key: Markup(text) for key, text in {  # noqa: S704  # nosec B704  # our own catalogue
            "back": _("Back"),
            "save_and_add": _("Save and add another"),
            "save_and_continue": _("Save and continue"),
            "saved_each_page": _("Your answers are saved on each page. You can close this page and continue "
                                 "later from the same link."),
            "draft_unsaved": _("Not saved yet: press “Save and continue” to save what you typed."),
            "draft_restored": _("What you typed earlier on this phone is back. It is not saved yet: press "
                                "“Save and continue”."),
            "draft_failed": _("Could not reach the server, so nothing was saved. Your answers are still here: "
                              "check your connection and press “Save and continue” again."),
            "draft_sending": _("Saving…"),
        }.items()}
        _TEXTS[locale] = texts
    return texts


def _count_capped(page: Page, walk: Walk) -> int | None:
    """The repeat's maximum when its count expression asks for more instances than that."""
    repeat = page.repeat
    if repeat is None or repeat.count is None:
        return None
    try:
        wanted = to_number(repeat.count.evaluate(walk.scope))
    except (ValueError, TypeError, ArithmeticError):
        return None
    return repeat.max if math.isfinite(wanted) and wanted > repeat.max else None


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
    """JSON for ``skiplogic.js``: expression trees of this page and the answers they read.

    Calculates of the page are included (with their ``calculation`` tree) so relevance that
    depends on them updates live; their values are computed in the browser in page order.
    Earlier-wave answers (``previous.*``) are included only where this page's expressions
    read them: the page never carries the rest of the earlier response.
    """
    questions: list[dict[str, Any]] = []
    needed: set[str] = set()
    for question in page.questions:
        entry: dict[str, Any] = {"name": question.name, "type": question.type}
        if question.calculation is not None:
            entry["calculation"] = question.calculation.tree
            needed |= _reads(question.calculation)
        if question.relevant is not None:
            entry["relevant"] = question.relevant.tree
            needed |= _reads(question.relevant)
        if question.choice_filter is not None:
            entry["choice_filter"] = question.choice_filter.tree
            needed |= _reads(question.choice_filter)
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


def _reads(expression: Expression) -> frozenset[str]:
    """The names ``expression`` reads from the answers, ``previous.*`` included."""
    return expression.references() | {PREVIOUS + name for name in expression.previous_references()}


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


def summary(walk: Walk, language: str, mask_sensitive: bool = False) -> list[dict[str, Any]]:
    """Pages (repeat instances) with their applying questions and answers, for review and thanks.

    ``mask_sensitive`` hides answers to questions marked ``sensitive`` (revenue, profit): the
    thank-you page stays readable by whoever holds the link, long after submission.
    """
    questionnaire, respondent = walk.questionnaire, walk.respondent
    result = []
    for visit in walk.visits:
        rows = []
        scope = visit.scope
        for question in visit.questions:
            if not question.has_field:
                continue
            value = scope.get(question.name)
            text = interpolate(question.label.get(language), scope, language,  # --- previous
                               fillable(questionnaire).get(question.name))
            if mask_sensitive and question.sensitive and not is_empty(value):
                rows.append({"label": text, "value": MASKED})
                continue
            if question.each_of:
                for item in each_of_items(question, questionnaire, scope, respondent):
                    label = text.replace("{item}", item.label.get(language))
                    item_value = value.get(item.name) if isinstance(value, dict) else None
                    rows.append({"label": label, "value": display_value(
                        question, item_value, questionnaire, scope, respondent, language)})
            else:
                rows.append({"label": text, "value": display_value(
                    question, value, questionnaire, scope, respondent, language)})
        if rows:
            result.append({"page": visit.page, "instance": visit.instance, "title": visit.title(language),
                           "rows": rows})
    return result
