"""Quality metrics of the sector classifier on a coded set of answers.

The metrics follow docs/SECTORS.md and the design brief: accuracy,
macro-F1, top-3 accuracy, and the share of answers that can be coded
automatically at >= 95 % precision (the rest go to manual review).
"""
from __future__ import annotations

import warnings
from collections.abc import Collection, Iterable, Sequence
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.metrics import (
    accuracy_score,
    cohen_kappa_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)

from ..errors import InputDataError
from .autocode import proportion_ci
from .kbli import load_kbli
from .model import SectorClassifier, model_version

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


def _to_level(labels: Iterable[Any], level: str) -> npt.NDArray[np.object_]:
    kbli = load_kbli()
    if level == "section":
        return np.array([kbli.section_of(str(v).strip()) for v in labels], dtype=object)
    return np.array([kbli.division_of(str(v).strip()) for v in labels], dtype=object)


def share_auto_coded_at(confidence: npt.ArrayLike, correct: npt.ArrayLike, precision: float = 0.95) -> float:
    """Largest share of items that can be auto-coded (highest confidence first)
    while keeping the auto-coded items at ``precision`` or better.

    Examples
    --------
    >>> share_auto_coded_at([0.9, 0.8, 0.7, 0.6], [True, True, False, True], 0.95)
    0.5
    """
    conf = np.asarray(confidence, dtype=float)
    right = np.asarray(correct, dtype=bool)
    if len(conf) == 0:
        return 0.0
    order = np.argsort(-conf, kind="stable")
    cumulative = np.cumsum(right[order]) / np.arange(1, len(order) + 1)
    sorted_conf = conf[order]
    last_of_tie = np.r_[sorted_conf[1:] != sorted_conf[:-1], True]
    ok = np.flatnonzero((cumulative >= precision) & last_of_tie)
    return 0.0 if len(ok) == 0 else float((ok[-1] + 1) / len(conf))


def _level_values(codes: Iterable[Any], level: str) -> npt.NDArray[np.object_]:
    """Codes (any level at or below ``level``) mapped to ``level``; None stays None."""
    kbli = load_kbli()
    out: list[str | None] = []
    for code in codes:
        if code is None or (isinstance(code, float) and np.isnan(code)) or code == "":
            out.append(None)
        elif level == "section":
            out.append(kbli.section_of(str(code)))
        elif level == "division":
            out.append(kbli.division_of(str(code)))
        else:
            out.append(str(code))
    return np.array(out, dtype=object)


def _level_scores(table: pd.DataFrame, truth: npt.NDArray[Any], level: str) -> dict[str, float]:
    """Top-1 / top-3 accuracy and macro-F1 at one level from a coding table."""
    column, top_column = {"section": ("section", "top3_sections"), "division": ("division", "top3"),
                          "kbli5": ("kbli5", "top3_kbli5")}[level]
    predicted = np.array(["" if v is None or pd.isna(v) else str(v) for v in table[column]], dtype=object)
    if level == "division":
        tops = [[d for d, _ in row] for row in table[top_column]]
    else:
        tops = list(table[top_column])
    truth = truth.astype(str)
    # Top-3 is read from the ranked lists of the coding table, not with
    # sklearn's top_k_accuracy_score: the table holds no score matrix for the
    # 5-digit level (candidates differ per answer), and an answer with no
    # suggestion (empty text) must count as a miss, where top_k_accuracy_score
    # would rank the true label among tied zero scores.  On answers with full
    # rankings the two agree (tests/analysis/test_evaluate.py).
    with warnings.catch_warnings():
        # Many distinct 5-digit codes on few rows make scikit-learn suspect a
        # regression target; these are class labels.
        warnings.simplefilter("ignore", UserWarning)
        macro_f1 = f1_score(truth, predicted.astype(str), average="macro", labels=np.unique(truth), zero_division=0)
        top1 = accuracy_score(truth, predicted.astype(str))
    return {
        "top1": float(top1),
        "top3": float(np.mean([t in row for t, row in zip(truth, tops)])),
        "macro_f1": float(macro_f1),
    }


