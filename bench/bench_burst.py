#!/usr/bin/env python3
"""Burst benchmark: 2,000 simulated respondents (Locust, headless) each complete the whole
default questionnaire from their own link against gunicorn + PostgreSQL; baseline in the same
run: the same Locust load against the bare Flask form app under the same gunicorn settings.

    .venv/bin/python bench/bench_burst.py                       # 2,000 users, ~10-15 min on 2 cores
    .venv/bin/python bench/bench_burst.py --users 100 --spawn-rate 20   # a quick look

What it does:

1. Creates the database if missing (default ``JEJAK_BENCH_DB_URL`` or
   postgresql://jejak:jejak@localhost/jejak_bench_burst), drops and creates all tables, loads the
   demo roster with ``seed_demo`` (default questionnaire, open wave 'demo', one invitation per
   alumnus, no answers): ``--users`` links.
2. Starts the survey app and the bare app (bench/http_baseline_app.py) under identical gunicorn
   options on free 127.0.0.1 ports (helpers shared with bench_survey_http.py).
3. Runs Locust headless with bench/bench_burst_locustfile.py: ``--users`` respondents, spawned
   at ``--spawn-rate`` per second, each taking one link, answering every page the server shows
   with valid answers (read from the HTML form, checked against the questionnaire's constraints)
   and submitting; ``--think`` seconds between pages. Then the same number of bare-app users, each
   doing as many form posts (303 → GET) as the median respondent did, with the same think time.
4. Checks the database: every link has exactly one response, submitted once, whose stored
   answers are exactly the answers sent (per question; each_of items per item).
5. Prints p50/p95 page times (a POST and the page it redirects to: what the person waits for
   after pressing the button) and their ratio to the bare app's, writes JSON to bench/out/.

Locust, both gunicorns and PostgreSQL share the same machine (two cores on the reference
machine); the ratio is the point, absolute times include that contention.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
OUT_DIR = BENCH / "out"
LOCUSTFILE = BENCH / "bench_burst_locustfile.py"
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCH))

from bench_survey_http import (  # noqa: E402 - importable only after the sys.path lines above
    DEFAULT_GUNICORN,
    SECRET_KEY,
    Server,
    ensure_database,
    machine,
    make_app,
)

DEFAULT_DB = "postgresql://jejak:jejak@localhost/jejak_bench_burst"


# --------------------------------------------------------------------------- data

def seed(app, users: int, work_dir: Path) -> list[str]:
    """Fresh tables and the demo roster with one invitation (link) per alumnus; returns tokens."""
    from survey_app.demo.seed import seed_demo
    from survey_app.extensions import db

    with app.app_context():
        db.drop_all()
        db.create_all()
        result = seed_demo(alumni=users, responses=0, seeds_dir=Path(app.config["SEEDS_DIR"]),
                           work_dir=work_dir, base_url="http://bench.invalid", sample_links=0)
        assert result.links_file is not None, "seed_demo wrote no links file"
        with open(result.links_file, newline="", encoding="utf-8") as fh:
            return [row["url"].rsplit("/", 1)[1] for row in csv.DictReader(fh)]


def _as_sent(value) -> list[str]:
    """A stored answer as the form field values that produce it."""
    if isinstance(value, list):
        return sorted(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return [str(int(value))]
    return [str(value)]


def check_database(app, tokens: list[str], results: dict[str, dict]) -> dict:
    """Every link: exactly one response, submitted, storing exactly the answers sent."""
    from sqlalchemy import func, select

    from survey_app.extensions import db
    from survey_app.models import Invitation, Response
    from survey_app.questionnaire.service import compiled_questionnaire
    from survey_app.tokens import hash_token

    problems: list[str] = []
    by_hash = {hash_token(t): t for t in tokens}
    with app.app_context():
        counts = dict(db.session.execute(
            select(Response.invitation_id, func.count()).group_by(Response.invitation_id)).tuples().all())
        rows = db.session.execute(
            select(Invitation.id, Invitation.token_hash, Invitation.status, Invitation.wave_id,
                   Response.answers, Response.submitted_at)
            .outerjoin(Response, Response.invitation_id == Invitation.id)).all()
        questionnaire = None
        submitted = exact = 0
        for inv_id, token_hash, status, wave_id, answers, submitted_at in rows:
            token = by_hash.get(token_hash)
            if token is None:
                continue
            if questionnaire is None:
                from survey_app.models import Wave
                wave = db.session.get(Wave, wave_id)
                assert wave is not None, f"wave {wave_id} is gone"
                questionnaire = compiled_questionnaire(wave.questionnaire_id)
            if counts.get(inv_id, 0) != 1:
                problems.append(f"{token[:6]}…: {counts.get(inv_id, 0)} responses")
                continue
            if submitted_at is None or status != "submitted":
                problems.append(f"{token[:6]}…: not submitted (status {status})")
                continue
            submitted += 1
            sent = (results.get(token) or {}).get("sent") or {}
            mismatch = _compare(answers or {}, sent, questionnaire)
            if mismatch:
                problems.append(f"{token[:6]}…: {mismatch}")
            else:
                exact += 1
        db.session.remove()
    return {"links": len(tokens), "submitted_once": submitted, "answers_exact": exact,
            "ok": not problems and exact == len(tokens), "problems": problems[:20], "problem_count": len(problems)}


def _compare(stored: dict, sent: dict[str, list[str]], questionnaire) -> str:
    """'' when the stored answers are exactly what was sent, else what differs."""
    expected_fields = dict(sent)
    for name, value in stored.items():
        question = questionnaire.questions.get(name)
        if question is not None and getattr(question, "type", "") == "calculate":
            continue  # derived on the server, never sent
        if question is None and isinstance(value, list):  # a repeat page: one mapping per instance
            for number, instance in enumerate(value, 1):
                for key, item_value in (instance or {}).items():
                    inner = questionnaire.questions.get(key)
                    if inner is not None and getattr(inner, "type", "") == "calculate":
                        continue
                    field = f"{name}#{number}:{key}"
                    if sorted(expected_fields.pop(field, ["<not sent>"])) != _as_sent(item_value):
                        return f"{field} stored {item_value!r}, sent {sent.get(field)!r}"
            continue
        if isinstance(value, dict):  # each_of: one field per item
            for item, item_value in value.items():
                field = f"{name}__{item}"
                if sorted(expected_fields.pop(field, ["<not sent>"])) != _as_sent(item_value):
                    return f"{field} stored {item_value!r}, sent {sent.get(field)!r}"
        elif sorted(expected_fields.pop(name, ["<not sent>"])) != _as_sent(value):
            return f"{name} stored {value!r}, sent {sent.get(name)!r}"
    if expected_fields:
        return f"sent but not stored: {sorted(expected_fields)}"
    return ""


# --------------------------------------------------------------------------- locust

def run_locust(user_class: str, host: str, users: int, spawn_rate: float, tmp: Path, env: dict,
               max_minutes: int) -> dict:
    """One headless Locust run; returns its per-request-name stats (from --csv) and wall time."""
    prefix = tmp / user_class
    cmd = [str(Path(sys.executable).parent / "locust"), "-f", str(LOCUSTFILE), "--headless",
           "-u", str(users), "-r", str(spawn_rate), "--host", host, "-t", f"{max_minutes}m",
           "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "30",
           user_class]
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=REPO, env={**os.environ, **env, "BURST_USERS": str(users)},
                          capture_output=True, text=True, check=False)  # exit 1 = some failures: reported
    wall = time.monotonic() - started
    stats_file = Path(f"{prefix}_stats.csv")
    if not stats_file.exists():
        raise RuntimeError(f"locust {user_class} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    with open(stats_file, newline="") as fh:
        stats = {row["Name"]: row for row in csv.DictReader(fh)}
    failures_file = Path(f"{prefix}_failures.csv")
    failures = []
    if failures_file.exists():
        with open(failures_file, newline="") as fh:
            failures = list(csv.DictReader(fh))
    exceptions_file = Path(f"{prefix}_exceptions.csv")
    exceptions = []
    if exceptions_file.exists():  # errors raised inside the users' code (Locust then retries the task)
        with open(exceptions_file, newline="") as fh:
            exceptions = list(csv.DictReader(fh))
    return {"wall_s": wall, "exit_code": proc.returncode, "stats": stats, "failures": failures,
            "exceptions": exceptions, "stderr_tail": proc.stderr[-1500:]}


def figures(row: dict) -> dict:
    return {"requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
            "p50_ms": float(row["50%"]), "p95_ms": float(row["95%"]), "p99_ms": float(row["99%"]),
            "mean_ms": float(row["Average Response Time"]), "rps": float(row["Requests/s"])}


# --------------------------------------------------------------------------- main

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db-url", default=os.environ.get("JEJAK_BENCH_DB_URL", DEFAULT_DB))
    parser.add_argument("--users", type=int, default=2000, help="simulated respondents (one link each)")
    parser.add_argument("--spawn-rate", type=float, default=10, help="new users per second")
    parser.add_argument("--think", default="1-3", help="seconds between pages, MIN-MAX (both runs)")
    parser.add_argument("--gunicorn", default=DEFAULT_GUNICORN, help="gunicorn options used for both apps")
    parser.add_argument("--max-minutes", type=int, default=40, help="stop a Locust run after this long")
    parser.add_argument("--keep-data", action="store_true", help="leave the tables in the bench database")
    args = parser.parse_args()

    started = datetime.now(UTC)
    load_before = os.getloadavg()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    ensure_database(args.db_url)
    app = make_app(args.db_url)
    gunicorn_args = shlex.split(args.gunicorn)
    with tempfile.TemporaryDirectory(prefix="jejak-bench-burst-") as tmp_name:
        tmp = Path(tmp_name)
        t0 = time.monotonic()
        tokens = seed(app, args.users, tmp)
        print(f"seeded {len(tokens)} links in {time.monotonic() - t0:.1f}s "
              f"({urlsplit(args.db_url).path.lstrip('/')})", flush=True)
        (tmp / "tokens.txt").write_text("\n".join(tokens) + "\n", encoding="ascii")
        # Plain HTTP to gunicorn, as behind nginx (which terminates TLS): a Secure session cookie
        # would never come back, and every CSRF-protected POST would be refused.
        survey_env = {"JEJAK_DATABASE_URL": args.db_url, "JEJAK_SECRET_KEY": SECRET_KEY, "JEJAK_CONFIG": "production",
                      "JEJAK_SESSION_COOKIE_SECURE": "0"}
        survey = Server("survey", "wsgi:app", gunicorn_args, survey_env, tmp / "gunicorn-survey.log", "/healthz")
        bare = Server("baseline", "http_baseline_app:app", gunicorn_args, {"JEJAK_SECRET_KEY": SECRET_KEY},
                      tmp / "gunicorn-baseline.log", "/", pythonpath=BENCH)
        results_file = tmp / "respondents.jsonl"
        try:
            survey.wait_ready()
            bare.wait_ready()
            print(f"gunicorn {args.gunicorn} (both apps) | locust -u {args.users} -r {args.spawn_rate:g}, "
                  f"think {args.think} s | all on {os.cpu_count()} cores | load average before: "
                  f"{load_before[0]:.2f}", flush=True)
            common = {"BURST_THINK": args.think}
            survey_run = run_locust("SurveyRespondent", f"http://127.0.0.1:{survey.port}", args.users,
                                    args.spawn_rate, tmp, {**common, "BURST_TOKENS": str(tmp / "tokens.txt"),
                                                           "BURST_RESULTS": str(results_file)}, args.max_minutes)
            print(f"survey run: {survey_run['wall_s']:.0f}s", flush=True)
            respondents = {}
            for line in results_file.read_text(encoding="utf-8").splitlines():
                record = json.loads(line)
                respondents[record["token"]] = record
            outcomes: dict[str, int] = {}
            for record in respondents.values():
                outcomes[record["outcome"]] = outcomes.get(record["outcome"], 0) + 1
            print(f"respondents' outcomes: {outcomes}", flush=True)
            for exception in survey_run["exceptions"][:5]:
                print(f"  exception in the respondents' code ({exception.get('Count')}x): "
                      f"{exception.get('Message')}\n{exception.get('Traceback', '')[-800:]}", flush=True)
            if "POST page (+next page)" not in survey_run["stats"]:
                raise SystemExit("no respondent got past the welcome page: see the outcomes above")
            posts = [len(r.get("pages", [])) + 2 for r in respondents.values()]  # + start + submit
            cycles = int(statistics.median(posts)) if posts else 12
            baseline_run = run_locust("BareFormUser", f"http://127.0.0.1:{bare.port}", args.users, args.spawn_rate,
                                      tmp, {**common, "BURST_BASELINE_CYCLES": str(cycles)}, args.max_minutes)
            print(f"baseline run: {baseline_run['wall_s']:.0f}s", flush=True)
        finally:
            survey.stop()
            bare.stop()
        check = check_database(app, tokens, respondents)
        server_problems = {s.name: s.problems() for s in (survey, bare)}
        if not args.keep_data:
            from survey_app.extensions import db
            with app.app_context():
                db.session.remove()
                db.drop_all()
                db.engine.dispose()

    s_pages = figures(survey_run["stats"]["POST page (+next page)"])
    s_all = figures(survey_run["stats"]["Aggregated"])
    b_pages = figures(baseline_run["stats"]["POST bare form (+GET)"])
    b_all = figures(baseline_run["stats"]["Aggregated"])
    result = {
        "started": started.isoformat(), "machine": machine(), "load_before": load_before,
        "load_after": os.getloadavg(), "args": vars(args), "pages_per_respondent_median": cycles - 2,
        "outcomes": outcomes, "survey_page": s_pages, "survey_all": s_all, "bare_page": b_pages, "bare_all": b_all,
        "ratio_page_p50": s_pages["p50_ms"] / b_pages["p50_ms"],
        "ratio_page_p95": s_pages["p95_ms"] / b_pages["p95_ms"],
        "survey_wall_s": survey_run["wall_s"], "bare_wall_s": baseline_run["wall_s"],
        "survey_by_name": {k: figures(v) for k, v in survey_run["stats"].items()},
        "survey_failures": survey_run["failures"][:20], "bare_failures": baseline_run["failures"][:20],
        "db_check": check, "server_problems": server_problems,
        "not_submitted_examples": [r for r in respondents.values() if r["outcome"] != "submitted"][:5],
        "locust_exit_codes": [survey_run["exit_code"], baseline_run["exit_code"]],
        "locust_stderr_tails": [survey_run["stderr_tail"], baseline_run["stderr_tail"]],
    }
    out = OUT_DIR / f"burst-{started:%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(result, indent=2, default=str))

    print()
    print(f"{'requests (Locust name)':<34} {'count':>7} {'fail':>5} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for name, row in {**result["survey_by_name"], "bare: POST form (+GET)": b_pages, "bare: all": b_all}.items():
        print(f"{name:<34} {row['requests']:7d} {row['failures']:5d} {row['p50_ms']:7.0f} {row['p95_ms']:7.0f} "
              f"{row['p99_ms']:7.0f}")
    print(f"page time (POST + the page it leads to): survey p50 {s_pages['p50_ms']:.0f} ms, p95 "
          f"{s_pages['p95_ms']:.0f} ms; bare p50 {b_pages['p50_ms']:.0f} ms, p95 {b_pages['p95_ms']:.0f} ms; "
          f"ratio p50 {result['ratio_page_p50']:.1f}x, p95 {result['ratio_page_p95']:.1f}x")
    print(f"respondents: {outcomes}; median pages answered {cycles - 2}; wall {survey_run['wall_s']:.0f}s "
          f"(bare {baseline_run['wall_s']:.0f}s)")
    print(f"DB check: {check['submitted_once']} of {check['links']} links submitted exactly once, "
          f"{check['answers_exact']} with exactly the answers sent: {'OK' if check['ok'] else 'FAILED'}")
    for problem in check["problems"]:
        print("  ", problem)
    for name, problems in server_problems.items():
        if problems:
            print(f"{name} server log problems:", *problems[:10], sep="\n  ")
    print(f"written {out.relative_to(REPO)}")
    errors = s_all["failures"] + b_all["failures"]
    # Locust may start a replacement for a user that stopped while it was still spawning; with
    # every link taken, that one finds "no token left" and sends nothing.
    finished = {k: v for k, v in outcomes.items() if k != "no token left"}
    return 0 if check["ok"] and errors == 0 and finished == {"submitted": args.users} else 1


if __name__ == "__main__":
    sys.exit(main())
