"""Finding 10.4 (survey_app side): no CSV or XLSX the app writes can run a formula in a spreadsheet.

Two guards for the class: every writer is run here on hostile text and every cell is checked,
and an inventory test fails when a module starts writing CSV/XLSX without being added here.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from survey_app.csv_safety import FORMULA_TRIGGERS
from survey_app.extensions import db
from survey_app.models import Alumnus, Response, Wave
from tests import factories
from tests.survey_app.admin.conftest import csrf_of
from tests.survey_app.roster.conftest import ALUMNI_HEADER, ENROLLMENTS_HEADER

SURVEY_APP = Path(__file__).resolve().parents[2] / "survey_app"
HOSTILE = ["-2+3+cmd|' /C calc'!A0 warung", "@SUM(1+1)*cmd", "=HYPERLINK(\"http://evil\")", "+cmd|x",
           "\tcmd", "\rcmd"]
# Modules that write CSV or XLSX, and where this file exercises them.
WRITERS = {
    "exports/writers.py": "test_exports_are_safe (csv, xlsx, labels)",
    "exports/dataset.py": "test_exports_are_safe (dataset directory)",
    "exports/codebook.py": "test_exports_are_safe (codebook csv)",
    "messaging/link_export.py": "test_links_csv_and_issued_links_are_safe",
    "invitations/service.py": "test_links_csv_and_issued_links_are_safe",
    "sectors/service.py": "test_sector_training_data_is_safe",
    "roster/cli.py": "test_roster_error_report_is_safe",
    "jobs/kinds.py": "test_uploaded_roster_bad_rows_file_is_safe",
}
EXEMPT = {
    # Synthetic roster *input* for `flask roster import`, generated from seed lists (no user text);
    # neutralising would change what gets imported.
    "demo/roster_data.py",
    # An XLSForm questionnaire definition for pyxform/ODK, not a data file: openpyxl writes every
    # cell as a typed string (cells starting with "=" are forced to string type), so no cell
    # is ever a formula, and a leading quote would change the form's texts and expressions.
    "xlsform/writer.py",
}
_WRITES_SPREADSHEETS = re.compile(r"csv\.(?:writer|DictWriter)\(|Workbook\(|\.to_csv\(|\.to_excel\(")
_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def test_every_module_writing_csv_or_xlsx_is_covered_here():
    writing = {str(p.relative_to(SURVEY_APP)) for p in SURVEY_APP.rglob("*.py")
               if _WRITES_SPREADSHEETS.search(p.read_text(encoding="utf-8"))}
    assert writing - EXEMPT == set(WRITERS), "add the new writer to WRITERS and exercise it in this file"


def assert_safe_cell(value, where: str) -> None:
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        assert _NUMBER.fullmatch(value), f"{where}: formula-like cell {value!r}"


def assert_safe_csv(text: str, where: str) -> int:
    cells = 0
    for number, row in enumerate(csv.reader(io.StringIO(text.lstrip("\ufeff"))), start=1):
        for cell in row:
            assert_safe_cell(cell, f"{where} row {number}")
            cells += 1
    return cells


def assert_safe_xlsx(path: Path) -> int:
    cells = 0
    workbook = openpyxl.load_workbook(path)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{path.name}!{cell.coordinate} is a formula"
                assert_safe_cell(cell.value, f"{path.name}!{cell.coordinate}")
                cells += 1
    return cells


def assert_hostile_text_arrived(text: str) -> None:
    """The check means something only if the hostile values are in the file (neutralised)."""
    assert "'@SUM(1+1)*cmd" in text or "'-2+3+cmd" in text, text[:500]


@pytest.fixture
def hostile_wave(app, small_wave):
    """The exports' small wave plus hostile text in every free-text answer and roster field."""
    with app.app_context():
        for response, text in zip(db.session.scalars(select(Response).order_by(Response.id)), HOSTILE):
            response.answers = {**response.answers, "description": text}
        for alumnus, text in zip(db.session.scalars(select(Alumnus).order_by(Alumnus.id)), HOSTILE[1:]):
            alumnus.name, alumnus.phone, alumnus.email, alumnus.cohort = text, text, text, text
        db.session.commit()
    return small_wave


