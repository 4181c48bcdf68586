"""Skip logic at run time: applying questions, visible pages, cleaning stale answers."""
from survey_app.questionnaire.logic import (
    Respondent,
    RosterTraining,
    choices_for,
)
from survey_app.questionnaire.traversal import clean_answers, first_incomplete_page, visible_pages

TWO_TRAININGS = Respondent((RosterTraining("TRN-A", "Barista", "food_beverage"),
                            RosterTraining("TRN-B", "Canva", "it")))


def test_pages_follow_answers(small_form):
    names = [p.name for p in visible_pages(small_form, {}, TWO_TRAININGS)]
    assert names == ["start", "work", "trainings"]  # usefulness needs trainings selected
    names = [p.name for p in visible_pages(small_form, {"finished": ["TRN-A"]}, TWO_TRAININGS)]
    assert names[-1] == "usefulness"


def test_questions_from_an_empty_roster_are_skipped(small_form):
    names = [p.name for p in visible_pages(small_form, {}, Respondent())]
    assert "trainings" not in names


def test_choice_filter_limits_to_own_selected_trainings(small_form):
    best = small_form.questions["best"]
    offered = [c.name for c in choices_for(best, {"finished": ["TRN-B"]}, TWO_TRAININGS)]
    assert offered == ["TRN-B"]


def test_cleaning_drops_answers_that_no_longer_apply_in_a_chain(small_form):
    answers = {"consent": "yes", "birth_year": 1990, "has_business": "no", "business_description": "kopi",
               "revenue": 5, "finished": ["TRN-A", "TRN-X"], "useful": {"TRN-A": "2", "TRN-B": "1"},
               "best": "TRN-B"}
    cleaned = clean_answers(small_form, answers, TWO_TRAININGS)
    assert "business_description" not in cleaned and "revenue" not in cleaned
    assert cleaned["finished"] == ["TRN-A"]          # not on the roster: dropped
    assert cleaned["useful"] == {"TRN-A": "2"}       # TRN-B no longer selected
    assert "best" not in cleaned                     # TRN-B filtered out of the choices


def test_first_incomplete_page_points_at_missing_required_answers(small_form):
    answers = {"consent": "yes", "birth_year": 1990, "has_business": "no", "finished": ["TRN-A"]}
    assert first_incomplete_page(small_form, answers, TWO_TRAININGS).name == "usefulness"
    answers["useful"] = {"TRN-A": "1"}
    assert first_incomplete_page(small_form, answers, TWO_TRAININGS) is None
