"""5-digit documents (issue 13, helper kbli5d): written answers that feed only the
5-digit ranker.  They must never reach the vocabulary, the section/division models,
the calibration or the auto-coding rule, and their seed batches are checked like
the labelled set's."""
import numpy as np
import pandas as pd
import pytest

from analysis.errors import SeedDataError
from analysis.resources import seeds_dir
from analysis.sectors.labelled import (
    KBLI5_DOCUMENT_COLUMNS,
    build_kbli5_documents,
    build_labelled_set,
    example_id,
    load_kbli5_documents,
    load_labelled,
    read_batches,
)
from analysis.sectors.model import SectorClassifier

TEXTS = ["jual baju", "jualan baju anak", "toko pakaian", "servis motor", "bengkel motor",
         "tambal ban motor", "ternak lele", "budidaya ikan nila", "kolam lele"] * 3
DIVISIONS = ["47", "47", "47", "45", "45", "45", "03", "03", "03"] * 3
CODES = ["47711", "47711", "47711", "45407", "45407", "45407", "03221", "03221", "03221"] * 3
DOCUMENTS = pd.DataFrame({
    "text": ["jual baju lewat shopee", "jualan kaos di instagram", "cuci motor steam", "jual baju di pasar"],
    "kbli5": ["47912", "47912", "45202", "47823"],
})


def small(**params):
    defaults = dict(reference=None, calibration_folds=2, max_word_features=500, max_char_features=2000)
    defaults.update(params)
    return SectorClassifier(**defaults)


@pytest.fixture(scope="module")
def fitted():
    return small().fit(TEXTS, DIVISIONS, kbli5=CODES), small().fit(TEXTS, DIVISIONS, kbli5=CODES,
                                                                      kbli5_documents=DOCUMENTS)


def test_documents_do_not_change_the_vocabulary_or_the_section_and_division_models(fitted):
    without, with_documents = fitted
    for vectorizer in ("word_vectorizer_", "char_vectorizer_"):
        assert (getattr(without.featurizer_, vectorizer).vocabulary_
                == getattr(with_documents.featurizer_, vectorizer).vocabulary_)
    for name in ("coef_", "intercept_", "section_coef_", "section_intercept_", "oof_confidence_"):
        np.testing.assert_array_equal(getattr(without, name), getattr(with_documents, name), err_msg=name)
    assert without.temperature_ == with_documents.temperature_
    assert without.auto_rule_ == with_documents.auto_rule_
    probe = ["jual kaos online", "cuci motor", "ternak lele"]
    np.testing.assert_array_equal(without.predict_proba(probe), with_documents.predict_proba(probe))


def test_documents_teach_the_5_digit_ranker_new_codes(fitted):
    without, with_documents = fitted
    codes = list(with_documents.kbli5_codes_)
    assert codes == list(without.kbli5_codes_)  # every KBLI code has a centroid either way
    changed = {codes[i] for i in np.flatnonzero(
        abs(with_documents.kbli5_centroids_ - without.kbli5_centroids_).sum(axis=1).A1 > 1e-6)}
    assert {"47912", "45202", "47823"} <= changed
    # The vocabulary comes from the labelled answers only, so the probe uses their words.
    probe = ["jual baju lewat shopee"]
    assert "47912" not in without.suggest_kbli5(probe, divisions=["47"], k=3)[0]
    assert "47912" in with_documents.suggest_kbli5(probe, divisions=["47"], k=3)[0]
    assert with_documents.version_ != without.version_


def test_documents_weight_zero_leaves_them_out_and_is_validated():
    plain = small().fit(TEXTS, DIVISIONS, kbli5=CODES)
    ignored = small(kbli5_documents_weight=0.0).fit(TEXTS, DIVISIONS, kbli5=CODES, kbli5_documents=DOCUMENTS)
    assert list(ignored.kbli5_codes_) == list(plain.kbli5_codes_)
    with pytest.raises(ValueError, match="kbli5_documents_weight"):
        small(kbli5_documents_weight=-1).fit(TEXTS, DIVISIONS, kbli5=CODES, kbli5_documents=DOCUMENTS)


