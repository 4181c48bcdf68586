"""`flask export responses|codebook|dataset`: every format read back, and bad input refused."""
import csv
import io
import json

import pandas as pd
import pyreadstat
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEvent


def _export(runner, tmp_path, *extra, fmt="csv", wave="w1", name=None):
    out = tmp_path / (name or f"out.{fmt}")
    result = runner.invoke(args=["export", "responses", "--wave", wave, "--format", fmt, "--out", str(out), *extra])
    return result, out


def _csv(path):
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_csv_has_pseudonyms_no_names_and_no_financial_answers_by_default(runner, small_wave, tmp_path):
    result, out = _export(runner, tmp_path)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8-sig")
    rows = _csv(out)
    assert len(rows) == 3 and all(r["pid"].startswith("P") and len(r["pid"]) == 16 for r in rows)
    for external_id in small_wave["external_ids"]:
        assert external_id not in text
    assert "Siti" not in text and "+62811" not in text and "example.org" not in text
    assert "revenue" not in rows[0] and "3000000" not in text


def test_select_multiple_is_one_0_1_column_per_choice(runner, small_wave, tmp_path):
    _result, out = _export(runner, tmp_path)
    first, second, declined = _csv(out)
    assert (first["channels__market"], first["channels__wa"], first["channels__none"]) == ("1", "1", "0")
    assert (second["channels__market"], second["channels__none"]) == ("0", "1")
    assert declined["channels__market"] == ""  # not asked: missing, not 0
    assert first["finished"] == "TRN-1 TRN-2" and first["useful__TRN_2"] == "no"
    assert first["consent"] == "yes" and first["satisfaction"] == "5" and first["started"] == "2021-04"


def test_csv_cells_that_look_like_formulas_are_neutralised(runner, small_wave, tmp_path):
    _result, out = _export(runner, tmp_path, "--include-personal")
    rows = _csv(out)
    assert rows[0]["description"] == "'=1+2 jual kopi"
    assert rows[1]["description"] == "'@cmd jahit"
    assert rows[0]["roster_name"].startswith("'=HYPERLINK")
    assert rows[0]["roster_phone"] == "'+62811"
    assert rows[0]["external_id"] == small_wave["external_ids"][0]


def test_labels_option_writes_choice_labels_in_the_chosen_language(runner, small_wave, tmp_path):
    _result, out = _export(runner, tmp_path, "--labels", "--language", "en")
    first = _csv(out)[0]
    assert first["consent"] == "Yes" and first["satisfaction"] == "Very satisfied"
    assert first["channels__wa"] == "Selected"


def test_stata_file_has_variable_and_value_labels(runner, small_wave, tmp_path):
    result, out = _export(runner, tmp_path, "--include-financial", fmt="dta")
    assert result.exit_code == 0, result.output
    data, meta = pyreadstat.read_dta(str(out))
    assert meta.column_names_to_labels["consent"] == "Bersedia?"
    assert meta.variable_value_labels["consent"] == {1: "Ya", 2: "Tidak"}
    assert meta.variable_value_labels["satisfaction"] == {5: "Sangat puas", 1: "Tidak puas"}
    assert meta.variable_value_labels["channels__wa"] == {1: "Dipilih", 0: "Tidak dipilih"}
    assert list(data["consent"]) == [1, 1, 2] and list(data["revenue"][:2]) == [3000000, 0]
    assert data["description"][1] == "@cmd jahit"  # no spreadsheet prefix in a Stata file
    labelled = pd.read_stata(out)  # pandas applies the value labels
    assert list(labelled["consent"]) == ["Ya", "Ya", "Tidak"]
    assert labelled["started_at"].notna().all() and str(labelled["started_at"].dtype).startswith("datetime64")
    with pd.io.stata.StataReader(out) as reader:
        assert reader.variable_labels()["satisfaction"] == "Puas?"


def test_spss_file_has_labels_in_english_when_asked(runner, small_wave, tmp_path):
    result, out = _export(runner, tmp_path, "--language", "en", fmt="sav")
    assert result.exit_code == 0, result.output
    data, meta = pyreadstat.read_sav(str(out))
    assert meta.column_names_to_labels["useful__TRN_1"] == "Useful: Jualan Online?"
    assert meta.variable_value_labels["consent"] == {1: "Yes", 2: "No"}
    assert meta.variable_measure["satisfaction"] == "ordinal"
    assert list(data["channels__market"][:2]) == [1, 0] and pd.isna(data["channels__market"][2])


