"""Labels of codes shipped in seeds/ (training categories, provinces), read once per process.

One source for the whole project: :mod:`analysis.reference` reads ``seeds/*.csv``; the app
asks it with its configured ``SEEDS_DIR``.
"""
from __future__ import annotations

from flask import current_app

from analysis.reference import category_labels as _category_labels
from analysis.reference import province_labels as _province_labels


def category_labels(language: str) -> dict[str, str]:
    """Training category code → label in ``language`` (Indonesian when a label is missing)."""
    return _category_labels(language if language in ("id", "en") else "id", current_app.config["SEEDS_DIR"])


def province_labels() -> dict[str, str]:
    """Province code → name."""
    return _province_labels(current_app.config["SEEDS_DIR"])
