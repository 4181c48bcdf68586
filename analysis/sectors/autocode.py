"""The auto-coding rule: which answers are coded without a person.

Like the production coders of statistical agencies (INSEE's fastText coder
thresholds the probability of the best class and its margin over the
second), an answer is auto-coded when a score — the calibrated section
probability or the gap between the two most probable sections — reaches a
threshold.  The threshold is chosen on out-of-fold predictions of the
labelled train split, and *cross-fitted*: the threshold applied to each
calibration fold is chosen on the other folds only, so the precision
reported for the rule is measured on answers that did not choose it.  When
that out-of-sample precision falls short of the target, the target used to
choose thresholds is raised in small steps until it does not (a safety
margin learnt from the data, not guessed).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.stats import binomtest

AUTO_RULE_SCORES = ("confidence", "margin")
"""Scores an auto-coding rule can threshold."""

_SAFETY_STEPS = np.round(np.arange(0.0, 0.0451, 0.005), 4)


def rule_score(kind: str, confidence: npt.ArrayLike, margin: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """The value the auto-coding rule compares with its threshold.

    Examples
    --------
    >>> rule_score("margin", [0.9, 0.6], [0.85, 0.2]).tolist()
    [0.85, 0.2]
    """
    if kind not in AUTO_RULE_SCORES:
        raise ValueError(f"unknown review score {kind!r}; expected one of {AUTO_RULE_SCORES}")
    return np.asarray(confidence if kind == "confidence" else margin, dtype=float)


def choose_review_threshold(confidence: npt.ArrayLike, correct: npt.ArrayLike, target_precision: float = 0.95,
                            min_count: int = 20) -> float:
    """Lowest threshold whose auto-coded set (score >= threshold) reaches ``target_precision``.

    Returns 1.0 (nothing auto-coded but certainties) when no threshold keeps
    at least ``min_count`` items at the target precision.  Ties are coded
    together, so the cut only falls between distinct scores.

    Examples
    --------
    >>> choose_review_threshold([0.9, 0.8, 0.7, 0.6], [True, True, True, False],
    ...                         target_precision=0.95, min_count=2)
    0.7
    """
    conf = np.asarray(confidence, dtype=float)
    right = np.asarray(correct, dtype=bool)
    if len(conf) == 0:
        return 1.0
    order = np.argsort(-conf, kind="stable")
    conf_sorted = conf[order]
    precision = np.cumsum(right[order]) / np.arange(1, len(order) + 1)
    last_of_tie = np.r_[conf_sorted[1:] != conf_sorted[:-1], True]
    ok = (precision >= target_precision) & last_of_tie & (np.arange(1, len(order) + 1) >= min_count)
    if not ok.any():
        return 1.0
    return float(conf_sorted[np.flatnonzero(ok)[-1]])


def proportion_ci(successes: int, total: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion (``(nan, nan)`` when ``total`` is 0).

    Examples
    --------
    >>> low, high = proportion_ci(95, 100)
    >>> round(low, 3), round(high, 3)
    (0.888, 0.978)
    """
    if total == 0:
        return float("nan"), float("nan")
    ci = binomtest(int(successes), int(total)).proportion_ci(confidence_level=level, method="wilson")
    return float(ci.low), float(ci.high)


def cross_fitted_auto(score: npt.ArrayLike, correct: npt.ArrayLike, folds: npt.ArrayLike, target_precision: float,
                      min_count: int = 20) -> npt.NDArray[np.bool_]:
    """Auto-coded flags where each fold's threshold was chosen on the other folds."""
    values = np.asarray(score, dtype=float)
    right = np.asarray(correct, dtype=bool)
    fold_of = np.asarray(folds)
    auto = np.zeros(len(values), dtype=bool)
    for fold in np.unique(fold_of):
        held = fold_of == fold
        threshold = choose_review_threshold(values[~held], right[~held], target_precision, min_count)
        auto[held] = values[held] >= threshold
    return auto


def choose_auto_rule(scores: dict[str, npt.ArrayLike], correct: npt.ArrayLike, folds: npt.ArrayLike,
                     target_precision: float = 0.95, min_count: int = 20) -> dict[str, Any]:
    """Choose a threshold for each candidate score by cross-fitting.

    Parameters
    ----------
    scores : dict of str to array
        Out-of-fold values of each candidate score (e.g. ``confidence``, ``margin``).
    correct : array of bool
        Whether each out-of-fold prediction was right (section level).
    folds : array of int
        Calibration fold of each item.
    target_precision : float
    min_count : int

    Returns
    -------
    dict
        Per score: ``threshold`` (chosen on all items with the safety-raised
        target), ``choice_target`` (that target), ``crossfit_share``,
        ``crossfit_precision`` and its Wilson ``crossfit_ci``; plus ``best``,
        the score with the largest cross-fitted share at the target.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> conf = rng.uniform(size=400)
    >>> right = rng.uniform(size=400) < conf ** 0.2
    >>> rule = choose_auto_rule({"confidence": conf}, right, np.arange(400) % 4)
    >>> rule["confidence"]["crossfit_precision"] >= 0.95 or rule["confidence"]["crossfit_share"] == 0
    True
    """
    right = np.asarray(correct, dtype=bool)
    report: dict[str, Any] = {}
    for name, raw_score in scores.items():
        score = np.asarray(raw_score, dtype=float)
        for step in _SAFETY_STEPS:
            choice_target = min(1.0, target_precision + float(step))
            auto = cross_fitted_auto(score, right, folds, choice_target, min_count)
            precision = float(right[auto].mean()) if auto.any() else float("nan")
            if auto.any() and precision >= target_precision:
                break
        else:
            choice_target = 1.0
            auto = np.zeros(len(score), dtype=bool)
            precision = float("nan")
        report[name] = {
            "threshold": choose_review_threshold(score, right, choice_target, min_count),
            "choice_target": choice_target,
            "crossfit_share": float(auto.mean()) if len(auto) else 0.0,
            "crossfit_precision": precision,
            "crossfit_ci": proportion_ci(int(right[auto].sum()), int(auto.sum())),
            "n": len(score),
        }
    if report:
        report["best"] = max(scores, key=lambda name: report[name]["crossfit_share"])
    return report
