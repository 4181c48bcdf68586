"""Finding 10.3: every alumnus can be looked up, re-issued, withdrawn and erased, whatever the id."""
import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import AuditEvent, Invitation, Response
from tests import factories
from tests.survey_app.admin.conftest import csrf_of
from tests.survey_app.questionnaire.conftest import SMALL_FORM
from tests.survey_app.respondent.conftest import Browser

ODD_IDS = ["PKJ/2020/001", "..", ".", "a/../b", "50%", "id?x=1#y", "spasi di tengah", "ñandú"]


def _person(app, external_id):
    with app.app_context():
        wave = factories.make_wave(factories.make_questionnaire(SMALL_FORM).id)
        alumnus = factories.make_alumnus([], external_id=external_id)
        invitation, token = factories.make_invitation(wave, alumnus)
        return invitation.id, token


def _answered(app, token):
    respondent = Browser(app.test_client())
    respondent.get(f"/s/{token}")
    respondent.submit({"language": "id"})
    respondent.submit({"consent": "yes"})


def _events(app, action):
    with app.app_context():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


@pytest.mark.parametrize("external_id", ODD_IDS)
def test_staff_pages_work_for_any_external_id(app, as_role, external_id):
    invitation_id, token = _person(app, external_id)
    _answered(app, token)
    admin = as_role("admin")
    found = admin.get("/admin/alumni", query_string={"q": external_id})
    assert found.status_code == 302
    page = admin.get(found.headers["Location"])
    assert page.status_code == 200 and external_id in page.get_data(as_text=True).replace("&#39;", "'")
    token_field = csrf_of(page.get_data(as_text=True))
    reissued = admin.post(f"/admin/invitations/{invitation_id}/reissue", data={"csrf_token": token_field})
    assert reissued.status_code == 200
    assert admin.get(found.headers["Location"]).status_code == 200  # the "back" link target
    erased = admin.post(found.headers["Location"] + "/erase", data={"csrf_token": token_field, "reason": "by phone"})
    assert erased.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 0
        assert db.session.get(Invitation, invitation_id).status == "withdrawn"
    assert [e.target for e in _events(app, "personal_data.erase")] == [f"alumnus:{external_id}"]


@pytest.mark.parametrize("external_id", ["PKJ/2020/001", ".."])
def test_cli_show_withdraw_and_erase_any_external_id(app, runner, external_id):
    invitation_id, token = _person(app, external_id)
    _answered(app, token)
    shown = runner.invoke(args=["alumni", "show", external_id])
    assert shown.exit_code == 0 and external_id in shown.output and "w1" in shown.output
    assert [e.target for e in _events(app, "personal_data.view")] == [f"alumnus:{external_id}"]

    withdrawn = runner.invoke(args=["alumni", "withdraw", external_id, "--reason", "WhatsApp 2026-11-29"])
    assert withdrawn.exit_code == 0, withdrawn.output
    assert app.test_client().get(f"/s/{token}").status_code == 410
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1  # answers kept
    assert _events(app, "personal_data.withdraw")[0].detail["reason"] == "WhatsApp 2026-11-29"

    erased = runner.invoke(args=["alumni", "erase", external_id, "--yes"], input="e-mail of 2026-11-30\n")
    assert erased.exit_code == 0, erased.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 0
    event = _events(app, "personal_data.erase")[0]
    assert event.detail["reason"] == "e-mail of 2026-11-30" and event.actor.startswith("cli:")


def test_cli_erase_asks_for_a_reason_and_refuses_without_one(app, runner):
    _invitation_id, token = _person(app, "PKJ/2020/002")
    _answered(app, token)
    refused = runner.invoke(args=["alumni", "erase", "PKJ/2020/002", "--yes"], input="\n")
    assert refused.exit_code != 0 and "reason" in refused.output
    not_confirmed = runner.invoke(args=["alumni", "erase", "PKJ/2020/002", "--reason", "asked"], input="n\n")
    assert not_confirmed.exit_code != 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1
    assert not _events(app, "personal_data.erase")


@pytest.mark.parametrize("command", ["show", "withdraw", "erase"])
def test_cli_names_an_unknown_external_id(runner, command):
    result = runner.invoke(args=["alumni", command, "NOPE/1", "--reason", "x"] if command != "show"
                           else ["alumni", command, "NOPE/1"])
    assert result.exit_code != 0 and "no alumnus with external id 'NOPE/1'" in result.output
