#!/usr/bin/env python3
"""HTTP benchmark: survey page GET and answer POST under gunicorn + PostgreSQL, against a bare
Flask + Flask-WTF app under the same gunicorn settings, in the same run.

    .venv/bin/python bench/bench_survey_http.py            # ~3 minutes
    .venv/bin/python bench/bench_survey_http.py --duration 10 --warmup 3   # quicker look

What it does:

1. Creates the database if missing (default postgresql://jejak:jejak@localhost/jejak_bench_http),
   drops and creates all tables, and loads the demo (``seed_demo``: default questionnaire,
   ``--respondents`` alumni, open wave 'demo', one invitation each). Every invitation gets a
   response that has consented (``{"consent": "yes"}``, revision 1), as after the first page.
2. Per app (bare baseline first, then Jejak): starts gunicorn on a free 127.0.0.1 port, prepares
   per-respondent state over HTTP (GET each page once: session cookie + CSRF token + revision),
   then runs wrk for the GET and for the POST (warm-up, then ``--duration`` seconds each).
   GET = ``/s/<token>/p/about`` (survey) or ``/`` (baseline).
   POST = a valid 'about' page (birth year, sex, province, education) with CSRF token and the
   response's current revision, answered 303 (survey); a valid two-field form (baseline).
3. After the survey POST run, checks the database: every 303 must be a saved revision with the
   answers that were sent (per respondent: 303s <= revision increase <= requests sent).
4. Prints a table, writes JSON to bench/out/, stops its servers and drops its tables.

Load generator, server and PostgreSQL share the same machine (on the reference machine: two
cores), so absolute numbers include that contention; the ratios are the point.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote, urlsplit

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
OUT_DIR = BENCH / "out"
LUA = BENCH / "wrk" / "pool.lua"
sys.path.insert(0, str(REPO))

DEFAULT_DB = "postgresql://jejak:jejak@localhost/jejak_bench_http"
SECRET_KEY = "bench-http-secret-key-not-for-production"
# Identical for both apps. Two workers (one per core) with four threads each: the threads
# overlap a request's database round trips with another request's Python work.
DEFAULT_GUNICORN = "--workers 2 --worker-class gthread --threads 4"
PAGE = "about"

TARGETS = {"get_ratio": 0.5, "post_ratio": 0.35, "p99_ms": 100.0}

# Deterministic, valid answers for the 'about' page, varied per respondent.
PROVINCES = ["11", "12", "31", "32", "33", "34", "35", "51", "64", "73", "91", "94"]
EDUCATION = ["primary", "junior_secondary", "senior_secondary", "vocational_secondary", "diploma", "bachelor"]


def expected_answers(index: int) -> dict:
    return {"birth_year": 1950 + index % 55, "sex": ("male", "female")[index % 2],
            "province": PROVINCES[index % len(PROVINCES)], "education": EDUCATION[index % len(EDUCATION)]}


# --------------------------------------------------------------------------- database setup

def ensure_database(url: str) -> None:
    """Create the database named in ``url`` if it does not exist (needs CREATEDB)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def make_app(db_url: str):
    os.environ["JEJAK_DATABASE_URL"] = db_url
    os.environ["JEJAK_SECRET_KEY"] = SECRET_KEY
    from survey_app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": SECRET_KEY}, config_name="production")


def seed(app, respondents: int, work_dir: Path) -> list[str]:
    """Fresh tables, the demo data, and a consented response per invitation; returns tokens."""
    import csv

    from sqlalchemy import insert, update

    from survey_app.demo.seed import seed_demo
    from survey_app.extensions import db
    from survey_app.models import Invitation, Response
    from survey_app.models.types import utcnow

    with app.app_context():
        db.drop_all()
        db.create_all()
        result = seed_demo(alumni=respondents, responses=0, seeds_dir=Path(app.config["SEEDS_DIR"]),
                           work_dir=work_dir, base_url="http://bench.invalid", sample_links=0)
        with open(result.links_file, newline="", encoding="utf-8") as fh:
            tokens = [row["url"].rsplit("/", 1)[1] for row in csv.DictReader(fh)]
        now = utcnow()
        ids = db.session.execute(db.select(Invitation.id)).scalars().all()
        db.session.execute(insert(Response), [
            {"invitation_id": i, "answers": {"consent": "yes"}, "language": "id",
             "current_page": "consent_page", "started_at": now, "updated_at": now, "revision": 1}
            for i in ids])
        db.session.execute(update(Invitation).values(status="partial", opened_at=now))
        db.session.commit()
    return tokens


