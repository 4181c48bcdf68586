"""SectorClassifier follows scikit-learn conventions and codes answers sensibly."""
import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import check_estimator

from analysis.sectors.classify import classify_texts
from analysis.sectors.default import DEFAULT_PARAMS
from analysis.sectors.evaluate import evaluate_model
from analysis.sectors.labelled import load_labelled
from analysis.sectors.model import DEFAULT_REVIEW_THRESHOLD, SectorClassifier, choose_review_threshold

TINY_TEXTS = ["jual baju", "jualan baju anak", "toko pakaian", "servis motor", "bengkel motor",
              "tambal ban motor", "ternak lele", "budidaya ikan nila", "kolam lele"] * 3
TINY_DIVISIONS = ["47", "47", "47", "45", "45", "45", "03", "03", "03"] * 3


def small(**params):
    """A cheap configuration for convention tests (no KBLI reference texts)."""
    defaults = dict(reference=None, calibration_folds=2, max_word_features=500, max_char_features=2000)
    defaults.update(params)
    return SectorClassifier(**defaults)


# check_estimator generates numeric 2-D feature matrices.  SectorClassifier takes one
# text per sample (a 1-D sequence or a one-column table) and rejects multi-column
# numeric arrays with a ValueError, so every check built on such matrices cannot
# apply.  Their intent is covered with text input by the tests further down
# (fit returns self, unfitted errors, invariances, idempotence, pickling, weights).
NUMERIC_MATRIX_REASON = "check feeds a numeric feature matrix; the estimator's input is text"
EXPECTED_FAILED_CHECKS = {
    name: NUMERIC_MATRIX_REASON
    for name in [
        "check_fit_score_takes_y", "check_estimators_overwrite_params", "check_dont_overwrite_parameters",
        "check_estimators_fit_returns_self", "check_readonly_memmap_input", "check_n_features_in_after_fitting",
        "check_positive_only_tag_during_fit", "check_estimators_dtypes", "check_sample_weights_pandas_series",
        "check_sample_weights_not_an_array", "check_sample_weights_list", "check_sample_weights_shape",
        "check_sample_weights_not_overwritten", "check_sample_weight_equivalence_on_dense_data",
        "check_dtype_object", "check_estimators_empty_data_messages", "check_pipeline_consistency",
        "check_estimators_nan_inf", "check_estimator_sparse_tag", "check_estimator_sparse_array",
        "check_estimator_sparse_matrix", "check_estimators_pickle", "check_f_contiguous_array_estimator",
        "check_classifier_data_not_an_array", "check_classifiers_one_label",
        "check_classifiers_one_label_sample_weights", "check_classifiers_classes", "check_classifiers_train",
        "check_classifiers_regression_target", "check_supervised_y_2d", "check_methods_sample_order_invariance",
        "check_methods_subset_invariance", "check_fit2d_1sample", "check_fit2d_1feature", "check_dict_unchanged",
        "check_fit_idempotent", "check_fit_check_is_fitted", "check_n_features_in", "check_fit2d_predict1d",
        "check_requires_y_none",
    ]
}


def test_check_estimator_passes_every_applicable_check():
    results = check_estimator(small(), expected_failed_checks=EXPECTED_FAILED_CHECKS, on_fail=None, on_skip=None)
    unexpected = [(r["check_name"], str(r["exception"])[:200]) for r in results
                  if r["status"] == "failed" and r["check_name"] not in EXPECTED_FAILED_CHECKS]
    assert not unexpected
    passed = {r["check_name"] for r in results if r["status"] == "passed"}
    assert {"check_no_attributes_set_in_init", "check_get_params_invariance", "check_set_params",
            "check_estimators_unfitted", "check_parameters_default_constructible"} <= passed


def test_init_only_stores_parameters():
    clf = SectorClassifier(C=2.0, reference=None)
    assert clf.get_params()["C"] == 2.0
    assert not [name for name in vars(clf) if name.endswith("_")]


def test_fit_returns_self_and_sets_trailing_underscore_attributes():
    clf = small()
    assert clf.fit(TINY_TEXTS, TINY_DIVISIONS) is clf
    for name in ["classes_", "coef_", "intercept_", "temperature_", "review_threshold_", "featurizer_"]:
        assert hasattr(clf, name)
    assert clf.classes_.tolist() == ["03", "45", "47"]


