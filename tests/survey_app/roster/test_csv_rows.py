"""Row rules: normalisation of phones, sexes and e-mails; plausibility bounds."""
from __future__ import annotations

from datetime import date

import pytest

from survey_app.roster.csv_rows import BadRow, RowRules, normalise_email, normalise_phone


@pytest.mark.parametrize("raw", [
    "081234567890", "81234567890", "6281234567890", "+6281234567890", "+62 812-3456-7890",
    "(0812) 3456.7890", "0062 812 3456 7890", "+62 0812 3456 7890",
])
def test_indonesian_phone_numbers_are_normalised_to_plus_62(raw):
    assert normalise_phone(raw) == "+6281234567890"


@pytest.mark.parametrize("raw", [
    "+1 415 555 0100", "0812", "08123456789012345", "0812-ABC-7890", "０８１２３４５６７８９",
])
def test_implausible_phone_numbers_are_refused(raw):
    with pytest.raises(ValueError):
        normalise_phone(raw)


def test_email_domain_is_lower_cased_but_local_part_kept():
    assert normalise_email("Budi.Santoso@Gmail.COM") == "Budi.Santoso@gmail.com"


@pytest.mark.parametrize(("raw", "sex"), [("L", "M"), ("p", "F"), ("M", "M"), ("f", "F"),
                                          ("Laki-laki", "M"), ("Perempuan", "F")])
def test_sex_accepts_indonesian_and_english_codes(raw, sex):
    row = RowRules().alumnus({"external_id": "X", "name": "Y", "sex": raw})
    assert row["sex"] == sex


def test_birth_year_bounds_follow_today():
    rules = RowRules(today=date(2026, 6, 1))
    assert rules.alumnus({"external_id": "X", "name": "Y", "birth_year": "2011"})["birth_year"] == 2011
    with pytest.raises(BadRow, match="expected 1930..2011"):
        rules.alumnus({"external_id": "X", "name": "Y", "birth_year": "2012"})


def test_every_problem_of_a_row_is_reported_together():
    with pytest.raises(BadRow) as caught:
        RowRules().alumnus({"external_id": "", "name": "Y", "province": "00", "sex": "?"})
    assert len(caught.value.problems) == 3


def test_overlong_hostile_values_are_shortened_in_messages():
    with pytest.raises(BadRow) as caught:
        RowRules().alumnus({"external_id": "X", "name": "Y", "province": "=" * 500})
    assert len(str(caught.value)) < 120
