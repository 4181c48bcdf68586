"""A wave of the small inline questionnaire with one invited alumnus and a page-filling helper."""
from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from bs4 import BeautifulSoup

from tests import factories
from tests.survey_app.questionnaire.conftest import SMALL_FORM


@dataclass
class Link:
    token: str
    invitation_id: int

    @property
    def url(self) -> str:
        return f"/s/{self.token}"


@pytest.fixture
def link(app):
    """An invitation to the small survey for an alumnus with two roster trainings."""
    with app.app_context():
        q = factories.make_questionnaire(SMALL_FORM)
        wave = factories.make_wave(q.id)
        t1 = factories.make_training("TRN-A", "Barista Kopi Dasar", "food_beverage")
        t2 = factories.make_training("TRN-B", "Desain Grafis dengan Canva", "it")
        alumnus = factories.make_alumnus([t1, t2])
        invitation, token = factories.make_invitation(wave, alumnus)
        return Link(token, invitation.id)


class Browser:
    """Fills the real HTML forms the way a person would: reads the page, posts its form."""

    def __init__(self, client):
        self.client = client
        self.page = None
        self.response = None

    def get(self, url: str, **kwargs):
        self.response = self.client.get(url, **kwargs)
        self.page = BeautifulSoup(self.response.get_data(as_text=True), "html.parser")
        return self.response

    def form_fields(self, form) -> dict:
        fields: dict = {}
        for node in form.find_all(["input", "textarea"]):
            name = node.get("name")
            if not name:
                continue
            kind = node.get("type", "text")
            if kind in ("radio", "checkbox"):
                continue  # chosen explicitly by the test, like a person would
            fields[name] = node.text if node.name == "textarea" else node.get("value", "")
        return fields

    def submit(self, values: dict | None = None, form_index: int = 0, follow: bool = True):
        form = self.page.find_all("form")[form_index]
        data = self.form_fields(form)
        for key, value in (values or {}).items():
            data[key] = value
        action = form.get("action")
        self.response = self.client.post(action, data=data, follow_redirects=False)
        if follow and self.response.status_code in (302, 303):
            return self.get(self.response.headers["Location"])
        self.page = BeautifulSoup(self.response.get_data(as_text=True), "html.parser")
        return self.response

    def text(self) -> str:
        return re.sub(r"\s+", " ", self.page.get_text(" "))


@pytest.fixture
def browser(client):
    return Browser(client)
