"""Benchmark: roster import of N alumni (~2N enrollments) into PostgreSQL.

Generates a synthetic roster with the demo generator, then measures in the same run:

* baseline — PostgreSQL COPY of the same three CSV files into plain, unindexed text tables
  (psycopg ``copy``), i.e. the fastest possible load of these bytes on this machine;
* import — ``import_roster_files`` into the real, freshly created schema (first load);
* re-import — the same files again (everything unchanged: the idempotent path).

Usage: python bench/bench_roster_import.py [--alumni 500000] [--seed 1] [--workdir bench/out/roster]
The database is JEJAK_BENCH_DATABASE_URL (default: the jejak_dev database); its tables are
dropped and recreated. This is a benchmark, not a test: it prints figures and exits 0.
"""
from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402

from survey_app import create_app  # noqa: E402
from survey_app.config import Config  # noqa: E402
from survey_app.demo.roster_data import load_reference, write_roster_csv  # noqa: E402
from survey_app.extensions import db  # noqa: E402
from survey_app.roster.importer import import_roster_files  # noqa: E402

DEFAULT_URL = "postgresql://jejak:jejak@localhost/jejak_dev"


def database_url() -> str:
    """The benchmark database (JEJAK_BENCH_DATABASE_URL); its tables are dropped and recreated."""
    return os.environ.get("JEJAK_BENCH_DATABASE_URL", DEFAULT_URL)


def fresh_app(url: str):
    """An app on ``url`` with every table dropped and created again."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark", "LOG_LEVEL": "WARNING"},
                     config_name="production")
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


def psycopg_url(url: str) -> str:
    """The plain libpq form of ``url`` for psycopg.connect."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@contextmanager
def timed(results: dict, name: str):
    """Store the wall-clock seconds of the block in ``results[name]``."""
    start = time.perf_counter()
    yield
    results[name] = time.perf_counter() - start


def machine() -> str:
    """CPU model and core count, for the results table."""
    try:
        model = next(line.split(":", 1)[1].strip() for line in
                     subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines()
                     if line.startswith("Model name"))
    except (OSError, StopIteration):
        model = platform.processor() or "unknown CPU"
    return f"{model}, {os.cpu_count()} cores"


BASELINE_TABLES = {
    "trainings.csv": "bench_trainings (code text, title text, provider text, category text, description text)",
    "alumni.csv": "bench_alumni (external_id text, name text, phone text, email text, province text, "
                  "sex text, birth_year text, cohort text)",
    "enrollments.csv": "bench_enrollments (external_id text, training_code text, completed_at text)",
}


def invite_everyone(questionnaire_source: str, workdir: Path, wave_name: str = "bench") -> int:
    """Store the questionnaire, create a wave and invite every alumnus (links discarded).

    Returns the wave id. Used by benchmarks that need a wave of invitations to work on.
    """
    from survey_app.invitations.service import issue_invitations
    from survey_app.models import Wave
    from survey_app.questionnaire.service import store_new_version

    questionnaire = store_new_version(questionnaire_source)
    wave = Wave(name=wave_name, questionnaire_id=questionnaire.id)
    db.session.add(wave)
    db.session.commit()
    workdir.mkdir(parents=True, exist_ok=True)
    links = workdir / f"links-{time.time_ns()}.csv"
    issue_invitations(db.engine, wave_name, links, base_url="https://survey.example.id")
    links.unlink()
    return wave.id


def copy_baseline(url: str, directory: Path) -> None:
    """COPY the CSV files into unindexed text tables, committed, then drop them."""
    with psycopg.connect(psycopg_url(url)) as conn:
        for file_name, table in BASELINE_TABLES.items():
            name = table.split(" ", 1)[0]
            conn.execute(f"DROP TABLE IF EXISTS {name}")
            conn.execute(f"CREATE TABLE {table}")
            with conn.cursor() as cur, cur.copy(f"COPY {name} FROM STDIN (FORMAT csv, HEADER true)") as copy, \
                    (directory / file_name).open("rb") as fh:
                while block := fh.read(1 << 20):
                    copy.write(block)
        conn.commit()
    with psycopg.connect(psycopg_url(url), autocommit=True) as conn:
        for table in BASELINE_TABLES.values():
            conn.execute(f"DROP TABLE IF EXISTS {table.split(' ', 1)[0]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alumni", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=Path(__file__).parent / "out" / "roster")
    args = parser.parse_args()
    url = database_url()
    seconds: dict[str, float] = {}

    with timed(seconds, "generate"):
        files = write_roster_csv(args.workdir, args.alumni, args.seed, load_reference(Config.SEEDS_DIR))
    rows = files.alumni_rows + files.enrollment_rows
    app = fresh_app(url)
    with timed(seconds, "baseline"):
        copy_baseline(url, args.workdir)
    with app.app_context():
        with timed(seconds, "import"):
            first = import_roster_files(db.engine, trainings=files.trainings, alumni=files.alumni,
                                        enrollments=files.enrollments)
        with timed(seconds, "reimport"):
            again = import_roster_files(db.engine, trainings=files.trainings, alumni=files.alumni,
                                        enrollments=files.enrollments)
        db.engine.dispose()
    assert first.ok and first.committed and again.ok, "the generated roster must import cleanly"
    assert all(f.unchanged == f.rows for f in again.files), "re-import must change nothing"

    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {machine()}")
    print(f"roster: {files.alumni_rows:,} alumni + {files.enrollment_rows:,} enrollments "
          f"(generated in {seconds['generate']:.1f} s)")
    print(f"baseline COPY into unindexed tables: {seconds['baseline']:6.1f} s  "
          f"{rows / seconds['baseline']:>10,.0f} rows/s")
    for key, label in (("import", "import (first load)"), ("reimport", "re-import (unchanged)")):
        print(f"{label:36s} {seconds[key]:6.1f} s  {rows / seconds[key]:>10,.0f} rows/s  "
              f"{seconds[key] / seconds['baseline']:.1f}x baseline")
    print("first load by file: " + ", ".join(f"{f.name} {f.seconds:.1f} s" for f in first.files))
    print(f"target: first load <= 60 s -> {'met' if seconds['import'] <= 60 else 'MISSED'}")


if __name__ == "__main__":
    main()
