"""The live wave dashboard: funnel overall and by province, training category and cohort."""
from sqlalchemy import update

from survey_app.extensions import db
from survey_app.models import Invitation, Wave
from survey_app.monitoring.stats import wave_stats
from tests import factories
from tests.survey_app.questionnaire.conftest import SMALL_FORM
from tests.survey_app.respondent.conftest import Browser


def _wave_with_people(app):
    with app.app_context():
        q = factories.make_questionnaire(SMALL_FORM)
        wave = factories.make_wave(q.id)
        it = factories.make_training("T-IT", "Excel", "it")
        fb = factories.make_training("T-FB", "Kopi", "food_beverage")
        fb2 = factories.make_training("T-FB2", "Roti", "food_beverage")
        people = [
            factories.make_alumnus([it, fb], province_code="31", cohort="G01"),
            factories.make_alumnus([fb, fb2], province_code="31", cohort="G02"),
            factories.make_alumnus([it], province_code="32", cohort="G02"),
        ]
        tokens = []
        for person, status in zip(people, ["submitted", "partial", "issued"]):
            invitation, token = factories.make_invitation(wave, person, status=status)
            tokens.append(token)
        return wave.id, tokens


def test_funnel_counts_each_alumnus_once_per_category(app):
    wave_id, _ = _wave_with_people(app)
    with app.app_context():
        stats = wave_stats(db.session.get(Wave, wave_id))
        assert stats.total.invited == 3 and stats.total.count("submitted") == 1
        assert stats.total.count("opened") == 2  # partial and submitted had opened
        by_category = {f.label: f for f in stats.by_category}
        assert by_category["food_beverage"].invited == 2  # two trainings, one person
        assert by_category["it"].count("submitted") == 1
        assert {f.label: f.invited for f in stats.by_province} == {"31": 2, "32": 1}
        assert [f.label for f in stats.by_cohort] == ["G01", "G02"]


def test_withdrawn_counts_as_declined_and_revoked_is_not_invited(app):
    wave_id, _ = _wave_with_people(app)
    with app.app_context():
        ids = [i for (i,) in db.session.query(Invitation.id).order_by(Invitation.id)]
        db.session.execute(update(Invitation).where(Invitation.id == ids[0]).values(status="withdrawn"))
        db.session.execute(update(Invitation).where(Invitation.id == ids[2]).values(status="revoked"))
        db.session.commit()
        stats = wave_stats(db.session.get(Wave, wave_id))
        assert stats.total.invited == 2 and stats.total.count("declined") == 1


def test_dashboard_moves_while_someone_answers(app, client, as_role):
    wave_id, tokens = _wave_with_people(app)
    staff = as_role("viewer")
    before = staff.get(f"/admin/waves/{wave_id}?fragment=1").get_data(as_text=True)
    assert 'data-stat="submitted">1<' in before
    respondent = Browser(app.test_client())
    respondent.get(f"/s/{tokens[2]}")
    for answers in ({"language": "id"}, {"consent": "yes"}, {"birth_year": "1990", "has_business": "no"},
                    {"finished": ["T-IT"]}, {"useful__T-IT": "2"}, {}):
        respondent.submit(answers)
    assert "Terima kasih" in respondent.text()
    after = staff.get(f"/admin/waves/{wave_id}?fragment=1").get_data(as_text=True)
    assert 'data-stat="submitted">2<' in after
    assert "<html" not in after  # the fragment the page polls is just the stats block


def test_unknown_wave_is_404(as_role):
    assert as_role("admin").get("/admin/waves/9999").status_code == 404
