"""Word and character n-gram TF-IDF features for normalised descriptions.

Word n-grams carry the business vocabulary; character n-grams make the
model robust to the typos and spelling variants that the lexicon does not
list ("kripik", "laundri2").  Both vocabularies are capped so that the
linear models stay small enough to store and fast to apply.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import partial
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize as l2_normalize
from sklearn.utils.validation import check_is_fitted

_CHAR_CACHE_LIMIT = 200_000  # distinct words remembered (bounded memory)


def _word_ngrams(text: str, min_n: int, max_n: int) -> list[str]:
    # Texts are already normalised to [a-z0-9] words separated by single
    # spaces, so str.split gives the same tokens as sklearn's regex
    # (r"\b\w\w+\b") at a fraction of the cost.
    tokens = [token for token in text.split() if len(token) > 1]
    grams = tokens[:] if min_n == 1 else []
    for n in range(max(min_n, 2), max_n + 1):
        grams.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
    return grams


def _char_wb_ngrams(text: str, min_n: int, max_n: int) -> list[str]:
    # Same n-grams as sklearn's analyzer="char_wb" (words padded with one space,
    # a word shorter than n contributes itself once), written with list
    # comprehensions because this loop is the bulk of prediction time.
    grams: list[str] = []
    for word in text.split():
        padded = f" {word} "
        length = len(padded)
        grams.extend([padded[i:i + n] for n in range(min_n, min(max_n, length - 1) + 1)
                      for i in range(length - n + 1)])
        if length <= max_n:
            grams.append(padded)
    return grams


def _word_vectorizer(ngram_range: tuple[int, int], max_features: int | None,
                     vocabulary: Mapping[str, int] | None = None) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer=partial(_word_ngrams, min_n=ngram_range[0], max_n=ngram_range[1]),
        sublinear_tf=True, max_features=max_features, vocabulary=vocabulary, dtype=np.float32,
    )


def _char_vectorizer(ngram_range: tuple[int, int], max_features: int | None,
                     vocabulary: Mapping[str, int] | None = None) -> TfidfVectorizer:
    # Character n-grams inside words (padded with spaces) carry spelling
    # variants; cross-word n-grams add little beyond word bigrams.
    return TfidfVectorizer(
        analyzer=partial(_char_wb_ngrams, min_n=ngram_range[0], max_n=ngram_range[1]),
        sublinear_tf=True, max_features=max_features, vocabulary=vocabulary, dtype=np.float32,
    )


class TextFeaturizer(TransformerMixin, BaseEstimator):
    """Concatenated word and character TF-IDF of *normalised* texts.

    Parameters
    ----------
    word_ngram_range : tuple of int, default (1, 2)
    char_ngram_range : tuple of int, default (2, 5)
    max_word_features : int, default 30000
    max_char_features : int, default 60000
    char_weight : float, default 1.0
        Multiplies the character block; the word block has weight 1.

    Examples
    --------
    >>> f = TextFeaturizer(max_word_features=50, max_char_features=50)
    >>> X = f.fit(["jual baju", "servis motor"]).transform(["jual motor"])
    >>> X.shape[0], X.shape[1] == f.n_word_features_ + f.n_char_features_
    (1, True)
    """

    def __init__(self, word_ngram_range: tuple[int, int] = (1, 2), char_ngram_range: tuple[int, int] = (2, 5),
                 max_word_features: int | None = 30000, max_char_features: int | None = 60000,
                 char_weight: float = 1.0) -> None:
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.max_word_features = max_word_features
        self.max_char_features = max_char_features
        self.char_weight = char_weight

    def fit(self, texts: Iterable[Any], y: object = None) -> TextFeaturizer:
        """Learn both vocabularies and their IDF weights from ``texts``."""
        self.fit_transform(texts)
        return self

    def fit_transform(self, texts: Iterable[Any], y: object = None) -> sp.csr_matrix:
        """Fit, and return the features of ``texts`` without a second pass."""
        texts = list(texts)
        self.word_vectorizer_ = _word_vectorizer(self.word_ngram_range, self.max_word_features)
        self.char_vectorizer_ = _char_vectorizer(self.char_ngram_range, self.max_char_features)
        words = self.word_vectorizer_.fit_transform(texts)
        chars = self.char_vectorizer_.fit_transform(texts)
        self._set_sizes()
        return self._stack(words, chars)

    def _stack(self, words: Any, chars: Any) -> sp.csr_matrix:
        if self.char_weight != 1.0:
            chars = chars * np.float32(self.char_weight)
        return sp.hstack([words, chars], format="csr", dtype=np.float32)

    def _set_sizes(self) -> None:
        self.n_word_features_ = len(self.word_vectorizer_.vocabulary_)
        self.n_char_features_ = len(self.char_vectorizer_.vocabulary_)
        is_unigram = np.zeros(self.n_word_features_ + self.n_char_features_, dtype=bool)
        for term, column in self.word_vectorizer_.vocabulary_.items():
            is_unigram[column] = " " not in term
        self.is_unigram_column_ = is_unigram

    def transform(self, texts: Iterable[Any]) -> sp.csr_matrix:
        """Return a CSR matrix ``[word block | char_weight * char block]``."""
        return self.transform_with_words(texts)[0]

    def transform_with_words(self, texts: Iterable[Any]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """Like :meth:`transform`, also returning the word block on its own
        (5-digit suggestions use it; computing it once saves a pass)."""
        check_is_fitted(self, "word_vectorizer_")
        texts = list(texts)
        words = self._tfidf(self._word_counts(texts), self.word_vectorizer_)
        chars = self._tfidf(self._char_counts(texts), self.char_vectorizer_)
        return self._stack(words, chars), words

    # The transforms below give the same matrices as the fitted
    # TfidfVectorizers (a test checks this) but count n-grams per distinct
    # word through a cache: answers reuse a small vocabulary, so most words
    # are looked up once instead of re-deriving ~20 character n-grams each
    # time.  This is most of the prediction cost.
    def _word_counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        vocabulary = self.word_vectorizer_.vocabulary_
        lookup = vocabulary.get
        min_n, max_n = self.word_ngram_range
        indptr, indices = [0], []
        for text in texts:
            tokens = [token for token in text.split() if len(token) > 1]
            grams = tokens if min_n == 1 else []
            for n in range(max(min_n, 2), max_n + 1):
                grams = grams + [" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
            indices.extend([i for i in map(lookup, grams) if i is not None])
            indptr.append(len(indices))
        return self._counts(indptr, indices, len(vocabulary))

    def _char_counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        vocabulary = self.char_vectorizer_.vocabulary_
        cache = self.__dict__.setdefault("_char_cache", {})
        if len(cache) > _CHAR_CACHE_LIMIT:
            cache.clear()
        min_n, max_n = self.char_ngram_range
        lookup = vocabulary.get
        indptr, indices = [0], []
        for text in texts:
            for word in text.split():
                found = cache.get(word)
                if found is None:
                    grams = _char_wb_ngrams(word, min_n, max_n)
                    found = cache[word] = [i for i in map(lookup, grams) if i is not None]
                indices.extend(found)
            indptr.append(len(indices))
        return self._counts(indptr, indices, len(vocabulary))

    @staticmethod
    def _counts(indptr: list[int], indices: list[int], n_columns: int) -> sp.csr_matrix:
        columns = np.asarray(indices, dtype=np.int32)
        counts = sp.csr_matrix(
            (np.ones(len(columns), dtype=np.float32), columns, np.asarray(indptr, dtype=np.int64)),
            shape=(len(indptr) - 1, n_columns))
        counts.sum_duplicates()  # repeated n-grams in a text add up, as in CountVectorizer
        return counts

    @staticmethod
    def _tfidf(counts: sp.csr_matrix, vectorizer: TfidfVectorizer) -> sp.csr_matrix:
        # Same steps as TfidfTransformer(sublinear_tf=True, norm="l2").
        np.log(counts.data, out=counts.data)
        counts.data += 1
        counts.data *= vectorizer.idf_.astype(np.float32)[counts.indices]
        return l2_normalize(counts, copy=False)

    def word_block(self, texts: Iterable[str]) -> sp.csr_matrix:
        """Only the word TF-IDF block (used for 5-digit suggestions)."""
        check_is_fitted(self, "word_vectorizer_")
        return self.word_vectorizer_.transform(list(texts))

    def word_coverage(self, texts: Sequence[str], features: sp.csr_matrix) -> np.ndarray:
        """Share of each text's distinct words (2+ characters) found in the vocabulary.

        ``features`` must be ``self.transform(texts)``; reusing it avoids a
        second pass over the texts.  Texts without words get 0.  A low
        coverage means the answer is mostly words the model never saw
        (gibberish, another language), so its scores mean little.
        """
        check_is_fitted(self, "word_vectorizer_")
        features = sp.csr_matrix(features)
        hits = self.is_unigram_column_[features.indices].astype(np.int64)
        known = np.add.reduceat(np.r_[hits, 0], features.indptr[:-1]) * (np.diff(features.indptr) > 0)
        # Normalised texts are single-space separated words; tokens of one
        # character are not features (same rule as the word analyzer).
        distinct = np.fromiter((len({w for w in text.split() if len(w) > 1}) for text in texts),
                               dtype=np.int64, count=len(texts))
        coverage: np.ndarray = np.divide(known, distinct, out=np.zeros(len(distinct)), where=distinct > 0)
        return coverage

    # -- state for safe storage (plain arrays, no pickling) -------------------
    def get_state(self) -> dict[str, np.ndarray]:
        """Vocabularies (as term arrays ordered by column) and IDF vectors."""
        check_is_fitted(self, "word_vectorizer_")
        state = {}
        for name, vec in (("word", self.word_vectorizer_), ("char", self.char_vectorizer_)):
            terms = np.empty(len(vec.vocabulary_), dtype=object)
            for term, column in vec.vocabulary_.items():
                terms[column] = term
            state[f"{name}_terms"] = np.array(terms.tolist(), dtype=str)
            state[f"{name}_idf"] = np.asarray(vec.idf_, dtype=np.float64)
        return state

    @classmethod
    def from_state(cls, params: dict[str, Any], state: dict[str, np.ndarray]) -> TextFeaturizer:
        """Rebuild a fitted featurizer from :meth:`get_state` output."""
        self = cls(**params)
        builders = {"word": (_word_vectorizer, self.word_ngram_range),
                    "char": (_char_vectorizer, self.char_ngram_range)}
        for name, (build, ngram_range) in builders.items():
            terms = [str(t) for t in state[f"{name}_terms"]]
            vocabulary = {term: column for column, term in enumerate(terms)}
            if len(vocabulary) != len(terms):
                raise ValueError(f"duplicate terms in stored {name} vocabulary")
            vec = build(ngram_range, None, vocabulary=vocabulary)
            vec.idf_ = np.asarray(state[f"{name}_idf"], dtype=np.float64)
            setattr(self, f"{name}_vectorizer_", vec)
        self._set_sizes()
        return self
