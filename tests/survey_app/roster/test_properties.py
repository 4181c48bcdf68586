"""Property-based guards (Hypothesis) for roster rows and files: only BadRow / FileRefused, never a crash."""
from __future__ import annotations

import csv
import io
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey_app.roster.csv_files import FileRefused, open_csv
from survey_app.roster.csv_rows import (
    ALUMNUS_COLUMNS,
    ENROLLMENT_COLUMNS,
    TRAINING_COLUMNS,
    TRAINING_OPTIONAL,
    BadRow,
    RowRules,
)

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RULES = RowRules(today=date(2026, 11, 30))

# Text that looks like each column's real values, mixed with anything at all.
plausible = st.sampled_from(["", " ", "PKJ1", "Budi", "0812-3456-7890", "+62 813 1111 2222", "budi@example.org",
                             "ñandú@example.org", "32", "L", "P", "1990", "G01", "2021-02-03", "2021-02-30",
                             "=cmd|' /C calc'!A0", "a@b", "@", "99999999999999999999", "١٩٩٠", "²"])
cell = st.one_of(plausible, st.text(max_size=300), st.text(alphabet=st.characters(codec="utf-8"), max_size=30))


def rows(columns):
    return st.fixed_dictionaries({c: cell for c in columns})


def _accepts_or_bad_row(rule, values):
    try:
        result = rule(values)
    except BadRow as error:
        assert error.problems and all(isinstance(p, str) and p for p in error.problems)
        assert all("\n" not in p for p in error.problems)
    else:
        assert isinstance(result, dict)


@SETTINGS
@given(rows(ALUMNUS_COLUMNS))
def test_any_alumnus_row_is_stored_or_refused_with_reasons(values):
    _accepts_or_bad_row(RULES.alumnus, values)


@SETTINGS
@given(rows(TRAINING_COLUMNS + TRAINING_OPTIONAL))
def test_any_training_row_is_stored_or_refused_with_reasons(values):
    _accepts_or_bad_row(RULES.training, values)


@SETTINGS
@given(rows(ENROLLMENT_COLUMNS))
def test_any_enrollment_row_is_stored_or_refused_with_reasons(values):
    _accepts_or_bad_row(RULES.enrollment, values)


@SETTINGS
@given(rows(ALUMNUS_COLUMNS))
def test_accepted_alumni_fit_their_columns(values):
    try:
        row = RULES.alumnus(values)
    except BadRow:
        return
    assert row["external_id"] and row["name"]
    assert row["phone"] == "" or (row["phone"].startswith("+62") and row["phone"][1:].isdigit())
    assert row["email"] == "" or "@" in row["email"]


def _csv_bytes(header, body_rows, newline, encoding):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=newline).writerows([header, *body_rows])
    return buffer.getvalue().encode(encoding, errors="replace")


@SETTINGS
@given(st.one_of(
    st.binary(max_size=2000),
    st.builds(_csv_bytes, st.just(list(ALUMNUS_COLUMNS)),
              st.lists(st.lists(cell, min_size=0, max_size=10), max_size=5),
              st.sampled_from(["\n", "\r\n", "\r"]), st.sampled_from(["utf-8", "utf-8-sig", "utf-16-le", "latin-1"])),
))
def test_any_file_streams_records_or_is_refused(tmp_path_factory, payload):
    path = tmp_path_factory.mktemp("csv") / "alumni.csv"
    path.write_bytes(payload)
    try:
        source = open_csv(path, ALUMNUS_COLUMNS)
        for record in source.records:
            assert record.line >= 2
            assert record.problem or set(record.values) >= set(ALUMNUS_COLUMNS)
            if not record.problem:
                _accepts_or_bad_row(RULES.alumnus, record.values)
    except FileRefused as refused:
        assert refused.file == "alumni.csv" and refused.reason
