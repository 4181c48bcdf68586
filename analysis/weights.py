"""Non-response weights by raking (iterative proportional fitting) to roster margins.

Who answers a tracer survey is not who was trained: younger alumni, some provinces and
some training categories answer more often.  Raking gives every respondent a weight so
that, for each margin variable (province, sex, age group, training category, cohort),
the weighted respondents add up to the roster's counts.  The roster is the frame: it
lists every alumnus, so its margins are known exactly.

Method (documented in ``docs/ANALYSIS.md``):

1. Levels of a margin with fewer than ``min_cell`` respondents (including levels with none)
   are pooled into one ``(other)`` level, so that no target is unreachable and no handful
   of people carries a whole province.  A pooled level that is still too small is merged
   into the smallest regular level.
2. Start from equal weights ``N / n`` (or given base weights) and rescale the weights
   margin by margin until every margin is reproduced within ``tol`` (relative).
3. Trim: weights above ``trim`` times the median are cut to that cap, then the weights
   are raked again; repeated until no weight exceeds the cap by more than 1% (at most
   ``max_trim_rounds`` rounds).  Margins are exact after the last round; the cap may be
   slightly exceeded, which the diagnostics show.

Implemented with numpy (``bincount`` over integer-coded levels): it is short, exact and
fast for 240,000 respondents, and it keeps the pooling and trimming rules explicit.  The
margin dummies are kept (:attr:`RakingResult.design`) so that variances can treat the
weights as calibration weights (see :mod:`analysis.estimates`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import sparse

from .errors import InputDataError

MISSING = "(missing)"
Coded = list[tuple[np.ndarray, np.ndarray]]
"""Each raking margin as (level index per respondent, target per level)."""
OTHER = "(other)"


class RakingError(InputDataError):
    """Raking cannot be done with these inputs (no respondents, unknown margin, …)."""


@dataclass
class RakingResult:
    """Raked weights and what it took to get them.

    Attributes
    ----------
    weights : numpy.ndarray
        One weight per sample row (they sum to the population size).
    margins : pandas.DataFrame
        One row per margin level: ``margin, level, population, respondents,
        unweighted_share, weighted_share, population_share, weighted_total``.
    converged : bool
        Whether the final raking reproduced every margin within the tolerance.
    iterations : int
        Raking cycles of the final round.
    trim_rounds : int
        Trim-and-rake rounds done.
    diagnostics : dict
        ``n, population, sum, min, max, median, ratio (max/min), cv, deff_kish (1 + cv²),
        n_effective (n / deff), trimmed (weights cut in the last round), cap``.
    collapsed : dict
        Margin → list of levels pooled into ``(other)`` (or merged elsewhere).
    design : scipy.sparse.csr_matrix
        The sample's margin dummies (n × levels), for calibration variances.
    """

    weights: np.ndarray
    margins: pd.DataFrame
    converged: bool
    iterations: int
    trim_rounds: int
    diagnostics: dict[str, Any]
    collapsed: dict[str, list[str]]
    design: sparse.csr_matrix = field(repr=False)
    _gram_pinv: np.ndarray | None = field(default=None, repr=False)

    def residualize(self, z: np.ndarray) -> np.ndarray:
        """Residuals of ``z`` after a weighted regression on the margin dummies.

        The calibration (raking) estimator's linearised variance uses these residuals
        instead of ``z``: variation the margins explain is known without error.
        """
        w = self.weights
        if self._gram_pinv is None:
            gram = (self.design.T.multiply(w) @ self.design).toarray()
            self._gram_pinv = np.linalg.pinv(gram, hermitian=True)
        beta = self._gram_pinv @ (self.design.T @ (w * z))
        residual: np.ndarray = z - self.design @ beta
        return residual


def rake(sample: pd.DataFrame, population: pd.DataFrame, margins: list[str], *,
         base_weights: ArrayLike | None = None, population_weights: ArrayLike | None = None,
         trim: float | None = 5.0, min_cell: int = 10, max_iter: int = 200,
         tol: float = 1e-8, max_trim_rounds: int = 20) -> RakingResult:
    """Rake sample weights to the population's margins, with pooling and trimming.

    Parameters
    ----------
    sample : pandas.DataFrame
        One row per respondent, with a column per margin.
    population : pandas.DataFrame
        One row per member of the population (the roster), same columns.
    margins : list of str
        Columns to rake on; each is treated as categorical (missing is its own level).
    base_weights : array-like, optional
        Starting weights (default: population size / ``len(sample)`` each).
    population_weights : array-like, optional
        One weight per population row: the targets are weighted totals instead of counts.
        Used for attrition weights, where the "population" is an earlier wave's
        respondents with their weights (:func:`analysis.panel.attrition_weights`).
    trim : float or None, default 5.0
        Cap weights at ``trim`` × median weight, then rake again; None: no trimming.
    min_cell : int, default 10
        Levels with fewer respondents are pooled (see the module docstring).
    max_iter : int, default 200
        Raking cycles per round.
    tol : float, default 1e-8
        Largest relative gap between a weighted margin and its target.
    max_trim_rounds : int, default 20

    Returns
    -------
    RakingResult

    Examples
    --------
    >>> import pandas as pd
    >>> population = pd.DataFrame({"sex": list("MMMMMMFFFF"), "young": [1, 1, 0, 0, 0, 0, 1, 1, 1, 0]})
    >>> sample = population.iloc[[0, 2, 3, 6, 7, 9]]
    >>> result = rake(sample, population, ["sex", "young"], min_cell=1, trim=None)
    >>> result.converged, round(float(result.weights.sum()), 6)
    (True, 10.0)
    >>> result.margins[["margin", "level", "population", "weighted_total"]].round(6)
      margin level  population  weighted_total
    0    sex     F           4             4.0
    1    sex     M           6             6.0
    2  young     0           5             5.0
    3  young     1           5             5.0
    """
    n = len(sample)
    if n == 0:
        raise RakingError("no respondents to weight")
    unknown = [m for m in margins if m not in sample.columns or m not in population.columns]
    if unknown:
        raise RakingError(f"unknown margin column(s): {', '.join(unknown)}")
    if population_weights is None:
        pop_w = None
        population_size = float(len(population))
    else:
        pop_w = np.asarray(population_weights, dtype=float)
        if pop_w.shape != (len(population),) or not np.all(np.isfinite(pop_w)) or np.any(pop_w < 0):
            raise RakingError("population weights must be one non-negative number per population row")
        population_size = float(pop_w.sum())
    if base_weights is None:
        w0 = np.full(n, population_size / n, dtype=float)
    else:
        w0 = np.asarray(base_weights, dtype=float).copy()
        if w0.shape != (n,) or not np.all(np.isfinite(w0)) or np.any(w0 <= 0):
            raise RakingError("base weights must be one positive number per sample row")

    coded, collapsed, levels_info = [], {}, []
    for margin in margins:
        idx, targets, labels, pooled, counts = _code_margin(sample[margin], population[margin], min_cell, pop_w)
        coded.append((idx, targets))
        collapsed[margin] = pooled
        levels_info.append((margin, labels, targets, counts))

    weights, converged, iterations = _ipf(w0, coded, max_iter, tol)
    rounds, trimmed, cap = 0, 0, None
    if trim is not None:
        for rounds in range(1, max_trim_rounds + 1):
            cap = trim * float(np.median(weights))
            over = weights > cap * 1.01
            if not over.any():
                rounds -= 1
                break
            trimmed = int(over.sum())
            weights = np.minimum(weights, cap)
            weights, converged, iterations = _ipf(weights, coded, max_iter, tol)
    design = _design(coded, n)
    table = _margin_table(levels_info, coded, weights, n)
    diagnostics = weight_diagnostics(weights)
    diagnostics.update(population=len(population) if pop_w is None else population_size, trimmed=trimmed, cap=cap)
    return RakingResult(weights=weights, margins=table, converged=converged, iterations=iterations,
                        trim_rounds=max(rounds, 0), diagnostics=diagnostics, collapsed=collapsed, design=design)


def weight_diagnostics(weights: ArrayLike) -> dict[str, Any]:
    """Summary of a set of weights: range, Kish design effect and effective sample size.

    The Kish design effect due to unequal weighting is ``1 + cv²`` (cv: coefficient of
    variation of the weights, population standard deviation); the effective sample size
    is ``n / deff``.

    Examples
    --------
    >>> d = weight_diagnostics([1, 1, 2, 4])
    >>> d["n"], d["ratio"], round(d["deff_kish"], 3), round(d["n_effective"], 2)
    (4, 4.0, 1.375, 2.91)
    """
    w = np.asarray(weights, dtype=float)
    n = int(w.size)
    if n == 0:
        return {"n": 0, "sum": 0.0, "min": np.nan, "max": np.nan, "median": np.nan, "ratio": np.nan,
                "cv": np.nan, "deff_kish": np.nan, "n_effective": 0.0}
    mean = w.mean()
    cv = float(w.std() / mean) if mean > 0 else np.nan
    deff = 1.0 + cv * cv
    return {"n": n, "sum": float(w.sum()), "min": float(w.min()), "max": float(w.max()),
            "median": float(np.median(w)), "ratio": float(w.max() / w.min()) if w.min() > 0 else np.inf,
            "cv": cv, "deff_kish": deff, "n_effective": n / deff}


def _code_margin(sample_values: pd.Series, population_values: pd.Series, min_cell: int,
                 population_weights: np.ndarray | None = None
                 ) -> tuple[np.ndarray, np.ndarray, list[str], list[str], np.ndarray]:
    # One factorisation of both, then integer arrays: string look-ups (or isna) per row cost
    # seconds at 500,000. Missing (NaN, None, "") is one level; values compare as text.
    n_sample = len(sample_values)
    values = np.concatenate([sample_values.to_numpy(dtype=object), population_values.to_numpy(dtype=object)])
    codes, uniques = pd.factorize(values)
    names = [MISSING if isinstance(u, str) and u == "" else str(u) for u in uniques] + [MISSING]
    codes = np.where(codes < 0, len(uniques), codes)
    present = np.bincount(codes, minlength=len(names)) > 0
    s_codes, p_codes = codes[:n_sample], codes[n_sample:]
    counts: dict[str, int] = {}
    for name, count, seen in zip(names, np.bincount(s_codes, minlength=len(names)).tolist(), present):
        if seen:
            counts[name] = counts.get(name, 0) + count
    levels = sorted(counts)
    small = [lv for lv in levels if counts.get(lv, 0) < min_cell]
    regular = [lv for lv in levels if lv not in small]
    group = {lv: lv for lv in regular}
    pooled: list[str] = []
    if small:
        pooled = small
        pooled_n = sum(counts.get(lv, 0) for lv in small)
        if pooled_n >= min_cell or not regular:
            target_label = OTHER
        else:  # still too small: merge into the smallest regular level
            target_label = min(regular, key=lambda lv: (counts.get(lv, 0), lv))
        for lv in small:
            group[lv] = target_label
    labels = sorted(set(group.values()))
    position = {label: i for i, label in enumerate(labels)}
    code_of = np.array([position[group[name]] if name in group else 0 for name in names], dtype=np.int64)
    idx = code_of[s_codes]
    pop_idx = code_of[p_codes]
    targets = np.bincount(pop_idx, weights=population_weights, minlength=len(labels)).astype(float)
    resp_counts = np.bincount(idx, minlength=len(labels))
    if np.any((targets == 0) & (resp_counts > 0)):
        raise RakingError(f"margin {sample_values.name!r}: respondents in a level the population does not have")
    return idx, targets, labels, pooled, resp_counts


def _ipf(weights: np.ndarray, coded: Coded, max_iter: int, tol: float) -> tuple[np.ndarray, bool, int]:
    w = weights.copy()
    for iteration in range(1, max_iter + 1):
        worst = 0.0
        for idx, targets in coded:
            current = np.bincount(idx, weights=w, minlength=targets.size)
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = np.where(current > 0, targets / current, 1.0)
            reachable = current > 0
            if reachable.any():
                worst = max(worst, float(np.max(np.abs(current[reachable] / targets[reachable] - 1.0))))
            w *= factor[idx]
        if worst < tol:
            return w, True, iteration
    return w, False, max_iter


def _design(coded: Coded, n: int) -> sparse.csr_matrix:
    blocks = []
    rows = np.arange(n)
    for idx, targets in coded:
        blocks.append(sparse.csr_matrix((np.ones(n), (rows, idx)), shape=(n, targets.size)))
    return sparse.hstack(blocks, format="csr")


def _margin_table(levels_info: list[tuple[str, list[str], np.ndarray, np.ndarray]], coded: Coded,
                  weights: np.ndarray, n: int) -> pd.DataFrame:
    rows = []
    total_w = weights.sum()
    for (margin, labels, targets, counts), (idx, _t) in zip(levels_info, coded):
        achieved = np.bincount(idx, weights=weights, minlength=len(labels))
        population = targets.sum()
        for i, label in enumerate(labels):
            target = float(targets[i])
            rows.append({"margin": margin, "level": label,
                         "population": int(target) if target.is_integer() else target,
                         "respondents": int(counts[i]), "population_share": targets[i] / population,
                         "unweighted_share": counts[i] / n, "weighted_share": achieved[i] / total_w,
                         "weighted_total": achieved[i]})
    return pd.DataFrame(rows)
