"""The jobs without a page of their own: research dataset, codebook, KBLI coding of a wave."""
from __future__ import annotations

import io
import zipfile

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import SectorCode
from tests.survey_app.admin.conftest import csrf_of
from tests.survey_app.jobs.flow import follow


def start(client, wave_id: int, kind: str, **fields):
    token = csrf_of(client.get(f"/admin/waves/{wave_id}/jobs").get_data(as_text=True))
    return client.post(f"/admin/waves/{wave_id}/jobs/{kind}", data={"csrf_token": token, **fields})


def test_dataset_and_codebook_jobs_give_their_files(as_role, small_wave):
    client = as_role("researcher")
    data = follow(client, start(client, small_wave["wave"], "dataset"))
    names = zipfile.ZipFile(io.BytesIO(client.get(data["download_url"]).data)).namelist()
    assert {"responses.csv", "alumni.csv", "manifest.json", "codebook.csv"} <= set(names)
    data = follow(client, start(client, small_wave["wave"], "codebook", format="csv"))
    assert client.get(data["download_url"]).get_data(as_text=True).startswith("variable,")
    assert start(client, small_wave["wave"], "dataset", include_financial="1").status_code == 403
    assert start(client, small_wave["wave"], "nonsense").status_code == 404


def test_coding_job_codes_the_wave_and_reports_counts(app, as_role, demo_wave, default_model):
    client = as_role("researcher")
    data = follow(client, start(client, demo_wave["wave"], "coding"))
    with app.app_context():
        coded = db.session.scalar(select(func.count()).select_from(SectorCode))
    assert coded > 0 and data["progress"]["done"] == coded
    assert "otomatis" in data["message"]  # "… dikode otomatis, … dikirim ke antrean tinjauan."
