"""An imported XLSForm is loaded and answered end to end through the real HTML pages."""
from __future__ import annotations

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Response
from survey_app.xlsform.importer import import_xlsform
from tests import factories
from tests.survey_app.respondent.conftest import Browser
from tests.survey_app.xlsform.conftest import make_xlsx

FORM = make_xlsx(
    [["type", "name", "label::English (en)", "label::Indonesian (id)", "relevant", "constraint",
      "constraint_message::English (en)", "constraint_message::Indonesian (id)", "required", "choice_filter",
      "appearance"],
     ["begin group", "about", "About you", "Tentang Anda", "", "", "", "", "", "", "field-list"],
     ["integer", "age", "Age?", "Umur?", "", ". >= 15", "15 or more", "15 atau lebih", "yes", "", ""],
     ["select_one yes_no", "works", "Working?", "Bekerja?", "", "", "", "", "yes", "", ""],
     ["end group"],
     ["begin group", "work", "Work", "Pekerjaan", "${works} = 'yes'", "", "", "", "", "", "field-list"],
     ["select_one sector or_other", "sector", "Sector?", "Sektor?", "", "", "", "", "yes", "", ""],
     ["select_one size", "size", "Size?", "Ukuran?", "", "", "", "", "", "kind = ${sector} or kind = 'any'", ""],
     ["end group"],
     ["text", "comment", "Anything else?", "Ada lagi?", "", "", "", "", "", "", "multiline"]],
    [["list_name", "name", "label::English (en)", "label::Indonesian (id)", "kind"],
     ["yes_no", "yes", "Yes", "Ya", ""], ["yes_no", "no", "No", "Tidak", ""],
     ["sector", "trade", "Trade", "Perdagangan", ""], ["sector", "food", "Food", "Makanan", ""],
     ["size", "stall", "Stall", "Warung", "food"], ["size", "shop", "Shop", "Toko", "trade"],
     ["size", "alone", "Alone", "Sendiri", "any"]],
    [["form_title", "form_id", "default_language"], ["Work survey", "work_survey", "Indonesian (id)"]])


def _link(app, source: str, wave_name: str = "w1") -> str:
    with app.app_context():
        row = factories.make_questionnaire(source)
        wave = factories.make_wave(row.id, name=wave_name)
        _invitation, token = factories.make_invitation(wave, factories.make_alumnus([]))
        return f"/s/{token}"


def test_imported_form_is_answered_and_submitted(app, client):
    url = _link(app, import_xlsform(FORM).yaml)
    browser = Browser(client)
    browser.get(url)
    browser.submit({"language": "en"})
    assert "Age?" in browser.text()
    browser.submit({"age": "12", "works": "yes"})
    assert "15 or more" in browser.text()  # the translated constraint message
    browser.submit({"age": "30", "works": "yes"})
    assert "Sector?" in browser.text() and "Stall" in browser.text()
    browser.submit({"sector": "other", "sector_other": "bengkel motor", "size": "alone"})
    browser.submit({"comment": "terima kasih"})
    browser.submit()
    assert "Thank you" in browser.text() or "Terima kasih" in browser.text()
    with app.app_context():
        response = db.session.scalar(select(Response))
        assert response.submitted_at is not None
        assert response.answers == {"age": 30, "works": "yes", "sector": "other", "sector_other": "bengkel motor",
                                    "size": "alone", "comment": "terima kasih"}


def test_skip_logic_of_the_imported_form_skips_the_work_page(app, client):
    url = _link(app, import_xlsform(FORM).yaml)
    browser = Browser(client)
    browser.get(url)
    browser.submit({"language": "en"})
    browser.submit({"age": "40", "works": "no"})
    assert "Sector?" not in browser.text() and "Anything else?" in browser.text()


def test_a_form_without_required_questions_starts_on_its_first_page(app, client):
    # Most XLSForms require nothing. Starting such a form used to open the review step at once
    # (no page "incomplete"), and optional pages before the first required one were skipped.
    form = make_xlsx([["type", "name", "label", "required"],
                      ["begin group", "one", "First page", ""], ["text", "nickname", "Nickname?", ""],
                      ["end group", "", "", ""],
                      ["begin group", "two", "Second page", ""], ["integer", "age", "Age?", "yes"],
                      ["end group", "", "", ""]])
    url = _link(app, import_xlsform(form).yaml)
    browser = Browser(client)
    browser.get(url)
    browser.submit({"language": "en"})
    assert "Nickname?" in browser.text()
    browser.submit({"nickname": "Sri"})
    assert "Age?" in browser.text()
    optional_only = make_xlsx([["type", "name", "label"], ["text", "nickname", "Nickname?"]])
    browser.get(_link(app, import_xlsform(optional_only).yaml, "w2"))
    browser.submit({"language": "en"})
    assert "Nickname?" in browser.text() and "Check your answers" not in browser.text()
