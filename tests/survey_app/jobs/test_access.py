"""Who may download which result; erasure deletes results; refusals are audited."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from survey_app.accounts.service import create_user
from survey_app.alumni.service import erase_answers, find_alumnus
from survey_app.extensions import db
from survey_app.models import AuditEvent
from tests.survey_app.admin.conftest import login
from tests.survey_app.jobs.flow import follow, job_json
from tests.survey_app.jobs.test_lifecycle import start_export


def last_action(app) -> AuditEvent:
    with app.app_context():
        return db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))


def test_permission_matrix_of_results(app, client, staff, small_wave):
    with app.app_context():
        create_user("researcher2@example.org", "researcher", "correct horse battery")
    wave = small_wave["wave"]
    login(client, staff["admin"])
    personal = follow(client, start_export(client, wave, include_personal="y"))
    plain = follow(client, start_export(client, wave))
    client.post("/admin/logout", data={})
    researcher = app.test_client()
    login(researcher, staff["researcher"])
    own = follow(researcher, start_export(researcher, wave, format="dta"))
    # A researcher never gets the admin's file with names and contacts, nor another person's file.
    assert researcher.get(personal["download_url"]).status_code == 403
    assert last_action(app).action == "job.download_refused"
    assert researcher.get(f"/admin/jobs/{plain['id']}", headers={"Accept": "application/json"}).status_code == 403
    assert researcher.get(plain["download_url"]).status_code == 403
    assert researcher.get(own["download_url"]).status_code == 200
    other = app.test_client()
    login(other, "researcher2@example.org")
    assert other.get(own["download_url"]).status_code == 403
    viewer = app.test_client()
    login(viewer, staff["viewer"])
    assert viewer.get(own["download_url"]).status_code == 403
    assert viewer.get(f"/admin/waves/{wave}/export").status_code == 403
    # Admins may download everything a role may start.
    admin = app.test_client()
    login(admin, staff["admin"])
    assert admin.get(own["download_url"]).status_code == 200
    assert admin.get(personal["download_url"]).status_code == 200
    assert admin.get("/admin/jobs/9999/download").status_code == 404


def test_an_erasure_deletes_the_results_that_contain_the_person(app, as_role, small_wave):
    client = as_role("admin")
    data = follow(client, start_export(client, small_wave["wave"], include_personal="y"))
    results = Path(app.instance_path) / "job-results"
    assert any(results.rglob("*.csv"))
    with app.app_context():
        erase_answers(find_alumnus(small_wave["external_ids"][1]), "consent withdrawn")
    assert not any(results.rglob("*.csv"))
    after = job_json(client, f"/admin/jobs/{data['id']}")
    assert after["state"] == "expired" and after["download_url"] is None
    assert client.get(data["download_url"]).status_code == 404
