"""`flask questionnaire import-xlsform|export-xlsform`."""
from __future__ import annotations

from pathlib import Path

import openpyxl

from tests.survey_app.xlsform.conftest import make_xlsx

SEED = Path(__file__).resolve().parents[3] / "seeds" / "questionnaires" / "tracer_default.yaml"


def test_import_writes_yaml_that_check_accepts(runner, tmp_path):
    form = tmp_path / "form.xlsx"
    form.write_bytes(make_xlsx([["type", "name", "label::en", "label::id"], ["text", "a", "A", "A id"]]))
    out = tmp_path / "form.yaml"
    result = runner.invoke(args=["questionnaire", "import-xlsform", str(form), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["questionnaire", "check", str(out)]).exit_code == 0


def test_import_lists_unsupported_and_writes_nothing_without_skip(runner, tmp_path):
    form = tmp_path / "form.xlsx"
    form.write_bytes(make_xlsx([["type", "name", "label"], ["text", "a", "A"], ["image", "photo", "Photo"]]))
    out = tmp_path / "form.yaml"
    result = runner.invoke(args=["questionnaire", "import-xlsform", str(form), "--out", str(out)])
    assert result.exit_code == 1
    assert "sheet 'survey', row 3, column 'type'" in result.output and "--skip-unsupported" in result.output
    assert not out.exists()
    result = runner.invoke(args=["questionnaire", "import-xlsform", str(form), "--out", str(out),
                                 "--skip-unsupported"])
    assert result.exit_code == 0 and out.exists() and "photo" not in out.read_text(encoding="utf-8").split("pages:")[1]


def test_import_of_bad_input_fails_cleanly(runner, tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    result = runner.invoke(args=["questionnaire", "import-xlsform", str(bad)])
    assert result.exit_code == 1 and "not a spreadsheet" in result.output and "Traceback" not in result.output
    missing = runner.invoke(args=["questionnaire", "import-xlsform", str(tmp_path / "nope.xlsx")])
    assert missing.exit_code != 0 and "No such file" in missing.output


def test_export_by_name_and_id(app, runner, tmp_path):
    assert runner.invoke(args=["questionnaire", "load", str(SEED)]).exit_code == 0
    out = tmp_path / "tracer.xlsx"
    result = runner.invoke(args=["questionnaire", "export-xlsform", "tracer_default", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(out).sheetnames == ["survey", "choices", "settings"]
    by_id = runner.invoke(args=["questionnaire", "export-xlsform", "1", "--out", str(tmp_path / "one.xlsx")])
    assert by_id.exit_code == 0
    unknown = runner.invoke(args=["questionnaire", "export-xlsform", "nope", "--out", str(tmp_path / "x.xlsx")])
    assert unknown.exit_code != 0 and "no stored questionnaire 'nope'" in unknown.output
