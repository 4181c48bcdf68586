"""Compile questionnaire pages into WTForms form classes and validate a submitted page.

One form class is built per (questionnaire, page, language, repeated items) and cached, so
a request only instantiates it. Validation follows the page's skip logic: a question that
does not apply is neither required nor checked, and its answer is dropped.
"""
from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Iterator, Mapping
from typing import Any, cast

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import Field, HiddenField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.core import Label, UnboundField
from wtforms.widgets import CheckboxInput, ListWidget

from survey_app.questionnaire.definition import Choice, Page, Question, Questionnaire
from survey_app.questionnaire.expressions import is_empty
from survey_app.questionnaire.logic import Respondent, choices_for, each_of_items, question_applies
from survey_app.questionnaire.traversal import calculate, count_problem
from survey_app.questionnaire.values import PARSERS, InvalidValue

INPUT_ATTRIBUTES = {
    "integer": {"inputmode": "numeric", "autocomplete": "off"},
    "decimal": {"inputmode": "decimal", "autocomplete": "off"},
    "date": {"type": "date"},
    "month_year": {"type": "month", "placeholder": "YYYY-MM"},
}


class MultiCheckboxField(SelectMultipleField):
    """A select_multiple rendered as checkboxes (usable on any phone, unlike <select multiple>)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PageForm(FlaskForm):
    """Base of every compiled page form.

    ``revision`` carries the response revision for conflict checks; ``shown`` lists the
    questions the respondent could see when submitting (kept current by skiplogic.js), so a
    question revealed by the answers just given is asked, not reported as an error.
    """

    # Hidden fields never show a label; giving one spares WTForms a gettext call, which makes
    # Flask-WTF load its translations from disk on every request.
    revision = HiddenField(label="revision")
    shown = HiddenField(label="shown")

    def shown_names(self) -> set[str] | None:
        """Questions visible when the form was sent; None when the page did not say."""
        if not self.shown.raw_data:
            return None
        return {name for name in self.shown.raw_data[0].split(",") if name}

    def collect(self, questionnaire: Questionnaire, page: Page, stored: Mapping[str, Any],
                respondent: Respondent, language: str) -> bool:
        """Validate this page against skip logic; fill ``answers`` and ``answer_errors``.

        ``stored`` are the respondent's saved answers from other pages. Returns True when
        the page is valid. ``cleared`` lists this page's questions that do not apply.
        """
        own = {q.name for q in page.questions}
        context = {k: v for k, v in stored.items() if k not in own}
        self.answers: dict[str, Any] = {}
        self.answer_errors: dict[str, str] = {}
        self.cleared: list[str] = []
        self.revealed: list[str] = []
        shown = self.shown_names()
        applying: list[Question] = []
        for question in page.questions:  # pass 1: in order, so later questions see earlier ones
            if question.type == "calculate":
                value = calculate(question, context)
                if not is_empty(value):
                    context[question.name] = value  # later questions of the page may read it
                continue
            if not question.takes_answer:
                continue
            if not question_applies(question, questionnaire, context, respondent):
                self.cleared.append(question.name)
                continue
            applying.append(question)
            try:
                value = self._read(question, questionnaire, context, respondent)
            except InvalidValue as error:
                self.answer_errors[question.name] = str(error)
                continue
            if not is_empty(value):
                context[question.name] = value
                self.answers[question.name] = value
        for question in applying:  # pass 2: required and constraints see the whole page
            if question.name in self.answer_errors:
                continue
            value = self.answers.get(question.name)
            if self._incomplete(question, questionnaire, value, context, respondent):
                if question.required and shown is not None and question.name not in shown:
                    self.revealed.append(question.name)  # appeared after the page was shown
                elif question.required:
                    message = question.required_message.get(language) if question.required_message else None
                    self.answer_errors[question.name] = message or _("Please answer this question.")
                continue
            if question.constraint is not None and not _constraint_holds(question, value, context):
                # the builder gives every constraint a message.
                self.answer_errors[question.name] = question.constraint_message.get(language)  # type: ignore[union-attr]
            elif question.name in questionnaire.count_sources:
                message = count_problem(value, questionnaire.count_sources[question.name])
                if message:
                    self.answer_errors[question.name] = message
        return not self.answer_errors and not self.revealed

    def _read(self, question: Question, questionnaire: Questionnaire, context: Mapping[str, Any],
              respondent: Respondent) -> Any:
        if question.each_of:
            items = each_of_items(question, questionnaire, context, respondent)
            values = {}
            for item in items:
                field = self._fields.get(_item_field_name(question.name, item.name))
                raw = field.data if field is not None else None
                values[item.name] = _read_single(question, raw, context, respondent)
            return {k: v for k, v in values.items() if not is_empty(v)}
        return _read_single(question, self._fields[question.name].data, context, respondent)

    @staticmethod
    def _incomplete(question: Question, questionnaire: Questionnaire, value: Any,
                    context: Mapping[str, Any], respondent: Respondent) -> bool:
        if question.each_of:
            items = each_of_items(question, questionnaire, context, respondent)
            return not isinstance(value, dict) or any(is_empty(value.get(i.name)) for i in items)
        return is_empty(value)


def _constraint_holds(question: Question, value: Any, context: Mapping[str, Any]) -> bool:
    if isinstance(value, dict):  # each_of: every item's answer must satisfy it
        # called only when question.constraint is not None.
        return all(question.constraint.is_true(context, current=v) for v in value.values())  # type: ignore[union-attr]
    return question.constraint.is_true(context, current=value)  # type: ignore[union-attr]


def _read_single(question: Question, raw: Any, context: Mapping[str, Any], respondent: Respondent) -> Any:
    if question.type == "select_multiple":
        values = [v for v in (raw or []) if isinstance(v, str) and v]
        offered = {c.name for c in choices_for(question, context, respondent)}
        if any(v not in offered for v in values):
            raise InvalidValue(_("Please choose from the options shown."))
        # Keep the definition's order whatever order the browser sent.
        order = [c.name for c in choices_for(question, context, respondent)]
        return sorted(set(values), key=order.index)
    text = raw if isinstance(raw, str) else ("" if raw is None else str(raw))
    text = text.replace("\x00", "").strip()
    if text == "":
        return None
    if question.type == "select_one":
        if text not in {c.name for c in choices_for(question, context, respondent)}:
            raise InvalidValue(_("Please choose one of the options shown."))
        return text
    if question.type in PARSERS:
        return PARSERS[question.type](text)
    if question.max_length and len(text) > question.max_length:
        raise InvalidValue(_("Please shorten your answer to at most %(n)d characters (now %(m)d).",
                             n=question.max_length, m=len(text)))
    return text


def _item_field_name(question: str, item: str) -> str:
    return f"{question}__{item}"


def _make_field(question: Question, language: str, name: str | None = None, label: str | None = None) -> Field:
    label = label if label is not None else question.label.get(language)
    kwargs: dict[str, Any] = {"label": label, "name": name} if name else {"label": label}
    if question.type == "select_one":
        return RadioField(choices=[], validate_choice=False, **kwargs)
    if question.type == "select_multiple":
        return MultiCheckboxField(choices=[], validate_choice=False, **kwargs)
    if question.type == "long_text":
        return TextAreaField(render_kw={"maxlength": question.max_length, "rows": 4}, **kwargs)
    render_kw: dict[str, Any] = dict(INPUT_ATTRIBUTES.get(question.type, {}))
    if question.max_length:
        render_kw["maxlength"] = question.max_length
    return StringField(render_kw=render_kw, **kwargs)


# Form classes per compiled questionnaire; weak keys so they go when the questionnaire does.
_CACHE: weakref.WeakKeyDictionary[Questionnaire, dict[tuple[Any, ...], type[PageForm]]] = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()


def page_form_class(questionnaire: Questionnaire, page: Page, language: str,
                    items: Mapping[str, tuple[tuple[str, str], ...]]) -> type[PageForm]:
    """The (cached) form class for ``page``; ``items`` gives each ``each_of`` question's items."""
    key = (page.name, language, tuple(sorted(items.items())))
    classes = _CACHE.get(questionnaire)
    if classes is None:
        with _CACHE_LOCK:
            classes = _CACHE.setdefault(questionnaire, {})
    cached = classes.get(key)
    if cached is not None:
        return cached
    attributes: dict[str, Field] = {}
    for question in page.questions:
        if not question.has_field:
            continue
        if question.each_of:
            for item_name, item_label in items.get(question.name, ()):
                label = question.label.get(language).replace("{item}", item_label)
                attributes[_item_field_name(question.name, item_name)] = _make_field(question, language, label=label)
        else:
            attributes[question.name] = _make_field(question, language)
    form_class = type(f"Page_{page.name}", (PageForm,), attributes)
    with _CACHE_LOCK:
        if len(classes) > 5000:  # each_of item combinations are bounded, but stay safe
            classes.clear()
        classes[key] = form_class
    return form_class


