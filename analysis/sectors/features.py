"""Word and character n-gram TF-IDF features for normalised descriptions.

Word n-grams carry the business vocabulary; character n-grams make the
model robust to the typos and spelling variants that the lexicon does not
list ("kripik", "laundri2").  Both vocabularies are capped so that the
linear models stay small enough to store and fast to apply.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize as l2_normalize
from sklearn.utils.validation import check_is_fitted


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


class Featurized(NamedTuple):
    """What :meth:`TextFeaturizer.featurize` returns for a batch of texts."""

    features: sp.csr_matrix
    """``[word block | char_weight * char block]``, one row per text."""
    words: sp.csr_matrix
    """The word TF-IDF block alone."""
    coverage: np.ndarray
    """Share of each text's distinct words (2+ characters) the word vocabulary knows."""


class _Tokens(NamedTuple):
    """Texts as rows of word ids: ``words[ids[indptr[r]:indptr[r + 1]]]`` are row r's words."""

    words: list[str]
    ids: np.ndarray
    indptr: np.ndarray

    @property
    def n_texts(self) -> int:
        return len(self.indptr) - 1

    def rows(self) -> np.ndarray:
        """The row of every entry of ``ids``."""
        return np.repeat(np.arange(self.n_texts), np.diff(self.indptr))

    def matrix(self) -> sp.csr_matrix:
        """(texts x distinct words) occurrence counts (duplicates not yet summed)."""
        return sp.csr_matrix((np.ones(len(self.ids), dtype=np.float32), self.ids, self.indptr),
                             shape=(self.n_texts, len(self.words)))

    def rename(self, new_words: list[str]) -> _Tokens:
        """The same texts with word ``i`` replaced by ``new_words[i]`` (words that become equal merge)."""
        if len(new_words) != len(self.words):
            raise ValueError("a word map must return one word per word")
        merged: dict[str, int] = {}
        new_id = np.array([merged.setdefault(word, len(merged)) for word in new_words] or [0], dtype=np.int64)
        return _Tokens(list(merged), new_id[self.ids], self.indptr)


def _tokenize(texts: Iterable[Any]) -> _Tokens:
    # Normalised texts are single-space separated words, so str.split is the
    # tokeniser; ids are given in order of first appearance.
    word_id: dict[str, int] = {}
    number = word_id.setdefault
    ids: list[int] = []
    indptr = [0]
    for text in texts:
        ids.extend([number(word, len(word_id)) for word in str(text).split()])
        indptr.append(len(ids))
    return _Tokens(list(word_id), np.asarray(ids, dtype=np.int64), np.asarray(indptr, dtype=np.int64))


