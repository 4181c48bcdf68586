"""The research report from the demo data: the tables agree with the API; the staff page builds a ZIP."""
import csv
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from analysis import build_report, load_dataset
from analysis.report import TABLES, read_tables
from survey_app.demo.seed import seed_demo
from survey_app.exports.dataset import write_dataset
from survey_app.extensions import db
from survey_app.models import AuditEvent, Response, SectorCode, Wave
from tests.survey_app.admin.conftest import csrf_of
from tests.survey_app.jobs.flow import download


def _code_from_labelled_set(seeds_dir: Path) -> None:
    """Code the demo's descriptions with their labelled KBLI codes (they come from that set)."""
    with (seeds_dir / "sectors" / "labelled_descriptions.csv").open(encoding="utf-8") as handle:
        labelled = {row["text"]: row for row in csv.DictReader(handle)}
    for response in db.session.scalars(select(Response).where(Response.submitted_at.is_not(None))):
        text = (response.answers or {}).get("business_description")
        row = labelled.get(text)
        if row:
            db.session.add(SectorCode(response_id=response.id, question="business_description", text=text,
                                      kbli5=row["kbli5"], division=row["division"], section=row["section"],
                                      confidence=0.9, status="auto", model_version="labelled"))
    db.session.commit()


@pytest.fixture
def demo(app, tmp_path):
    with app.app_context():
        seeds = Path(app.config["SEEDS_DIR"])
        seed_demo(alumni=200, responses=150, seeds_dir=seeds, work_dir=tmp_path, base_url="http://survey.test",
                  sample_links=0)
        _code_from_labelled_set(seeds)
        return db.session.scalar(select(Wave.id).where(Wave.name == "demo"))


def test_report_builds_from_the_demo_and_its_tables_agree_with_the_api(app, demo, tmp_path):
    with app.app_context():
        write_dataset(db.session.get(Wave, demo), tmp_path / "dataset", include_financial=True)
    report = build_report(tmp_path / "dataset", tmp_path / "out", lang="en")
    html = report.html.read_text(encoding="utf-8")
    assert "Headline numbers" in html and "How the weights changed the picture" in html
    ds = load_dataset(tmp_path / "dataset")
    written = read_tables(tmp_path / "out")
    for name, function in TABLES.items():
        expected, got = function(ds, lang="en"), written[name]
        assert len(got) == len(expected), name
        numeric = expected.select_dtypes("number").columns
        pd.testing.assert_frame_equal(got[numeric].reset_index(drop=True), expected[numeric].reset_index(drop=True),
                                      check_dtype=False, rtol=1e-9)
    rate = written["response_rate"].iloc[0]
    assert rate["roster"] == 200 and rate["submitted"] + rate["partial"] + rate["declined"] == 150
    mix = written["sector_mix"]
    assert len(mix) and mix["examples"].str.len().gt(0).all()  # real example answers
    example = mix["examples"].iloc[0].split(" | ")[0]
    assert example in ds.responses["business_description"].tolist()
    assert not written["revenue_by_sector"].empty


def _post_form(client, wave_id, **fields):
    page = client.get(f"/admin/waves/{wave_id}/report")
    assert page.status_code == 200
    return client.post(f"/admin/waves/{wave_id}/report",
                       data={"csrf_token": csrf_of(page.get_data(as_text=True)), **fields})


def test_researcher_downloads_the_report_zip_through_the_form(app, as_role, demo):
    client = as_role("researcher")
    response = download(client, _post_form(client, demo, language="id"))
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "report-demo-id.zip" in response.headers["Content-Disposition"]
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert "report.html" in names and "tables/sector_mix.csv" in names and "tables/response_rate.csv" in names
    html = zipfile.ZipFile(io.BytesIO(response.data)).read("report.html").decode("utf-8")
    assert 'lang="id"' in html
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.dataset"))
        assert event is not None and event.detail["financial_data"] is False
    leftovers = [p.name for p in (Path(app.instance_path) / "job-results").rglob("*") if p.is_file()]
    assert leftovers == ["report-demo-id.zip"]  # only the result: no scratch dataset, no partial file


def test_researchers_may_not_ask_for_financial_answers(as_role, demo):
    client = as_role("researcher")
    assert _post_form(client, demo, language="en", include_financial="y").status_code == 403


def test_admins_get_revenue_by_sector_with_financial_answers(as_role, demo):
    admin = as_role("admin")
    response = download(admin, _post_form(admin, demo, language="en", include_financial="y"))
    assert response.status_code == 200
    revenue = zipfile.ZipFile(io.BytesIO(response.data)).read("tables/revenue_by_sector.csv").decode("utf-8")
    assert len(revenue.splitlines()) > 1


def test_the_report_page_is_in_the_menu_for_researchers_not_viewers(as_role, demo):
    client = as_role("researcher")
    assert 'href="/admin/reports"' in client.get("/admin/").get_data(as_text=True)


def test_a_report_of_a_wave_without_respondents_fails_with_a_message_not_a_500(app, as_role):
    # Finding 10.8: RakingError used to surface as an HTTP 500; the job now ends with a reason.
    from tests import factories
    from tests.survey_app.exports.conftest import FORM
    from tests.survey_app.jobs.flow import follow

    with app.app_context():
        wave_id = factories.make_wave(factories.make_questionnaire(FORM).id, name="empty").id
        db.session.commit()
    client = as_role("researcher")
    started = _post_form(client, wave_id, language="en")
    data = follow(client, started, expect="failed")
    # In the staff member's language (Indonesian by default).
    assert "belum memiliki jawaban yang dikirim" in data["message"] and not data["download_url"]
