"""What the roster says of demo respondents: their profile and trainings, read in batches."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from survey_app.demo.responses import Profile
from survey_app.extensions import db
from survey_app.models import Alumnus, Enrollment, Training
from survey_app.questionnaire.logic import RosterTraining


def roster_facts(alumni_ids: list[int]) -> tuple[dict[int, Profile], dict[int, list[RosterTraining]]]:
    """Profiles (birth year, sex, province) and trainings, oldest first, of these alumni."""
    profiles: dict[int, Profile] = {}
    trainings: dict[int, list[RosterTraining]] = defaultdict(list)
    for start in range(0, len(alumni_ids), 500):
        batch = alumni_ids[start:start + 500]
        for alumnus in db.session.scalars(select(Alumnus).where(Alumnus.id.in_(batch))):
            profiles[alumnus.id] = Profile(alumnus.birth_year, alumnus.sex, alumnus.province_code)
        rows = db.session.execute(
            select(Enrollment.alumnus_id, Training.code, Training.title, Training.category)
            .join(Training, Training.id == Enrollment.training_id)
            .where(Enrollment.alumnus_id.in_(batch)).order_by(Enrollment.completed_at))
        for alumnus_id, code, title, category in rows:
            trainings[alumnus_id].append(RosterTraining(code, title, category))
    return profiles, trainings
