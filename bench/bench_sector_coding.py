"""Benchmark: `flask sectors code` over 240,000 submitted business descriptions, on PostgreSQL.

Builds N alumni (default 240,000), one wave of a one-question questionnaire (`coding: kbli`),
an invitation and a submitted response each, the answer drawn from the labelled seed
descriptions. Then times, in the same run:

* baseline — ``analysis.classify_texts`` on the same texts already in memory (no database);
* code_wave — read the uncoded answers, classify, write one sector_codes row each, commit.

Target: coding 240,000 responses in the app <= 60 s. Usage: python bench/bench_sector_coding.py
[--alumni 240000] [--distinct]. ``--distinct`` appends a different made-up word to every answer,
so no two answers are equal (the coder codes each distinct answer once; real waves repeat
"ojek online" often, but names and typos make many answers unique). Database:
JEJAK_BENCH_DATABASE_URL (tables dropped and recreated).
"""
from __future__ import annotations

import argparse
import csv
import random
import string
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select  # noqa: E402

from analysis import classify_texts, load_default_model  # noqa: E402
from bench.bench_roster_import import database_url, fresh_app, invite_everyone, machine  # noqa: E402
from survey_app.config import Config  # noqa: E402
from survey_app.demo.roster_data import alumni_rows, load_reference  # noqa: E402
from survey_app.extensions import db  # noqa: E402
from survey_app.models import Invitation, Response, SectorCode, Wave  # noqa: E402
from survey_app.roster.csv_files import records_from_dicts  # noqa: E402
from survey_app.roster.importer import import_roster  # noqa: E402
from survey_app.sectors.service import code_wave  # noqa: E402

FORM = """\
format: jejak-questionnaire/1
name: bench_coding
title: Bench
languages: [id]
pages:
  - name: p
    title: P
    questions:
      - {name: business_description, type: long_text, label: Usaha, coding: kbli}
"""


def descriptions() -> list[str]:
    path = Config.SEEDS_DIR / "sectors" / "labelled_descriptions.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return [row["text"] for row in csv.DictReader(handle)]


def build(alumni: int, workdir: Path, distinct: bool = False) -> tuple[int, list[str]]:
    reference = load_reference(Config.SEEDS_DIR)
    import_roster(db.engine, alumni=records_from_dicts("alumni", alumni_rows(alumni, 11, reference)),
                  enrollments=None)
    wave_id = invite_everyone(FORM, workdir)
    pool, rng = descriptions(), random.Random(5)
    ids = db.session.scalars(select(Invitation.id).where(Invitation.wave_id == wave_id)).all()
    now = datetime.now(UTC)
    texts = [rng.choice(pool) for _ in ids]
    if distinct:
        texts = [f"{text} {''.join(rng.choices(string.ascii_lowercase, k=7))}" for text in texts]
    rows = [{"invitation_id": i, "answers": {"business_description": t}, "language": "id", "started_at": now,
             "updated_at": now, "submitted_at": now, "revision": 1} for i, t in zip(ids, texts)]
    for start in range(0, len(rows), 10_000):
        db.session.execute(insert(Response), rows[start:start + 10_000])
    db.session.commit()
    return wave_id, texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alumni", type=int, default=240_000)
    parser.add_argument("--distinct", action="store_true", help="make every answer different")
    args = parser.parse_args()
    model = load_default_model()
    app = fresh_app(database_url())
    with app.app_context():
        started = time.perf_counter()
        wave_id, texts = build(args.alumni, Path(__file__).parent / "out" / "sector_coding", args.distinct)
        print(f"built {len(texts):,} responses ({len(set(texts)):,} distinct answers) "
              f"in {time.perf_counter() - started:.0f} s")
        start = time.perf_counter()
        classify_texts(texts, model=model)
        baseline = time.perf_counter() - start
        start = time.perf_counter()
        wave = db.session.get(Wave, wave_id)
        if wave is None:
            raise SystemExit(f"wave {wave_id} vanished")
        report = code_wave(wave, model=model)
        coding = time.perf_counter() - start
        stored = db.session.scalar(select(func.count()).select_from(SectorCode))
    assert report.total == stored == len(texts)
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {machine()}")
    print(f"baseline classify_texts in memory: {baseline:6.1f} s  {len(texts) / baseline:>9,.0f} /s")
    print(f"code_wave (read, classify, write): {coding:6.1f} s  {len(texts) / coding:>9,.0f} /s  "
          f"{coding / baseline:.1f}x baseline; auto-coded {report.auto / report.total:.1%}")
    print(f"target: <= 60 s -> {'met' if coding <= 60 else 'MISSED'}")


if __name__ == "__main__":
    main()
