"""The auto-coding rule is chosen by cross-fitting and reports honest precision."""
import numpy as np
import pytest

from analysis.sectors.autocode import (
    choose_auto_rule,
    choose_review_threshold,
    cross_fitted_auto,
    proportion_ci,
    rule_score,
)


def _calibrated(n=2000, seed=0):
    rng = np.random.default_rng(seed)
    confidence = rng.uniform(0.2, 1.0, n)
    correct = rng.uniform(size=n) < confidence  # confidence = true probability of being right
    return confidence, correct, np.arange(n) % 5


def test_threshold_is_lowest_score_keeping_target_precision():
    assert choose_review_threshold([0.9, 0.8, 0.7, 0.6], [True, True, True, False], 0.95, 1) == 0.7
    assert choose_review_threshold([0.9, 0.8], [False, False], 0.95, 1) == 1.0
    assert choose_review_threshold([], [], 0.95, 1) == 1.0


def test_cross_fitting_never_uses_a_fold_to_choose_its_own_threshold():
    confidence, correct, folds = _calibrated()
    flipped = correct.copy()
    flipped[folds == 0] = False  # fold 0 all wrong: only the other folds choose its threshold
    auto = cross_fitted_auto(confidence, flipped, folds, 0.95)
    expected = choose_review_threshold(confidence[folds != 0], flipped[folds != 0], 0.95)
    assert (auto[folds == 0] == (confidence[folds == 0] >= expected)).all()


def test_chosen_rule_reaches_target_on_fresh_data_from_the_same_source():
    confidence, correct, folds = _calibrated(seed=1)
    rule = choose_auto_rule({"confidence": confidence}, correct, folds, 0.95)["confidence"]
    fresh_conf, fresh_correct, _ = _calibrated(n=20000, seed=2)
    auto = fresh_conf >= rule["threshold"]
    assert rule["crossfit_precision"] >= 0.95
    assert fresh_correct[auto].mean() >= 0.94  # sampling noise on fresh data
    assert rule["crossfit_ci"][0] <= rule["crossfit_precision"] <= rule["crossfit_ci"][1]


def test_best_score_is_the_one_auto_coding_most():
    confidence, correct, folds = _calibrated(seed=3)
    noise = np.random.default_rng(4).uniform(size=len(confidence))
    rule = choose_auto_rule({"confidence": confidence, "margin": noise}, correct, folds, 0.95)
    assert rule["best"] == "confidence"


def test_unknown_score_is_refused():
    with pytest.raises(ValueError, match="unknown review score"):
        rule_score("entropy", [0.5], [0.1])


def test_wilson_interval_brackets_the_proportion_and_handles_zero():
    low, high = proportion_ci(95, 100)
    assert low < 0.95 < high
    assert all(np.isnan(proportion_ci(0, 0)))
