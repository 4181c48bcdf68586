"""The staff XLSForm upload page: admin only, CSRF, the problem list, loading a version."""
from __future__ import annotations

import io
import re

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEvent, Questionnaire
from tests.survey_app.admin.conftest import csrf_of
from tests.survey_app.xlsform.conftest import make_xlsx

URL = "/admin/questionnaires/xlsform"
GOOD = make_xlsx([["type", "name", "label::English (en)", "label::Indonesian (id)"],
                  ["text", "shop", "What do you sell?", "Apa yang Anda jual?"],
                  ["image", "photo", "Photo", "Foto"]],
                 settings=[["form_title", "form_id"], ["Shops", "shops"]])


def _upload(client, data: bytes, skip: bool = False, name: str = "form.xlsx"):
    client.set_cookie("jejak_lang", "en")
    token = csrf_of(client.get(URL).get_data(as_text=True))
    fields = {"csrf_token": token, "file": (io.BytesIO(data), name)}
    if skip:
        fields["skip_unsupported"] = "y"
    return client.post(URL, data=fields, content_type="multipart/form-data")


def test_upload_lists_unsupported_items_by_sheet_row_and_column(as_role):
    client = as_role("admin")
    response = _upload(client, GOOD)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r"<td>survey</td><td>3</td><td>type</td>", html)
    assert "Load as a new questionnaire version" not in html


def test_upload_with_skip_then_load_stores_a_version_and_audits(as_role, app):
    client = as_role("admin")
    response = _upload(client, GOOD, skip=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Load as a new questionnaire version" in html
    source = re.search(r'id="source" name="source" type="hidden" value="([^"]*)"', html)
    assert source
    token = csrf_of(html)
    import html as html_lib
    loaded = client.post(URL + "/load", data={"csrf_token": token, "source": html_lib.unescape(source.group(1))})
    assert loaded.status_code == 303
    with app.app_context():
        row = db.session.scalar(select(Questionnaire).where(Questionnaire.name == "shops"))
        assert row is not None and row.version == 1
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "questionnaire.load")) is not None


def test_bad_file_shows_the_error_not_a_traceback(as_role):
    client = as_role("admin")
    response = _upload(client, b"hello, not a workbook", name="form.xlsx")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "not a spreadsheet" in html and "Traceback" not in html


def test_missing_file_is_a_400(as_role):
    client = as_role("admin")
    token = csrf_of(client.get(URL).get_data(as_text=True))
    assert client.post(URL, data={"csrf_token": token}, content_type="multipart/form-data").status_code == 400


def test_too_large_upload_is_refused_with_a_message(as_role):
    client = as_role("admin")
    response = _upload(client, b"PK\x03\x04" + b"\x00" * (6 * 1024 * 1024))
    assert response.status_code == 413 and "larger than 5 MB" in response.get_data(as_text=True)


def test_upload_above_the_app_wide_cap_reaches_the_importer(as_role):
    # 1 MB is over the 256 KB cap of respondent pages but within this page's own 5 MB limit.
    client = as_role("admin")
    response = _upload(client, b"hello, not a workbook" * 50_000, name="form.xlsx")
    assert response.status_code == 400 and "not a spreadsheet" in response.get_data(as_text=True)


def test_load_of_an_invalid_definition_stores_nothing(as_role, app):
    client = as_role("admin")
    token = csrf_of(client.get(URL).get_data(as_text=True))
    response = client.post(URL + "/load", data={"csrf_token": token, "source": "format: nope\n"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Questionnaire)) is None


def test_indonesian_page(as_role):
    client = as_role("admin")
    client.set_cookie("jejak_lang", "id")
    html = client.get(URL, headers={"Accept-Language": "id"}).get_data(as_text=True)
    assert "Impor XLSForm" in html


def test_problems_are_listed_in_indonesian(as_role):
    client = as_role("admin")
    token = csrf_of(client.get(URL).get_data(as_text=True))
    client.set_cookie("jejak_lang", "id")
    response = client.post(URL, data={"csrf_token": token, "file": (io.BytesIO(GOOD), "form.xlsx")},
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Jejak tidak mengumpulkan foto dan unggahan berkas lain" in html
    bad = client.post(URL, data={"csrf_token": token, "file": (io.BytesIO(b"plain text"), "x.xlsx")},
                      content_type="multipart/form-data")
    assert "ini bukan berkas spreadsheet" in bad.get_data(as_text=True)
