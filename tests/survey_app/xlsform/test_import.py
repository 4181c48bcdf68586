"""Import of small inline XLSForms: headers, types, groups, expressions, unsupported items."""
from __future__ import annotations

import pytest

from survey_app.questionnaire.builder import build, check_text
from survey_app.xlsform.errors import XLSFormError
from survey_app.xlsform.headers import parse_header
from survey_app.xlsform.importer import import_xlsform
from tests.survey_app.xlsform.conftest import YES_NO, make_xlsx


@pytest.mark.parametrize("header, key, language", [
    ("label::English (en)", "label", "en"), ("label::English(en)", "label", "en"),
    ("label::english(en)", "label", "en"), ("label::en", "label", "en"),
    ("label::Indonesian(id)", "label", "id"), ("label::id", "label", "id"),
    ("LABEL::EN", "label", "en"), ("label:English", "label", "en"), ("label:English (en)", "label", "en"),
    ("hint::Bahasa Indonesia", "hint", "id"), ("constraint_message::id", "constraint_message", "id"),
    ("required_message::English (en)", "required_message", "en"), ("jr:constraintMsg", "constraint_message", None),
    ("bind:jr:constraintMsg", "constraint_message", None), ("requiredMsg", "required_message", None),
    ("bind:relevant", "relevant", None), ("bind:constraint", "constraint", None), ("jr:count", "repeat_count", None),
    ("list name", "list_name", None), ("media::image::English (en)", "image", "en"),
])
def test_header_variants_map_to_keys_and_language_codes(header, key, language):
    column = parse_header(0, header)
    assert (column.key, column.language) == (key, language)


def _import(survey, choices=None, settings=None, **options):
    return import_xlsform(make_xlsx(survey, choices, settings), filename="form.xlsx", **options)


def test_translations_group_page_and_skip_logic_import_and_pass_check():
    result = _import(
        [["type", "name", "label::English (en)", "label::Indonesian (id)", "relevant", "constraint",
          "constraint_message::English (en)", "constraint_message::Indonesian (id)", "required", "appearance"],
         ["begin group", "about", "About you", "Tentang Anda", "", "", "", "", "", "field-list"],
         ["integer", "Age", "Age?", "Umur?", "", ". >= 15 and . <= 99", "15-99", "15-99", "yes", ""],
         ["select_one yes_no", "works", "Working?", "Bekerja?", "${Age} >= 15", "", "", "", "true()", "horizontal"],
         ["end group"],
         ["text", "comment", "Comment", "Komentar", "selected(${works}, 'yes')", "", "", "", "", "multiline"]],
        YES_NO, [["form_title", "form_id", "default_language"], ["Test", "test_form", "Indonesian (id)"]])
    definition = result.definition
    assert definition["languages"] == ["id", "en"]
    assert definition["name"] == "test_form"
    about, loose = definition["pages"]
    assert about["name"] == "about" and about["title"] == {"id": "Tentang Anda", "en": "About you"}
    age, works = about["questions"]
    assert age == {"name": "age", "type": "integer", "label": {"id": "Umur?", "en": "Age?"}, "required": True,
                   "constraint": ". >= 15 and . <= 99", "constraint_message": {"id": "15-99", "en": "15-99"}}
    assert works["relevant"] == "${age} >= 15" and works["appearance"] == "horizontal"
    assert loose["questions"][0]["type"] == "long_text"
    assert check_text(result.yaml) == []


def test_legacy_aliases_select1_select_all_that_apply_and_list_name():
    result = _import(
        [["type", "name", "label", "bind:relevant", "bind:constraint", "bind:jr:constraintMsg", "requiredMsg",
          "required"],
         ["select1 yn", "a", "A", "", "", "", "", ""],
         ["select all that apply yn", "b", "B", "${a} = 'yes'", "count-selected(.) < 2", "one only", "needed", "yes"]],
        [["list name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"]])
    a, b = result.definition["pages"][0]["questions"]
    assert a["type"] == "select_one" and b["type"] == "select_multiple"
    assert b["relevant"] == "${a} = 'yes'" and b["constraint"] == "count-selected(.) < 2"
    assert b["constraint_message"] == {"en": "one only"} and b["required_message"] == {"en": "needed"}
    assert check_text(result.yaml) == []


def test_or_other_adds_an_other_choice_and_a_text_question():
    result = _import([["type", "name", "label"], ["select_one colors or_other", "color", "Colour?"]],
                     [["list_name", "name", "label"], ["colors", "red", "Red"]])
    color, other = result.definition["pages"][0]["questions"]
    assert color["choices"] == "colors_or_other"
    assert [c["name"] for c in result.definition["choice_lists"]["colors_or_other"]] == ["red", "other"]
    assert other["name"] == "color_other" and other["relevant"] == "selected(${color}, 'other')"
    assert check_text(result.yaml) == []


