"""``${previous.<question>}``: earlier-wave answers in every expression position and in texts."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from survey_app.questionnaire.builder import build_from_text, check_text
from survey_app.questionnaire.expressions import ExpressionError, parse
from survey_app.questionnaire.forms import default_value
from survey_app.questionnaire.labels import fillable, interpolate, placeholder_warnings, shown_value
from survey_app.questionnaire.logic import Respondent
from survey_app.questionnaire.previous import (
    previous_names,
    previous_warnings,
    unknown_previous_references,
)
from survey_app.questionnaire.traversal import walk

SEEDS = Path(__file__).resolve().parents[3] / "seeds" / "questionnaires"

FORM = textwrap.dedent("""\
    format: jejak-questionnaire/1
    name: followup
    title: {id: "Lanjutan", en: "Follow-up"}
    languages: [id, en]
    choice_lists:
      yes_no:
        - {name: "yes", label: {id: "Ya", en: "Yes"}}
        - {name: "no", label: {id: "Tidak", en: "No"}}
      channels:
        - {name: market, label: {id: "Marketplace", en: "Marketplace"}}
        - {name: wa, label: {id: "WhatsApp", en: "WhatsApp"}}
    pages:
      - name: p1
        title: {id: "Satu", en: "One"}
        questions:
          - name: still_running
            type: select_one
            choices: yes_no
            relevant: "${previous.business} != ''"
            label:
              id: "Dulu: ${previous.business}. Masih?"
              en: "Last time: ${previous.business}. Still?"
          - name: newcomer
            type: text
            relevant: "${previous.business} = ''"
            label: {id: "Baru", en: "New"}
          - name: income_now
            type: integer
            label: {id: "Penghasilan", en: "Income"}
            constraint: ". <= ${previous.income} * 10 or ${previous.income} = ''"
            constraint_message: {id: "Terlalu besar", en: "Too large"}
          - name: income_change
            type: calculate
            calculation: "${income_now} - ${previous.income}"
          - name: still_wa
            type: select_one
            choices: yes_no
            relevant: "selected(${previous.channels}, 'wa')"
            label: {id: "Masih WA?", en: "Still WhatsApp?"}
          - name: channels_now
            type: select_multiple
            choices: channels
            choice_filter: "not(selected(${previous.channels}, name))"
            label: {id: "Saluran baru", en: "New channels"}
      - name: p2
        title: {id: "Dua", en: "Two"}
        relevant: "${previous.consent} = 'yes'"
        questions:
          - name: description
            type: text
            default: "${previous.business}"
            hint:
              id: "Sebelumnya ${previous.business}; penghasilan ${income_now}"
              en: "Before: ${previous.business}; income ${income_now}"
            label: {id: "Usaha", en: "Business"}
    """)

EARLIER = {"consent": "yes", "business": "warung kopi", "income": 1_500_000, "channels": ["wa"]}


@pytest.fixture(scope="module")
def form():
    return build_from_text(FORM)


def test_previous_is_a_reference_of_its_own_kind():
    expression = parse("${previous.business} != '' and ${income_now} > 0")
    assert expression.references() == {"income_now"}
    assert expression.previous_references() == {"business"}
    assert expression.tree[2] == ["op", "!=", ["ref", "previous.business"], ["lit", ""]]


@pytest.mark.parametrize("source", ["${previous.}", "${previous.Business}", "${previous.a.b}", "${prev.x}",
                                    "${previous}x"])
def test_malformed_previous_references_are_refused(source):
    with pytest.raises(ExpressionError):
        parse(source)


def test_relevant_routes_earlier_respondents_and_newcomers(form):
    earlier = walk(form, {}, Respondent(previous=EARLIER))
    newcomer = walk(form, {}, Respondent())
    assert [q.name for q in earlier.visits[0].questions] == ["still_running", "income_now", "still_wa",
                                                           "channels_now"]
    assert [q.name for q in newcomer.visits[0].questions] == ["newcomer", "income_now", "channels_now"]
    assert [v.page.name for v in earlier.visits] == ["p1", "p2"]
    assert [v.page.name for v in newcomer.visits] == ["p1"]  # page relevance reads previous.* too


def test_calculate_reads_numbers_as_numbers_and_missing_as_empty(form):
    earlier = walk(form, {"income_now": 2_000_000}, Respondent(previous=EARLIER))
    assert earlier.answers["income_change"] == 500_000
    newcomer = walk(form, {"income_now": 2_000_000}, Respondent())
    assert "income_change" not in newcomer.answers  # empty minus a number: no value, no error


def test_constraint_reads_the_earlier_answer(form):
    answers = {"income_now": 99_000_000}
    problems = walk(form, answers, Respondent(previous=EARLIER)).first_problem("en")
    assert problems is not None and problems[1] == {"income_now": "Too large"}
    assert walk(form, answers, Respondent()).first_problem("en") is None  # newcomer: no earlier income


def test_choice_filter_and_selections_read_lists(form):
    result = walk(form, {"channels_now": ["market", "wa"]}, Respondent(previous=EARLIER))
    assert result.answers["channels_now"] == ["market"]  # 'wa' was already used: not offered


def test_default_offers_the_earlier_answer(form):
    result = walk(form, {}, Respondent(previous=EARLIER))
    question = form.questions["description"]
    assert default_value(question, result.visits[-1].scope) == "warung kopi"


def test_earlier_answers_are_read_never_stored_and_never_shadow_answers(form):
    previous = {**EARLIER, "income_now": 5}
    result = walk(form, {"income_now": 2_000_000, "previous.business": "forged"}, Respondent(previous=previous))
    assert not any(key.startswith("previous.") for key in result.answers)
    assert result.answers["income_now"] == 2_000_000
    assert result.scope["previous.business"] == "warung kopi"


def test_a_missing_earlier_question_is_empty_like_an_unanswered_one(form):
    result = walk(form, {}, Respondent(previous={"consent": "yes"}))
    assert [q.name for q in result.visits[0].questions][0] == "newcomer"


def test_labels_show_earlier_and_earlier_page_answers(form):
    result = walk(form, {"income_now": 2_500_000}, Respondent(previous=EARLIER))
    scope = result.visits[-1].scope
    hint = form.questions["description"].hint
    assert interpolate(hint.get("id"), scope, "id") == "Sebelumnya warung kopi; penghasilan 2.500.000"
    assert interpolate(hint.get("en"), scope, "en") == "Before: warung kopi; income 2,500,000"
    assert interpolate("Dulu: ${previous.business}.", {}, "id") == "Dulu: ."
    assert shown_value(["wa", "market"], "en") == "wa, market"
    # interpolation gives text; templates escape it (see tests/survey_app/respondent/test_previous.py)
    assert interpolate("${previous.business}", {"previous.business": "<b>"}, "en") == "<b>"


def test_previous_names_lists_what_the_questionnaire_reads(form):
    assert previous_names(form) == {"business", "income", "channels", "consent"}


@pytest.mark.parametrize(("placeholder", "message"), [
    ("${nope}", "names no question of this questionnaire"),
    ("${b}", "names 'b', which is not on an earlier page"),
    ("${c}", "names 'c', which is not on an earlier page"),
    ("${Bad Name}", "is not a valid reference"),
])
def test_placeholders_the_page_cannot_know_stay_as_written_with_a_warning(placeholder, message):
    text = textwrap.dedent(f"""\
        format: jejak-questionnaire/1
        name: t
        title: T
        pages:
          - name: p1
            title: P1
            questions:
              - {{name: a, type: text, label: "A"}}
          - name: p2
            title: P2
            questions:
              - {{name: b, type: text, label: "B"}}
              - {{name: shows, type: text, label: "x {placeholder} ${{a}} y"}}
          - name: p3
            title: P3
            questions:
              - {{name: c, type: text, label: "C ${{a}} ${{previous.anything}}"}}
        """)
    assert check_text(text) == []  # imported XLSForms use such labels: never refused
    questionnaire = build_from_text(text)
    warnings = placeholder_warnings(questionnaire)
    assert [(w.question, w.line) for w in warnings] == [("shows", 13)], warnings
    assert message in warnings[0].message
    names = fillable(questionnaire)
    shown = interpolate(questionnaire.questions["shows"].label.get("id"), {"a": "isi", "b": "x", "c": "x"}, "id",
                        names["shows"])
    assert shown == f"x {placeholder} isi y"
    assert names["c"] == {"a", "previous.anything"}


def test_unknown_previous_references_name_line_and_question():
    earlier = (SEEDS / "tracer_default.yaml").read_text(encoding="utf-8")
    followup = (SEEDS / "tracer_followup.yaml").read_text(encoding="utf-8")
    assert unknown_previous_references(followup, earlier) == []
    typo = followup.replace("relevant: \"${previous.business_description} != ''\"",
                            "relevant: \"${previous.busines_description} != ''\"", 1)
    line = next(n for n, text in enumerate(typo.splitlines(), 1) if "name: business_still_running" in text)
    messages = unknown_previous_references(typo, earlier)
    assert messages == [f"line {line}, question 'business_still_running': 'relevant' reads "
                        "previous.busines_description, but questionnaire 'tracer_default' of the earlier wave "
                        "has no question 'busines_description'"]


def test_label_showing_an_untested_previous_answer_is_warned_about():
    text = FORM.replace('relevant: "${previous.business} != \'\'"', 'relevant: "${previous.income} != \'\'"')
    warnings = previous_warnings(build_from_text(text))
    assert [(w.question, w.line) for w in warnings] == [("still_running", 16), ("description", 49)]
    assert "previous.business" in warnings[0].message
    # description's hint shows previous.business on a page whose relevance only tests consent
    assert previous_warnings(build_from_text(FORM))[0].question == "description"


def test_seed_follow_up_has_no_warnings():
    followup = build_from_text((SEEDS / "tracer_followup.yaml").read_text(encoding="utf-8"))
    assert previous_warnings(followup) == []


def test_unknown_previous_references_take_stored_definitions_too():
    from survey_app.questionnaire.service import _plain
    from survey_app.questionnaire.yaml_source import load_yaml

    earlier = _plain(load_yaml((SEEDS / "tracer_default.yaml").read_text(encoding="utf-8")))
    current = _plain(load_yaml(FORM))
    messages = unknown_previous_references(current, earlier)
    found = {(m.split(":")[0], m.split(" reads ")[1].split(",")[0]) for m in messages}
    assert found == {("question 'still_running'", "previous.business"), ("question 'newcomer'", "previous.business"),
                     ("question 'income_now'", "previous.income"), ("question 'income_change'", "previous.income"),
                     ("question 'still_wa'", "previous.channels"), ("question 'channels_now'", "previous.channels"),
                     ("question 'description'", "previous.business")}  # previous.consent exists: fine
    assert not any(m.startswith("line") for m in messages)  # stored mappings carry no lines
