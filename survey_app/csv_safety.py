"""Keeping CSV/XLSX cells from being run as formulas by spreadsheet programs (CSV injection).

One rule for the whole project: the implementation is :func:`analysis.io.neutralise`
(the analysis package writes CSV tables too, and must not import the app).
"""
from __future__ import annotations

from analysis.io import FORMULA_TRIGGERS, neutralise

__all__ = ["FORMULA_TRIGGERS", "neutralise"]
