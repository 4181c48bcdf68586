"""Retraining on people's codes from the review queue (building block for the app).

The app's retrain job (``survey_app/sectors/retraining.py``): split the people's
codes with :func:`split_people_codes` (the held-out part is never trained on),
refuse too few with :func:`check_enough_codes`, fit a candidate with
:func:`train_with_people_codes`, compare it with the current model on the
held-out people's codes with :func:`promotion_table`, and promote it only when
the table says it is not worse.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputDataError
from .default import DEFAULT_PARAMS
from .evaluate import score_table
from .kbli import load_kbli
from .labelled import load_kbli5_documents, load_labelled, split_for_row
from .model import SectorClassifier

MIN_PEOPLE_CODES = 200
"""Fewer people's codes than this are refused: too few to change the model
measurably, and with about a fifth held out (about 40 of 200), too few
held-out codes to tell whether it got better."""

MIN_HELD_OUT = 20
"""The held-out part must have at least this many codes for a comparison."""

PROMOTION_METRICS: tuple[tuple[str, str], ...] = (
    ("section_accuracy", "Section accuracy"),
    ("section_macro_f1", "Section macro-F1"),
    ("division_accuracy", "Division accuracy"),
    ("kbli5_top1", "5-digit top-1"),
    ("kbli5_top3", "5-digit top-3"),
    ("auto_share", "Auto-coded share"),
    ("auto_precision", "Auto-coded section precision"),
)
"""Rows of the comparison table shown before a promotion: (key, English label)."""

PEOPLE_WEIGHT = 2.0
"""Sample weight of a person's code relative to a seed example (weight 1):
people's codes come from the survey's own population of writers."""


def _validated(people: pd.DataFrame) -> pd.DataFrame:
    missing = {"text", "kbli5"} - set(people.columns)
    if missing:
        raise InputDataError(f"people's codes need columns text and kbli5; missing {', '.join(sorted(missing))}")
    kbli = load_kbli()
    table = pd.DataFrame({"text": people["text"].fillna("").astype(str),
                          "kbli5": people["kbli5"].fillna("").astype(str).str.strip()})
    bad = ~table["kbli5"].map(kbli.is_kbli5)
    if bad.any():
        examples = ", ".join(repr(v) for v in table.loc[bad, "kbli5"].unique()[:5])
        raise InputDataError(f"people's codes must be 5-digit KBLI 2020 codes; got {examples}")
    return table.loc[table["text"].str.strip() != ""].reset_index(drop=True)


def split_people_codes(people: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, held_out) by the labelled set's hash rule (about 20 % held out).

    The split depends only on the text, so a code never moves between the
    parts when more codes arrive, and twins differing only in case or
    slang stay together.
    """
    table = _validated(people)
    test = np.array([split_for_row(text, "people") == "test" for text in table["text"]], dtype=bool)
    return table.loc[~test].reset_index(drop=True), table.loc[test].reset_index(drop=True)


def check_enough_codes(n_codes: int, n_held_out: int | None = None, min_codes: int = MIN_PEOPLE_CODES,
                       min_held_out: int = MIN_HELD_OUT) -> None:
    """Refuse a retrain on too few people's codes, saying how many are needed.

    Raises
    ------
    InputDataError
        With ``n_codes < min_codes``, or a held-out part smaller than
        ``min_held_out`` (when ``n_held_out`` is given).

    Examples
    --------
    >>> check_enough_codes(250, 50)
    >>> check_enough_codes(120)
    Traceback (most recent call last):
    ...
    analysis.errors.InputDataError: retraining needs at least 200 people's codes; there are 120 (80 more needed)
    """
    if n_codes < min_codes:
        raise InputDataError(
            f"retraining needs at least {min_codes} people's codes; there are {n_codes} "
            f"({min_codes - n_codes} more needed)")
    if n_held_out is not None and n_held_out < min_held_out:
        raise InputDataError(
            f"retraining needs at least {min_held_out} held-out people's codes to compare the models; "
            f"there are {n_held_out} of {n_codes} (code more answers)")


