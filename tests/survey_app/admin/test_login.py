"""Staff login: wrong passwords, locked accounts, rate limits, sessions."""
import pytest
from sqlalchemy import select

from survey_app.accounts.service import MAX_FAILED_LOGINS
from survey_app.extensions import db
from survey_app.models import AdminUser, AuditEvent
from tests.survey_app.admin.conftest import PASSWORD, csrf_of, login


def test_login_with_the_right_password_opens_the_dashboard(client, staff):
    response = login(client, staff["admin"])
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(app, client, staff):
    wrong = login(client, staff["admin"], "not the password")
    unknown = login(client, "nobody@example.org", "whatever password")
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong e-mail or password" in wrong.get_data(as_text=True) or \
        "salah" in wrong.get_data(as_text=True)
    with app.app_context():
        actions = [e.action for e in db.session.scalars(select(AuditEvent))]
        assert actions.count("login.failed") == 2


def test_account_locks_after_repeated_failures_even_with_the_right_password(app, client, staff):
    for _ in range(MAX_FAILED_LOGINS):
        login(client, staff["viewer"], "wrong password!!")
    response = login(client, staff["viewer"])
    assert response.status_code == 401
    with app.app_context():
        user = db.session.scalar(select(AdminUser).where(AdminUser.email == staff["viewer"]))
        assert user.locked_until is not None


def test_login_attempts_are_rate_limited_per_address(client, staff):
    codes = [login(client, f"x{i}@example.org", "bad password").status_code for i in range(12)]
    assert codes[-1] == 429


def test_login_form_without_csrf_is_refused(client, staff):
    response = client.post("/admin/login", data={"email": staff["admin"], "password": PASSWORD})
    assert response.status_code == 400


def test_password_change_logs_out_other_sessions(app, staff):
    first, second = app.test_client(), app.test_client()
    login(first, staff["researcher"])
    login(second, staff["researcher"])
    page = first.get("/admin/password").get_data(as_text=True)
    response = first.post("/admin/password", data={"current": PASSWORD, "new": "a brand new passphrase",
                                                   "repeat": "a brand new passphrase", "csrf_token": csrf_of(page)})
    assert response.status_code == 302
    assert first.get("/admin/").status_code == 200      # this session continues
    assert second.get("/admin/").status_code == 302     # the other one is logged out


def test_open_redirect_after_login_is_ignored(client, staff):
    page = client.get("/admin/login").get_data(as_text=True)
    response = client.post("/admin/login?next=https://evil.example/x",
                           data={"email": staff["admin"], "password": PASSWORD, "csrf_token": csrf_of(page)})
    assert response.headers["Location"].endswith("/admin/")


def test_users_cli_creates_with_generated_password_and_refuses_duplicates(runner):
    result = runner.invoke(args=["users", "create", "new@example.org", "--role", "researcher"])
    assert result.exit_code == 0 and "password: " in result.output
    again = runner.invoke(args=["users", "create", "new@example.org", "--role", "viewer"])
    assert again.exit_code != 0 and "already exists" in again.output
    short = runner.invoke(args=["users", "create", "b@example.org", "--role", "viewer", "--password-stdin"],
                          input="short\n")
    assert short.exit_code != 0 and "at least 12" in short.output


def test_role_change_is_audited_and_ends_sessions(app, runner, client, staff):
    login(client, staff["viewer"])
    result = runner.invoke(args=["users", "set-role", staff["viewer"], "--role", "researcher"])
    assert result.exit_code == 0
    assert client.get("/admin/").status_code == 302
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.role_change"))
        assert event.detail["from"] == "viewer" and event.detail["to"] == "researcher"


@pytest.mark.parametrize(("role", "sees_new_wave"), [("admin", True), ("viewer", False)])
def test_staff_templates_read_the_logged_in_user(as_role, role, sees_new_wave):
    """``current_user`` reaches staff templates (Flask-Login's eager context processor is off)."""
    page = as_role(role).get("/admin/").get_data(as_text=True)
    assert ("/admin/waves/new" in page) is sees_new_wave
