"""Benchmark: issue N invitations (default 240,000) with their link CSV, on PostgreSQL.

Measures in the same run:

* baseline — the same number of nonces, derived tokens and SHA-256 hashes generated and a
  link CSV of the same shape written from rows already in memory (no database): the floor;
* issue — ``issue_invitations`` for a wave with N uninvited alumni (query, inserts, CSV, commit,
  atomic rename).

Usage: python bench/bench_invitations.py [--alumni 240000] [--workdir bench/out/invitations]
The database is JEJAK_BENCH_DATABASE_URL (default: the jejak_dev database); its tables are
dropped and recreated. This is a benchmark, not a test: it prints figures and exits 0.
"""
from __future__ import annotations

import argparse
import csv
import shutil
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from bench.bench_roster_import import database_url, fresh_app, machine, timed  # noqa: E402
from survey_app.config import Config  # noqa: E402
from survey_app.demo.roster_data import alumni_rows, load_reference  # noqa: E402
from survey_app.extensions import db  # noqa: E402
from survey_app.invitations.service import LINK_COLUMNS, issue_invitations  # noqa: E402
from survey_app.models import Alumnus, Questionnaire, Wave  # noqa: E402
from survey_app.roster.csv_files import records_from_dicts  # noqa: E402
from survey_app.roster.importer import import_roster  # noqa: E402
from survey_app.tokens import hash_token, link_key, new_nonce, token_from_nonce  # noqa: E402

BASE_URL = "https://survey.example.id"
KEY = link_key("benchmark")


def baseline(rows: Sequence[Sequence[str]], out: Path, key: bytes) -> None:
    """Nonces, derived tokens, hashes and the CSV, without a database."""
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(LINK_COLUMNS)
        hashes = []
        for external_id, name, phone, email in rows:
            nonce = new_nonce()
            token = token_from_nonce(nonce, key)
            hashes.append((nonce, hash_token(token)))
            writer.writerow((external_id, name, phone, email, f"{BASE_URL}/s/{token}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alumni", type=int, default=240_000)
    parser.add_argument("--workdir", type=Path, default=Path(__file__).parent / "out" / "invitations")
    args = parser.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    args.workdir.mkdir(parents=True)
    seconds: dict[str, float] = {}

    app = fresh_app(database_url())
    with app.app_context():
        reference = load_reference(Config.SEEDS_DIR)
        import_roster(db.engine, alumni=records_from_dicts("alumni", alumni_rows(args.alumni, 1, reference)),
                      enrollments=None)
        questionnaire = Questionnaire(name="bench", version=1, source="", definition={})
        db.session.add(Wave(name="bench", questionnaire=questionnaire))
        db.session.commit()
        rows = db.session.execute(select(Alumnus.external_id, Alumnus.name, Alumnus.phone, Alumnus.email)
                                  .order_by(Alumnus.id)).all()
        with timed(seconds, "baseline"):
            baseline(rows, args.workdir / "baseline.csv", KEY)
        with timed(seconds, "issue"):
            result = issue_invitations(db.engine, "bench", args.workdir / "links.csv", base_url=BASE_URL,
                                       link_key=KEY)
        db.engine.dispose()
    assert result.issued == args.alumni

    n = result.issued
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {machine()}")
    print(f"baseline tokens+hashes+CSV, no DB: {seconds['baseline']:6.2f} s  {n / seconds['baseline']:>10,.0f} /s")
    print(f"issue {n:,} invitations + CSV:   {seconds['issue']:6.2f} s  {n / seconds['issue']:>10,.0f} /s  "
          f"{seconds['issue'] / seconds['baseline']:.1f}x baseline")
    print(f"target: <= 15 s -> {'met' if seconds['issue'] <= 15 else 'MISSED'}")


if __name__ == "__main__":
    main()
