"""Jejak analysis: survey data analysis that runs without the web app.

This package must never import Flask or ``survey_app``; the app depends on
it, not the other way round.  The public API is what ``__all__`` lists.

Examples
--------
>>> from analysis import normalize_text
>>> normalize_text("Jualan KOPI dpn rmh")
'jual kopi depan rumah'
"""
from .dataset import Dataset, FormatError, load_dataset
from .errors import InputDataError, ModelFileError, SectorError, SeedDataError
from .estimates import Estimate, weighted_mean, weighted_median, weighted_proportion, weighted_quantile
from .frame import (
    FrameOptions,
    SurveyFrame,
    add_links,
    add_weights,
    build_frame,
    link_businesses,
    survey_frame,
    survey_weights,
)
from .io import neutralise, neutralise_formulas
from .linkage import load_sector_map, most_related_training
from .official import load_reference_figures, reference_figures
from .panel import (
    PanelFrame,
    attrition_weights,
    business_survival,
    incentive_use,
    income_change,
    new_business_between_waves,
    panel_frame,
    panel_status,
    status_transitions,
    waiting_time,
)
from .reference import category_labels, province_labels
from .report import build_report
from .sectors import (
    DEFAULT_REVIEW_THRESHOLD,
    SectorClassifier,
    classify_texts,
    evaluate_model,
    load_default_model,
    load_kbli,
    load_model,
    normalize_text,
    save_model,
    sign_model,
)
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
from .weights import RakingError, RakingResult, rake, weight_diagnostics

__all__ = [
    "DEFAULT_REVIEW_THRESHOLD",
    "InputDataError",
    "ModelFileError",
    "SectorClassifier",
    "SectorError",
    "SeedDataError",
    "classify_texts",
    "evaluate_model",
    "load_default_model",
    "load_kbli",
    "load_model",
    "normalize_text",
    "save_model",
    "sign_model",
    # research dataset, weights, estimates, linkage, report tables
    "Dataset",
    "Estimate",
    "FormatError",
    "FrameOptions",
    "SurveyFrame",
    "add_links",
    "add_weights",
    "build_frame",
    "survey_frame",
    # spreadsheet safety and reference labels (shared with the app)
    "category_labels",
    "neutralise",
    "neutralise_formulas",
    "province_labels",
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
    # panel: follow-up waves, attrition weights, tracer tables, published figures (issue 11)
    "PanelFrame",
    "attrition_weights",
    "business_survival",
    "income_change",
    "incentive_use",
    "load_reference_figures",
    "new_business_between_waves",
    "panel_frame",
    "panel_status",
    "reference_figures",
    "status_transitions",
    "waiting_time",
]
