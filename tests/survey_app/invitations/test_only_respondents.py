"""`flask invitations issue --only-respondents`: a follow-up wave invites the earlier wave's respondents."""
from __future__ import annotations

import csv

from sqlalchemy import select, update

from survey_app.extensions import db
from survey_app.models import AuditEvent, Invitation, Wave


def issue(runner, wave: str, out, *extra: str):
    return runner.invoke(args=["invitations", "issue", "--wave", wave, "--out", str(out), *extra])


def set_statuses(app, wave: str, statuses: dict[str, str]) -> None:
    """Give the invitations of ``wave`` these statuses, by alumnus external id."""
    from survey_app.models import Alumnus

    with app.app_context():
        wave_id = db.session.scalar(select(Wave.id).where(Wave.name == wave))
        for external_id, status in statuses.items():
            alumnus_id = db.session.scalar(select(Alumnus.id).where(Alumnus.external_id == external_id))
            db.session.execute(update(Invitation).where(Invitation.wave_id == wave_id,
                                                        Invitation.alumnus_id == alumnus_id).values(status=status))
        db.session.commit()


def test_only_earlier_submitters_are_invited(app, runner, wave, add_alumni, tmp_path):
    add_alumni(5)
    issue(runner, wave, tmp_path / "w1.csv")
    set_statuses(app, wave, {"PKJ0001": "submitted", "PKJ0002": "partial", "PKJ0003": "declined",
                             "PKJ0004": "submitted"})
    add_alumni(1)  # a newcomer, never invited to W1
    runner.invoke(args=["wave", "create", "W2", "--questionnaire", "tracer", "--follow-up-of", "W1"])

    result = issue(runner, "W2", tmp_path / "w2.csv", "--only-respondents")

    assert result.exit_code == 0, result.output
    assert "Issued 2 invitations in wave 'W2' to respondents of wave 'W1'" in result.output
    with open(tmp_path / "w2.csv", newline="", encoding="utf-8") as fh:
        assert [row["external_id"] for row in csv.DictReader(fh)] == ["PKJ0001", "PKJ0004"]
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.target == "W2")).one()
        assert event.detail["only_respondents_of"] == "W1"

    # Without the option, the rest (newcomers included) can be invited afterwards.
    rest = issue(runner, "W2", tmp_path / "w2-rest.csv")
    assert "Issued 4 invitations" in rest.output


def test_only_respondents_needs_a_follow_up_wave(app, runner, wave, add_alumni, tmp_path):
    add_alumni(2)

    result = issue(runner, wave, tmp_path / "l.csv", "--only-respondents")

    assert result.exit_code == 1
    assert "wave 'W1' is not a follow-up of an earlier wave" in result.output
    assert not (tmp_path / "l.csv").exists()
    with app.app_context():
        assert db.session.scalar(select(Invitation.id)) is None


def test_earlier_wave_without_respondents_issues_nothing_and_says_why(app, runner, wave, add_alumni, tmp_path):
    add_alumni(2)
    issue(runner, wave, tmp_path / "w1.csv")
    runner.invoke(args=["wave", "create", "W2", "--questionnaire", "tracer", "--follow-up-of", "W1"])

    result = issue(runner, "W2", tmp_path / "w2.csv", "--only-respondents")

    assert result.exit_code == 0, result.output
    assert "Every respondent of wave 'W1' among the selected alumni already has an invitation" in result.output
    assert "the earlier wave has no respondents" in result.output
    with app.app_context():
        w2 = db.session.scalar(select(Wave.id).where(Wave.name == "W2"))
        assert db.session.scalar(select(Invitation.id).where(Invitation.wave_id == w2)) is None