def snapshot(app, tokens: list[str]) -> dict[str, tuple[int, dict, str | None]]:
    """token -> (revision, answers, current_page) of its response."""
    from survey_app.extensions import db
    from survey_app.models import Invitation, Response
    from survey_app.tokens import hash_token

    by_hash = {hash_token(t): t for t in tokens}
    with app.app_context():
        rows = db.session.execute(
            db.select(Invitation.token_hash, Response.revision, Response.answers, Response.current_page)
            .join(Response, Response.invitation_id == Invitation.id)).all()
        db.session.remove()
    return {by_hash[h]: (rev, answers, page) for h, rev, answers, page in rows if h in by_hash}


def drop_tables(app) -> None:
    from survey_app.extensions import db

    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


# --------------------------------------------------------------------------- servers

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A gunicorn master on 127.0.0.1, started and stopped by us."""

    def __init__(self, name: str, app_spec: str, gunicorn_args: list[str], env: dict, log: Path,
                 ready_path: str, pythonpath: Path | None = None):
        self.name, self.port, self.log_path, self.ready_path = name, free_port(), log, ready_path
        cmd = [str(Path(sys.executable).parent / "gunicorn"), *gunicorn_args,
               "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning"]
        if pythonpath:
            cmd += ["--pythonpath", str(pythonpath)]
        cmd.append(app_spec)
        self.cmd = cmd
        self.log = open(log, "w")
        self.proc = subprocess.Popen(cmd, cwd=REPO, env={**os.environ, **env}, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name}: gunicorn exited ({self.proc.returncode}); see {self.log_path}")
            try:
                status, _h, _b = http_get(self.port, self.ready_path)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name}: not ready after {timeout}s; see {self.log_path}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # gunicorn master: graceful stop of its workers
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()

    def problems(self) -> list[str]:
        text = self.log_path.read_text(errors="replace")
        return [line for line in text.splitlines()
                if re.search(r"Traceback|\[ERROR\]|\[CRITICAL\]|WORKER TIMEOUT|\"level\": \"ERROR\"", line)]


def http_get(port: int, path: str, cookie: str | None = None) -> tuple[int, dict, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        resp = conn.getresponse()
        body = resp.read().decode("utf-8", "replace")
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body
    finally:
        conn.close()


CSRF_RE = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
REVISION_RE = re.compile(r'<input[^>]*name="revision"[^>]*value="([^"]*)"')


def form_state(port: int, path: str) -> tuple[str, str, str | None]:
    """GET a form page as a new visitor: (session cookie, csrf token, revision or None)."""
    status, headers, body = http_get(port, path)
    if status != 200:
        raise RuntimeError(f"GET {path} -> {status}")
    cookie = headers["set-cookie"].split(";", 1)[0]
    csrf = CSRF_RE.search(body)
    if csrf is None:
        raise RuntimeError(f"no csrf_token in {path}")
    revision = REVISION_RE.search(body)
    return cookie, csrf.group(1), revision.group(1) if revision else None


def write_pool(path: Path, rows: list[tuple]) -> None:
    with open(path, "w", encoding="ascii") as fh:
        for row in rows:
            fh.write("\t".join("-" if v in (None, "") else str(v) for v in row) + "\n")


# --------------------------------------------------------------------------- wrk

def run_wrk(port: int, mode: str, pool: Path, out: Path, *, duration: float, connections: int,
            threads: int) -> dict:
    env = {**os.environ, "BENCH_POOL": str(pool), "BENCH_MODE": mode, "BENCH_THREADS": str(threads),
           "BENCH_OUT": str(out)}
    cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration:g}s", "--timeout", "5s",
           "-s", str(LUA), f"http://127.0.0.1:{port}/"]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0 or not out.exists():
        raise RuntimeError(f"wrk failed ({proc.returncode}): {proc.stderr or proc.stdout}")
    result = json.loads(out.read_text())
    out.unlink()
    seconds = result["duration_us"] / 1e6
    errors = result["errors"]
    result["rps"] = result["requests"] / seconds
    result["p50_ms"] = result["latency_us"]["p50"] / 1000
    result["p99_ms"] = result["latency_us"]["p99"] / 1000
    result["error_count"] = errors["status"] + errors["connect"] + errors["read"] + errors["write"] + errors["timeout"]
    result["wrk_stdout"] = proc.stdout
    return result


def measure(server: Server, mode: str, pool: Path, tmp: Path, args, label: str,
            before_measure=None) -> dict:
    stem = re.sub(r"[^A-Za-z0-9]+", "-", label)
    if args.warmup > 0:
        run_wrk(server.port, mode, pool, tmp / f"{stem}-warmup.json", duration=args.warmup,
                connections=args.connections, threads=args.wrk_threads)
    if before_measure is not None:
        before_measure()
    result = run_wrk(server.port, mode, pool, tmp / f"{stem}.json", duration=args.duration,
                     connections=args.connections, threads=args.wrk_threads)
    print(f"  {label:<14} {result['rps']:8.1f} req/s  p50 {result['p50_ms']:6.1f} ms  "
          f"p99 {result['p99_ms']:6.1f} ms  errors {result['error_count']}  statuses {result['statuses']}",
          flush=True)
    return result


# --------------------------------------------------------------------------- the two apps

def bench_baseline(args, tmp: Path, gunicorn_args: list[str]) -> dict:
    server = Server("baseline", "http_baseline_app:app", gunicorn_args, {"JEJAK_SECRET_KEY": SECRET_KEY},
                    tmp / "gunicorn-baseline.log", "/", pythonpath=BENCH)
    try:
        server.wait_ready()
        states = [form_state(server.port, "/") for _ in range(64)]  # 64 visitors, one session each
        get_pool, post_pool = tmp / "baseline-get.pool", tmp / "baseline-post.pool"
        write_pool(get_pool, [(f"v{i}", "/", cookie, None, None) for i, (cookie, _c, _r) in enumerate(states)])
        write_pool(post_pool, [(f"v{i}", "/", cookie, f"csrf_token={quote(csrf, safe='')}&name=Ani&birth_year="
                                f"{1950 + i % 55}", None) for i, (cookie, csrf, _r) in enumerate(states)])
        print("baseline (bare Flask + Flask-WTF, no database)", flush=True)
        get = measure(server, "get", get_pool, tmp, args, "GET /")
        post = measure(server, "post", post_pool, tmp, args, "POST /")
        post["ok_303"] = post["statuses"].get("303", 0)
    finally:
        server.stop()
    return {"get": get, "post": post, "server_problems": server.problems(), "cmd": server.cmd}


def bench_survey(args, tmp: Path, gunicorn_args: list[str], app, tokens: list[str]) -> dict:
    env = {"JEJAK_DATABASE_URL": args.db_url, "JEJAK_SECRET_KEY": SECRET_KEY, "JEJAK_CONFIG": "production"}
    if not args.ratelimit:
        env["JEJAK_RATELIMIT_ENABLED"] = "0"
    server = Server("survey", "wsgi:app", gunicorn_args, env, tmp / "gunicorn-survey.log", "/healthz")
    index = {t: i for i, t in enumerate(tokens)}
    try:
        server.wait_ready()
        t0 = time.monotonic()
        with ThreadPoolExecutor(4) as pool:
            states = list(pool.map(lambda t: form_state(server.port, f"/s/{t}/p/{PAGE}"), tokens))
        print(f"survey (Jejak, PostgreSQL): prepared {len(tokens)} respondents over HTTP in "
              f"{time.monotonic() - t0:.1f}s", flush=True)
        get_pool, post_pool = tmp / "survey-get.pool", tmp / "survey-post.pool"
        write_pool(get_pool, [(t, f"/s/{t}/p/{PAGE}", cookie, None, None)
                              for t, (cookie, _c, _r) in zip(tokens, states)])

        def post_rows(revisions: dict[str, int]) -> list[tuple]:
            rows = []
            for t, (cookie, csrf, _rev) in zip(tokens, states):
                answers = expected_answers(index[t])
                body = f"csrf_token={quote(csrf, safe='')}&" + "&".join(f"{k}={v}" for k, v in answers.items())
                rows.append((t, f"/s/{t}/p/{PAGE}", cookie, body, revisions[t]))
            return rows

        get = measure(server, "get", get_pool, tmp, args, f"GET page {PAGE}")
        before: dict = {}

        def refresh_revisions():
            # The warm-up saved pages too: start the measured run from the current revisions.
            time.sleep(0.5)  # requests cut off when wrk stopped finish on the server meanwhile
            before.update(snapshot(app, tokens))
            write_pool(post_pool, post_rows({t: v[0] for t, v in before.items()}))

        refresh_revisions()
        post = measure(server, "post", post_pool, tmp, args, f"POST page {PAGE}", before_measure=refresh_revisions)
        time.sleep(1.0)
        after = snapshot(app, tokens)
        post["db_check"] = db_check(before, after, post, index)
    finally:
        server.stop()
    return {"get": get, "post": post, "server_problems": server.problems(), "cmd": server.cmd}


def db_check(before: dict, after: dict, post: dict, index: dict[str, int]) -> dict:
    """Every 303 must be a saved revision carrying the answers that were sent."""
    saved, issued = post["saved"], post["issued"]
    ok_303 = post["statuses"].get("303", 0)
    problems = []
    increments, updated = 0, 0
    for token, (rev_before, _a, _p) in before.items():
        rev_after, answers, page = after[token]
        delta = rev_after - rev_before
        increments += delta
        n_saved, n_issued = saved.get(token, 0), issued.get(token, 0)
        if delta > 0:
            updated += 1
        if not n_saved <= delta <= n_issued:
            problems.append(f"{token}: {n_saved} x 303 but revision +{delta} ({n_issued} sent)")
        if delta > 0:
            want = {"consent": "yes", **expected_answers(index[token])}
            if answers != want or page != PAGE:
                problems.append(f"{token}: stored {answers!r} on page {page!r}, expected {want!r}")
    unattributed = saved.get("-", 0)
    if unattributed:
        problems.append(f"{unattributed} x 303 whose Location named no token")
    in_flight = post["sent"] - post["received"]
    return {
        "responses_303": ok_303,
        "revision_increments": increments,
        "responses_updated": updated,
        "respondents_with_303": sum(1 for k, v in saved.items() if k != "-" and v > 0),
        "in_flight_when_wrk_stopped": in_flight,
        "committed_but_unseen": increments - ok_303,  # requests cut off by wrk's stop, saved anyway
        "ok": not problems and ok_303 <= increments <= ok_303 + in_flight,
        "problems": problems[:20],
    }


# --------------------------------------------------------------------------- report

def machine() -> dict:
    model = ""
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        model = next((line.split(":", 1)[1].strip() for line in lscpu.splitlines()
                      if line.startswith("Model name")), "")
    except OSError:
        pass
    return {"cpu_model": model, "cores": os.cpu_count(), "python": platform.python_version(),
            "kernel": platform.release()}


def report(results: dict) -> None:
    base, survey = results["baseline"], results["survey"]
    rows = [("bare GET /", base["get"], None), ("bare POST /", base["post"], None),
            (f"survey GET /s/<t>/p/{PAGE}", survey["get"], ("get", base["get"]["rps"], TARGETS["get_ratio"])),
            (f"survey POST /s/<t>/p/{PAGE}", survey["post"], ("post", base["post"]["rps"], TARGETS["post_ratio"]))]
    print()
    print(f"{'request':<30} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'ratio':>7} {'target':>7}  ok")
    print("-" * 88)
    for name, r, ratio in rows:
        ratio_text, target_text, ok = "1.00", "", r["p99_ms"] < TARGETS["p99_ms"] and r["error_count"] == 0
        if ratio is not None:
            value = r["rps"] / ratio[1]
            r["ratio"] = value
            ratio_text, target_text = f"{value:.2f}", f">={ratio[2]:.2f}"
            ok = ok and value >= ratio[2]
            r["targets_met"] = ok
        print(f"{name:<30} {r['rps']:8.1f} {r['p50_ms']:8.1f} {r['p99_ms']:8.1f} {r['error_count']:7d} "
              f"{ratio_text:>7} {target_text:>7}  {'yes' if ok else 'NO'}")
    check = survey["post"]["db_check"]
    print()
    print(f"DB check: {check['responses_303']} x 303, {check['revision_increments']} revision increments, "
          f"{check['responses_updated']} responses updated ({check['respondents_with_303']} got a 303); "
          f"{check['committed_but_unseen']} saved by requests cut off when wrk stopped "
          f"(<= {check['in_flight_when_wrk_stopped']} in flight) -> {'OK' if check['ok'] else 'FAILED'}")
    for problem in check["problems"]:
        print("  ", problem)
    for name in ("baseline", "survey"):
        if results[name]["server_problems"]:
            print(f"{name} server log problems:", *results[name]["server_problems"][:10], sep="\n  ")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db-url", default=os.environ.get("JEJAK_BENCH_DB_URL", DEFAULT_DB))
    parser.add_argument("--respondents", type=int, default=2000)
    parser.add_argument("--duration", type=float, default=20, help="seconds per measured run")
    parser.add_argument("--warmup", type=float, default=5, help="seconds of warm-up before each run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--gunicorn", default=DEFAULT_GUNICORN, help="gunicorn options used for both apps")
    parser.add_argument("--no-ratelimit", dest="ratelimit", action="store_false",
                        help="set JEJAK_RATELIMIT_ENABLED=0 for the survey app (default: limiter on)")
    parser.add_argument("--keep-data", action="store_true", help="leave the tables in the bench database")
    args = parser.parse_args()
    gunicorn_args = shlex.split(args.gunicorn)
    if args.respondents // args.wrk_threads <= args.connections // args.wrk_threads:
        parser.error("need more respondents per wrk thread than connections per wrk thread")

    started = datetime.now(timezone.utc)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    ensure_database(args.db_url)
    app = make_app(args.db_url)
    with tempfile.TemporaryDirectory(prefix="jejak-bench-http-") as tmp_name:
        tmp = Path(tmp_name)
        try:
            t0 = time.monotonic()
            tokens = seed(app, args.respondents, tmp)
            print(f"seeded {len(tokens)} consented respondents in {time.monotonic() - t0:.1f}s "
                  f"({urlsplit(args.db_url).path.lstrip('/')})", flush=True)
            print(f"gunicorn {args.gunicorn} | wrk -t{args.wrk_threads} -c{args.connections} "
                  f"-d{args.duration:g}s (+{args.warmup:g}s warm-up) | all on one machine", flush=True)
            results = {"baseline": bench_baseline(args, tmp, gunicorn_args)}
            results["survey"] = bench_survey(args, tmp, gunicorn_args, app, tokens)
        finally:
            if not args.keep_data:
                drop_tables(app)
    finished = datetime.now(timezone.utc)
    report(results)
    for part in ("baseline", "survey"):
        for kind in ("get", "post"):
            results[part][kind].pop("saved", None)
            results[part][kind].pop("issued", None)
    document = {
        "benchmark": "survey_http", "started": started.isoformat(), "finished": finished.isoformat(),
        "machine": machine(), "gunicorn": args.gunicorn, "page": PAGE, "respondents": args.respondents,
        "wrk": {"threads": args.wrk_threads, "connections": args.connections, "duration_s": args.duration,
                "warmup_s": args.warmup, "timeout_s": 5},
        "ratelimit_enabled": args.ratelimit, "targets": TARGETS, "results": results,
    }
    out = OUT_DIR / f"survey_http-{started:%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(document, indent=2))
    print(f"\nwrote {out.relative_to(REPO)}")
    met = all(results["survey"][k].get("targets_met") for k in ("get", "post")) and \
        all(results["baseline"][k]["error_count"] == 0 for k in ("get", "post")) and \
        results["survey"]["post"]["db_check"]["ok"]
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
