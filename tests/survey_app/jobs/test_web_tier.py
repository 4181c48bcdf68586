"""Stateless web tier: client address via trusted proxies; Redis down; a real worker process."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from survey_app import create_app
from survey_app.extensions import db
from survey_app.models import Wave
from tests import factories
from tests.survey_app.admin.conftest import login
from tests.survey_app.jobs.flow import job_json
from tests.survey_app.jobs.test_lifecycle import start_export

ROOT = Path(__file__).resolve().parents[3]


def sibling_app(app, **config):
    """Another app on the same database and instance folder, with other settings."""
    return create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                       "INSTANCE_PATH": app.instance_path, **config}, config_name="testing")


def test_token_limit_keys_on_the_forwarded_address_only_through_trusted_proxies(app):
    proxied = sibling_app(app, TRUSTED_PROXIES=1, TOKEN_FAILURE_LIMIT="3 per minute").test_client()
    client = {"X-Forwarded-For": "198.51.100.7"}
    assert [proxied.get(f"/s/bad-token-{i}", headers=client).status_code for i in range(3)] == [404] * 3
    assert proxied.get("/s/bad-token-x", headers=client).status_code == 429
    assert proxied.get("/s/bad-token-y", headers={"X-Forwarded-For": "198.51.100.8"}).status_code == 404
    # Without trusted proxies a forged header changes nothing: the socket address counts.
    direct = sibling_app(app, TOKEN_FAILURE_LIMIT="3 per minute").test_client()
    codes = [direct.get(f"/s/bad-{i}", headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code for i in range(4)]
    assert codes == [404, 404, 404, 429]


def test_production_config_sends_the_session_cookie_only_over_https():
    env = {k: v for k, v in os.environ.items() if k not in ("JEJAK_SESSION_COOKIE_SECURE", "SESSION_COOKIE_SECURE")}
    code = ("from survey_app.config import Config, DevelopmentConfig; "
            "print(Config.SESSION_COOKIE_SECURE, DevelopmentConfig.SESSION_COOKIE_SECURE)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False"]


def test_redis_down_staff_site_says_jobs_are_unavailable_respondents_unaffected(app, staff, small_wave):
    down = "redis://127.0.0.1:1/0"
    broken = sibling_app(app, REDIS_URL=down, RATELIMIT_STORAGE_URI=down, JOBS_IMMEDIATE=False)
    with broken.app_context():
        wave = db.session.get(Wave, small_wave["wave"])
        _invitation, token = factories.make_invitation(wave, factories.make_alumnus([], name="Ani"))
    respondent = broken.test_client()
    assert respondent.get(f"/s/{token}").status_code in (200, 302)
    assert respondent.get("/s/not-a-token").status_code == 404  # limits fail open, not 500
    staff_client = broken.test_client()
    login(staff_client, staff["researcher"])
    page = staff_client.get(f"/admin/waves/{small_wave['wave']}/export").get_data(as_text=True)
    assert "tidak tersedia" in page
    started = start_export(staff_client, small_wave["wave"])
    assert started.status_code == 503 and "tidak tersedia" in started.get_data(as_text=True)


def test_a_real_worker_process_runs_the_job(app, staff, small_wave):
    web = sibling_app(app, JOBS_IMMEDIATE=False)
    client = web.test_client()
    login(client, staff["researcher"])
    env = {**os.environ, "JEJAK_CONFIG": "development", "JEJAK_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "JEJAK_INSTANCE_PATH": app.instance_path, "JEJAK_SECRET_KEY": app.config["SECRET_KEY"],
           "JEJAK_JOBS_HEARTBEAT_SECONDS": "0.5"}
    env.pop("JEJAK_REDIS_URL", None)
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        started = start_export(client, small_wave["wave"])
        assert started.status_code == 303
        url = started.headers["Location"]
        data = job_json(client, url)
        deadline = time.monotonic() + 60
        while data["state"] in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.3)
            data = job_json(client, url)
        assert data["state"] == "done", data
        assert client.get(data["download_url"]).get_data(as_text=True).count("\r\n") == 4
    finally:
        worker.send_signal(signal.SIGINT)
        try:
            output = worker.communicate(timeout=30)[0].decode()
        except subprocess.TimeoutExpired:
            worker.kill()
            output = worker.communicate()[0].decode()
    assert "jobs worker: queue=sqlite" in output, output


def test_redis_down_link_guessing_is_still_throttled_per_process(app):
    down = "redis://127.0.0.1:1/0"
    guesser = sibling_app(app, REDIS_URL=down, RATELIMIT_STORAGE_URI=down,
                          TOKEN_FAILURE_LIMIT="3 per minute").test_client()
    codes = [guesser.get(f"/s/{'E' * 23}{i}").status_code for i in range(4)]
    assert codes == [404, 404, 404, 429]