def test_nested_group_relevance_joins_each_question_and_label_becomes_a_note():
    result = _import([["type", "name", "label", "relevant"],
                      ["begin group", "outer", "Outer", ""],
                      ["integer", "n", "N", ""],
                      ["begin group", "inner", "Inner", "${n} > 1"],
                      ["text", "t", "T", "${n} < 9"],
                      ["end group"], ["end group"]])
    page = result.definition["pages"][0]
    assert [q["name"] for q in page["questions"]] == ["n", "inner", "t"]
    assert page["questions"][1]["type"] == "note"
    assert page["questions"][2]["relevant"] == "(${n} > 1) and (${n} < 9)"
    assert check_text(result.yaml) == []


def test_expression_functions_translate_and_evaluate():
    result = _import([["type", "name", "label", "constraint", "constraint_message", "relevant"],
                      ["text", "phone", "Phone", "regex(., '^[0-9]{10}$')", "10 digits", ""],
                      ["select_one yn", "q", "Q", "", "", ""],
                      ["note", "shown", "Shown", "", "",
                       "concat(jr:choice-name(${q}, '${q}'), '!') = 'Yes!' and int(round(2.6)) = 3"]],
                     [["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"]])
    questionnaire = build(result.definition)
    assert questionnaire.questions["phone"].constraint.is_true({}, "0812345678")
    assert not questionnaire.questions["phone"].constraint.is_true({}, "08123")
    relevant = questionnaire.questions["shown"].relevant
    assert relevant.is_true({"q": "yes"}) and not relevant.is_true({"q": "no"})


def test_unsupported_items_are_listed_by_sheet_row_column_and_skip_drops_them_with_warnings():
    survey = [["type", "name", "label", "relevant"],
              ["text", "name", "Name", ""],
              ["geopoint", "where", "Where?", ""],
              ["text", "why", "Why?", "${where} != ''"],
              ["calculate", "x", "", ""]]
    survey[4] = ["integer", "x", "X", "pulldata('f', 'a', 'b', ${name}) = 1"]
    with pytest.raises(XLSFormError) as caught:
        _import(survey)
    located = [(i.sheet, i.row, i.column) for i in caught.value.issues]
    assert located == [("survey", 3, "type"), ("survey", 5, "relevant")]
    result = _import(survey, skip_unsupported=True)
    names = [q["name"] for q in result.definition["pages"][0]["questions"]]
    assert names == ["name", "why"]
    why = result.definition["pages"][0]["questions"][1]
    assert why["relevant"] == "'' != ''"
    warned = [i for i in result.issues if i.row == 4 and "left out" in i.message]
    assert warned and warned[0].column == "relevant"
    assert check_text(result.yaml) == []


def test_metadata_types_are_left_out_with_a_note():
    result = _import([["type", "name", "label"], ["start", "start", ""], ["deviceid", "d", ""],
                      ["text", "t", "T"]])
    assert [q["name"] for q in result.definition["pages"][0]["questions"]] == ["t"]
    assert sum("device metadata" in i.message for i in result.issues) == 2


def test_extra_sheets_and_columns_are_ignored_with_a_note():
    data = make_xlsx([["type", "name", "label", "my notes"], ["text", "t", "T", "remember this"]],
                     extra={"scratch": [["a"], ["b"]]})
    result = import_xlsform(data)
    ignored = {(i.sheet, i.column) for i in result.issues if "ignored" in i.message}
    assert ("scratch", None) in ignored and ("survey", "my notes") in ignored


def test_bare_label_column_takes_the_settings_default_language_or_the_option():
    survey = [["type", "name", "label", "label::English (en)"], ["text", "a", "Nama usaha?", "Business name?"]]
    from_settings = _import(survey, settings=[["default_language"], ["Indonesian (id)"]])
    assert from_settings.definition["languages"] == ["id", "en"]
    assert from_settings.definition["pages"][0]["questions"][0]["label"] == {"id": "Nama usaha?",
                                                                             "en": "Business name?"}
    from_option = _import(survey, default_language="id")
    assert from_option.definition["languages"] == ["id", "en"]


def test_missing_translations_are_filled_and_reported_once_per_column():
    result = _import([["type", "name", "label::en", "label::id"], ["text", "a", "A", ""], ["text", "b", "B", ""]])
    assert result.definition["pages"][0]["questions"][1]["label"] == {"en": "B", "id": "B"}
    gaps = [i for i in result.issues if "translation" in i.message]
    assert len(gaps) == 1 and gaps[0].column == "label::id" and "rows 2, 3" in gaps[0].message


def test_questions_outside_groups_are_paged_ten_at_a_time():
    rows = [["integer", f"q{n}", f"Q{n}", f"${{q{n - 1}}} > 0" if n > 1 else ""] for n in range(1, 24)]
    result = _import([["type", "name", "label", "relevant"], *rows])
    assert [len(p["questions"]) for p in result.definition["pages"]] == [10, 10, 3]
    assert check_text(result.yaml) == []


