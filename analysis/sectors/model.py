"""``SectorClassifier``: free-text business description -> KBLI division.

Design (measured choices are in docs/SECTORS.md):

* texts are normalised (:mod:`.normalize`) and turned into word + char
  n-gram TF-IDF (:mod:`.features`);
* a one-vs-rest linear SVM scores every class; when the labels are KBLI
  codes, the official KBLI titles and descriptions are added as extra
  (down-weighted) training text, which also gives every one of the 88
  divisions at least some evidence;
* scores become probabilities by temperature scaling (one parameter fitted
  on out-of-fold scores of the labelled examples, so calibration never sees
  a prediction on its own training data);
* the review threshold is chosen on the same out-of-fold predictions as the
  lowest confidence at which auto-coded answers still reach
  ``target_precision`` at *section* level;
* a second, section-level model (21 classes, same features) decides the
  section and its confidence, and the division is the most probable one
  inside that section; summing division probabilities per section is the
  fallback (``section_model=False``) and measured worse for auto-coding;
* 5-digit codes are suggested by cosine similarity to per-code centroids
  (labelled examples + KBLI titles, descriptions and example documents
  derived from them + the 5-digit documents passed to ``fit``, which
  nothing else sees; entries square-rooted before normalising) plus 0.3 x
  per-division one-vs-rest SVMs over the codes (folded into the same
  matrix), turned into P(code | division) by a softmax whose
  temperature is fitted on out-of-fold scores; the first suggestion
  is the best code of the predicted division, the others are ranked by
  P(division) x P(code | division) over the most probable divisions.
"""
from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import numbers
import unicodedata
from collections.abc import Iterator, Sequence
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp
import sklearn
from joblib import Parallel, delayed
from scipy.optimize import minimize_scalar
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.preprocessing import normalize as l2_normalize
from sklearn.svm import LinearSVC
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from ..errors import ModelFileError
from .autocode import AUTO_RULE_SCORES, choose_auto_rule, rule_score
from .autocode import choose_review_threshold as choose_review_threshold  # re-exported for older callers
from .features import Featurized, TextFeaturizer
from .kbli import kbli5_example_documents, load_kbli, reference_documents
from .normalize import VowelRestorer, normalize_texts

Array = npt.NDArray[Any]
# A scipy.sparse matrix (or a dense array): scipy's sparse types are not precise enough for mypy.
Matrix = Any
FoldModel = tuple[npt.NDArray[np.float32], npt.NDArray[np.float64]]
FitJob = tuple[Matrix, Array, Array, int]
Folds = list[tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]]

DEFAULT_REVIEW_THRESHOLD = 0.80
"""Fallback auto-coding threshold for models fitted on too little data to
choose their own rule (fewer than ``2 * calibration_folds`` examples).  It
mirrors the default model's cross-fitted threshold on the calibrated
section *confidence* (0.82 for the current seeds; a test keeps the two
within 0.05); applied to the top-2 *margin*, which is never larger than the
confidence, it is stricter still.  Fitted models use ``review_threshold_``."""

_MIN_AUTO_CODED = 20  # fewer auto-coded OOF items than this: precision estimate too noisy

LONG_TEXT_CHARS = 1_000
"""Answers longer than this always go to review: a survey answer about one
business is a sentence or three, a page of text is usually pasted junk."""

MIN_WORD_COVERAGE = 0.5
"""Answers in which fewer than half of the distinct words are known to the
model (gibberish, another language) go to review, and their confidence is
scaled down by that share: the calibration says nothing about such text."""

REVIEW_REASONS = {
    "": "auto-coded",
    "empty": "the answer is empty",
    "no_words": "the answer has no words (only digits, emoji, punctuation or markup)",
    "foreign_script": "the answer is not written in Latin script",
    "unfamiliar_words": "most words are unknown to the model (another language or gibberish)",
    "too_long": f"the answer is longer than {LONG_TEXT_CHARS:,} characters",
    "low_confidence": "the model is not sure enough (below the calibrated auto-coding rule)",
}
"""Codes of the ``reason`` column of :meth:`SectorClassifier.code` and what they mean."""

CODE_COLUMNS = ["section", "division", "kbli5", "confidence", "margin", "needs_review", "reason",
                "top3", "top3_kbli5", "top3_sections", "model_version"]
"""Columns of the coding table returned by :meth:`SectorClassifier.code`."""

FITTED_ATTRIBUTES = (
    # name, needed to predict (a model file must restore it), meaning
    ("classes_", True, "class labels (divisions)"),
    ("label_level_", True, "KBLI level of the labels or None"),
    ("featurizer_", True, "fitted TextFeaturizer (vocabularies, IDF)"),
    ("coef_", True, "division model coefficients"),
    ("intercept_", True, "division model intercepts"),
    ("temperature_", True, "softmax temperature of the division model"),
    ("class_sections_", True, "section letter of each class"),
    ("section_classes_", True, "section model classes (None without one)"),
    ("section_coef_", True, "section model coefficients"),
    ("section_intercept_", True, "section model intercepts"),
    ("section_temperature_", True, "softmax temperature of the section model"),
    ("review_threshold_", True, "auto-coding threshold on the review_score"),
    ("kbli5_codes_", True, "5-digit codes with a centroid (None if not fitted on divisions)"),
    ("kbli5_centroids_", True, "per-code centroids (word, or word + character TF-IDF: kbli5_features)"),
    ("kbli5_prior_", True, "share of each code among labelled examples of its division"),
    ("kbli5_temperature_", True, "softmax temperature turning 5-digit similarities into P(code | division)"),
    ("kbli5_bias_", True, "per-code offset of the 5-digit score (SVM intercepts; zeros without them)"),
    ("version_", True, "identifier of the fitted model (hash of training data, parameters, versions)"),
    ("oof_confidence_", False, "out-of-fold section confidence of each labelled example"),
    ("oof_margin_", False, "out-of-fold top-2 section margin"),
    ("oof_correct_", False, "out-of-fold section correctness"),
    ("oof_predicted_", False, "out-of-fold predicted class"),
    ("oof_fold_", False, "calibration fold of each labelled example"),
    ("auto_rule_", False, "how the auto-coding rule was chosen (cross-fitted estimates)"),
    ("sklearn_version_", False, "scikit-learn version that fitted the model"),
)
"""Every attribute :meth:`SectorClassifier.fit` sets, in one place.  Model
storage should persist exactly the ones marked as needed to predict."""


# Per-model caches kept in the instance __dict__, built on first use after a
# fit or a load (not fitted attributes: nothing saves them).
_DERIVED_CACHES = ("_compatible_checked", "_vowel_restorer", "_kbli5_block_cache", "_kbli5_offset_cache")


def _as_texts(X: Any) -> list[str]:
    """Accept a 1-D sequence of texts, or a 2-D table with one text column."""
    if isinstance(X, str):
        raise ValueError("expected a sequence of texts, got a single string; wrap it in a list")
    if isinstance(X, list) and all(type(value) is str for value in X):
        return list(X)  # the common case, without a check per value
    if isinstance(X, pd.DataFrame):
        if X.shape[1] != 1:
            raise ValueError(f"expected one text column, got a table with {X.shape[1]} columns")
        X = X.iloc[:, 0]
    if isinstance(X, pd.Series):
        values = X.tolist()
    else:
        array = np.asarray(X, dtype=object)
        if array.ndim == 2 and array.shape[1] == 1:
            array = array[:, 0]
        if array.ndim != 1:
            raise ValueError(
                f"SectorClassifier expects a 1-D sequence of texts, got an array of shape {array.shape}"
            )
        values = array.tolist()
    texts: list[str] = []
    for value in values:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            texts.append("")
        elif isinstance(value, (str, numbers.Number)):
            texts.append(str(value))
        else:
            raise ValueError(f"expected text, got {type(value).__name__}")
    return texts