def test_predicting_before_fit_raises_not_fitted_error():
    for method in ("predict", "predict_proba"):
        with pytest.raises(NotFittedError):
            getattr(small(), method)(["jual baju"])


def test_probabilities_are_distributions_in_class_order():
    clf = small().fit(TINY_TEXTS, TINY_DIVISIONS)
    proba = clf.predict_proba(["jual baju", "", "ternak lele"])
    assert proba.shape == (3, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    # predict decides the section first (KBLI labels), so it is the arg-max of the
    # probabilities among the divisions of the predicted section.
    predicted = clf.predict(["jual baju", "", "ternak lele"])
    sections = clf.predict_section(["jual baju", "", "ternak lele"])
    inside = clf.class_sections_[None, :] == sections[:, None]
    assert predicted.tolist() == clf.classes_[np.where(inside, proba, -1).argmax(axis=1)].tolist()


def test_predict_is_the_arg_max_of_predict_proba_for_non_kbli_labels():
    labels = [{"47": "clothes", "45": "motor", "03": "fish"}[d] for d in TINY_DIVISIONS]
    clf = small().fit(TINY_TEXTS, labels)
    texts = ["jual baju", "", "ternak lele", "bengkel"]
    assert clf.predict(texts).tolist() == clf.classes_[clf.predict_proba(texts).argmax(axis=1)].tolist()


def test_integer_labels_keep_their_type():
    labels = [{"47": 0, "45": 1, "03": 2}[d] for d in TINY_DIVISIONS]
    clf = small().fit(TINY_TEXTS, labels)
    assert clf.classes_.dtype.kind == "i"
    assert clf.predict(["servis motor"]).tolist() == [1]


def test_one_class_and_continuous_targets_are_rejected_with_clear_messages():
    with pytest.raises(ValueError, match="class"):
        small().fit(["a b", "c d", "e f", "g h"], ["47"] * 4)
    with pytest.raises(ValueError, match="Unknown label type"):
        small().fit(["a b", "c d", "e f", "g h"], [0.5, 1.5, 2.5, 3.5])


def test_numeric_matrices_are_rejected_with_a_clear_message():
    with pytest.raises(ValueError, match="1-D sequence of texts"):
        small().fit(np.zeros((4, 3)), [0, 1, 0, 1])


def test_accepts_lists_series_and_one_column_frames():
    clf = small().fit(pd.Series(TINY_TEXTS), pd.Series(TINY_DIVISIONS))
    frame = pd.DataFrame({"t": ["jual baju", "servis motor"]})
    assert clf.predict(frame).tolist() == clf.predict(["jual baju", "servis motor"]).tolist()


def test_sample_weights_as_list_or_series_give_the_same_model():
    weights = np.linspace(0.5, 1.5, len(TINY_TEXTS))
    a = small().fit(TINY_TEXTS, TINY_DIVISIONS, sample_weight=list(weights))
    b = small().fit(TINY_TEXTS, TINY_DIVISIONS, sample_weight=pd.Series(weights))
    np.testing.assert_array_equal(a.coef_, b.coef_)


def test_fitting_twice_gives_identical_models_whatever_n_jobs():
    a = small().fit(TINY_TEXTS, TINY_DIVISIONS)
    b = small(n_jobs=2).fit(TINY_TEXTS, TINY_DIVISIONS)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    assert a.temperature_ == b.temperature_ and a.review_threshold_ == b.review_threshold_


def test_predictions_do_not_depend_on_order_or_batch():
    clf = small().fit(TINY_TEXTS, TINY_DIVISIONS)
    texts = ["jual baju anak", "tambal ban", "lele", "budidaya nila"]
    full = clf.predict_proba(texts)
    np.testing.assert_allclose(clf.predict_proba(texts[::-1]), full[::-1])
    np.testing.assert_allclose(clf.predict_proba(texts[1:3]), full[1:3])


def test_clone_and_pickle_round_trip_in_memory():
    clf = small().fit(TINY_TEXTS, TINY_DIVISIONS)
    assert clone(clf).get_params() == clf.get_params()
    restored = pickle.loads(pickle.dumps(clf))  # our own in-memory object, not a file
    np.testing.assert_array_equal(restored.predict_proba(["jual baju"]), clf.predict_proba(["jual baju"]))


def test_review_threshold_is_lowest_confidence_keeping_target_precision():
    assert choose_review_threshold([0.9, 0.8, 0.7, 0.6], [True, True, True, False], 0.95, 1) == 0.7
    assert choose_review_threshold([0.9, 0.8], [False, False], 0.95, 1) == 1.0


# --------------------------------------------------------------- default model
@pytest.mark.parametrize(
    ("text", "section", "division"),
    [
        ("warung kopi dpn rumah", "I", "56"),
        ("ternak lele kolam terpal", "A", "03"),
        ("servis hp dan ganti lcd", "S", "95"),
        ("jasa desain grafis logo", "M", "74"),
        ("laundry kiloan", "S", "96"),
        ("bikin kue kering sendiri lalu dijual", "C", "10"),
        ("jualan baju online di shopee", "G", "47"),
        ("driver ojol", "H", "49"),
        ("les privat anak sd", "P", "85"),
        ("bengkel motor", "G", "45"),
    ],
)
def test_default_model_codes_typical_answers(default_model, text, section, division):
    row = classify_texts([text], model=default_model).iloc[0]
    assert (row["section"], row["division"]) == (section, division)
    assert row["kbli5"].startswith(division)


def test_division_always_lies_inside_the_predicted_section(default_model):
    from analysis.sectors.kbli import load_kbli

    out = classify_texts(load_labelled(split="test")["text"], model=default_model)
    kbli = load_kbli()
    assert (out["division"].map(kbli.section_of) == out["section"]).all()
    assert (out["kbli5"].str[:2] == out["division"]).all()


def test_section_model_can_be_switched_off():
    clf = small(section_model=False).fit(TINY_TEXTS, TINY_DIVISIONS)
    assert clf.section_coef_ is None
    proba, sections = clf.predict_section_proba(["jual baju", "ternak lele"])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(sections) == {"A", "G"}


def test_default_model_knows_all_88_divisions(default_model):
    assert len(default_model.classes_) == 88


def test_default_params_are_what_the_default_model_uses(default_model):
    params = default_model.get_params()
    assert all(params[k] == v for k, v in DEFAULT_PARAMS.items())


def test_review_threshold_reaches_95_percent_section_precision_out_of_fold(default_model):
    from analysis.sectors.autocode import rule_score

    score = rule_score(default_model.review_score, default_model.oof_confidence_, default_model.oof_margin_)
    auto = score >= default_model.review_threshold_
    assert default_model.oof_correct_[auto].mean() >= 0.95
    assert auto.mean() >= 0.5


def test_module_default_threshold_matches_the_default_models_confidence_rule(default_model):
    # DEFAULT_REVIEW_THRESHOLD is the fallback (on confidence, stricter still on the
    # margin) for models fitted on too few examples to choose their own rule.
    assert abs(default_model.auto_rule_["confidence"]["threshold"] - DEFAULT_REVIEW_THRESHOLD) < 0.05


def test_models_too_small_to_calibrate_fall_back_to_the_default_threshold():
    clf = small().fit(["jual baju", "servis motor"], ["47", "45"])
    assert clf.review_threshold_ == DEFAULT_REVIEW_THRESHOLD
    assert clf.auto_rule_ == {}


def test_held_out_quality_does_not_regress(default_model):
    test = load_labelled(split="test")
    section = evaluate_model(test["text"], test["kbli5"], model=default_model, level="section")
    division = evaluate_model(test["text"], test["kbli5"], model=default_model, level="division")
    assert section["accuracy"] >= 0.83
    assert section["macro_f1"] >= 0.75
    assert division["accuracy"] >= 0.75
    assert section["auto_share_at_precision"] >= 0.5


# ------------------------------------------------------------ one coding API
def test_every_fitted_attribute_is_listed_in_one_place():
    from analysis.sectors.model import FITTED_ATTRIBUTES

    clf = small().fit(TINY_TEXTS, TINY_DIVISIONS)
    listed = {name for name, _, _ in FITTED_ATTRIBUTES}
    fitted = {name for name in vars(clf) if name.endswith("_") and not name.startswith("_")}
    assert fitted == listed


def test_version_identifies_training_data_and_parameters():
    a = small().fit(TINY_TEXTS, TINY_DIVISIONS)
    again = small(n_jobs=2).fit(TINY_TEXTS, TINY_DIVISIONS)
    other_data = small().fit(TINY_TEXTS[:-1] + ["jual kaos"], TINY_DIVISIONS)
    other_params = small(C=0.5).fit(TINY_TEXTS, TINY_DIVISIONS)
    assert a.version_ == again.version_
    assert len({a.version_, other_data.version_, other_params.version_}) == 3
    assert a.code(["jual baju"])["model_version"].tolist() == [a.version_]


def test_model_version_falls_back_to_a_fingerprint_without_version_attribute():
    from analysis.sectors.model import model_version

    a = small().fit(TINY_TEXTS, TINY_DIVISIONS)
    b = small(C=0.5).fit(TINY_TEXTS, TINY_DIVISIONS)
    del a.version_, b.version_
    assert model_version(a) != model_version(b)
    assert model_version(a) == model_version(a)


def test_predict_code_and_sections_agree_on_held_out_answers(default_model):
    texts = load_labelled(split="test")["text"].tolist()
    table = default_model.code(texts)
    predicted = default_model.predict(texts)
    sections = default_model.predict_section(texts)
    filled = table["division"].notna().to_numpy()
    assert (predicted[filled] == table["division"].to_numpy()[filled]).all()
    assert (sections[filled] == table["section"].to_numpy()[filled]).all()
    assert table.loc[filled, "top3_kbli5"].map(lambda codes: 1 <= len(codes) <= 3).all()
    assert table.loc[filled, "top3_kbli5"].map(len).mean() > 2.9
    assert (table.loc[filled, "kbli5"] == table.loc[filled, "top3_kbli5"].str[0]).all()


def test_code_table_has_the_documented_columns_and_reasons(default_model):
    from analysis.sectors.model import CODE_COLUMNS, REVIEW_REASONS

    table = default_model.code(["warung kopi", "", "xkcd blorp fnord wibble"])
    assert list(table.columns) == CODE_COLUMNS
    assert set(table["reason"]) <= set(REVIEW_REASONS)
    assert table["needs_review"].tolist() == (table["reason"] != "").tolist()
    assert (table["margin"] <= table["confidence"]).all()


def test_suggest_kbli5_top_k_starts_inside_the_given_division(default_model):
    top = default_model.suggest_kbli5(["jual baju online", "ternak lele"], k=3)
    assert top.shape == (2, 3)
    inside = default_model.suggest_kbli5(["jual baju online"], divisions=["47"], k=3)
    assert all(code.startswith("47") for code in inside[0] if code)


def test_model_trained_on_codes_of_another_kbli_version_is_refused():
    from analysis.errors import ModelFileError

    clf = small().fit(TINY_TEXTS, TINY_DIVISIONS)
    clf.classes_ = np.array(["03", "45", "99"])  # 99 is no KBLI 2020 division
    with pytest.raises(ModelFileError, match="KBLI 2020"):
        clf.predict(["jual baju"])


def test_model_fitted_with_another_scikit_learn_version_is_refused():
    from analysis.errors import ModelFileError

    clf = small().fit(TINY_TEXTS, TINY_DIVISIONS)
    clf.sklearn_version_ = "0.24.2"
    with pytest.raises(ModelFileError, match="scikit-learn 0.24.2"):
        clf.code(["jual baju"])


def test_fit_accepts_weighted_extra_codes_and_missing_5_digit_codes():
    kbli5 = ["47711", "", "47711", "45407", None, "45407", "03221", "03221", ""] * 3
    heavy = np.where(np.arange(len(TINY_TEXTS)) % 9 == 0, 3.0, 1.0)
    clf = small().fit(TINY_TEXTS, TINY_DIVISIONS, sample_weight=heavy, kbli5=kbli5)
    assert "45407" in clf.suggest_kbli5(["servis motor dan tambal ban"], k=3)[0]
    assert clf.kbli5_prior_[clf.kbli5_codes_ == "45407"][0] == 1.0  # the only labelled code of 45


def test_auto_rule_is_cross_fitted_and_reaches_the_target_out_of_sample(default_model):
    rule = default_model.auto_rule_
    chosen = rule[default_model.review_score]
    assert chosen["threshold"] == default_model.review_threshold_
    assert chosen["crossfit_precision"] >= 0.95
    assert chosen["crossfit_share"] >= 0.6
