"""KBLI 2020 sector coding of free-text business descriptions.

Private modules, one job each: ``normalize`` (text clean-up), ``lexicon``
(slang table), ``autocode`` (the auto-coding rule), ``kbli`` (the hierarchy), ``labelled`` (the labelled set and
its split rule), ``features`` (TF-IDF), ``model`` (the estimator),
``storage`` (pickle-free model files), ``default`` (the cached default
model), ``classify`` (batch coding), ``evaluate`` (metrics), ``io`` (CSV).
"""
from ..errors import InputDataError, ModelFileError, SectorError, SeedDataError
from .classify import LONG_TEXT_CHARS, classify_texts
from .default import DEFAULT_PARAMS, load_default_model, train_default_model
from .evaluate import agreement_summary, cohen_kappa, compare_models, confusion_summary, evaluate_model, held_out_report
from .kbli import KbliHierarchy, load_kbli
from .labelled import load_labelled
from .model import (
    CODE_COLUMNS,
    DEFAULT_REVIEW_THRESHOLD,
    FITTED_ATTRIBUTES,
    REVIEW_REASONS,
    SectorClassifier,
    model_version,
)
from .normalize import normalize_text
from .storage import is_signed, load_model, save_model, sign_model

__all__ = [
    "CODE_COLUMNS",
    "FITTED_ATTRIBUTES",
    "REVIEW_REASONS",
    "agreement_summary",
    "cohen_kappa",
    "compare_models",
    "held_out_report",
    "model_version",
    "DEFAULT_PARAMS",
    "DEFAULT_REVIEW_THRESHOLD",
    "LONG_TEXT_CHARS",
    "InputDataError",
    "KbliHierarchy",
    "ModelFileError",
    "SectorClassifier",
    "SectorError",
    "SeedDataError",
    "classify_texts",
    "confusion_summary",
    "evaluate_model",
    "load_default_model",
    "load_kbli",
    "load_labelled",
    "is_signed",
    "load_model",
    "normalize_text",
    "save_model",
    "sign_model",
    "train_default_model",
]
