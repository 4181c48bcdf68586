"""The tracer-standard items of the seed questionnaires (names agreed in PANEL_SPEC.md)."""
from __future__ import annotations

from pathlib import Path

import pytest

from survey_app.questionnaire.builder import build_from_text
from survey_app.questionnaire.logic import Respondent
from survey_app.questionnaire.traversal import walk

SEEDS = Path(__file__).resolve().parents[3] / "seeds" / "questionnaires"


@pytest.fixture(scope="module")
def default():
    return build_from_text((SEEDS / "tracer_default.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def followup():
    return build_from_text((SEEDS / "tracer_followup.yaml").read_text(encoding="utf-8"))


WORKING = {"consent": "yes", "worked_last_week": "yes", "main_activity": "working"}
NOT_WORKING = {"consent": "yes", "worked_last_week": "no", "temp_absent": "no"}


@pytest.mark.parametrize(("answers", "status"), [
    ({**WORKING, "job_status": "1"}, "self_employed"),
    ({**WORKING, "job_status": "3"}, "self_employed"),
    ({**WORKING, "job_status": "4"}, "working"),
    ({**WORKING, "job_status": "7"}, "working"),
    ({"consent": "yes", "worked_last_week": "no", "temp_absent": "yes", "main_activity": "other",
      "job_status": "2"}, "self_employed"),
    ({**NOT_WORKING, "main_activity": "school", "job_search": "looking_for_work"}, "studying"),
    ({**NOT_WORKING, "main_activity": "other", "job_search": "looking_for_work"}, "looking"),
    ({**NOT_WORKING, "main_activity": "other", "job_search": "preparing_business"}, "looking"),
    ({**NOT_WORKING, "main_activity": "housekeeping", "job_search": "both"}, "looking"),
    ({**NOT_WORKING, "main_activity": "housekeeping", "job_search": "neither"}, "not_looking"),
])
def test_tracer_status_is_the_five_way_status(default, followup, answers, status):
    for questionnaire in (default, followup):
        assert walk(questionnaire, answers, Respondent()).answers["tracer_status"] == status


def test_tracer_status_is_a_labelled_calculate_with_one_rule_in_both_seeds(default, followup):
    ours, theirs = default.questions["tracer_status"], followup.questions["tracer_status"]
    assert ours.type == theirs.type == "calculate"
    assert [c.name for c in ours.choices] == ["working", "self_employed", "studying", "looking", "not_looking"]
    assert ours.choices == theirs.choices and ours.calculation.tree == theirs.calculation.tree
    assert "tracer_status" not in walk(default, {"consent": "no"}, Respondent()).answers


def test_waiting_time_is_asked_only_after_a_start_after_the_training(default):
    asked = {q.name for v in walk(default, {"consent": "yes", "first_work_timing": "after"}, Respondent()).visits
             for q in v.questions}
    assert {"first_work_timing", "months_to_first_work"} <= asked
    before = walk(default, {"consent": "yes", "first_work_timing": "before", "months_to_first_work": 3},
                  Respondent())
    assert "months_to_first_work" not in before.answers
    question = default.questions["months_to_first_work"]
    assert question.constraint.is_true({}, current=120) and not question.constraint.is_true({}, current=121)
    assert not question.constraint.is_true({}, current=-1)


def test_income_items_are_sensitive_whole_numbers(default, followup):
    for name in ("income_before", "income_now"):
        question = default.questions[name]
        assert question.type == "integer" and question.sensitive and question.required
        assert not question.constraint.is_true({}, current=-1)
    assert followup.questions["income_now"].sensitive


def test_sakernas_items(default):
    assert [c.name for c in default.questions["skills_improved"].choices] == ["yes", "no"]
    incentive = default.questions["incentive_use"]
    assert incentive.type == "select_multiple"
    assert [c.name for c in incentive.choices] == ["daily_needs", "savings", "business_capital", "debt", "other"]
    received = walk(default, {"consent": "yes", "incentive_received": "yes", "incentive_use": ["savings", "debt"]},
                    Respondent())
    assert received.answers["incentive_use"] == ["savings", "debt"]
    not_received = walk(default, {"consent": "yes", "incentive_received": "no", "incentive_use": ["savings"]},
                        Respondent())
    assert "incentive_use" not in not_received.answers


def test_follow_up_newcomer_and_returning_respondent_see_their_own_questions(followup):
    answers = {"consent": "yes", "worked_last_week": "yes", "job_status": "1"}
    returning = walk(followup, answers, Respondent(previous={"consent": "yes", "business_description": "warung"}))
    newcomer = walk(followup, answers, Respondent())
    asked = {name: {q.name for v in result.visits for q in v.questions}
             for name, result in (("returning", returning), ("newcomer", newcomer))}
    assert "business_still_running" in asked["returning"] and "first_work_timing" not in asked["returning"]
    assert "business_still_running" not in asked["newcomer"]
    assert {"first_work_timing", "skills_improved", "new_business"} <= asked["newcomer"]
    closed = walk(followup, {**answers, "business_still_running": "no"},
                  Respondent(previous={"consent": "yes", "business_description": "warung"}))
    closed_asked = {q.name for v in closed.visits for q in v.questions}
    assert {"business_closed_when", "business_closed_reason", "new_business"} <= closed_asked
