"""Validation of definition files: every problem reported with its line and question."""
import textwrap
from pathlib import Path

import pytest

from survey_app.questionnaire.builder import build_from_text, check_text
from tests.survey_app.questionnaire.conftest import SMALL_FORM

SEED = Path(__file__).resolve().parents[3] / "seeds" / "questionnaires" / "tracer_default.yaml"


def _problems(text: str) -> list[str]:
    return [str(p) for p in check_text(textwrap.dedent(text))]


def test_small_form_compiles_to_pages_and_questions(small_form):
    assert [p.name for p in small_form.pages] == ["start", "work", "trainings", "usefulness"]
    assert small_form.questions["profit"].constraint.references() == {"revenue"}
    assert small_form.consent.accept == "yes"
    assert small_form.questions["useful"].each_of == "finished"


def test_default_questionnaire_in_seeds_is_valid():
    problems = check_text(SEED.read_text(encoding="utf-8"))
    assert problems == []


def _with(old: str, new: str, occurrence: int = 1) -> str:
    """SMALL_FORM with the n-th occurrence of ``old`` replaced (which must exist)."""
    parts = SMALL_FORM.split(old)
    assert len(parts) > occurrence, f"{old!r} occurs fewer than {occurrence} times"
    return old.join(parts[:occurrence]) + new + old.join(parts[occurrence:])


def test_unknown_type_is_reported_with_line_and_question():
    problems = _problems(_with("type: integer", "type: number"))
    assert any("question 'birth_year'" in p and "unknown type 'number'" in p and p.startswith("line ")
               for p in problems), problems


def test_undefined_reference_is_reported():
    problems = _problems(_with("${has_business} = 'yes'", "${has_biz} = 'yes'"))
    assert any("undefined question 'has_biz'" in p and "business_description" in p for p in problems), problems


def test_forward_reference_in_skip_logic_is_refused():
    # the second occurrence is the relevance of 'revenue', which comes before 'profit'
    problems = _problems(_with("${has_business} = 'yes'", "${profit} > 0", occurrence=2))
    assert any("'profit', which comes later" in p and "revenue" in p for p in problems), problems


def test_cyclic_references_are_reported_as_a_cycle():
    text = """\
        format: jejak-questionnaire/1
        name: cyc
        title: T
        languages: [id]
        pages:
          - name: p1
            title: P
            questions:
              - {name: a, type: integer, label: A, constraint: ". < ${b}", constraint_message: m}
              - {name: b, type: integer, label: B, constraint: ". > ${a}", constraint_message: m}
    """
    problems = _problems(text)
    assert any("cyclic reference: a → b → a" in p for p in problems), problems


def test_bad_expression_names_its_position():
    problems = _problems(_with(". >= 1940 and . <= 2010", ". >= 1940 and and 2010"))
    assert any("bad expression in 'constraint'" in p and "at character" in p and "birth_year" in p
               for p in problems), problems


def test_every_problem_is_reported_not_just_the_first():
    text = """\
        format: jejak-questionnaire/1
        name: many
        title: {id: "T"}
        languages: [id, en]
        colour: blue
        pages:
          - name: p1
            title: {id: "P", en: "P"}
            questions:
              - {name: a, type: slider, label: {id: A, en: A}}
              - {name: a, type: text, label: {id: A, en: A}}
              - {name: c, type: select_one, label: {id: C, en: C}, choices: nope}
              - {name: d, type: text, label: {id: D}}
    """
    problems = _problems(text)
    joined = "\n".join(problems)
    for expected in ("unknown top-level key 'colour'", "'title' has no text for language(s): en",
                     "unknown type 'slider'", "unknown choice list 'nope'",
                     "'label' has no text for language(s): en"):
        assert expected in joined
    assert all(p.startswith("line ") for p in problems)


def test_duplicate_yaml_key_is_refused():
    problems = _problems("format: jejak-questionnaire/1\nname: x\nname: y\n")
    assert problems and "appears twice" in problems[0] and problems[0].startswith("line 3")


def test_yaml_syntax_error_gives_line():
    problems = _problems("format: jejak-questionnaire/1\npages: [\n  - a: b\n")
    assert problems and problems[0].startswith("line ")


def test_each_of_must_point_at_an_earlier_select_multiple():
    problems = _problems(_with("each_of: finished", "each_of: birth_year"))
    assert any("'each_of' must name a select_multiple question" in p for p in problems), problems


def test_consent_must_accept_an_existing_choice():
    problems = _problems(_with('accept: "yes"', 'accept: "ok"'))
    assert any("consent 'accept' value 'ok'" in p for p in problems), problems


def test_not_a_mapping_is_refused_clearly():
    with pytest.raises(Exception, match="YAML mapping"):
        build_from_text("- just\n- a list\n")


# -- calculate, default, repeat ------------------------------------------------------------
from tests.survey_app.questionnaire.conftest import ENGINE_FORM  # noqa: E402


def _problems_of(text):
    from survey_app.questionnaire.builder import check_text

    return [str(p) for p in check_text(text)]


def test_the_engine_form_is_valid(engine_form):
    assert engine_form.page("businesses").repeat.max == 3
    assert engine_form.questions["business_description"].repeat == "businesses"
    assert engine_form.count_sources == {"business_count": 3}


def test_calculate_dividing_by_a_literal_zero_is_refused_with_line_and_question():
    text = ENGINE_FORM.replace('calculation: "${revenue} div ${workers}"', 'calculation: "${revenue} div 0"')
    problems = _problems_of(text)
    assert any("question 'revenue_per_worker'" in p and "divides by zero" in p and p.startswith("line ")
               for p in problems), problems


def test_calculate_referencing_a_later_question_is_refused():
    text = ENGINE_FORM.replace('calculation: "${revenue} div ${workers}"', 'calculation: "${satisfied} = \'yes\'"')
    problems = _problems_of(text)
    assert any("question 'revenue_per_worker'" in p and "'satisfied', which comes later" in p for p in problems)


def test_referencing_into_a_repeat_from_outside_is_refused():
    text = ENGINE_FORM.replace('relevant: "${business_total} > 0"', 'relevant: "${business_workers} > 0"')
    problems = _problems_of(text)
    assert any("inside repeat 'businesses'" in p and "count(${businesses})" in p for p in problems), problems


def test_nested_repeats_are_refused_clearly():
    text = ENGINE_FORM.replace("      - name: job_title\n", "      - name: job_title\n        repeat: {max: 2}\n")
    assert text != ENGINE_FORM
    assert any("nested repeats are not supported" in p for p in _problems_of(text))


def test_repeat_needs_a_bounded_max():
    for bad in ("max: 0", "max: 51", "max: lots"):
        text = ENGINE_FORM.replace("max: 2\n", bad + "\n")
        assert text != ENGINE_FORM
        assert any("'max', a whole number from 1 to 50" in p for p in _problems_of(text)), bad


def test_literal_default_must_fit_the_type_and_choices():
    text = ENGINE_FORM.replace('default: "1"', 'default: "one"')
    assert any("default 'one' is not a valid integer answer" in p for p in _problems_of(text))


def test_repeat_count_from_a_later_question_is_refused():
    text = ENGINE_FORM.replace('count: "${business_count}"', 'count: "${satisfied}"')
    assert any("repeat count of page 'businesses' refers to 'satisfied', which comes later" in p
               for p in _problems_of(text))
