"""Finding 10.9 (roster side): unusable CSV files are refused with the reason, never a traceback."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Alumnus
from tests.survey_app.roster.conftest import ALUMNI_HEADER, ENROLLMENTS_HEADER

ROWS = [["PKJ1", "Budi", "", "budi@example.org", "32", "M", "1990", "G01"],
        ["PKJ2", "Ani", "", "", "32", "F", "1991", "G01"]]


def _csv_text(header, rows, newline="\r\n"):
    return newline.join(",".join(r) for r in [header, *rows]) + newline


@pytest.fixture
def enrollments(write_csv):
    return write_csv("enrollments.csv", ENROLLMENTS_HEADER, [])


def _import(app, import_roster, tmp_path, enrollments, payload: bytes):
    alumni = tmp_path / "alumni.csv"
    alumni.write_bytes(payload)
    result = import_roster({"alumni": alumni, "enrollments": enrollments})
    with app.app_context():
        stored = db.session.scalar(select(func.count()).select_from(Alumnus))
    return result, stored


@pytest.mark.parametrize(("payload", "reason"), [
    (_csv_text(ALUMNI_HEADER, ROWS, newline="\r").encode(), "the lines end with CR only"),
    ((",".join(ALUMNI_HEADER) + "," + "x" * 131_000 + "\n").encode(), "the header row is longer than 16 KB"),
    (('"' + "x" * 140_000 + '",' + ",".join(ALUMNI_HEADER) + "\n").encode(), "the header row is longer than 16 KB"),
    (_csv_text(ALUMNI_HEADER, ROWS).encode("utf-16-le"), "probably UTF-16"),
    (_csv_text(ALUMNI_HEADER, ROWS).encode("utf-16-be"), "probably UTF-16"),
    (_csv_text(ALUMNI_HEADER, ROWS).encode("utf-16"), "the file is UTF-16"),
    (('"external_id,' + ",".join(ALUMNI_HEADER[1:]) + "\n").encode(), "the header row is not valid CSV"),
    (_csv_text(ALUMNI_HEADER, []).encode() + b'PKJ1,"' + b"y" * 140_000 + b'",,,32,M,1990,G01\n',
     "is not valid CSV"),
])
def test_unusable_roster_files_are_refused_with_the_reason(app, import_roster, tmp_path, enrollments,
                                                           payload, reason):
    result, stored = _import(app, import_roster, tmp_path, enrollments, payload)
    assert result.exit_code != 0
    assert reason in result.output, result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, (UnicodeError, ValueError))
    assert "alumni.csv" in result.output
    assert stored == 0


def test_windows_and_unix_line_endings_still_import(app, import_roster, tmp_path, enrollments):
    for newline in ("\r\n", "\n"):
        result, stored = _import(app, import_roster, tmp_path, enrollments,
                                 _csv_text(ALUMNI_HEADER, ROWS, newline=newline).encode())
        assert result.exit_code == 0, result.output
        assert stored == 2
