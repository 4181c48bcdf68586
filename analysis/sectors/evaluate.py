"""Quality metrics of the sector classifier on a coded set of answers.

The metrics follow docs/SECTORS.md and the design brief: accuracy,
macro-F1, top-3 accuracy, and the share of answers that can be coded
automatically at >= 95 % precision (the rest go to manual review).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.metrics import accuracy_score, f1_score

from ..errors import InputDataError
from .classify import classify_texts
from .kbli import load_kbli
from .model import SectorClassifier

LEVELS = ("section", "division")
_RANK = {"section": 0, "division": 1, "kbli5": 2}


def label_level(labels: Iterable[Any]) -> str:
    """The KBLI level of a column of codes: 'section', 'division' or 'kbli5'.

    Raises
    ------
    InputDataError
        If the labels are not all KBLI 2020 codes of one level.

    Examples
    --------
    >>> label_level(["56303", "47112"]), label_level(["C", "G"]), label_level(["10"])
    ('kbli5', 'section', 'division')
    """
    kbli = load_kbli()
    values = pd.Series(labels, dtype=str).str.strip()
    levels = values.map(kbli.level_of)
    bad = values[levels.isna() | ~levels.isin(list(_RANK))]
    if len(bad):
        examples = ", ".join(repr(v) for v in bad.unique()[:5])
        raise InputDataError(f"labels must be KBLI 2020 section letters, divisions or 5-digit codes; got {examples}")
    found = set(levels)
    if len(found) > 1:
        raise InputDataError(f"labels mix KBLI levels ({', '.join(sorted(found))}); use one level per column")
    return str(found.pop())


def _to_level(labels: Iterable[Any], level: str) -> np.ndarray:
    kbli = load_kbli()
    if level == "section":
        return np.array([kbli.section_of(str(v).strip()) for v in labels], dtype=object)
    return np.array([kbli.division_of(str(v).strip()) for v in labels], dtype=object)


def share_auto_coded_at(confidence: ArrayLike, correct: ArrayLike, precision: float = 0.95) -> float:
    """Largest share of items that can be auto-coded (highest confidence first)
    while keeping the auto-coded items at ``precision`` or better.

    Examples
    --------
    >>> share_auto_coded_at([0.9, 0.8, 0.7, 0.6], [True, True, False, True], 0.95)
    0.5
    """
    confidence = np.asarray(confidence, dtype=float)
    correct = np.asarray(correct, dtype=bool)
    if len(confidence) == 0:
        return 0.0
    order = np.argsort(-confidence, kind="stable")
    cumulative = np.cumsum(correct[order]) / np.arange(1, len(order) + 1)
    sorted_conf = confidence[order]
    last_of_tie = np.r_[sorted_conf[1:] != sorted_conf[:-1], True]
    ok = np.flatnonzero((cumulative >= precision) & last_of_tie)
    return 0.0 if len(ok) == 0 else float((ok[-1] + 1) / len(confidence))


def evaluate_model(texts: Iterable[Any], labels: Iterable[Any], model: SectorClassifier | None = None,
                   level: str | None = None, precision: float = 0.95) -> dict[str, Any]:
    """Evaluate a classifier against coded answers.

    Parameters
    ----------
    texts : sequence of str
    labels : sequence of str
        Section letters, divisions or 5-digit codes (one level).
    model : SectorClassifier, optional
        Defaults to the cached default model.
    level : {"section", "division"}, optional
        Level to score; defaults to ``section`` for section labels, else
        ``division``.  Must not be finer than the labels.
    precision : float, default 0.95

    Returns
    -------
    dict
        ``n``, ``level``, ``accuracy``, ``macro_f1``, ``top3_accuracy``,
        ``auto_share_at_precision`` (best achievable share auto-coded at
        ``precision`` on this data), ``auto_share`` and ``auto_precision``
        (using the model's own review threshold), ``section_accuracy``, and
        ``kbli5_accuracy`` when the labels are 5-digit codes.

    Examples
    --------
    >>> clf = SectorClassifier(reference=None, calibration_folds=2).fit(
    ...     ["warung kopi", "kedai kopi", "ternak lele", "kolam lele"] * 3, ["56", "56", "03", "03"] * 3)
    >>> metrics = evaluate_model(["warung kopi", "lele"], ["56303", "03221"], model=clf)
    >>> metrics["level"], metrics["accuracy"]
    ('division', 1.0)
    """
    labels = pd.Series(list(labels), dtype=str).str.strip()
    texts = list(texts)
    if len(texts) != len(labels):
        raise InputDataError("texts and labels differ in length")
    if len(texts) == 0:
        raise InputDataError("no coded rows to evaluate")
    source_level = label_level(labels)
    level = level or ("section" if source_level == "section" else "division")
    if level not in LEVELS:
        raise InputDataError(f"level must be one of {LEVELS}, not {level!r}")
    if _RANK[level] > _RANK[source_level]:
        raise InputDataError(f"cannot score at {level} level: the labels are {source_level} codes")

    from .default import load_default_model

    model = model if model is not None else load_default_model()
    result = classify_texts(texts, model=model)
    _, features = model._features(texts)
    proba = model.predict_proba_from_features(features)
    truth = _to_level(labels, level)
    if level == "section":
        level_proba, level_classes = model.section_proba_from_features(features, proba)
        predicted = result["section"].to_numpy(dtype=object)
    else:
        level_proba, level_classes = proba, model.classes_
        predicted = result["division"].to_numpy(dtype=object)
    predicted = np.where(pd.isna(predicted), "", predicted).astype(str)
    top3 = level_classes[np.argsort(-level_proba, axis=1)[:, :3]]
    truth_str = truth.astype(str)

    section_truth = _to_level(labels, "section").astype(str)
    section_pred = np.where(pd.isna(result["section"]), "", result["section"]).astype(str)
    section_correct = section_pred == section_truth
    auto = ~result["needs_review"].to_numpy()
    metrics = {
        "n": int(len(texts)),
        "level": level,
        "label_level": source_level,
        "accuracy": float(accuracy_score(truth_str, predicted)),
        "macro_f1": float(f1_score(truth_str, predicted, average="macro", labels=np.unique(truth_str),
                                   zero_division=0)),
        "top3_accuracy": float(np.mean([t in row for t, row in zip(truth_str, top3)])),
        "auto_share_at_precision": share_auto_coded_at(result["confidence"], section_correct, precision),
        "target_precision": precision,
        "auto_share": float(auto.mean()),
        "auto_precision": float(section_correct[auto].mean()) if auto.any() else float("nan"),
        "review_threshold": float(model.review_threshold_),
        "section_accuracy": float(section_correct.mean()),
    }
    if source_level == "kbli5":
        metrics["kbli5_accuracy"] = float(np.mean(result["kbli5"].astype(str).to_numpy() == labels.to_numpy()))
    return metrics


def confusion_summary(true_sections: Iterable[Any], predicted_sections: Iterable[Any], worst: int = 5) -> pd.DataFrame:
    """Per-section support, precision, recall and F1 with the main confusion,
    worst F1 first.

    Examples
    --------
    >>> float(confusion_summary(["A", "A", "G"], ["A", "G", "G"]).loc["A", "recall"])
    0.5
    """
    truth = pd.Series(list(true_sections), dtype=str)
    pred = pd.Series(list(predicted_sections), dtype=str)
    rows = {}
    for section in sorted(set(truth)):
        is_true, is_pred = truth == section, pred == section
        hit = int((is_true & is_pred).sum())
        precision = hit / is_pred.sum() if is_pred.sum() else 0.0
        recall = hit / is_true.sum()
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        wrong = pred[is_true & ~is_pred].value_counts()
        rows[section] = {
            "support": int(is_true.sum()), "precision": round(precision, 3), "recall": round(recall, 3),
            "f1": round(f1, 3),
            "most_confused_with": f"{wrong.index[0]} ({wrong.iloc[0]})" if len(wrong) else "",
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    return table.sort_values(["f1", "support"], ascending=[True, False]).head(worst) if worst else table


def format_metrics(metrics: dict[str, Any]) -> str:
    """Human-readable multi-line rendering of :func:`evaluate_model` output."""
    lines = [
        f"rows evaluated          : {metrics['n']} (labels at {metrics['label_level']} level)",
        f"level                   : {metrics['level']}",
        f"accuracy                : {metrics['accuracy']:.3f}",
        f"macro-F1                : {metrics['macro_f1']:.3f}",
        f"top-3 accuracy          : {metrics['top3_accuracy']:.3f}",
        f"section accuracy        : {metrics['section_accuracy']:.3f}",
        f"auto-codable at {metrics['target_precision']:.0%} precision (best threshold on this data): "
        f"{metrics['auto_share_at_precision']:.3f}",
        f"auto-coded with model threshold {metrics['review_threshold']:.3f}: "
        f"{metrics['auto_share']:.3f} at section precision {metrics['auto_precision']:.3f}",
    ]
    if "kbli5_accuracy" in metrics:
        lines.append(f"5-digit accuracy        : {metrics['kbli5_accuracy']:.3f}")
    return "\n".join(lines)
