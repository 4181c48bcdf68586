"""Roster import from a staff upload: refused inputs, an import with a bad row, strict mode."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Alumnus, Training
from tests.survey_app.admin.conftest import csrf_of
from tests.survey_app.jobs.flow import follow

ALUMNI = ("external_id,name,phone,email,province,sex,birth_year,cohort\r\n"
          "P-1,Siti Aminah,081234567890,siti@example.org,31,F,1990,G01\r\n"
          "P-2,Budi,081234567891,budi@example.org,99,M,1985,G01\r\n")  # province 99 does not exist
ENROLLMENTS = "external_id,training_code,completed_at\r\nP-1,T-1,2024-01-02\r\n"
TRAININGS = "code,title,provider,category\r\nT-1,Jualan Online,Skill Co,sales_marketing\r\n"


def upload(client, files: dict, **fields):
    token = csrf_of(client.get("/admin/roster/upload").get_data(as_text=True))
    data = {"csrf_token": token, **fields}
    for name, (filename, content) in files.items():
        data[name] = (io.BytesIO(content), filename)
    return client.post("/admin/roster/upload", data=data, content_type="multipart/form-data")


def good_files():
    return {"alumni": ("alumni.csv", ALUMNI.encode()), "enrollments": ("enrollments.csv", ENROLLMENTS.encode()),
            "trainings": ("trainings.csv", TRAININGS.encode())}


def alumni_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Alumnus))


def test_upload_imports_and_offers_the_bad_rows(app, as_role):
    client = as_role("admin")
    data = follow(client, upload(client, good_files()))
    assert "1" in data["message"] and data["download_url"]
    bad_rows = client.get(data["download_url"]).get_data(as_text=True)
    assert "alumni.csv,3," in bad_rows
    with app.app_context():
        assert db.session.scalar(select(Alumnus.name)) == "Siti Aminah"
        assert db.session.scalar(select(func.count()).select_from(Training)) == 1


def test_strict_upload_with_a_bad_row_imports_nothing(app, as_role):
    client = as_role("admin")
    follow(client, upload(client, good_files(), strict="y"))
    assert alumni_count(app) == 0


@pytest.mark.parametrize("name, content, expected", [
    ("alumni.xlsx", b"PK\x03\x04 not a csv", "hanya berkas .csv"),
    ("alumni.csv", b"\x00\x01\x02binary", "bukan berkas teks"),
    ("alumni.csv", ALUMNI.replace("Siti", "S\u00eeti").encode("latin-1"), "bukan UTF-8"),
    ("alumni.csv", b"id,nama\r\n1,x\r\n", "missing required column"),
])
def test_bad_files_are_refused_with_a_message_and_nothing_is_imported(app, as_role, name, content, expected):
    client = as_role("admin")
    files = good_files()
    files["alumni"] = (name, content)
    response = upload(client, files)
    assert response.status_code == 400 and expected in response.get_data(as_text=True)
    assert alumni_count(app) == 0
    assert not list((app.instance_path and __import__("pathlib").Path(app.instance_path)).rglob("uploads/*/*.csv"))


def test_an_upload_over_the_limit_is_refused_before_it_is_read(app, as_role):
    app.config["UPLOAD_MAX_BYTES"] = 1024 * 1024
    client = as_role("admin")
    files = good_files()
    files["alumni"] = ("alumni.csv", ALUMNI.encode() + b"P-9,x,081234567892,a@b.co,31,F,1990,G01\r\n" * 60000)
    response = upload(client, files)
    assert response.status_code == 413 and "batas 1 MB" in response.get_data(as_text=True)
    assert alumni_count(app) == 0


def test_a_missing_required_file_is_a_400(app, as_role):
    client = as_role("admin")
    response = upload(client, {"alumni": ("alumni.csv", ALUMNI.encode())})
    assert response.status_code == 400 and "enrollments.csv" in response.get_data(as_text=True)


def test_researchers_may_not_upload(as_role):
    assert as_role("researcher").get("/admin/roster/upload").status_code == 403