def _linear_scores(features: Matrix, coef: Array, intercept: Array) -> Array:
    """``features @ coef.T + intercept`` over only the feature columns the texts use.

    SciPy copies a transposed (column-major) coefficient matrix on every
    sparse product, 50 MB for the division model: selecting the used columns
    first makes scoring a few answers take about a millisecond instead of
    twelve.  Batches with more non-zeros than half the columns use most
    columns, and there the selection costs more than the copy.
    """
    features = sp.csr_matrix(features)
    if 2 * features.nnz < coef.shape[1]:
        used = np.unique(features.indices)
        features, coef = features[:, used], coef[:, used]
    return np.asarray(features @ coef.T, dtype=np.float64) + intercept


def _softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    z: Array = scores / temperature
    z = z - z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


def _fit_temperature(scores: np.ndarray, true_index: np.ndarray) -> float:
    """Temperature minimising the negative log-likelihood of the true classes."""
    def nll(log_t: float) -> float:
        proba = _softmax(scores, float(np.exp(log_t)))
        return -float(np.mean(np.log(np.clip(proba[np.arange(len(true_index)), true_index], 1e-12, None))))

    result = minimize_scalar(nll, bounds=(np.log(1e-3), np.log(1e2)), method="bounded",
                             options={"xatol": 1e-4})
    return float(np.exp(result.x))


KBLI5_SVM_PRUNE = 0.05
"""5-digit code SVM weights smaller than this (in absolute value) are dropped
before they are added to the centroids: that keeps about 5 % of them, the
matrix stays as sparse as the centroids and suggestions were as good in
train-split cross-validation as with every weight (docs/SECTORS.md)."""

_KBLI5_SVM_TOL = 1e-3  # liblinear tolerance of the code SVMs (1e-4 changed nothing, 15 % slower)


def _fit_code_svms(features: Matrix, code_index: Array, weights: Array, used: Array, division_of_code: Array,
                   C: float, random_state: int | None) -> tuple[Matrix, Array]:
    """One-vs-rest linear SVMs over the 5-digit codes of each division.

    Trained on the documents ``used`` (rows of ``features``, labelled with
    ``code_index``, weighted by ``weights``), one model per division with at
    least two codes, so a code only competes with its own division's codes.
    Returns the coefficients as a sparse (codes x features) matrix, pruned at
    :data:`KBLI5_SVM_PRUNE`, and the intercepts (0 for single-code divisions).
    """
    n_codes = len(division_of_code)
    intercept = np.zeros(n_codes)
    rows_of: list[Array] = []
    columns_of: list[Array] = []
    values_of: list[Array] = []
    used_division = division_of_code[code_index[used]]
    for division in np.unique(division_of_code):
        rows = used[used_division == division]
        present = np.unique(code_index[rows])
        if len(present) < 2:
            continue
        svm = LinearSVC(C=C, tol=_KBLI5_SVM_TOL, random_state=random_state, max_iter=5000, dual=True)
        svm.fit(features[rows], code_index[rows], sample_weight=weights[rows])
        coef, bias = svm.coef_, svm.intercept_
        if len(present) == 2:  # liblinear returns one row for two classes
            coef, bias = np.vstack([-coef, coef]), np.r_[-bias, bias]
        r, c = np.nonzero(np.abs(coef) >= KBLI5_SVM_PRUNE)
        rows_of.append(present[r])
        columns_of.append(c)
        values_of.append(coef[r, c])
        intercept[present] = bias
    matrix = sp.csr_matrix(
        (np.concatenate(values_of) if values_of else np.zeros(0),
         (np.concatenate(rows_of) if rows_of else np.zeros(0, dtype=np.int64),
          np.concatenate(columns_of) if columns_of else np.zeros(0, dtype=np.int64))),
        shape=(n_codes, features.shape[1]), dtype=np.float32)
    return matrix, intercept


def _fit_linear(features: Matrix, y_index: Array, weights: Array, n_classes: int, C: float, tol: float,
                random_state: int | None) -> FoldModel:
    """One-vs-rest linear SVMs over ``n_classes`` classes; returns (coef, intercept)."""
    present = np.unique(y_index)
    svm = LinearSVC(C=C, tol=tol, random_state=random_state, max_iter=5000, dual=True)
    svm.fit(features, y_index, sample_weight=weights)
    coef = np.zeros((n_classes, features.shape[1]), dtype=np.float32)
    # Classes absent from a training fold must never win.
    intercept = np.full(n_classes, -1e3)
    if len(present) == 2:
        w, b = svm.coef_[0].astype(np.float32), float(svm.intercept_[0])
        coef[present[0]], intercept[present[0]] = -w, -b
        coef[present[1]], intercept[present[1]] = w, b
    else:
        coef[svm.classes_] = svm.coef_
        intercept[svm.classes_] = svm.intercept_
    return coef, intercept


