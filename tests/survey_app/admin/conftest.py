"""Staff accounts of every role and a logged-in client helper."""
from __future__ import annotations

import re

import pytest

from survey_app.accounts.service import create_user

PASSWORD = "correct horse battery"


@pytest.fixture
def staff(app):
    """One account per role; returns role → e-mail."""
    with app.app_context():
        return {role: create_user(f"{role}@example.org", role, PASSWORD).email
                for role in ("admin", "researcher", "viewer")}


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def login(client, email: str, password: str = PASSWORD):
    """Log in through the real login form."""
    page = client.get("/admin/login").get_data(as_text=True)
    return client.post("/admin/login", data={"email": email, "password": password, "csrf_token": csrf_of(page)})


@pytest.fixture
def as_role(client, staff):
    """Log the test client in as the given role: ``as_role('viewer')``."""

    def _login(role: str):
        response = login(client, staff[role])
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return _login
