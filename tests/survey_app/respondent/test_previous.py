"""A follow-up wave's link: greeted with the earlier answer (escaped); newcomers get newcomer questions."""
from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Response
from survey_app.models.types import utcnow
from survey_app.respondent.previous_answers import earlier_answers
from tests import factories

EARLIER = textwrap.dedent("""\
    format: jejak-questionnaire/1
    name: first
    title: {id: "Survei 1", en: "Survey 1"}
    languages: [id, en]
    pages:
      - name: p1
        title: {id: "Usaha", en: "Business"}
        questions:
          - {name: consent, type: text, label: {id: "Setuju", en: "Agree"}}
          - {name: business_description, type: text, label: {id: "Usaha", en: "Business"}}
          - {name: income, type: integer, label: {id: "Penghasilan", en: "Income"}}
    """)

FOLLOW_UP = textwrap.dedent("""\
    format: jejak-questionnaire/1
    name: second
    title: {id: "Survei 2", en: "Survey 2"}
    languages: [id, en]
    choice_lists:
      yes_no:
        - {name: "yes", label: {id: "Ya", en: "Yes"}}
        - {name: "no", label: {id: "Tidak", en: "No"}}
    pages:
      - name: p1
        title: {id: "Usaha", en: "Business"}
        questions:
          - name: still_running
            type: select_one
            choices: yes_no
            required: true
            relevant: "${previous.business_description} != ''"
            label:
              id: "Terakhir kali Anda menjalankan: ${previous.business_description}. Masih berjalan?"
              en: "Last time you told us you ran: ${previous.business_description}. Still running?"
          - name: newcomer_business
            type: text
            required: true
            relevant: "${previous.business_description} = ''"
            label: {id: "Usaha apa yang Anda jalankan?", en: "What business do you run?"}
          - name: description_now
            type: text
            relevant: "${still_running} = 'yes'"
            default: "${previous.business_description}"
            label: {id: "Periksa uraian usaha", en: "Check the description"}
    """)


@dataclass
class FollowUp:
    token: str
    earlier_wave_id: int
    alumnus_id: int


def _follow_up(app, earlier_answers_given: dict | None, status: str = "submitted") -> FollowUp:
    with app.app_context():
        first = factories.make_wave(factories.make_questionnaire(EARLIER).id, name="w1")
        second = factories.make_wave(factories.make_questionnaire(FOLLOW_UP).id, name="w2")
        second.follow_up_of_id = first.id
        alumnus = factories.make_alumnus([])
        if earlier_answers_given is not None:
            invitation, _token = factories.make_invitation(first, alumnus, status=status)
            db.session.add(Response(invitation_id=invitation.id, answers=earlier_answers_given, language="id",
                                    submitted_at=utcnow() if status == "submitted" else None,
                                    declined_at=utcnow() if status == "declined" else None))
            db.session.commit()
        _invitation, token = factories.make_invitation(second, alumnus)
        return FollowUp(token, first.id, alumnus.id)


def _first_page(browser, token: str):
    browser.get(f"/s/{token}")
    browser.submit({"language": "en"})
    return browser


HOSTILE = "warung kopi <script>alert(1)</script> & teh"


def test_follow_up_link_greets_with_the_earlier_business_escaped(app, browser):
    link = _follow_up(app, {"consent": "yes", "business_description": HOSTILE, "income": 4_500_000})
    _first_page(browser, link.token)
    html = browser.response.get_data(as_text=True)
    assert "Last time you told us you ran: warung kopi &lt;script&gt;alert(1)&lt;/script&gt; &amp; teh." in html
    assert "<script>alert(1)" not in html
    block = browser.page.find(id="q-still_running")
    assert block is not None and not block.has_attr("hidden")
    assert browser.page.find(id="q-newcomer_business").has_attr("hidden")


def test_only_the_earlier_answers_the_questionnaire_reads_reach_the_page(app, browser):
    link = _follow_up(app, {"consent": "yes", "business_description": "warung kopi", "income": 4_500_000})
    _first_page(browser, link.token)
    data = json.loads(browser.page.find(id="skiplogic-data").string)
    assert data["answers"] == {"previous.business_description": "warung kopi"}
    assert "4500000" not in browser.response.get_data(as_text=True)  # never read: never sent


def test_newcomer_sees_newcomer_questions_and_no_empty_placeholder(app, browser):
    link = _follow_up(app, None)
    _first_page(browser, link.token)
    assert browser.page.find(id="q-still_running").has_attr("hidden")
    assert not browser.page.find(id="q-newcomer_business").has_attr("hidden")
    data = json.loads(browser.page.find(id="skiplogic-data").string)
    assert data["answers"] == {}
    browser.submit({"newcomer_business": "jasa jahit"})
    assert browser.response.status_code == 200
    with app.app_context():
        answers = db.session.scalars(select(Response.answers).order_by(Response.id.desc())).first()
    assert answers == {"newcomer_business": "jasa jahit"}


