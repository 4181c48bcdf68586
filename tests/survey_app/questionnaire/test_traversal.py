"""The one pass over a questionnaire: visits, cleaning, calculates, repeats, navigation, checks."""
import random
from pathlib import Path

from survey_app.demo.responses import FALLBACK_DESCRIPTIONS, Profile, SyntheticRespondent
from survey_app.questionnaire.builder import build_from_text
from survey_app.questionnaire.logic import Respondent
from survey_app.questionnaire.traversal import merge_page, page_visit, walk

NOBODY = Respondent()


def keys(result):
    return [v.key for v in result.visits]


def test_repeat_instances_follow_the_count_answer(engine_form):
    answers = {"runs_business": "yes", "business_count": 2}
    # 'last' asks only when count(${businesses}) > 0, and no instance is stored yet
    assert keys(walk(engine_form, answers, NOBODY)) == ["first", "businesses.1", "businesses.2", "jobs.1"]
    assert "businesses.1" not in keys(walk(engine_form, {"runs_business": "no"}, NOBODY))


def test_count_outside_zero_to_max_is_capped(engine_form):
    for count, expected in ((-4, 0), (10**9, 3), ("abc", 0), (2.7, 2)):
        result = walk(engine_form, {"runs_business": "yes", "business_count": count}, NOBODY)
        assert sum(1 for v in result.visits if v.page.name == "businesses") == expected


def test_repeat_answers_are_a_list_of_mappings_and_cleaned_per_instance(engine_form):
    answers = {"runs_business": "yes", "business_count": 2, "workers": 2,
               "businesses": [{"business_description": "warung", "business_workers": 9, "business_export": "no"},
                              {"business_description": "kopi", "business_workers": 1, "business_export": "yes"},
                              {"business_description": "beyond the count"}]}
    kept = walk(engine_form, answers, NOBODY).answers["businesses"]
    assert kept == [{"business_description": "warung", "business_workers": 9, "business_big": "yes",
                     "business_export": "no"},
                    {"business_description": "kopi", "business_workers": 1, "business_big": "no"}]


def test_calculates_are_evaluated_in_order_and_division_by_zero_is_empty(engine_form):
    result = walk(engine_form, {"runs_business": "yes", "revenue": 1000, "workers": 4}, NOBODY)
    assert result.answers["revenue_per_worker"] == 250
    result = walk(engine_form, {"runs_business": "yes", "revenue": 1000, "workers": 0}, NOBODY)
    assert "revenue_per_worker" not in result.answers


def test_count_of_a_repeat_feeds_later_relevance(engine_form):
    answers = {"runs_business": "yes", "business_count": 1, "businesses": [{"business_description": "warung"}]}
    result = walk(engine_form, answers, NOBODY)
    assert result.answers["business_total"] == 1
    assert [q.name for q in result.visit("last").questions] == ["satisfied"]
    assert walk(engine_form, {"runs_business": "no"}, NOBODY).visit("last") is None  # nothing to ask


def test_add_another_offers_one_new_instance_up_to_max(engine_form):
    result = walk(engine_form, {"runs_business": "no"}, NOBODY)
    first = result.visit("jobs", 1)
    assert result.can_add(first)
    assert result.visit("jobs", 2).new and result.visit("jobs", 3) is None
    result = walk(engine_form, {"runs_business": "no", "jobs": [{"job_title": "a"}, {"job_title": "b"}]}, NOBODY)
    assert not result.can_add(result.visit("jobs", 2)) and result.visit("jobs", 3) is None


def test_navigation_goes_through_instances_and_back(engine_form):
    answers = {"runs_business": "yes", "business_count": 2, "businesses": [{"business_description": "a"}]}
    result = walk(engine_form, answers, NOBODY)
    second = result.visit("businesses", 2)
    assert result.next_visit(second).key == "jobs.1"
    assert result.previous_visit(second).key == "businesses.1"
    assert result.next_visit(result.visit("last")) is None  # the review step


