"""load_dataset: the documented format, and clear errors for anything else."""
import json

import pandas as pd
import pytest

from analysis import FormatError, InputDataError, load_dataset
from analysis.synthetic import write_synthetic_dataset


@pytest.fixture(scope="module")
def dataset_dir(tmp_path_factory):
    return write_synthetic_dataset(tmp_path_factory.mktemp("data") / "ds", alumni=400, responses=200, seed=8)


def test_reads_every_table_with_compact_types(dataset_dir):
    ds = load_dataset(dataset_dir)
    assert len(ds.alumni) == 400 and len(ds.responses) == 200
    assert ds.manifest["format_version"] == 1 and ds.wave == "synthetic" and ds.includes_financial
    assert str(ds.responses["job_status"].dtype) == "category"
    assert ds.alumni["birth_year"].dtype.kind in "fi"
    assert ds.column("business_channels", "social_media") == "business_channels__social_media"
    assert ds.answers("no_such_question").isna().all()


def test_only_the_requested_response_columns_are_read(dataset_dir):
    ds = load_dataset(dataset_dir, response_columns=["job_status"])
    assert {"pid", "status", "job_status"} <= set(ds.responses.columns)
    assert "business_description" not in ds.responses.columns


def test_formula_guard_is_undone(tmp_path, dataset_dir):
    import shutil

    copy = tmp_path / "ds"
    shutil.copytree(dataset_dir, copy)
    text = (copy / "trainings.csv").read_text(encoding="utf-8")
    (copy / "trainings.csv").write_text(text.replace("Strategi Pemasaran", "'=Strategi Pemasaran", 1),
                                        encoding="utf-8")
    ds = load_dataset(copy)
    assert ds.trainings.title.str.startswith("=Strategi").any()


@pytest.mark.parametrize("manifest, message", [
    (None, "manifest.json is missing"),
    ({"format": "other"}, "format is 'other'"),
    ({"format": "jejak-dataset", "format_version": 0}, "older export"),
    ({"format": "jejak-dataset", "format_version": 3}, "newer Jejak"),
])
def test_missing_or_other_formats_are_refused(tmp_path, manifest, message):
    if manifest is not None:
        (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(FormatError, match=message):
        load_dataset(tmp_path)


def test_a_missing_file_or_column_is_named(tmp_path, dataset_dir):
    import shutil

    copy = tmp_path / "ds"
    shutil.copytree(dataset_dir, copy)
    (copy / "codes.csv").unlink()
    with pytest.raises(FormatError, match="codes.csv is missing"):
        load_dataset(copy)
    shutil.copy(dataset_dir / "codes.csv", copy / "codes.csv")
    (copy / "alumni.csv").write_text("pid,sex\nP1,M\n", encoding="utf-8")
    with pytest.raises(InputDataError, match="lacks column"):
        load_dataset(copy)


@pytest.mark.parametrize("payload", ["-2+3+cmd|' /C calc'!A0 warung", "@SUM(1+1)*cmd", "=1+1", "\tx"])
def test_neutralise_guards_every_formula_like_cell(payload):
    from analysis import neutralise, neutralise_formulas

    assert neutralise(payload) == "'" + payload
    table = neutralise_formulas(pd.DataFrame({payload: [payload, "jual kopi", -5.0]}))
    assert list(table.columns) == ["'" + payload]
    assert table.iloc[:, 0].tolist() == ["'" + payload, "jual kopi", -5.0]
