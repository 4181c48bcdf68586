"""Word and character n-gram TF-IDF features for normalised descriptions.

Word n-grams carry the business vocabulary; character n-grams make the
model robust to the typos and spelling variants that the lexicon does not
list ("kripik", "laundri2").  Both vocabularies are capped so that the
linear models stay small enough to store and fast to apply.
"""
from __future__ import annotations

import re

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

_WORD_PATTERN = r"(?u)\b\w\w+\b"
_WORDS = re.compile(_WORD_PATTERN)


def _word_vectorizer(ngram_range, max_features, vocabulary=None) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer="word", token_pattern=_WORD_PATTERN, ngram_range=tuple(ngram_range),
        lowercase=False, sublinear_tf=True, max_features=max_features,
        vocabulary=vocabulary, dtype=np.float32,
    )


def _char_vectorizer(ngram_range, max_features, vocabulary=None) -> TfidfVectorizer:
    # "char_wb" keeps n-grams inside words (padded with spaces), which is what
    # carries spelling variants; cross-word n-grams add little beyond word bigrams.
    return TfidfVectorizer(
        analyzer="char_wb", ngram_range=tuple(ngram_range), lowercase=False,
        sublinear_tf=True, max_features=max_features, vocabulary=vocabulary,
        dtype=np.float32,
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

    def __init__(self, word_ngram_range=(1, 2), char_ngram_range=(2, 5),
                 max_word_features=30000, max_char_features=60000, char_weight=1.0):
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.max_word_features = max_word_features
        self.max_char_features = max_char_features
        self.char_weight = char_weight

    def fit(self, texts, y=None):
        """Learn both vocabularies and their IDF weights from ``texts``."""
        self.fit_transform(texts)
        return self

    def fit_transform(self, texts, y=None):
        """Fit, and return the features of ``texts`` without a second pass."""
        texts = list(texts)
        self.word_vectorizer_ = _word_vectorizer(self.word_ngram_range, self.max_word_features)
        self.char_vectorizer_ = _char_vectorizer(self.char_ngram_range, self.max_char_features)
        words = self.word_vectorizer_.fit_transform(texts)
        chars = self.char_vectorizer_.fit_transform(texts)
        self._set_sizes()
        return self._stack(words, chars)

    def _stack(self, words, chars):
        if self.char_weight != 1.0:
            chars = chars * np.float32(self.char_weight)
        return sp.hstack([words, chars], format="csr", dtype=np.float32)

    def _set_sizes(self):
        self.n_word_features_ = len(self.word_vectorizer_.vocabulary_)
        self.n_char_features_ = len(self.char_vectorizer_.vocabulary_)
        is_unigram = np.zeros(self.n_word_features_ + self.n_char_features_, dtype=bool)
        for term, column in self.word_vectorizer_.vocabulary_.items():
            is_unigram[column] = " " not in term
        self.is_unigram_column_ = is_unigram

    def transform(self, texts):
        """Return a CSR matrix ``[word block | char_weight * char block]``."""
        check_is_fitted(self, "word_vectorizer_")
        texts = list(texts)
        return self._stack(self.word_vectorizer_.transform(texts), self.char_vectorizer_.transform(texts))

    def word_block(self, texts):
        """Only the word TF-IDF block (used for 5-digit suggestions)."""
        check_is_fitted(self, "word_vectorizer_")
        return self.word_vectorizer_.transform(list(texts))

    def word_coverage(self, texts, features) -> np.ndarray:
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
        distinct = np.array([len(set(_WORDS.findall(text))) for text in texts])
        return np.divide(known, distinct, out=np.zeros(len(distinct)), where=distinct > 0)

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
    def from_state(cls, params: dict, state: dict[str, np.ndarray]) -> "TextFeaturizer":
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
