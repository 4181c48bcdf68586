"""Compiled WTForms pages: fields per question, validation that follows skip logic."""
import pytest
from werkzeug.datastructures import MultiDict

from survey_app import create_app
from survey_app.questionnaire.forms import build_page_form
from survey_app.questionnaire.logic import Respondent, RosterTraining

TWO = Respondent((RosterTraining("TRN-A", "Barista", "food_beverage"), RosterTraining("TRN-B", "Canva", "it")))


@pytest.fixture
def ctx(tmp_path):
    """An app context (no request, no database use) with CSRF off, as in a batch job."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}",
                      "WTF_CSRF_ENABLED": False}, config_name="testing")
    with app.test_request_context():
        yield


def _submit(form_def, page, data, stored=None, respondent=TWO, language="id"):
    page_def = form_def.page(page)
    form = build_page_form(form_def, page_def, language, stored or {}, respondent, formdata=MultiDict(data))
    ok = form.collect(form_def, page_def, stored or {}, respondent, language)
    return ok, form


def test_page_compiles_to_one_field_per_question(ctx, small_form):
    form = build_page_form(small_form, small_form.page("work"), "en", {}, TWO)
    assert {"birth_year", "has_business", "business_description", "revenue", "profit", "channels"} <= set(
        form._fields)
    assert form["birth_year"].label.text == "Birth year"
    assert form["has_business"].choices == [("yes", "Yes"), ("no", "No")]


def test_each_of_makes_one_field_per_selected_item(ctx, small_form):
    form = build_page_form(small_form, small_form.page("usefulness"), "id", {"finished": ["TRN-B"]}, TWO)
    assert "useful__TRN-B" in form._fields and "useful__TRN-A" not in form._fields
    assert form["useful__TRN-B"].label.text == "Seberapa berguna Canva?"


def test_values_are_typed_and_thousands_separators_accepted(ctx, small_form):
    ok, form = _submit(small_form, "work", {"birth_year": "1990", "has_business": "yes",
                                            "business_description": "warung kopi", "revenue": "1.500.000",
                                            "profit": "-20000", "channels": ["wa", "market"]})
    assert ok, form.answer_errors
    assert form.answers["revenue"] == 1500000 and form.answers["profit"] == -20000
    assert form.answers["channels"] == ["market", "wa"]  # definition order


def test_irrelevant_questions_are_neither_required_nor_kept(ctx, small_form):
    ok, form = _submit(small_form, "work", {"birth_year": "1990", "has_business": "no",
                                            "business_description": "", "revenue": "abc"})
    assert ok, form.answer_errors
    assert "revenue" not in form.answers and "revenue" in form.cleared


def test_required_and_constraint_messages_are_in_the_chosen_language(ctx, small_form):
    ok, form = _submit(small_form, "work", {"birth_year": "1700", "has_business": "yes",
                                            "business_description": "abc"}, language="en")
    assert not ok
    assert form.answer_errors["birth_year"] == "Year 1940-2010"
    assert form.answer_errors["business_description"] == "Describe more"


def test_constraint_can_compare_with_a_later_answer_on_the_same_page(ctx, small_form):
    ok, form = _submit(small_form, "work", {"birth_year": "1990", "has_business": "yes",
                                            "business_description": "warung kopi", "revenue": "100",
                                            "profit": "200"})
    assert not ok and "profit" in form.answer_errors
