"""Linking each respondent's business to the trainings the roster says they took.

Three views of the same question, "is this business in line with a training?":

* **sector map** — the business's KBLI division (from ``codes.csv``) is among the
  divisions that ``seeds/training_sector_map.csv`` lists as in line with one of the
  person's trainings (by category, plus extra divisions for particular trainings);
* **text** — the single most related of the person's trainings, by TF-IDF
  character n-gram cosine similarity between the normalised business description and
  each training's title and description;
* **own answer** — ``business_training_link``: started because of the training,
  the training helped an existing business (both: related), or unrelated.

The map and the own answer are compared: disagreements are reported, not resolved.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from .errors import InputDataError, SeedDataError
from .resources import seeds_dir
from .sectors.normalize import normalize_texts

ANY_DIVISION = "*"
RELATED_ANSWERS = ("started_because", "helped_existing")
UNRELATED_ANSWERS = ("unrelated",)

LINK_COLUMNS = [
    "pid", "trainings", "categories", "description", "section", "division", "code_status",
    "in_line_by_map", "matched_trainings", "related_training", "related_similarity", "related_in_line",
    "own_link", "own_related", "own_trainings", "agreement",
]


def load_sector_map(path: str | Path | None = None) -> pd.DataFrame:
    """Read the training → KBLI division map (default ``seeds/training_sector_map.csv``).

    Columns of the file: ``category``, ``training_code`` (empty: the whole category),
    ``divisions`` (two-digit KBLI 2020 divisions separated by spaces, or ``*`` for any
    division), ``rationale``.  A training's in-line divisions are those of its
    category's row plus those of its own rows.

    Returns
    -------
    pandas.DataFrame
        The rows, with ``divisions`` as a tuple of strings.

    Examples
    --------
    >>> m = load_sector_map()
    >>> m.loc[(m.category == "food_beverage") & (m.training_code == ""), "divisions"].iloc[0]
    ('10', '11', '47', '56')
    """
    path = Path(path) if path else seeds_dir() / "training_sector_map.csv"
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise SeedDataError(f"{path} cannot be read: {exc}") from None
    missing = {"category", "training_code", "divisions", "rationale"} - set(table.columns)
    if missing:
        raise SeedDataError(f"{path} lacks column(s) {', '.join(sorted(missing))}")
    parsed = []
    for line, text in enumerate(table["divisions"], start=2):
        parts = tuple(text.split())
        if not parts or not all(p == ANY_DIVISION or (len(p) == 2 and p.isdigit()) for p in parts):
            raise SeedDataError(f"{path}, line {line}: divisions must be two-digit KBLI divisions or '*', "
                                f"got {text!r}")
        parsed.append(parts)
    table["divisions"] = parsed
    return table


def training_divisions(trainings: pd.DataFrame, sector_map: pd.DataFrame | None = None) -> dict[str, frozenset[str]]:
    """For each training code, the set of KBLI divisions in line with it (``*``: any).

    Examples
    --------
    >>> import pandas as pd
    >>> catalogue = pd.DataFrame({"code": ["TRN-074", "TRN-094"], "category": ["food_beverage", "other"]})
    >>> sorted(training_divisions(catalogue)["TRN-074"])
    ['10', '11', '47', '56']
    >>> sorted(training_divisions(catalogue)["TRN-094"])
    ['45']
    """
    sector_map = load_sector_map() if sector_map is None else sector_map
    by_category: dict[str, set[str]] = {}
    by_training: dict[str, set[str]] = {}
    for category, code, divisions in sector_map[["category", "training_code", "divisions"]].itertuples(index=False):
        target = by_training.setdefault(code, set()) if code else by_category.setdefault(category, set())
        target.update(divisions)
    return {code: frozenset(by_category.get(category, set()) | by_training.get(code, set()))
            for code, category in trainings[["code", "category"]].itertuples(index=False)}


def most_related_training(descriptions: Iterable[Any], person_trainings: Iterable[Sequence[str] | None],
                          trainings: pd.DataFrame) -> pd.DataFrame:
    """The most similar of each person's trainings to their business description.

    Parameters
    ----------
    descriptions : sequence of str
        Business descriptions (raw; they are normalised with :func:`analysis.normalize_text`).
    person_trainings : sequence of sequences of str
        For each description, the training codes the roster lists for that person.
    trainings : pandas.DataFrame
        The catalogue, with ``code``, ``title`` and ``description``.

    Returns
    -------
    pandas.DataFrame
        ``related_training`` (code, empty string when the person has no trainings or
        no text) and ``related_similarity`` (cosine similarity 0–1 of TF-IDF
        character 3–5-grams; NaN when there is nothing to compare).

    Examples
    --------
    >>> import pandas as pd
    >>> catalogue = pd.DataFrame({"code": ["T1", "T2"], "title": ["Barista Kopi", "Menjahit Pakaian"],
    ...                           "description": ["membuat kopi espresso", "menjahit baju dan celana"]})
    >>> out = most_related_training(["jualan kopi susu", "jahit baju", "ojek"], [["T1", "T2"], ["T1", "T2"], []],
    ...                             catalogue)
    >>> out["related_training"].tolist()
    ['T1', 'T2', '']
    """
    catalogue = trainings.reset_index(drop=True)
    codes = catalogue["code"].astype(str).tolist()
    position = {code: i for i, code in enumerate(codes)}
    training_text = normalize_texts([f"{t} {d}" for t, d in
                                     zip(catalogue["title"].fillna(""), catalogue["description"].fillna(""))])
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=1,
                                 dtype=np.float32)
    descriptions = list(descriptions)
    person_trainings = list(person_trainings)
    if len(descriptions) != len(person_trainings):
        raise InputDataError("descriptions and person_trainings differ in length")
    n = len(descriptions)
    best_code = np.full(n, "", dtype=object)
    best_sim = np.full(n, np.nan)
    if not codes or n == 0:
        return pd.DataFrame({"related_training": best_code, "related_similarity": best_sim})
    training_matrix = vectorizer.fit_transform(training_text)
    rows, cols = [], []
    for i, taken in enumerate(person_trainings):
        for code in taken or ():
            j = position.get(code)
            if j is not None:
                rows.append(i)
                cols.append(j)
    membership = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n, len(codes)))
    chunk = 20_000
    normalised = _normalise_unique(descriptions)
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        texts = normalised[start:stop]
        sims = (vectorizer.transform(texts) @ training_matrix.T).toarray()
        member = membership[start:stop].toarray() > 0
        # Similarity −1 marks trainings the person did not take; ties go to the first code.
        scored = np.where(member, sims, -1.0)
        pick = scored.argmax(axis=1)
        value = scored[np.arange(stop - start), pick]
        has = member.any(axis=1) & np.array([bool(t) for t in texts])
        best_code[start:stop] = np.where(has, np.array(codes, dtype=object)[pick], "")
        best_sim[start:stop] = np.where(has, value, np.nan)
    return pd.DataFrame({"related_training": best_code, "related_similarity": best_sim})


def _normalise_unique(texts: list[Any]) -> list[str]:
    """normalize_texts over many answers, each distinct answer once (answers repeat a lot)."""
    keys = [text if isinstance(text, str) else "" for text in texts]
    distinct = list(dict.fromkeys(keys))
    normalised = dict(zip(distinct, normalize_texts(distinct)))
    return [normalised[key] for key in keys]


def link_rows(people: pd.DataFrame, person_trainings: dict[str, list[str]], trainings: pd.DataFrame,
              sector_map: pd.DataFrame | None = None) -> pd.DataFrame:
    """Linkage columns for ``people`` (respondents with a business), in the same order.

    Parameters
    ----------
    people : pandas.DataFrame
        One row per business owner with ``pid``, ``description``, ``division`` (two-digit
        KBLI, empty when not coded) and ``own_link`` (the answer to
        ``business_training_link``).
    person_trainings : dict
        ``pid`` → training codes the roster lists for that person.
    trainings : pandas.DataFrame
        The catalogue (``code``, ``title``, ``description``, ``category``).
    sector_map : pandas.DataFrame, optional
        From :func:`load_sector_map` (default: the shipped map).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``people``: ``trainings`` and ``categories`` (the roster's,
        space-separated); ``in_line_by_map`` (1/0; NaN without a code or without roster
        trainings); ``matched_trainings`` (those whose map covers the division);
        ``related_training``, ``related_similarity`` (text); ``related_in_line``;
        ``own_related`` (1 = started because of / helped an existing business,
        0 = unrelated); ``agreement``: ``both related``, ``both unrelated``, ``map only``
        (map says in line, respondent says unrelated), ``own answer only``, or ``unknown``.
    """
    divisions_of = training_divisions(trainings, sector_map)
    category_of = dict(zip(trainings["code"], trainings["category"]))
    taken = [tuple(person_trainings.get(pid, ())) for pid in people["pid"]]
    division = people["division"].fillna("").astype(str).tolist()
    in_line, matched = [], []
    for codes, div in zip(taken, division):
        if not codes or not div:
            in_line.append(np.nan)
            matched.append("")
            continue
        hits = [c for c in codes if div in divisions_of.get(c, ()) or ANY_DIVISION in divisions_of.get(c, ())]
        in_line.append(1.0 if hits else 0.0)
        matched.append(" ".join(hits))
    related = most_related_training(people["description"].tolist(), taken, trainings)
    related_in_line = [
        (1.0 if (div in divisions_of.get(code, ()) or ANY_DIVISION in divisions_of.get(code, ())) else 0.0)
        if code and div else np.nan
        for code, div in zip(related["related_training"], division)
    ]
    own = people["own_link"].astype("object")
    own_related = np.where(own.isin(RELATED_ANSWERS), 1.0, np.where(own.isin(UNRELATED_ANSWERS), 0.0, np.nan))
    in_line_arr = np.asarray(in_line, dtype=float)
    agreement = np.select(
        [(in_line_arr == 1) & (own_related == 1), (in_line_arr == 0) & (own_related == 0),
         (in_line_arr == 1) & (own_related == 0), (in_line_arr == 0) & (own_related == 1)],
        ["both related", "both unrelated", "map only", "own answer only"], default="unknown")
    return pd.DataFrame({
        "trainings": [" ".join(c) for c in taken],
        "categories": [" ".join(sorted({str(category_of.get(c, "")) for c in person} - {""})) for person in taken],
        "in_line_by_map": in_line_arr, "matched_trainings": matched,
        "related_training": related["related_training"].to_numpy(),
        "related_similarity": related["related_similarity"].to_numpy(),
        "related_in_line": np.asarray(related_in_line, dtype=float),
        "own_related": own_related, "agreement": agreement,
    }, index=people.index)
