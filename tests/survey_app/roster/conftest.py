"""Helpers for roster tests: small CSV files written next to the test's database."""
from __future__ import annotations

import csv

import pytest

TRAININGS_HEADER = ["code", "title", "provider", "category", "description"]
ALUMNI_HEADER = ["external_id", "name", "phone", "email", "province", "sex", "birth_year", "cohort"]
ENROLLMENTS_HEADER = ["external_id", "training_code", "completed_at"]


@pytest.fixture
def write_csv(tmp_path):
    """``write_csv(name, header, rows)`` → path of a UTF-8 CSV file in the test's tmp dir."""

    def write(name: str, header: list[str], rows: list[list[str]], *, bom: bool = False):
        path = tmp_path / name
        with path.open("w", newline="", encoding="utf-8-sig" if bom else "utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(rows)
        return path

    return write


@pytest.fixture
def roster(write_csv):
    """A small valid roster: two trainings, three alumni, four enrollments."""
    return {
        "trainings": write_csv("trainings.csv", TRAININGS_HEADER, [
            ["TRN-1", "Jualan Online", "Kelas A", "sales_marketing", "Toko online"],
            ["TRN-2", "Excel untuk Kantor", "Kelas B", "office", ""],
        ]),
        "alumni": write_csv("alumni.csv", ALUMNI_HEADER, [
            ["PKJ1", "Budi Santoso", "0812-3456-7890", "budi@Gmail.COM", "32", "L", "1990", "G01"],
            ["PKJ2", "Siti Rahayu", "+62 813 1111 2222", "", "35", "P", "1995", "G02"],
            ["PKJ3", "Agus", "", "agus@example.id", "", "", "", ""],
        ]),
        "enrollments": write_csv("enrollments.csv", ENROLLMENTS_HEADER, [
            ["PKJ1", "TRN-1", "2020-05-02"],
            ["PKJ1", "TRN-2", ""],
            ["PKJ2", "TRN-1", "2021-01-31"],
            ["PKJ3", "TRN-2", "2022-12-01"],
        ]),
    }


@pytest.fixture
def import_roster(runner):
    """Run ``flask roster import`` on a dict of paths; extra CLI arguments pass through."""

    def run(paths: dict, *extra: str):
        args = ["roster", "import", "--alumni", str(paths["alumni"]),
                "--enrollments", str(paths["enrollments"])]
        if paths.get("trainings"):
            args += ["--trainings", str(paths["trainings"])]
        return runner.invoke(args=args + list(extra))

    return run