def _distinct_rows(grams: np.ndarray, n_words: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of an (m x n) array of word ids and each row's index among them.

    Rows are packed into one integer (base ``n_words``) when that fits, which
    is much faster than ``np.unique(axis=0)``.
    """
    n = grams.shape[1]
    if n_words ** n < 2 ** 62:
        packed = grams @ (n_words ** np.arange(n - 1, -1, -1, dtype=np.int64))
        keys, first, inverse = np.unique(packed, return_index=True, return_inverse=True)
        return grams[first], inverse.ravel()
    distinct, inverse = np.unique(grams, axis=0, return_inverse=True)
    return distinct, inverse.ravel()


class _PackedVocabulary:
    """A character n-gram vocabulary as sorted integers, to look up every n-gram of many words at once.

    An n-gram of ASCII characters (codes 1-127) packs into the integer
    sum(code_i * 128**(n-1-i)) < 128**n, which is unique for every n-gram up to 9
    characters and keeps n-grams of different lengths apart (the first
    character is never 0).
    """

    _BASE = 128
    _MAX_N = 9  # 128**9 = 2**63 fits in uint64

    def __init__(self, vocabulary: Mapping[str, int], ngram_range: tuple[int, int]) -> None:
        self.min_n, self.max_n = ngram_range
        self.n_features = len(vocabulary)
        packable = [(self._pack(term), column) for term, column in vocabulary.items()
                    if term.isascii() and "\0" not in term and 0 < len(term) <= self._MAX_N]
        packed = np.array([p for p, _ in packable], dtype=np.uint64)
        order = np.argsort(packed)
        self.keys = packed[order]
        self.columns = np.array([c for _, c in packable], dtype=np.int64)[order]

    @classmethod
    def _pack(cls, term: str) -> int:
        value = 0
        for code in term.encode("ascii"):
            value = value * cls._BASE + code
        return value

    def word_counts(self, words: list[str]) -> sp.csr_matrix | None:
        """(words x n-grams) counts of each word's ``char_wb`` n-grams; None if some word cannot be packed.

        The n-grams of a word are all substrings of length min_n..max_n of
        the word padded with one space each side, and the whole padded word
        once when it is shorter than min_n (scikit-learn's ``char_wb``).
        """
        if not words:
            return sp.csr_matrix((0, self.n_features), dtype=np.float32)
        joined = " " + "  ".join(words) + " "
        if self.max_n > self._MAX_N or not joined.isascii() or "\0" in joined:
            return None
        chars = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).astype(np.uint64)
        lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words)) + 2
        owner = np.repeat(np.arange(len(words)), lengths)
        end = np.repeat(np.cumsum(lengths), lengths)  # where each position's padded word ends
        position = np.arange(len(chars))
        packed = np.zeros(len(chars), dtype=np.uint64)
        rows, columns = [], []
        for n in range(1, self.max_n + 1):
            if n > len(chars):
                break
            # packed[i] = the n-gram starting at i, from the (n-1)-gram starting at i.
            packed = packed[:len(chars) - n + 1] * np.uint64(self._BASE) + chars[n - 1:]
            inside = position[:len(packed)] + n <= end[:len(packed)]
            if n < self.min_n:
                # A padded word shorter than min_n counts once, whole.
                inside &= (position[:len(packed)] + n == end[:len(packed)]) & (lengths[owner[:len(packed)]] == n)
            found = self._find(packed[inside])
            rows.append(owner[:len(packed)][inside][found >= 0])
            columns.append(found[found >= 0])
        return TextFeaturizer._counts(np.concatenate(rows or [np.zeros(0, int)]),
                                      np.concatenate(columns or [np.zeros(0, int)]),
                                      len(words), self.n_features)

    def _find(self, packed: np.ndarray) -> np.ndarray:
        """Vocabulary column of each packed n-gram, -1 where it is not in the vocabulary."""
        if len(self.keys) == 0:
            return np.full(len(packed), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.keys, packed), len(self.keys) - 1)
        return np.where(self.keys[at] == packed, self.columns[at], -1)


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
        self.__dict__.pop("_char_lookup_cache", None)  # belongs to the vocabulary of an earlier fit
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
        return self.featurize(texts).features

    def transform_with_words(self, texts: Iterable[Any]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """Like :meth:`transform`, also returning the word block on its own
        (5-digit suggestions use it; computing it once saves a pass)."""
        featurized = self.featurize(texts)
        return featurized.features, featurized.words

    def featurize(self, texts: Iterable[Any],
                  word_map: Callable[[list[str]], list[str]] | None = None) -> Featurized:
        """Features, word block and word coverage of ``texts`` in one pass.

        ``word_map``, if given, rewrites the *distinct* words of the call
        (one list in, one list out, same length) before any n-gram is
        counted, as if every text had been rewritten word by word; vowel
        restoration uses it, so each distinct word is restored once.
        """
        check_is_fitted(self, "word_vectorizer_")
        tokens = _tokenize(texts)
        if word_map is not None:
            tokens = tokens.rename(word_map(tokens.words))
        words = self._tfidf(self._word_counts(tokens), self.word_vectorizer_)
        chars = self._tfidf(self._char_counts(tokens), self.char_vectorizer_)
        return Featurized(self._stack(words, chars), words, self._coverage(tokens))

    # The counts below are the same matrices as the fitted TfidfVectorizers'
    # (tests/analysis/test_features.py checks this) but are computed per
    # distinct word of the call: a text is a row of word ids, and its n-gram
    # counts are (texts x words) @ (words x n-grams).  Character n-grams of
    # all distinct words are found at once with NumPy (each n-gram is an
    # integer, looked up in the sorted vocabulary), which replaced a Python
    # loop over every n-gram of every word that was most of prediction time.
    def _word_counts(self, tokens: _Tokens) -> sp.csr_matrix:
        vocabulary = self.word_vectorizer_.vocabulary_
        min_n, max_n = self.word_ngram_range
        long = np.fromiter((len(word) > 1 for word in tokens.words), dtype=bool, count=len(tokens.words))
        keep = long[tokens.ids]
        ids = tokens.ids[keep]
        row = tokens.rows()[keep]
        rows: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
        columns: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
        if min_n == 1:
            column_of_word = np.array([vocabulary.get(word, -1) for word in tokens.words] or [-1], dtype=np.int64)
            column = column_of_word[ids]
            rows.append(row[column >= 0])
            columns.append(column[column >= 0])
        for n in range(max(min_n, 2), max_n + 1):
            start = np.flatnonzero(row[:len(row) - n + 1] == row[n - 1:]) if len(row) >= n else np.zeros(0, int)
            if len(start) == 0:
                continue
            distinct, inverse = _distinct_rows(np.stack([ids[start + i] for i in range(n)], axis=1),
                                               len(tokens.words))
            words = tokens.words
            column_of_gram = np.array([vocabulary.get(" ".join([words[i] for i in gram]), -1)
                                       for gram in distinct.tolist()], dtype=np.int64)
            column = column_of_gram[inverse]
            rows.append(row[start][column >= 0])
            columns.append(column[column >= 0])
        return self._counts(np.concatenate(rows), np.concatenate(columns), tokens.n_texts, len(vocabulary))

    def _char_counts(self, tokens: _Tokens) -> sp.csr_matrix:
        vocabulary = self.char_vectorizer_.vocabulary_
        per_word = self._char_lookup().word_counts(tokens.words)
        if per_word is None:  # words outside ASCII or n-grams too long to pack: per n-gram lookup
            lookup = vocabulary.get
            min_n, max_n = self.char_ngram_range
            word_rows: list[int] = []
            word_columns: list[int] = []
            for i, word in enumerate(tokens.words):
                found = [c for c in map(lookup, _char_wb_ngrams(word, min_n, max_n)) if c is not None]
                word_columns.extend(found)
                word_rows.extend([i] * len(found))
            per_word = self._counts(np.asarray(word_rows, dtype=np.int64), np.asarray(word_columns, dtype=np.int64),
                                    len(tokens.words), len(vocabulary))
        counts: sp.csr_matrix = sp.csr_matrix(tokens.matrix() @ per_word)
        return counts

    def _char_lookup(self) -> _PackedVocabulary:
        lookup = self.__dict__.get("_char_lookup_cache")
        if lookup is None:
            lookup = self.__dict__["_char_lookup_cache"] = _PackedVocabulary(
                self.char_vectorizer_.vocabulary_, self.char_ngram_range)
        return lookup

    @staticmethod
    def _counts(rows: np.ndarray, columns: np.ndarray, n_rows: int, n_columns: int) -> sp.csr_matrix:
        counts = sp.csr_matrix((np.ones(len(columns), dtype=np.float32), (rows, columns)),
                               shape=(n_rows, n_columns))
        counts.sum_duplicates()  # repeated n-grams in a text add up, as in CountVectorizer
        return counts

    @staticmethod
    def _tfidf(counts: sp.csr_matrix, vectorizer: TfidfVectorizer) -> sp.csr_matrix:
        # Same steps as TfidfTransformer(sublinear_tf=True, norm="l2").
        np.log(counts.data, out=counts.data)
        counts.data += 1
        counts.data *= vectorizer.idf_.astype(np.float32)[counts.indices]
        return l2_normalize(counts, copy=False) if counts.shape[0] else counts

    def _coverage(self, tokens: _Tokens) -> np.ndarray:
        # Known = a unigram feature of the word vocabulary; words of one
        # character are not features (same rule as the word analyzer).
        vocabulary = self.word_vectorizer_.vocabulary_ if self.word_ngram_range[0] == 1 else {}
        n_words = len(tokens.words)
        long = np.fromiter((len(word) > 1 for word in tokens.words), dtype=np.float64, count=n_words)
        known = np.fromiter((word in vocabulary for word in tokens.words), dtype=np.float64, count=n_words) * long
        distinct = tokens.matrix()
        distinct.sum_duplicates()
        distinct.data[:] = 1  # each distinct word of a text once
        n_long, n_known = distinct @ long, distinct @ known
        coverage: np.ndarray = np.divide(n_known, n_long, out=np.zeros(len(n_long)), where=n_long > 0)
        return coverage

    def word_block(self, texts: Iterable[str]) -> sp.csr_matrix:
        """Only the word TF-IDF block (used for 5-digit suggestions)."""
        check_is_fitted(self, "word_vectorizer_")
        return self.word_vectorizer_.transform(list(texts))

    def word_coverage(self, texts: Iterable[str]) -> np.ndarray:
        """Share of each text's distinct words (2+ characters) found in the vocabulary.

        Texts without words get 0.  A low coverage means the answer is mostly
        words the model never saw (gibberish, another language), so its
        scores mean little.  :meth:`featurize` returns the same figures
        without a second pass.
        """
        check_is_fitted(self, "word_vectorizer_")
        return self._coverage(_tokenize(texts))

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
