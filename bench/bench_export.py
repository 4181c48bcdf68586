"""Benchmark: export 240,000 submitted responses (CSV and Stata) from PostgreSQL.

    su postgres -c "createdb -O jejak jejak_export_bench"      # once
    .venv/bin/python bench/bench_export.py [--rows 240000] [--url postgresql://…]

Data: the default questionnaire, 240,000 alumni (97 trainings, 1–3 enrollments each), one
invitation and one submitted response each. Answers are realistic synthetic respondents
(survey_app.demo.responses, following skip logic) — 2,000 distinct ones, reused — loaded with
COPY. Each export runs in its own process (`flask export responses`); its wall time and peak
RSS (ru_maxrss) are compared with a baseline in the same run: PostgreSQL's own
`COPY (SELECT … the same join …) TO STDOUT` into a file, through psycopg, in a process of
its own. Memory flatness: the CSV export is also run on half the rows.

    --follow-up (waves, issue 11): instead, a follow-up wave of the loaded wave is added (80%
    of the alumni answered it again, with the same answers) and its CSV export with the earlier
    wave's answers (`--include-earlier`, prev_ columns) is compared with its plain CSV export
    in the same run; the panel status query (`survey_app.waves.panel.panel_status`) is timed too.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgresql://jejak:jejak@localhost/jejak_export_bench"
BASELINE_SQL = ("COPY (SELECT r.id, r.answers, r.language, r.started_at, r.submitted_at, i.status, a.external_id, "
                "a.province_code, a.sex, a.birth_year, a.cohort FROM responses r "
                "JOIN invitations i ON i.id = r.invitation_id JOIN alumni a ON a.id = i.alumnus_id "
                "WHERE i.wave_id = {wave} ORDER BY r.id) TO STDOUT WITH (FORMAT csv, HEADER)")


def _measured(argv: list[str], env: dict) -> tuple[float, float, str]:
    """Run ``argv`` in a child; (seconds, peak RSS in MB, output)."""
    runner = ("import resource, subprocess, sys, time, json\n"
              "t = time.perf_counter(); p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
              "s = time.perf_counter() - t\n"
              "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
              "print(json.dumps({'s': s, 'rss': rss, 'rc': p.returncode, 'out': p.stdout + p.stderr}))\n")
    done = subprocess.run([sys.executable, "-c", runner, *argv], capture_output=True, text=True, env=env, check=True)
    result = json.loads(done.stdout)
    if result["rc"] != 0:
        raise RuntimeError(result["out"])
    return result["s"], result["rss"], result["out"].strip()


def load(url: str, rows: int) -> int:
    """Fresh tables with ``rows`` submitted responses; returns the wave id."""
    from survey_app import create_app
    from survey_app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"}, config_name="testing")
    with app.app_context():
        db.drop_all()
        db.create_all()
        from survey_app.demo.responses import Profile, SyntheticRespondent, load_descriptions
        from survey_app.models import Wave
        from survey_app.questionnaire.logic import Respondent, RosterTraining
        from survey_app.questionnaire.service import compiled_questionnaire, store_new_version

        seeds = ROOT / "seeds"
        row = store_new_version((seeds / "questionnaires" / "tracer_default.yaml").read_text(encoding="utf-8"))
        wave = Wave(name="bench", questionnaire_id=row.id)
        db.session.add(wave)
        db.session.commit()
        questionnaire = compiled_questionnaire(row.id)
        trainings = [(t["code"], t["title"], t["category"]) for t in _trainings(seeds)]
        rng = random.Random(7)
        descriptions = load_descriptions(seeds)
        provinces = [code for code in ("11", "12", "31", "32", "33", "35", "36", "51", "73", "91")]
        samples = []
        for _ in range(2000):
            mine = rng.sample(trainings, k=rng.randint(1, 3))
            respondent = Respondent(tuple(RosterTraining(c, t, k) for c, t, k in mine))
            profile = Profile(rng.randint(1970, 2003), rng.choice("MF"), rng.choice(provinces))
            answers, _complete = SyntheticRespondent(questionnaire, respondent, profile, rng, descriptions).answer()
            samples.append(([c for c, _t, _k in mine], profile, json.dumps(answers)))
        raw = db.engine.raw_connection()
        try:
            cur = raw.cursor()
            with cur.copy("COPY trainings (id, code, title, provider, category, description) FROM STDIN") as copy:
                for number, (code, title, category) in enumerate(trainings, start=1):
                    copy.write_row((number, code, title, "Bench", category, ""))
            training_id = {code: number for number, (code, _t, _c) in enumerate(trainings, start=1)}
            with cur.copy("COPY alumni (id, external_id, name, phone, email, province_code, sex, birth_year, cohort) "
                          "FROM STDIN") as copy:
                for n in range(1, rows + 1):
                    codes, profile, _answers = samples[n % len(samples)]
                    copy.write_row((n, f"KP{n:09d}", f"Alumni {n}", "+6281200000000", f"a{n}@example.org",
                                    profile.province, profile.sex, profile.birth_year, f"G{n % 30:02d}"))
            with cur.copy("COPY enrollments (alumnus_id, training_id, completed_at) FROM STDIN") as copy:
                for n in range(1, rows + 1):
                    for code in samples[n % len(samples)][0]:
                        copy.write_row((n, training_id[code], "2021-03-01"))
            with cur.copy("COPY invitations (id, wave_id, alumnus_id, token_hash, status, reminders_sent, created_at) "
                          "FROM STDIN") as copy:
                for n in range(1, rows + 1):
                    copy.write_row((n, wave.id, n, f"{n:064x}", "submitted", 0, "2026-01-01T00:00:00Z"))
            with cur.copy("COPY responses (invitation_id, answers, language, started_at, updated_at, submitted_at, "
                          "revision) FROM STDIN") as copy:
                for n in range(1, rows + 1):
                    copy.write_row((n, samples[n % len(samples)][2], "id", "2026-01-02T08:00:00Z",
                                    "2026-01-02T08:12:00Z", "2026-01-02T08:12:00Z", 1))
            for table in ("trainings", "alumni", "enrollments", "invitations", "responses"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            raw.commit()
            cur.execute("ANALYZE")
            raw.commit()
        finally:
            raw.close()
        return wave.id


def _trainings(seeds: Path):
    import csv

    with (seeds / "trainings.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("JEJAK_BENCH_POSTGRES_URL", DEFAULT_URL))
    parser.add_argument("--rows", type=int, default=240_000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "export")
    parser.add_argument("--follow-up", action="store_true",
                        help="Measure a follow-up wave's export with --include-earlier against its plain export.")
    parser.add_argument("--rounds", type=int, default=3, help="--follow-up: interleaved rounds (fastest kept).")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    wave_id = load(args.url, args.rows)
    print(f"loaded {args.rows} responses in {time.perf_counter() - started:.1f} s", flush=True)
    env = {**os.environ, "JEJAK_DATABASE_URL": args.url, "JEJAK_SECRET_KEY": "bench", "FLASK_APP": "wsgi"}
    flask = [str(Path(sys.executable).with_name("flask")), "--app", "wsgi"]
    baseline_code = ("import psycopg, sys\n"
                     "with psycopg.connect(sys.argv[1]) as c, open(sys.argv[2], 'wb') as f:\n"
                     "    with c.cursor().copy(sys.argv[3]) as copy:\n"
                     "        for block in copy: f.write(block)\n")
    if args.follow_up:
        _bench_follow_up(args, wave_id, env, flask)
        return
    results = {}
    for _attempt in range(2):  # the first round warms the caches; the second is reported
        out = args.out / "baseline.csv"
        results["baseline"] = _measured([sys.executable, "-c", baseline_code, args.url, str(out),
                                         BASELINE_SQL.format(wave=wave_id)], env)
        for fmt in ("csv", "dta"):
            target = args.out / f"responses.{fmt}"
            results[fmt] = _measured([*flask, "export", "responses", "--wave", "bench", "--format", fmt,
                                      "--out", str(target), "--force"], env)
    # Flatness: the same CSV export over half the rows (a second wave holding every other response).
    half = _half_wave(args.url, wave_id)
    results["csv_half"] = _measured([*flask, "export", "responses", "--wave", half, "--format", "csv",
                                     "--out", str(args.out / "half.csv"), "--force"], env)
    results["dta_half"] = _measured([*flask, "export", "responses", "--wave", half, "--format", "dta",
                                     "--out", str(args.out / "half.dta"), "--force"], env)
    base_s, base_rss, _ = results["baseline"]
    print(f"\nrows: {args.rows}")
    print(f"{'run':<22}{'seconds':>9}{'x baseline':>12}{'peak RSS MB':>13}{'x baseline':>12}{'file MB':>9}")
    files = {"baseline": "baseline.csv", "csv": "responses.csv", "dta": "responses.dta",
             "csv_half": "half.csv", "dta_half": "half.dta"}
    for name, (seconds, rss, _out) in results.items():
        size = (args.out / files[name]).stat().st_size / 1e6
        print(f"{name:<22}{seconds:>9.1f}{seconds / base_s:>12.2f}{rss:>13.0f}{rss / base_rss:>12.2f}{size:>9.1f}")


def _bench_follow_up(args, wave_id: int, env: dict, flask: list[str]) -> None:
    """Plain vs --include-earlier CSV export of a follow-up wave, and the panel status query."""
    rows = _follow_up_wave(args.url, wave_id)
    results: dict[str, tuple[float, float, str]] = {}
    # Interleaved rounds, the fastest of each kept: on a shared, loaded machine the minimum is
    # the least disturbed measurement of the same work.
    for _attempt in range(args.rounds):
        for name, extra in (("csv", []), ("csv_earlier", ["--include-earlier"])):
            measured = _measured([*flask, "export", "responses", "--wave", "bench_w2", "--format", "csv",
                                  "--out", str(args.out / f"{name}.csv"), "--force", *extra], env)
            if name not in results or measured[0] < results[name][0]:
                results[name] = measured
    panel_code = ("import json, sys, time\n"
                  "from survey_app import create_app\n"
                  "from survey_app.waves.panel import panel_status\n"
                  "from survey_app.waves.service import find_wave\n"
                  "app = create_app({'SQLALCHEMY_DATABASE_URI': sys.argv[1], 'SECRET_KEY': 'bench'}, "
                  "config_name='testing')\n"
                  "with app.app_context():\n"
                  "    wave = find_wave('bench_w2'); panel_status(wave)\n"
                  "    t = time.perf_counter(); status = panel_status(wave); s = time.perf_counter() - t\n"
                  "    print(json.dumps({'s': s, 'cells': [status.total.both, status.total.earlier_only, "
                  "status.total.current_only, status.total.neither], 'groups': len(status.by_category) "
                  "+ len(status.by_province)}))\n")
    panel = subprocess.run([sys.executable, "-c", panel_code, args.url], capture_output=True, text=True, env=env,
                           cwd=ROOT, check=True)
    base_s, base_rss, _ = results["csv"]
    print(f"\nfollow-up wave: {rows} responses (of {args.rows} alumni)")
    print(f"{'run':<22}{'seconds':>9}{'x plain':>10}{'peak RSS MB':>13}{'x plain':>10}{'file MB':>9}")
    for name, (seconds, rss, _out) in results.items():
        size = (args.out / f"{name}.csv").stat().st_size / 1e6
        print(f"{name:<22}{seconds:>9.1f}{seconds / base_s:>10.2f}{rss:>13.0f}{rss / base_rss:>10.2f}{size:>9.1f}")
    print(f"panel status: {panel.stdout.strip()}")


def _follow_up_wave(url: str, wave_id: int) -> int:
    """A wave 'bench_w2' following up ``wave_id``: 4 in 5 alumni answered it again (set-based SQL)."""
    import psycopg

    with psycopg.connect(url) as conn:
        conn.execute("DELETE FROM responses WHERE invitation_id IN (SELECT i.id FROM invitations i "
                     "JOIN waves w ON w.id = i.wave_id WHERE w.name = 'bench_w2')")
        conn.execute("DELETE FROM invitations WHERE wave_id IN (SELECT id FROM waves WHERE name = 'bench_w2')")
        conn.execute("DELETE FROM waves WHERE name = 'bench_w2'")
        new_id = conn.execute("INSERT INTO waves (name, questionnaire_id, created_at, follow_up_of_id) "
                              "SELECT 'bench_w2', questionnaire_id, now(), id FROM waves WHERE id = %s RETURNING id",
                              (wave_id,)).fetchone()
        if new_id is None:
            raise SystemExit("no wave to follow up")
        conn.execute("INSERT INTO invitations (wave_id, alumnus_id, token_hash, status, reminders_sent, created_at) "
                     "SELECT %s, alumnus_id, md5('w2' || alumnus_id) || md5(alumnus_id::text), "
                     "CASE WHEN alumnus_id %% 5 = 0 THEN 'issued' ELSE 'submitted' END, 0, now() "
                     "FROM invitations WHERE wave_id = %s", (new_id[0], wave_id))
        count = conn.execute(
            "INSERT INTO responses (invitation_id, answers, language, started_at, updated_at, submitted_at, revision) "
            "SELECT i2.id, r.answers, 'id', now(), now(), now(), 1 FROM invitations i2 "
            "JOIN invitations i1 ON i1.alumnus_id = i2.alumnus_id AND i1.wave_id = %s "
            "JOIN responses r ON r.invitation_id = i1.id WHERE i2.wave_id = %s AND i2.status = 'submitted'",
            (wave_id, new_id[0])).rowcount
        conn.execute("ANALYZE invitations")
        conn.execute("ANALYZE responses")
    return count


def _half_wave(url: str, wave_id: int) -> str:
    """A wave 'bench_half' with the invitations of every other alumnus (for memory flatness)."""
    import psycopg

    with psycopg.connect(url) as conn:
        conn.execute("DELETE FROM waves WHERE name = 'bench_half'")
        new_id = conn.execute("INSERT INTO waves (name, questionnaire_id, created_at) "
                              "SELECT 'bench_half', questionnaire_id, now() FROM waves WHERE id = %s RETURNING id",
                              (wave_id,)).fetchone()
        if new_id is None:
            raise SystemExit("no wave to split")
        new_id = new_id[0]
        conn.execute("UPDATE invitations SET wave_id = %s WHERE wave_id = %s AND id %% 2 = 0", (new_id, wave_id))
    return "bench_half"


if __name__ == "__main__":
    main()
