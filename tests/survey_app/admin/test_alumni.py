"""Managing one alumnus: look-up, link re-issue (also mid-answer), withdrawal and erasure."""
import re

from sqlalchemy import func, select

from survey_app.alumni.service import find_alumnus
from survey_app.extensions import db
from survey_app.models import AuditEvent, Invitation, Response
from tests import factories
from tests.survey_app.admin.conftest import csrf_of
from tests.survey_app.questionnaire.conftest import SMALL_FORM
from tests.survey_app.respondent.conftest import Browser


def _person(app, with_invitation: bool = True):
    with app.app_context():
        q = factories.make_questionnaire(SMALL_FORM)
        wave = factories.make_wave(q.id)
        alumnus = factories.make_alumnus([factories.make_training("TRN-A", "Barista", "food_beverage")])
        token = invitation_id = None
        if with_invitation:
            invitation, token = factories.make_invitation(wave, alumnus)
            invitation_id = invitation.id
        db.session.commit()
        return alumnus.external_id, invitation_id, token


def _url(app, external_id):
    """The staff page of the alumnus (addressed by database id: external ids may hold '/')."""
    with app.app_context():
        return f"/admin/alumni/{find_alumnus(external_id).id}"


def _audit(app, action):
    with app.app_context():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_look_up_by_external_id_and_the_view_is_audited(app, as_role):
    external_id, _, _ = _person(app)
    admin = as_role("admin")
    found = admin.get(f"/admin/alumni?q={external_id}")
    assert found.status_code == 302 and found.headers["Location"].endswith(_url(app, external_id))
    assert admin.get(found.headers["Location"]).status_code == 200
    assert [e.target for e in _audit(app, "personal_data.view")] == [f"alumnus:{external_id}"]
    missing = admin.get("/admin/alumni?q=NOPE", follow_redirects=True)
    assert missing.status_code == 200 and "NOPE" in missing.get_data(as_text=True)


def test_reissue_mid_answer_refuses_the_old_link_and_loses_nothing_saved(app, client, as_role):
    external_id, invitation_id, token = _person(app)
    respondent = Browser(app.test_client())
    respondent.get(f"/s/{token}")
    respondent.submit({"language": "id"})
    respondent.submit({"consent": "yes"})  # saved; now on the 'work' page
    admin = as_role("admin")
    page = admin.get(_url(app, external_id)).get_data(as_text=True)
    reissued = admin.post(f"/admin/invitations/{invitation_id}/reissue", data={"csrf_token": csrf_of(page)})
    new_url = re.search(r'value="http://survey\.test(/s/[A-Za-z0-9_-]+)"', reissued.get_data(as_text=True)).group(1)

    respondent.submit({"birth_year": "1990", "has_business": "no"})  # the form still carries the old link
    assert respondent.response.status_code == 410
    with app.app_context():
        response = db.session.scalar(select(Response).where(Response.invitation_id == invitation_id))
        assert response.answers == {"consent": "yes"}  # what was saved stays; nothing half-written
    fresh = Browser(app.test_client())
    fresh.get(new_url)
    assert "Selamat datang kembali" in fresh.text()  # continues with the saved answers
    assert _audit(app, "invitation.reissue")


def test_erasure_withdraws_consent_and_removes_answers(app, as_role):
    external_id, invitation_id, token = _person(app)
    respondent = Browser(app.test_client())
    respondent.get(f"/s/{token}")
    respondent.submit({"language": "id"})
    respondent.submit({"consent": "yes"})
    admin = as_role("admin")
    page = admin.get(_url(app, external_id)).get_data(as_text=True)
    done = admin.post(_url(app, external_id) + "/erase",
                      data={"csrf_token": csrf_of(page), "reason": "WhatsApp request 2026-11-20"})
    assert done.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 0
        assert db.session.get(Invitation, invitation_id).status == "withdrawn"
    assert app.test_client().get(f"/s/{token}").status_code == 410
    event = _audit(app, "personal_data.erase")[0]
    assert event.detail["responses_erased"] == 1 and "WhatsApp" in event.detail["reason"]


def test_erasure_of_a_person_with_no_answers_is_recorded(app, as_role):
    external_id, _, _ = _person(app, with_invitation=False)
    admin = as_role("admin")
    page = admin.get(_url(app, external_id)).get_data(as_text=True)
    done = admin.post(_url(app, external_id) + "/erase", data={"csrf_token": csrf_of(page), "reason": "e-mail"})
    assert done.status_code == 303
    assert _audit(app, "personal_data.erase")[0].detail["responses_erased"] == 0


def test_erasure_needs_a_reason(app, as_role):
    external_id, invitation_id, _ = _person(app)
    admin = as_role("admin")
    page = admin.get(_url(app, external_id)).get_data(as_text=True)
    refused = admin.post(_url(app, external_id) + "/erase", data={"csrf_token": csrf_of(page), "reason": ""})
    assert refused.status_code == 400 and 'id="error-reason"' in refused.get_data(as_text=True)
    assert not _audit(app, "personal_data.erase")
    with app.app_context():
        assert db.session.get(Invitation, invitation_id).status == "issued"
