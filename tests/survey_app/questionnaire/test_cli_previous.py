"""`flask questionnaire check|load FILE --against-wave W`: previous.* must exist in W's questionnaire."""
from pathlib import Path

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Questionnaire
from tests import factories

SEEDS = Path(__file__).resolve().parents[3] / "seeds" / "questionnaires"
FOLLOW_UP = (SEEDS / "tracer_followup.yaml").read_text(encoding="utf-8")


@pytest.fixture
def earlier_wave(app):
    with app.app_context():
        row = factories.make_questionnaire((SEEDS / "tracer_default.yaml").read_text(encoding="utf-8"))
        factories.make_wave(row.id, name="W1")
        db.session.commit()


def test_follow_up_seed_passes_against_a_default_wave(runner, earlier_wave):
    result = runner.invoke(args=["questionnaire", "check", str(SEEDS / "tracer_followup.yaml"),
                                 "--against-wave", "W1"])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output and "warning" not in result.output


def test_unknown_previous_question_is_refused_with_its_line(runner, earlier_wave, tmp_path):
    path = tmp_path / "typo.yaml"
    path.write_text(FOLLOW_UP.replace("${previous.business_description} != ''\"\n        label",
                                      "${previous.busines_description} != ''\"\n        label", 1), encoding="utf-8")
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "name: business_still_running" in text)
    result = runner.invoke(args=["questionnaire", "check", str(path), "--against-wave", "W1"])
    assert result.exit_code == 1
    assert (f"{path}: line {line}, question 'business_still_running': 'relevant' reads previous.busines_description"
            in result.output)
    assert "1 problem(s) found" in result.output


def test_load_against_the_wave_refuses_and_stores_nothing(app, runner, earlier_wave, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(FOLLOW_UP.replace("${previous.consent}", "${previous.agreed}"), encoding="utf-8")
    result = runner.invoke(args=["questionnaire", "load", str(path), "--against-wave", "W1"])
    assert result.exit_code == 1 and "previous.agreed" in result.output and "nothing stored" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Questionnaire)
                                 .where(Questionnaire.name == "tracer_followup")) == 0


def test_unknown_wave_is_a_clear_error(runner, tmp_path):
    result = runner.invoke(args=["questionnaire", "check", str(SEEDS / "tracer_followup.yaml"),
                                 "--against-wave", "nope"])
    assert result.exit_code != 0 and "no wave named 'nope'" in result.output
    assert "Traceback" not in result.output


def test_check_without_a_wave_notes_the_earlier_answers_read(runner):
    result = runner.invoke(args=["questionnaire", "check", str(SEEDS / "tracer_followup.yaml")])
    assert result.exit_code == 0
    assert "reads earlier answers (previous.business_description, previous.consent)" in result.output


def test_check_warns_about_a_label_shown_to_newcomers(runner, tmp_path):
    path = tmp_path / "gap.yaml"
    path.write_text(FOLLOW_UP.replace("""        relevant: "${previous.business_description} != ''"
        label:""", """        label:""", 1).replace(
        """relevant: "${consent} = 'yes' and ${previous.business_description} != ''\"""",
        """relevant: "${consent} = 'yes'\"""", 1), encoding="utf-8")
    result = runner.invoke(args=["questionnaire", "check", str(path)])
    assert result.exit_code == 0
    assert "warning:" in result.output and "question 'business_still_running'" in result.output
