"""Retraining on people's codes (comparison before promotion), coder agreement, metrics from scikit-learn."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score, top_k_accuracy_score

from analysis.errors import InputDataError
from analysis.sectors.agreement import agreement_measures, agreement_report, kappa_interval
from analysis.sectors.evaluate import confusion_summary, score_table
from analysis.sectors.labelled import load_labelled
from analysis.sectors.model import SectorClassifier
from analysis.sectors.retrain import (
    PROMOTION_METRICS,
    check_enough_codes,
    promotion_table,
    split_people_codes,
    train_with_people_codes,
)

SMALL = {"calibration_folds": 2, "reference": None, "max_word_features": 3000, "max_char_features": 3000,
         "char_ngram_range": (3, 4)}


@pytest.fixture(scope="module")
def people():
    """The labelled held-out split standing in for people's codes (never in the seed train split)."""
    return load_labelled(split="test")[["text", "kbli5"]].reset_index(drop=True)


@pytest.fixture(scope="module")
def seed_only():
    seeds = load_labelled(split="train")
    return SectorClassifier(**SMALL).fit(seeds["text"], seeds["kbli5"].str[:2], kbli5=seeds["kbli5"])


def test_too_few_codes_are_refused_with_the_number_needed():
    with pytest.raises(InputDataError, match=r"at least 200 people's codes; there are 150 \(50 more needed\)"):
        check_enough_codes(150, 40)
    with pytest.raises(InputDataError, match="at least 20 held-out people's codes.*there are 5 of 300"):
        check_enough_codes(300, 5)
    check_enough_codes(60, 12, min_codes=50, min_held_out=10)


def test_candidate_learns_people_codes_and_the_table_compares_on_held_out_only(people, seed_only):
    train, held = split_people_codes(people)
    assert set(train["text"]).isdisjoint(held["text"])
    candidate = train_with_people_codes(train, min_codes=50, params=SMALL, n_jobs=1)
    assert candidate.version_ != seed_only.version_
    table = promotion_table(seed_only, candidate, held)
    assert table["n"] == len(held)
    assert [r["key"] for r in table["rows"]] == [key for key, _label in PROMOTION_METRICS]
    for row in table["rows"]:
        if row["difference"] is not None:
            assert row["difference"] == pytest.approx(row["candidate"] - row["current"])
    # the figures are the evaluation's own, for each model on the held-out codes
    scores = score_table(candidate.code(held["text"].tolist()), held["kbli5"])
    by_key = {r["key"]: r for r in table["rows"]}
    assert by_key["division_accuracy"]["candidate"] == pytest.approx(scores["levels"]["division"]["top1"])
    assert by_key["kbli5_top3"]["candidate"] == pytest.approx(scores["levels"]["kbli5"]["top3"])
    assert table["not_worse"] == (table["worse"] == [])


def test_a_model_is_not_worse_than_itself_and_a_much_weaker_one_is(people, seed_only):
    _train, held = split_people_codes(people)
    same = promotion_table(seed_only, seed_only, held)
    assert same["not_worse"] and all(r["difference"] in (0.0, None) for r in same["rows"])
    seeds = load_labelled(split="train").head(300)
    weak = SectorClassifier(**SMALL).fit(seeds["text"], seeds["kbli5"].str[:2], kbli5=seeds["kbli5"])
    worse = promotion_table(seed_only, weak, held)
    assert not worse["not_worse"] and "division_accuracy" in worse["worse"]
    lenient = promotion_table(seed_only, weak, held, tolerance=1.0)
    assert lenient["not_worse"]


def test_held_out_codes_must_be_kbli_2020(seed_only):
    with pytest.raises(InputDataError, match="5-digit KBLI 2020"):
        promotion_table(seed_only, seed_only, pd.DataFrame({"text": ["x"], "kbli5": ["47"]}))
    with pytest.raises(InputDataError, match="no held-out"):
        promotion_table(seed_only, seed_only, pd.DataFrame({"text": [], "kbli5": []}))


# ------------------------------------------------------------------ agreement

def test_kappa_on_a_constructed_example_and_its_interval():
    first = ["A"] * 5 + ["C"] * 5
    second = ["A", "A", "A", "A", "C", "C", "C", "C", "C", "A"]
    # p_o = 0.8, p_e = 0.5 → kappa = 0.6
    assert cohen_kappa_score(first, second) == pytest.approx(0.6)
    m = agreement_measures(["01"] * 5 + ["10"] * 5, ["01"] * 4 + ["10"] * 5 + ["01"], "section")
    assert m["n"] == 10 and m["agree"] == 8 and m["kappa"] == pytest.approx(0.6)
    low, high = m["kappa_ci"]
    assert -1 <= low < 0.6 < high <= 1
    assert kappa_interval(first, second) == kappa_interval(first, second)  # fixed seed: reproducible


