"""Bad roster input: each refused row is reported with file, line and reason."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Alumnus, Enrollment, Training
from tests.survey_app.roster.conftest import ALUMNI_HEADER, ENROLLMENTS_HEADER

GOOD_ALUMNUS = ["PKJ1", "Budi", "08123456789", "", "32", "M", "1990", "G01"]


def stored(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(("bad_row", "reason"), [
    (["PKJ9", "Ani", "", "", "99", "F", "1990", "G01"], "province '99' is not a Kepmendagri province code"),
    (["PKJ9", "Ani", "", "", "Jawa Barat", "F", "1990", "G01"], "province 'Jawa Barat' is not"),
    (["PKJ9", "Ani", "", "", "32", "X", "1990", "G01"], "sex 'X' must be M/F (or L/P)"),
    (["PKJ9", "Ani", "", "", "32", "F", "1850", "G01"], "birth_year '1850' is not plausible"),
    (["PKJ9", "Ani", "", "", "32", "F", "90", "G01"], "birth_year '90' must be a four-digit year"),
    (["PKJ9", "Ani", "12345", "", "32", "F", "1990", "G01"], "phone '12345' must be an Indonesian number"),
    (["PKJ9", "Ani", "0812-34", "", "32", "F", "1990", "G01"], "phone '0812-34' has the wrong number of digits"),
    (["PKJ9", "Ani", "", "ani-at-example", "32", "F", "1990", "G01"], "email 'ani-at-example' is not an e-mail"),
    (["PKJ9", "", "", "", "32", "F", "1990", "G01"], "name is empty"),
    (["", "Ani", "", "", "32", "F", "1990", "G01"], "external_id is empty"),
    (["PKJ9", "A" * 201, "", "", "32", "F", "1990", "G01"], "name is longer than 200 characters"),
    (["PKJ9", "Ani\nBaris", "", "", "32", "F", "1990", "G01"], "name contains control characters or line breaks"),
    (["PKJ1", "Budi Lagi", "", "", "32", "M", "1990", "G01"], "duplicate external_id 'PKJ1' (first on line 2)"),
    (["PKJ9", "Ani", "", "", "32"], "has 5 fields, the header has 8"),
])
def test_bad_alumni_row_is_reported_with_its_line_and_skipped(app, import_roster, write_csv, bad_row, reason):
    paths = {
        "alumni": write_csv("alumni.csv", ALUMNI_HEADER, [GOOD_ALUMNUS, bad_row]),
        "enrollments": write_csv("enrollments.csv", ENROLLMENTS_HEADER, []),
    }

    result = import_roster(paths)

    assert result.exit_code == 1
    assert f"alumni.csv line 3: {reason}" in result.output
    assert "alumni.csv: 2 rows: 1 inserted, 0 updated, 0 unchanged, 1 refused" in result.output
    assert stored(app, Alumnus) == 1


@pytest.mark.parametrize(("bad_row", "reason"), [
    (["PKJ1", "TRN-1", "2021-02-30"], "completed_at '2021-02-30' is not a real date"),
    (["PKJ1", "TRN-1", "03/02/2021"], "completed_at '03/02/2021' must be an ISO date YYYY-MM-DD"),
    (["PKJ1", "TRN-1", "2999-01-01"], "completed_at '2999-01-01' is in the future"),
    (["PKJ1", "NOPE", "2021-02-03"], "training_code 'NOPE' is not in the training catalogue"),
    (["GHOST", "TRN-1", "2021-02-03"], "external_id 'GHOST' is not in the roster of alumni"),
    (["PKJ1", "TRN-2", ""], "duplicate row: external_id 'PKJ1' and training_code 'TRN-2' appear earlier"),
    (["PKJ1", "", ""], "training_code is empty"),
])
def test_bad_enrollment_row_is_reported_with_its_line_and_skipped(app, roster, import_roster, write_csv,
                                                                  bad_row, reason):
    roster["enrollments"] = write_csv("enrollments.csv", ENROLLMENTS_HEADER, [
        ["PKJ1", "TRN-2", "2020-05-02"], bad_row])

    result = import_roster(roster)

    assert result.exit_code == 1
    assert f"enrollments.csv line 3: {reason}" in result.output
    assert stored(app, Enrollment) == 1


def test_line_numbers_count_physical_lines_of_multiline_fields(app, import_roster, write_csv):
    trainings = write_csv("trainings.csv", ["code", "title", "provider", "category", "description"], [
        ["TRN-1", "Judul", "", "it", "baris satu\nbaris dua\nbaris tiga"],
        ["", "Tanpa kode", "", "it", ""],
    ])
    paths = {"trainings": trainings,
             "alumni": write_csv("alumni.csv", ALUMNI_HEADER, []),
             "enrollments": write_csv("enrollments.csv", ENROLLMENTS_HEADER, [])}

    result = import_roster(paths)

    assert "trainings.csv line 5: code is empty" in result.output
    assert stored(app, Training) == 1


def test_strict_mode_writes_nothing_when_any_row_is_bad(app, roster, import_roster, write_csv):
    roster["enrollments"] = write_csv("enrollments.csv", ENROLLMENTS_HEADER, [
        ["PKJ1", "TRN-1", "2020-05-02"], ["PKJ2", "TRN-1", "not a date"]])

    result = import_roster(roster, "--strict")

    assert result.exit_code == 1
    assert "enrollments.csv line 3: completed_at 'not a date'" in result.output
    assert "Strict mode: 1 bad rows, nothing was written." in result.output
    assert (stored(app, Training), stored(app, Alumnus), stored(app, Enrollment)) == (0, 0, 0)


def test_strict_mode_commits_a_clean_import(app, roster, import_roster):
    result = import_roster(roster, "--strict")

    assert result.exit_code == 0, result.output
    assert stored(app, Enrollment) == 4


def test_file_that_is_not_utf8_is_refused_naming_the_line(app, roster, import_roster, tmp_path):
    latin1 = tmp_path / "alumni-latin1.csv"
    latin1.write_bytes(",".join(ALUMNI_HEADER).encode() + b"\n"
                       b"PKJ1,Budi,,,32,M,1990,G01\n"
                       b"PKJ2,Jos\xe9,,,32,M,1990,G01\n")
    roster["alumni"] = latin1

    result = import_roster(roster)

    assert result.exit_code == 1
    assert "alumni-latin1.csv: line 3 is not valid UTF-8" in result.output
    assert "Nothing was imported." in result.output
    assert "Traceback" not in result.output
    # The trainings file before it was fine, but one import is one transaction.
    assert (stored(app, Training), stored(app, Alumnus)) == (0, 0)


def test_utf16_file_is_refused_with_advice(app, roster, import_roster, tmp_path):
    utf16 = tmp_path / "alumni.csv"
    utf16.write_text(",".join(ALUMNI_HEADER) + "\n", encoding="utf-16")
    roster["alumni"] = utf16

    result = import_roster(roster)

    assert result.exit_code == 1
    assert "alumni.csv: the file is UTF-16; save it as 'CSV UTF-8'" in result.output


def test_file_missing_columns_is_refused_with_their_names(app, roster, import_roster, write_csv):
    roster["alumni"] = write_csv("alumni.csv", ["external_id", "name", "phone"], [["PKJ1", "Budi", ""]])

    result = import_roster(roster)

    assert result.exit_code == 1
    assert ("alumni.csv: missing required column(s): email, province, sex, birth_year, cohort"
            in result.output)
    assert stored(app, Training) == 0


def test_broken_csv_quoting_refuses_the_file_naming_the_line(app, roster, import_roster, tmp_path):
    broken = tmp_path / "alumni.csv"
    broken.write_text(",".join(ALUMNI_HEADER) + '\nPKJ1,"Budi" Santoso,,,32,M,1990,G01\n', encoding="utf-8")
    roster["alumni"] = broken

    result = import_roster(roster)

    assert result.exit_code == 1
    assert "alumni.csv: line 2 is not valid CSV" in result.output


def test_missing_file_is_refused_without_a_traceback(app, roster, import_roster, tmp_path):
    roster["alumni"] = tmp_path / "nowhere.csv"

    result = import_roster(roster)

    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert "nowhere.csv" in result.output
