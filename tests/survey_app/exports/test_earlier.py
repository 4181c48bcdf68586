"""Exports of a follow-up wave with the earlier wave's answers (`--include-earlier`, prev_ columns)."""
from __future__ import annotations

import csv
import io

import pandas as pd
import pyreadstat
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from survey_app.alumni.service import erase_answers
from survey_app.extensions import db
from survey_app.models import Alumnus, AuditEvent, Response, Wave
from survey_app.models.types import utcnow
from tests import factories
from tests.survey_app.admin.conftest import csrf_of
from tests.survey_app.jobs.flow import download


@pytest.fixture
def follow_up(app, small_wave):
    """Wave 'w2', a follow-up of small_wave's 'w1' (same questionnaire), answered by w1's three
    people and one newcomer; the second person was erased before w2 and answered again."""
    with app.app_context():
        w1 = db.session.get(Wave, small_wave["wave"])
        w2 = factories.make_wave(w1.questionnaire_id, name="w2")
        w2.follow_up_of = w1
        people = [db.session.scalar(select(Alumnus).where(Alumnus.external_id == e))
                  for e in small_wave["external_ids"]]
        erase_answers(people[1], "asked by phone")
        newcomer = factories.make_alumnus(name="Baru")
        for number, person in enumerate([*people, newcomer]):
            invitation, _ = factories.make_invitation(w2, person, status="submitted")
            db.session.add(Response(invitation_id=invitation.id, language="id", submitted_at=utcnow(),
                                    answers={"consent": "yes", "description": f"usaha baru {number}"}))
        db.session.commit()
        return {"wave": w2.id, "name": "w2"}


def _export(runner, tmp_path, *extra, fmt="csv", wave="w2"):
    out = tmp_path / f"out.{fmt}"
    result = runner.invoke(args=["export", "responses", "--wave", wave, "--format", fmt, "--out", str(out), *extra])
    return result, out


def _csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_csv_carries_each_persons_earlier_answers(runner, follow_up, tmp_path):
    result, out = _export(runner, tmp_path, "--include-earlier")

    assert result.exit_code == 0, result.output
    rows = _csv(out.read_text(encoding="utf-8"))
    assert [r["description"] for r in rows] == [f"usaha baru {n}" for n in range(4)]
    first, erased, declined, newcomer = rows
    assert first["prev_description"] == "'=1+2 jual kopi"  # neutralised like every cell
    assert (first["prev_channels__market"], first["prev_channels__none"]) == ("1", "0")
    assert first["prev_useful__TRN_2"] == "no" and first["prev_status"] == "submitted"
    assert erased["prev_status"] == "withdrawn" and erased["prev_description"] == ""  # answers gone
    assert declined["prev_status"] == "submitted" and declined["prev_consent"] == ""  # a refusal is no answer
    assert newcomer["prev_status"] == "" and newcomer["prev_birth_year"] == ""
    assert "prev_revenue" not in first  # financial only when asked
    header = list(rows[0])
    assert header.index("prev_status") > header.index("useful__TRN_2")  # after the wave's own answers


def test_without_the_option_there_are_no_prev_columns(runner, follow_up, tmp_path):
    _result, out = _export(runner, tmp_path)
    assert not any(name.startswith("prev_") for name in _csv(out.read_text(encoding="utf-8"))[0])


def test_financial_earlier_answers_need_the_financial_flag(runner, follow_up, tmp_path):
    _result, out = _export(runner, tmp_path, "--include-earlier", "--include-financial")
    assert _csv(out.read_text(encoding="utf-8"))[0]["prev_revenue"] == "3000000"


def test_stata_spss_and_xlsx_label_the_earlier_columns(runner, follow_up, tmp_path):
    _r, dta = _export(runner, tmp_path, "--include-earlier", "--language", "en", fmt="dta")
    data, meta = pyreadstat.read_dta(str(dta))
    labels = dict(zip(meta.column_names, meta.column_labels))
    assert labels["prev_birth_year"] == "(earlier wave w1) Birth year"
    assert meta.variable_value_labels["prev_consent"] == {1: "Yes", 2: "No"}
    assert data["prev_birth_year"][0] == 1990 and pd.isna(data["prev_birth_year"][1])  # erased: missing

    _r, sav = _export(runner, tmp_path, "--include-earlier", fmt="sav")
    data, meta = pyreadstat.read_sav(str(sav))
    assert dict(zip(meta.column_names, meta.column_labels))["prev_satisfaction"] == "(gelombang sebelumnya w1) Puas?"
    assert data["prev_satisfaction"].tolist()[0] == 5

    _r, xlsx = _export(runner, tmp_path, "--include-earlier", fmt="xlsx")
    sheet = load_workbook(xlsx, read_only=True).worksheets[0]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert "prev_description" in header and "prev_status" in header


def test_codebook_describes_the_earlier_columns(runner, follow_up, tmp_path):
    out = tmp_path / "codebook.csv"
    result = runner.invoke(args=["export", "codebook", "--wave", "w2", "--out", str(out), "--include-earlier"])

    assert result.exit_code == 0, result.output
    rows = {r["variable"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert rows["prev_description"]["label_en"] == "(earlier wave w1) What business?"
    assert rows["prev_description"]["question"] == "description"
    assert rows["prev_status"]["label_en"] == "Invitation status in the earlier wave"


def test_export_with_earlier_answers_is_audited_with_the_option(app, runner, follow_up, tmp_path):
    _export(runner, tmp_path, "--include-earlier")
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export.responses")).one()
    assert event.detail["include_earlier"] is True and event.detail["wave"] == "w2"


@pytest.mark.parametrize("command", [["responses", "--format", "csv"], ["codebook"]])
def test_include_earlier_on_a_wave_that_is_no_follow_up_is_refused(app, runner, small_wave, tmp_path, command):
    out = tmp_path / "out.csv"
    result = runner.invoke(args=["export", *command, "--wave", "w1", "--out", str(out), "--include-earlier"])

    assert result.exit_code == 1
    assert "wave 'w1' is not a follow-up of an earlier wave" in result.output
    assert not out.exists()
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.responses")) is None


def _post(client, wave_id, **fields):
    token = csrf_of(client.get(f"/admin/waves/{wave_id}/export").get_data(as_text=True))
    data = {"csrf_token": token, "format": "csv", "language": "id", **fields}
    return client.post(f"/admin/waves/{wave_id}/export", data=data)


def test_staff_site_export_job_includes_the_earlier_answers(app, as_role, follow_up):
    client = as_role("researcher")
    page = client.get(f"/admin/waves/{follow_up['wave']}/export").get_data(as_text=True)
    assert 'name="include_earlier"' in page

    response = download(client, _post(client, follow_up["wave"], include_earlier="y"))

    rows = _csv(response.get_data(as_text=True))
    assert rows[0]["prev_description"] == "'=1+2 jual kopi"
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export.responses")).one()
    assert event.detail["via"] == "job" and event.detail["include_earlier"] is True
    codebook = client.get(f"/admin/waves/{follow_up['wave']}/codebook").get_data(as_text=True)
    assert "prev_description" in codebook


def test_staff_site_refuses_earlier_answers_of_a_wave_that_is_no_follow_up(app, as_role, small_wave):
    client = as_role("researcher")
    client.set_cookie("jejak_lang", "en")
    assert 'name="include_earlier"' not in client.get(f"/admin/waves/{small_wave['wave']}/export").get_data(
        as_text=True)

    response = _post(client, small_wave["wave"], include_earlier="y")

    assert response.status_code == 400
    assert "Wave w1 is not a follow-up of an earlier wave." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.responses")) is None
