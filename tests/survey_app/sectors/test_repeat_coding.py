"""Business descriptions inside a repeat page are coded too, one code per instance."""
from datetime import UTC, datetime

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Response, SectorCode, Wave
from survey_app.sectors.service import code_wave, coded_questions
from tests import factories

REPEAT_FORM = """\
format: jejak-questionnaire/1
name: biz_repeat
title: T
languages: [id]
pages:
  - name: p
    title: P
    questions:
      - {name: business_description, type: long_text, label: Usaha, coding: kbli}
      - {name: other_count, type: integer, label: Lainnya}
  - name: others
    title: "Usaha {n}"
    repeat: {count: "${other_count}", max: 2}
    questions:
      - {name: other_description, type: long_text, label: Usaha lain, coding: kbli}
"""


def test_every_instance_is_coded_under_its_own_name(app, default_model):
    with app.app_context():
        wave = factories.make_wave(factories.make_questionnaire(REPEAT_FORM).id)
        invitation, _ = factories.make_invitation(wave, factories.make_alumnus([]))
        now = datetime.now(UTC)
        answers = {"business_description": "warung kopi depan rumah", "other_count": 2,
                   "others": [{"other_description": "ternak lele di kolam terpal"},
                              {"other_description": "jasa desain grafis logo untuk umkm"}]}
        db.session.add(Response(invitation_id=invitation.id, answers=answers, language="id",
                                started_at=now, updated_at=now, submitted_at=now))
        db.session.commit()
        wave = db.session.get(Wave, wave.id)
        assert coded_questions(wave) == ["business_description", "other_description.1", "other_description.2"]
        report = code_wave(wave, model=default_model)
        assert report.total == 3
        coded = dict(db.session.execute(select(SectorCode.question, SectorCode.text)).all())
        assert coded == {"business_description": "warung kopi depan rumah",
                         "other_description.1": "ternak lele di kolam terpal",
                         "other_description.2": "jasa desain grafis logo untuk umkm"}
        assert code_wave(wave, model=default_model).total == 0  # nothing coded twice
