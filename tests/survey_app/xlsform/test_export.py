"""Export: the default questionnaire as an XLSForm that pyxform converts without errors."""
from __future__ import annotations

import io
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
from pyxform.xls2xform import convert

from survey_app.questionnaire.service import _plain
from survey_app.questionnaire.yaml_source import load_yaml
from survey_app.xlsform.writer import export_xlsform

SEED = Path(__file__).resolve().parents[3] / "seeds" / "questionnaires" / "tracer_default.yaml"
TRAININGS = [("TRN-001", "Strategi Pemasaran Digital", "sales_marketing"), ("TRN-002", "Jualan Online", "sales")]
XF = "{http://www.w3.org/2002/xforms}"


@pytest.fixture(scope="module")
def definition() -> dict:
    return _plain(load_yaml(SEED.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def exported(definition, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("export") / "tracer_default.xlsx"
    path.write_bytes(export_xlsform(definition, TRAININGS))
    return path


@pytest.fixture(scope="module")
def xform(exported) -> ElementTree.Element:
    result = convert(xlsform=str(exported), validate=False)
    assert result.warnings == []
    return ElementTree.fromstring(result.xform)  # noqa: S314 -- pyxform's XForm of our own export


def test_pyxform_converts_the_default_questionnaire_without_warnings(xform):
    assert xform.tag.endswith("html")


def test_both_languages_are_in_the_xform(xform):
    languages = {t.get("lang") for t in xform.iter(f"{XF}translation")}
    assert languages == {"Indonesian (id)", "English (en)"}


def test_skip_logic_constraints_and_required_are_bound(xform, definition):
    binds = {b.get("nodeset").rsplit("/", 1)[-1]: b for b in xform.iter(f"{XF}bind")}
    assert "${consent}" not in binds["about"].get("relevant")
    assert "consent" in binds["about"].get("relevant")
    assert binds["birth_year"].get("constraint") == ". >= 1940 and . <= 2008"
    assert binds["birth_year"].get("required") == "true()"
    assert binds["business_description"].get("constraint") == "string-length(.) >= 15"


def test_choice_filters_become_itemsets(exported, definition):
    filtered = [q["name"] for p in definition["pages"] for q in p["questions"] if q.get("choice_filter")]
    sheet = openpyxl.load_workbook(exported)["survey"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c.value for c in row))) for row in sheet.iter_rows(min_row=2)]
    exported_filters = [r["name"] for r in rows if r.get("choice_filter")]
    assert exported_filters == filtered


def test_roster_trainings_are_a_choice_list_with_a_prefill_note(exported):
    book = openpyxl.load_workbook(exported)
    choices = [[c.value for c in row] for row in book["choices"].iter_rows(min_row=2)]
    assert [r[1] for r in choices if r[0] == "roster_trainings"] == ["TRN-001", "TRN-002"]
    survey = [[c.value for c in row] for row in book["survey"].iter_rows(min_row=2)]
    names = [r[1] for r in survey]
    note_index = names.index("trainings_finished_prefill_note")
    assert survey[note_index][0] == "note" and names[note_index + 1] == "trainings_finished"
    assert survey[note_index + 1][0] == "select_multiple roster_trainings"


def test_each_of_becomes_a_repeat_over_the_selected_trainings(xform):
    repeats = [r.get("nodeset") for r in xform.iter(f"{XF}repeat")]
    assert any(n.endswith("training_usefulness_each") for n in repeats)
    # pyxform moves a repeat_count expression into a generated calculate the repeat counts on.
    calculations = [b.get("calculate") or "" for b in xform.iter(f"{XF}bind")]
    assert any("count-selected(" in c and "trainings_finished" in c for c in calculations)


def test_export_is_an_xlsx_workbook_with_three_sheets(exported):
    book = openpyxl.load_workbook(io.BytesIO(exported.read_bytes()))
    assert book.sheetnames == ["survey", "choices", "settings"]


ENGINE_DEFINITION = {
    "format": "jejak-questionnaire/1", "name": "businesses", "title": {"id": "Usaha", "en": "Businesses"},
    "languages": ["id", "en"],
    "pages": [
        {"name": "count_page", "title": {"id": "Jumlah", "en": "Count"}, "questions": [
            {"name": "business_count", "type": "integer", "default": "1",
             "label": {"id": "Berapa usaha?", "en": "How many businesses?"}},
            {"name": "twice", "type": "calculate", "calculation": "${business_count} * 2"}]},
        {"name": "businesses", "title": {"id": "Usaha {n}", "en": "Business {n}"},
         "relevant": "${business_count} > 0", "repeat": {"count": "${business_count}", "max": 3},
         "questions": [{"name": "business_description", "type": "long_text",
                        "label": {"id": "Apa usahanya?", "en": "What is it?"}}]},
        {"name": "others", "title": {"id": "Lainnya", "en": "Others"}, "repeat": {"max": 5},
         "questions": [{"name": "other_name", "type": "text", "label": {"id": "Nama", "en": "Name"}}]},
    ],
}


def test_calculate_default_and_repeats_export_to_a_valid_xform(tmp_path):
    path = tmp_path / "businesses.xlsx"
    path.write_bytes(export_xlsform(ENGINE_DEFINITION))
    result = convert(xlsform=str(path), validate=False)
    assert result.warnings == []
    xform = ElementTree.fromstring(result.xform)  # noqa: S314 -- pyxform's XForm of our own export
    repeats = sorted(r.get("nodeset").rsplit("/", 1)[-1] for r in xform.iter(f"{XF}repeat"))
    assert repeats == ["businesses", "others"]
    binds = {b.get("nodeset").rsplit("/", 1)[-1]: b for b in xform.iter(f"{XF}bind")}
    assert binds["twice"].get("calculate").split() == ["/data/count_page/business_count", "*", "2"]


def test_calculate_default_and_repeats_survive_a_round_trip():
    from survey_app.xlsform.importer import import_xlsform

    back = import_xlsform(export_xlsform(ENGINE_DEFINITION)).definition
    assert [p["name"] for p in back["pages"]] == ["count_page", "businesses", "others"]
    assert back["pages"][0]["questions"] == ENGINE_DEFINITION["pages"][0]["questions"]
    assert back["pages"][1]["repeat"] == {"count": "${business_count}", "max": 3}
    assert back["pages"][1]["relevant"] == "${business_count} > 0"
    assert back["pages"][2]["repeat"] == {"max": 5}
    assert back["pages"][1]["questions"] == ENGINE_DEFINITION["pages"][1]["questions"]


def test_texts_starting_with_equals_are_exported_as_text_not_formulas():
    from survey_app.xlsform.importer import import_xlsform

    definition = {"format": "jejak-questionnaire/1", "name": "eq", "title": {"en": "Eq"}, "languages": ["en"],
                  "pages": [{"name": "p", "title": {"en": "P"}, "questions": [
                      {"name": "n", "type": "note", "label": {"en": "=== Section ==="}}]}]}
    back = import_xlsform(export_xlsform(definition)).definition
    assert back["pages"][0]["questions"][0]["label"] == {"en": "=== Section ==="}
