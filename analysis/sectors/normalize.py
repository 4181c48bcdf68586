"""Normalisation of free-text Indonesian business descriptions.

Survey answers are typed on phones: mixed case, stretched letters
("enakkk"), chat abbreviations ("yg", "dpn rmh"), reduplication written
with a 2 ("kecil2an"), emoji, pasted HTML, the odd English sentence.  The
classifier sees only the normalised form, so the same rules apply when
training and when predicting.
"""
from __future__ import annotations

import html
import math
import re
import unicodedata
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from .lexicon import REPLACEMENTS

MAX_INPUT_CHARS = 5_000
"""Raw answers are cut to this length before any regex runs (bounds the cost)."""

MAX_NORMALIZED_CHARS = 1_000
"""Normalised text is cut (at a word boundary) to this length; longer
answers are rarely about one business and are sent to review anyway."""

_SCRIPT_STYLE = re.compile(r"<\s*(script|style)\b.*?(<\s*/\s*\1\s*>|$)", re.I | re.S)
_TAG = re.compile(r"<[^<>]{0,500}>")
_URL = re.compile(r"(https?://|www\.)\S+", re.I)
_EMAIL = re.compile(r"\S+@\S+\.\S+")
_SHIPPER = re.compile(r"\bj\s*&\s*t\b")
_AND = re.compile(r"[&+]")
# "kecil2an", "anak2", "kue2nya": a 2 after a word marks reduplication;
# the base word carries the meaning for classification.
_REDUPLICATION = re.compile(r"\b([a-z]{2,})2(?:an|nya|x)?\b")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_NUMBER = re.compile(r"\b\d+\b")
_STRETCHED = re.compile(r"([a-z])\1{2,}")
_DIGIT = re.compile(r"\d")


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalize_text(text: object) -> str:
    """Normalise one free-text answer to lower-case standard Indonesian words.

    Steps: HTML tags/entities and URLs removed; Unicode folded to ASCII
    letters; ``word2`` reduplication reduced to ``word``; numbers,
    punctuation and emoji dropped; letters repeated three or more times
    collapsed; chat abbreviations, informal spellings and common English
    business words replaced (see :mod:`analysis.sectors.lexicon`).
    Missing values (None, NaN) give an empty string.

    Parameters
    ----------
    text : object
        The answer; non-strings are converted with ``str``.

    Returns
    -------
    str
        Space-separated tokens, at most ``MAX_NORMALIZED_CHARS`` long.

    Examples
    --------
    >>> normalize_text("Sy jualan <b>kue2</b> enakkk dpn rmh 😋 sejak 2020!!")
    'saya jual kue enak depan rumah sejak'
    >>> normalize_text("I sell coffee")
    'saya jual kopi'
    >>> normalize_text(None)
    ''
    """
    return normalize_texts([text])[0]


def normalize_texts(texts: Iterable[object]) -> list[str]:
    """Normalise many answers; see :func:`normalize_text`.

    Each regular expression runs once over all answers joined by newlines
    (on the prediction path the per-call overhead was most of the cost), so
    joining must not let answers affect each other: a test checks that many
    answers give exactly what each gives alone.

    Examples
    --------
    >>> normalize_texts(["OLSHOP!!", "", "laundri kiloan"])
    ['toko online', '', 'laundry kiloan']
    """
    return _normalize_lines([_one_line(text) for text in texts])


def _one_line(text: object) -> str:
    """The answer as a string without HTML and without newlines, cut to ``MAX_INPUT_CHARS``."""
    if type(text) is str and len(text) <= MAX_INPUT_CHARS and "<" not in text and "&" not in text \
            and "\n" not in text:
        return text  # the common case, checked cheaply
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    text = str(text)[:MAX_INPUT_CHARS]
    if "<" in text:
        text = _TAG.sub(" ", _SCRIPT_STYLE.sub(" ", text))
    if "&" in text:
        text = html.unescape(text)
        if "<" in text:  # entities such as &lt;b&gt; decode to tags
            text = _TAG.sub(" ", _SCRIPT_STYLE.sub(" ", text))
    # A newline is whitespace to every later step; answers are joined by newlines.
    return text.replace("\n", " ")


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_ASCII_NON_ALNUM = str.maketrans({chr(c): " " for c in range(128)
                                  if not (chr(c) in "0123456789\n" or "a" <= chr(c) <= "z")})


def _normalize_lines(lines: list[str]) -> list[str]:
    # The steps after _one_line's, on answers without newlines.
    # Steps that only some answers need (other scripts, URLs, digits) run on
    # those answers alone; the rest runs once over all answers joined by
    # newlines, a character no step below can match across.
    if not lines:
        return []
    text = "\n".join(lines).lower()  # NFKC leaves ASCII as it is; casefold of ASCII is lower
    folded, non_ascii = _matching_lines(_NON_ASCII, text)
    for i in non_ascii:
        folded[i] = _fold(lines[i])
    text = "\n".join(folded)
    for trigger, fix in _LINE_FIXES:
        fixed, found = _matching_lines(trigger, text)
        if found:
            for i in found:
                fixed[i] = fix(fixed[i])
            text = "\n".join(fixed)
    text = _STRETCHED.sub(r"\1", text.translate(_ASCII_NON_ALNUM))
    # Replacements word by word over all answers at once; newlines stay tokens.
    replace = REPLACEMENTS.get
    words = [replace(word, word) for word in text.replace("\n", " \n ").split(" ") if word]
    joined = " ".join(words).replace(" \n", "\n").replace("\n ", "\n")
    return [line if len(line) <= MAX_NORMALIZED_CHARS else line[:MAX_NORMALIZED_CHARS].rsplit(" ", 1)[0]
            for line in joined.split("\n")]


