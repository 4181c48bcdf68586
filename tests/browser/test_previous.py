"""Skip logic reading earlier-wave answers (``${previous.…}``) runs in the browser too."""
from __future__ import annotations

import textwrap

import pytest
from playwright.sync_api import expect

from survey_app.extensions import db
from survey_app.models import Response
from survey_app.models.types import utcnow
from tests import factories
from tests.browser.survey_steps import block, choose

pytestmark = pytest.mark.browser

EARLIER = textwrap.dedent("""\
    format: jejak-questionnaire/1
    name: first
    title: {id: "Survei 1", en: "Survey 1"}
    languages: [id, en]
    pages:
      - name: p1
        title: {id: "Usaha", en: "Business"}
        questions:
          - {name: business_description, type: text, label: {id: "Usaha", en: "Business"}}
    """)
FOLLOW_UP = textwrap.dedent("""\
    format: jejak-questionnaire/1
    name: second
    title: {id: "Survei Lanjutan", en: "Follow-up"}
    languages: [id, en]
    choice_lists:
      yes_no:
        - {name: "yes", label: {id: "Ya", en: "Yes"}}
        - {name: "no", label: {id: "Tidak", en: "No"}}
    pages:
      - name: p1
        title: {id: "Kerja", en: "Work"}
        questions:
          - name: works
            type: select_one
            choices: yes_no
            required: true
            label: {id: "Apakah Anda bekerja?", en: "Do you work?"}
          - name: same_business
            type: select_one
            choices: yes_no
            required: true
            relevant: "${works} = 'yes' and ${previous.business_description} != ''"
            label:
              id: "Masih menjalankan “${previous.business_description}”?"
              en: "Still running “${previous.business_description}”?"
          - name: which_business
            type: text
            required: true
            relevant: "${works} = 'yes' and ${previous.business_description} = ''"
            label: {id: "Usaha apa?", en: "Which business?"}
    """)
HOSTILE = "warung kopi <img src=x onerror=alert(1)>"


def _link(app, live_server, earlier_description: str | None) -> str:
    with app.app_context():
        first = factories.make_wave(factories.make_questionnaire(EARLIER).id, name="w1")
        second = factories.make_wave(factories.make_questionnaire(FOLLOW_UP).id, name="w2")
        second.follow_up_of_id = first.id
        alumnus = factories.make_alumnus([])
        if earlier_description is not None:
            invitation, _token = factories.make_invitation(first, alumnus, status="submitted")
            db.session.add(Response(invitation_id=invitation.id, answers={"business_description": earlier_description},
                                    language="id", submitted_at=utcnow()))
            db.session.commit()
        _invitation, token = factories.make_invitation(second, alumnus)
        return f"{live_server.url}/s/{token}"


def _open(phone, url: str) -> None:
    phone.goto(url)
    phone.get_by_role("button", name="Mulai").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Kerja")


def test_questions_depending_on_an_earlier_answer_appear_without_a_request(app, live_server, phone):
    _open(phone, _link(app, live_server, HOSTILE))
    same, which = block(phone, "same_business"), block(phone, "which_business")
    expect(same).to_be_hidden()
    expect(which).to_be_hidden()
    requests: list[str] = []
    phone.on("request", lambda request: requests.append(request.url))
    dialogs: list[str] = []
    phone.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    choose(phone, "works", "Ya")
    expect(same).to_be_visible()
    expect(which).to_be_hidden()
    expect(same.locator("legend")).to_contain_text(f"Masih menjalankan “{HOSTILE}”?")  # shown as text
    choose(phone, "works", "Tidak")
    expect(same).to_be_hidden()
    assert requests == [] and dialogs == []
    assert phone.locator("img[src=x]").count() == 0  # the earlier answer was never markup


def test_a_newcomer_gets_the_newcomer_question_in_the_browser(app, live_server, phone):
    _open(phone, _link(app, live_server, None))
    choose(phone, "works", "Ya")
    expect(block(phone, "which_business")).to_be_visible()
    expect(block(phone, "same_business")).to_be_hidden()
