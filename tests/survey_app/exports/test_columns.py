"""Export columns from a questionnaire: names, kinds, value codes."""
import re

from survey_app.exports.columns import LABELLED_MAX_NAME, MAX_NAME, safe_name, value_labels
from survey_app.exports.service import ExportOptions, plan_export
from survey_app.extensions import db
from survey_app.models import Wave
from survey_app.questionnaire.definition import Choice, Text

STATA_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,31}$")


def test_short_valid_names_are_kept():
    taken = set()
    assert safe_name("consent", taken) == "consent"
    assert safe_name("channels__market", taken) == "channels__market"


def test_invalid_characters_reserved_words_and_leading_digits_are_fixed():
    taken = set()
    assert safe_name("q__TRN-001", taken) == "q__TRN_001"
    assert safe_name("if", taken) == "if_"
    assert safe_name("_x", taken) == "v_x"
    assert safe_name("9lives", taken) == "v9lives"


def test_long_names_are_shortened_deterministically_within_the_limit():
    base = "business_channels__social_media_and_whatsapp_groups"
    first, second = safe_name(base, set()), safe_name(base, set())
    assert first == second and len(first) <= MAX_NAME and STATA_NAME.match(first)
    labelled = safe_name(base, set(), LABELLED_MAX_NAME)
    assert len(labelled) <= LABELLED_MAX_NAME


def test_names_that_clash_after_cleaning_or_shortening_get_distinct_names():
    taken = set()
    names = [safe_name(base, taken) for base in (
        "q__a-b", "q__a_b", "q__a.b", "Q__A_B",  # same after cleaning / ignoring case (SPSS)
        "question_with_a_long_name__choice_one_xxxxxxxxxx",
        "question_with_a_long_name__choice_one_xxxxxxxxxy",  # same 27-character prefix
    )]
    assert len({n.lower() for n in names}) == len(names)
    assert all(STATA_NAME.match(n) for n in names)
    again = set()
    assert names == [safe_name(b, again) for b in ("q__a-b", "q__a_b", "q__a.b", "Q__A_B",
                                                     "question_with_a_long_name__choice_one_xxxxxxxxxx",
                                                     "question_with_a_long_name__choice_one_xxxxxxxxxy")]


def _choices(*names):
    return [Choice(n, Text({"id": n.upper(), "en": n})) for n in names]


def test_integer_choice_names_keep_their_value():
    assert [(v.raw, v.code) for v in value_labels(_choices("4", "3", "1"))] == [("4", 4), ("3", 3), ("1", 1)]


def test_other_choice_lists_are_numbered_in_definition_order():
    assert [(v.raw, v.code) for v in value_labels(_choices("yes", "no"))] == [("yes", 1), ("no", 2)]
    # Mixed lists are numbered too, so two choices never share a code.
    assert [v.code for v in value_labels(_choices("1", "other"))] == [1, 2]


def test_columns_follow_the_questionnaire(app, small_wave):
    with app.app_context():
        plan = plan_export(db.session.get(Wave, small_wave["wave"]), ExportOptions())
        by_name = {c.name: c for c in plan.columns}
    names = list(by_name)
    assert names[:2] == ["pid", "roster_province"] and "external_id" not in names and "roster_name" not in names
    assert "intro" not in names  # notes carry no answer
    assert [n for n in names if n.startswith("channels__")] == ["channels__market", "channels__wa", "channels__none"]
    assert by_name["channels__wa"].kind == "binary"
    assert by_name["finished"].kind == "string"  # roster-based: training codes as text
    assert ["useful__TRN_1", "useful__TRN_2"] == [n for n in names if n.startswith("useful__")]
    assert by_name["useful__TRN_2"].label.get("en") == "Useful: Excel?"
    assert [(v.raw, v.code) for v in by_name["satisfaction"].values] == [("5", 5), ("1", 1)]
    assert by_name["satisfaction"].ordinal
    assert all(STATA_NAME.match(n) for n in names)


def test_financial_questions_are_left_out_unless_asked(app, small_wave):
    with app.app_context():
        wave = db.session.get(Wave, small_wave["wave"])
        default = [c.name for c in plan_export(wave, ExportOptions()).columns]
        with_money = plan_export(wave, ExportOptions(include_financial=True)).columns
    assert "revenue" not in default
    assert [c.name for c in with_money if c.sensitive] == ["revenue"]


def test_default_questionnaire_columns_are_valid_and_unique(app, demo_wave):
    with app.app_context():
        plan = plan_export(db.session.get(Wave, demo_wave["wave"]), ExportOptions(include_financial=True,
                                                                                   include_personal=True))
    names = [c.name for c in plan.columns]
    assert len({n.lower() for n in names}) == len(names)
    assert all(STATA_NAME.match(n) for n in names)
    # The survey's own province/sex/birth_year answers and the roster's facts both survive.
    assert {"province", "roster_province", "sex", "roster_sex", "birth_year", "roster_birth_year"} <= set(names)
    assert {"wage", "business_revenue", "business_profit"} <= set(names)


def test_repeat_questions_become_numbered_columns_read_from_their_instance():
    from survey_app.exports.columns import answer_columns, row_extractor
    from survey_app.exports.rows import Row
    from survey_app.questionnaire.builder import build_from_text
    from tests.survey_app.questionnaire.conftest import ENGINE_FORM

    columns = answer_columns(build_from_text(ENGINE_FORM))
    names = [c.name for c in columns]
    assert names[names.index("business_description_1"):names.index("job_title_1")] == [
        "business_description_1", "business_description_2", "business_description_3",
        "business_workers_1", "business_workers_2", "business_workers_3",
        "business_big_1", "business_big_2", "business_big_3",
        "business_export_1", "business_export_2", "business_export_3"]
    assert "revenue_per_worker" in names and "business_total" in names  # calculates are exported
    by_name = {c.name: c for c in columns}
    assert by_name["business_export_2"].kind == "code" and by_name["business_export_2"].instance == 2
    assert by_name["business_description_2"].label.get("en") == "What business? [Business 2]"
    assert by_name["business_description_3"].relevant.startswith("count(${businesses}) >= 3")
    row = Row({"runs_business": "yes", "businesses": [{"business_description": "warung"},
                                                       {"business_description": "jahit", "business_export": "no"}]},
              {})
    values = dict(zip(names, row_extractor(columns)(row)))
    assert values["business_description_1"] == "warung" and values["business_description_2"] == "jahit"
    assert values["business_export_2"] == "no" and values["business_description_3"] is None
    assert values["runs_business"] == "yes"


def test_default_questionnaire_exports_the_other_businesses_as_numbered_columns(app, demo_wave):
    with app.app_context():
        plan = plan_export(db.session.get(Wave, demo_wave["wave"]), ExportOptions())
    names = [c.name for c in plan.columns]
    assert {"business_description", "other_business_description_1", "other_business_description_2",
            "workers_total", "other_business_count"} <= set(names)
    assert "other_business_revenue_1" not in names  # financial, left out by default
