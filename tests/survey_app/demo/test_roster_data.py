"""The synthetic roster generator: deterministic, realistic in shape, importable."""
from __future__ import annotations

import csv
from collections import Counter
from datetime import date, timedelta
from statistics import mean

import pytest

from survey_app.config import Config
from survey_app.demo.roster_data import (
    DAYS_BETWEEN_COHORTS,
    FIRST_COHORT_OPENS,
    DemoDataError,
    alumni_rows,
    enrollment_rows,
    load_reference,
    roster_rows,
    write_roster_csv,
)
from survey_app.roster.csv_rows import RowRules

N = 4000


def cohort_opens(cohort: str) -> date:
    return FIRST_COHORT_OPENS + timedelta(days=DAYS_BETWEEN_COHORTS * (int(cohort[1:]) - 1))


@pytest.fixture
def sample(reference):
    return list(roster_rows(N, seed=11, reference=reference))


def test_same_seed_gives_the_same_rows_and_another_seed_does_not(reference):
    first = list(roster_rows(200, seed=5, reference=reference))

    assert list(roster_rows(200, seed=5, reference=reference)) == first
    assert list(roster_rows(200, seed=6, reference=reference)) != first


def test_alumni_and_enrollment_rows_describe_the_same_people(reference):
    joint = list(roster_rows(50, seed=3, reference=reference))

    assert list(alumni_rows(50, 3, reference)) == [a for a, _ in joint]
    assert list(enrollment_rows(50, 3, reference)) == [e for _, es in joint for e in es]


def test_every_generated_row_passes_the_import_rules(sample):
    rules = RowRules(today=date(2024, 1, 1))
    for alumnus, enrollments in sample:
        rules.alumnus(alumnus)
        for enrollment in enrollments:
            rules.enrollment(enrollment)


def test_provinces_follow_population_weights(sample):
    shares = Counter(a["province"] for a, _ in sample)
    assert shares["32"] / N == pytest.approx(0.75, abs=0.03)


def test_categories_follow_popularity(sample):
    codes = Counter(e["training_code"] for _, es in sample for e in es)
    sales = (codes["S1"] + codes["S2"]) / sum(codes.values())
    # Drawing distinct trainings per person flattens the mix a little.
    assert 0.6 < sales < 0.8


def test_people_shape_is_plausible(sample):
    alumni = [a for a, _ in sample]
    sexes = Counter(a["sex"] for a in alumni)
    ages = [cohort_opens(a["cohort"]).year - int(a["birth_year"]) for a in alumni]
    with_email = sum(1 for a in alumni if a["email"]) / N

    assert sexes["F"] / N == pytest.approx(0.5, abs=0.04)
    assert min(ages) >= 18
    assert sum(1 for age in ages if age <= 55) / N > 0.95
    assert sum(1 for age in ages if age <= 34) / N == pytest.approx(0.71, abs=0.04)
    assert with_email == pytest.approx(0.6, abs=0.04)
    assert all(a["phone"].startswith("+628") for a in alumni)
    assert {a["cohort"] for a in alumni} <= {f"G{k:02d}" for k in range(1, 31)}
    assert len({a["external_id"] for a in alumni}) == N


def test_each_alumnus_has_one_to_three_trainings_completed_in_2020_to_2023(sample):
    per_person = [len(es) for _, es in sample]
    dates = [e["completed_at"] for _, es in sample for e in es if e["completed_at"]]

    assert set(per_person) == {1, 2, 3}
    assert mean(per_person) == pytest.approx(2.0, abs=0.1)
    assert min(dates) >= "2020-04-11" and max(dates) <= "2023-12-31"


def test_completion_follows_the_cohort(sample):
    by_cohort = {}
    for alumnus, enrollments in sample:
        for e in enrollments:
            if e["completed_at"]:
                by_cohort.setdefault(alumnus["cohort"], []).append(e["completed_at"])
    assert max(by_cohort["G01"]) < min(by_cohort["G30"])


def test_csv_files_are_written_with_the_import_headers(tmp_path, reference, seeds_dir):
    files = write_roster_csv(tmp_path / "out", 30, seed=1, reference=reference)

    with files.alumni.open(encoding="utf-8") as fh:
        assert next(csv.reader(fh)) == ["external_id", "name", "phone", "email", "province", "sex",
                                        "birth_year", "cohort"]
    with files.enrollments.open(encoding="utf-8") as fh:
        assert sum(1 for _ in fh) - 1 == files.enrollment_rows
    assert files.trainings.read_bytes() == (seeds_dir / "trainings.csv").read_bytes()


def test_missing_seed_file_is_a_clear_error(seeds_dir):
    (seeds_dir / "provinces.csv").unlink()

    with pytest.raises(DemoDataError, match="provinces.csv not found"):
        load_reference(seeds_dir)


def test_the_shipped_seeds_are_usable():
    if not (Config.SEEDS_DIR / "trainings.csv").exists():
        pytest.skip("seeds/trainings.csv not present yet")
    reference = load_reference(Config.SEEDS_DIR)

    assert len(list(roster_rows(10, 1, reference))) == 10
