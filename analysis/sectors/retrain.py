"""Retraining on people's codes from the review queue (building block for the app).

The app's retrain job is expected to: split the people's codes with
:func:`split_people_codes` (the held-out part is never trained on), fit a
candidate with :func:`train_with_people_codes`, compare it with the current
model on the held-out people's codes (:func:`.evaluate.compare_models`) and
promote it only when it is not worse.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputDataError
from .default import DEFAULT_PARAMS
from .kbli import load_kbli
from .labelled import load_labelled, split_for_row
from .model import SectorClassifier

MIN_PEOPLE_CODES = 50
"""Fewer people's codes than this are refused: too few to change the model
measurably, and too few held-out codes to tell whether it got better."""

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


def train_with_people_codes(people: pd.DataFrame, weight: float = PEOPLE_WEIGHT,
                            min_codes: int = MIN_PEOPLE_CODES, n_jobs: int | None = 2) -> SectorClassifier:
    """Fit the default configuration on the seed train split plus people's codes.

    Parameters
    ----------
    people : pandas.DataFrame
        Columns ``text`` and ``kbli5`` (5-digit KBLI 2020) — only the
        *training* part of :func:`split_people_codes`.
    weight : float
        Sample weight of each person's code (seed examples weigh 1).
    min_codes : int
        Refuse to retrain on fewer codes than this.

    Raises
    ------
    InputDataError
        When there are fewer than ``min_codes`` usable codes (the message
        says how many are needed) or codes are not KBLI 2020.
    """
    table = _validated(people)
    if len(table) < min_codes:
        raise InputDataError(
            f"retraining needs at least {min_codes} people's codes; there are {len(table)} "
            f"({min_codes - len(table)} more needed)")
    seeds = load_labelled(split="train")[["text", "kbli5"]]
    texts = pd.concat([seeds["text"], table["text"]], ignore_index=True)
    codes = pd.concat([seeds["kbli5"], table["kbli5"]], ignore_index=True)
    weights = np.r_[np.ones(len(seeds)), np.full(len(table), float(weight))]
    model = SectorClassifier(**DEFAULT_PARAMS, n_jobs=n_jobs)
    return model.fit(texts, codes.str[:2], sample_weight=weights, kbli5=codes)
