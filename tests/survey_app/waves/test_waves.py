"""`flask wave create` and `flask wave list`."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Wave


def stored_wave(app, name: str) -> Wave:
    with app.app_context():
        return db.session.scalars(select(Wave).where(Wave.name == name)).one()


def test_wave_is_created_for_a_questionnaire_id(app, runner, questionnaires):
    result = runner.invoke(args=["wave", "create", "Mei 2024", "--questionnaire",
                                 str(questionnaires[("pulse", 1)])])

    assert result.exit_code == 0, result.output
    assert "Created wave 'Mei 2024' for questionnaire 'pulse' version 1" in result.output
    assert stored_wave(app, "Mei 2024").questionnaire_id == questionnaires[("pulse", 1)]


def test_questionnaire_name_means_its_latest_version(app, runner, questionnaires):
    result = runner.invoke(args=["wave", "create", "W", "--questionnaire", "tracer"])

    assert result.exit_code == 0, result.output
    assert stored_wave(app, "W").questionnaire_id == questionnaires[("tracer", 2)]


def test_open_window_is_stored_in_utc(app, runner, questionnaires):
    result = runner.invoke(args=["wave", "create", "W", "--questionnaire", "tracer",
                                 "--opens", "2024-05-01T08:00+07:00", "--closes", "2024-06-01"])

    assert result.exit_code == 0, result.output
    wave = stored_wave(app, "W")
    assert wave.opens_at.replace(tzinfo=UTC) == datetime(2024, 5, 1, 1, 0, tzinfo=UTC)
    assert wave.closes_at.replace(tzinfo=UTC) == datetime(2024, 6, 1, tzinfo=UTC)


@pytest.mark.parametrize(("args", "message"), [
    (["--questionnaire", "nope"], "no questionnaire with id or name 'nope'"),
    (["--questionnaire", "999"], "no questionnaire with id or name '999'"),
    (["--questionnaire", "tracer", "--opens", "2024-06-01", "--closes", "2024-05-01"],
     "the wave must close after it opens"),
    (["--questionnaire", "tracer", "--opens", "1 Mei 2024"], "--opens '1 Mei 2024' is not an ISO 8601 date"),
])
def test_wave_create_refuses_bad_requests_clearly(app, runner, questionnaires, args, message):
    result = runner.invoke(args=["wave", "create", "W"] + args)

    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    with app.app_context():
        assert db.session.scalars(select(Wave)).all() == []


def test_duplicate_wave_name_is_refused(app, runner, questionnaires):
    runner.invoke(args=["wave", "create", "W", "--questionnaire", "tracer"])

    result = runner.invoke(args=["wave", "create", "W", "--questionnaire", "pulse"])

    assert result.exit_code == 1
    assert "a wave named 'W' already exists" in result.output


def test_wave_list_shows_questionnaire_window_and_counts(app, runner, wave, add_alumni, tmp_path):
    add_alumni(3)
    runner.invoke(args=["invitations", "issue", "--wave", wave, "--out", str(tmp_path / "l.csv")])

    result = runner.invoke(args=["wave", "list"])

    assert result.exit_code == 0, result.output
    assert "W1\ttracer v2\tnow to no end\t3 invited\t0 submitted" in result.output


def test_wave_list_without_waves_says_how_to_create_one(app, runner):
    result = runner.invoke(args=["wave", "list"])

    assert "No waves yet" in result.output