def build_page_form(questionnaire: Questionnaire, page: Page, language: str, answers: Mapping[str, Any],
                    respondent: Respondent, formdata: Any = None, **kwargs: Any) -> PageForm:
    """Instantiate the page's form with choices set for this respondent.

    Without ``formdata`` the fields show the saved ``answers``.
    """
    items = _items(questionnaire, page, language, answers, respondent)
    form_class = page_form_class(questionnaire, page, language, items)
    form = form_class(formdata=formdata, data=_initial_data(page, answers, prefill=formdata is None), **kwargs)
    for name, choices in _field_choices(questionnaire, page, language, respondent, items):
        form[name].choices = choices
    return form


def _items(questionnaire: Questionnaire, page: Page, language: str, answers: Mapping[str, Any],
           respondent: Respondent) -> dict[str, tuple[tuple[str, str], ...]]:
    return {
        q.name: tuple((c.name, c.label.get(language))
                      for c in each_of_items(q, questionnaire, answers, respondent))
        for q in page.questions if q.each_of
    }


def _initial_data(page: Page, answers: Mapping[str, Any], prefill: bool) -> dict[str, Any]:
    """The fields' data from the saved answers (and defaults when ``prefill``)."""
    data: dict[str, Any] = {}
    for question in page.questions:
        if not question.has_field:
            continue
        value = answers.get(question.name)
        if value is None and question.default is not None and prefill:
            value = default_value(question, answers)
        if question.each_of and isinstance(value, dict):
            for item, item_value in value.items():
                data[_item_field_name(question.name, item)] = _as_field_text(question, item_value)
        elif value is not None:
            data[question.name] = _as_field_text(question, value)
    return data


