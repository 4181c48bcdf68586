"""Fixtures for waves and invitations: stored questionnaires, alumni and a wave."""
from __future__ import annotations

import pytest

from survey_app.extensions import db
from survey_app.models import Alumnus, Questionnaire, Wave


def _definition(name: str) -> dict:
    """A valid one-question definition: wave creation compiles it (follow-up checks read it)."""
    return {"format": "jejak-questionnaire/1", "name": name, "languages": ["id", "en"],
            "title": {"id": name, "en": name},
            "pages": [{"name": "p1", "title": {"id": "Halaman", "en": "Page"},
                       "questions": [{"name": "q1", "type": "text", "label": {"id": "T", "en": "Q"}}]}]}


@pytest.fixture
def questionnaires(app):
    """Two versions of 'tracer' and one 'pulse'; returns their ids by (name, version)."""
    with app.app_context():
        stored = [Questionnaire(name=name, version=version, source="", definition=_definition(name))
                  for name, version in (("tracer", 1), ("tracer", 2), ("pulse", 1))]
        db.session.add_all(stored)
        db.session.commit()
        return {(q.name, q.version): q.id for q in stored}


@pytest.fixture
def add_alumni(app):
    """``add_alumni(n, **fields)`` stores n alumni (PKJ0001…) with the given field values."""
    counter = {"next": 1}

    def add(n: int, **fields):
        with app.app_context():
            for _ in range(n):
                number = counter["next"]
                counter["next"] += 1
                values = {"name": f"Alumnus {number}", "phone": f"+62812000{number:05d}",
                          "email": f"a{number}@example.id", "province_code": "32", "cohort": "G01"}
                values.update(fields)
                db.session.add(Alumnus(external_id=f"PKJ{number:04d}", **values))
            db.session.commit()

    return add


@pytest.fixture
def wave(app, questionnaires):
    """An open wave called 'W1' of tracer v2."""
    with app.app_context():
        db.session.add(Wave(name="W1", questionnaire_id=questionnaires[("tracer", 2)]))
        db.session.commit()
    return "W1"
