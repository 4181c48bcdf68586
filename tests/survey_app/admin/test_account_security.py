"""Finding 10.7 (no account discovery through login) and 10.10 (sessions, account administration)."""
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from survey_app.accounts import service
from survey_app.accounts.service import MAX_FAILED_LOGINS
from survey_app.extensions import db
from survey_app.models import AdminUser, AuditEvent
from survey_app.models.types import utcnow
from tests.survey_app.admin.conftest import PASSWORD, csrf_of, login


def _user(app, email):
    with app.app_context():
        return db.session.scalar(select(AdminUser).where(AdminUser.email == email))


def _actions(app):
    with app.app_context():
        return [(e.action, e.target) for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def _lock(app, email):
    with app.app_context():
        user = db.session.scalar(select(AdminUser).where(AdminUser.email == email))
        user.locked_until = utcnow() + timedelta(minutes=10)
        db.session.commit()


def _deactivate(app, email):
    with app.app_context():
        db.session.scalar(select(AdminUser).where(AdminUser.email == email)).active = False
        db.session.commit()


def _flash(response) -> str:
    html = response.get_data(as_text=True)
    start = html.index('class="flash')
    return html[start:html.index("</p>", start)]


# -- 7: enumeration ----------------------------------------------------------------------------
def test_locked_unknown_inactive_and_wrong_logins_get_the_same_answer(app, staff):
    _lock(app, staff["viewer"])
    _deactivate(app, staff["researcher"])
    answers = {
        "locked, right password": login(app.test_client(), staff["viewer"]),
        "locked, wrong password": login(app.test_client(), staff["viewer"], "wrong password!"),
        "inactive": login(app.test_client(), staff["researcher"]),
        "unknown": login(app.test_client(), "nobody@example.org", "some password"),
        "wrong password": login(app.test_client(), staff["admin"], "wrong password!"),
    }
    assert {r.status_code for r in answers.values()} == {401}
    assert len({_flash(r) for r in answers.values()}) == 1, {k: _flash(r) for k, r in answers.items()}


def test_the_locking_attempt_itself_gives_the_same_answer(app, staff):
    answers = [login(app.test_client(), staff["viewer"], "wrong password!") for _ in range(MAX_FAILED_LOGINS)]
    assert len({_flash(r) for r in answers}) == 1
    assert _user(app, staff["viewer"]).locked_until is not None


def test_every_refusal_computes_one_password_hash(app, staff, monkeypatch):
    calls = []
    real_verify = service.verify_password
    monkeypatch.setattr(service, "verify_password", lambda h, p: calls.append(1) or real_verify(h, p))
    _lock(app, staff["viewer"])
    _deactivate(app, staff["researcher"])
    service._dummy_hash()  # made once per process, outside what we count
    for email, password in [(staff["viewer"], PASSWORD), (staff["researcher"], PASSWORD),
                            ("nobody@example.org", "x"), (staff["admin"], "wrong")]:
        calls.clear()
        with app.app_context(), pytest.raises(service.LoginRefused):
            service.authenticate(email, password)
        assert len(calls) == 1, email


def test_refusals_take_about_as_long_whatever_the_reason(app):
    """Production argon2 costs: a locked account used to answer ~12x faster than an unknown one."""
    app.config["ARGON2_PROFILE"] = "default"
    with app.app_context():
        for email in ("locked@example.org", "real@example.org"):
            service.create_user(email, "viewer", PASSWORD)
        service._dummy_hash()
    _lock(app, "locked@example.org")

    def fastest_seconds(email, password):
        # The fastest of a few tries: scheduling noise on a shared machine only adds time.
        times = []
        for _ in range(5):
            with app.app_context():
                start = time.perf_counter()
                with pytest.raises(service.LoginRefused):
                    service.authenticate(email, password)
                times.append(time.perf_counter() - start)
        return min(times)

    timings = {"locked": fastest_seconds("locked@example.org", PASSWORD),
               "unknown": fastest_seconds("nobody@example.org", PASSWORD),
               "wrong": fastest_seconds("real@example.org", "wrong password!")}
    fastest, slowest = min(timings.values()), max(timings.values())
    assert slowest < 3 * fastest, timings  # generous; before the fix a locked account was ~12x faster


# -- 10: server-side logout --------------------------------------------------------------------
def test_a_copied_session_cookie_stops_working_after_logout(app, staff):
    client = app.test_client()
    login(client, staff["admin"])
    cookie = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    assert thief.get("/admin/audit").status_code == 200
    page = client.get("/admin/").get_data(as_text=True)
    assert client.post("/admin/logout", data={"csrf_token": csrf_of(page)}).status_code == 302
    response = thief.get("/admin/audit")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]
    assert ("logout", staff["admin"]) in _actions(app)