@pytest.mark.parametrize("extra", [[], ["--labels"], ["--language", "en"]])
def test_exports_are_safe(app, runner, hostile_wave, tmp_path, extra):
    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"responses.{fmt}"
        result = runner.invoke(args=["export", "responses", "--wave", "w1", "--format", fmt, "--out", str(out),
                                     "--include-personal", "--include-financial", "--force", *extra])
        assert result.exit_code == 0, result.output
        if fmt == "csv":
            text = out.read_text(encoding="utf-8-sig")
            assert_hostile_text_arrived(text)
            assert assert_safe_csv(text, out.name) > 20
        else:
            assert assert_safe_xlsx(out) > 20
    codebook = tmp_path / "codebook.csv"
    assert runner.invoke(args=["export", "codebook", "--wave", "w1", "--out", str(codebook), "--include-personal",
                               "--include-financial", "--force"]).exit_code == 0
    assert_safe_csv(codebook.read_text(encoding="utf-8-sig"), codebook.name)
    dataset = tmp_path / "dataset"
    result = runner.invoke(args=["export", "dataset", "--wave", "w1", "--out", str(dataset), "--include-financial",
                                 "--force"])
    assert result.exit_code == 0, result.output
    texts = ""
    for path in sorted(dataset.rglob("*")):
        if path.suffix == ".csv":
            text = path.read_text(encoding="utf-8-sig")
            texts += text
            assert_safe_csv(text, path.name)
        elif path.suffix == ".xlsx":
            assert_safe_xlsx(path)
    assert_hostile_text_arrived(texts)


def test_links_csv_and_issued_links_are_safe(app, runner, as_role, hostile_wave, tmp_path):
    with app.app_context():
        factories.make_alumnus([], external_id="-PKJ9", name=HOSTILE[0], phone=HOSTILE[1], email=HOSTILE[2])
        db.session.commit()
    issued = tmp_path / "links.csv"
    result = runner.invoke(args=["invitations", "issue", "--wave", "w1", "--out", str(issued)])
    assert result.exit_code == 0, result.output
    text = issued.read_text(encoding="utf-8-sig")
    assert_hostile_text_arrived(text)
    assert_safe_csv(text, issued.name)

    admin = as_role("admin")
    token = csrf_of(admin.get(f"/admin/waves/{hostile_wave['wave']}/messages").get_data(as_text=True))
    response = admin.post(f"/admin/waves/{hostile_wave['wave']}/messages/links", data={"csrf_token": token})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert_hostile_text_arrived(text)
    assert_safe_csv(text, "links download")


def test_sector_training_data_is_safe(app, runner, tmp_path):
    with app.app_context():
        wave = factories.make_wave(factories.make_questionnaire(
            (Path(__file__).resolve().parents[2] / "seeds" / "questionnaires" / "tracer_default.yaml")
            .read_text(encoding="utf-8")).id, name="w2")
        for text in HOSTILE:
            invitation, _token = factories.make_invitation(db.session.get(Wave, wave.id), factories.make_alumnus([]))
            factories.make_sector_code(invitation, text, status="manual")
        db.session.commit()
    out = tmp_path / "training.csv"
    from survey_app.sectors.service import write_training_data

    with app.app_context(), out.open("w", encoding="utf-8", newline="") as handle:
        assert write_training_data(handle) == len(HOSTILE)
    text = out.read_text(encoding="utf-8")
    assert_hostile_text_arrived(text)
    assert_safe_csv(text, out.name)


def test_roster_error_report_is_safe(app, runner, tmp_path):
    alumni = tmp_path / "alumni.csv"
    rows = [[text, "Budi", text, text, text, text, text, text] for text in HOSTILE[:4]]
    with alumni.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([ALUMNI_HEADER, *rows])
    enrollments = tmp_path / "enrollments.csv"
    enrollments.write_text(",".join(ENROLLMENTS_HEADER) + "\n", encoding="utf-8")
    errors = tmp_path / "errors.csv"
    result = runner.invoke(args=["roster", "import", "--alumni", str(alumni), "--enrollments", str(enrollments),
                                 "--errors-out", str(errors)])
    assert result.exit_code == 1
    text = errors.read_text(encoding="utf-8")
    assert text.count("\n") >= 5
    assert_safe_csv(text, errors.name)


def test_uploaded_roster_bad_rows_file_is_safe(app, as_role):
    from tests.survey_app.jobs.flow import follow
    from tests.survey_app.jobs.test_roster_upload import upload

    rows = "".join(f"{text},Budi,{text},{text},{text},{text},{text},{text}\r\n".replace("\r,", ",")
                   for text in HOSTILE[:4])
    files = {"alumni": ("alumni.csv", (",".join(ALUMNI_HEADER) + "\r\n" + rows).encode()),
             "enrollments": ("enrollments.csv", (",".join(ENROLLMENTS_HEADER) + "\r\n").encode())}
    client = as_role("admin")
    data = follow(client, upload(client, files))
    text = client.get(data["download_url"]).get_data(as_text=True)
    assert text.count("\n") >= 5
    assert_safe_csv(text, "bad-rows.csv")
