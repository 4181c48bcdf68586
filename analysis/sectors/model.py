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
* 5-digit codes are suggested inside the predicted division by cosine
  similarity to per-code centroids (labelled examples + KBLI texts).
"""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from joblib import Parallel, delayed
from numpy.typing import ArrayLike
from scipy.optimize import minimize_scalar
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.preprocessing import normalize as l2_normalize
from sklearn.svm import LinearSVC
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from .features import TextFeaturizer
from .kbli import KbliHierarchy, load_kbli, reference_documents
from .normalize import normalize_texts

DEFAULT_REVIEW_THRESHOLD = 0.80
"""Review threshold on the calibrated section probability: answers below it
go to manual review.  Chosen by 5-fold cross-validation inside the train
split of the labelled seeds (never the held-out test split) as the lowest
threshold at which auto-coded answers reach 95 % section precision; the
default model re-estimates it at every fit (``review_threshold_``, 0.802
for the current seeds) and a test keeps this constant within 0.05 of it.
Models fitted on too little data to estimate their own use this value."""

FitJob = tuple[Any, np.ndarray, 'np.ndarray | None', int]
"""Features, label index, sample weights and number of classes of one SVM fit."""

_MIN_AUTO_CODED = 20  # fewer auto-coded OOF items than this: precision estimate too noisy


def _as_texts(X: Any) -> list[str]:
    """Accept a 1-D sequence of texts, or a 2-D table with one text column."""
    if isinstance(X, str):
        raise ValueError("expected a sequence of texts, got a single string; wrap it in a list")
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
    texts = []
    for value in values:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            texts.append("")
        elif isinstance(value, (str, numbers.Number)):
            texts.append(str(value))
        else:
            raise ValueError(f"expected text, got {type(value).__name__}")
    return texts


def _softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    z: np.ndarray = scores / temperature
    z = z - z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


def _fit_temperature(scores: np.ndarray, true_index: np.ndarray) -> float:
    """Temperature minimising the negative log-likelihood of the true classes."""
    def nll(log_t: float) -> float:
        proba = _softmax(scores, float(np.exp(log_t)))
        return float(-np.mean(np.log(np.clip(proba[np.arange(len(true_index)), true_index], 1e-12, None))))

    result = minimize_scalar(nll, bounds=(np.log(1e-3), np.log(1e2)), method="bounded",
                             options={"xatol": 1e-4})
    return float(np.exp(result.x))


def choose_review_threshold(confidence: ArrayLike, correct: ArrayLike, target_precision: float = 0.95,
                            min_count: int = _MIN_AUTO_CODED) -> float:
    """Lowest confidence threshold whose auto-coded set reaches ``target_precision``.

    Items with ``confidence >= threshold`` are auto-coded.  Returns 1.0
    (nothing auto-coded... except certain items) when no threshold keeps at
    least ``min_count`` items at the target precision.

    Parameters
    ----------
    confidence : array of float
        Out-of-sample confidences.
    correct : array of bool
        Whether each prediction was right.
    target_precision : float
    min_count : int

    Returns
    -------
    float

    Examples
    --------
    >>> choose_review_threshold([0.9, 0.8, 0.7, 0.6], [True, True, True, False],
    ...                         target_precision=0.95, min_count=2)
    0.7
    """
    confidence = np.asarray(confidence, dtype=float)
    correct = np.asarray(correct, dtype=bool)
    order = np.argsort(-confidence, kind="stable")
    conf_sorted = confidence[order]
    precision = np.cumsum(correct[order]) / np.arange(1, len(order) + 1)
    # Only cut between distinct confidence values: ties are coded together.
    last_of_tie = np.r_[conf_sorted[1:] != conf_sorted[:-1], True]
    ok = (precision >= target_precision) & last_of_tie & (np.arange(1, len(order) + 1) >= min_count)
    if not ok.any():
        return 1.0
    return float(conf_sorted[np.flatnonzero(ok)[-1]])


def _fit_linear(features: Any, y_index: np.ndarray, weights: np.ndarray | None, n_classes: int, C: float, tol: float,
                random_state: int | None) -> tuple[np.ndarray, np.ndarray]:
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
        Confidence below which answers go to manual review.
    oof_confidence_, oof_correct_, oof_predicted_ : ndarray
        Out-of-fold section confidence, section correctness and predicted
        class of each labelled example (empty if too few examples).

    Examples
    --------
    >>> clf = SectorClassifier(reference=None, calibration_folds=2)
    >>> clf = clf.fit(["jual baju", "jualan baju anak", "servis motor", "bengkel motor"] * 3,
    ...               ["47", "47", "45", "45"] * 3)
    >>> clf.predict(["bengkel servis motor"]).tolist()
    ['45']
    """

    # Fitted attributes (set by fit() or storage.load_model). Those that are absent for some
    # models (no section model, no 5-digit centroids) are None then, hence `Any`.
    featurizer_: TextFeaturizer
    classes_: np.ndarray
    coef_: np.ndarray
    intercept_: np.ndarray
    temperature_: float
    section_temperature_: float
    review_threshold_: float
    label_level_: str | None
    oof_confidence_: np.ndarray
    oof_correct_: np.ndarray
    oof_predicted_: np.ndarray
    class_sections_: Any
    section_classes_: Any
    section_coef_: Any
    section_intercept_: Any
    kbli5_codes_: Any
    kbli5_centroids_: Any
    kbli5_prior_: Any

    def __init__(self, C: float = 1.0, tol: float = 1e-4, word_ngram_range: tuple[int, int] = (1, 2),
                 char_ngram_range: tuple[int, int] = (3, 5), max_word_features: int | None = 30000,
                 max_char_features: int | None = 60000, char_weight: float = 1.0, reference: str | None = "kbli",
                 reference_weight: float = 0.3, description_chars: int = 400, section_model: bool = True,
                 calibration_folds: int = 5, target_precision: float = 0.95, kbli5_prior_weight: float = 0.05,
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
        self.n_jobs = n_jobs
        self.random_state = random_state

    # ------------------------------------------------------------------ fit --
    def fit(self, X: Any, y: Any, sample_weight: ArrayLike | None = None, kbli5: Any = None) -> SectorClassifier:
        """Fit on texts ``X`` and labels ``y``.

        Parameters
        ----------
        X : sequence of str
            Descriptions (None/NaN treated as empty).
        y : array-like
            Labels, normally 2-digit KBLI divisions.
        sample_weight : array-like, optional
            Weights of the labelled examples.
        kbli5 : array-like of str, optional
            5-digit codes of the examples, used for 5-digit suggestions.

        Returns
        -------
        self
        """
        self._validate_params_values()
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

        self.class_sections_ = self._class_sections(kbli)
        folds = self._calibration_folds(y_index)
        targets = [(y_index, ref_index, len(self.classes_))]
        use_section_model = (self.section_model and self.label_level_ == "division"
                             and len(np.unique(self.class_sections_)) >= 2)
        if use_section_model:
            self.section_classes_, section_of_class = np.unique(self.class_sections_, return_inverse=True)
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
        self._fit_kbli5(kbli, norm_user, kbli5, y)
        return self

    def _validate_params_values(self) -> None:
        if not (isinstance(self.C, numbers.Real) and self.C > 0):
            raise ValueError(f"C must be a positive number, got {self.C!r}")
        if self.reference not in ("kbli", None):
            raise ValueError(f"reference must be 'kbli' or None, got {self.reference!r}")
        if not (0 < self.target_precision <= 1):
            raise ValueError("target_precision must be in (0, 1]")
        if not (isinstance(self.calibration_folds, numbers.Integral) and self.calibration_folds >= 2):
            raise ValueError("calibration_folds must be an integer >= 2")

    @staticmethod
    def _detect_level(y: np.ndarray, kbli: KbliHierarchy) -> str | None:
        if y.dtype.kind not in "UO":
            return None
        levels = {kbli.level_of(label) if isinstance(label, str) else None for label in np.unique(y)}
        if len(levels) == 1:
            (level,) = levels
            if level in ("section", "division", "kbli5"):
                return level
        return None

    def _class_sections(self, kbli: KbliHierarchy) -> np.ndarray | None:
        if self.label_level_ is None:
            return None
        return np.array([kbli.section_of(str(c)) for c in self.classes_])

    def _run_fits(self, jobs: list[FitJob]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Fit independent SVMs (calibration folds + final model).

        With ``n_jobs`` > 1 they run in worker processes (liblinear holds
        the GIL in practice, so threads do not help); every job is seeded
        identically, so results do not depend on ``n_jobs``.
        """
        n_jobs = self.n_jobs or 1
        if n_jobs == 1 or len(jobs) == 1:
            return [_fit_linear(*job, self.C, self.tol, self.random_state) for job in jobs]
        fitted: list[tuple[np.ndarray, np.ndarray]] = Parallel(n_jobs=n_jobs)(
            delayed(_fit_linear)(*job, self.C, self.tol, self.random_state) for job in jobs)
        return fitted

    def _calibration_folds(self, y_index: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
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

    def _calibrate(self, features_user: Any, y_index: np.ndarray, folds: list[tuple[np.ndarray, np.ndarray]],
                   fold_models: list[tuple[np.ndarray, np.ndarray]],
                   section_fold_models: list[tuple[np.ndarray, np.ndarray]] | None = None) -> None:
        """Fit temperatures and the review threshold on out-of-fold scores."""
        n = len(y_index)
        self.temperature_ = 1.0
        self.section_temperature_ = 1.0
        self.review_threshold_ = DEFAULT_REVIEW_THRESHOLD
        self.oof_confidence_ = np.zeros(0)
        self.oof_correct_ = np.zeros(0, dtype=bool)
        self.oof_predicted_ = self.classes_[:0]
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
            section_index = np.searchsorted(self.section_classes_, self.class_sections_[y_index])
            section_scores = self._oof_scores(features_user, folds, section_fold_models, len(self.section_classes_))
            self.section_temperature_ = _fit_temperature(section_scores, section_index)
            section_proba = _softmax(section_scores, self.section_temperature_)
            confidence = section_proba.max(axis=1)
            predicted = self.section_classes_[section_proba.argmax(axis=1)]
        else:
            confidence, predicted = self._section_view(proba)
        truth = self.class_sections_[y_index] if self.class_sections_ is not None else self.classes_[y_index]
        self.oof_confidence_ = confidence
        self.oof_correct_ = predicted == truth
        self.review_threshold_ = choose_review_threshold(
            confidence, self.oof_correct_, self.target_precision, _MIN_AUTO_CODED)

    @staticmethod
    def _oof_scores(features_user: Any, folds: list[tuple[np.ndarray, np.ndarray]],
                    fold_models: list[tuple[np.ndarray, np.ndarray]], n_classes: int) -> np.ndarray:
        scores = np.zeros((features_user.shape[0], n_classes))
        for (_, held), (coef, intercept) in zip(folds, fold_models):
            scores[held] = features_user[held] @ coef.T + intercept
        return scores

    def _section_view(self, proba: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(confidence, predicted) at section level, or at class level for non-KBLI labels."""
        if self.class_sections_ is None:
            index = proba.argmax(axis=1)
            return proba[np.arange(len(proba)), index], self.classes_[index]
        sections, inverse = np.unique(self.class_sections_, return_inverse=True)
        section_proba = np.zeros((proba.shape[0], len(sections)))
        np.add.at(section_proba.T, inverse, proba.T)
        index = section_proba.argmax(axis=1)
        return section_proba[np.arange(len(proba)), index], sections[index]

    def _fit_kbli5(self, kbli: KbliHierarchy, norm_user: list[str], kbli5: Any, y: np.ndarray) -> None:
        """Per-code centroids of word TF-IDF for 5-digit suggestions."""
        self.kbli5_codes_ = None
        if self.label_level_ != "division":
            return
        docs = reference_documents(kbli, "kbli5", self.description_chars)
        texts = normalize_texts(docs["text"])
        codes = docs["code"].tolist()
        user_codes = []
        if kbli5 is not None:
            user_codes = [str(c) for c in kbli5]
            if len(user_codes) != len(norm_user):
                raise ValueError("kbli5 must have one code per text")
            keep = [i for i, c in enumerate(user_codes) if kbli.is_kbli5(c) and c[:2] == str(y[i])]
            texts += [norm_user[i] for i in keep]
            codes += [user_codes[i] for i in keep]
            user_codes = [user_codes[i] for i in keep]
        unique_codes, code_index = np.unique(codes, return_inverse=True)
        word = l2_normalize(self.featurizer_.word_block(texts))
        membership = sp.csr_matrix(
            (np.ones(len(codes)), (code_index, np.arange(len(codes)))),
            shape=(len(unique_codes), len(codes)))
        self.kbli5_centroids_ = sp.csr_matrix(l2_normalize(membership @ word), dtype=np.float32)
        self.kbli5_codes_ = unique_codes.astype(str)
        # Share of each code among labelled examples of its division.
        share = np.zeros(len(unique_codes))
        if user_codes:
            counts = pd.Series(user_codes).value_counts()
            per_division = counts.groupby(counts.index.str[:2]).transform("sum")
            lookup = (counts / per_division).to_dict()
            share = np.array([lookup.get(c, 0.0) for c in unique_codes])
        self.kbli5_prior_ = share

    # -------------------------------------------------------------- predict --
    def _scores_from_features(self, features: Any) -> np.ndarray:
        scores: np.ndarray = np.asarray(features @ self.coef_.T, dtype=np.float64) + self.intercept_
        return scores

    def _features(self, X: Any) -> Any:
        check_is_fitted(self, "coef_")
        normalized = normalize_texts(_as_texts(X))
        return normalized, self.featurizer_.transform(normalized)

    def _analyse(self, X: Any) -> tuple[list[str], Any, Any]:
        """Normalised texts, features and the word block (for batch coding)."""
        check_is_fitted(self, "coef_")
        normalized = normalize_texts(_as_texts(X))
        features, words = self.featurizer_.transform_with_words(normalized)
        return normalized, features, words

    def predict_proba(self, X: Any) -> np.ndarray:
        """Calibrated class probabilities, shape (n_texts, n_classes).

        Examples
        --------
        >>> clf = SectorClassifier(reference=None, calibration_folds=2)
        >>> clf = clf.fit(["jual baju", "servis motor"] * 4, ["47", "45"] * 4)
        >>> clf.predict_proba(["jual baju"]).shape
        (1, 2)
        """
        _, features = self._features(X)
        return _softmax(self._scores_from_features(features), self.temperature_)

    def predict_proba_from_features(self, features: Any) -> np.ndarray:
        """Probabilities for an already featurised matrix (avoids featurising twice)."""
        check_is_fitted(self, "coef_")
        return _softmax(self._scores_from_features(features), self.temperature_)

    def predict(self, X: Any) -> np.ndarray:
        """Most probable class of each text."""
        proba = self.predict_proba(X)  # raises NotFittedError before classes_ is touched
        return np.asarray(self.classes_[proba.argmax(axis=1)])

    def predict_section_proba(self, X: Any) -> tuple[np.ndarray, np.ndarray]:
        """Section probabilities; returns ``(proba, sections)``.

        From the section model when there is one, else by summing division
        probabilities within each section.
        """
        self._require_kbli_labels()
        _, features = self._features(X)
        return self.section_proba_from_features(features)

    def section_proba_from_features(self, features: Any, division_proba: np.ndarray | None = None
                                    ) -> tuple[np.ndarray, np.ndarray]:
        """Section probabilities for an already featurised matrix; ``(proba, sections)``."""
        self._require_kbli_labels()
        if getattr(self, "section_coef_", None) is not None:
            scores = np.asarray(features @ self.section_coef_.T, dtype=np.float64) + self.section_intercept_
            return _softmax(scores, self.section_temperature_), self.section_classes_
        if division_proba is None:
            division_proba = self.predict_proba_from_features(features)
        return self._sections_from_proba(division_proba)

    def predict_section(self, X: Any) -> np.ndarray:
        """Most probable KBLI section letter of each text."""
        proba, sections = self.predict_section_proba(X)
        return np.asarray(sections[proba.argmax(axis=1)])

    def _require_kbli_labels(self) -> None:
        check_is_fitted(self, "coef_")
        if self.class_sections_ is None:
            raise AttributeError("sections are only available when fitted on KBLI codes")

    def _sections_from_proba(self, proba: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sections, inverse = np.unique(self.class_sections_, return_inverse=True)
        indicator = sp.csr_matrix(
            (np.ones(len(inverse)), (np.arange(len(inverse)), inverse)),
            shape=(len(inverse), len(sections)))
        return np.asarray(proba @ indicator), sections

    def suggest_kbli5(self, X: Any, divisions: Any = None) -> np.ndarray:
        """Suggest a 5-digit KBLI code per text, inside its (predicted) division.

        Parameters
        ----------
        X : sequence of str
        divisions : sequence of str, optional
            Division per text; predicted if omitted.

        Returns
        -------
        ndarray of object
            5-digit codes (None where the division has no 5-digit codes).
        """
        check_is_fitted(self, "coef_")
        normalized = normalize_texts(_as_texts(X))
        features, words = self.featurizer_.transform_with_words(normalized)
        if divisions is None:
            divisions = self.classes_[self._scores_from_features(features).argmax(axis=1)]
        return self._suggest_from_words(words, np.asarray(divisions, dtype=str))

    def _suggest_from_words(self, words: Any, divisions: Any) -> np.ndarray:
        """Most similar code centroid within each text's division (cosine + prior)."""
        if getattr(self, "kbli5_codes_", None) is None:
            raise AttributeError("5-digit suggestions need a model fitted on KBLI divisions")
        words = l2_normalize(sp.csr_matrix(words))
        code_division = np.array([code[:2] for code in self.kbli5_codes_])
        result = np.full(len(divisions), None, dtype=object)
        # One small dense block per division instead of a texts x 1,791 matrix.
        for division in np.unique(divisions):
            rows = np.flatnonzero(divisions == division)
            codes = np.flatnonzero(code_division == division)
            if len(codes) == 0:
                continue
            similarity = (words[rows] @ self.kbli5_centroids_[codes].T).toarray()
            similarity += self.kbli5_prior_weight * self.kbli5_prior_[codes]
            result[rows] = self.kbli5_codes_[codes][similarity.argmax(axis=1)]
        return result
