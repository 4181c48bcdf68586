"""Exports on the staff site: roles, options, streaming, audit."""
import csv
import io

import pyreadstat
import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEvent
from tests.survey_app.admin.conftest import csrf_of
from tests.survey_app.jobs.flow import download


def _post(client, wave_id, **fields):
    token = csrf_of(client.get(f"/admin/waves/{wave_id}/export").get_data(as_text=True))
    data = {"csrf_token": token, "format": "csv", "language": "id", **fields}
    return client.post(f"/admin/waves/{wave_id}/export", data=data)


def test_researcher_downloads_a_pseudonymised_csv(as_role, small_wave):
    client = as_role("researcher")
    response = download(client, _post(client, small_wave["wave"]))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "filename=\"jejak-w1-responses.csv\"" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 3 and "roster_name" not in rows[0] and "revenue" not in rows[0]
    assert all(e not in text for e in small_wave["external_ids"])


@pytest.mark.parametrize("option", ["include_personal", "include_financial"])
def test_researcher_asking_for_personal_or_financial_data_is_refused(app, as_role, small_wave, option):
    client = as_role("researcher")
    assert _post(client, small_wave["wave"], **{option: "y"}).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.responses")) is None


def test_researcher_form_does_not_offer_personal_data(as_role, small_wave):
    html = as_role("researcher").get(f"/admin/waves/{small_wave['wave']}/export").get_data(as_text=True)
    assert "include_personal" not in html and 'name="format"' in html


def test_admin_gets_names_and_money_when_asked_and_it_is_audited(app, as_role, small_wave):
    client = as_role("admin")
    response = download(client, _post(client, small_wave["wave"], include_personal="y", include_financial="y"))
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1]["roster_name"] == "Siti Aminah" and rows[0]["revenue"] == "3000000"
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.responses"))
    assert event.actor == "admin@example.org" and event.detail["personal_data"] is True
    assert event.detail["financial_data"] is True and event.detail["format"] == "csv" and event.detail["via"] == "job"


def test_stata_download_is_readable_and_leaves_no_temp_file(app, as_role, small_wave, tmp_path):
    from pathlib import Path

    client = as_role("researcher")
    response = download(client, _post(client, small_wave["wave"], format="dta", language="en"))
    assert response.status_code == 200
    path = tmp_path / "download.dta"
    path.write_bytes(response.get_data())
    response.close()
    _data, meta = pyreadstat.read_dta(str(path))
    assert meta.variable_value_labels["consent"] == {1: "Yes", 2: "No"}
    results = Path(app.instance_path) / "job-results"
    assert [p.name for p in results.rglob("*") if p.is_file()] == ["jejak-w1-responses.dta"]  # no partial file


def test_unknown_format_is_a_400(as_role, small_wave):
    response = _post(as_role("researcher"), small_wave["wave"], format="pdf")
    assert response.status_code == 400


def test_unknown_wave_is_a_404(as_role, small_wave):
    client = as_role("admin")
    assert client.get("/admin/waves/9999/export").status_code == 404
    assert client.get("/admin/waves/9999/codebook").status_code == 404


def test_viewer_has_no_access(as_role, small_wave):
    client = as_role("viewer")
    assert client.get(f"/admin/waves/{small_wave['wave']}/export").status_code == 403
    assert client.get("/admin/exports").status_code == 403


def test_codebook_page_escapes_and_flags(as_role, small_wave):
    html = as_role("researcher").get(f"/admin/waves/{small_wave['wave']}/codebook").get_data(as_text=True)
    assert "<code>revenue</code>" in html and "sensitive" in html and "${consent} = &#39;yes&#39;" in html
