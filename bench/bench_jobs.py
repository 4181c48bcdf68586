"""Benchmark: staff work as background jobs through the web at 240,000 responses, vs the CLI.

    su postgres -c "createdb -O jejak_ci jejak_jobs_bench"       # once
    python bench/bench_jobs.py [--rows 240000] [--url postgresql://…] [--keep-data]

Data: bench_export.load (default questionnaire, ROWS alumni, one submitted response each).
Web: ``gunicorn -w 4 wsgi:app`` (default sync workers, default 30 s timeout), Redis (port
16379, started here) as queue and limiter store, one ``flask jobs worker --threads 1``.
For each job (report, CSV, Stata, SPSS, XLSX): seconds from the POST that starts it until
its result is downloaded, polling the job's JSON every 0.5 s like the staff page; the
worker's peak RSS during the job (VmRSS sampled every 0.2 s). Every staff request's latency
is recorded (pages, starts, polls, downloads). Baseline in the same run: the same work by
the CLI (`flask export responses …`; report = `flask export dataset` + `python -m analysis
report`), each in a process of its own (wall time, ru_maxrss).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_export import _measured, load  # noqa: E402

DEFAULT_URL = "postgresql://jejak_ci:jejak_ci@localhost:5432/jejak_jobs_bench"
WEB_PORT, REDIS_PORT = 18181, 16379
BASE = f"http://127.0.0.1:{WEB_PORT}"
JOBS = [("report", None), ("export", "csv"), ("export", "dta"), ("export", "sav"), ("export", "xlsx")]
TARGETS = {"report": 60, "csv": 30, "dta": 30, "sav": 60, "xlsx": 120}


class RssSampler(threading.Thread):
    """Peak VmRSS of a process (and its children are not counted) while running."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0, threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.2):
            try:
                text = Path(f"/proc/{self.pid}/status").read_text()
            except OSError:
                return
            match = re.search(r"VmRSS:\s+(\d+) kB", text)
            if match:
                self.peak = max(self.peak, int(match.group(1)) // 1024)


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class Staff:
    """A logged-in staff browser that records every request's latency."""

    def __init__(self):
        self.session = requests.Session()
        self.latencies: list[tuple[str, float]] = []

    def request(self, method: str, path: str, label: str, **kwargs):
        started = time.perf_counter()
        response = self.session.request(method, BASE + path, timeout=60, **kwargs)
        if kwargs.get("stream"):
            for _chunk in response.iter_content(1 << 20):
                pass
        self.latencies.append((label, time.perf_counter() - started))
        return response


def run_web_job(staff: Staff, wave_id: int, kind: str, fmt: str | None, worker_pid: int) -> dict:
    page_path = f"/admin/waves/{wave_id}/{'report' if kind == 'report' else 'export'}"
    page = staff.request("GET", page_path, f"GET {kind} page")
    fields = {"language": "id", "csrf_token": csrf(page.text)}
    if fmt:
        fields["format"] = fmt
    sampler = RssSampler(worker_pid)
    sampler.start()
    started = time.perf_counter()
    response = staff.request("POST", page_path, f"POST start {fmt or kind}", data=fields, allow_redirects=False)
    assert response.status_code == 303, response.text[:300]
    job_url = response.headers["Location"].split("?")[0]
    staff.request("GET", job_url, "GET job page")
    while True:
        data = staff.request("GET", job_url, "GET job JSON (poll)", headers={"Accept": "application/json"}).json()
        if data["state"] not in ("queued", "running"):
            break
        time.sleep(0.5)
    if data["state"] != "done":
        raise RuntimeError(f"{kind} {fmt}: {data}")
    download = staff.request("GET", data["download_url"], f"GET download {fmt or kind}", stream=True)
    assert download.status_code == 200
    seconds = time.perf_counter() - started
    sampler.stop.set()
    sampler.join()
    return {"seconds": seconds, "worker_peak_rss_mb": sampler.peak, "job": data["id"],
            "rate": data["progress"]["rate"]}


def run_cli(kind: str, fmt: str | None, env: dict, work: Path) -> dict:
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    if kind == "report":
        seconds1, rss1, _ = _measured([*flask, "export", "dataset", "--wave", "bench", "--out", str(work / "ds")], env)
        seconds2, rss2, _ = _measured([sys.executable, "-m", "analysis", "report", str(work / "ds"),
                                       "--out", str(work / "report"), "--lang", "id"], env)
        shutil.rmtree(work / "ds", ignore_errors=True)
        shutil.rmtree(work / "report", ignore_errors=True)
        return {"seconds": seconds1 + seconds2, "peak_rss_mb": max(rss1, rss2)}
    out = work / f"cli.{fmt}"
    seconds, rss, _ = _measured([*flask, "export", "responses", "--wave", "bench", "--format", fmt,
                                 "--out", str(out), "--force"], env)
    out.unlink(missing_ok=True)
    return {"seconds": seconds, "peak_rss_mb": rss}


def wait_http(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("JEJAK_BENCH_POSTGRES_URL", DEFAULT_URL))
    parser.add_argument("--rows", type=int, default=240_000)
    parser.add_argument("--skip-load", action="store_true", help="reuse the data of a previous run")
    parser.add_argument("--only", default="", help="comma-separated subset: report,csv,dta,sav,xlsx")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "jobs")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="jejak-bench-jobs-"))
    load_seconds = None
    if not args.skip_load:
        started = time.perf_counter()
        wave_id = load(args.url, args.rows)
        load_seconds = time.perf_counter() - started
    else:
        wave_id = 1
    env = {**os.environ, "JEJAK_CONFIG": "production", "JEJAK_SECRET_KEY": "bench-secret",
           "JEJAK_DATABASE_URL": args.url, "JEJAK_REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/1",
           "JEJAK_SESSION_COOKIE_SECURE": "0", "JEJAK_INSTANCE_PATH": str(work / "instance"),
           "JEJAK_LOGIN_LIMIT": "1000 per minute"}
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "stamp", "head"], env=env, cwd=ROOT,
                   check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "users", "create", "bench@example.org",
                    "--role", "admin", "--password-stdin"], input="bench-password-123\n", text=True, env=env,
                   cwd=ROOT, capture_output=True)
    processes = []
    redis = subprocess.Popen(["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no"], stdout=subprocess.DEVNULL)
    processes.append(redis)
    try:
        web = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "4", "--bind", f"127.0.0.1:{WEB_PORT}",
                                "wsgi:app"], env=env, cwd=ROOT, stdout=open(work / "web.log", "w"),
                               stderr=subprocess.STDOUT)
        processes.append(web)
        worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker", "--threads", "1"],
                                  env=env, cwd=ROOT, stdout=open(work / "worker.log", "w"), stderr=subprocess.STDOUT)
        processes.append(worker)
        try:
            wait_http(BASE + "/admin/login", 300)
        except RuntimeError:
            print((work / "web.log").read_text()[-3000:])
            raise
        staff = Staff()
        page = staff.request("GET", "/admin/login", "GET login")
        staff.request("POST", "/admin/login", "POST login", allow_redirects=False,
                      data={"email": "bench@example.org", "password": "bench-password-123",
                            "csrf_token": csrf(page.text)})
        for path in ("/admin/", "/admin/exports", "/admin/reports", f"/admin/waves/{wave_id}/jobs", "/admin/jobs"):
            staff.request("GET", path, f"GET {path}")
        wanted = set(filter(None, args.only.split(",")))
        results = []
        for kind, fmt in JOBS:
            name = fmt or kind
            if wanted and name not in wanted:
                continue
            web_result = run_web_job(staff, wave_id, kind, fmt, worker.pid)
            cli_result = run_cli(kind, fmt, env, work)
            ratio = web_result["seconds"] / cli_result["seconds"]
            row = {"job": name, "web": web_result, "cli": cli_result, "ratio": ratio, "target_s": TARGETS[name]}
            results.append(row)
            print(f"{name:7} web {web_result['seconds']:6.1f} s (worker peak {web_result['worker_peak_rss_mb']} MB)"
                  f"  cli {cli_result['seconds']:6.1f} s ({cli_result['peak_rss_mb']:.0f} MB)  ratio {ratio:.2f}"
                  f"  target {TARGETS[name]} s", flush=True)
        slowest: dict[str, float] = {}
        for label, seconds in staff.latencies:
            slowest[label] = max(slowest.get(label, 0.0), seconds)
        print("slowest staff request by kind:")
        for label, seconds in sorted(slowest.items(), key=lambda item: -item[1]):
            print(f"  {seconds * 1000:8.0f} ms  {label}")
        load_avg = os.getloadavg()
        report = {"rows": args.rows, "load_seconds": load_seconds, "results": results, "slowest_requests_s": slowest,
                  "requests": len(staff.latencies), "loadavg_end": load_avg, "machine": platform.processor() or
                  platform.machine(), "cpus": os.cpu_count(),
                  "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        args.out.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        (args.out / f"jobs-{stamp}.json").write_text(json.dumps(report, indent=2))
        print(f"load average at the end: {load_avg}")
    finally:
        for process in reversed(processes):
            process.send_signal(signal.SIGINT if process is not redis else signal.SIGTERM)
        for process in reversed(processes):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