# -- 10: accounts from the command line ---------------------------------------------------------
def test_users_cli_deactivates_and_ends_sessions_at_once(app, runner, staff):
    client = app.test_client()
    login(client, staff["researcher"])
    result = runner.invoke(args=["users", "deactivate", staff["researcher"]])
    assert result.exit_code == 0, result.output
    assert client.get("/admin/").status_code == 302
    assert login(app.test_client(), staff["researcher"]).status_code == 401
    assert runner.invoke(args=["users", "activate", staff["researcher"]]).exit_code == 0
    assert login(app.test_client(), staff["researcher"]).status_code == 302
    actions = [a for a, _ in _actions(app)]
    assert "user.deactivate" in actions and "user.activate" in actions


def test_users_cli_unlocks(app, runner, staff):
    _lock(app, staff["viewer"])
    assert "locked" in runner.invoke(args=["users", "list"]).output
    assert runner.invoke(args=["users", "unlock", staff["viewer"]]).exit_code == 0
    assert login(app.test_client(), staff["viewer"]).status_code == 302
    assert ("user.unlock", staff["viewer"]) in _actions(app)


def test_users_cli_resets_a_password_and_ends_sessions(app, runner, staff):
    client = app.test_client()
    login(client, staff["viewer"])
    result = runner.invoke(args=["users", "reset-password", staff["viewer"]])
    assert result.exit_code == 0
    new_password = result.output.split("password: ")[1].strip()
    assert client.get("/admin/").status_code == 302
    assert login(app.test_client(), staff["viewer"]).status_code == 401
    assert login(app.test_client(), staff["viewer"], new_password).status_code == 302
    given = runner.invoke(args=["users", "reset-password", staff["viewer"], "--password-stdin"],
                          input="another long passphrase\n")
    assert given.exit_code == 0 and "another long passphrase" not in given.output
    short = runner.invoke(args=["users", "reset-password", staff["viewer"], "--password-stdin"], input="short\n")
    assert short.exit_code != 0 and "at least 12" in short.output
    assert [a for a, t in _actions(app) if t == staff["viewer"]].count("user.password_reset") == 2


@pytest.mark.parametrize("command", ["deactivate", "activate", "unlock", "reset-password"])
def test_users_cli_names_a_missing_account(runner, staff, command):
    result = runner.invoke(args=["users", command, "ghost@example.org"])
    assert result.exit_code != 0 and "no account for ghost@example.org" in result.output


def test_the_last_admin_cannot_be_deactivated(runner, staff):
    result = runner.invoke(args=["users", "deactivate", staff["admin"]])
    assert result.exit_code != 0 and "last active admin" in result.output


# -- 10: the same on the staff site -----------------------------------------------------------
def _post_action(client, url):
    token = csrf_of(client.get("/admin/users").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token})


def test_admin_deactivates_reactivates_unlocks_and_resets_on_the_staff_site(app, as_role, staff):
    victim = app.test_client()
    login(victim, staff["viewer"])
    admin = as_role("admin")
    user_id = _user(app, staff["viewer"]).id
    assert staff["viewer"] in admin.get("/admin/users").get_data(as_text=True)

    assert _post_action(admin, f"/admin/users/{user_id}/deactivate").status_code == 303
    assert victim.get("/admin/").status_code == 302
    assert not _user(app, staff["viewer"]).active
    assert _post_action(admin, f"/admin/users/{user_id}/activate").status_code == 303
    assert _user(app, staff["viewer"]).active

    _lock(app, staff["viewer"])
    assert "locked" in admin.get("/admin/users").get_data(as_text=True) or \
        "terkunci" in admin.get("/admin/users").get_data(as_text=True)
    assert _post_action(admin, f"/admin/users/{user_id}/unlock").status_code == 303
    assert _user(app, staff["viewer"]).locked_until is None

    reset = _post_action(admin, f"/admin/users/{user_id}/reset-password")
    assert reset.status_code == 200 and reset.headers["Cache-Control"] == "no-store"
    html = reset.get_data(as_text=True)
    new_password = html.split('id="new-password"')[0].rsplit('value="', 1)[1].split('"')[0]
    assert login(app.test_client(), staff["viewer"], new_password).status_code == 302
    admin_email = staff["admin"]
    with app.app_context():
        events = {e.action: e.actor for e in db.session.scalars(select(AuditEvent))}
    for action in ("user.deactivate", "user.activate", "user.unlock", "user.password_reset"):
        assert events[action] == admin_email


def test_staff_site_refuses_to_deactivate_the_last_admin(app, as_role, staff):
    admin = as_role("admin")
    response = _post_action(admin, f"/admin/users/{_user(app, staff['admin']).id}/deactivate")
    assert response.status_code == 303
    assert _user(app, staff["admin"]).active
    assert "last active admin" in admin.get("/admin/users").get_data(as_text=True)


@pytest.mark.parametrize("action", ["deactivate", "activate", "unlock", "reset-password"])
def test_account_actions_need_a_csrf_token(app, as_role, staff, action):
    admin = as_role("admin")
    response = admin.post(f"/admin/users/{_user(app, staff['viewer']).id}/{action}")
    assert response.status_code == 400
    assert _user(app, staff["viewer"]).active


def test_account_action_on_a_missing_account_is_404(as_role):
    admin = as_role("admin")
    assert _post_action(admin, "/admin/users/99999/unlock").status_code == 404
