import pandas as pd
import pytest

from analysis.resources import seeds_dir
from analysis.sectors import default as default_module
from analysis.sectors.kbli import load_kbli
from analysis.sectors.labelled import build_labelled_set, dedup_key, example_id, load_labelled, split_for_id


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
    assert (labelled["split"] == labelled["id"].map(split_for_id)).all()


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

    def record_fit(self, X, y, sample_weight=None, kbli5=None):
        seen["texts"] = list(X)
        return self

    monkeypatch.setattr(default_module.SectorClassifier, "fit", record_fit)
    default_module.train_default_model(n_jobs=1)
    test_texts = set(load_labelled(split="test")["text"])
    train_texts = set(load_labelled(split="train")["text"])
    assert seen["texts"], "fit was not called"
    assert not test_texts & set(seen["texts"])
    assert set(seen["texts"]) == train_texts


def test_fitted_default_model_calibrated_on_train_rows_only(default_model):
    assert len(default_model.oof_confidence_) == len(load_labelled(split="train"))
