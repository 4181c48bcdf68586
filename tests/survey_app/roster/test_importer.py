"""The import service: chunked streaming and in-memory sources."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Alumnus, Enrollment
from survey_app.roster import importer
from survey_app.roster.csv_files import records_from_dicts
from survey_app.roster.importer import import_roster, import_roster_files


def alumni_dicts(n: int):
    for i in range(n):
        yield {"external_id": f"PKJ{i:04d}", "name": f"Nama {i}", "phone": "", "email": "",
               "province": "32", "sex": "F", "birth_year": "1990", "cohort": "G01"}


def test_rows_are_read_and_written_chunk_by_chunk(app, roster, monkeypatch):
    writes = []
    original = importer._ImportRun._write

    def spy(self, table, inserts, updates):
        writes.append((table.name, len(inserts)))
        return original(self, table, inserts, updates)

    monkeypatch.setattr(importer._ImportRun, "_write", spy)
    with app.app_context():
        report = import_roster_files(db.engine, chunk_size=2, **roster)

    assert report.committed and report.ok
    assert writes == [("trainings", 2), ("alumni", 2), ("alumni", 1), ("enrollments", 2), ("enrollments", 2)]


def test_small_chunks_give_the_same_result_as_one_chunk(app, write_csv):
    rows = list(alumni_dicts(7)) + [dict(next(alumni_dicts(1)), name="again")]  # duplicate across chunks
    with app.app_context():
        report = import_roster(db.engine, alumni=records_from_dicts("alumni", rows),
                               enrollments=None, chunk_size=3)
        stored = db.session.scalar(select(func.count()).select_from(Alumnus))

    assert (report.files[0].inserted, report.files[0].refused) == (7, 1)
    assert str(report.errors[0]) == "alumni line 9: duplicate external_id 'PKJ0000' (first on line 2)"
    assert stored == 7


def test_generated_rows_can_be_imported_without_csv_files(app):
    enrollments = ({"external_id": a["external_id"], "training_code": "TRN-1", "completed_at": ""}
                   for a in alumni_dicts(5))
    trainings = [{"code": "TRN-1", "title": "Judul", "provider": "", "category": "it", "description": ""}]
    with app.app_context():
        report = import_roster(db.engine, trainings=records_from_dicts("trainings", trainings),
                               alumni=records_from_dicts("alumni", alumni_dicts(5)),
                               enrollments=records_from_dicts("enrollments", enrollments))
        stored = db.session.scalar(select(func.count()).select_from(Enrollment))

    assert report.ok and stored == 5


def test_lookups_of_many_keys_stay_within_sqlite_variable_limit(app):
    with app.app_context():
        report = import_roster(db.engine, alumni=records_from_dicts("alumni", alumni_dicts(2500)),
                               enrollments=None, chunk_size=2500)
        again = import_roster(db.engine, alumni=records_from_dicts("alumni", alumni_dicts(2500)),
                              enrollments=None, chunk_size=2500)

    assert report.files[0].inserted == 2500
    assert again.files[0].unchanged == 2500


def test_a_failure_while_storing_rolls_everything_back(app, roster, monkeypatch):
    calls = []
    original = importer._ImportRun._write

    def failing(self, table, inserts, updates):
        calls.append(table.name)
        if len(calls) == 3:
            raise RuntimeError("connection lost")
        return original(self, table, inserts, updates)

    monkeypatch.setattr(importer._ImportRun, "_write", failing)
    with app.app_context():
        with pytest.raises(RuntimeError, match="connection lost"):
            import_roster_files(db.engine, chunk_size=1, **roster)
        stored = db.session.scalar(select(func.count()).select_from(Alumnus))

    assert stored == 0
