"""Jejak analysis: survey data analysis that runs without the web app.

This package must never import Flask or ``survey_app``; the app depends on
it, not the other way round.  The public API is what ``__all__`` lists.

Examples
--------
>>> from analysis import normalize_text
>>> normalize_text("Jualan KOPI dpn rmh")
'jual kopi depan rumah'
"""
from .sectors import (
    DEFAULT_REVIEW_THRESHOLD,
    InputDataError,
    ModelFileError,
    SectorClassifier,
    SectorError,
    classify_texts,
    evaluate_model,
    load_default_model,
    load_kbli,
    load_model,
    normalize_text,
    save_model,
)
from .dataset import Dataset, FormatError, load_dataset
from .estimates import Estimate, weighted_mean, weighted_median, weighted_proportion, weighted_quantile
from .linkage import link_businesses, load_sector_map, most_related_training
from .report import build_report
from .tables import (
    alignment_by_training_category,
    business_rate_by_training_category,
    disagreements,
    headline_estimates,
    response_rate,
    revenue_by_sector,
    sector_mix,
    started_after_training,
    training_category_by_sector,
    weighting_summary,
)
from .weights import RakingError, RakingResult, rake, survey_weights, weight_diagnostics

__all__ = [
    "DEFAULT_REVIEW_THRESHOLD",
    "InputDataError",
    "ModelFileError",
    "SectorClassifier",
    "SectorError",
    "classify_texts",
    "evaluate_model",
    "load_default_model",
    "load_kbli",
    "load_model",
    "normalize_text",
    "save_model",
    # research dataset, weights, estimates, linkage, report tables
    "Dataset",
    "Estimate",
    "FormatError",
    "RakingError",
    "RakingResult",
    "alignment_by_training_category",
    "build_report",
    "business_rate_by_training_category",
    "disagreements",
    "headline_estimates",
    "link_businesses",
    "load_dataset",
    "load_sector_map",
    "most_related_training",
    "rake",
    "response_rate",
    "revenue_by_sector",
    "sector_mix",
    "started_after_training",
    "survey_weights",
    "training_category_by_sector",
    "weight_diagnostics",
    "weighted_mean",
    "weighted_median",
    "weighted_proportion",
    "weighted_quantile",
    "weighting_summary",
]