@pytest.mark.parametrize("bad", [
    [("jual baju", "47912")],
    pd.DataFrame({"text": ["jual baju"]}),
    pd.DataFrame({"text": ["jual baju"], "kbli5": ["4791"]}),
    pd.DataFrame({"text": ["jual baju"], "kbli5": ["99999"]}),
])
def test_a_bad_documents_table_is_refused_with_a_message(bad):
    with pytest.raises(ValueError, match="kbli5_documents"):
        small().fit(TEXTS, DIVISIONS, kbli5=CODES, kbli5_documents=bad)


def write(directory, name, text):
    (directory / name).write_text(text, encoding="utf-8")


def test_a_use_line_sends_a_batch_to_the_5_digit_documents_only(tmp_path):
    write(tmp_path, "a.txt", "47112|warung sembako\n47711|jual baju\n")
    write(tmp_path, "b.txt", "# register: sms\n# use: kbli5\n47912|jl baju onln\n47711|JUAL BAJU\n")
    raw = read_batches(tmp_path)
    assert raw["use"].tolist() == ["labelled", "labelled", "kbli5", "kbli5"]
    assert raw["register"].tolist() == ["alumni", "alumni", "sms", "sms"]
    labelled = build_labelled_set(tmp_path)
    assert sorted(labelled["text"]) == ["jual baju", "warung sembako"]
    documents = build_kbli5_documents(tmp_path)
    assert list(documents.columns) == KBLI5_DOCUMENT_COLUMNS
    # "JUAL BAJU" is the labelled answer "jual baju": it is not a document too.
    assert documents["text"].tolist() == ["jl baju onln"]
    assert documents["register"].tolist() == ["sms"]


def test_an_unknown_use_is_refused(tmp_path):
    write(tmp_path, "x.txt", "# use: everything\n47112|warung\n")
    with pytest.raises(SeedDataError, match="x.txt:1: unknown use 'everything'"):
        read_batches(tmp_path)


@pytest.mark.parametrize("lines, message", [
    ("# use: kbli5\n47912 jual baju online\n", "expected 'kbli5|text'"),
    ("# use: kbli5\n4791|jual baju online\n", "expected 'kbli5|text'"),
    ("# use: kbli5\n47912|   \n", "expected 'kbli5|text'"),
    ("# use: kbli5\n99999|jual baju online\n", "codes not in KBLI 2020"),
])
def test_bad_lines_in_a_documents_batch_fail_the_build(tmp_path, lines, message):
    write(tmp_path, "docs.txt", lines)
    with pytest.raises(SeedDataError, match=message):
        build_kbli5_documents(tmp_path)


def test_a_document_coding_a_labelled_answer_differently_fails_both_builds(tmp_path):
    write(tmp_path, "a.txt", "47711|jual baju\n")
    write(tmp_path, "b.txt", "# use: kbli5\n47912|Jual baju!\n")
    for build in (build_labelled_set, build_kbli5_documents):
        with pytest.raises(SeedDataError, match="duplicate texts with different codes"):
            build(tmp_path)


def test_shipped_documents_csv_is_what_the_batches_build():
    rebuilt = build_kbli5_documents(seeds_dir() / "sectors" / "batches")
    pd.testing.assert_frame_equal(rebuilt, load_kbli5_documents())
    assert len(rebuilt) > 0


def test_no_labelled_answer_of_either_split_is_a_document():
    labelled_ids = set(load_labelled()["id"])
    documents = load_kbli5_documents()
    assert not labelled_ids & set(documents["text"].map(example_id))
    assert documents["id"].is_unique


def test_a_missing_documents_file_is_reported(tmp_path):
    with pytest.raises(SeedDataError, match="5-digit documents not found"):
        load_kbli5_documents(tmp_path / "nothing.csv")
