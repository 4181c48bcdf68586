"""The featurizer's fast transform gives scikit-learn's matrices, word for word."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from analysis.sectors.features import TextFeaturizer
from analysis.sectors.normalize import normalize_texts

TRAIN = normalize_texts([
    "jual kopi susu di depan rumah", "warung kopi dan gorengan", "servis motor dan ganti oli",
    "jual pulsa dan kuota", "toko sembako kecil", "ojek online", "jasa desain grafis online",
    "ternak ayam kampung", "budidaya ikan lele di kolam terpal", "jahit baju dan permak celana",
    "a b c kopi", "laundry kiloan", "kue basah pesanan", "jualan online baju anak",
])

CASES = TRAIN + [
    "", "kopi", "kopi kopi kopi", "a", "x y z", "jual kopi susu susu jual kopi",
    "zzqx kopinya warungnya", "supercalifragilisticexpialidocious jual",
    # Not what normalize_text produces, but the featurizer must still agree with scikit-learn.
    "café crème", "warung ☕ kopi", "jual\tkopi  susu", "kopi-susu jual.kopi",
]


def _reference(featurizer: TextFeaturizer, texts: list[str]) -> sp.csr_matrix:
    words = featurizer.word_vectorizer_.transform(texts)
    chars = featurizer.char_vectorizer_.transform(texts) * np.float32(featurizer.char_weight)
    return sp.hstack([words, chars], format="csr")


@pytest.mark.parametrize("params", [
    {},
    {"word_ngram_range": (1, 3), "char_ngram_range": (1, 4)},
    {"word_ngram_range": (2, 2), "char_ngram_range": (4, 6), "char_weight": 0.5},
    {"char_ngram_range": (6, 9), "max_word_features": 20, "max_char_features": 50},
    {"char_ngram_range": (3, 10)},  # too long to pack: the per-n-gram path
])
def test_transform_equals_the_fitted_vectorizers(params):
    featurizer = TextFeaturizer(**params).fit(TRAIN)
    fast = featurizer.transform(CASES)
    reference = _reference(featurizer, CASES)
    assert fast.shape == reference.shape
    assert abs(fast - reference).max() < 1e-6
    assert fast.dtype == np.float32


def test_one_text_and_no_text():
    featurizer = TextFeaturizer().fit(TRAIN)
    assert abs(featurizer.transform(["jual kopi"]) - _reference(featurizer, ["jual kopi"])).max() < 1e-6
    empty = featurizer.featurize([])
    assert empty.features.shape == (0, featurizer.n_word_features_ + featurizer.n_char_features_)
    assert empty.coverage.shape == (0,)


def test_a_word_map_is_the_same_as_rewriting_the_texts():
    featurizer = TextFeaturizer().fit(TRAIN)
    texts = ["jl kpi susu", "kpi kopi", "srvs motor", "", "jl jl"]
    mapping = {"jl": "jual", "kpi": "kopi", "srvs": "servis"}
    calls = []

    def word_map(words):
        calls.append(list(words))
        return [mapping.get(word, word) for word in words]

    mapped = featurizer.featurize(texts, word_map=word_map)
    rewritten = [" ".join(mapping.get(w, w) for w in text.split()) for text in texts]
    direct = featurizer.featurize(rewritten)
    assert abs(mapped.features - direct.features).max() < 1e-6
    assert np.array_equal(mapped.coverage, direct.coverage)
    assert calls == [["jl", "kpi", "susu", "kopi", "srvs", "motor"]]  # each distinct word once


def test_a_word_map_must_keep_one_word_per_word():
    featurizer = TextFeaturizer().fit(TRAIN)
    with pytest.raises(ValueError, match="one word per word"):
        featurizer.featurize(["jual kopi"], word_map=lambda words: words[:1])


def test_coverage_counts_distinct_known_words_of_two_letters_or_more():
    featurizer = TextFeaturizer().fit(TRAIN)
    texts = ["jual kopi", "jual zzqx", "kopi kopi zzqx zzqx", "a b", "", "qqq www"]
    coverage = featurizer.featurize(texts).coverage
    assert coverage.tolist() == [1.0, 0.5, 0.5, 0.0, 0.0, 0.0]
    assert featurizer.word_coverage(texts).tolist() == coverage.tolist()


def test_texts_without_any_counted_n_gram():
    featurizer = TextFeaturizer(word_ngram_range=(2, 2)).fit(TRAIN)
    texts = ["kopi", "a", ""]  # no word pairs at all
    assert abs(featurizer.transform(texts) - _reference(featurizer, texts)).max() < 1e-6


def test_refitting_forgets_the_earlier_vocabulary():
    featurizer = TextFeaturizer().fit(TRAIN)
    featurizer.transform(["jual kopi"])  # builds the packed n-gram lookup
    featurizer.fit(["servis motor", "ternak lele"])
    assert abs(featurizer.transform(CASES) - _reference(featurizer, CASES)).max() < 1e-6