def _auto_scores(table: pd.DataFrame, section_truth: npt.NDArray[Any], precision: float) -> dict[str, Any]:
    correct = table["section"].to_numpy(dtype=object).astype(str) == section_truth.astype(str)
    auto = ~table["needs_review"].to_numpy(dtype=bool)
    hits = int(correct[auto].sum())
    return {
        "auto_share": float(auto.mean()) if len(auto) else float("nan"),
        "auto_n": int(auto.sum()),
        "auto_precision": float(correct[auto].mean()) if auto.any() else float("nan"),
        "auto_precision_ci": list(proportion_ci(hits, int(auto.sum()))),
        "auto_share_at_precision": share_auto_coded_at(table["confidence"], correct, precision),
        "section_accuracy": float(correct.mean()) if len(correct) else float("nan"),
    }


def score_table(table: pd.DataFrame, labels: Iterable[Any], precision: float = 0.95) -> dict[str, Any]:
    """All metrics of a coding table (from :meth:`SectorClassifier.code`) against true codes.

    Top-1/top-3 accuracy and macro-F1 at every level the labels allow
    (section, division, 5-digit), and the auto-coding share with the
    precision of the auto-coded answers at section level and its 95 %
    Wilson interval.
    """
    labels = pd.Series(list(labels), dtype=str).str.strip()
    source_level = label_level(labels)
    levels = [lv for lv in ("section", "division", "kbli5") if _RANK[lv] <= _RANK[source_level]]
    result: dict[str, Any] = {"n": len(labels), "label_level": source_level,
              "levels": {lv: _level_scores(table, _level_values(labels, lv), lv) for lv in levels}}
    result.update(_auto_scores(table, _level_values(labels, "section"), precision))
    return result


