"""`flask demo seed`: a working demo with answers, an admin login and fresh links."""
import re

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import AdminUser, Alumnus, Invitation, Response, Wave


def test_demo_seed_loads_answers_and_prints_login_and_links(app, runner, client):
    result = runner.invoke(args=["demo", "seed", "--alumni", "60", "--responses", "40"])
    assert result.exit_code == 0, result.output
    sample = result.output.split("Sample survey links")[1].split("Follow-up link")[0]
    links = re.findall(r"http://survey\.test(/s/[A-Za-z0-9_-]+)", sample)
    assert len(links) == 3
    assert re.search(r"Admin login:\s+admin@jejak\.demo\s+/\s+\S{12,}", result.output)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Alumnus)) == 60
        demo = db.session.scalar(select(Wave.id).where(Wave.name == "demo"))
        assert db.session.scalar(select(func.count()).select_from(Invitation).where(Invitation.wave_id == demo)) == 60
        submitted = db.session.scalars(select(Response).where(Response.submitted_at.is_not(None))).all()
        assert len(submitted) >= 20
        with_business = [r for r in submitted if r.answers.get("business_description")]
        assert with_business, "some synthetic alumni run a business"
        assert db.session.scalar(select(func.count()).select_from(AdminUser)) == 1
    for link in links:
        assert client.get(link).status_code == 200


def test_demo_seed_twice_keeps_data_and_gives_new_links(app, runner):
    first = runner.invoke(args=["demo", "seed", "--alumni", "30", "--responses", "5"])
    second = runner.invoke(args=["demo", "seed", "--alumni", "30", "--responses", "5"])
    assert second.exit_code == 0 and "already present" in second.output
    assert set(re.findall(r"/s/\S+", first.output)).isdisjoint(re.findall(r"/s/\S+", second.output))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Alumnus)) == 30


def test_demo_seed_refuses_more_responses_than_alumni(runner):
    result = runner.invoke(args=["demo", "seed", "--alumni", "10", "--responses", "50"])
    assert result.exit_code != 0 and "cannot exceed" in result.output
