#!/usr/bin/env python3
"""HTTP benchmark: survey page GET and answer POST under gunicorn + PostgreSQL, against a bare
Flask + Flask-WTF app under the same gunicorn settings, in the same run.

    .venv/bin/python bench/bench_survey_http.py                    # about 3 minutes
    .venv/bin/python bench/bench_survey_http.py --rounds 1 --duration 5 --warmup 2   # quick look

What it does:

1. Creates the database if missing (default postgresql://jejak:jejak@localhost/jejak_bench_http),
   drops and creates all tables, and loads the demo (``seed_demo``: default questionnaire,
   ``--respondents`` alumni, open wave 'demo', one invitation each). Every invitation gets a
   response that has consented (``{"consent": "yes"}``, revision 1), as after the first page.
2. Starts both apps under identical gunicorn options on free 127.0.0.1 ports, prepares
   per-visitor state over HTTP (GET each form once: session cookie + CSRF token + revision),
   warms both up, then runs ``--rounds`` rounds of wrk (32 connections, ``--duration`` s each):
   bare GET, survey GET, bare POST, survey POST. Alternating keeps background load on the
   machine from favouring one app; the table shows medians over the rounds.
   GET = ``/s/<token>/p/about`` (survey) or ``/`` (baseline).
   POST = a valid 'about' page (birth year, sex, province, education) with CSRF token and the
   response's current revision, answered 303 (survey); a valid two-field form (baseline).
3. After each survey POST run, checks the database: every 303 must be a saved revision with the
   answers that were sent (per respondent: 303s <= revision increase <= requests sent).
4. Reads from /proc, around every run, the CPU time of the app's gunicorn processes, of
   PostgreSQL, of wrk and of the whole machine, and reports it per request: where the time
   goes, and how much of the machine something else took meanwhile.
5. Prints a table, writes JSON to bench/out/, stops its servers and drops its tables.

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
import resource
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
OUT_DIR = BENCH / "out"
LUA = BENCH / "wrk" / "pool.lua"
sys.path.insert(0, str(REPO))

DEFAULT_DB = "postgresql://jejak:jejak@localhost/jejak_bench_http"
SECRET_KEY = "bench-http-secret-key-not-for-production"
# Identical for both apps: the README's production command (`gunicorn -w 4`: four sync worker
# processes; a sync worker closes the connection after each response, so nginx opens one per
# request whatever its upstream keep-alive). `--gunicorn "--workers 2
# --worker-class gthread --threads 2"` gives the threaded keep-alive set-up measured before
# 2026-11-30 (BENCHMARKS.md has both).
DEFAULT_GUNICORN = "--workers 4"
PAGE = "about"
# Calculates of the default questionnaire that a save of the 'about' page stores as well.
DERIVED = frozenset({"tracer_status", "workers_total"})

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
    from survey_app.models import Enrollment, Invitation, Response, Training
    from survey_app.models.types import utcnow
    from survey_app.waves.service import find_wave

    with app.app_context():
        db.drop_all()
        db.create_all()
        result = seed_demo(alumni=respondents, responses=0, seeds_dir=Path(app.config["SEEDS_DIR"]),
                           work_dir=work_dir, base_url="http://bench.invalid", sample_links=0)
        assert result.links_file is not None, "seed_demo wrote no links file"
        with open(result.links_file, newline="", encoding="utf-8") as fh:
            tokens = [row["url"].rsplit("/", 1)[1] for row in csv.DictReader(fh)]
        now = utcnow()
        # Only the demo wave: `seed_demo` also seeds a follow-up wave (issue 11) with answers of its own.
        demo_wave = find_wave("demo")
        ids = db.session.execute(db.select(Invitation.id).where(Invitation.wave_id == demo_wave.id)).scalars().all()
        # Like open_response(): a started response carries its roster snapshot, so page views
        # need no roster query (engine v2; before it, the bench's rows had none).
        rosters: dict[int, list] = {i: [] for i in ids}
        for invitation_id, code, title, category in db.session.execute(
                db.select(Invitation.id, Training.code, Training.title, Training.category)
                .join(Enrollment, Enrollment.alumnus_id == Invitation.alumnus_id)
                .join(Training, Training.id == Enrollment.training_id)
                .where(Invitation.wave_id == demo_wave.id)
                .order_by(Invitation.id, Enrollment.completed_at, Training.title)):
            rosters[invitation_id].append([code, title, category])
        db.session.execute(insert(Response), [
            {"invitation_id": i, "answers": {"consent": "yes"}, "language": "id", "roster": rosters[i],
             "current_page": "consent_page", "started_at": now, "updated_at": now, "revision": 1}
            for i in ids])
        db.session.execute(update(Invitation).where(Invitation.wave_id == demo_wave.id)
                           .values(status="partial", opened_at=now))
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

    def wait_ready(self, timeout: float = 120.0) -> None:  # imports take long on a loaded machine
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


# --------------------------------------------------------------------------- CPU accounting
# Where a request's CPU goes, per process group, read from /proc around each wrk run: the app
# (the gunicorn master and its workers), PostgreSQL (every postgres process), wrk itself, and
# the rest of the machine (anything else that ran meanwhile). On a CPU-bound shared machine the
# req/s ratio follows these costs, so they show what is left to gain and where.
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat_fields(pid: str) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            text = fh.read()
    except OSError:
        return None  # the process ended meanwhile
    head, _sep, tail = text.rpartition(")")
    return [head.split("(", 1)[-1], *tail.split()]  # [comm, state, ppid, pgrp, session, …]


def process_cpu(session: int) -> dict[str, float]:
    """CPU seconds so far of the app (processes of gunicorn's session) and of PostgreSQL."""
    app = postgres = 0.0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        fields = _stat_fields(pid)
        if fields is None:
            continue
        seconds = (int(fields[12]) + int(fields[13])) / _TICK  # utime + stime
        if int(fields[4]) == session:
            app += seconds
        elif fields[0].startswith("postgres"):
            postgres += seconds
    return {"app": app, "postgresql": postgres}


def machine_cpu() -> float:
    """Busy CPU seconds of the whole machine so far (all cores, idle and iowait excluded)."""
    with open("/proc/stat", encoding="ascii") as fh:
        values = [int(v) for v in fh.readline().split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / _TICK


def cpu_per_request(before: dict[str, float], after: dict[str, float], requests: int) -> dict[str, float]:
    """CPU ms per request by part; 'rest' is what else the machine ran in the same seconds."""
    parts = {key: 1000 * (after[key] - before[key]) / max(requests, 1) for key in before}
    busy = parts.pop("machine")
    parts["rest"] = max(0.0, busy - sum(parts.values()))  # other processes, and kernel work no process owns
    parts["total"] = busy
    return parts


def cpu_sample(session: int) -> dict[str, float]:
    sample = process_cpu(session)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk: the only child that has ended
    sample["wrk"] = children.ru_utime + children.ru_stime
    sample["machine"] = machine_cpu()
    return sample


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
    errors = result["errors"]
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["p50_ms"] = result["latency_us"]["p50"] / 1000
    result["p99_ms"] = result["latency_us"]["p99"] / 1000
    result["error_count"] = sum(errors.values())  # non-2xx/3xx + socket errors + timeouts
    return result


# --------------------------------------------------------------------------- the two apps

class Target:
    """One app under test: its gunicorn, its GET pool and a way to write its POST pool."""

    def __init__(self, name: str, server: Server, get_label: str, post_label: str):
        self.name, self.server, self.get_label, self.post_label = name, server, get_label, post_label
        self.get_pool: Path | None = None
        self.post_pool: Path | None = None

    def run(self, kind: str, tmp: Path, args, duration: float) -> dict:
        pool = self.get_pool if kind == "get" else self.post_pool
        assert pool is not None, f"{self.name}: its {kind} pool is not written yet"
        before = cpu_sample(self.server.proc.pid)  # the gunicorn master leads its own session
        result = run_wrk(self.server.port, kind, pool, tmp / f"{self.name}-{kind}.json", duration=duration,
                         connections=args.connections, threads=args.wrk_threads)
        result["cpu_ms"] = cpu_per_request(before, cpu_sample(self.server.proc.pid), result["requests"])
        return result


def prepare_baseline(target: Target, tmp: Path) -> None:
    port = target.server.port
    states = [form_state(port, "/") for _ in range(64)]  # 64 visitors, one session each
    target.get_pool, target.post_pool = get_pool, post_pool = tmp / "baseline-get.pool", tmp / "baseline-post.pool"
    write_pool(get_pool, [(f"v{i}", "/", cookie, None, None) for i, (cookie, _c, _r) in enumerate(states)])
    write_pool(post_pool, [
        (f"v{i}", "/", cookie, f"csrf_token={quote(csrf, safe='')}&name=Ani&birth_year={1950 + i % 55}", None)
        for i, (cookie, csrf, _r) in enumerate(states)])


class SurveyPool:
    """Per-respondent state for the survey app, and the POST pool at the current revisions."""

    def __init__(self, target: Target, app, tokens: list[str], tmp: Path):
        self.target, self.app, self.tokens = target, app, tokens
        self.index = {t: i for i, t in enumerate(tokens)}
        port = target.server.port
        t0 = time.monotonic()
        with ThreadPoolExecutor(4) as pool:
            self.states = list(pool.map(lambda t: form_state(port, f"/s/{t}/p/{PAGE}"), tokens))
        print(f"prepared {len(tokens)} survey respondents over HTTP (cookie, CSRF token, revision) "
              f"in {time.monotonic() - t0:.1f}s", flush=True)
        target.get_pool, target.post_pool = get_pool, _post = tmp / "survey-get.pool", tmp / "survey-post.pool"
        write_pool(get_pool, [(t, f"/s/{t}/p/{PAGE}", cookie, None, None)
                                     for t, (cookie, _c, _r) in zip(tokens, self.states)])

    def settled(self) -> dict:
        """A snapshot once the requests cut off when wrk stopped have finished on the server.

        On a loaded machine gunicorn's backlog can take several seconds to drain: a POST still
        queued would save after a fixed pause and make the next round's first POST for that
        respondent carry a stale revision (a correct 409, but a bench artefact). So wait until
        two snapshots a second apart agree (at most 30 s).
        """
        time.sleep(1.0)
        current = snapshot(self.app, self.tokens)
        for _ in range(30):
            time.sleep(1.0)
            again = snapshot(self.app, self.tokens)
            if again == current:
                break
            current = again
        return current

    def refresh(self) -> dict:
        """Write the POST pool at the revisions now in the database; returns that snapshot."""
        before = self.settled()
        rows = []
        for t, (cookie, csrf, _rev) in zip(self.tokens, self.states):
            answers = expected_answers(self.index[t])
            body = f"csrf_token={quote(csrf, safe='')}&" + "&".join(f"{k}={v}" for k, v in answers.items())
            rows.append((t, f"/s/{t}/p/{PAGE}", cookie, body, before[t][0]))
        assert self.target.post_pool is not None
        write_pool(self.target.post_pool, rows)
        return before

    def check(self, before: dict, post: dict) -> dict:
        return db_check(before, self.settled(), post, self.index)


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
        if not n_saved <= delta <= n_issued:
            problems.append(f"{token}: {n_saved} x 303 but revision +{delta} ({n_issued} sent)")
        if delta > 0:
            updated += 1
            want = {"consent": "yes", **expected_answers(index[token])}
            # The engine stores the questionnaire's calculates beside what was typed
            # (tracer_status, issue 11): only those may be added.
            sent = {name: value for name, value in answers.items() if name not in DERIVED}
            if sent != want or set(answers) - set(want) - DERIVED or page != PAGE:
                problems.append(f"{token}: stored {answers!r} on page {page!r}, expected {want!r}")
    if saved.get("-"):
        problems.append(f"{saved['-']} x 303 whose Location named no respondent")
    in_flight = post["sent"] - post["received"]
    return {
        "responses_303": ok_303,
        "revision_increments": increments,
        "responses_updated": updated,
        "respondents_with_303": sum(1 for k, v in saved.items() if k != "-" and v > 0),
        "in_flight_when_wrk_stopped": in_flight,
        "committed_but_unseen": increments - ok_303,  # cut off by wrk's stop, saved anyway
        "ok": not problems and ok_303 <= increments <= ok_303 + in_flight,
        "problems": problems[:20],
    }


def median(values):
    values = sorted(values)
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def summarise(runs: list[dict]) -> dict:
    statuses: dict[str, int] = {}
    for run in runs:
        for code, count in run["statuses"].items():
            statuses[code] = statuses.get(code, 0) + count
    return {"rps": median([r["rps"] for r in runs]), "p50_ms": median([r["p50_ms"] for r in runs]),
            "p99_ms": median([r["p99_ms"] for r in runs]), "p99_ms_worst": max(r["p99_ms"] for r in runs),
            "errors": sum(r["error_count"] for r in runs), "requests": sum(r["requests"] for r in runs),
            "statuses": statuses,
            "cpu_ms": {part: median([r["cpu_ms"][part] for r in runs]) for part in runs[0]["cpu_ms"]}}


def bench(args, tmp: Path, app, tokens: list[str]) -> dict:
    gunicorn_args = shlex.split(args.gunicorn)
    survey_env = {"JEJAK_DATABASE_URL": args.db_url, "JEJAK_SECRET_KEY": SECRET_KEY, "JEJAK_CONFIG": "production"}
    if not args.ratelimit:
        survey_env["JEJAK_RATELIMIT_ENABLED"] = "0"
    # Both servers run throughout; the idle one costs nothing. Runs alternate between the two
    # apps so that background load on the machine affects both alike.
    base = Target("baseline", Server("baseline", "http_baseline_app:app", gunicorn_args,
                                     {"JEJAK_SECRET_KEY": SECRET_KEY}, tmp / "gunicorn-baseline.log", "/",
                                     pythonpath=BENCH), "GET /", "POST /")
    survey = Target("survey", Server("survey", "wsgi:app", gunicorn_args, survey_env, tmp / "gunicorn-survey.log",
                                     "/healthz"), f"GET /s/<t>/p/{PAGE}", f"POST /s/<t>/p/{PAGE}")
    runs: dict = {(t, k): [] for t in ("baseline", "survey") for k in ("get", "post")}
    checks = []
    try:
        base.server.wait_ready()
        survey.server.wait_ready()
        prepare_baseline(base, tmp)
        pool = SurveyPool(survey, app, tokens, tmp)
        if args.warmup > 0:
            for target in (base, survey):
                for kind in ("get", "post"):
                    if target is survey and kind == "post":
                        pool.refresh()
                    target.run(kind, tmp, args, args.warmup)
            print(f"warmed up ({args.warmup:g}s per app and request)", flush=True)
        for round_no in range(1, args.rounds + 1):
            for kind in ("get", "post"):
                for target in (base, survey):
                    before = pool.refresh() if (target is survey and kind == "post") else None
                    result = target.run(kind, tmp, args, args.duration)
                    if before is not None:
                        result["db_check"] = pool.check(before, result)
                        checks.append(result["db_check"])
                    runs[(target.name, kind)].append(result)
                    label = target.get_label if kind == "get" else target.post_label
                    print(f"  round {round_no}  {target.name:<8} {label:<22} {result['rps']:8.1f} req/s  "
                          f"p50 {result['p50_ms']:6.1f} ms  p99 {result['p99_ms']:6.1f} ms  "
                          f"errors {result['error_count']}  {result['statuses']}", flush=True)
    finally:
        for target in (base, survey):
            target.server.stop()
    results = {f"{t}_{k}": summarise(v) for (t, k), v in runs.items()}
    for kind in ("get", "post"):
        ratios = [s["rps"] / b["rps"] for s, b in zip(runs[("survey", kind)], runs[("baseline", kind)])]
        results[f"survey_{kind}"]["ratio"] = median(ratios)
        results[f"survey_{kind}"]["ratio_per_round"] = ratios
    results["db_check"] = {
        "ok": all(c["ok"] for c in checks),
        **{key: sum(c[key] for c in checks) for key in (
            "responses_303", "revision_increments", "responses_updated", "in_flight_when_wrk_stopped",
            "committed_but_unseen")},
        "problems": [p for c in checks for p in c["problems"]][:20],
    }
    for run_list in runs.values():
        for r in run_list:
            r.pop("saved", None)
            r.pop("issued", None)
    results["runs"] = {f"{t}_{k}": v for (t, k), v in runs.items()}
    results["server_problems"] = {t.name: t.server.problems() for t in (base, survey)}
    results["gunicorn_cmd"] = {t.name: " ".join(t.server.cmd) for t in (base, survey)}
    return results


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


def verdicts(results: dict) -> dict:
    out = {}
    for key, ratio_target in (("survey_get", TARGETS["get_ratio"]), ("survey_post", TARGETS["post_ratio"])):
        r = results[key]
        out[key] = {"ratio": r["ratio"] >= ratio_target, "p99": r["p99_ms"] < TARGETS["p99_ms"],
                    "errors": r["errors"] == 0}
    out["db_check"] = results["db_check"]["ok"]
    out["baseline_errors"] = results["baseline_get"]["errors"] == 0 and results["baseline_post"]["errors"] == 0
    return out


def report(results: dict, rounds: int) -> None:
    rows = [("bare GET /", "baseline_get", None), ("bare POST /", "baseline_post", None),
            (f"survey GET /s/<t>/p/{PAGE}", "survey_get", TARGETS["get_ratio"]),
            (f"survey POST /s/<t>/p/{PAGE}", "survey_post", TARGETS["post_ratio"])]
    print()
    print(f"median of {rounds} round(s); ratio = median of per-round survey/bare req/s")
    print(f"{'request':<28} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'worst p99':>9} {'errors':>6} "
          f"{'ratio':>6} {'target':>7}  targets met")
    print("-" * 100)
    for name, key, ratio_target in rows:
        r = results[key]
        if ratio_target is None:
            ratio, target, met = "1.00", "", ""
        else:
            ok = r["ratio"] >= ratio_target and r["p99_ms"] < TARGETS["p99_ms"] and r["errors"] == 0
            ratio, target, met = f"{r['ratio']:.2f}", f">={ratio_target:.2f}", "yes" if ok else "NO"
        print(f"{name:<28} {r['rps']:8.1f} {r['p50_ms']:7.1f} {r['p99_ms']:7.1f} {r['p99_ms_worst']:9.1f} "
              f"{r['errors']:6d} {ratio:>6} {target:>7}  {met}")
    print(f"targets: GET >= {TARGETS['get_ratio']}x, POST >= {TARGETS['post_ratio']}x the bare app's req/s; "
          f"p99 < {TARGETS['p99_ms']:g} ms; zero errors")
    print()
    print("CPU ms per request (median of rounds), by where it was spent:")
    print(f"{'request':<28} {'app':>6} {'PostgreSQL':>10} {'wrk':>6} {'rest':>6} {'total':>6}")
    for name, key, _target in rows:
        cpu = results[key]["cpu_ms"]
        print(f"{name:<28} {cpu['app']:6.2f} {cpu['postgresql']:10.2f} {cpu['wrk']:6.2f} {cpu['rest']:6.2f} "
              f"{cpu['total']:6.2f}")
    check = results["db_check"]
    print()
    print(f"DB check (all survey POST rounds): {check['responses_303']} x 303 -> {check['revision_increments']} "
          f"revision increments with the answers sent ({check['responses_updated']} response updates); "
          f"{check['committed_but_unseen']} more saved by requests cut off when wrk stopped "
          f"(<= {check['in_flight_when_wrk_stopped']} in flight): {'OK' if check['ok'] else 'FAILED'}")
    for problem in check["problems"]:
        print("  ", problem)
    for name, problems in results["server_problems"].items():
        if problems:
            print(f"{name} server log problems:", *problems[:10], sep="\n  ")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db-url", default=os.environ.get("JEJAK_BENCH_DB_URL", DEFAULT_DB))
    parser.add_argument("--respondents", type=int, default=2000)
    parser.add_argument("--duration", type=float, default=10, help="seconds per measured run")
    parser.add_argument("--rounds", type=int, default=3, help="measured rounds (GET and POST, both apps)")
    parser.add_argument("--warmup", type=float, default=5, help="seconds of warm-up per app and request")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--gunicorn", default=DEFAULT_GUNICORN, help="gunicorn options used for both apps")
    parser.add_argument("--no-ratelimit", dest="ratelimit", action="store_false",
                        help="set JEJAK_RATELIMIT_ENABLED=0 for the survey app (default: limiter on)")
    parser.add_argument("--keep-data", action="store_true", help="leave the tables in the bench database")
    args = parser.parse_args()
    if args.respondents // args.wrk_threads <= args.connections // args.wrk_threads:
        parser.error("need more respondents per wrk thread than connections per wrk thread")

    started = datetime.now(UTC)
    load_before = os.getloadavg()
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
            print(f"gunicorn {args.gunicorn} (both apps) | wrk -t{args.wrk_threads} -c{args.connections} "
                  f"{args.rounds} x {args.duration:g}s per app and request (+{args.warmup:g}s warm-up) | "
                  f"load generator, servers and PostgreSQL on the same {os.cpu_count()} cores | "
                  f"load average before: {load_before[0]:.2f}", flush=True)
            results = bench(args, tmp, app, tokens)
        finally:
            if not args.keep_data:
                drop_tables(app)
    finished = datetime.now(UTC)
    report(results, args.rounds)
    document = {
        "benchmark": "survey_http", "started": started.isoformat(), "finished": finished.isoformat(),
        "machine": machine(), "load_average_before": load_before, "load_average_after": os.getloadavg(),
        "gunicorn": args.gunicorn, "page": PAGE, "respondents": args.respondents,
        "wrk": {"threads": args.wrk_threads, "connections": args.connections, "duration_s": args.duration,
                "rounds": args.rounds, "warmup_s": args.warmup, "timeout_s": 5},
        "ratelimit_enabled": args.ratelimit, "targets": TARGETS, "verdicts": verdicts(results),
        "results": results,
    }
    out = OUT_DIR / f"survey_http-{started:%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(document, indent=2))
    print(f"\nwrote {out.relative_to(REPO)}  (load average after: {os.getloadavg()[0]:.2f})")
    v = document["verdicts"]
    met = all(all(v[k].values()) for k in ("survey_get", "survey_post")) and v["db_check"] and v["baseline_errors"]
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
