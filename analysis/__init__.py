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
]
