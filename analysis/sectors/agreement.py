"""Agreement between two independent codings of the same answers.

What statistical agencies publish about their coding: on a sample coded twice,
blind and independently, the share of identical codes and Cohen's kappa (the
agreement beyond chance) at section and division level, each with a 95 %
interval; the same measures between the model and each person.

Intervals: the share of identical codes has a Wilson score interval
(:func:`.autocode.proportion_ci`); kappa has a percentile bootstrap interval
(items resampled with replacement, a fixed seed, so a report is reproducible).
The bootstrap needs no distributional formula and stays inside [-1, 1] for the
small samples a 5 % double coding gives.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.metrics import cohen_kappa_score

from ..errors import InputDataError
from .autocode import proportion_ci
from .evaluate import _level_values

BOOTSTRAP_SAMPLES = 1000
"""Resamples of the kappa interval."""

NO_CODE = "-"
"""The category of an answer one side left without a code (e.g. the model on an empty text)."""


def _kappa(a: npt.NDArray[np.str_], b: npt.NDArray[np.str_]) -> float:
    if len(set(a.tolist()) | set(b.tolist())) < 2:
        return 1.0  # one category only: the two codings agree trivially
    return float(cohen_kappa_score(a, b))


def _codes_at(codes: Sequence[Any], level: str) -> npt.NDArray[np.str_]:
    values = _level_values(list(codes), level)
    return np.array([NO_CODE if v is None else str(v) for v in values], dtype=str)


def kappa_interval(a: npt.ArrayLike, b: npt.ArrayLike, samples: int = BOOTSTRAP_SAMPLES, level: float = 0.95,
                   seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval of Cohen's kappa between two label arrays.

    Examples
    --------
    >>> low, high = kappa_interval(["A", "B", "A", "C"] * 10, ["A", "B", "C", "C"] * 10)
    >>> -1 <= low <= high <= 1
    True
    """
    first = np.asarray(a, dtype=str)
    second = np.asarray(b, dtype=str)
    n = len(first)
    if n < 2:
        return float("nan"), float("nan")
    # Each resample's kappa from its confusion counts (one bincount), not a call of
    # cohen_kappa_score per resample: the same formula, fast enough for a page at
    # thousands of double-coded answers.
    labels, codes = np.unique(np.r_[first, second], return_inverse=True)
    k = len(labels)
    pair = codes[:n] * k + codes[n:]
    rng = np.random.default_rng(seed)
    values = np.empty(samples)
    for i in range(samples):
        counts = np.bincount(pair[rng.integers(0, n, size=n)], minlength=k * k).reshape(k, k) / n
        observed = np.trace(counts)
        expected = float(counts.sum(axis=1) @ counts.sum(axis=0))
        values[i] = 1.0 if expected >= 1 - 1e-12 else (observed - expected) / (1 - expected)
    tail = (1 - level) / 2
    return float(np.quantile(values, tail)), float(np.quantile(values, 1 - tail))


def agreement_measures(first: Sequence[Any], second: Sequence[Any], level: str,
                       samples: int = BOOTSTRAP_SAMPLES) -> dict[str, Any]:
    """Share of identical codes and Cohen's kappa at ``level``, with 95 % intervals.

    Codes may be of any KBLI level at or below ``level`` (5-digit codes are
    compared by their division or section); a missing code is a category of its own.

    Returns
    -------
    dict
        ``n``, ``agree`` (count), ``agreement``, ``agreement_ci``, ``kappa``, ``kappa_ci``.

    Examples
    --------
    >>> m = agreement_measures(["56303", "47111", "01122", "96200"], ["56101", "47111", "01122", "95210"],
    ...                        "division")
    >>> m["agree"], round(m["kappa"], 3)
    (3, 0.692)
    """
    if level not in ("section", "division"):
        raise InputDataError(f"level must be section or division, not {level!r}")
    if len(first) != len(second):
        raise InputDataError("both codings must cover the same items")
    a, b = _codes_at(first, level), _codes_at(second, level)
    n = len(a)
    if n == 0:
        nan = float("nan")
        return {"n": 0, "agree": 0, "agreement": nan, "agreement_ci": [nan, nan], "kappa": nan,
                "kappa_ci": [nan, nan]}
    agree = int((a == b).sum())
    return {"n": n, "agree": agree, "agreement": agree / n, "agreement_ci": list(proportion_ci(agree, n)),
            "kappa": _kappa(a, b), "kappa_ci": list(kappa_interval(a, b, samples))}


def agreement_report(first: Sequence[Any], second: Sequence[Any], model: Sequence[Any] | None = None,
                     samples: int = BOOTSTRAP_SAMPLES) -> dict[str, Any]:
    """Coder agreement on double-coded answers, and the model's agreement with each coder.

    Parameters
    ----------
    first, second : sequence of str
        The first and the second person's codes of the same answers (any level
        down to 5 digits).
    model : sequence of str, optional
        The model's codes of the same answers (None where it gave none).

    Returns
    -------
    dict
        ``n`` and, for each pair (``coders``, and with ``model`` also
        ``model_first`` and ``model_second``), a dict by level (``section``,
        ``division``) of :func:`agreement_measures`.
    """
    if len(first) != len(second) or (model is not None and len(model) != len(first)):
        raise InputDataError("every coding must cover the same items")
    pairs: dict[str, tuple[Sequence[Any], Sequence[Any]]] = {"coders": (first, second)}
    if model is not None:
        pairs.update(model_first=(model, first), model_second=(model, second))
    report: dict[str, Any] = {"n": len(first)}
    for name, (a, b) in pairs.items():
        report[name] = {level: agreement_measures(a, b, level, samples) for level in ("section", "division")}
    return report
