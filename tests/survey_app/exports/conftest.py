"""Data for export tests: a small hand-made wave, and the demo wave of the default questionnaire."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from survey_app.demo.seed import seed_demo
from survey_app.extensions import db
from survey_app.models import Response, Wave
from survey_app.models.types import utcnow
from tests import factories

# Covers every column kind: consent, integer, select_one with word and number choices,
# select_multiple, text, a sensitive amount, a roster-based select_multiple and an each_of.
FORM = textwrap.dedent("""\
    format: jejak-questionnaire/1
    name: export_form
    title: {id: "Survei ekspor", en: "Export survey"}
    languages: [id, en]
    consent: {question: consent, accept: "yes"}
    choice_lists:
      yes_no:
        - {name: "yes", label: {id: "Ya", en: "Yes"}}
        - {name: "no", label: {id: "Tidak", en: "No"}}
      channels:
        - {name: market, label: {id: "Pasar daring", en: "Marketplace"}}
        - {name: wa, label: {id: "WhatsApp", en: "WhatsApp"}}
        - {name: none, label: {id: "Tidak ada", en: "None"}}
      score:
        - {name: "5", label: {id: "Sangat puas", en: "Very satisfied"}}
        - {name: "1", label: {id: "Tidak puas", en: "Dissatisfied"}}
    pages:
      - name: start
        title: {id: "Mulai", en: "Start"}
        questions:
          - {name: consent, type: select_one, choices: yes_no, required: true,
             label: {id: "Bersedia?", en: "Do you agree?"}}
          - {name: intro, type: note, label: {id: "Catatan", en: "Note"}}
      - name: main
        title: {id: "Utama", en: "Main"}
        relevant: "${consent} = 'yes'"
        questions:
          - {name: birth_year, type: integer, label: {id: "Tahun lahir", en: "Birth year"}}
          - {name: channels, type: select_multiple, choices: channels, label: {id: "Saluran", en: "Channels"}}
          - {name: description, type: long_text, label: {id: "Usaha apa?", en: "What business?"}}
          - {name: revenue, type: integer, sensitive: true, label: {id: "Omzet", en: "Revenue"}}
          - {name: satisfaction, type: select_one, choices: score, appearance: likert,
             label: {id: "Puas?", en: "Satisfied?"}}
          - {name: started, type: month_year, label: {id: "Mulai", en: "Started"}}
          - {name: finished, type: select_multiple, choices_from: roster_trainings,
             label: {id: "Selesai", en: "Finished"}}
      - name: more
        title: {id: "Lagi", en: "More"}
        relevant: "${consent} = 'yes'"
        questions:
          - {name: useful, type: select_one, each_of: finished, choices: yes_no,
             label: {id: "Berguna: {item}?", en: "Useful: {item}?"}}
""")


@pytest.fixture
def small_wave(app):
    """Wave 'w1' with three responses; returns a dict of useful ids and values."""
    with app.app_context():
        questionnaire = factories.make_questionnaire(FORM)
        wave = factories.make_wave(questionnaire.id, name="w1")
        t1 = factories.make_training("TRN-1", title="Jualan Online")
        t2 = factories.make_training("TRN-2", title="Excel")
        people = [
            factories.make_alumnus([t1, t2], name="=HYPERLINK(\"http://evil\")", phone="+62811", email="x@example.org"),
            factories.make_alumnus([t1], name="Siti Aminah"),
            factories.make_alumnus([t2], name="Budi"),
        ]
        answers = [
            {"consent": "yes", "birth_year": 1990, "channels": ["market", "wa"], "description": "=1+2 jual kopi",
             "revenue": 3000000, "satisfaction": "5", "started": "2021-04", "finished": ["TRN-1", "TRN-2"],
             "useful": {"TRN-1": "yes", "TRN-2": "no"}},
            {"consent": "yes", "birth_year": 1985, "channels": ["none"], "description": "@cmd jahit", "revenue": 0,
             "satisfaction": "1", "finished": ["TRN-1"], "useful": {"TRN-1": "yes"}},
            {"consent": "no"},
        ]
        ids = []
        for person, given in zip(people, answers):
            invitation, _token = factories.make_invitation(wave, person, status="submitted")
            declined = given["consent"] == "no"
            db.session.add(Response(invitation_id=invitation.id, answers=given, language="id",
                                    submitted_at=None if declined else utcnow(),
                                    declined_at=utcnow() if declined else None))
            ids.append(person.external_id)
        db.session.commit()
        return {"wave": wave.id, "name": "w1", "external_ids": ids}


@pytest.fixture
def demo_wave(app, tmp_path):
    """The default questionnaire's demo wave: 50 alumni, 40 responses."""
    with app.app_context():
        seed_demo(alumni=50, responses=40, seeds_dir=Path(app.config["SEEDS_DIR"]), work_dir=tmp_path,
                  base_url="http://survey.test", sample_links=0)
        wave = db.session.query(Wave).filter_by(name="demo").one()
        return {"wave": wave.id, "name": "demo"}
