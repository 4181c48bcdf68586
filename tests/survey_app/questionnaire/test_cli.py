"""`flask questionnaire check|load|list`."""
from pathlib import Path

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Questionnaire
from tests.survey_app.questionnaire.conftest import SMALL_FORM

SEED = Path(__file__).resolve().parents[3] / "seeds" / "questionnaires" / "tracer_default.yaml"


def test_check_accepts_the_default_questionnaire(runner):
    result = runner.invoke(args=["questionnaire", "check", str(SEED)])
    assert result.exit_code == 0 and "OK" in result.output


def test_check_lists_every_problem_with_line_and_fails(runner, tmp_path):
    bad = tmp_path / "bad.yaml"
    text = SMALL_FORM.replace("type: integer", "type: number", 1).replace("choices: yes_no", "choices: nope", 1)
    bad.write_text(text, encoding="utf-8")
    result = runner.invoke(args=["questionnaire", "check", str(bad)])
    assert result.exit_code == 1
    assert "unknown type 'number'" in result.output and "unknown choice list 'nope'" in result.output
    assert "3 problem(s) found" in result.output  # the third: consent now lacks its choice


def test_check_refuses_non_utf8_file_clearly(runner, tmp_path):
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes("name: caf\xe9\n".encode("latin-1"))
    result = runner.invoke(args=["questionnaire", "check", str(bad)])
    assert result.exit_code != 0 and "not UTF-8" in result.output
    assert "Traceback" not in result.output


def test_load_stores_versions_and_nothing_when_invalid(app, runner, tmp_path):
    good = tmp_path / "small.yaml"
    good.write_text(SMALL_FORM, encoding="utf-8")
    assert "version 1" in runner.invoke(args=["questionnaire", "load", str(good)]).output
    assert "version 2" in runner.invoke(args=["questionnaire", "load", str(good)]).output
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL_FORM.replace("${has_business}", "${missing}", 1), encoding="utf-8")
    result = runner.invoke(args=["questionnaire", "load", str(bad)])
    assert result.exit_code == 1 and "nothing stored" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Questionnaire)) == 2
    listing = runner.invoke(args=["questionnaire", "list"]).output
    assert "small\tv1" in listing and "small\tv2" in listing


def test_check_refuses_calculates_dividing_by_zero_or_reading_later_answers(runner, tmp_path):
    from tests.survey_app.questionnaire.conftest import ENGINE_FORM

    bad = tmp_path / "calc.yaml"
    text = (ENGINE_FORM.replace('calculation: "${revenue} div ${workers}"',
                                'calculation: "${revenue} div (2 - 2) + 1 div 0"')
            .replace('calculation: "count(${businesses})"', 'calculation: "count(${businesses}) + ${satisfied}"'))
    bad.write_text(text, encoding="utf-8")
    result = runner.invoke(args=["questionnaire", "check", str(bad)])
    assert result.exit_code == 1
    line_of = {name: number for number, line in enumerate(text.splitlines(), start=1)
               for name in ("revenue_per_worker", "business_total") if f"name: {name}" in line}
    assert f"line {line_of['revenue_per_worker'] + 2}, question 'revenue_per_worker': 'calculation' divides by zero" \
        in result.output
    assert f"line {line_of['business_total']}, question 'business_total': 'calculation' refers to 'satisfied', " \
           "which comes later" in result.output
