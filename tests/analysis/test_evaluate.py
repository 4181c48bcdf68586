"""Evaluation reports every level, per group, and compares models; coder agreement."""
import numpy as np
import pandas as pd
import pytest

from analysis.errors import InputDataError
from analysis.sectors.evaluate import (
    agreement_summary,
    cohen_kappa,
    compare_models,
    evaluate_model,
    format_metrics,
    held_out_report,
)
from analysis.sectors.model import SectorClassifier

TEXTS = ["warung kopi", "kedai kopi", "ternak lele", "kolam lele", "jual baju", "toko baju"] * 4
CODES = ["56303", "56303", "03221", "03221", "47711", "47711"] * 4


@pytest.fixture(scope="module")
def toy():
    return SectorClassifier(reference=None, calibration_folds=2, max_word_features=500,
                            max_char_features=2000).fit(TEXTS, [c[:2] for c in CODES], kbli5=CODES)


def test_evaluate_reports_top1_and_top3_at_every_level_the_labels_allow(toy):
    metrics = evaluate_model(["warung kopi", "lele", "baju"], ["56303", "03221", "47711"], model=toy)
    assert set(metrics["levels"]) == {"section", "division", "kbli5"}
    assert metrics["levels"]["division"]["top1"] == 1.0
    assert metrics["kbli5_top3"] >= metrics["kbli5_accuracy"]
    section_only = evaluate_model(["warung kopi"], ["I"], model=toy)
    assert set(section_only["levels"]) == {"section"}


def test_evaluate_codes_the_answers_only_once(toy, monkeypatch):
    calls = []
    original = SectorClassifier._analyse

    def counting(self, X):
        calls.append(1)
        return original(self, X)

    monkeypatch.setattr(SectorClassifier, "_analyse", counting)
    evaluate_model(["warung kopi", "lele"], ["56303", "03221"], model=toy)
    assert len(calls) == 1


def test_metrics_per_group_and_auto_precision_interval(toy):
    metrics = evaluate_model(["warung kopi", "lele", "baju", "kopi"], ["56303", "03221", "47711", "56303"],
                             model=toy, groups=["a", "a", "b", "b"])
    assert set(metrics["by_group"]) == {"a", "b"}
    assert metrics["by_group"]["a"]["n"] == 2
    low, high = metrics["auto_precision_ci"]
    assert low <= metrics["auto_precision"] <= high
    assert "[a" in format_metrics(metrics)


def test_groups_of_the_wrong_length_are_refused(toy):
    with pytest.raises(InputDataError, match="groups"):
        evaluate_model(["warung kopi"], ["56303"], model=toy, groups=["a", "b"])


def test_compare_models_gives_a_side_by_side_table(toy):
    weaker = SectorClassifier(reference=None, calibration_folds=2, C=0.001, max_word_features=500,
                              max_char_features=2000).fit(TEXTS, [c[:2] for c in CODES], kbli5=CODES)
    table = compare_models(toy, weaker, ["warung kopi", "lele", "baju"], ["56303", "03221", "47711"])
    assert {"current", "candidate", "difference", "candidate_not_worse"} <= set(table.columns)
    assert {"section_top1", "division_top1", "kbli5_top3", "auto_share", "auto_precision"} <= set(table.index)
    np.testing.assert_allclose(table["difference"], table["candidate"] - table["current"])


def test_cohen_kappa_matches_scikit_learn_and_levels():
    a = ["56303", "47111", "01122", "96200", "56101"]
    b = ["56101", "47111", "01122", "95210", "56101"]
    assert cohen_kappa(a, b, "kbli5") < cohen_kappa(a, b, "division") < cohen_kappa(a, b, "section") + 1e-9
    assert cohen_kappa(a, a) == 1.0
    summary = agreement_summary(a, b)
    assert summary["division"]["agreement"] == pytest.approx(0.8)
    assert summary["section"]["agreement"] == pytest.approx(1.0)


def test_cohen_kappa_refuses_unpaired_or_empty_codes():
    with pytest.raises(InputDataError):
        cohen_kappa(["56303"], ["56303", "47111"])
    with pytest.raises(InputDataError):
        cohen_kappa([], [])


def test_held_out_report_covers_every_register(default_model):
    from analysis.sectors.labelled import REGISTERS

    report = held_out_report(default_model)
    assert set(report["by_group"]) == set(REGISTERS)
    assert report["n"] == sum(group["n"] for group in report["by_group"].values())


def test_retraining_with_too_few_people_codes_is_refused_with_the_number_needed():
    from analysis.sectors.retrain import train_with_people_codes

    people = pd.DataFrame({"text": ["warung kopi", "ternak lele"], "kbli5": ["56303", "03221"]})
    with pytest.raises(InputDataError, match=r"at least 200 people's codes; there are 2 \(198 more needed\)"):
        train_with_people_codes(people)


def test_people_codes_must_be_kbli_2020_and_split_stably():
    from analysis.sectors.retrain import split_people_codes

    with pytest.raises(InputDataError, match="5-digit KBLI 2020"):
        split_people_codes(pd.DataFrame({"text": ["x"], "kbli5": ["9999"]}))
    words = [a + b + c for a in "bdgk" for b in "aiu" for c in "lmnprst"][:200]
    people = pd.DataFrame({"text": [f"jual barang {w} di toko" for w in words] + ["warung kopi"],
                           "kbli5": ["47112"] * len(words) + ["56303"]})
    train, held = split_people_codes(people)
    assert len(train) + len(held) == len(people) and 0 < len(held) < len(people) / 2
    _, again_held = split_people_codes(people.iloc[::-1])
    assert set(held["text"]) == set(again_held["text"])


def test_evaluate_module_prints_the_held_out_report_per_register(default_model, capsys):
    import json

    from analysis.sectors import evaluate

    assert evaluate.main([]) == 0
    text = capsys.readouterr().out
    assert "[sms" in text and "auto-coded with the model's rule" in text
    assert evaluate.main(["--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {"levels", "by_group", "auto_precision_ci"} <= set(report)


def test_held_out_report_can_keep_to_the_original_496_answers(default_model):
    # kbli5c helper: the comparable held-out set of docs/SECTORS.md, without the later 5-digit batches.
    original = held_out_report(default_model, original=True)
    assert original["n"] == 496
    assert held_out_report(default_model)["n"] > original["n"]
