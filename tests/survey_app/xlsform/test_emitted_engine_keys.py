"""The importer emits the agreed engine surface (ENGINE_SPEC.md) for calculate, default and repeat.

These tests assert on the emitted definition only, so they hold whether or not the engine
that evaluates those keys is merged (tests that *run* them: test_engine_features.py).
"""
from __future__ import annotations

from survey_app.xlsform.importer import import_xlsform
from tests.survey_app.xlsform.conftest import make_xlsx


def _pages(survey, **options):
    return import_xlsform(make_xlsx(survey), **options).definition["pages"]


def test_calculate_becomes_a_calculate_question_with_its_expression():
    pages = _pages([["type", "name", "label", "calculation"],
                    ["integer", "a", "A", ""],
                    ["calculate", "double", "", "${a} * 2"]])
    assert pages[0]["questions"][1] == {"name": "double", "type": "calculate", "calculation": "${a} * 2"}


def test_default_literal_and_expression():
    pages = _pages([["type", "name", "label", "default"],
                    ["integer", "count", "How many?", "1"],
                    ["date", "when", "When?", "today()"],
                    ["integer", "copy", "Copy", "${count}"]])
    count, when, copy = pages[0]["questions"]
    assert count["default"] == "1" and when["default"] == "today()" and copy["default"] == "${count}"


def test_repeat_with_count_becomes_a_repeat_page():
    pages = _pages([["type", "name", "label", "repeat_count"],
                    ["integer", "n", "How many businesses?", ""],
                    ["begin repeat", "businesses", "Business", "${n}"],
                    ["text", "what", "What does it sell?", ""],
                    ["end repeat"]])
    assert pages[1]["name"] == "businesses"
    assert pages[1]["repeat"] == {"count": "${n}", "max": 10}
    assert pages[1]["title"] == {"en": "Business ({n})"}
    assert pages[1]["questions"][0]["name"] == "what"


def test_repeat_without_count_is_add_another_with_a_max_setting():
    pages = _pages([["type", "name", "label"], ["begin repeat", "kids", "Child"], ["text", "kid", "Name"],
                    ["end repeat"]], repeat_max=7)
    assert pages[0]["repeat"] == {"max": 7}


def test_nested_repeat_is_unsupported():
    survey = [["type", "name", "label"], ["begin repeat", "a", "A"], ["begin repeat", "b", "B"], ["text", "t", "T"],
              ["end repeat"], ["end repeat"]]
    try:
        import_xlsform(make_xlsx(survey))
    except Exception as error:  # noqa: BLE001 - asserting on the domain exception below
        assert [(i.row, i.column) for i in error.issues] == [(3, "type")]
    else:
        raise AssertionError("a nested repeat must be reported")
