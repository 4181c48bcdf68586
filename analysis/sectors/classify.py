"""Classify many descriptions at once into a tidy table (thin wrapper over
:meth:`SectorClassifier.code`)."""
from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from .default import load_default_model
from .model import CODE_COLUMNS, LONG_TEXT_CHARS, MIN_WORD_COVERAGE, REVIEW_REASONS, SectorClassifier

__all__ = ["CODE_COLUMNS", "LONG_TEXT_CHARS", "MIN_WORD_COVERAGE", "OUTPUT_COLUMNS", "REVIEW_REASONS",
           "classify_texts"]

OUTPUT_COLUMNS = CODE_COLUMNS
"""Columns of :func:`classify_texts` (the first six are the historical ones:
section, division, kbli5, confidence, needs_review, top3)."""


def classify_texts(texts: pd.Series | Sequence[str | None], model: SectorClassifier | None = None,
                   threshold: float | None = None) -> pd.DataFrame:
    """Code free-text business descriptions into KBLI 2020 section, division and 5-digit code.

    Parameters
    ----------
    texts : sequence of str or pandas.Series
        The answers; None/NaN/empty are allowed (they come back for review).
    model : SectorClassifier, optional
        A model fitted on KBLI divisions; the cached default model if omitted.
    threshold : float, optional
        Auto-coding threshold on the model's ``review_score``; defaults to
        the model's calibrated ``review_threshold_``.

    Returns
    -------
    pandas.DataFrame
        :meth:`SectorClassifier.code`'s table (same index as a Series
        input): ``section``, ``division`` (most probable inside the
        section), ``kbli5``, ``confidence``, ``margin``, ``needs_review``,
        ``reason``, ``top3`` (list of ``(division, probability)``),
        ``top3_kbli5``, ``top3_sections``, ``model_version``.

    Examples
    --------
    A toy model (the real default comes from :func:`load_default_model`):

    >>> clf = SectorClassifier(reference=None, calibration_folds=2).fit(
    ...     ["warung kopi", "kedai kopi", "ternak lele", "kolam lele"] * 3, ["56", "56", "03", "03"] * 3)
    >>> out = classify_texts(["warung kopi dpn rumah", ""], model=clf)
    >>> out[["section", "division"]].values.tolist()
    [['I', '56'], [None, None]]
    >>> out["needs_review"].tolist()[1], out["reason"].tolist()[1]
    (True, 'empty')
    """
    model = model if model is not None else load_default_model()
    if getattr(model, "class_sections_", None) is None:
        raise ValueError("classify_texts needs a model fitted on KBLI divisions")
    index = texts.index if isinstance(texts, pd.Series) else None
    table = model.code(texts.tolist() if isinstance(texts, pd.Series) else list(texts), threshold=threshold)
    if index is not None:
        table.index = index
    return table