def test_resume_continues_after_the_last_saved_page_unless_something_earlier_is_missing(engine_form):
    answers = {"runs_business": "yes", "business_count": 2, "businesses": [{"business_description": "x"}]}
    result = walk(engine_form, answers, NOBODY)
    assert result.resume_visit("businesses.1").key == "businesses.2"
    assert result.resume_visit("jobs.1").key == "businesses.2"  # instance 2 misses its description


def test_merge_puts_a_page_into_its_instance(engine_form):
    result = walk(engine_form, {"runs_business": "yes", "business_count": 2}, NOBODY)
    merged = merge_page(result.answers, result.visit("businesses", 2), {"business_description": "b"}, [])
    assert merged["businesses"][1] == {"business_description": "b"}
    kept = walk(engine_form, merged, NOBODY).answers["businesses"]
    assert [item.get("business_description") for item in kept] == [None, "b"]
    assert [item["business_big"] for item in kept] == ["no", "no"]  # calculates run in every instance


def test_problems_recheck_constraints_across_pages(small_form):
    from survey_app.questionnaire.logic import RosterTraining

    who = Respondent((RosterTraining("TRN-A", "Barista", "food_beverage"),))
    answers = {"consent": "yes", "birth_year": 1990, "has_business": "yes", "business_description": "warung kopi",
               "revenue": 5, "profit": 9, "finished": ["TRN-A"], "useful": {"TRN-A": "2"}}
    visit, errors = walk(small_form, answers, who).first_problem("en")
    assert visit.page.name == "work" and errors == {"profit": "Profit cannot exceed revenue"}
    answers["profit"] = 4
    assert walk(small_form, answers, who).first_problem("en") is None


def test_problems_include_a_count_above_the_repeat_maximum(engine_form):
    result = walk(engine_form, {"runs_business": "yes", "business_count": 7}, NOBODY)
    visit, errors = result.first_problem("en")
    assert visit.key == "first" and "0 to 3" in errors["business_count"]


def _same_visit_as_the_whole_walk(questionnaire, answers, respondent=NOBODY):
    whole = walk(questionnaire, answers, respondent)
    for page in questionnaire.pages:
        instances = [None] if page.repeat is None else range(1, page.repeat.max + 2)
        for instance in instances:
            expected = whole.visit(page.name, instance)
            got = page_visit(questionnaire, answers, respondent, page, instance)
            assert got == expected, (page.name, instance)  # page, instance, questions, new
            if got is not None:
                earlier = {name for p in questionnaire.pages[:questionnaire.page_index(page.name) + 1]
                           for name in [p.name, *(q.name for q in p.questions)]}
                assert {k: v for k, v in got.scope.items() if k in earlier} == \
                    {k: v for k, v in expected.scope.items() if k in earlier}


def test_a_page_visit_alone_equals_that_page_in_the_whole_walk(engine_form):
    """What a page save reads (walking only up to its page) is what the whole walk says of it."""
    for answers in ({}, {"runs_business": "no"}, {"runs_business": "yes", "business_count": 2},
                    {"runs_business": "yes", "business_count": 1, "businesses": [{"business_description": "warung"}],
                     "jobs": [{"job_title": "a"}, {"job_title": "b"}]},
                    {"runs_business": "yes", "business_count": 10**9, "workers": 0, "revenue": 5}):
        _same_visit_as_the_whole_walk(engine_form, answers)


def test_a_page_visit_alone_matches_the_whole_walk_on_the_default_questionnaire():
    default = build_from_text((Path(__file__).parents[3] / "seeds/questionnaires/tracer_default.yaml").read_text())
    rng = random.Random(9)
    for number in range(40):
        person = SyntheticRespondent(default, NOBODY, Profile(), rng, FALLBACK_DESCRIPTIONS)
        answers, _complete = person.answer(stop_after_pages=None if number % 3 else rng.randint(1, 6))
        _same_visit_as_the_whole_walk(default, answers)
