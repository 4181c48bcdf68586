import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.sectors.normalize import MAX_NORMALIZED_CHARS, normalize_text, normalize_texts


def test_lowercases_and_drops_punctuation_and_emoji():
    assert normalize_text("JUALAN Kopi!!! 😀☕") == "jual kopi"


def test_collapses_letters_repeated_three_or_more_times():
    assert normalize_text("enakkk bangettt") == "enak banget"


def test_keeps_legitimate_double_letters():
    assert normalize_text("maaf saat") == "maaf saat"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("sy jualan yg murah", "saya jual yang murah"),
        ("dpn rmh", "depan rumah"),
        ("olshop", "toko online"),
        ("warkop", "warung kopi"),
        ("laundri kiloan", "laundry kiloan"),
        ("ojol", "ojek online"),
        ("bkin kripik", "buat keripik"),
    ],
)
def test_replaces_slang_and_abbreviations_with_standard_words(raw, expected):
    assert normalize_text(raw) == expected


def test_reduplication_written_with_two_becomes_the_base_word():
    assert normalize_text("kecil2an jual kue2 anak2") == "kecil jual kue anak"


def test_drops_numbers_and_splits_them_from_words():
    assert normalize_text("gas 3kg 1000 ekor ps4") == "gas kg ekor ps"


def test_strips_html_tags_scripts_and_entities():
    raw = "<p>jual <b>baju</b> &amp; tas<script>alert('x')</script></p>"
    assert normalize_text(raw) == "jual baju dan tas"


def test_encoded_html_is_decoded_then_stripped():
    assert normalize_text("&lt;b&gt;servis motor&lt;/b&gt;") == "servis motor"


def test_removes_urls_and_emails():
    assert normalize_text("olshop https://shopee.co.id/toko a@b.com") == "toko online"


def test_folds_accents_to_ascii():
    assert normalize_text("crème brûlée") == "creme brulee"


@pytest.mark.parametrize("missing", [None, math.nan, float("nan")])
def test_missing_values_give_empty_text(missing):
    assert normalize_text(missing) == ""


def test_non_strings_are_converted():
    assert normalize_text(12345) == ""


def test_translates_common_english_business_words():
    assert normalize_text("I sell homemade cakes") == "saya jual buatan rumah kue"


def test_very_long_input_is_bounded():
    out = normalize_text("jual baju " * 5000)
    assert 0 < len(out) <= MAX_NORMALIZED_CHARS
    assert not out.endswith(" ")


def test_batch_normalisation_matches_single():
    texts = ["Sy jualan", None, "ternak lele"]
    assert normalize_texts(texts) == [normalize_text(t) for t in texts]


def test_regional_words_map_to_indonesian_business_words():
    from analysis.sectors.normalize import normalize_text

    assert normalize_text("dodolan sego pecel") == "jual nasi pecel"
    assert normalize_text("manggaleh di lapau") == "dagang di warung"
    assert normalize_text("ngical sangu") == "jual nasi"


def test_vowel_restorer_expands_sms_spellings_to_frequent_known_words():
    from analysis.sectors.normalize import VowelRestorer, consonant_skeleton

    vocabulary = {"jual": 0, "jalan": 1, "kopi": 2, "kapal": 3, "bengkel": 4}
    restorer = VowelRestorer.from_vocabulary(vocabulary, [1.0, 3.0, 1.5, 4.0, 2.0])
    assert restorer.restore(["jl kpi", "bngkl", "xyz", "kopi"]) == ["jual kopi", "bengkel", "xyz", "kopi"]
    assert consonant_skeleton("ayam") == "aym"


# normalize_texts runs each step once over many answers; it must give exactly
# what normalize_text gives one by one, whatever the answers contain.
_PIECES = ["jual", "KOPI", "kue2an", "anak2", "yg", "olshop", "enakkk", "j & t", "J&T", "kopi+susu", "a",
           "http://x.id/a", "www.toko.com", "sy@mail.com", "<b>", "&amp;", "&lt;i&gt;", "\n", "\r\n", "\t",
           "123", "2020an", "rp10rb", "café", "crème", "ß", "İstanbul", "😋", "☕", "ﬁ", "Ａ", "①", "\u0301",
           "\u00a0", "\u2028", "中文", "-", "_", ".", "!", "  ", ",", "\\", "@", "+", "&", "<", ">", "2"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(
    st.lists(st.sampled_from(_PIECES), max_size=8).map(" ".join),
    st.lists(st.sampled_from(_PIECES), max_size=8).map("".join),
    st.text(max_size=30),
    st.none(), st.just(float("nan")), st.integers(),
), max_size=12))
def test_normalising_many_answers_is_normalising_each(answers):
    assert normalize_texts(answers) == [normalize_text(a) for a in answers]


def test_normalising_many_answers_keeps_long_and_html_answers_apart():
    answers = ["kopi " * 300, "x" * 6000, "<b>jual</b>\nkopi", "", "jual kopi", "a" * 999 + " b"]
    assert normalize_texts(answers) == [normalize_text(a) for a in answers]
    assert normalize_texts([]) == []
