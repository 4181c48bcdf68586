"""The demo follow-up wave: panel invitations, attrition and survival with a known truth, the link."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from survey_app.demo.followup import (
    FOLLOW_UP_WAVE,
    RESPONSE_RATE,
    description_sections,
    response_probability,
    survival_probability,
)
from survey_app.demo.seed import seed_demo
from survey_app.extensions import db
from survey_app.models import Invitation, Response, Wave
from survey_app.waves.panel import earlier_answers
from tests.survey_app.respondent.conftest import Browser


def test_survival_depends_on_sector_and_training():
    assert survival_probability("I", set()) < survival_probability("G", set()) < survival_probability("A", set())
    assert survival_probability("G", {"sales_marketing"}) > survival_probability("G", {"languages"})
    assert survival_probability(None, set()) == survival_probability("Z", set())


def test_attrition_depends_on_first_wave_status():
    assert response_probability({"job_status": "1"}) > response_probability({"job_status": "4"})
    assert response_probability({"job_status": "4"}) > response_probability({"consent": "yes"})
    assert response_probability({"consent": "yes"}) == RESPONSE_RATE["none"]


def test_seed_descriptions_carry_their_section(app):
    sections = description_sections(Path(app.config["SEEDS_DIR"]))
    assert sections["tani padi"] == "A"


@pytest.fixture
def seeded(app, tmp_path):
    with app.app_context():
        result = seed_demo(alumni=400, responses=300, seeds_dir=Path(app.config["SEEDS_DIR"]), work_dir=tmp_path,
                           base_url="http://survey.test", sample_links=1)
        return result


def test_follow_up_wave_invites_respondents_and_newcomers(app, seeded):
    with app.app_context():
        wave = db.session.scalars(select(Wave).where(Wave.name == FOLLOW_UP_WAVE)).one()
        assert wave.follow_up_of.name == "demo"
        assert wave.questionnaire.name == "tracer_followup"
        invited = db.session.scalars(select(Invitation.alumnus_id).where(Invitation.wave_id == wave.id)).all()
        first = dict(db.session.execute(select(Invitation.alumnus_id, Invitation.status)
                                        .where(Invitation.wave_id == wave.follow_up_of_id)).all())
        respondents = {a for a, status in first.items() if status == "submitted"}
        assert respondents <= set(invited)
        newcomers = set(invited) - respondents
        assert len(newcomers) == seeded.follow_up.newcomers >= 3
        assert all(earlier_answers(a, wave) is None or first[a] == "partial" for a in newcomers)


def test_follow_up_answers_follow_the_known_truth(app, seeded):
    with app.app_context():
        wave = db.session.scalars(select(Wave).where(Wave.name == FOLLOW_UP_WAVE)).one()
        rows = db.session.execute(select(Invitation.alumnus_id, Invitation.status, Response.answers)
                                  .outerjoin(Response, Response.invitation_id == Invitation.id)
                                  .where(Invitation.wave_id == wave.id)).all()
        answered = {"self": [0, 0], "other": [0, 0]}
        still_running = []
        for alumnus_id, status, answers in rows:
            earlier = earlier_answers(alumnus_id, wave)
            if earlier is None:
                continue
            group = "self" if str(earlier.get("job_status")) in ("1", "2", "3") else "other"
            answered[group][0] += status == "submitted"
            answered[group][1] += 1
            if answers and answers.get("business_still_running"):
                assert earlier.get("business_description")  # asked only of earlier business owners
                still_running.append(answers["business_still_running"])
                if answers["business_still_running"] == "yes" and "business_description" in answers:
                    assert answers["business_description"]  # confirmed or edited, never empty
        # Attrition depends on the first-wave status: the self-employed answer more often.
        assert answered["self"][0] / answered["self"][1] > answered["other"][0] / answered["other"][1]
        assert "yes" in still_running and "no" in still_running


def test_demo_prints_a_follow_up_link_that_greets_with_the_earlier_business(app, runner, client):
    result = runner.invoke(args=["demo", "seed", "--alumni", "200", "--responses", "150"])

    assert result.exit_code == 0, result.output
    assert "Follow-up wave 'demo_followup'" in result.output
    found = re.search(r"they will be asked about '(.+)'\):\n\s+http://survey\.test(/s/\S+)", result.output)
    assert found, result.output
    business, link = found.groups()
    browser = Browser(client)
    assert browser.get(link).status_code == 200
    for _step in range(3):  # language choice and consent pages come first
        if business in browser.text():
            break
        names = {node.get("name") for node in browser.page.find_all("input")}
        browser.submit({"language": "id"} if "language" in names else {"consent": "yes"})
    assert f"Terakhir kali Anda bercerita bahwa Anda menjalankan usaha: “{business}”" in browser.text()
