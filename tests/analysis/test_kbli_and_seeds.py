from pathlib import Path

import pytest

from analysis.resources import kbli_csv_path, seeds_dir
from analysis.sectors.kbli import load_kbli, reference_documents

REPO = Path(__file__).resolve().parents[2]


def test_hierarchy_has_kbli_2020_level_counts():
    kbli = load_kbli()
    assert len(kbli.sections) == 21
    assert len(kbli.divisions) == 88
    assert len(kbli.kbli5_codes) == 1791


@pytest.mark.parametrize(
    ("code", "section", "division"),
    [("56303", "I", "56"), ("10710", "C", "10"), ("03221", "A", "03"), ("74130", "M", "74"), ("96200", "S", "96")],
)
def test_parents_of_a_code_come_from_the_table(code, section, division):
    kbli = load_kbli()
    assert kbli.section_of(code) == section
    assert kbli.division_of(code) == division


def test_level_of_recognises_each_kind_of_code():
    kbli = load_kbli()
    assert [kbli.level_of(c) for c in ["A", "01", "011", "0111", "01111", "X1", "99999x"]] == [
        "section", "division", "group", "subgroup", "kbli5", None, None]


def test_unknown_codes_raise_key_error():
    with pytest.raises(KeyError):
        load_kbli().division_of("00")


def test_reference_documents_cover_every_division():
    docs = reference_documents(load_kbli(), "division")
    assert set(docs["label"]) == set(load_kbli().divisions)
    assert (docs["text"].str.len() > 0).all()


def test_seeds_dir_can_be_overridden_by_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("JEJAK_SEEDS_DIR", str(tmp_path))
    assert seeds_dir() == tmp_path


def test_kbli_seed_is_a_byte_copy_of_the_shared_reference_data():
    shared = Path("/work/shared/data/kbli2020.csv")
    if not shared.exists():
        pytest.skip("shared reference data not available on this machine")
    assert kbli_csv_path().read_bytes() == shared.read_bytes()


def test_kbli_readme_names_source_and_licence_caveat():
    readme = (REPO / "seeds" / "kbli" / "README.md").read_text(encoding="utf-8")
    assert "ahmadrisal/KBLI-Classification" in readme
    assert "10d3eae4d44a31da750e1de2e9efb9cf0bc85b21" in readme
    assert "licence" in readme.lower() and "verify before redistribution" in readme.lower()


def test_reference_labels_come_from_the_seed_files_only():
    """One source for province and training-category labels (issue 14 item 3)."""
    import csv

    from analysis import category_labels, province_labels

    with (seeds_dir() / "provinces.csv").open(encoding="utf-8") as handle:
        provinces = {row["code"]: row["name"] for row in csv.DictReader(handle)}
    assert province_labels() == provinces and len(provinces) == 38
    with (seeds_dir() / "trainings.csv").open(encoding="utf-8") as handle:
        used = {row["category"] for row in csv.DictReader(handle)}
    for language in ("id", "en"):
        labels = category_labels(language)
        assert used <= set(labels) and all(labels.values())
    with pytest.raises(ValueError):
        category_labels("fr")