def test_default_offers_the_earlier_description_to_confirm(app, browser):
    link = _follow_up(app, {"business_description": "warung kopi"})
    _first_page(browser, link.token)
    field = browser.page.find("input", attrs={"name": "description_now"})
    assert field["value"] == "warung kopi"  # pre-filled; shown once still_running = yes
    browser.submit({"still_running": "yes", "description_now": "warung kopi dan mi"})
    with app.app_context():
        answers = db.session.scalars(select(Response.answers).order_by(Response.id.desc())).first()
    assert answers == {"still_running": "yes", "description_now": "warung kopi dan mi"}  # previous.* not stored


@pytest.mark.parametrize("status", ["declined", "withdrawn"])
def test_declined_or_withdrawn_earlier_answers_count_as_none(app, status):
    link = _follow_up(app, {"business_description": "warung kopi"}, status=status)
    with app.app_context():
        from survey_app.models import Wave
        wave = db.session.scalar(select(Wave).where(Wave.name == "w2"))
        assert earlier_answers(link.alumnus_id, wave) is None


def test_alumnus_erased_between_waves_is_a_newcomer(app, browser):
    link = _follow_up(app, {"business_description": "warung kopi"})
    with app.app_context():
        from survey_app.alumni.service import erase_answers
        from survey_app.models import Alumnus, Invitation, Wave
        alumnus = db.session.get(Alumnus, link.alumnus_id)
        erase_answers(alumnus, "asked by the person")
        # the follow-up link itself was withdrawn with the erasure; a new one is issued later
        second = db.session.scalar(select(Wave).where(Wave.name == "w2"))
        db.session.execute(Invitation.__table__.delete().where(Invitation.wave_id == second.id))
        db.session.commit()
        _invitation, token = factories.make_invitation(second, alumnus)
        assert earlier_answers(alumnus.id, second) is None
    _first_page(browser, token)
    assert browser.page.find(id="q-still_running").has_attr("hidden")
    assert not browser.page.find(id="q-newcomer_business").has_attr("hidden")


def test_wave_that_is_no_follow_up_reads_every_previous_as_empty(app, browser):
    with app.app_context():
        wave = factories.make_wave(factories.make_questionnaire(FOLLOW_UP).id, name="alone")
        _invitation, token = factories.make_invitation(wave, factories.make_alumnus([]))
    _first_page(browser, token)
    assert browser.response.status_code == 200
    assert not browser.page.find(id="q-newcomer_business").has_attr("hidden")


def test_review_and_submit_recheck_use_the_earlier_answers(app, browser):
    link = _follow_up(app, {"consent": "yes", "business_description": HOSTILE})
    _first_page(browser, link.token)
    browser.submit({"still_running": "no"})
    html = browser.response.get_data(as_text=True)
    assert "Check your answers" in html
    assert "Last time you told us you ran: warung kopi &lt;script&gt;alert(1)&lt;/script&gt; &amp; teh." in html
    browser.submit()  # the submit walk knows the earlier answers: still_running applies and is answered
    assert browser.response.status_code == 200
    with app.app_context():
        response = db.session.scalars(select(Response).order_by(Response.id.desc())).first()
        assert response.submitted_at is not None
        assert response.answers == {"still_running": "no"}


def test_each_person_sees_only_their_own_earlier_answer(app):
    """Page parts are compiled once and shared; a text that shows an earlier answer never is."""
    from tests.survey_app.respondent.conftest import Browser

    with app.app_context():
        first = factories.make_wave(factories.make_questionnaire(EARLIER).id, name="w1")
        second = factories.make_wave(factories.make_questionnaire(FOLLOW_UP).id, name="w2")
        second.follow_up_of_id = first.id
        tokens = {}
        for description in ("warung kopi", "jasa desain grafis"):
            alumnus = factories.make_alumnus([])
            invitation, _token = factories.make_invitation(first, alumnus, status="submitted")
            db.session.add(Response(invitation_id=invitation.id, language="id", submitted_at=utcnow(),
                                    answers={"consent": "yes", "business_description": description}))
            db.session.commit()
            tokens[description] = factories.make_invitation(second, alumnus)[1]

    for _round in range(2):  # the second round is served from whatever the first one compiled
        for description, token in tokens.items():
            html = _first_page(Browser(app.test_client()), token).response.get_data(as_text=True)
            other = next(d for d in tokens if d != description)
            assert f"Last time you told us you ran: {description}." in html
            assert other not in html
