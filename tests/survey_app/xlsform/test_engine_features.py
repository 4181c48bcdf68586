"""Imported forms that use calculate, default and repeat, run through the engine (ENGINE_SPEC.md)."""
from __future__ import annotations

import pytest

from survey_app.questionnaire.builder import build, check_text
from survey_app.xlsform.importer import import_xlsform
from tests.survey_app.xlsform.conftest import make_xlsx
from tests.survey_app.xlsform.test_corpus import ENGINE_FORMS, EXPECTED


@pytest.mark.parametrize("form", sorted(f for f in ENGINE_FORMS if not EXPECTED[f]["errors"]))
def test_corpus_form_with_engine_features_passes_check(form, xlsforms_dir):
    result = import_xlsform((xlsforms_dir / form).read_bytes(), skip_unsupported=True, filename=form)
    assert check_text(result.yaml) == []


def test_calculate_default_and_repeat_form_compiles():
    data = make_xlsx([["type", "name", "label", "calculation", "default", "repeat_count", "relevant"],
                      ["integer", "n", "How many businesses?", "", "1", "", ""],
                      ["calculate", "twice", "", "${n} * 2", "", "", ""],
                      ["note", "shown", "Twice is more than 3", "", "", "", "${twice} > 3"],
                      ["begin repeat", "businesses", "Business", "", "", "${n}", ""],
                      ["text", "what", "What does it sell?", "", "", "", ""],
                      ["end repeat"]])
    result = import_xlsform(data)
    assert check_text(result.yaml) == []
    questionnaire = build(result.definition)
    assert questionnaire.questions["shown"].relevant.is_true({"n": 2, "twice": 4})


def test_repeat_without_count_compiles_as_add_another():
    data = make_xlsx([["type", "name", "label"], ["begin repeat", "kids", "Child"], ["text", "kid", "Name"],
                      ["end repeat"]])
    assert check_text(import_xlsform(data).yaml) == []
