"""The report from a synthetic dataset: files, tables equal to the API, escaping, CLI."""
import pandas as pd
import pytest

import analysis
from analysis import build_report, load_dataset
from analysis.report import TABLES, read_tables
from analysis.synthetic import write_synthetic_dataset

REQUIRED = {"response_rate", "business_rate_by_training_category", "sector_mix", "alignment_by_training_category",
            "started_after_training", "revenue_by_sector", "training_category_by_sector"}


@pytest.fixture(scope="module")
def dataset_dir(tmp_path_factory):
    return write_synthetic_dataset(tmp_path_factory.mktemp("data") / "ds", alumni=3000, responses=1500, seed=12)


def test_report_writes_html_and_every_table_equal_to_the_api(dataset_dir, tmp_path):
    report = build_report(dataset_dir, tmp_path / "out", lang="en")
    html = report.html.read_text(encoding="utf-8")
    assert REQUIRED <= set(report.tables)
    assert "<svg" in html and "How the weights changed the picture" in html and "@media print" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")  # nothing fetched online
    ds = load_dataset(dataset_dir)
    written = read_tables(tmp_path / "out")
    for name, function in TABLES.items():
        expected = function(ds, lang="en")
        got = written[name]
        assert len(got) == len(expected), name
        if len(expected):
            numeric = expected.select_dtypes("number").columns
            pd.testing.assert_frame_equal(got[numeric].reset_index(drop=True),
                                          expected[numeric].reset_index(drop=True), check_dtype=False, rtol=1e-9)


def test_indonesian_report_and_financial_tables_degrade_gracefully(tmp_path):
    path = write_synthetic_dataset(tmp_path / "ds", alumni=800, responses=400, seed=2, include_financial=False)
    report = build_report(path, tmp_path / "out", lang="id")
    html = report.html.read_text(encoding="utf-8")
    assert 'lang="id"' in html and "Angka utama" in html
    assert report.notes and "include-financial" in report.notes[0]
    assert pd.read_csv(report.tables["revenue_by_sector"]).empty


def test_example_answers_are_escaped(dataset_dir, tmp_path):
    import shutil

    copy = tmp_path / "ds"
    shutil.copytree(dataset_dir, copy)
    responses = pd.read_csv(copy / "responses.csv", dtype=str, keep_default_na=False)
    business = responses.business_description != ""
    responses.loc[business, "business_description"] = "<script>alert(1)</script> jual kue"
    responses.to_csv(copy / "responses.csv", index=False)
    html = build_report(copy, tmp_path / "out", lang="en").html.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; jual kue" in html


def test_every_table_function_is_public_and_documented():
    for name in REQUIRED | {"headline_estimates", "weighting_summary", "disagreements"}:
        function = getattr(analysis, name)
        assert name in analysis.__all__ and "Examples" in function.__doc__


def test_cli_report(run_cli, dataset_dir, tmp_path):
    result = run_cli("report", str(dataset_dir), "--out", str(tmp_path / "out"), "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "report.html").exists()
    assert (tmp_path / "out" / "tables" / "sector_mix.csv").exists()
    missing = run_cli("report", str(tmp_path / "nothing"), "--out", str(tmp_path / "o2"))
    assert missing.returncode == 2 and "manifest.json is missing" in missing.stderr


@pytest.mark.parametrize("module_name", ["analysis.dataset", "analysis.weights", "analysis.estimates",
                                         "analysis.linkage", "analysis.tables", "analysis.synthetic",
                                         "analysis.report._build", "analysis.panel", "analysis.official"])
def test_docstring_examples_run(module_name):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module_name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0


PAYLOADS = ("-2+3+cmd|' /C calc'!A0 warung", "@SUM(1+1)*cmd")


def _is_formula(cell: str) -> bool:
    import re

    return cell.startswith(("=", "+", "-", "@", "\t", "\r")) and not re.fullmatch(r"-\d+(\.\d+)?", cell)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_report_tables_never_hold_a_spreadsheet_formula(dataset_dir, tmp_path, payload):
    """Issue 10 finding 4: a description like a formula reaches tables/*.csv neutralised."""
    import csv
    import shutil

    copy = tmp_path / "ds"
    shutil.copytree(dataset_dir, copy)
    responses = pd.read_csv(copy / "responses.csv", dtype=str, keep_default_na=False)
    business = responses.business_description != ""
    # As the exporter writes it: with its guard, which the dataset reader takes off again.
    responses.loc[business, "business_description"] = "'" + payload
    responses.to_csv(copy / "responses.csv", index=False)
    assert (load_dataset(copy).responses["business_description"].dropna() == payload).all()

    report = build_report(copy, tmp_path / "out", lang="en")
    cells = []
    for path in report.tables.values():
        with path.open(encoding="utf-8", newline="") as handle:
            cells += [cell for row in csv.reader(handle) for cell in row]
    # The examples column carries it (with "|" written as "/", the column's separator).
    assert any(cell.startswith("'" + payload[:8]) and "cmd" in cell for cell in cells)
    assert not [cell for cell in cells if _is_formula(cell)]


def test_report_takes_a_built_survey_frame(dataset_dir, tmp_path):
    frame = analysis.add_links(analysis.add_weights(analysis.build_frame(load_dataset(dataset_dir))))
    report = build_report(frame, tmp_path / "out", lang="en")
    assert report.html.is_file()
    rates = analysis.business_rate_by_training_category(frame)
    assert rates.equals(analysis.business_rate_by_training_category(load_dataset(dataset_dir)))
