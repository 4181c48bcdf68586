import pandas as pd
import pytest

from analysis.resources import seeds_dir
from analysis.sectors import default as default_module
from analysis.sectors.kbli import load_kbli
from analysis.sectors.labelled import (
    REGISTERS,
    build_labelled_set,
    dedup_key,
    example_id,
    load_labelled,
    read_batches,
    split_for_row,
)


@pytest.fixture(scope="module")
def labelled():
    return load_labelled()


def test_has_at_least_1500_unique_examples(labelled):
    assert len(labelled) >= 1500
    assert labelled["id"].is_unique
    assert labelled["text"].map(dedup_key).is_unique


def test_covers_at_least_16_kbli_sections(labelled):
    assert labelled["section"].nunique() >= 16


def test_codes_are_kbli_2020_and_columns_agree(labelled):
    kbli = load_kbli()
    assert labelled["kbli5"].map(kbli.is_kbli5).all()
    assert (labelled["division"] == labelled["kbli5"].str[:2]).all()
    assert (labelled["section"] == labelled["kbli5"].map(kbli.section_of)).all()


def test_ids_and_split_follow_the_documented_hash_rule(labelled):
    assert (labelled["id"] == labelled["text"].map(example_id)).all()
    expected = [split_for_row(t, r) for t, r in zip(labelled["text"], labelled["register"])]
    assert (labelled["split"] == expected).all()


def test_every_register_is_present_and_held_out_in_a_fair_share(labelled):
    assert set(labelled["register"]) == set(REGISTERS)
    for register, rows in labelled.groupby("register"):
        assert len(rows) >= 30, register
        assert 0.08 <= (rows["split"] == "test").mean() <= 0.35, register


def test_case_and_slang_twins_of_other_registers_share_a_split():
    assert split_for_row("PEDAGANG; SEMBAKO", "enumerator") == split_for_row("pedagang sembako", "sms")
    assert split_for_row("JUAL KUE!", "english") == split_for_row("jl ke", "sms")


def test_unknown_register_in_a_batch_is_refused(tmp_path):
    from analysis.errors import SeedDataError

    (tmp_path / "x.txt").write_text("# register: poetry\n47112|warung\n", encoding="utf-8")
    with pytest.raises(SeedDataError, match="unknown register"):
        read_batches(tmp_path)


def test_batches_without_a_register_line_are_alumni(tmp_path):
    (tmp_path / "x.txt").write_text("47112|warung\n", encoding="utf-8")
    assert read_batches(tmp_path)["register"].tolist() == ["alumni"]


def test_about_twenty_percent_is_held_out(labelled):
    share = (labelled["split"] == "test").mean()
    assert 0.15 <= share <= 0.25


def test_csv_is_reproduced_by_building_the_source_batches(labelled):
    rebuilt = build_labelled_set(seeds_dir() / "sectors" / "batches")
    pd.testing.assert_frame_equal(rebuilt.reset_index(drop=True), labelled.reset_index(drop=True))


def test_loading_one_split_returns_only_that_split():
    assert set(load_labelled(split="train")["split"]) == {"train"}
    with pytest.raises(ValueError):
        load_labelled(split="everything")


def test_default_training_never_sees_the_held_out_split(monkeypatch):
    seen = {}

    def record_fit(self, X, y, sample_weight=None, kbli5=None, kbli5_documents=None):
        seen["texts"] = list(X)
        seen["documents"] = list(kbli5_documents["text"])
        return self

    monkeypatch.setattr(default_module.SectorClassifier, "fit", record_fit)
    default_module.train_default_model(n_jobs=1)
    test_texts = set(load_labelled(split="test")["text"])
    train_texts = set(load_labelled(split="train")["text"])
    assert seen["texts"], "fit was not called"
    assert not test_texts & set(seen["texts"])
    assert set(seen["texts"]) == train_texts
    # The 5-digit documents (ranker only) never repeat a held-out answer either.
    assert seen["documents"]
    test_ids = set(load_labelled(split="test")["id"])
    assert not test_ids & {example_id(t) for t in seen["documents"]}


def test_fitted_default_model_calibrated_on_train_rows_only(default_model):
    assert len(default_model.oof_confidence_) == len(load_labelled(split="train"))