class SectorClassifier(ClassifierMixin, BaseEstimator):
    """Classify free-text business descriptions into KBLI 2020 classes.

    Usually fitted on division codes (``"56"``); sections are then derived
    from the KBLI hierarchy and 5-digit codes suggested within the division.
    Any other labels work too (it is a general text classifier), but
    sections, 5-digit suggestions and the KBLI reference texts are only
    used when all labels are KBLI codes of one level.

    Parameters
    ----------
    C : float, default 1.0
        Inverse regularisation strength of the linear SVMs.
    tol : float, default 1e-4
        Stopping tolerance of liblinear.
    word_ngram_range, char_ngram_range : tuple of int
        N-gram ranges of the word and character TF-IDF blocks.
    max_word_features, max_char_features : int
        Vocabulary caps (bound model size and prediction cost).
    char_weight : float, default 1.0
        Weight of the character block relative to the word block.
    reference : {"kbli", None}, default "kbli"
        Add KBLI titles/descriptions as training text when labels are KBLI
        codes (then every code of that level becomes a class).  5-digit
        suggestions always use the KBLI 5-digit texts.
    reference_weight : float, default 0.3
        Sample weight of each reference document (labelled answers weigh 1).
    description_chars : int, default 400
        Length at which KBLI descriptions are cut.
    section_model : bool, default True
        When fitted on divisions, also fit a section-level model (same
        features and reference texts, 21 classes) that decides the section
        and its confidence; the division is then the most probable one
        inside that section.  Measured better for auto-coding than summing
        division probabilities (docs/SECTORS.md).
    calibration_folds : int, default 5
        Folds for the out-of-fold scores used for calibration and threshold.
    target_precision : float, default 0.95
        Section precision the review threshold must reach on auto-coded items.
    review_score : {"confidence", "margin"}, default "confidence"
        What the auto-coding rule thresholds: the calibrated section
        probability, or the margin between the two most probable sections
        (as INSEE's coder does).  ``confidence`` auto-coded more answers at
        the target precision in cross-fitting on the train split of the
        current seeds (docs/SECTORS.md; the two are within a few points and
        swapped places as seeds were added); the fitted ``auto_rule_``
        reports both and names the better one in ``auto_rule_["best"]``.
    kbli5_features : {"word", "all"}, default "all"
        Features of the 5-digit code centroids: the word TF-IDF block, or
        word + character blocks ("all": better suggestions in train-split
        cross-validation, 0.764 vs 0.741 top-1 inside the true division).
    kbli5_examples_weight : float, default 0.3
        Weight, in the 5-digit centroids, of the short example documents
        derived from KBLI titles and descriptions
        (:func:`.kbli.kbli5_example_documents`; labelled answers and the
        plain KBLI title/description documents weigh 1).  0 leaves them out.
    kbli5_centroid_power : float, default 0.5
        Exponent applied to every entry of a 5-digit centroid (the weighted
        sum of its documents' vectors) before it is L2-normalised.  Below 1
        it damps the terms repeated by many documents of one code (its title
        words) relative to those found in few, so an answer matching one
        example document is not drowned by the title; 0.5 (a square root)
        was the best of 0.2-1 in train-split cross-validation
        (docs/SECTORS.md), 1 is the plain sum.
    kbli5_discriminative_weight : float, default 0.3
        Weight of a discriminative score added to the centroid similarity of
        5-digit codes: one-vs-rest linear SVMs over the codes of each
        division, trained on the same documents (pruned at
        :data:`KBLI5_SVM_PRUNE` and folded into ``kbli5_centroids_`` and
        ``kbli5_bias_``, so prediction does one matrix product as before).
        The two methods err on different answers; the sum was better than
        either in train-split cross-validation (docs/SECTORS.md).  0 leaves
        the SVMs out (and about 15 CPU-seconds of training).
    kbli5_documents_weight : float, default 1.0
        Weight, in the 5-digit centroids and code SVMs, of the 5-digit
        documents passed to :meth:`fit` as ``kbli5_documents`` (written
        answers for codes with few labelled answers; helper ``kbli5d``).
    restore_vowels : bool, default True
        At prediction, expand unknown vowel-less words ("jl kpi") to the most
        frequent known word with the same consonants ("jual kopi").
    kbli5_prior_weight : float, default 0.05
        Weight of a code's share of labelled examples in its division when
        ranking 5-digit suggestions (breaks ties towards common codes).
    n_jobs : int, optional
        Worker processes for the independent SVM fits (calibration folds
        and the final fit); ``None`` means 1, ``-1`` all cores.  Results do
        not depend on it.
    random_state : int, default 0
        Seed for fold shuffling and liblinear.

    Attributes
    ----------
    classes_ : ndarray
        Class labels.
    label_level_ : str or None
        ``"division"``, ``"section"``, ``"kbli5"`` or None (non-KBLI labels).
    temperature_, section_temperature_ : float
        Softmax temperatures from calibration (division and section models).
    section_classes_, section_coef_, section_intercept_ : ndarray or None
        The section model (None without one).
    review_threshold_ : float
        Value of ``review_score`` below which answers go to manual review.
    version_ : str
        Identifies the fitted model: a hash of the training texts, labels,
        weights, parameters, KBLI table and library versions.  The app
        stamps it on every stored code.
    oof_confidence_, oof_margin_, oof_correct_, oof_predicted_, oof_fold_ : ndarray
        Out-of-fold section confidence, top-2 margin, section correctness,
        predicted class and fold of each labelled example (empty if too few
        examples).
    auto_rule_ : dict
        Cross-fitted estimate of the auto-coded share and precision for each
        candidate review score (see :func:`.autocode.choose_auto_rule`).

    All fitted attributes are listed in :data:`FITTED_ATTRIBUTES`.

    Examples
    --------
    >>> clf = SectorClassifier(reference=None, calibration_folds=2)
    >>> clf = clf.fit(["jual baju", "jualan baju anak", "servis motor", "bengkel motor"] * 3,
    ...               ["47", "47", "45", "45"] * 3)
    >>> clf.predict(["bengkel servis motor"]).tolist()
    ['45']
    """

    # Fitted attributes (FITTED_ATTRIBUTES), set by fit() or a model-file loader.
    classes_: Array
    label_level_: str | None
    featurizer_: TextFeaturizer
    coef_: Array
    intercept_: Array
    temperature_: float
    class_sections_: Array | None
    section_classes_: Array | None
    section_coef_: Array | None
    section_intercept_: Array | None
    section_temperature_: float
    review_threshold_: float
    kbli5_codes_: Array | None
    kbli5_centroids_: Matrix
    kbli5_prior_: Array
    kbli5_temperature_: float
    kbli5_bias_: Array
    version_: str
    oof_confidence_: Array
    oof_margin_: Array
    oof_correct_: Array
    oof_predicted_: Array
    oof_fold_: Array
    auto_rule_: dict[str, Any]
    sklearn_version_: str

    def __init__(self, C: float = 1.0, tol: float = 1e-4, word_ngram_range: tuple[int, int] = (1, 2),
                 char_ngram_range: tuple[int, int] = (3, 5), max_word_features: int = 30000,
                 max_char_features: int = 60000, char_weight: float = 1.0, reference: str | None = "kbli",
                 reference_weight: float = 0.3, description_chars: int = 400, section_model: bool = True,
                 calibration_folds: int = 5, target_precision: float = 0.95, kbli5_prior_weight: float = 0.05,
                 review_score: str = "confidence", restore_vowels: bool = True, kbli5_features: str = "all",
                 kbli5_examples_weight: float = 0.3, kbli5_centroid_power: float = 0.5,
                 kbli5_discriminative_weight: float = 0.3, kbli5_documents_weight: float = 1.0,
                 n_jobs: int | None = None, random_state: int | None = 0) -> None:
        self.C = C
        self.tol = tol
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.max_word_features = max_word_features
        self.max_char_features = max_char_features
        self.char_weight = char_weight
        self.reference = reference
        self.reference_weight = reference_weight
        self.description_chars = description_chars
        self.section_model = section_model
        self.calibration_folds = calibration_folds
        self.target_precision = target_precision
        self.kbli5_prior_weight = kbli5_prior_weight
        self.review_score = review_score
        self.restore_vowels = restore_vowels
        self.kbli5_features = kbli5_features
        self.kbli5_examples_weight = kbli5_examples_weight
        self.kbli5_centroid_power = kbli5_centroid_power
        self.kbli5_discriminative_weight = kbli5_discriminative_weight
        self.kbli5_documents_weight = kbli5_documents_weight
        self.n_jobs = n_jobs
        self.random_state = random_state

    # ------------------------------------------------------------------ fit --
    def fit(self, X: Any, y: npt.ArrayLike, sample_weight: npt.ArrayLike | None = None,
            kbli5: Sequence[str | None] | npt.ArrayLike | None = None,
            kbli5_documents: pd.DataFrame | None = None) -> SectorClassifier:
        """Fit on texts ``X`` and labels ``y``.

        Parameters
        ----------
        X : sequence of str
            Descriptions (None/NaN treated as empty).
        y : array-like
            Labels, normally 2-digit KBLI divisions.
        sample_weight : array-like, optional
            Weights of the labelled examples (e.g. a higher weight for codes
            people chose in the review queue than for seed examples).
        kbli5 : array-like of str, optional
            5-digit codes of the examples, used for 5-digit suggestions.
            Empty strings / None are allowed (division known, code not).
        kbli5_documents : pandas.DataFrame, optional
            5-digit documents (columns ``text`` and ``kbli5``): extra training
            documents of the 5-digit ranker only (centroids and code SVMs,
            weight ``kbli5_documents_weight``), like the KBLI example
            documents.  The vocabulary, the section and division models, the
            calibration and the auto-coding rule never see them, so they
            cannot change section or division results.

        Returns
        -------
        self
        """
        self._validate_params_values()
        # Caches derived from an earlier fit would describe the old model.
        for cache in _DERIVED_CACHES:
            self.__dict__.pop(cache, None)
        texts = _as_texts(X)
        y = np.asarray(y)
        if y.ndim != 1:
            y = np.ravel(y) if y.ndim == 2 and y.shape[1] == 1 else y
        if y.ndim != 1 or len(y) != len(texts):
            raise ValueError(f"y must be 1-D with one label per text ({len(texts)}), got shape {y.shape}")
        check_classification_targets(y)
        weights = np.ones(len(texts)) if sample_weight is None else np.asarray(sample_weight, float)
        if weights.shape != (len(texts),):
            raise ValueError("sample_weight must have one weight per text")

        kbli = load_kbli()
        documents = self._checked_kbli5_documents(kbli5_documents, kbli)
        self.sklearn_version_ = sklearn.__version__
        self.version_ = self._training_fingerprint(texts, y, weights, kbli5, kbli, documents)
        self.label_level_ = self._detect_level(y, kbli)
        ref_texts, ref_labels = [], np.array([], dtype=y.dtype)
        if self.label_level_ is not None:
            y = y.astype(str)
            if self.reference == "kbli":
                docs = reference_documents(kbli, self.label_level_, self.description_chars)
                ref_texts, ref_labels = docs["text"].tolist(), docs["label"].to_numpy().astype(str)

        self.classes_ = np.unique(np.concatenate([y, ref_labels]) if len(ref_labels) else y)
        if len(self.classes_) < 2:
            raise ValueError("SectorClassifier needs samples of at least 2 classes")
        norm_user = normalize_texts(texts)
        norm_ref = normalize_texts(ref_texts)
        self.featurizer_ = TextFeaturizer(
            word_ngram_range=self.word_ngram_range, char_ngram_range=self.char_ngram_range,
            max_word_features=self.max_word_features, max_char_features=self.max_char_features,
            char_weight=self.char_weight,
        )
        all_features = self.featurizer_.fit_transform(norm_user + norm_ref)
        features_user = all_features[: len(norm_user)]
        features_ref = all_features[len(norm_user):] if norm_ref else None
        y_index = np.searchsorted(self.classes_, y)
        ref_index = np.searchsorted(self.classes_, ref_labels)
        ref_weights = np.full(len(ref_index), float(self.reference_weight))

        self.class_sections_ = class_sections = self._class_sections(kbli)
        folds = self._calibration_folds(y_index)
        targets = [(y_index, ref_index, len(self.classes_))]
        # Division labels always have sections (class_sections is not None then).
        use_section_model = (self.section_model and self.label_level_ == "division"
                             and class_sections is not None and len(np.unique(class_sections)) >= 2)
        if use_section_model:
            self.section_classes_, section_of_class = np.unique(cast(Array, class_sections), return_inverse=True)
            targets.append((section_of_class[y_index], section_of_class[ref_index], len(self.section_classes_)))
        jobs = []
        for target_y, target_ref, n_classes in targets:
            for train, _ in folds:
                fold_features, fold_y, fold_w = features_user[train], target_y[train], weights[train]
                if features_ref is not None:
                    fold_features = sp.vstack([fold_features, features_ref])
                    fold_y, fold_w = np.r_[fold_y, target_ref], np.r_[fold_w, ref_weights]
                jobs.append((fold_features, fold_y, fold_w, n_classes))
            jobs.append((all_features, np.r_[target_y, target_ref], np.r_[weights, ref_weights], n_classes))
        if any(len(np.unique(job[1])) < 2 for job in jobs):
            folds = []
            jobs = [job for job in jobs if job[0] is all_features]
        results = self._run_fits(jobs)
        per_target = len(folds) + 1
        self.coef_, self.intercept_ = results[per_target - 1]
        division_folds = results[: per_target - 1]
        section_folds = None
        if use_section_model:
            self.section_coef_, self.section_intercept_ = results[2 * per_target - 1]
            section_folds = results[per_target: 2 * per_target - 1]
        else:
            self.section_classes_ = self.section_coef_ = self.section_intercept_ = None
        self._calibrate(features_user, y_index, folds, division_folds, section_folds)
        self._fit_kbli5(kbli, norm_user, kbli5, y, documents)
        return self

    @staticmethod
    def _checked_kbli5_documents(documents: Any, kbli: Any) -> tuple[list[str], list[str]]:
        """``kbli5_documents`` as (texts, codes); refuses a table that is not one."""
        if documents is None:
            return [], []
        if not isinstance(documents, pd.DataFrame) or not {"text", "kbli5"} <= set(documents.columns):
            raise ValueError("kbli5_documents must be a DataFrame with columns 'text' and 'kbli5'")
        codes = [str(c).strip() for c in documents["kbli5"]]
        bad = [c for c in codes if not kbli.is_kbli5(c)]
        if bad:
            raise ValueError(f"kbli5_documents: not 5-digit KBLI 2020 codes: {sorted(set(bad))[:10]}")
        return _as_texts(documents["text"]), codes

    def _validate_params_values(self) -> None:
        if not (isinstance(self.C, numbers.Real) and self.C > 0):
            raise ValueError(f"C must be a positive number, got {self.C!r}")
        if self.reference not in ("kbli", None):
            raise ValueError(f"reference must be 'kbli' or None, got {self.reference!r}")
        if not (0 < self.target_precision <= 1):
            raise ValueError("target_precision must be in (0, 1]")
        if not (isinstance(self.calibration_folds, numbers.Integral) and self.calibration_folds >= 2):
            raise ValueError("calibration_folds must be an integer >= 2")
        if self.kbli5_features not in ("word", "all"):
            raise ValueError(f"kbli5_features must be 'word' or 'all', got {self.kbli5_features!r}")
        if not (isinstance(self.kbli5_examples_weight, numbers.Real) and self.kbli5_examples_weight >= 0):
            raise ValueError(f"kbli5_examples_weight must be a number >= 0, got {self.kbli5_examples_weight!r}")
        if not (isinstance(self.kbli5_discriminative_weight, numbers.Real) and self.kbli5_discriminative_weight >= 0):
            raise ValueError("kbli5_discriminative_weight must be a number >= 0, "
                             f"got {self.kbli5_discriminative_weight!r}")
        if not (isinstance(self.kbli5_documents_weight, numbers.Real) and self.kbli5_documents_weight >= 0):
            raise ValueError(f"kbli5_documents_weight must be a number >= 0, got {self.kbli5_documents_weight!r}")
        if not (isinstance(self.kbli5_centroid_power, numbers.Real) and 0 < self.kbli5_centroid_power <= 1):
            raise ValueError(f"kbli5_centroid_power must be a number in (0, 1], got {self.kbli5_centroid_power!r}")
        if self.review_score not in AUTO_RULE_SCORES:
            raise ValueError(f"review_score must be one of {AUTO_RULE_SCORES}, got {self.review_score!r}")

    def _training_fingerprint(self, texts: list[str], y: Array, weights: Array, kbli5: Any, kbli: Any,
                              documents: tuple[list[str], list[str]] = ([], [])) -> str:
        """Hash of everything that determines the fitted model (``version_``)."""
        h = hashlib.sha256()
        params = {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.get_params().items()
                  if k != "n_jobs"}  # n_jobs does not change the result
        h.update(json.dumps({"params": params, "sklearn": sklearn.__version__, "numpy": np.__version__,
                             "kbli_rows": len(kbli.table)}, sort_keys=True, default=str).encode())
        h.update(pd.util.hash_pandas_object(kbli.table[["code", "title"]], index=False).to_numpy().tobytes())
        codes = [""] * len(texts) if kbli5 is None else ["" if c is None else str(c) for c in kbli5]
        for text, label, weight, code in zip(texts, y.tolist(), weights.tolist(), codes):
            h.update(f"{text}\x1f{label}\x1f{weight:.6g}\x1f{code}\x1e".encode("utf-8", "surrogatepass"))
        for text, code in zip(*documents):
            h.update(f"{text}\x1f{code}\x1d".encode("utf-8", "surrogatepass"))
        return "sc1-" + h.hexdigest()[:20]

    @staticmethod
    def _detect_level(y: Array, kbli: Any) -> str | None:
        if y.dtype.kind not in "UO":
            return None
        levels = {kbli.level_of(label) if isinstance(label, str) else None for label in np.unique(y)}
        if len(levels) == 1:
            (level,) = levels
            if level in ("section", "division", "kbli5"):
                return str(level)
        return None

    def _class_sections(self, kbli: Any) -> Array | None:
        if self.label_level_ is None:
            return None
        return np.array([kbli.section_of(str(c)) for c in self.classes_])

    def _run_fits(self, jobs: list[FitJob]) -> list[FoldModel]:
        """Fit independent SVMs (calibration folds + final model).

        With ``n_jobs`` > 1 they run in worker processes (liblinear holds
        the GIL in practice, so threads do not help); every job is seeded
        identically, so results do not depend on ``n_jobs``.
        """
        n_jobs = self.n_jobs or 1
        if n_jobs == 1 or len(jobs) == 1:
            return [_fit_linear(*job, self.C, self.tol, self.random_state) for job in jobs]
        return list(Parallel(n_jobs=n_jobs)(
            delayed(_fit_linear)(*job, self.C, self.tol, self.random_state) for job in jobs))

    def _calibration_folds(self, y_index: Array) -> Folds:
        """Folds over the labelled examples (reference texts are always in training)."""
        n = len(y_index)
        folds = self.calibration_folds
        if n < 2 * folds:
            return []
        counts = np.bincount(y_index)
        if counts[counts > 0].min() >= folds:
            splitter = StratifiedKFold(folds, shuffle=True, random_state=self.random_state)
        else:  # rare classes: plain folds; their held-out items may lack a training twin
            splitter = KFold(folds, shuffle=True, random_state=self.random_state)
        return list(splitter.split(np.zeros(n), y_index))

    def _calibrate(self, features_user: Matrix, y_index: Array, folds: Folds, fold_models: list[FoldModel],
                   section_fold_models: list[FoldModel] | None = None) -> None:
        """Fit temperatures and the review threshold on out-of-fold scores."""
        n = len(y_index)
        self.temperature_ = 1.0
        self.section_temperature_ = 1.0
        self.review_threshold_ = DEFAULT_REVIEW_THRESHOLD
        self.oof_confidence_ = np.zeros(0)
        self.oof_margin_ = np.zeros(0)
        self.oof_correct_ = np.zeros(0, dtype=bool)
        self.oof_predicted_ = self.classes_[:0]
        self.oof_fold_ = np.zeros(0, dtype=np.int64)
        self.auto_rule_ = {}
        if not folds:
            return
        scores = self._oof_scores(features_user, folds, fold_models, len(self.classes_))
        # A held-out item whose class had no training example says nothing about
        # calibration of the scores, only about coverage; leave it out.
        usable = scores[np.arange(n), y_index] > -1e2
        if usable.sum() < 2:
            return
        self.temperature_ = _fit_temperature(scores[usable], y_index[usable])
        proba = _softmax(scores, self.temperature_)
        self.oof_predicted_ = self.classes_[proba.argmax(axis=1)]
        if section_fold_models is not None:
            # Section fold models exist only with a section model, hence sections and their classes.
            section_classes, class_sections = cast(Array, self.section_classes_), cast(Array, self.class_sections_)
            section_index = np.searchsorted(section_classes, class_sections[y_index])
            section_scores = self._oof_scores(features_user, folds, section_fold_models, len(section_classes))
            self.section_temperature_ = _fit_temperature(section_scores, section_index)
            section_proba = _softmax(section_scores, self.section_temperature_)
        else:
            section_proba, _ = self._level_proba(proba)
        confidence, margin, predicted = _top_two(section_proba)
        predicted = self._level_classes()[predicted]
        truth = self.class_sections_[y_index] if self.class_sections_ is not None else self.classes_[y_index]
        fold_of = np.zeros(n, dtype=np.int64)
        for k, (_, held) in enumerate(folds):
            fold_of[held] = k
        self.oof_confidence_ = confidence
        self.oof_margin_ = margin
        self.oof_fold_ = fold_of
        self.oof_correct_ = predicted == truth
        # Cross-fitted choice: the threshold applied to each fold was chosen
        # on the other folds, so the reported precision is out-of-sample.
        self.auto_rule_ = choose_auto_rule(
            {"confidence": confidence, "margin": margin}, self.oof_correct_, fold_of,
            self.target_precision, _MIN_AUTO_CODED)
        self.review_threshold_ = self.auto_rule_[self.review_score]["threshold"]

    @staticmethod
    def _oof_scores(features_user: Matrix, folds: Folds, fold_models: list[FoldModel], n_classes: int) -> Array:
        scores = np.zeros((features_user.shape[0], n_classes))
        for (_, held), (coef, intercept) in zip(folds, fold_models):
            scores[held] = features_user[held] @ coef.T + intercept
        return scores

    def _level_classes(self) -> Array:
        """Classes of the decision level: sections for KBLI labels, else the classes."""
        if self.class_sections_ is None:
            return self.classes_
        if getattr(self, "section_coef_", None) is not None:
            return cast(Array, self.section_classes_)  # set together with section_coef_
        return np.unique(self.class_sections_)

    def _level_proba(self, proba: Array, features: Matrix | None = None) -> tuple[Array, Array]:
        """Probabilities at the decision level (sections, or the classes themselves)."""
        if self.class_sections_ is None:
            return proba, self.classes_
        section_coef: Array | None = getattr(self, "section_coef_", None)
        if features is not None and section_coef is not None:
            # section_intercept_ and section_classes_ are set together with section_coef_.
            scores = _linear_scores(features, section_coef, cast(Array, self.section_intercept_))
            return _softmax(scores, self.section_temperature_), cast(Array, self.section_classes_)
        sections, inverse = np.unique(self.class_sections_, return_inverse=True)
        indicator = sp.csr_matrix(
            (np.ones(len(inverse)), (np.arange(len(inverse)), inverse)),
            shape=(len(inverse), len(sections)))
        return np.asarray(proba @ indicator), sections

    def _fit_kbli5(self, kbli: Any, norm_user: list[str], kbli5: Any, y: Array,
                   documents: tuple[list[str], list[str]] = ([], [])) -> None:
        """Per-code centroids for 5-digit suggestions and their softmax temperature.

        A code's centroid is the (weighted) sum of the L2-normalised feature
        vectors of its documents: labelled answers and the KBLI title and
        title + description documents (weight 1 each) and the example
        documents derived from the KBLI text (``kbli5_examples_weight``),
        raised entry-wise to ``kbli5_centroid_power`` and L2-normalised, and
        the 5-digit ``documents`` (``kbli5_documents_weight``), which stay in
        every temperature fold like the KBLI documents.  The temperature is fitted on out-of-fold similarities of the
        labelled answers to the codes of their own division, so that
        ``softmax(similarity / T)`` is a calibrated P(code | division).
        """
        self.kbli5_codes_ = None
        self.kbli5_temperature_ = 1.0
        if self.label_level_ != "division":
            return
        docs = reference_documents(kbli, "kbli5", self.description_chars)
        texts = normalize_texts(docs["text"])
        codes = docs["code"].tolist()
        weights = [1.0] * len(codes)
        if self.kbli5_examples_weight > 0:
            examples = kbli5_example_documents(kbli)
            texts += normalize_texts(examples["text"])
            codes += examples["code"].tolist()
            weights += [float(self.kbli5_examples_weight)] * len(examples)
        if documents[0] and self.kbli5_documents_weight > 0:
            texts += normalize_texts(documents[0])
            codes += documents[1]
            weights += [float(self.kbli5_documents_weight)] * len(documents[1])
        n_reference = len(codes)
        user_codes: list[str] = []
        if kbli5 is not None:
            user_codes = ["" if c is None else str(c) for c in kbli5]
            if len(user_codes) != len(norm_user):
                raise ValueError("kbli5 must have one code per text")
            keep = [i for i, c in enumerate(user_codes) if kbli.is_kbli5(c) and c[:2] == str(y[i])]
            texts += [norm_user[i] for i in keep]
            codes += [user_codes[i] for i in keep]
            weights += [1.0] * len(keep)
            user_codes = [user_codes[i] for i in keep]
        unique_codes, code_index = np.unique(codes, return_inverse=True)
        if self.kbli5_features == "all":
            features = l2_normalize(self.featurizer_.transform(texts))
        else:
            features = l2_normalize(self.featurizer_.word_block(texts))
        weight = np.asarray(weights)
        power = float(self.kbli5_centroid_power)

        def centroids(used: Array) -> Matrix:
            membership = sp.csr_matrix((weight[used], (code_index[used], used)),
                                       shape=(len(unique_codes), len(codes)))
            summed = sp.csr_matrix(membership @ features)
            if power != 1.0:
                # Entries are >= 0 (TF-IDF), so the power is defined everywhere.
                np.power(summed.data, power, out=summed.data)
            return sp.csr_matrix(l2_normalize(summed), dtype=np.float32)

        self.kbli5_codes_ = unique_codes.astype(str)
        # Share of each code among labelled examples of its division.
        share = np.zeros(len(unique_codes))
        if user_codes:
            counts = pd.Series(user_codes).value_counts()
            per_division = counts.groupby(counts.index.str[:2]).transform("sum")
            lookup = (counts / per_division).to_dict()
            share = np.array([lookup.get(c, 0.0) for c in unique_codes])
        self.kbli5_prior_ = share
        # Document sets: all documents (the model), then one per temperature fold
        # (every KBLI document + the other folds' labelled answers).
        n_user = len(codes) - n_reference
        folds = min(3, self.calibration_folds)
        held_out: list[Array] = []
        used_sets = [np.arange(len(codes))]
        if n_user >= 10 * folds:
            splitter = KFold(folds, shuffle=True, random_state=self.random_state)
            for train, held in splitter.split(np.zeros(n_user)):
                used_sets.append(np.r_[np.arange(n_reference), n_reference + train])
                held_out.append(n_reference + held)
        division_of_code = np.array([c[:2] for c in self.kbli5_codes_])
        svms: list[tuple[Matrix, Array] | None] = [None] * len(used_sets)
        if self.kbli5_discriminative_weight > 0:
            # Each temperature fold costs a full set of code SVMs (about 7 CPU-seconds), so
            # with them the temperature is fitted on the first fold's answers only (one
            # parameter on a third of the labelled answers; the other folds only refined it).
            used_sets, held_out = used_sets[:2], held_out[:1]
            svms = svms[:2]
            jobs = [(features, code_index, weight, used, division_of_code, self.C, self.random_state)
                    for used in used_sets]
            n_jobs = self.n_jobs or 1
            if n_jobs == 1:
                svms = [_fit_code_svms(*job) for job in jobs]
            else:
                svms = list(Parallel(n_jobs=n_jobs)(delayed(_fit_code_svms)(*job) for job in jobs))
        scorers = [self._kbli5_scorer(centroids(used), svm) for used, svm in zip(used_sets, svms)]
        self.kbli5_centroids_, self.kbli5_bias_ = scorers[0]
        self.kbli5_temperature_ = 1.0
        if held_out:
            self.kbli5_temperature_ = self._kbli5_temperature(features, code_index, held_out, scorers[1:])

    def _kbli5_scorer(self, centroids: Matrix, svm: tuple[Matrix, Array] | None) -> tuple[Matrix, Array]:
        """The centroids, plus ``kbli5_discriminative_weight`` x the code SVMs; (matrix, bias)."""
        if svm is None:
            return centroids, np.zeros(centroids.shape[0])
        weight = float(self.kbli5_discriminative_weight)
        coef, intercept = svm
        return sp.csr_matrix(centroids + np.float32(weight) * coef, dtype=np.float32), weight * intercept

    def _kbli5_temperature(self, features: Matrix, code_index: Array, held_out: list[Array],
                           scorers: list[tuple[Matrix, Array]]) -> float:
        """Temperature of P(code | division) from out-of-fold scores of the labelled answers."""
        codes = cast(Array, self.kbli5_codes_)
        division_of_code = np.array([c[:2] for c in codes])
        scores, truth = [], []
        for rows, (matrix, bias) in zip(held_out, scorers):
            similarity = (features[rows] @ matrix.T).toarray() + bias + self.kbli5_prior_weight * self.kbli5_prior_
            # Only the codes of the answer's own division compete (P(code | division)).
            same = division_of_code[None, :] == division_of_code[code_index[rows]][:, None]
            scores.append(np.where(same, similarity, -1e3))
            truth.append(code_index[rows])
        return _fit_temperature(np.vstack(scores), np.concatenate(truth))

    # -------------------------------------------------------------- predict --
    # Every public method below goes through _analyse (one normalisation and
    # one featurisation per call) and _decide (section first, then the best
    # division inside it), so predict, predict_section, suggest_kbli5 and
    # code always agree with each other.
    def check_compatible(self) -> None:
        """Refuse a fitted model that does not fit this environment.

        Raises :class:`ModelFileError` when the model was fitted with another
        scikit-learn minor version, or on KBLI codes that are not in the KBLI
        2020 table shipped with this package (a model of another KBLI
        version would otherwise code answers into classes that do not exist).
        The result is remembered, so the check costs nothing after the first call.
        """
        check_is_fitted(self, "coef_")
        if self.__dict__.get("_compatible_checked"):
            return
        fitted_with = getattr(self, "sklearn_version_", None)
        if fitted_with and fitted_with.split(".")[:2] != sklearn.__version__.split(".")[:2]:
            raise ModelFileError(
                f"this model was fitted with scikit-learn {fitted_with}, this environment has "
                f"{sklearn.__version__}; retrain it (`jejak-analysis train`) before coding with it")
        if self.label_level_ is not None:
            kbli = load_kbli()
            unknown = [str(c) for c in self.classes_ if kbli.level_of(str(c)) != self.label_level_]
            if self.class_sections_ is not None:
                unknown += [f"{c}->{s}" for c, s in zip(self.classes_, self.class_sections_)
                            if str(c) not in unknown and kbli.section_of(str(c)) != s]
            codes = getattr(self, "kbli5_codes_", None)
            if codes is not None:
                unknown += [str(c) for c in codes if not kbli.is_kbli5(str(c))]
            if unknown:
                raise ModelFileError(
                    f"this model was trained on codes that are not KBLI 2020 ({', '.join(unknown[:5])}"
                    f"{', ...' if len(unknown) > 5 else ''}); it was made for another KBLI version. "
                    "Retrain it on KBLI 2020 codes.")
        self.__dict__["_compatible_checked"] = True

    def _restorer(self) -> VowelRestorer:
        restorer = self.__dict__.get("_vowel_restorer")
        if restorer is None:
            vec = self.featurizer_.word_vectorizer_
            restorer = self.__dict__["_vowel_restorer"] = VowelRestorer.from_vocabulary(vec.vocabulary_, vec.idf_)
        return restorer

    def _analyse(self, X: Any) -> tuple[list[str], list[str], Featurized]:
        """Raw and normalised texts, and their features, word block and word coverage, computed once per call.

        Vowel restoration rewrites each distinct word of the call once, inside
        the featurizer; the normalised texts returned are before restoration.
        """
        check_is_fitted(self, "coef_")
        self.check_compatible()
        raw = _as_texts(X)
        normalized = normalize_texts(raw)
        word_map = self._restorer().restore_words if self.restore_vowels else None
        return raw, normalized, self.featurizer_.featurize(normalized, word_map=word_map)

    def _division_proba(self, features: Matrix) -> Array:
        return _softmax(_linear_scores(features, self.coef_, self.intercept_), self.temperature_)

    def _decide(self, features: Matrix) -> tuple[Array, Array, Array, Array, Array]:
        """Division probabilities, decision-level probabilities and consistent choices.

        Returns ``(proba, level_proba, level_classes, level_index, class_index)``:
        the section (or class) is the most probable one at the decision level
        and the class is the most probable one inside it.
        """
        proba = self._division_proba(features)
        level_proba, level_classes = self._level_proba(proba, features)
        level_index = level_proba.argmax(axis=1)
        if self.class_sections_ is None:
            return proba, level_proba, level_classes, level_index, level_index
        inside = self.class_sections_[None, :] == level_classes[level_index][:, None]
        class_index = np.where(inside, proba, -1.0).argmax(axis=1)
        return proba, level_proba, level_classes, level_index, class_index

    def predict_proba(self, X: Any) -> Array:
        """Calibrated class (division) probabilities, shape (n_texts, n_classes).

        :meth:`predict` decides the section first and then the most probable
        division inside it, so on the rare answers where the section model
        and the division model disagree, ``predict`` is not the arg-max of
        these probabilities; it is always consistent with :meth:`code`.

        Examples
        --------
        >>> clf = SectorClassifier(reference=None, calibration_folds=2)
        >>> clf = clf.fit(["jual baju", "servis motor"] * 4, ["47", "45"] * 4)
        >>> clf.predict_proba(["jual baju"]).shape
        (1, 2)
        """
        features = self._analyse(X)[2].features
        return self._division_proba(features)

    def predict(self, X: Any) -> Array:
        """Class of each text: the most probable division inside the most probable section.

        Same codes as the ``division`` column of :meth:`code` (for non-empty answers).
        """
        features = self._analyse(X)[2].features
        class_index = self._decide(features)[4]
        return self.classes_[class_index]

    def predict_section_proba(self, X: Any) -> tuple[Array, Array]:
        """Section probabilities; returns ``(proba, sections)``.

        From the section model when there is one, else by summing division
        probabilities within each section.
        """
        self._require_kbli_labels()
        features = self._analyse(X)[2].features
        return self._level_proba(self._division_proba(features), features)

    def predict_section(self, X: Any) -> Array:
        """Most probable KBLI section letter of each text."""
        proba, sections = self.predict_section_proba(X)
        section_of: Array = sections[proba.argmax(axis=1)]
        return section_of

    def _require_kbli_labels(self) -> None:
        check_is_fitted(self, "coef_")
        if self.class_sections_ is None:
            raise AttributeError("sections are only available when fitted on KBLI codes")

    def suggest_kbli5(self, X: Any, divisions: npt.ArrayLike | None = None, k: int = 1) -> Array:
        """Suggest 5-digit KBLI codes per text.

        Parameters
        ----------
        X : sequence of str
        divisions : sequence of str, optional
            Division per text; the suggestions then stay inside it.  If
            omitted, the predicted division comes first and the other
            probable divisions' codes follow (ranked by division probability
            times similarity).
        k : int, default 1
            Number of suggestions.

        Returns
        -------
        ndarray
            With ``k == 1`` one code per text (object array); else an array of
            shape (n, k) with None where there are fewer than ``k`` codes.
        """
        _, _, (features, words, _) = self._analyse(X)
        proba, _, _, _, class_index = self._decide(features)
        if divisions is not None:
            divisions = np.asarray(divisions, dtype=str)
            proba = (self.classes_.astype(str)[None, :] == divisions[:, None]).astype(float)
            class_index = proba.argmax(axis=1)
        top = self._rank_kbli5(features if self.kbli5_features == "all" else words, proba, class_index, k)
        return top[:, 0] if k == 1 else top

    def _rank_kbli5(self, words: Matrix, proba: Array, class_index: Array, k: int) -> Array:
        """Top-``k`` 5-digit codes per text.

        Each code gets P(code) = P(division) x P(code | division), where
        P(code | division) is a softmax (temperature ``kbli5_temperature_``)
        of the cosine similarity of the answer to the code centroids (+ a
        small prior for codes common among labelled answers) over the codes
        of that division.  The first suggestion is always the best code of
        the chosen division (so ``kbli5`` lies in ``division``); the others
        are the most probable codes of the chosen and the three most probable
        divisions, so a close second division gets a place.  Work is one
        small matrix product per (division, batch).
        """
        kbli5_codes: Array | None = getattr(self, "kbli5_codes_", None)
        if kbli5_codes is None:
            raise AttributeError("5-digit suggestions need a model fitted on KBLI divisions")
        n = words.shape[0]
        best_code = np.full((n, k), -1, dtype=np.int64)
        best_score = np.full((n, k), -np.inf)
        if n == 0:
            return np.full((n, k), None, dtype=object)
        words = l2_normalize(sp.csr_matrix(words))
        codes_of_class, centroids_of_class = self._kbli5_blocks()
        offsets_of_class = self._kbli5_offsets(codes_of_class)
        temperature = float(getattr(self, "kbli5_temperature_", 1.0))
        candidates = [class_index] + list(_top_k(proba, 3).T) if proba.shape[1] > 1 else [class_index]
        for j, divisions in enumerate(candidates):
            fresh = np.ones(n, dtype=bool)
            for earlier in candidates[:j]:
                fresh &= divisions != earlier
            if j > 0:
                # No code of a division can beat the k-th suggestion so far when the
                # division's own probability does not (P(code) <= P(division)).
                fresh &= proba[np.arange(n), divisions] > best_score[:, -1]
            # Rows grouped by division with one sort and one row gather, so each
            # division's block is a contiguous slice (gathering per division was
            # a third of the cost).
            rows = np.flatnonzero(fresh)
            if len(rows) == 0:
                continue
            rows = rows[np.argsort(divisions[rows], kind="stable")]
            grouped = words[rows]
            row_division = divisions[rows]
            starts = np.flatnonzero(np.r_[True, row_division[1:] != row_division[:-1]])
            slot_score = np.full((n, k), -np.inf)
            slot_code = np.full((n, k), -1, dtype=np.int64)
            for start, stop in zip(starts, np.r_[starts[1:], len(rows)]):
                division = row_division[start]
                codes = codes_of_class[division]
                if len(codes) == 0:
                    continue
                block = rows[start:stop]
                used_features, centroids = centroids_of_class[division]
                # The division's codes use a few thousand of the features: select
                # those columns and multiply with a dense block (one pass, about
                # three times faster than a sparse product whose result is dense).
                similarity = np.asarray(grouped[start:stop][:, used_features] @ centroids)
                similarity += offsets_of_class[division]  # prior + code-SVM intercepts
                score = proba[block, division][:, None] * _softmax(similarity, temperature)
                if j == 0:
                    # The chosen division's best code always comes first.
                    score[np.arange(len(block)), score.argmax(axis=1)] += 10.0
                top = _top_k(score, k)
                width = top.shape[1]
                slot_score[block, :width] = np.take_along_axis(score, top, axis=1)
                slot_code[block, :width] = codes[top]
            # Merge this slot's best codes into the running top-k of every row at once.
            merged_score = np.concatenate([best_score, slot_score], axis=1)
            merged_code = np.concatenate([best_code, slot_code], axis=1)
            keep = _top_k(merged_score, k)
            best_score = np.take_along_axis(merged_score, keep, axis=1)
            best_code = np.take_along_axis(merged_code, keep, axis=1)
        result = np.full((n, k), None, dtype=object)
        found = best_code >= 0
        result[found] = kbli5_codes[best_code[found]]
        return result

    def _kbli5_blocks(self) -> tuple[list[Array], list[tuple[Array, Array]]]:
        """Per division: its 5-digit codes' indices, the features its centroids use, and
        those centroid rows as a dense (used features x codes) float32 block.

        Built once per loaded model (about 48 MB for the default model, in the
        processes that suggest 5-digit codes).
        """
        blocks = self.__dict__.get("_kbli5_block_cache")
        if blocks is None:
            kbli5_codes = cast(Array, self.kbli5_codes_)
            lookup = {str(c): i for i, c in enumerate(self.classes_)}
            owner = np.array([lookup.get(str(code)[:2], -1) for code in kbli5_codes])
            codes_of_class = [np.flatnonzero(owner == i) for i in range(len(self.classes_))]
            centroids = sp.csr_matrix(self.kbli5_centroids_)
            centroids_of_class = []
            for codes in codes_of_class:
                block = sp.csr_matrix(centroids[codes].T)  # features x codes
                used = np.flatnonzero(np.diff(block.indptr))
                centroids_of_class.append((used, np.asarray(block[used].toarray(), dtype=np.float32)))
            blocks = self.__dict__["_kbli5_block_cache"] = (codes_of_class, centroids_of_class)
        return blocks

    def _kbli5_offsets(self, codes_of_class: list[Array]) -> list[Array]:
        """Per division: the fixed part of its codes' scores, prior weight x prior + SVM intercepts.

        Built once per model and prior weight (kbli5c helper; one addition per block
        instead of two gathers).  Files from before ``kbli5_bias_`` existed have no offsets.
        """
        cached = self.__dict__.get("_kbli5_offset_cache")
        weight = float(self.kbli5_prior_weight)
        if cached is None or cached[0] != weight:
            bias: Array | None = getattr(self, "kbli5_bias_", None)
            offset = weight * np.asarray(self.kbli5_prior_, dtype=np.float64)
            if bias is not None:
                offset = offset + bias
            cached = self.__dict__["_kbli5_offset_cache"] = (weight, [offset[codes] for codes in codes_of_class])
        offsets: list[Array] = cached[1]
        return offsets

    def code(self, X: Any, threshold: float | None = None, k: int = 3) -> pd.DataFrame:
        """The coding table: one row per text, ready to store or review.

        Parameters
        ----------
        X : sequence of str
            Answers; None/NaN/empty allowed (they come back for review).
        threshold : float, optional
            Auto-coding threshold on the model's ``review_score``; defaults
            to the calibrated ``review_threshold_``.
        k : int, default 3
            Length of the top-k lists.

        Returns
        -------
        pandas.DataFrame
            Columns :data:`CODE_COLUMNS`: ``section``, ``division`` (most
            probable inside the section), ``kbli5`` (suggested code in that
            division), ``confidence`` (calibrated section probability),
            ``margin`` (top-2 section probability gap), ``needs_review``,
            ``reason`` (a key of :data:`REVIEW_REASONS`, "" when auto-coded),
            ``top3`` (list of ``(division, probability)``), ``top3_kbli5``
            (5-digit codes), ``top3_sections`` (section letters) and
            ``model_version``.  Empty answers get no codes and confidence 0.

        Examples
        --------
        >>> clf = SectorClassifier(reference=None, calibration_folds=2).fit(
        ...     ["warung kopi", "kedai kopi", "ternak lele", "kolam lele"] * 3, ["56", "56", "03", "03"] * 3)
        >>> table = clf.code(["warung kopi dpn rumah", ""])
        >>> table[["division", "reason"]].values.tolist()[1]
        [None, 'empty']
        """
        self._require_kbli_labels()
        texts = _as_texts(X)
        # The table is hundreds of thousands of small lists and strings without
        # reference cycles; the cyclic garbage collector would walk them again
        # and again (10-20 % of the time in a worker with a large heap).
        with _cyclic_gc_paused():
            position = {text: i for i, text in enumerate(dict.fromkeys(texts))}
            if len(position) == len(texts):
                return self._code_distinct(texts, threshold, k)
            # Each distinct answer is coded once: in a wave's answers "ojek online" or
            # "jualan online" come back hundreds of times.
            return _repeat_rows(self._code_distinct(list(position), threshold, k),
                                [position[text] for text in texts])

    def _code_distinct(self, texts: list[str], threshold: float | None, k: int) -> pd.DataFrame:
        """:meth:`code` of distinct texts."""
        raw, normalized, (features, words, coverage) = self._analyse(texts)
        threshold = self.review_threshold_ if threshold is None else float(threshold)
        proba, level_proba, level_classes, level_index, class_index = self._decide(features)
        confidence, margin, _ = _top_two(level_proba)
        kbli5_top = self._rank_kbli5(features if self.kbli5_features == "all" else words, proba, class_index, k)
        top_div = _top_k(proba, k)
        top_sec = _top_k(level_proba, k)
        div_p = np.round(np.take_along_axis(proba, top_div, axis=1), 4)
        top3 = _row_lists(list(zip(self.classes_[top_div].ravel().tolist(), div_p.ravel().tolist())),
                          top_div.shape[1])
        top3_sections = level_classes[top_sec].tolist()

        reason = self._bad_input_reasons(raw, normalized, features)
        unfamiliar = (coverage < MIN_WORD_COVERAGE) & (reason == "")
        reason[unfamiliar] = "unfamiliar_words"
        # Calibration says nothing about mostly-unknown text: shrink its scores.
        confidence = np.where(coverage < MIN_WORD_COVERAGE, confidence * coverage, confidence)
        margin = np.where(coverage < MIN_WORD_COVERAGE, margin * coverage, margin)
        score = rule_score(self.review_score, confidence, margin)
        reason[(reason == "") & (score < threshold)] = "low_confidence"
        empty = np.isin(reason, ["empty", "no_words", "foreign_script"])

        section = level_classes[level_index].astype(object)
        division = self.classes_[class_index].astype(object)
        kbli5 = kbli5_top[:, 0].copy()
        confidence, margin = np.round(confidence, 4), np.round(margin, 4)
        section[empty] = division[empty] = kbli5[empty] = None
        confidence[empty] = margin[empty] = 0.0
        top3_kbli5 = kbli5_top.tolist()
        for i in np.flatnonzero(pd.isna(kbli5_top).any(axis=1)):
            top3_kbli5[i] = [c for c in top3_kbli5[i] if c is not None]
        for i in np.flatnonzero(empty):
            top3[i], top3_kbli5[i], top3_sections[i] = [], [], []
        return pd.DataFrame({
            "section": section, "division": division, "kbli5": kbli5,
            "confidence": confidence, "margin": margin, "needs_review": reason != "",
            "reason": reason.astype(object), "top3": top3, "top3_kbli5": top3_kbli5,
            "top3_sections": top3_sections, "model_version": model_version(self),
        }, columns=CODE_COLUMNS)

    @staticmethod
    def _bad_input_reasons(raw: list[str], normalized: list[str], features: Matrix) -> Array:
        """Review reasons decided from the text alone ("" where none applies)."""
        reason = np.full(len(raw), "", dtype=object)
        for i, (text, norm) in enumerate(zip(raw, normalized)):
            if len(text) > LONG_TEXT_CHARS:
                reason[i] = "too_long"
            elif not norm:
                if not text.strip():
                    reason[i] = "empty"
                elif any(ch.isalpha() and not ch.isascii() and "LATIN" not in unicodedata.name(ch, "")
                         for ch in text):
                    reason[i] = "foreign_script"
                else:
                    reason[i] = "no_words"
        # A long answer that normalises to nothing is still nothing to code.
        nothing = np.array([not norm for norm in normalized], dtype=bool)
        reason[nothing & (reason == "too_long")] = "no_words"
        return reason


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a block, if it was running.

    Reference counting still frees everything; only the search for cycles
    waits.  Another thread that paused it first keeps it paused.
    """
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


def _top_two(proba: Array) -> tuple[Array, Array, Array]:
    """(highest probability, gap to the second, arg-max) per row."""
    if proba.shape[1] == 1:
        return proba[:, 0], proba[:, 0], np.zeros(len(proba), dtype=np.int64)
    part = np.partition(proba, proba.shape[1] - 2, axis=1)[:, -2:]
    return part[:, 1], part[:, 1] - part[:, 0], proba.argmax(axis=1)


def _repeat_rows(table: pd.DataFrame, rows: list[int]) -> pd.DataFrame:
    """``table``'s rows in the order ``rows``, each list cell its own copy (rows never share a list)."""
    repeated = table.iloc[rows].reset_index(drop=True)
    for column in ("top3", "top3_kbli5", "top3_sections"):
        repeated[column] = [list(cell) for cell in repeated[column]]
    return repeated


