"""Round trip: default YAML → XLSForm → import behaves the same in the engine."""
from __future__ import annotations

from pathlib import Path

import pytest

from survey_app.questionnaire.builder import build, check_text
from survey_app.questionnaire.logic import (
    Respondent,
    RosterTraining,
)
from survey_app.questionnaire.service import _plain
from survey_app.questionnaire.traversal import clean_answers, visible_pages, walk
from survey_app.questionnaire.yaml_source import load_yaml
from survey_app.xlsform.importer import import_xlsform
from survey_app.xlsform.writer import export_xlsform

SEED = Path(__file__).resolve().parents[3] / "seeds" / "questionnaires" / "tracer_default.yaml"
RESPONDENT = Respondent((RosterTraining("TRN-001", "Pemasaran Digital", "sales_marketing"),
                         RosterTraining("TRN-002", "Jualan Online", "sales_marketing")))

# Answer sets that walk different branches: declined consent, employee, business owner with a
# side business and online channels, not working, and one with answers skip logic must drop.
SCENARIOS = [
    {"consent": "no", "birth_year": 1990},
    {"consent": "yes", "birth_year": 1990, "sex": "female", "province": "32", "education": "bachelor",
     "trainings_finished": ["TRN-001"], "training_usefulness": {"TRN-001": "4"},
     "worked_last_week": "yes", "main_activity": "working", "job_status": "4", "job_change": "new_job",
     "wage": 3500000, "side_business": "no"},
    {"consent": "yes", "birth_year": 1985, "sex": "male", "province": "31", "education": "senior_secondary",
     "trainings_finished": ["TRN-001", "TRN-002"], "training_usefulness": {"TRN-001": "3", "TRN-002": "1"},
     "worked_last_week": "yes", "main_activity": "working", "job_status": "1", "job_change": "new_business",
     "business_description": "jualan kopi dan mi instan di warung", "business_started": "2023-04",
     "business_channels": ["marketplace", "social_media"], "wage": 100},
    {"consent": "yes", "birth_year": 2000, "sex": "female", "province": "73", "education": "diploma",
     "trainings_finished": [], "worked_last_week": "no", "temp_absent": "no", "main_activity": "school",
     "job_search": "looking_for_work", "side_business": "yes", "business_description": "jasa desain logo online",
     "job_status": "4"},
    # engine v2 (calculate, default, repeat): a business with workers and two other businesses
    {"consent": "yes", "birth_year": 1992, "sex": "female", "province": "35", "education": "bachelor",
     "trainings_finished": ["TRN-001"], "training_usefulness": {"TRN-001": "4"},
     "worked_last_week": "yes", "main_activity": "working", "job_status": "2", "job_change": "new_business",
     "business_description": "katering nasi kotak untuk kantor", "business_started": "2021-07",
     "business_channels": ["social_media"], "business_revenue": 9000000, "business_profit": 2500000,
     "workers_paid": 2, "workers_unpaid": 1, "capital_sources": ["savings"], "other_business_count": 2,
     "other_businesses": [{"other_business_description": "jahit baju seragam", "other_business_workers_paid": 0},
                          {"other_business_description": "sewa tenda hajatan", "other_business_workers_paid": 3}]},
]


@pytest.fixture(scope="module")
def pair():
    original = _plain(load_yaml(SEED.read_text(encoding="utf-8")))
    result = import_xlsform(export_xlsform(original, [("TRN-001", "Pemasaran Digital", "sales_marketing")]),
                            filename="tracer_default.xlsx")
    assert check_text(result.yaml) == []
    return build(original), build(result.definition)


def test_same_pages_questions_and_logic(pair):
    before, after = pair
    assert [p.name for p in before.pages] == [p.name for p in after.pages]
    for page_before, page_after in zip(before.pages, after.pages):  # engine v2: repeat pages
        repeat_before, repeat_after = page_before.repeat, page_after.repeat
        assert (repeat_before is None) == (repeat_after is None), page_before.name
        if repeat_before is not None and repeat_after is not None:
            assert repeat_before.max == repeat_after.max and repeat_before.add_label == repeat_after.add_label
            assert (repeat_before.count.tree if repeat_before.count else None) == \
                (repeat_after.count.tree if repeat_after.count else None)
    assert [(p.relevant.tree if p.relevant else None) for p in before.pages] == \
        [(p.relevant.tree if p.relevant else None) for p in after.pages]
    assert list(before.questions) == list(after.questions)
    for name, question in before.questions.items():
        other = after.questions[name]
        for key in ("type", "page", "required", "choices_from", "each_of", "appearance", "sensitive", "coding",
                    "max_length", "label", "hint", "constraint_message", "required_message", "choices"):
            assert getattr(question, key) == getattr(other, key), (name, key)
        for key in ("relevant", "constraint", "choice_filter", "calculation", "default"):
            mine, theirs = getattr(question, key), getattr(other, key)
            assert (mine.tree if mine else None) == (theirs.tree if theirs else None), (name, key)
    assert before.consent == after.consent and before.languages == after.languages


@pytest.mark.parametrize("answers", SCENARIOS)
def test_both_behave_the_same_on_the_same_answers(pair, answers):
    before, after = pair
    cleaned = clean_answers(before, answers, RESPONDENT)
    assert cleaned == clean_answers(after, answers, RESPONDENT)
    assert [p.name for p in visible_pages(before, cleaned, RESPONDENT)] == \
        [p.name for p in visible_pages(after, cleaned, RESPONDENT)]
    walk_before, walk_after = walk(before, cleaned, RESPONDENT), walk(after, cleaned, RESPONDENT)
    assert [(v.page.name, v.instance) for v in walk_before.visits] == \
        [(v.page.name, v.instance) for v in walk_after.visits]
    for visit_before, visit_after in zip(walk_before.visits, walk_after.visits):
        assert [q.name for q in walk_before.missing_required(visit_before)] == \
            [q.name for q in walk_after.missing_required(visit_after)]
    for name, value in cleaned.items():
        if name not in before.questions:
            continue  # a repeat page's list of instances
        constraint_before, constraint_after = before.questions[name].constraint, after.questions[name].constraint
        if constraint_before is not None:
            assert constraint_before.is_true(cleaned, value) == constraint_after.is_true(cleaned, value)
