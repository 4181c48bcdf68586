"""Builders for test data with sensible defaults (call inside an app context)."""
from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

from survey_app.extensions import db
from survey_app.models import (
    Alumnus,
    AlumnusCategory,
    Enrollment,
    Invitation,
    Response,
    SectorCode,
    Training,
    Wave,
)
from survey_app.questionnaire.service import store_new_version
from survey_app.tokens import hash_token, new_token

_counter = itertools.count(1)


def make_training(code: str | None = None, title: str = "Pelatihan", category: str = "sales_marketing") -> Training:
    training = Training(code=code or f"TRN-{next(_counter):04d}", title=title, provider="Penyedia Uji",
                        category=category)
    db.session.add(training)
    db.session.flush()
    return training


def make_alumnus(trainings: list[Training] = (), **fields) -> Alumnus:
    number = next(_counter)
    defaults = {"external_id": f"EXT{number:06d}", "name": f"Alumni {number}", "phone": "+628120000000",
                "email": f"a{number}@example.org", "province_code": "31", "sex": "F", "birth_year": 1995,
                "cohort": "G01"}
    alumnus = Alumnus(**{**defaults, **fields})
    db.session.add(alumnus)
    db.session.flush()
    for training in trainings:
        db.session.add(Enrollment(alumnus_id=alumnus.id, training_id=training.id, completed_at=date(2021, 3, 1)))
    for category in sorted({t.category for t in trainings}):  # what a roster import derives
        db.session.add(AlumnusCategory(alumnus_id=alumnus.id, category=category))
    db.session.flush()
    return alumnus


def make_questionnaire(source: str):
    """Store a questionnaire definition (commits)."""
    return store_new_version(source)


def make_wave(questionnaire_id: int, name: str = "w1", opens_at: datetime | None = None,
              closes_at: datetime | None = None) -> Wave:
    wave = Wave(name=name, questionnaire_id=questionnaire_id, opens_at=opens_at, closes_at=closes_at)
    db.session.add(wave)
    db.session.flush()
    return wave


def make_invitation(wave: Wave, alumnus: Alumnus, status: str = "issued") -> tuple[Invitation, str]:
    """An invitation and its clear-text token (commits)."""
    token = new_token()
    invitation = Invitation(wave_id=wave.id, alumnus_id=alumnus.id, token_hash=hash_token(token), status=status)
    db.session.add(invitation)
    db.session.commit()
    return invitation, token


def make_resendable_invitation(wave: Wave, alumnus: Alumnus, status: str = "issued") -> tuple[Invitation, str]:
    """An invitation with a nonce-derived (resendable) link, and its clear-text token (commits)."""
    from survey_app.links import new_link

    link = new_link()
    invitation = Invitation(wave_id=wave.id, alumnus_id=alumnus.id, token_hash=link.token_hash,
                            token_nonce=link.nonce, status=status)
    db.session.add(invitation)
    db.session.commit()
    return invitation, link.token


def make_sector_code(invitation: Invitation, text: str, status: str = "review",
                     suggestions: list | None = None) -> SectorCode:
    """A submitted response to ``invitation`` whose business description awaits coding."""
    now = datetime.now(UTC)
    response = Response(invitation_id=invitation.id, answers={"business_description": text}, language="id",
                        started_at=now, updated_at=now, submitted_at=now)
    db.session.add(response)
    db.session.flush()
    code = SectorCode(response_id=response.id, question="business_description", text=text, kbli5="56303",
                      division="56", section="I", confidence=0.4, status=status, model_version="test",
                      suggestions=suggestions or [["56", 0.4], ["47", 0.3], ["10", 0.1]])
    db.session.add(code)
    db.session.flush()
    return code