def _row_lists(items: list[Any], width: int) -> list[list[Any]]:
    """``items`` cut into consecutive lists of ``width`` (one per row of a flattened table)."""
    return [items[i:i + width] for i in range(0, len(items), width)] if width else []


def _top_k(proba: Array, k: int) -> Array:
    """Column indices of the ``k`` largest values per row, largest first."""
    k = min(k, proba.shape[1])
    top = np.argpartition(-proba, k - 1, axis=1)[:, :k]
    rows = np.arange(len(proba))[:, None]
    return top[rows, np.argsort(-proba[rows, top], axis=1, kind="stable")]


def model_version(model: Any) -> str:
    """The identifier to stamp on codes made by ``model``: its ``version_``.

    Models restored by a loader that does not keep ``version_`` get a
    fingerprint of their coefficients and vocabulary instead (computed once),
    so two different models never share an identifier.
    """
    version = getattr(model, "version_", None)
    if version:
        return str(version)
    cached = model.__dict__.get("_fingerprint")
    if cached is None:
        h = hashlib.sha256()
        for array in (model.classes_, model.coef_, model.intercept_, getattr(model, "section_coef_", None)):
            if array is not None:
                h.update(np.ascontiguousarray(array).tobytes())
        h.update(" ".join(sorted(model.featurizer_.word_vectorizer_.vocabulary_)).encode())
        h.update(repr(float(model.review_threshold_)).encode())
        cached = model.__dict__["_fingerprint"] = "sc1-" + h.hexdigest()[:20]
    return str(cached)