def test_bootstrap_kappa_matches_scikit_learn_on_each_resample_formula():
    rng = np.random.default_rng(3)
    a = rng.choice(list("ABCD"), 300)
    b = np.where(rng.random(300) < 0.7, a, rng.choice(list("ABCD"), 300))
    low, high = kappa_interval(a, b, samples=2000)
    point = cohen_kappa_score(a, b)
    assert low < point < high and high - low < 0.2


def test_agreement_report_pairs_and_missing_model_codes():
    report = agreement_report(["56303", "47111"], ["56101", "47111"], ["56", None])
    assert set(report) == {"n", "coders", "model_first", "model_second"}
    assert report["coders"]["division"]["agreement"] == 1.0
    assert report["model_first"]["division"]["agree"] == 1  # None is a category of its own
    with pytest.raises(InputDataError, match="same items"):
        agreement_report(["56"], ["56", "47"])
    with pytest.raises(InputDataError, match="section or division"):
        agreement_measures(["56"], ["56"], "kbli5")


# ------------------------------------------------------------------ metrics from scikit-learn (issue 14 item 6)

def _hand_written_confusion_summary(truth_in, pred_in):
    """The hand-written loop confusion_summary replaced (reference for the equality test)."""
    truth = pd.Series(list(truth_in), dtype=str)
    pred = pd.Series(list(pred_in), dtype=str)
    rows = {}
    for section in sorted(set(truth)):
        is_true, is_pred = truth == section, pred == section
        hit = int((is_true & is_pred).sum())
        precision = hit / is_pred.sum() if is_pred.sum() else 0.0
        recall = hit / is_true.sum()
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        wrong = pred[is_true & ~is_pred].value_counts()
        rows[section] = {"support": int(is_true.sum()), "precision": round(precision, 3),
                         "recall": round(recall, 3), "f1": round(f1, 3),
                         "most_confused_with": f"{wrong.index[0]} ({wrong.iloc[0]})" if len(wrong) else ""}
    table = pd.DataFrame.from_dict(rows, orient="index")
    return table.sort_values(["f1", "support"], ascending=[True, False])


def test_confusion_summary_from_scikit_learn_equals_the_hand_written_one():
    rng = np.random.default_rng(0)
    letters = list("ABCDEFGHIJ")
    compared = 0
    for _trial in range(300):
        n = int(rng.integers(1, 80))
        truth = rng.choice(letters[: int(rng.integers(1, 10))], n)
        pred = np.where(rng.random(n) < 0.6, truth, rng.choice(letters, n))
        old = _hand_written_confusion_summary(truth, pred)
        new = confusion_summary(truth, pred, worst=100)
        pd.testing.assert_frame_equal(old.drop(columns="most_confused_with"),
                                      new.drop(columns="most_confused_with"))
        # The most frequent confusion is the same; only a tie between two confusions may be
        # named differently (the old order of ties was an unstable sort's, now: alphabetical).
        counts = old["most_confused_with"].str.extract(r"\((\d+)\)")[0]
        assert counts.equals(new["most_confused_with"].str.extract(r"\((\d+)\)")[0])
        for section in old.index:
            mistaken = pd.Series(pred[(truth == section) & (pred != section)]).value_counts()
            if len(mistaken) and (len(mistaken) == 1 or mistaken.iloc[0] > mistaken.iloc[1]):
                assert old.loc[section, "most_confused_with"] == new.loc[section, "most_confused_with"]
                compared += 1
    assert compared > 500


def test_top3_of_the_coding_table_equals_scikit_learns_top_k_accuracy(seed_only):
    test = load_labelled(split="test")
    texts = test["text"].tolist()
    table = seed_only.code(texts)
    truth = test["kbli5"].str[:2].to_numpy()
    scores = score_table(table, test["kbli5"])
    proba = seed_only.predict_proba(texts)
    known = np.isin(truth, seed_only.classes_)
    full = known & np.array([len(row) == 3 for row in table["top3"]])
    ours = np.mean([t in [d for d, _p in row] for t, row in zip(truth[full], table["top3"][full])])
    theirs = top_k_accuracy_score(truth[full], proba[full], k=3, labels=seed_only.classes_)
    assert ours == pytest.approx(theirs)
    assert full.mean() > 0.95 and scores["levels"]["division"]["top3"] <= ours + 0.05


def test_retraining_keeps_the_5_digit_documents(monkeypatch, people):
    """A retrained model ranks 5-digit codes with the same documents as the default model (kbli5d)."""
    from analysis.sectors import retrain as retrain_module
    from analysis.sectors.labelled import load_kbli5_documents

    seen = {}

    def record_fit(self, X, y, sample_weight=None, kbli5=None, kbli5_documents=None):
        seen["documents"] = kbli5_documents
        return self

    monkeypatch.setattr(retrain_module.SectorClassifier, "fit", record_fit)
    train_with_people_codes(people, min_codes=50, params=SMALL)
    pd.testing.assert_frame_equal(seen["documents"], load_kbli5_documents())
