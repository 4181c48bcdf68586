"""Checks of .ci/jobs.sh, through nginx (18080) in front of two app instances (18081/18082)."""
from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
import zipfile

import requests

NGINX = "http://127.0.0.1:18080"
APPS = ("http://127.0.0.1:18081", "http://127.0.0.1:18082")
JSON = {"Accept": "application/json"}


def check(condition: bool, what: str) -> None:
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        sys.exit(1)


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def login() -> requests.Session:
    session = requests.Session()
    page = session.get(f"{NGINX}/admin/login")
    response = session.post(f"{NGINX}/admin/login", allow_redirects=False,
                            data={"email": "ci-admin@example.org", "password": "ci-admin-password-123",
                                  "csrf_token": csrf(page.text)})
    check(response.status_code == 302, "staff login through nginx")
    return session


def wait_for(session, url: str, states=("done", "failed", "cancelled"), timeout: float = 240) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        data = session.get(url, headers=JSON).json()
        if data["state"] in states or time.monotonic() > deadline:
            return data
        time.sleep(0.5)


def start(session, page_url: str, fields: dict) -> str:
    page = session.get(f"{NGINX}{page_url}")
    response = session.post(f"{NGINX}{page_url}", data={"csrf_token": csrf(page.text), **fields},
                            allow_redirects=False)
    check(response.status_code == 303, f"POST {page_url} answers with the job page at once "
                                       f"({response.elapsed.total_seconds():.2f} s)")
    check(response.elapsed.total_seconds() < 1.0, "starting a job takes < 1 s")
    return NGINX + response.headers["Location"].split("?")[0]


def main() -> None:
    session = login()
    # 1. One session, both instances (sessions are signed cookies; accounts in PostgreSQL).
    for app in APPS:
        response = session.get(f"{app}/admin/jobs", allow_redirects=False)
        check(response.status_code == 200, f"logged in on {app} with the cookie from nginx")
    seen = {session.get(f"{NGINX}/admin/", allow_redirects=False).headers.get("X-Jejak-Upstream") for _ in range(4)}
    check(len(seen) == 2, f"nginx spreads requests over both instances {sorted(seen)}")

    # 2. The token limit (6 per minute) is shared by both instances and keyed on the client address.
    client = {"X-Forwarded-For": "198.51.100.7"}
    codes = [requests.get(f"{app}/s/not-a-valid-token-{i}", headers=client, timeout=30).status_code
             for i, app in enumerate(APPS * 3)]
    check(all(code == 404 for code in codes), f"6 bad links, 3 on each instance: {codes}")
    blocked = requests.get(f"{NGINX}/s/not-a-valid-token-x", headers=client, timeout=30).status_code
    check(blocked == 429, f"the 7th bad link from the same address through nginx is limited ({blocked})")
    other = requests.get(f"{NGINX}/s/not-a-valid-token-y", headers={"X-Forwarded-For": "198.51.100.8"},
                         timeout=30)
    check(other.status_code == 404, f"another client address is not limited ({other.status_code})")

    # 3. A report job and a CSV export job started through nginx finish and download.
    # The demo wave (the demo also seeds a follow-up wave, listed in the same table).
    wave_id = re.search(r"<td>demo</td>.*?/admin/waves/(\d+)/report", session.get(f"{NGINX}/admin/reports").text,
                        re.S).group(1)
    report = start(session, f"/admin/waves/{wave_id}/report", {"language": "en"})
    export = start(session, f"/admin/waves/{wave_id}/export", {"format": "csv", "language": "id"})
    other_host = APPS[1] + report[len(NGINX):]
    check(session.get(other_host, headers=JSON).json()["id"] == int(report.rsplit("/", 1)[1]),
          "a job started through nginx is visible on the other instance")
    for url, kind in ((report, "report"), (export, "CSV export")):
        data = wait_for(session, url)
        check(data["state"] == "done", f"{kind} job done: {data['message']}")
        body = session.get(f"{NGINX}{data['download_url']}")
        check(body.status_code == 200 and len(body.content) > 100, f"{kind} downloads ({len(body.content)} bytes)")
        if kind == "report":
            names = zipfile.ZipFile(io.BytesIO(body.content)).namelist()
            check("report.html" in names, "the report ZIP has report.html")
        else:
            check(body.content.decode("utf-8-sig").count("\r\n") >= 201, "the CSV has every response")

    # 4. kill -9 of the worker mid-job: the job ends retried or failed, never stuck "running".
    flask = os.environ["CI_FLASK"].split()
    # CI_FLASK is the flask command line set by .ci/jobs.sh itself, not outside input.
    subprocess.run([*flask, "messages", "queue", "--wave", "demo", "--kind", "invitation"], check=True,  # noqa: S603
                   stdout=subprocess.DEVNULL)
    page = session.get(f"{NGINX}/admin/waves/{wave_id}/messages")
    sent = session.post(f"{NGINX}/admin/waves/{wave_id}/messages/send", data={"csrf_token": csrf(page.text)},
                        allow_redirects=False)
    check(sent.status_code == 303, "sending e-mails starts a job")
    job = NGINX + sent.headers["Location"].split("?")[0]
    data = wait_for(session, job, states=("running",), timeout=60)
    deadline = time.monotonic() + 60
    while data["progress"]["done"] < 3 and time.monotonic() < deadline:
        time.sleep(0.3)
        data = session.get(job, headers=JSON).json()
    check(data["state"] == "running" and data["progress"]["done"] >= 3,
          f"e-mail job running: {data['progress']['done']}/{data['progress']['total']}")
    os.kill(int(os.environ["CI_WORKER_PID"]), signal.SIGKILL)
    killed_at = time.monotonic()
    time.sleep(float(os.environ.get("JEJAK_JOBS_STALE_SECONDS", "8")) + 2)
    log = open(os.path.join(os.environ["CI_WORK"], "worker2.log"), "w")
    worker = subprocess.Popen([*flask, "jobs", "worker"], stdout=log, stderr=subprocess.STDOUT)  # noqa: S603 (as above)
    try:
        data = wait_for(session, job, timeout=180)
        state = data["state"]
        check(state in ("done", "failed") and (data["attempts"] == 2 or state == "failed"),
              f"after kill -9 the job ended {state} (attempt {data['attempts']}) "
              f"{time.monotonic() - killed_at:.0f} s later: {data['message']}")
    finally:
        worker.send_signal(signal.SIGINT)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


if __name__ == "__main__":
    main()