def evaluate_model(texts: Iterable[str | None], labels: Iterable[Any], model: SectorClassifier | None = None,
                   level: str | None = None, precision: float = 0.95,
                   groups: Collection[Any] | None = None) -> dict[str, Any]:
    """Evaluate a classifier against coded answers.

    The answers are coded once (:meth:`SectorClassifier.code`); every
    metric is read from that one table.

    Parameters
    ----------
    texts : sequence of str
    labels : sequence of str
        Section letters, divisions or 5-digit codes (one level).
    model : SectorClassifier, optional
        Defaults to the cached default model.
    level : {"section", "division"}, optional
        Level of the headline ``accuracy``/``macro_f1``/``top3_accuracy``;
        defaults to ``section`` for section labels, else ``division``.  Must
        not be finer than the labels.
    precision : float, default 0.95
    groups : sequence of str, optional
        A group per answer (e.g. writing register); metrics are then also
        reported per group under ``by_group``.

    Returns
    -------
    dict
        ``n``, ``level``, ``label_level``, ``accuracy``, ``macro_f1``,
        ``top3_accuracy`` (headline level), ``levels`` (top1/top3/macro_f1
        at section, division and, for 5-digit labels, kbli5),
        ``auto_share``, ``auto_precision`` and ``auto_precision_ci`` (the
        model's own rule), ``auto_share_at_precision`` (best share on this
        data, for comparison), ``section_accuracy``, ``review_threshold``,
        ``review_score``, ``kbli5_accuracy``/``kbli5_top3`` for 5-digit
        labels, ``model_version`` and ``by_group`` when groups are given.

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
    if groups is not None and len(groups) != len(texts):
        raise InputDataError("groups and texts differ in length")

    from .default import load_default_model

    model = model if model is not None else load_default_model()
    table = model.code(texts)
    metrics = score_table(table, labels, precision)
    headline = metrics["levels"][level]
    metrics.update({
        "level": level, "accuracy": headline["top1"], "macro_f1": headline["macro_f1"],
        "top3_accuracy": headline["top3"], "target_precision": precision,
        "review_threshold": float(model.review_threshold_), "review_score": model.review_score,
        "model_version": model_version(model),
    })
    if source_level == "kbli5":
        metrics["kbli5_accuracy"] = metrics["levels"]["kbli5"]["top1"]
        metrics["kbli5_top3"] = metrics["levels"]["kbli5"]["top3"]
    if groups is not None:
        group_of = np.asarray(list(groups), dtype=object).astype(str)
        metrics["by_group"] = {
            str(g): score_table(table.loc[group_of == g].reset_index(drop=True),
                                labels[group_of == g].reset_index(drop=True), precision)
            for g in sorted(set(group_of))}
    return metrics


def compare_models(current: SectorClassifier, candidate: SectorClassifier, texts: Sequence[str | None],
                   labels: Sequence[Any], precision: float = 0.95) -> pd.DataFrame:
    """Side-by-side metrics of two models on the same coded answers.

    Meant for promoting a retrained model: evaluate both on held-out
    people's codes and promote the candidate only when it is not worse.

    Returns
    -------
    pandas.DataFrame
        One row per metric (section/division/5-digit top-1 and top-3,
        section macro-F1, auto-coded share and its section precision), with
        columns ``current``, ``candidate``, ``difference`` and
        ``candidate_not_worse`` (for the auto-coded precision: the candidate
        must still reach ``precision``).
    """
    rows: dict[str, dict[str, float]] = {}
    for name, model in (("current", current), ("candidate", candidate)):
        m = evaluate_model(texts, labels, model=model, precision=precision)
        flat = {f"{lv}_top1": s["top1"] for lv, s in m["levels"].items()}
        flat.update({f"{lv}_top3": s["top3"] for lv, s in m["levels"].items()})
        flat["section_macro_f1"] = m["levels"]["section"]["macro_f1"]
        flat["auto_share"] = m["auto_share"]
        flat["auto_precision"] = m["auto_precision"]
        rows[name] = flat
    table = pd.DataFrame(rows)
    table["difference"] = table["candidate"] - table["current"]
    not_worse = table["difference"] >= -1e-12
    if "auto_precision" in table.index:
        cand = cast(float, table.loc["auto_precision", "candidate"])  # every cell is a metric (float)
        not_worse["auto_precision"] = bool(cand >= precision) or bool(not_worse["auto_precision"])
    table["candidate_not_worse"] = not_worse
    return table


def cohen_kappa(first: Collection[Any], second: Collection[Any], level: str = "division") -> float:
    """Cohen's kappa between two coders' codes, compared at ``level``.

    Codes may be of any level at or below ``level`` (5-digit codes are
    compared by their division or section).  Uses
    :func:`sklearn.metrics.cohen_kappa_score`.

    Examples
    --------
    >>> round(cohen_kappa(["56303", "47111", "01122", "96200"], ["56101", "47111", "01122", "95210"]), 3)
    0.692
    """
    if level not in ("section", "division", "kbli5"):
        raise InputDataError(f"level must be section, division or kbli5, not {level!r}")
    if len(first) != len(second):
        raise InputDataError("both coders must code the same items")
    if len(first) == 0:
        raise InputDataError("no items coded by both coders")
    a = _level_values(list(first), level).astype(str)
    b = _level_values(list(second), level).astype(str)
    if len(set(a) | set(b)) < 2:
        return 1.0  # one category only: agreement is trivially perfect
    return float(cohen_kappa_score(a, b))


def agreement_summary(first: Collection[Any], second: Collection[Any]) -> dict[str, dict[str, float]]:
    """Share of identical codes and Cohen's kappa at section and division level.

    Examples
    --------
    >>> s = agreement_summary(["56303", "47111"], ["56101", "47111"])
    >>> s["division"]["agreement"], s["division"]["n"]
    (1.0, 2)
    """
    out: dict[str, dict[str, float]] = {}
    for level in ("section", "division"):
        a = _level_values(list(first), level).astype(str)
        b = _level_values(list(second), level).astype(str)
        out[level] = {"n": len(a), "agreement": float(np.mean(a == b)) if len(a) else float("nan"),
                      "kappa": cohen_kappa(first, second, level) if len(a) else float("nan")}
    return out


def confusion_summary(true_sections: Iterable[Any], predicted_sections: Iterable[Any],
                      worst: int = 5) -> pd.DataFrame:
    """Per-section support, precision, recall and F1 with the main confusion,
    worst F1 first.

    Examples
    --------
    >>> float(confusion_summary(["A", "A", "G"], ["A", "G", "G"]).loc["A", "recall"])
    0.5
    """
    truth = np.array(list(true_sections), dtype=object).astype(str)
    pred = np.array(list(predicted_sections), dtype=object).astype(str)
    sections = sorted(set(truth))
    columns = sorted(set(sections) | set(pred))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # one label only: the labels are given
        matrix = confusion_matrix(truth, pred, labels=columns)  # rows: true, columns: predicted
        precision, recall, _f1, support = precision_recall_fscore_support(
            truth, pred, labels=sections, zero_division=0)
    # F1 as the harmonic mean of precision and recall (as this table always computed it):
    # scikit-learn's 2tp/(2tp+fp+fn) is the same number but can land on the other side of
    # a rounding boundary (0.8125 → 0.812 instead of 0.813).
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    rows: dict[str, dict[str, Any]] = {}
    for i, section in enumerate(sections):
        wrong = matrix[columns.index(section)].copy()
        wrong[columns.index(section)] = 0
        confused = ""
        if wrong.sum():
            # argmax: on a tie, the alphabetically first section (the old
            # value_counts order of ties was an unstable sort's, not a rule).
            j = int(np.argmax(wrong))
            confused = f"{columns[j]} ({int(wrong[j])})"
        rows[section] = {
            "support": int(support[i]), "precision": round(float(precision[i]), 3),
            "recall": round(float(recall[i]), 3), "f1": round(float(f1[i]), 3),
            "most_confused_with": confused,
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
    ]
    for lv, s in metrics.get("levels", {}).items():
        lines.append(f"{lv:<8} top-1 {s['top1']:.3f}  top-3 {s['top3']:.3f}  macro-F1 {s['macro_f1']:.3f}")
    low, high = metrics.get("auto_precision_ci", [float("nan")] * 2)
    lines += [
        (f"auto-codable at {metrics['target_precision']:.0%} precision (best threshold on this data): "
         f"{metrics['auto_share_at_precision']:.3f}"),
        (f"auto-coded with the model's rule ({metrics.get('review_score', 'confidence')} >= "
         f"{metrics['review_threshold']:.3f}): {metrics['auto_share']:.3f} at section precision "
         f"{metrics['auto_precision']:.3f} (95% CI {low:.3f}-{high:.3f})"),
    ]
    if "kbli5_accuracy" in metrics:
        lines.append(f"5-digit accuracy        : {metrics['kbli5_accuracy']:.3f}")
    for group, m in metrics.get("by_group", {}).items():
        lv = m["levels"]
        glow, ghigh = m["auto_precision_ci"]
        parts = [f"{name[:3]} {lv[name]['top1']:.3f}/{lv[name]['top3']:.3f}" for name in lv]
        lines.append(f"  [{group:<10}] n={m['n']:<4} " + "  ".join(parts)
                     + f"  sec-F1 {lv['section']['macro_f1']:.3f}  auto {m['auto_share']:.3f}"
                     f" @ {m['auto_precision']:.3f} ({glow:.3f}-{ghigh:.3f})")
    return "\n".join(lines)


LATER_BATCHES_PREFIX = "zz_kbli5"
"""Batch files named so were written for 5-digit codes after the errors of an
earlier model had been read; the held-out answers from the other batches (496)
are the "original" held-out set that docs/SECTORS.md compares models on."""


def held_out_report(model: SectorClassifier | None = None, level: str | None = None,
                    original: bool = False) -> dict[str, Any]:
    """:func:`evaluate_model` of ``model`` (default: the default model) on the
    labelled set's held-out split, per writing register.

    With ``original=True`` only the held-out answers that no
    :data:`LATER_BATCHES_PREFIX` batch contains are scored (the comparable
    original 496 of docs/SECTORS.md).
    """
    from ..resources import seeds_dir
    from .labelled import example_id, load_labelled, read_batches

    test = load_labelled(split="test")
    if original:
        raw = read_batches(seeds_dir() / "sectors" / "batches")
        later = raw.loc[raw["source"].str.startswith(LATER_BATCHES_PREFIX), "text"].map(example_id)
        test = test.loc[~test["id"].isin(set(later))]
    return evaluate_model(test["text"], test["kbli5"], model=model, level=level, groups=test["register"])


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m analysis.sectors.evaluate [--json] [--original]``: the held-out report per register."""
    import argparse
    import json

    parser = argparse.ArgumentParser(prog="python -m analysis.sectors.evaluate",
                                     description="held-out quality of the default sector model, per register")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--original", action="store_true",
                        help="only the original 496 held-out answers (without the later 5-digit batches)")
    args = parser.parse_args(argv)
    metrics = held_out_report(original=args.original)
    print(json.dumps(metrics, indent=2, sort_keys=True, default=str) if args.json else format_metrics(metrics))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
