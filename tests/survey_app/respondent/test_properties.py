"""Property-based guard (Hypothesis): no answer to any field type gets a 5xx from the survey pages.

Every question type is on one page; Hypothesis posts arbitrary values (wrong types, huge,
repeated, control characters, missing CSRF…) through the Flask test client. The page must
answer 2xx/3xx/4xx, and what is stored must be what the field type allows.
"""
from __future__ import annotations

import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Response
from survey_app.questionnaire.definition import QUESTION_TYPES
from tests import factories
from tests.survey_app.respondent.conftest import Browser

EVERY_TYPE = textwrap.dedent("""\
    format: jejak-questionnaire/1
    name: every_type
    title: {id: "Semua jenis", en: "Every type"}
    languages: [id, en]
    consent: {question: consent, accept: "yes"}
    choice_lists:
      yes_no:
        - {name: "yes", label: {id: "Ya", en: "Yes"}}
        - {name: "no", label: {id: "Tidak", en: "No"}}
    pages:
      - name: start
        title: {id: "Mulai", en: "Start"}
        questions:
          - {name: consent, type: select_one, choices: yes_no, required: true, label: {id: "Setuju?", en: "Agree?"}}
      - name: all
        title: {id: "Semua", en: "All"}
        questions:
          - {name: q_text, type: text, label: {id: "Teks", en: "Text"}}
          - {name: q_long_text, type: long_text, label: {id: "Teks panjang", en: "Long text"}}
          - name: q_integer
            type: integer
            label: {id: "Bilangan", en: "Integer"}
            constraint: ". >= 0"
            constraint_message: {id: "Tidak negatif", en: "Not negative"}
          - {name: q_decimal, type: decimal, label: {id: "Desimal", en: "Decimal"}}
          - {name: q_select_one, type: select_one, choices: yes_no, label: {id: "Satu", en: "One"}}
          - {name: q_select_multiple, type: select_multiple, choices: yes_no, label: {id: "Banyak", en: "Many"}}
          - {name: q_roster, type: select_multiple, choices_from: roster_trainings,
             label: {id: "Pelatihan", en: "Trainings"}}
          - {name: q_date, type: date, label: {id: "Tanggal", en: "Date"}}
          - {name: q_month_year, type: month_year, label: {id: "Bulan", en: "Month"}}
          - {name: q_note, type: note, label: {id: "Catatan", en: "Note"}}
          - {name: q_calc, type: calculate, calculation: "${q_integer} * 2"}
""")
FIELDS = ["q_text", "q_long_text", "q_integer", "q_decimal", "q_select_one", "q_select_multiple", "q_roster",
          "q_date", "q_month_year", "q_note"]

hostile_text = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=20),
    st.sampled_from(["", " ", "0", "-1", "1e309", "nan", "inf", "99999999999999999999999999", "1.5", "1,5",
                     "1.500.000", "2023-02-30", "0000-00-00", "9999-12-31", "13/2023", "2023-13", "yes", "no",
                     "TRN-A", "<script>x</script>", "=cmd|' /C calc'!A0", "\x00", "\r\n", "٣", "１２", "x" * 6000]),
)
values = st.one_of(hostile_text, st.lists(hostile_text, min_size=0, max_size=4))
posts = st.dictionaries(st.sampled_from(FIELDS + ["csrf_token", "unknown", "q_select_multiple__x", ""]), values,
                        max_size=8)


@pytest.fixture
def on_every_type_page(app, client):
    with app.app_context():
        wave = factories.make_wave(factories.make_questionnaire(EVERY_TYPE).id)
        training = factories.make_training("TRN-A", "Barista", "food_beverage")
        invitation, token = factories.make_invitation(wave, factories.make_alumnus([training]))
        invitation_id = invitation.id
    browser = Browser(client)
    browser.get(f"/s/{token}")
    browser.submit({"language": "id"})
    browser.submit({"consent": "yes"})
    assert f"/s/{token}/p/all" in browser.response.request.path
    csrf = browser.page.find("input", {"name": "csrf_token"})["value"]
    return token, csrf, invitation_id


def test_the_page_has_every_question_type():
    assert {line.split("type: ")[1].split(",")[0].split()[0] for line in EVERY_TYPE.splitlines()
            if "type: " in line} >= set(QUESTION_TYPES)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(posts, st.booleans())
def test_no_answer_to_any_field_type_is_a_server_error(app, client, on_every_type_page, post, keep_csrf):
    token, csrf, invitation_id = on_every_type_page
    data = dict(post)
    if keep_csrf:
        data["csrf_token"] = csrf
    response = client.post(f"/s/{token}/p/all", data=data)
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    with app.app_context():
        answers = db.session.scalar(select(Response.answers).where(Response.invitation_id == invitation_id)) or {}
    assert isinstance(answers.get("q_integer", 0), int) and answers.get("q_integer", 0) >= 0
    assert isinstance(answers.get("q_decimal", 0.0), (int, float))
    assert answers.get("q_select_one", "yes") in ("yes", "no")
    assert set(answers.get("q_select_multiple", [])) <= {"yes", "no"}
    assert set(answers.get("q_roster", [])) <= {"TRN-A"}
    assert "q_note" not in answers
    for key in ("q_text", "q_long_text"):
        assert "\x00" not in answers.get(key, "")
