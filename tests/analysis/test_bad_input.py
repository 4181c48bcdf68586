"""Bad answers never crash the classifier; they come back for review."""
import numpy as np
import pandas as pd
import pytest

from analysis.sectors.classify import LONG_TEXT_CHARS, classify_texts


@pytest.mark.parametrize(
    "text",
    ["", "   ", "\n\t", None, np.nan, "12345", "0812-3456-7890", "😀😀😀", "🙏👍🔥", "!!! ??? ...", "<br/><div></div>"],
    ids=["empty", "spaces", "whitespace", "none", "nan", "digits", "phone", "emoji", "emoji2", "punct", "html-only"],
)
def test_contentless_answers_get_no_code_and_need_review(default_model, text):
    row = classify_texts([text], model=default_model).iloc[0]
    assert row["needs_review"]
    assert row["confidence"] == 0.0
    assert row["section"] is None and row["division"] is None and row["kbli5"] is None
    assert row["top3"] == []


@pytest.mark.parametrize(
    "text",
    ["asdfgh qwerty zxcvbn", "xkcd blorp fnord wibble", "Ich verkaufe gebrauchte Autos",
     "Je vends des légumes", "这是一家小商店", "Продаю одежду"],
    ids=["gibberish", "gibberish2", "german", "french", "chinese", "russian"],
)
def test_gibberish_and_other_languages_need_review(default_model, text):
    row = classify_texts([text], model=default_model).iloc[0]
    assert row["needs_review"]
    assert row["confidence"] < 0.6


def test_ten_thousand_characters_of_noise_need_review(default_model):
    rng = np.random.default_rng(0)
    noise = "".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz     "), size=10_000))
    row = classify_texts([noise], model=default_model).iloc[0]
    assert row["needs_review"]
    assert row["confidence"] < 0.6


def test_ten_thousand_characters_of_real_words_still_go_to_review(default_model):
    text = ("saya jualan baju online di shopee " * 400)[:10_000]
    assert len(text) > LONG_TEXT_CHARS
    row = classify_texts([text], model=default_model).iloc[0]
    assert row["needs_review"]
    assert row["section"] == "G"


def test_html_around_a_real_answer_is_ignored(default_model):
    plain, wrapped = classify_texts(
        ["warung kopi dekat kampus", "<p><b>warung kopi</b> dekat kampus<script>x()</script></p>"],
        model=default_model).to_dict("records")
    assert wrapped["division"] == plain["division"] == "56"
    assert wrapped["confidence"] == pytest.approx(plain["confidence"])


def test_a_batch_mixing_good_and_bad_rows_keeps_order_and_index(default_model):
    texts = pd.Series(["ternak lele", "", "servis hp", None], index=[10, 11, 12, 13])
    out = classify_texts(texts, model=default_model)
    assert list(out.index) == [10, 11, 12, 13]
    assert out.loc[10, "division"] == "03"
    assert out.loc[12, "division"] == "95"
    assert out.loc[[11, 13], "needs_review"].all()


@pytest.mark.parametrize(
    ("text", "reason"),
    [("", "empty"), ("   \n", "empty"), (None, "empty"), ("😀😀😀", "no_words"), ("12345", "no_words"),
     ("<br/><div></div>", "no_words"), ("这是一家小商店", "foreign_script"), ("Продаю одежду", "foreign_script"),
     ("Ich verkaufe gebrauchte Autos", "unfamiliar_words"), ("xkcd blorp fnord wibble", "unfamiliar_words")],
)
def test_review_reason_says_why_an_answer_was_not_coded(default_model, text, reason):
    row = classify_texts([text], model=default_model).iloc[0]
    assert row["needs_review"] and row["reason"] == reason


def test_ten_thousand_characters_go_to_review_as_too_long(default_model):
    text = ("saya jualan baju online di shopee " * 400)[:10_000]
    row = classify_texts([text], model=default_model).iloc[0]
    assert row["reason"] == "too_long"


def test_ten_thousand_emoji_are_no_words_not_an_exception(default_model):
    row = classify_texts(["😀" * 10_000], model=default_model).iloc[0]
    assert row["reason"] == "no_words" and row["section"] is None


def test_english_answers_are_coded_not_refused(default_model):
    row = classify_texts(["I sell coffee and snacks at my small shop"], model=default_model).iloc[0]
    assert row["reason"] in ("", "low_confidence")
    assert row["section"] in ("G", "I")