def _matching_lines(pattern: re.Pattern[str], text: str) -> tuple[list[str], list[int]]:
    """``text``'s lines and the indices of those where ``pattern`` matches (one search over all)."""
    hits = [match.start() for match in pattern.finditer(text)]
    lines = text.split("\n")
    if not hits:
        return lines, []
    line_starts = np.cumsum([0] + [len(line) + 1 for line in lines])
    return lines, np.unique(np.searchsorted(line_starts, hits, side="right") - 1).tolist()


def _fold(line: str) -> str:
    text = unicodedata.normalize("NFKC", line).casefold()
    return text if text.isascii() else _strip_accents(text)


def _fix_urls_and_emails(line: str) -> str:
    if "http" in line or "www" in line:
        line = _URL.sub(" ", line)
    return _EMAIL.sub(" ", line) if "@" in line else line


def _fix_ampersands(line: str) -> str:
    return _AND.sub(" dan ", _SHIPPER.sub(" jnt ", line))


def _fix_digits(line: str) -> str:
    line = _LETTER_DIGIT.sub(" ", _REDUPLICATION.sub(r"\1", line))
    return _NUMBER.sub(" ", _NON_ALNUM.sub(" ", line))


# (what marks an answer that needs the step, the step): found by one search
# over all answers, applied to the answers found.
_LINE_FIXES = (
    (re.compile("http|www|@"), _fix_urls_and_emails),
    (re.compile("[&+]"), _fix_ampersands),
    (_DIGIT, _fix_digits),
    (_NON_ASCII, lambda line: _NON_ALNUM.sub(" ", line)),  # emoji, other scripts (translate below is ASCII)
)


_DROP_VOWELS = str.maketrans("", "", "aeiou")


def consonant_skeleton(word: str) -> str:
    """A word without its vowels after the first letter ("kopi" -> "kp", "ayam" -> "aym").

    SMS writers drop vowels but usually keep a leading one, so the first
    letter is kept as written.

    Examples
    --------
    >>> consonant_skeleton("pulsa"), consonant_skeleton("ayam"), consonant_skeleton("jl")
    ('pls', 'aym', 'jl')
    """
    return word[:1] + word[1:].translate(_DROP_VOWELS)


def _is_subsequence(short: str, long: str) -> bool:
    letters = iter(long)
    return all(ch in letters for ch in short)


class VowelRestorer:
    """Expand vowel-less SMS spellings ("jl pls", "sevis hp") to known words.

    A word the model does not know is replaced by the most frequent known
    word (lowest IDF) with the same consonant skeleton that contains the
    written letters in order ("kpi" -> "kopi", "pls" -> "pulsa"); words with
    no such candidate stay as they are.  Built from a fitted vocabulary, so
    it needs no state of its own in model files.  Results are cached per
    word (answers reuse a small vocabulary).

    Examples
    --------
    >>> r = VowelRestorer.from_vocabulary({"jual": 0, "jalan": 1, "kopi": 2, "pulsa": 3}, [1.0, 2.0, 1.5, 1.2])
    >>> r.restore(["jl kpi", "jl pls murah"])
    ['jual kopi', 'jual pulsa murah']
    """

    _CACHE_LIMIT = 100_000

    def __init__(self, known: set[str], by_skeleton: dict[str, list[str]]):
        self.known = known
        self.by_skeleton = by_skeleton
        self._cache: dict[str, str] = {}

    @classmethod
    def from_vocabulary(cls, vocabulary: dict[str, int], idf: npt.ArrayLike) -> VowelRestorer:
        """Build from a word vocabulary (term -> column) and its IDF vector."""
        idf_values = np.asarray(idf, dtype=float)
        unigrams = [(float(idf_values[column]), term) for term, column in vocabulary.items()
                    if " " not in term and len(term) > 2 and term.isalpha()]
        by_skeleton: dict[str, list[str]] = {}
        for _, term in sorted(unigrams):  # most frequent first
            by_skeleton.setdefault(consonant_skeleton(term), []).append(term)
        return cls({term for term in vocabulary if " " not in term}, by_skeleton)

    def restore_word(self, word: str) -> str:
        """The known word ``word`` most likely abbreviates, or ``word`` itself."""
        if word in self.known or len(word) < 2 or not word.isalpha():
            return word
        found = self._cache.get(word)
        if found is None:
            found = word
            for candidate in self.by_skeleton.get(consonant_skeleton(word), ()):
                if len(candidate) > len(word) and _is_subsequence(word, candidate):
                    found = candidate
                    break
            if len(self._cache) > self._CACHE_LIMIT:
                self._cache.clear()
            self._cache[word] = found
        return found

    def restore_words(self, words: list[str]) -> list[str]:
        """:meth:`restore_word` of each word (a featurizer's ``word_map``: distinct words in, restored out)."""
        known = self.known
        return [word if word in known else self.restore_word(word) for word in words]

    def restore(self, texts: Iterable[str]) -> list[str]:
        """Apply :meth:`restore_word` to every word of normalised texts."""
        known = self.known
        out = []
        for text in texts:
            words = text.split()
            if all(w in known for w in words):
                out.append(text)
            else:
                out.append(" ".join([w if w in known else self.restore_word(w) for w in words]))
        return out
