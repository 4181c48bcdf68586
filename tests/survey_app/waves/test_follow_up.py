"""Follow-up waves: `flask wave create --follow-up-of`, `flask wave follow-up`, and their refusals."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEvent, Invitation, Wave
from survey_app.waves.service import WaveError, create_wave, find_wave, set_follow_up


def follow_up_name(app, name: str) -> str | None:
    with app.app_context():
        wave = db.session.scalars(select(Wave).where(Wave.name == name)).one()
        return wave.follow_up_of.name if wave.follow_up_of else None


def test_follow_up_wave_is_created_and_listed(app, runner, wave):
    result = runner.invoke(args=["wave", "create", "W2", "--questionnaire", "tracer", "--follow-up-of", "W1"])

    assert result.exit_code == 0, result.output
    assert "follow-up of 'W1'" in result.output
    assert follow_up_name(app, "W2") == "W1"
    listed = runner.invoke(args=["wave", "list"]).output
    assert "W2\ttracer v2\tnow to no end\t0 invited\t0 submitted\tfollow-up of W1" in listed
    assert "W1\ttracer v2\tnow to no end\t0 invited\t0 submitted\n" in listed


def test_creating_and_repointing_are_audited(app, runner, wave):
    runner.invoke(args=["wave", "create", "W2", "--questionnaire", "tracer", "--follow-up-of", "W1"])
    runner.invoke(args=["wave", "follow-up", "W2", "--none"])

    with app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.action, e.target) for e in events] == [("wave.create", "wave:W2"), ("wave.follow_up", "wave:W2")]
    assert events[0].detail["follow_up_of"] == "W1" and events[0].detail["questionnaire"] == "tracer v2"
    assert events[1].detail == {"before": "W1", "after": None}


def test_earlier_wave_may_be_given_by_id(app, runner, wave):
    with app.app_context():
        earlier_id = find_wave("W1").id

    result = runner.invoke(args=["wave", "create", "W2", "--questionnaire", "tracer", "--follow-up-of",
                                 str(earlier_id)])

    assert result.exit_code == 0, result.output
    assert follow_up_name(app, "W2") == "W1"


@pytest.mark.parametrize(("follow_up_of", "message"), [
    ("W9", "the earlier wave 'W9' does not exist"),
    ("W2", "wave 'W2' cannot be a follow-up of itself"),
])
def test_follow_up_of_a_missing_wave_or_itself_is_refused(app, runner, wave, follow_up_of, message):
    result = runner.invoke(args=["wave", "create", "W2", "--questionnaire", "tracer",
                                 "--follow-up-of", follow_up_of])

    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    with app.app_context():
        assert db.session.scalars(select(Wave.name)).all() == ["W1"]  # nothing half-written


def test_circular_chain_is_refused_and_nothing_changes(app, runner, wave):
    runner.invoke(args=["wave", "create", "W2", "--questionnaire", "tracer", "--follow-up-of", "W1"])
    runner.invoke(args=["wave", "create", "W3", "--questionnaire", "tracer", "--follow-up-of", "W2"])

    result = runner.invoke(args=["wave", "follow-up", "W1", "--of", "W3"])

    assert result.exit_code == 1
    assert "the chain would be circular (W1 → W3 → W2 → W1)" in result.output
    assert follow_up_name(app, "W1") is None


def test_wave_cannot_follow_up_itself_later_either(app, runner, wave):
    result = runner.invoke(args=["wave", "follow-up", "W1", "--of", "W1"])

    assert result.exit_code == 1
    assert "cannot be a follow-up of itself" in result.output


def test_follow_up_can_be_set_and_cleared_before_invitations(app, runner, wave):
    runner.invoke(args=["wave", "create", "W2", "--questionnaire", "tracer"])

    assert runner.invoke(args=["wave", "follow-up", "W2", "--of", "W1"]).exit_code == 0
    assert follow_up_name(app, "W2") == "W1"
    result = runner.invoke(args=["wave", "follow-up", "W2", "--none"])
    assert result.exit_code == 0, result.output
    assert "is not a follow-up of any wave" in result.output
    assert follow_up_name(app, "W2") is None


@pytest.mark.parametrize("args", [["W2"], ["W2", "--of", "W1", "--none"]])
def test_follow_up_command_needs_exactly_one_choice(app, runner, wave, args):
    result = runner.invoke(args=["wave", "follow-up", *args])

    assert result.exit_code == 2
    assert "give either --of EARLIER_WAVE or --none" in result.output


def test_follow_up_cannot_change_once_the_wave_has_invitations(app, runner, wave, add_alumni, tmp_path):
    add_alumni(2)
    runner.invoke(args=["wave", "create", "W2", "--questionnaire", "tracer"])
    runner.invoke(args=["invitations", "issue", "--wave", "W2", "--out", str(tmp_path / "l.csv")])

    result = runner.invoke(args=["wave", "follow-up", "W2", "--of", "W1"])

    assert result.exit_code == 1
    assert "already has invitations" in result.output
    assert follow_up_name(app, "W2") is None


def test_setting_the_same_earlier_wave_again_is_harmless_with_invitations(app, runner, wave, add_alumni, tmp_path):
    add_alumni(1)
    runner.invoke(args=["wave", "create", "W2", "--questionnaire", "tracer", "--follow-up-of", "W1"])
    runner.invoke(args=["invitations", "issue", "--wave", "W2", "--out", str(tmp_path / "l.csv")])

    assert runner.invoke(args=["wave", "follow-up", "W2", "--of", "W1"]).exit_code == 0


def test_service_refuses_without_partial_writes(app, wave, questionnaires):
    with app.app_context():
        with pytest.raises(WaveError, match="does not exist"):
            create_wave("W2", "tracer", follow_up_of="nope")
        w2 = create_wave("W2", "tracer", follow_up_of="W1")
        with pytest.raises(WaveError, match="circular"):
            set_follow_up(find_wave("W1"), "W2")
        assert find_wave("W1").follow_up_of_id is None
        assert db.session.scalar(select(Invitation.id)) is None
        assert w2.follow_up_of.name == "W1"


READS_PREVIOUS = """
format: jejak-questionnaire/1
name: reads_previous
languages: [id, en]
title: {id: Lanjutan, en: Follow-up}
pages:
  - name: p1
    title: {id: Halaman, en: Page}
    questions:
      - name: still
        type: text
        label: {id: "Masih berjalan", en: "Still running"}
        relevant: "${previous.%s} != ''"
"""


@pytest.mark.parametrize("earlier_question, refused", [("q1", False), ("business_description", True)])
def test_a_follow_up_must_read_only_questions_the_earlier_wave_asked(app, runner, wave, earlier_question, refused):
    with app.app_context():
        from tests import factories

        factories.make_questionnaire(READS_PREVIOUS % earlier_question)

    created = runner.invoke(args=["wave", "create", "W2", "--questionnaire", "reads_previous", "--follow-up-of", "W1"])
    later = runner.invoke(args=["wave", "create", "W3", "--questionnaire", "reads_previous"])
    repointed = runner.invoke(args=["wave", "follow-up", "W3", "--of", "W1"])

    if refused:
        assert created.exit_code == 1 and repointed.exit_code == 1
        for result in (created, repointed):
            assert "reads previous.business_description" in result.output
            assert "question 'still'" in result.output
        with app.app_context():
            assert db.session.scalar(select(Wave).where(Wave.name == "W2")) is None
            assert db.session.scalar(select(Wave.follow_up_of_id).where(Wave.name == "W3")) is None
    else:
        assert created.exit_code == 0 and later.exit_code == 0 and repointed.exit_code == 0, repointed.output
