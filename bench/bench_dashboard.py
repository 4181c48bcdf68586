"""Benchmark: the staff wave dashboard and invitation list at 240,000 invitations, on PostgreSQL.

Builds a roster of N alumni (default 240,000) with their enrollments, one wave, an invitation
each, and responses for about half (submitted, partial, declined), then times, warm:

* baseline — ``SELECT status, count(*) FROM invitations GROUP BY status`` for the wave (the
  cheapest useful aggregate over the same rows);
* dashboard — GET /admin/waves/<id> (funnel by status, province, category, cohort, per day);
* invitations — GET /admin/waves/<id>/invitations, first page and a status-filtered page.

Each page is fetched through the real app (test client, logged in as admin), best of 5.
Target: < 1 s per page. Usage: python bench/bench_dashboard.py [--alumni 240000]
The database is JEJAK_BENCH_DATABASE_URL (default: the jejak_dev database); its tables are
dropped and recreated.
"""
from __future__ import annotations

import argparse
import random
import re
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select, text, update  # noqa: E402

from bench.bench_roster_import import database_url, fresh_app, invite_everyone, machine  # noqa: E402
from survey_app.accounts.service import create_user  # noqa: E402
from survey_app.config import Config  # noqa: E402
from survey_app.demo.roster_data import alumni_rows, enrollment_rows, load_reference  # noqa: E402
from survey_app.extensions import db  # noqa: E402
from survey_app.models import Invitation, Response  # noqa: E402
from survey_app.roster.csv_files import records_from_dicts  # noqa: E402
from survey_app.roster.importer import import_roster  # noqa: E402

PASSWORD = "benchmark password"


def build(alumni: int, workdir: Path) -> int:
    """Roster, wave, invitations and responses; returns the wave id."""
    reference = load_reference(Config.SEEDS_DIR)
    import_roster(db.engine, trainings=records_from_dicts("trainings", _trainings(reference)),
                  alumni=records_from_dicts("alumni", alumni_rows(alumni, 7, reference)),
                  enrollments=records_from_dicts("enrollments", enrollment_rows(alumni, 7, reference)))
    source = (Config.SEEDS_DIR / "questionnaires" / "tracer_default.yaml").read_text(encoding="utf-8")
    wave_id = invite_everyone(source, workdir)
    rng = random.Random(3)
    ids = db.session.scalars(select(Invitation.id).where(Invitation.wave_id == wave_id)).all()
    answered = rng.sample(ids, k=len(ids) // 2)
    now = datetime.now(UTC)
    rows: list[dict[str, object]] = []
    statuses: dict[str, list[int]] = {"submitted": [], "partial": [], "declined": []}
    for invitation_id in answered:
        status = rng.choices(["submitted", "partial", "declined"], weights=[0.8, 0.15, 0.05])[0]
        started = now - timedelta(days=rng.uniform(0, 30))
        rows.append({"invitation_id": invitation_id, "answers": {"consent": "yes"}, "language": "id",
                     "started_at": started, "updated_at": started, "revision": 1,
                     "submitted_at": started if status == "submitted" else None,
                     "declined_at": started if status == "declined" else None})
        statuses[status].append(invitation_id)
    for start in range(0, len(rows), 10_000):
        db.session.execute(insert(Response), rows[start:start + 10_000])
    for status, chosen in statuses.items():
        for start in range(0, len(chosen), 10_000):
            db.session.execute(update(Invitation).where(Invitation.id.in_(chosen[start:start + 10_000]))
                               .values(status=status, opened_at=now))
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    return wave_id


def _trainings(reference):
    import csv

    with reference.trainings_csv.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def best_of(fn, repeat: int = 5) -> float:
    """Fastest of ``repeat`` warm runs, in seconds."""
    fn()  # warm-up: caches, query plans
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alumni", type=int, default=240_000)
    args = parser.parse_args()
    app = fresh_app(database_url())
    app.config.update(RATELIMIT_ENABLED=False)
    with app.app_context():
        started = time.perf_counter()
        wave_id = build(args.alumni, Path(__file__).parent / "out" / "dashboard")
        print(f"built {args.alumni:,} invitations in {time.perf_counter() - started:.0f} s")
        create_user("bench@example.org", "admin", PASSWORD)
        invited = db.session.scalar(select(func.count()).select_from(Invitation))

    client = app.test_client()
    page = client.get("/admin/login").get_data(as_text=True)
    found = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    if found is None:
        raise SystemExit("no CSRF token on the login page")
    token = found.group(1)
    assert client.post("/admin/login", data={"email": "bench@example.org", "password": PASSWORD,
                                             "csrf_token": token}).status_code == 302

    def get(url: str):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    def baseline():
        with app.app_context():
            db.session.execute(select(Invitation.status, func.count()).where(Invitation.wave_id == wave_id)
                               .group_by(Invitation.status)).all()
            db.session.remove()

    results = {
        "baseline (status counts query)": best_of(baseline),
        "dashboard page": best_of(lambda: get(f"/admin/waves/{wave_id}")),
        "invitations list, page 1": best_of(lambda: get(f"/admin/waves/{wave_id}/invitations")),
        "invitations list, status=partial, page 20": best_of(
            lambda: get(f"/admin/waves/{wave_id}/invitations?status=partial&page=20")),
    }
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {machine()}; "
          f"{invited:,} invitations")
    base = results["baseline (status counts query)"]
    for name, seconds in results.items():
        verdict = "" if name.startswith("baseline") else ("  met (< 1 s)" if seconds < 1 else "  MISSED (>= 1 s)")
        print(f"{name:45s} {seconds * 1000:8.1f} ms  {seconds / base:6.1f}x baseline{verdict}")


if __name__ == "__main__":
    main()