def train_with_people_codes(people: pd.DataFrame, weight: float = PEOPLE_WEIGHT,
                            min_codes: int = MIN_PEOPLE_CODES, n_jobs: int | None = 2,
                            params: Mapping[str, Any] | None = None) -> SectorClassifier:
    """Fit the default configuration on the seed train split plus people's codes (and the 5-digit documents).

    Parameters
    ----------
    people : pandas.DataFrame
        Columns ``text`` and ``kbli5`` (5-digit KBLI 2020) — only the
        *training* part of :func:`split_people_codes`.
    weight : float
        Sample weight of each person's code (seed examples weigh 1).
    min_codes : int
        Refuse to retrain on fewer codes than this.
    params : mapping, optional
        Overrides of :data:`.default.DEFAULT_PARAMS` (the app's tests train
        small models this way).

    Raises
    ------
    InputDataError
        When there are fewer than ``min_codes`` usable codes (the message
        says how many are needed) or codes are not KBLI 2020.
    """
    table = _validated(people)
    check_enough_codes(len(table), min_codes=min_codes)
    seeds = load_labelled(split="train")[["text", "kbli5"]]
    texts = pd.concat([seeds["text"], table["text"]], ignore_index=True)
    codes = pd.concat([seeds["kbli5"], table["kbli5"]], ignore_index=True)
    weights = np.r_[np.ones(len(seeds)), np.full(len(table), float(weight))]
    model = SectorClassifier(**{**DEFAULT_PARAMS, **dict(params or {})}, n_jobs=n_jobs)
    return model.fit(texts, codes.str[:2], sample_weight=weights, kbli5=codes,
                     kbli5_documents=load_kbli5_documents())


def _flat_scores(model: SectorClassifier, texts: list[str], codes: pd.Series, precision: float) -> dict[str, float]:
    scores = score_table(model.code(texts), codes, precision)
    levels = scores["levels"]
    return {
        "section_accuracy": levels["section"]["top1"], "section_macro_f1": levels["section"]["macro_f1"],
        "division_accuracy": levels["division"]["top1"], "kbli5_top1": levels["kbli5"]["top1"],
        "kbli5_top3": levels["kbli5"]["top3"], "auto_share": scores["auto_share"],
        "auto_precision": scores["auto_precision"],
    }


def promotion_table(current: SectorClassifier, candidate: SectorClassifier, held_out: pd.DataFrame,
                    precision: float = 0.95, tolerance: float = 0.0) -> dict[str, Any]:
    """Compare two models on held-out people's codes; say whether the candidate is not worse.

    Each model codes the held-out answers once (:meth:`SectorClassifier.code`).
    The candidate is *not worse* when every metric of :data:`PROMOTION_METRICS`
    is at least the current model's minus ``tolerance``; for the auto-coded
    precision it is also enough to reach ``precision`` (the promise to users).
    A metric that cannot be computed (no auto-coded answer) counts as worse
    for the candidate only when the current model has a value.

    Parameters
    ----------
    held_out : pandas.DataFrame
        Columns ``text`` and ``kbli5``: the held-out part of :func:`split_people_codes`.
    precision : float
        Target section precision of auto-coded answers.
    tolerance : float
        How much lower a metric may be and still count as not worse (0: strictly).

    Returns
    -------
    dict
        JSON-serialisable: ``n``, ``precision``, ``tolerance``, ``not_worse``,
        ``worse`` (keys of the metrics where the candidate is worse) and ``rows``:
        one dict per metric with ``key``, ``label``, ``current``, ``candidate``,
        ``difference`` (None for a metric that could not be computed) and
        ``not_worse``.
    """
    table = _validated(held_out)
    if len(table) == 0:
        raise InputDataError("no held-out people's codes to compare the models on")
    texts = table["text"].tolist()
    before = _flat_scores(current, texts, table["kbli5"], precision)
    after = _flat_scores(candidate, texts, table["kbli5"], precision)
    rows: list[dict[str, Any]] = []
    for key, label in PROMOTION_METRICS:
        old, new = before[key], after[key]
        old_value = None if math.isnan(old) else float(old)
        new_value = None if math.isnan(new) else float(new)
        if new_value is None:
            ok = old_value is None
        elif old_value is None:
            ok = True
        else:
            ok = new_value >= old_value - tolerance - 1e-12
        if key == "auto_precision" and new_value is not None and new_value >= precision:
            ok = True
        rows.append({"key": key, "label": label, "current": old_value, "candidate": new_value,
                     "difference": None if old_value is None or new_value is None else new_value - old_value,
                     "not_worse": bool(ok)})
    worse = [row["key"] for row in rows if not row["not_worse"]]
    return {"n": len(table), "precision": float(precision), "tolerance": float(tolerance),
            "not_worse": not worse, "worse": worse, "rows": rows}
