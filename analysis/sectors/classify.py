"""Classify many descriptions at once into a tidy table."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from .default import load_default_model
from .model import SectorClassifier

LONG_TEXT_CHARS = 1_000
"""Answers longer than this always go to review: a survey answer about one
business is a sentence or three, a page of text is usually pasted junk."""

MIN_WORD_COVERAGE = 0.5
"""Answers in which fewer than half of the distinct words are known to the
model (gibberish, another language) go to review, and their confidence is
scaled down by that share: the calibration says nothing about such text."""

OUTPUT_COLUMNS = ["section", "division", "kbli5", "confidence", "needs_review", "top3"]


def classify_texts(texts: Iterable[Any], model: SectorClassifier | None = None,
                   threshold: float | None = None) -> pd.DataFrame:
    """Code free-text business descriptions into KBLI 2020 section, division and 5-digit code.

    Parameters
    ----------
    texts : sequence of str or pandas.Series
        The answers; None/NaN/empty are allowed (they come back for review).
    model : SectorClassifier, optional
        A model fitted on KBLI divisions; the cached default model if omitted.
    threshold : float, optional
        Review threshold on ``confidence``; defaults to the model's
        ``review_threshold_`` (chosen for 95 % section precision).

    Returns
    -------
    pandas.DataFrame
        One row per text (same index as a Series input) with columns
        ``section``, ``division`` (the most probable division inside the
        most probable section), ``kbli5`` (suggested code in that division),
        ``confidence`` (calibrated probability of the section, from the
        section model),
        ``needs_review`` (bool) and ``top3`` (list of ``(division, probability)``).
        Empty or unintelligible answers get no codes and ``confidence`` 0.

    Examples
    --------
    A toy model (the real default comes from :func:`load_default_model`):

    >>> clf = SectorClassifier(reference=None, calibration_folds=2).fit(
    ...     ["warung kopi", "kedai kopi", "ternak lele", "kolam lele"] * 3, ["56", "56", "03", "03"] * 3)
    >>> out = classify_texts(["warung kopi dpn rumah", ""], model=clf)
    >>> out[["section", "division"]].values.tolist()
    [['I', '56'], [None, None]]
    >>> out["needs_review"].tolist()[1]
    True
    """
    model = model if model is not None else load_default_model()
    if getattr(model, "class_sections_", None) is None:
        raise ValueError("classify_texts needs a model fitted on KBLI divisions")
    index = texts.index if isinstance(texts, pd.Series) else None
    raw = texts.tolist() if isinstance(texts, pd.Series) else list(texts)
    threshold = model.review_threshold_ if threshold is None else float(threshold)

    normalized, features, words = model._analyse(raw)
    proba = model.predict_proba_from_features(features)
    section_proba, sections = model.section_proba_from_features(features, proba)
    section_index = section_proba.argmax(axis=1)
    rows = np.arange(len(raw))
    confidence = section_proba[rows, section_index]
    # Keep division and section consistent: best division inside the chosen section.
    in_section = model.class_sections_[None, :] == sections[section_index][:, None]
    division_index = np.where(in_section, proba, -1.0).argmax(axis=1)
    divisions = model.classes_[division_index].astype(object)
    kbli5 = model._suggest_from_words(words, model.classes_[division_index].astype(str))

    k = min(3, proba.shape[1])
    top = np.argpartition(-proba, k - 1, axis=1)[:, :k]
    order = np.argsort(-proba[rows[:, None], top], axis=1)
    top = top[rows[:, None], order]
    top_proba = np.round(proba[rows[:, None], top], 4)
    top_labels = model.classes_[top]
    top3 = [list(zip(labels.tolist(), probs.tolist())) for labels, probs in zip(top_labels, top_proba)]

    lengths = np.array([len(str(t)) if t is not None else 0 for t in raw])
    empty = np.array([not n for n in normalized], dtype=bool)
    coverage = model.featurizer_.word_coverage(normalized, features)
    unfamiliar = coverage < MIN_WORD_COVERAGE
    confidence = np.where(unfamiliar, confidence * coverage, confidence)
    needs_review = (confidence < threshold) | empty | unfamiliar | (lengths > LONG_TEXT_CHARS)

    section_out = sections[section_index].astype(object)
    confidence = np.round(confidence, 4)
    section_out[empty] = None
    divisions[empty] = None
    kbli5[empty] = None
    confidence[empty] = 0.0
    for i in np.flatnonzero(empty):
        top3[i] = []
    return pd.DataFrame(
        {"section": section_out, "division": divisions, "kbli5": kbli5,
         "confidence": confidence, "needs_review": needs_review, "top3": top3},
        index=index,
    )
