"""SectorClassifier follows scikit-learn conventions and codes answers sensibly."""
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import check_estimator

from analysis.sectors.classify import classify_texts
from analysis.sectors.labelled import load_labelled
from analysis.sectors.model import DEFAULT_REVIEW_THRESHOLD, SectorClassifier, choose_review_threshold

TINY_TEXTS = ["jual baju", "jualan baju anak", "toko pakaian", "servis motor", "bengkel motor",
              "tambal ban motor", "ternak lele", "budidaya ikan nila", "kolam lele"] * 3
TINY_DIVISIONS = ["47", "47", "47", "45", "45", "45", "03", "03", "03"] * 3


def small(**params):
    """A cheap configuration for convention tests (no KBLI texts)."""
    defaults = dict(reference=None, calibration_folds=2, max_word_features=500, max_char_features=2000)
    defaults.update(params)
    return SectorClassifier(**defaults)


# Checks of check_estimator that cannot apply to a text classifier, with why.
# Everything else in check_estimator runs and must pass.
TEXT_INPUT_CHECKS = {
    name: "feeds a numeric 2-D feature matrix; SectorClassifier takes one text per sample "
          "(a 1-D sequence or a single-column table) and rejects multi-column numeric arrays"
    for name in [
        "check_estimators_dtypes", "check_fit_score_takes_y", "check_sample_weights_pandas_series",
        "check_sample_weights_not_an_array", "check_sample_weights_list", "check_sample_weights_shape",
        "check_sample_weights_not_overwritten", "check_sample_weight_equivalence_on_dense_data",
        "check_sample_weight_equivalence_on_sparse_data", "check_estimators_fit_returns_self",
        "check_complex_data", "check_dtype_object", "check_estimators_empty_data_messages",
        "check_pipeline_consistency", "check_estimators_nan_inf", "check_estimators_overwrite_params",
        "check_estimator_sparse_array", "check_estimator_sparse_matrix", "check_estimator_sparse_tag",
        "check_estimators_pickle", "check_f_contiguous_array_estimator", "check_classifier_data_not_an_array",
        "check_classifiers_one_label", "check_classifiers_one_label_sample_weights", "check_classifiers_classes",
        "check_estimators_partial_fit_n_features", "check_classifiers_train", "check_classifiers_regression_target",
        "check_supervised_y_no_nan", "check_supervised_y_2d", "check_estimators_unfitted",
        "check_non_transformer_estimators_n_iter", "check_decision_proba_consistency", "check_fit2d_1sample",
        "check_fit2d_1feature", "check_dict_unchanged", "check_dont_overwrite_parameters", "check_fit_idempotent",
        "check_fit_check_is_fitted", "check_n_features_in", "check_fit2d_predict1d", "check_fit1d",
        "check_methods_subset_invariance", "check_methods_sample_order_invariance", "check_requires_y_none",
        "check_n_features_in_after_fitting", "check_positive_only_tag_during_fit", "check_mixin_order",
        "check_estimator_cloneable", "check_readonly_memmap_input", "check_estimators_pickle(readonly_memmap=True)",
        "check_estimator_repr", "check_classifiers_multilabel_representation_invariance",
        "check_classifiers_multilabel_output_format_predict", "check_classifiers_multilabel_output_format_predict_proba",
        "check_classifiers_multilabel_output_format_decision_function", "check_estimator_tags_renamed",
        "check_valid_tag_types", "check_get_params_invariance", "check_set_params", "check_do_not_raise_errors_in_init_or_set_params",
        "check_no_attributes_set_in_init", "check_parameters_default_constructible", "check_estimators_unfitted",
    ]
}