def _field_choices(questionnaire: Questionnaire, page: Page, language: str, respondent: Respondent,
                   items: Mapping[str, tuple[tuple[str, str], ...]]) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """(field name, choices) of every choice field of the page."""
    static = _static_choices(questionnaire, page, language)
    for question in page.questions:
        if not question.is_select:
            continue
        # Offer every choice the page could show; JavaScript and the server filter them.
        choices = static.get(question.name)
        if choices is None:
            choices = [(c.name, c.label.get(language)) for c in _unfiltered(question, respondent)]
        if question.each_of:
            for item_name, _label in items.get(question.name, ()):
                yield _item_field_name(question.name, item_name), choices
        else:
            yield question.name, choices


# --------------------------------------------------------------------------- page views (GET)

class ShownField:
    """A field as a page view shows it: what the templates read of a WTForms field, without one.

    ``data`` follows WTForms' own processing of saved data (no form data on a GET), so the
    page is the same either way (tests compare the two). Rendering the widget itself
    (``field(**attrs)``) is handed to a real WTForms field, built only when a page needs it.
    """

    __slots__ = ("id", "name", "label", "choices", "data", "raw_data", "_view")

    def __init__(self, view: PageView, name: str, label: Label, data: Any, choices: Any = None):
        self.id = self.name = name
        self.label = label
        self.data = data
        self.raw_data: list[Any] | None = None
        self.choices = choices
        self._view = view

    def _value(self) -> str:
        return str(self.data) if self.data is not None else ""

    def __call__(self, **attrs: Any) -> Markup:
        real = self._view.real_form()[self.name]
        real.data, real.raw_data = self.data, self.raw_data
        return cast(Markup, real(**attrs))  # WTForms fields render Markup


