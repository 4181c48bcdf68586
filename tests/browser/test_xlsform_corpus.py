"""Every corpus XLSForm, imported with --skip-unsupported, is answered end to end in Chromium.

For each form in ``../shared/xlsforms`` (see tests/survey_app/xlsform/conftest.py): import,
store the YAML as a questionnaire, open a wave, invite one alumnus, and let the generic
:class:`~tests.browser.form_filler.Filler` answer every shown question page by page until the
answers are sent; then the stored answers must be exactly what it typed (calculates aside).

Runtime: one shared Chromium (the session ``browser`` fixture); every form on SQLite taking the
first allowed choice; the branchy real forms again on another path (``most``); the largest form
on PostgreSQL too (the respondent code is the same per backend; the other browser tests cover
PostgreSQL already).
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Response
from survey_app.questionnaire.builder import build
from survey_app.xlsform.importer import import_xlsform
from tests import factories
from tests.browser.form_filler import Filler
from tests.survey_app.xlsform.conftest import big_form, corpus_dir, corpus_forms, xlsforms_dir  # noqa: F401

pytestmark = pytest.mark.browser

ON_POSTGRESQL = {"cht_pregnancy_home_visit.xlsx"}
# pyxform's calculate form asks nothing: what it computes is checked instead.
CALCULATED = {"pyxform_calculate.xls": {"calculate_test": 4, "calculate_test_2": "success"}}
FORMS = corpus_forms()
# The real forms branch a lot: they are answered a second time choosing, for each select, the
# choice after which the page shows the most questions (and every box of a select_multiple).
BRANCHY = {"cht_pnc_danger_sign_follow_up_mother.xlsx", "cht_pregnancy_home_visit.xlsx", "osm_education.xls",
           "osm_health.xls", "pyxform_widgets.xls"}
CASES = [pytest.param(form, "sqlite", "first", id=f"{form}-sqlite") for form in FORMS] + \
        [pytest.param(form, "sqlite", "most", id=f"{form}-sqlite-most") for form in FORMS if form in BRANCHY] + \
        [pytest.param(form, "postgresql", "most", id=f"{form}-postgresql-most")
         for form in FORMS if form in ON_POSTGRESQL]
# ~700 rows in 10 languages (tests/survey_app/xlsform/conftest.py): loaded and answered, taking
# the last choice ('no' to the first section, which skips the 59 others), then its repeat.
BIG = "synthetic_700_rows_10_languages.xlsx"


def _workbook(form: str) -> bytes:
    return big_form() if form == BIG else (corpus_dir() / form).read_bytes()


def test_the_corpus_is_there(xlsforms_dir):  # noqa: F811 (the fixture)
    # Without the corpus the parametrised test below has no cases: say so (or fail in CI).
    assert FORMS


def _stored(app, invitation_id: int) -> Response | None:
    with app.app_context():
        response = db.session.scalar(select(Response).where(Response.invitation_id == invitation_id))
        if response is not None:
            db.session.expunge(response)
        return response


def _asked(questionnaire, answers: dict) -> dict:
    """The stored answers without calculates (what a respondent typed or chose)."""
    kept: dict = {}
    for name, value in answers.items():
        page = questionnaire.page(name)
        if page is not None and page.repeat is not None and isinstance(value, list):
            fields = {q.name for q in page.questions if q.has_field}
            kept[name] = [{k: v for k, v in instance.items() if k in fields} for instance in value]
            continue
        question = questionnaire.questions.get(name)
        if question is not None and question.has_field:
            kept[name] = value
    return kept


@pytest.mark.parametrize("form, database_url, strategy",
                         [*CASES, pytest.param(BIG, "sqlite", "last", id="synthetic-700-rows-sqlite-last")],
                         indirect=["database_url"])
def test_imported_corpus_form_is_answered_in_the_browser(form, database_url, strategy, app, live_server, new_phone,
                                                         xlsforms_dir):  # noqa: F811 (the fixture)
    result = import_xlsform(_workbook(form), skip_unsupported=True, filename=form)
    questionnaire = build(result.definition)
    with app.app_context():
        stored_row = factories.make_questionnaire(result.yaml)
        wave = factories.make_wave(stored_row.id, name="xlsform-browser")
        invitation, token = factories.make_invitation(wave, factories.make_alumnus())
        invitation_id = invitation.id
    page = new_phone().new_page()

    def answers_so_far() -> dict:
        response = _stored(app, invitation_id)
        return dict(response.answers or {}) if response is not None else {}

    filler = Filler(page, questionnaire, answers_so_far, strategy=strategy)
    assert filler.run(f"{live_server.url}/s/{token}")
    response = _stored(app, invitation_id)
    assert response is not None and response.submitted_at is not None, f"not sent; pages seen {filler.pages_seen}"
    assert _asked(questionnaire, response.answers) == filler.typed
    assert filler.left_empty == []  # no shown question was left empty for want of a valid value
    if any(q.has_field for q in questionnaire.questions.values()):
        assert filler.typed, "nothing was answered"
    for name, value in CALCULATED.get(form, {}).items():
        assert response.answers[name] == value
    # Imported labels can hold long unbroken words (CHT's calculate names): no page may then
    # become wider than the phone (the review page did, and its send button could not be pressed).
    assert filler.sideways == []
