"""Waves on the staff site: the create form (follow-up waves), the follow-up form, panel status."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEvent, Wave
from tests import factories
from tests.survey_app.admin.conftest import csrf_of
from tests.survey_app.questionnaire.conftest import SMALL_FORM


@pytest.fixture
def english(as_role):
    """``english(role)``: a logged-in client that asked for the English interface."""
    def login(role: str):
        client = as_role(role)
        client.set_cookie("jejak_lang", "en")
        return client
    return login


@pytest.fixture
def earlier(app):
    """A questionnaire and wave 'W1'; returns (questionnaire id, wave id)."""
    with app.app_context():
        q = factories.make_questionnaire(SMALL_FORM)
        wave = factories.make_wave(q.id, "W1")
        db.session.commit()
        return q.id, wave.id


def post_new(client, **fields):
    token = csrf_of(client.get("/admin/waves/new").get_data(as_text=True))
    return client.post("/admin/waves/new", data={"csrf_token": token, **fields})


def waves(app) -> dict[str, str | None]:
    with app.app_context():
        return {w.name: (w.follow_up_of.name if w.follow_up_of else None)
                for w in db.session.scalars(select(Wave))}


def test_admin_creates_a_follow_up_wave(app, english, earlier):
    client = english("admin")
    qid, w1 = earlier

    response = post_new(client, name="W2", questionnaire=str(qid), follow_up_of=str(w1), opens="", closes="")

    assert response.status_code == 303
    assert waves(app) == {"W1": None, "W2": "W1"}
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Follow-up of" in page and ">W1</a>" in page
    assert "Panel status" in page
    home = client.get("/admin/").get_data(as_text=True)
    assert "follow-up of W1" in home
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "wave.create")).one()
        assert event.detail["follow_up_of"] == "W1"


@pytest.mark.parametrize(("fields", "message"), [
    ({"follow_up_of": "999"}, "the earlier wave &#39;999&#39; does not exist"),
    ({"name": "W1"}, "a wave named &#39;W1&#39; already exists"),
    ({"questionnaire": "999"}, "no questionnaire with id or name &#39;999&#39;"),
    ({"opens": "besok"}, "Opens &#39;besok&#39; is not an ISO 8601 date"),
    ({"opens": "2024-06-01", "closes": "2024-05-01"}, "the wave must close after it opens"),
    ({"name": "W\u200b2"}, "invisible or control character"),
])
def test_bad_wave_requests_get_a_400_with_the_reason(app, english, earlier, fields, message):
    client = english("admin")
    qid, _ = earlier
    data = {"name": "W2", "questionnaire": str(qid), "follow_up_of": "", "opens": "", "closes": "", **fields}

    response = post_new(client, **data)

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html, re.findall(r'role="alert">([^<]*)', html)
    assert set(waves(app)) == {"W1"}


def test_refusal_is_in_the_staff_members_language(app, as_role, earlier):
    client = as_role("admin")  # no language asked for: Bahasa Indonesia
    qid, _ = earlier

    response = post_new(client, name="W2", questionnaire=str(qid), follow_up_of="999", opens="", closes="")

    assert response.status_code == 400
    assert "gelombang sebelumnya &#39;999&#39; tidak ada" in response.get_data(as_text=True)


def test_non_numeric_choice_is_a_400(app, as_role, earlier):
    client = as_role("admin")
    qid, _ = earlier
    response = post_new(client, name="W2", questionnaire=str(qid), follow_up_of="W1", opens="", closes="")
    assert response.status_code == 400
    assert set(waves(app)) == {"W1"}


def follow_up(client, wave_id: int, earlier: str):
    token = csrf_of(client.get(f"/admin/waves/{wave_id}").get_data(as_text=True))
    return client.post(f"/admin/waves/{wave_id}/follow-up", data={"csrf_token": token, "follow_up_of": earlier})


def test_circular_chain_is_refused_on_the_staff_site(app, english, earlier):
    client = english("admin")
    qid, w1 = earlier
    with app.app_context():
        w2 = factories.make_wave(qid, "W2")
        w2.follow_up_of_id = w1
        db.session.commit()
        w2_id = w2.id

    response = follow_up(client, w1, str(w2_id))

    assert response.status_code == 400
    assert "the chain would be circular (W1 → W2 → W1)" in response.get_data(as_text=True)
    assert waves(app) == {"W1": None, "W2": "W1"}


def test_follow_up_is_set_then_frozen_by_invitations(app, english, earlier):
    client = english("admin")
    qid, w1 = earlier
    with app.app_context():
        w2 = factories.make_wave(qid, "W2")
        db.session.commit()
        w2_id = w2.id

    assert follow_up(client, w2_id, str(w1)).status_code == 303
    assert waves(app)["W2"] == "W1"
    with app.app_context():
        factories.make_invitation(db.session.get(Wave, w2_id), factories.make_alumnus())
    page = client.get(f"/admin/waves/{w2_id}").get_data(as_text=True)
    assert "/follow-up" not in page  # the form is gone once invited
    token = csrf_of(client.get("/admin/waves/new").get_data(as_text=True))  # a crafted POST
    response = client.post(f"/admin/waves/{w2_id}/follow-up", data={"csrf_token": token, "follow_up_of": ""})
    assert response.status_code == 400
    assert "already has invitations" in response.get_data(as_text=True)
    assert waves(app)["W2"] == "W1"


def test_panel_status_on_the_dashboard(app, english, earlier):
    client = english("viewer")
    qid, w1 = earlier
    with app.app_context():
        first = db.session.get(Wave, w1)
        w2 = factories.make_wave(qid, "W2")
        w2.follow_up_of = first
        food = factories.make_training(category="food_beverage")
        both, gone = factories.make_alumnus([food]), factories.make_alumnus([food])
        factories.make_invitation(first, both, status="submitted")
        factories.make_invitation(first, gone, status="submitted")
        factories.make_invitation(w2, both, status="submitted")
        factories.make_invitation(w2, gone, status="issued")
        w2_id = w2.id

    html = client.get(f"/admin/waves/{w2_id}?fragment=1").get_data(as_text=True)

    assert "Answered W1 and W2" in html
    assert "1 · 50.0%" in html  # one of two answered both, one only W1
    plain = client.get(f"/admin/waves/{w1}?fragment=1").get_data(as_text=True)
    assert "Panel status" not in plain