FORWARD = [["type", "name", "label::English (en)", "calculation", "relevant"],
           ["calculate", "total", "", "${a} + ${b}", ""],           # row 2: refers to later a, b
           ["calculate", "twice", "", "${total} * 2", ""],          # row 3: refers back to total
           ["integer", "a", "A?", "", ""],
           ["integer", "b", "B?", "", "${total} > 1"],              # row 5: refers back to total
           ["calculate", "late", "", "${gone} + 1", ""],            # row 6: refers to later, dropped image
           ["image", "gone", "Photo", "", ""],
           ["calculate", "sum", "", "${a} + ${b}", ""]]             # row 8: only earlier questions


def test_a_calculate_that_refers_to_a_later_question_is_unsupported_with_its_cell():
    with pytest.raises(XLSFormError) as caught:
        _import(FORWARD)
    located = {(i.sheet, i.row, i.column) for i in caught.value.issues if i.kind == "unsupported"}
    assert ("survey", 2, "calculation") in located
    message = next(str(i.message) for i in caught.value.issues if i.row == 2 and i.kind == "unsupported")
    assert "${a}" in message and "row 4" in message and "comes later" in message
    assert ("survey", 3, "calculation") not in located and ("survey", 8, "calculation") not in located


def test_skip_unsupported_drops_a_forward_calculate_and_notes_what_referred_to_it():
    result = _import(FORWARD, skip_unsupported=True)
    names = [q["name"] for page in result.definition["pages"] for q in page["questions"]]
    # 'late' only pointed at a question that is left out anyway, so it stays (reading '').
    assert "total" not in names and {"twice", "a", "b", "late", "sum"} <= set(names)
    referrers = {(i.row, i.column) for i in result.issues if i.kind == "note" and "total" in str(i.message)
                 and "left out" in str(i.message)}
    assert {(3, "calculation"), (5, "relevant")} <= referrers
    assert check_text(result.yaml) == []


def test_typographic_quotes_in_expressions_are_read_as_plain_quotes_like_pyxform():
    data = make_xlsx([["type", "name", "label", "relevant"], ["select_one yes_no", "ok", "OK?", ""],
                      ["text", "why", "Why?", "${ok} = \u2019no\u2019"],
                      ["text", "how", "How?", "${ok} = \u201cyes\u201d"]], YES_NO)
    result = import_xlsform(data)
    questions = {q["name"]: q for p in result.definition["pages"] for q in p["questions"]}
    assert questions["why"]["relevant"] == "${ok} = 'no'"
    assert questions["how"]["relevant"] == '${ok} = "yes"'
    assert [(i.row, i.column) for i in result.issues if "typographic" in i.message] == [(3, "relevant"),
                                                                                         (4, "relevant")]


def test_clean_text_values_no_keeps_typographic_quotes_as_pyxform_does():
    data = make_xlsx([["type", "name", "label", "relevant"], ["select_one yes_no", "ok", "OK?", ""],
                      ["text", "why", "Why?", "${ok} = \u2019no\u2019"]], YES_NO,
                     [["form_id", "clean_text_values"], ["f", "no"]])
    with pytest.raises(XLSFormError) as caught:
        import_xlsform(data)
    assert [(i.kind, i.row, i.column) for i in caught.value.issues] == [("unsupported", 3, "relevant")]


def test_unsupported_calculation_of_a_question_that_is_not_a_calculate_keeps_the_question():
    # ODK reads such a calculation as a dynamic default; Jejak ignores it, so only the cell goes.
    data = make_xlsx([["type", "name", "label", "calculation"],
                      ["text", "shop", "Shop name", "instance('features')/root/item[id=1]/name"],
                      ["calculate", "other", "", "instance('features')/root/item[id=1]/name"]])
    with pytest.raises(XLSFormError) as caught:
        import_xlsform(data)
    assert [(i.row, i.column) for i in caught.value.issues] == [(2, "calculation"), (3, "calculation")]
    result = import_xlsform(data, skip_unsupported=True)
    assert [q["name"] for p in result.definition["pages"] for q in p["questions"]] == ["shop"]


def test_an_ignored_calculation_may_read_a_later_question():
    data = make_xlsx([["type", "name", "label", "calculation"], ["text", "greeting", "Hello?", "${later}"],
                      ["text", "later", "Later", ""]])
    result = import_xlsform(data)
    assert [q["name"] for p in result.definition["pages"] for q in p["questions"]] == ["greeting", "later"]
    assert [(i.row, i.column) for i in result.issues if "calculation" in i.message] == [(2, "calculation")]


def test_a_700_row_form_in_ten_languages_imports_and_passes_check():
    from tests.survey_app.xlsform.conftest import BIG_LANGUAGES, big_form

    data = big_form()
    result = import_xlsform(data)
    definition = result.definition
    assert definition["languages"] == [code for _, code in BIG_LANGUAGES]
    assert len(definition["pages"]) == 1 + 60 + 1  # loose question, 60 sections, the repeat
    questions = [q for p in definition["pages"] for q in p["questions"]]
    assert len(questions) == 1 + 60 * 9 + 2
    label = questions[-1]["label"]
    assert label == {code: f"Age [{code}]" for _, code in BIG_LANGUAGES}
    assert definition["pages"][2]["relevant"] == "${owns_0} = 'yes'"
    assert result.of_kind("unsupported") == [] and check_text(result.yaml) == []
