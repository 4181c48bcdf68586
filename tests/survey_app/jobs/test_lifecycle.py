"""A job from start to download: progress JSON, audit, cancel, retention, reaping, empty report."""
from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from survey_app.extensions import db
from survey_app.jobs import service
from survey_app.models import AuditEvent, Job
from survey_app.models.types import utcnow
from tests import factories
from tests.survey_app.admin.conftest import csrf_of
from tests.survey_app.jobs.flow import JSON, follow, job_json


def start_export(client, wave_id, **fields):
    token = csrf_of(client.get(f"/admin/waves/{wave_id}/export").get_data(as_text=True))
    return client.post(f"/admin/waves/{wave_id}/export",
                       data={"csrf_token": token, "format": "csv", "language": "id", **fields})


def actions(app) -> list[str]:
    with app.app_context():
        return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_export_job_reports_progress_and_its_result_downloads_once_audited(app, as_role, small_wave):
    client = as_role("researcher")
    started = start_export(client, small_wave["wave"])
    data = follow(client, started)
    assert data["progress"] == {"done": 3, "total": 3, "percent": 100.0, "rate": data["progress"]["rate"],
                                "eta_seconds": None}
    assert data["download_url"].endswith(f"/admin/jobs/{data['id']}/download")
    page = client.get(started.headers["Location"]).get_data(as_text=True)
    assert 'id="job-progress"' in page and "jobs.js" in page
    rows = list(csv.DictReader(io.StringIO(client.get(data["download_url"]).get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 3
    assert actions(app)[-3:] == ["job.start", "export.responses", "job.download"]


def test_starting_the_same_export_twice_while_it_runs_reuses_the_job(app, as_role, small_wave):
    client = as_role("researcher")
    first = follow(client, start_export(client, small_wave["wave"]))
    with app.app_context():  # pretend the first one is still running
        db.session.execute(update(Job).values(state="running", heartbeat_at=utcnow()))
        db.session.commit()
    second = start_export(client, small_wave["wave"])
    assert second.headers["Location"].startswith(f"/admin/jobs/{first['id']}?reused=1")
    third = start_export(client, small_wave["wave"], format="dta")  # other options: a new job
    assert f"/admin/jobs/{first['id']}" not in third.headers["Location"]


def test_cancelling_a_finished_job_changes_nothing_and_is_audited(app, as_role, small_wave):
    client = as_role("researcher")
    started = start_export(client, small_wave["wave"])
    data = follow(client, started)
    token = csrf_of(client.get(started.headers["Location"], headers={"Accept": "text/html"}).get_data(as_text=True))
    response = client.post(f"/admin/jobs/{data['id']}/cancel", data={"csrf_token": token}, headers=JSON)
    assert response.status_code == 409 and response.get_json()["state"] == "done"
    html = client.post(f"/admin/jobs/{data['id']}/cancel", data={"csrf_token": token}, follow_redirects=True)
    assert "sudah selesai" in html.get_data(as_text=True)  # Indonesian by default
    assert client.get(data["download_url"]).status_code == 200
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "job.cancel"))
        assert event.detail["refused"] == "already done"


def test_cancelling_a_queued_job_stops_it_before_it_runs(app, small_wave, staff):
    from survey_app.jobs import worker
    from survey_app.models import AdminUser

    with app.test_request_context():
        user = db.session.scalar(select(AdminUser).where(AdminUser.role == "researcher"))
        job = Job(kind="export", wave_id=small_wave["wave"], user_id=user.id, actor=user.email,
                  params={"format": "csv"}, dedupe_key="x", state="queued", done=0, personal_data=False,
                  cancel_requested=False, attempts=0)
        db.session.add(job)
        db.session.commit()
        assert service.cancel_job(job) is True
        worker.run_job(job.id)  # a worker picking it up later skips it
        db.session.refresh(job)
        assert job.state == "cancelled" and job.attempts == 0 and job.result_path is None


def test_a_report_of_a_wave_without_respondents_fails_with_a_translated_message(app, as_role):
    with app.app_context():
        from tests.survey_app.exports.conftest import FORM

        wave = factories.make_wave(factories.make_questionnaire(FORM).id, name="empty")
        db.session.commit()
        wave_id = wave.id
    client = as_role("researcher")
    page = client.get(f"/admin/waves/{wave_id}/report").get_data(as_text=True)
    started = client.post(f"/admin/waves/{wave_id}/report", data={"csrf_token": csrf_of(page), "language": "id"})
    data = follow(client, started, expect="failed")
    assert data["message"].startswith("Gelombang empty belum memiliki") and data["download_url"] is None
    client.set_cookie("jejak_lang", "en")
    assert job_json(client, started.headers["Location"])["message"].startswith("Wave empty has no submitted")


def test_results_older_than_the_retention_are_deleted(app, as_role, small_wave):
    client = as_role("researcher")
    data = follow(client, start_export(client, small_wave["wave"]))
    results = Path(app.instance_path) / "job-results"
    assert any(results.rglob("*.csv"))
    with app.app_context():
        db.session.execute(update(Job).values(finished_at=utcnow() - timedelta(days=8)))
        db.session.commit()
        assert service.delete_expired_results() == 1
    assert not any(results.rglob("*.csv"))
    assert job_json(client, f"/admin/jobs/{data['id']}")["state"] == "expired"
    assert client.get(f"/admin/jobs/{data['id']}/download").status_code == 404
    assert actions(app)[-1] == "job.download_refused"


def test_a_job_whose_worker_died_is_retried_then_failed(app, as_role, small_wave):
    client = as_role("researcher")
    data = follow(client, start_export(client, small_wave["wave"]))
    stale = utcnow() - timedelta(seconds=app.config["JOBS_STALE_SECONDS"] + 5)
    with app.app_context():
        # As if a worker was killed mid-run on the first attempt: the reaper queues it again
        # (immediate mode runs it at once) and it finishes.
        db.session.execute(update(Job).values(state="running", attempts=1, heartbeat_at=stale, result_path=None))
        db.session.commit()
        assert service.reap_stale_jobs() == {"requeued": 1, "failed": 0}
        assert db.session.get(Job, data["id"]).state == "done"
        # The last allowed attempt died too: failed, with a message, not running forever.
        db.session.execute(update(Job).values(state="running", attempts=2, heartbeat_at=stale))
        db.session.commit()
        assert service.reap_stale_jobs() == {"requeued": 0, "failed": 1}
    failed = job_json(client, f"/admin/jobs/{data['id']}")
    assert failed["state"] == "failed" and "2" in failed["message"] and failed["download_url"] is None
