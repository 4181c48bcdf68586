"""Weighted proportions, means and medians with 95% confidence intervals.

Variance method (see ``docs/ANALYSIS.md``, "Estimates"):

* Every estimate here is a ratio ``θ = Σ w d y / Σ w d`` over a domain ``d`` (a
  proportion is the mean of a 0/1 variable).  Its Taylor linearisation is
  ``z = d (y − θ) / N̂_d``.
* With raked weights (a :class:`~analysis.weights.RakingResult`), ``z`` is replaced by its
  residual from a weighted regression on the raking margins' dummies — the standard
  calibration (GREG) linearisation of Deville & Särndal (1992): the part of ``z`` the
  margins explain is known from the roster and adds no variance.
* The variance is the with-replacement estimator over respondents treated as one stratum
  without clusters: ``v = n/(n−1) Σ (w e − mean(w e))²``.  No finite-population correction
  (conservative).  Non-response is assumed ignorable given the margins (missing at random);
  the interval does not cover bias from non-response the margins do not explain.
* Proportions: Wilson interval with the effective sample size ``p(1−p)/se²`` (a
  design-based Wilson interval; behaves at 0 and 1 where the Wald interval collapses).
  Means: ``θ ± t(n_d − 1) · se``.
* Medians and other quantiles: Woodruff (1952) interval — the linearised standard error of
  the estimated distribution function at the quantile, inverted through the weighted
  quantile function.  Quantiles are the smallest value whose cumulative weight share
  reaches ``q`` (type 1).

Every result carries the unweighted count ``n`` and a ``small`` flag when ``n < 30``.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from .weights import RakingResult

Weights = RakingResult | ArrayLike | None
"""Raked weights (variances use their margins), plain weights, or None for unweighted."""

SMALL_N = 30
"""Cells with fewer respondents than this are flagged ``small``."""


@dataclass(frozen=True)
class Estimate:
    """One weighted estimate with its confidence interval.

    ``n`` is the unweighted number of respondents behind it; ``population`` the weighted
    size of its domain (an estimate of how many alumni it is about).
    """

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    n: int
    population: float
    small: bool

    def as_dict(self, prefix: str = "") -> dict[str, Any]:
        """The fields as a dict, keys optionally prefixed."""
        return {f"{prefix}{k}": v for k, v in asdict(self).items()}


def _prepare(y: ArrayLike, weights: Weights, domain: ArrayLike | None
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, Any]:
    y = np.asarray(y, dtype=float)
    if isinstance(weights, RakingResult):
        design, w = weights, weights.weights
    elif weights is None:
        design, w = None, np.ones(y.size)
    else:
        design, w = None, np.asarray(weights, dtype=float)
    if w.shape != y.shape:
        raise ValueError(f"weights ({w.shape}) and values ({y.shape}) differ in length")
    d = np.isfinite(y)
    if domain is not None:
        d &= np.asarray(domain, dtype=bool)
    return y, w, d, design


def _linearised_se(z: np.ndarray, w: np.ndarray, design: Any) -> float:
    n = z.size
    if n < 2:
        return np.nan
    e = design.residualize(z) if design is not None else z
    we = w * e
    return float(np.sqrt(n / (n - 1) * np.sum((we - we.mean()) ** 2)))


def _ratio(y: np.ndarray, w: np.ndarray, d: np.ndarray, design: Any) -> tuple[float, float, int, float]:
    n_d = int(d.sum())
    total = float(w[d].sum())
    if n_d == 0 or total <= 0:
        return np.nan, np.nan, n_d, total
    theta = float(np.dot(w[d], y[d]) / total)
    z = np.where(d, np.nan_to_num(y) - theta, 0.0) / total
    return theta, _linearised_se(z, w, design), n_d, total


def weighted_proportion(y: ArrayLike, weights: Weights = None, *, domain: ArrayLike | None = None,
                        level: float = 0.95) -> Estimate:
    """Weighted share of ``y`` (0/1, NaN = not applicable) with a confidence interval.

    Parameters
    ----------
    y : array-like
        1 (has the property), 0 (does not), NaN (outside the question's domain).
    weights : array-like or RakingResult, optional
        Survey weights; a :class:`RakingResult` also gives calibration variances.
        None: unweighted (simple random sampling formulas).
    domain : array-like of bool, optional
        Restrict to a subpopulation (variance still uses every respondent).
    level : float, default 0.95

    Returns
    -------
    Estimate

    Examples
    --------
    >>> e = weighted_proportion([1, 0, 1, 1, 0, 1, 0, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1, 1, 1, 3])
    >>> round(e.estimate, 3), e.n, e.small
    (0.75, 10, True)
    >>> 0 < e.ci_low < e.estimate < e.ci_high < 1
    True
    """
    y, w, d, design = _prepare(y, weights, domain)
    p, se, n_d, total = _ratio(y, w, d, design)
    if n_d == 0:
        return Estimate(np.nan, np.nan, np.nan, np.nan, 0, 0.0, True)
    z = stats.norm.ppf(0.5 + level / 2)
    if se > 0 and 0 < p < 1:
        n_eff = p * (1 - p) / se ** 2
    else:
        n_eff = float(n_d)
    low, high = _wilson(p, n_eff, z)
    return Estimate(p, se, low, high, n_d, total, n_d < SMALL_N)


def _wilson(p: float, n: float, z: float) -> tuple[float, float]:
    if not np.isfinite(p) or n <= 0:
        return np.nan, np.nan
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low = 0.0 if p <= 0 else max(0.0, centre - half)
    high = 1.0 if p >= 1 else min(1.0, centre + half)
    return float(low), float(high)


def weighted_mean(y: ArrayLike, weights: Weights = None, *, domain: ArrayLike | None = None,
                  level: float = 0.95) -> Estimate:
    """Weighted mean of ``y`` (NaN = missing) with a t-based confidence interval.

    Examples
    --------
    >>> e = weighted_mean([10, 20, 30, 40], [1, 1, 1, 1])
    >>> e.estimate, round(e.se, 3), e.n
    (25.0, 6.455, 4)
    """
    y, w, d, design = _prepare(y, weights, domain)
    mean, se, n_d, total = _ratio(y, w, d, design)
    if n_d == 0:
        return Estimate(np.nan, np.nan, np.nan, np.nan, 0, 0.0, True)
    t = stats.t.ppf(0.5 + level / 2, max(n_d - 1, 1))
    return Estimate(mean, se, mean - t * se, mean + t * se, n_d, total, n_d < SMALL_N)


def weighted_quantile(y: ArrayLike, weights: Weights = None, q: float = 0.5, *,
                      domain: ArrayLike | None = None) -> float:
    """The weighted ``q``-quantile: the smallest value whose cumulative weight share reaches ``q``.

    Examples
    --------
    >>> weighted_quantile([1, 2, 3, 4], [1, 1, 1, 1], 0.5)
    2.0
    >>> weighted_quantile([1, 2, 3, 4], [1, 1, 1, 5], 0.5)
    4.0
    """
    y, w, d, _design = _prepare(y, weights, domain)
    return float(_quantiles(y[d], w[d], np.array([q]))[0])


def _quantiles(values: np.ndarray, w: np.ndarray, qs: np.ndarray) -> np.ndarray:
    if values.size == 0:
        return np.full(qs.shape, np.nan)
    order = np.argsort(values, kind="mergesort")
    v, cw = values[order], np.cumsum(w[order])
    share = cw / cw[-1]
    positions = np.searchsorted(share, np.clip(qs, 0, 1) - 1e-12, side="left")
    return np.asarray(v[np.minimum(positions, v.size - 1)])


def weighted_median(y: ArrayLike, weights: Weights = None, *, domain: ArrayLike | None = None,
                    level: float = 0.95, q: float = 0.5) -> Estimate:
    """Weighted median (or ``q``-quantile) with a Woodruff confidence interval.

    Examples
    --------
    >>> import numpy as np
    >>> e = weighted_median(np.arange(1, 101), np.ones(100))
    >>> e.estimate, e.ci_low < 50 < e.ci_high, e.n
    (50.0, True, 100)
    """
    y, w, d, design = _prepare(y, weights, domain)
    n_d = int(d.sum())
    if n_d == 0:
        return Estimate(np.nan, np.nan, np.nan, np.nan, 0, 0.0, True)
    median = float(_quantiles(y[d], w[d], np.array([q]))[0])
    below = np.where(np.isfinite(y), (y <= median).astype(float), np.nan)
    _p, se_p, _n, total = _ratio(below, w, d, design)
    z = stats.norm.ppf(0.5 + level / 2)
    low, high = _quantiles(y[d], w[d], np.array([q - z * se_p, q + z * se_p]))
    # A band of ± z·se around q in the distribution function, mapped back to values; the
    # spread of values in the band is the standard error (Woodruff).
    se = float((high - low) / (2 * z)) if z > 0 else np.nan
    return Estimate(median, se, float(low), float(high), n_d, total, n_d < SMALL_N)


def estimate_table(frame: pd.DataFrame, outcome: str, weights: Weights = None, *, by: str | None = None,
                   kind: str = "proportion", level: float = 0.95) -> pd.DataFrame:
    """Estimates of ``outcome`` overall and for each value of ``by``, one row each.

    ``kind`` is ``proportion``, ``mean`` or ``median``.  Columns: ``group, estimate, se,
    ci_low, ci_high, n, population, small``.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"business": [1, 0, 1, 1, 0, 0], "sex": list("MMMFFF")})
    >>> estimate_table(frame, "business", by="sex")[["group", "estimate", "n"]].round(3)
       group  estimate  n
    0  (all)     0.500  6
    1      F     0.333  3
    2      M     0.667  3
    """
    function = {"proportion": weighted_proportion, "mean": weighted_mean, "median": weighted_median}[kind]
    y = frame[outcome].to_numpy(dtype=float)
    rows = [{"group": "(all)", **function(y, weights, level=level).as_dict()}]
    if by is not None:
        groups = frame[by]
        for value in sorted(groups.dropna().unique(), key=str):
            rows.append({"group": value, **function(y, weights, domain=(groups == value).to_numpy(),
                                                       level=level).as_dict()})
    return pd.DataFrame(rows)
