"""The real forms in ../shared/xlsforms: exact unsupported lists, and --skip-unsupported imports.

``corpus_expected.json`` holds, per form, the (sheet, row, column) of every error and
unsupported item the importer reports without --skip-unsupported.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from survey_app.questionnaire.builder import check_text
from survey_app.xlsform.errors import XLSFormError
from survey_app.xlsform.importer import import_xlsform
from tests.survey_app.xlsform.conftest import corpus_forms

EXPECTED = json.loads((Path(__file__).parent / "corpus_expected.json").read_text(encoding="utf-8"))
# Forms whose import uses calculate/default/repeat (engine v2, merged): shown to use those keys.
ENGINE_KEYS = {"calculation", "default", "repeat"}
ENGINE_FORMS = {
    "cht_pnc_danger_sign_follow_up_mother.xlsx", "cht_pregnancy_home_visit.xlsx", "osm_education.xls",
    "pyxform_calculate.xls", "pyxform_repeat_date_test.xls", "pyxform_tutorial.xls", "pyxform_widgets.xls",
}


def _located(issues, kind):
    return [[i.sheet, i.row, i.column] for i in issues if i.kind == kind]


def _uses_engine_keys(definition: dict) -> bool:
    return any("repeat" in page or any(ENGINE_KEYS & set(q) for q in page["questions"])
               for page in definition["pages"])


def test_every_corpus_form_has_an_expectation(xlsforms_dir):
    assert sorted(EXPECTED) == corpus_forms()


@pytest.mark.parametrize("form", sorted(EXPECTED))
def test_import_without_skip_lists_exactly_what_is_unsupported(form, xlsforms_dir):
    data = (xlsforms_dir / form).read_bytes()
    expected = EXPECTED[form]
    if not expected["errors"] and not expected["unsupported"]:
        result = import_xlsform(data, filename=form)
        assert result.of_kind("unsupported") == []
        return
    with pytest.raises(XLSFormError) as caught:
        import_xlsform(data, filename=form)
    assert _located(caught.value.issues, "error") == expected["errors"]
    assert _located(caught.value.issues, "unsupported") == expected["unsupported"]
    assert all(i.message for i in caught.value.issues)


@pytest.mark.parametrize("form", sorted(f for f, e in EXPECTED.items() if not e["errors"]))
def test_import_with_skip_unsupported_passes_check(form, xlsforms_dir):
    result = import_xlsform((xlsforms_dir / form).read_bytes(), skip_unsupported=True, filename=form)
    assert _located(result.issues, "unsupported") == EXPECTED[form]["unsupported"]
    for item in EXPECTED[form]["unsupported"]:  # each one is followed by what was done about it
        assert item in _located(result.issues, "unsupported")
    assert _uses_engine_keys(result.definition) == (form in ENGINE_FORMS)
    assert check_text(result.yaml) == []


def test_every_corpus_form_imports_with_skip_unsupported(xlsforms_dir):
    # The goal of issue 12: with --skip-unsupported every corpus form imports. A form that is
    # truly broken (osm_health.xls uses a choice list it does not define; pyxform refuses it)
    # still lists each problem by sheet, row and column without the option.
    assert {form: expected["errors"] for form, expected in EXPECTED.items() if expected["errors"]} == {}


@pytest.mark.parametrize("form", sorted(f for f, e in EXPECTED.items() if not e["errors"]))
def test_emitted_yaml_has_no_anchors_or_aliases(form, xlsforms_dir):
    # Jejak's loader refuses aliases; a repeated object must be written out again, not referenced.
    result = import_xlsform((xlsforms_dir / form).read_bytes(), skip_unsupported=True, filename=form)
    events = list(yaml.parse(result.yaml))
    assert not [e for e in events if isinstance(e, yaml.AliasEvent) or getattr(e, "anchor", None)]