class _HiddenInput:
    """``<input type="hidden">`` exactly as WTForms renders a HiddenField (sorted attributes)."""

    __slots__ = ("name", "data")

    def __init__(self, name: str, data: Any = None):
        self.name, self.data = name, data

    def __html__(self) -> str:
        value = "" if self.data is None else self.data
        return Markup('<input id="%s" name="%s" type="hidden" value="%s">') % (self.name, self.name, value)


class PageView:
    """A page's form for a GET: field metadata compiled once per form class, values per request.

    Stands in for :func:`build_page_form` when nothing was posted: instantiating WTForms
    (binding every field, gettext for labels, processing) is most of a form's cost and a
    GET needs none of it.
    """

    def __init__(self, questionnaire: Questionnaire, page: Page, language: str, answers: Mapping[str, Any],
                 respondent: Respondent):
        self._args = (questionnaire, page, language, answers, respondent)
        self._real: PageForm | None = None
        items = _items(questionnaire, page, language, answers, respondent)
        form_class = page_form_class(questionnaire, page, language, items)
        data = _initial_data(page, answers, prefill=True)
        self._fields: dict[str, ShownField] = {}
        for name, kind, label in _field_specs(form_class):
            self._fields[name] = ShownField(self, name, label, _processed(kind, data.get(name)))
        for name, choices in _field_choices(questionnaire, page, language, respondent, items):
            self._fields[name].choices = choices
        self.revision = _HiddenInput("revision")

    def __getitem__(self, name: str) -> ShownField:
        return self._fields[name]

    def real_form(self) -> PageForm:
        """The WTForms form of this page view (built on first use)."""
        if self._real is None:
            self._real = build_page_form(*self._args)
        return self._real


_SPECS: weakref.WeakKeyDictionary[type, tuple[tuple[str, str, Label], ...]] = weakref.WeakKeyDictionary()


def _field_specs(form_class: type[PageForm]) -> tuple[tuple[str, str, Label], ...]:
    """(name, kind, label) of the question fields of a form class, read once from its unbound fields."""
    specs = _SPECS.get(form_class)
    if specs is None:
        found = []
        for name, unbound in vars(form_class).items():
            if not isinstance(unbound, UnboundField) or name in ("revision", "shown"):
                continue
            kind = ("multiple" if issubclass(unbound.field_class, SelectMultipleField) else
                    "single" if issubclass(unbound.field_class, RadioField) else "text")
            found.append((name, kind, Label(name, unbound.kwargs.get("label"))))
        specs = tuple(found)
        _SPECS[form_class] = specs
    return specs


def _processed(kind: str, value: Any) -> Any:
    """A field's data as WTForms' ``process_data`` leaves it for ``value``."""
    if kind == "multiple":
        try:
            return [str(v) for v in value]
        except (ValueError, TypeError):
            return None
    if kind == "single":
        return str(value) if value is not None else None
    return value


def default_value(question: Question, answers: Mapping[str, Any]) -> Any:
    """The pre-fill of ``question`` (literal or expression), or None when it gives nothing usable."""
    try:
        # called only for questions with a default.
        value = question.default.evaluate(answers)  # type: ignore[union-attr]
    except (ValueError, TypeError, ArithmeticError):
        return None
    if isinstance(value, float) and math.isnan(value):  # e.g. a reference not answered yet
        return None
    if isinstance(value, bool):
        return None
    return None if is_empty(value) else value


_STATIC: weakref.WeakKeyDictionary[Questionnaire, dict[tuple[Any, ...], dict[str, Any]]] = weakref.WeakKeyDictionary()


