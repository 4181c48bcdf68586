"""Train-split cross-validation of the 5-digit suggestions (docs/SECTORS.md, "5-digit second pass").

Run from the repository root::

    python bench/cv_kbli5.py [--folds 5] [--set NAME=VALUE ...]

Fits the default model (``DEFAULT_PARAMS`` plus ``--set`` overrides, e.g.
``--set kbli5_discriminative_weight=0``) on all but one fold of the labelled
*train* split and scores the held-out fold, for every fold; the test split is
never read.  The 5-digit documents (``seeds/sectors/kbli5_documents.csv``) are
given to every fold's fit, like the KBLI documents (``--no-documents`` leaves
them out).  Prints, over all train answers:

* *within*: top-1 / top-3 when the true division is given (``suggest_kbli5(divisions=...)``);
* *end-to-end*: the model's own top-3 (``suggest_kbli5(k=3)``: first suggestion in the
  chosen division, then P(division) x P(code | division) across divisions).

One fit per fold (about a minute each on an idle core); ``n_jobs=1``.
"""
from __future__ import annotations

import argparse
import ast
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import KFold

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.sectors.default import DEFAULT_PARAMS  # noqa: E402
from analysis.sectors.labelled import load_kbli5_documents, load_labelled  # noqa: E402
from analysis.sectors.model import SectorClassifier  # noqa: E402
from analysis.sectors.normalize import normalize_texts  # noqa: E402


def _value(text: str) -> object:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def _resembling(documents: list[str], answers: list[str], jaccard: float) -> np.ndarray:
    """Mask of the documents that resemble any of ``answers``.

    Resembling = normalised-word Jaccard >= ``jaccard``, or one text's words
    (two or more) all contained in the other's: the rule the ``kbli5`` helper used
    against the held-out split, applied here to each fold's held-out answers.
    """
    doc_words = [set(t.split()) for t in normalize_texts(documents)]
    answer_words = [set(t.split()) for t in normalize_texts(answers)]
    mask = np.zeros(len(doc_words), dtype=bool)
    for i, d in enumerate(doc_words):
        for a in answer_words:
            union = len(d | a)
            if not union:
                continue
            shared = len(d & a)
            if (shared / union >= jaccard or (len(a) >= 2 and a <= d) or (len(d) >= 2 and d <= a)):
                mask[i] = True
                break
    return mask


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--no-documents", action="store_true",
                        help="leave the 5-digit documents (seeds/sectors/kbli5_documents.csv) out")
    parser.add_argument("--drop-similar", type=float, default=None, metavar="JACCARD",
                        help="in each fold, leave out the 5-digit documents resembling a held-out answer "
                             "of that fold (Jaccard >= JACCARD or word containment): a bound on the "
                             "optimism of documents written after reading train-split errors")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override a SectorClassifier parameter")
    args = parser.parse_args(argv)
    params = dict(DEFAULT_PARAMS, n_jobs=1)
    for item in args.set:
        name, _, value = item.partition("=")
        params[name] = _value(value)
    train = load_labelled(split="train").reset_index(drop=True)
    documents = None if args.no_documents else load_kbli5_documents()
    hits = {"within": np.zeros((len(train), 3), dtype=bool), "end-to-end": np.zeros((len(train), 3), dtype=bool)}
    dropped: list[int] = []
    splitter = KFold(args.folds, shuffle=True, random_state=0)
    for k, (fit_rows, held) in enumerate(splitter.split(np.zeros(len(train)))):
        started = time.time()
        part, test = train.iloc[fit_rows], train.iloc[held]
        fold_documents = documents
        if documents is not None and args.drop_similar is not None:
            similar = _resembling(documents["text"].tolist(), test["text"].tolist(), args.drop_similar)
            fold_documents = documents.loc[~similar]
            dropped.append(int(similar.sum()))
        model = SectorClassifier(**params).fit(part["text"], part["kbli5"].str[:2], kbli5=part["kbli5"],
                                               kbli5_documents=fold_documents)
        truth = test["kbli5"].to_numpy()[:, None]
        hits["end-to-end"][held] = model.suggest_kbli5(test["text"], k=3).astype(str) == truth
        hits["within"][held] = model.suggest_kbli5(test["text"], divisions=test["kbli5"].str[:2],
                                                   k=3).astype(str) == truth
        print(f"fold {k + 1}/{args.folds}: {time.time() - started:.0f} s", file=sys.stderr, flush=True)
    print(f"{len(train)} train answers, {args.folds} folds, overrides {args.set or 'none'}, "
          f"5-digit documents {0 if documents is None else len(documents)}"
          + (f", left out per fold as resembling its answers {dropped}" if dropped else ""))
    for name, hit in hits.items():
        print(f"{name:<11} top-1 {hit[:, 0].mean():.3f}  top-3 {hit.any(axis=1).mean():.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