def test_xlsx_keeps_numbers_as_numbers_and_has_a_variables_sheet(runner, small_wave, tmp_path):
    result, out = _export(runner, tmp_path, fmt="xlsx")
    assert result.exit_code == 0, result.output
    book = load_workbook(out, read_only=True)
    rows = list(book["data"].values)
    header = rows[0]
    first = dict(zip(header, rows[1]))
    assert first["birth_year"] == 1990 and first["channels__market"] == 1
    assert first["description"] == "'=1+2 jual kopi"
    variables = {r[0]: r for r in book["variables"].values}
    assert variables["consent"][1] == "Bersedia?"


def test_codebook_csv_and_html(runner, small_wave, tmp_path):
    out = tmp_path / "codebook.csv"
    result = runner.invoke(args=["export", "codebook", "--wave", "w1", "--out", str(out), "--include-financial"])
    assert result.exit_code == 0, result.output
    rows = {r["variable"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert json.loads(rows["consent"]["values"])[0] == {"value": "yes", "code": 1, "label_id": "Ya", "label_en": "Yes"}
    assert rows["revenue"]["sensitive"] == "true" and rows["consent"]["sensitive"] == "false"
    assert rows["description"]["relevant"] == "${consent} = 'yes'"
    html_out = tmp_path / "codebook.html"
    result = runner.invoke(args=["export", "codebook", "--wave", "w1", "--out", str(html_out)])
    assert result.exit_code == 0 and "<td><code>consent</code></td>" in html_out.read_text(encoding="utf-8")


def test_every_export_is_audited_with_its_options(app, runner, small_wave, tmp_path):
    _export(runner, tmp_path)
    _export(runner, tmp_path, "--include-personal", "--include-financial", fmt="dta")
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export.responses")
                                    .order_by(AuditEvent.id)).all()
    assert [e.detail["format"] for e in events] == ["csv", "dta"]
    assert events[0].detail["personal_data"] is False and events[0].detail["financial_data"] is False
    assert events[1].detail["personal_data"] is True and events[1].detail["financial_data"] is True
    assert events[1].detail["rows"] == 3 and events[1].target == "wave:w1" and events[1].actor.startswith("cli:")


def test_unknown_wave_is_a_clear_error(runner, small_wave, tmp_path):
    result, out = _export(runner, tmp_path, wave="nope")
    assert result.exit_code != 0 and "no wave named 'nope'" in result.output and not out.exists()


def test_unknown_format_is_refused(runner, small_wave, tmp_path):
    result, out = _export(runner, tmp_path, fmt="pdf")
    assert result.exit_code == 2 and "'pdf' is not one of" in result.output and not out.exists()


def test_existing_output_is_kept_unless_force(runner, small_wave, tmp_path):
    out = tmp_path / "out.csv"
    out.write_text("precious", encoding="utf-8")
    result, _ = _export(runner, tmp_path)
    assert result.exit_code != 0 and "already exists" in result.output and out.read_text() == "precious"
    result, _ = _export(runner, tmp_path, "--force")
    assert result.exit_code == 0 and out.read_text(encoding="utf-8-sig").startswith("pid,")


def test_output_in_a_missing_directory_is_refused(runner, small_wave, tmp_path):
    result, _ = _export(runner, tmp_path, name="missing/out.csv")
    assert result.exit_code != 0 and "does not exist" in result.output


@pytest.mark.parametrize("fmt", ["csv", "dta"])
def test_a_failed_export_leaves_no_file(runner, small_wave, tmp_path, monkeypatch, fmt):
    from survey_app.exports import writers

    def broken(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(writers, f"write_{fmt}", broken)
    folder = tmp_path / "exports"
    folder.mkdir()
    result, out = _export(runner, folder, fmt=fmt)
    assert result.exit_code != 0 and "disk full" in result.output
    assert list(folder.iterdir()) == []