def _static_choices(questionnaire: Questionnaire, page: Page, language: str) -> dict[str, list[tuple[str, str]]]:
    """(value, label) lists of the page's fixed choice lists, built once per page and language.

    Roster-based questions are absent (their options depend on the person).
    """
    per_questionnaire = _STATIC.get(questionnaire)
    if per_questionnaire is None:
        with _CACHE_LOCK:
            per_questionnaire = _STATIC.setdefault(questionnaire, {})
    key = (page.name, language)
    found = per_questionnaire.get(key)
    if found is None:
        found = {q.name: [(c.name, c.label.get(language)) for c in q.choices]
                 for q in page.questions if q.is_select and q.choices_from is None}
        per_questionnaire[key] = found
    return found


_OPTIONS: weakref.WeakKeyDictionary[Questionnaire, dict[tuple[Any, ...], tuple[Any, ...]]] = weakref.WeakKeyDictionary()


def option_tags(questionnaire: Questionnaire, page: Page, language: str, question: Question,
                selected: Any) -> Markup | None:
    """The ``<option>`` tags of a fixed-choice select_one, rendered once per language.

    Only which option carries ``selected`` depends on the person, so a long list (the 38
    provinces) costs a join per request instead of a template loop. None for roster-based
    questions, whose options differ per person.
    """
    if question.choices_from is not None:
        return None
    per_questionnaire = _OPTIONS.get(questionnaire)
    if per_questionnaire is None:
        with _CACHE_LOCK:
            per_questionnaire = _OPTIONS.setdefault(questionnaire, {})
    key = (page.name, question.name, language)
    tags = per_questionnaire.get(key)
    if tags is None:
        tags = tuple((c.name, Markup('<option value="%s">%s</option>') % (c.name, c.label.get(language)),
                      Markup('<option value="%s" selected>%s</option>') % (c.name, c.label.get(language)))
                     for c in question.choices)
        per_questionnaire[key] = tags
    # Every part is markup built above: joined as text, without escaping each option again.
    return Markup("".join(chosen if value == selected else plain  # noqa: S704  # nosec B704
                          for value, plain, chosen in tags))


_INPUTS: weakref.WeakKeyDictionary[Questionnaire, dict[tuple[Any, ...], tuple[Markup, Markup]]] = (
    weakref.WeakKeyDictionary())
_HOLE = "\x00value\x00"


def input_tag(questionnaire: Questionnaire, page: Page, language: str, field: Field,
              attrs: Mapping[str, str]) -> Markup:
    """The HTML of a text-like input (or textarea) with the person's value filled in.

    The tag is rendered by WTForms once per (page, field, language, attributes) with a
    placeholder value and split around it; a request only escapes its own value into the
    gap, which gives byte-for-byte the tag WTForms would render.
    """
    per_questionnaire = _INPUTS.get(questionnaire)
    if per_questionnaire is None:
        with _CACHE_LOCK:
            per_questionnaire = _INPUTS.setdefault(questionnaire, {})
    key = (page.name, field.name, language, tuple(sorted(attrs.items())))
    parts = per_questionnaire.get(key)
    if parts is None:
        saved = field.raw_data, field.data
        field.raw_data, field.data = [_HOLE], _HOLE
        try:
            html = str(field(**attrs))
        finally:
            field.raw_data, field.data = saved
        if html.count(_HOLE) != 1:
            return cast(Markup, field(**attrs))  # an unexpected widget: render it the ordinary way
        before, after = html.split(_HOLE)
        # Both halves come from the widget's own rendering (already escaped HTML); the value goes
        # between them through escape() below.
        parts = (Markup(before), Markup(after))  # noqa: S704  # nosec B704
        per_questionnaire[key] = parts
    return parts[0] + escape(field._value()) + parts[1]


def _unfiltered(question: Question, respondent: Respondent) -> tuple[Choice, ...]:
    return respondent.training_choices() if question.choices_from == "roster_trainings" else question.choices


def _as_field_text(question: Question, value: Any) -> Any:
    if question.type == "select_multiple":
        return list(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
