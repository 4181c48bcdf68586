"""Keeping CSV/XLSX cells from being run as formulas by spreadsheet programs (CSV injection).

One rule for the whole project: the implementation is :func:`analysis.io.neutralise`
(the analysis package writes CSV tables too, and must not import the app).
"""
from __future__ import annotations

import re

from analysis.io import FORMULA_TRIGGERS, neutralise

__all__ = ["FORMULA_TRIGGERS", "PLAIN_PHONE", "neutralise", "neutralise_phone"]

# A normalised phone number (+62…) is digits only: a spreadsheet reads it as a number, never
# runs it, and a gateway needs it without the protective quote.
PLAIN_PHONE = re.compile(r"^\+\d{6,15}$")


def neutralise_phone(phone: str | None) -> str:
    """A phone number for a CSV cell: kept as is when it is a plain +digits number."""
    if phone is None:
        return ""
    return phone if PLAIN_PHONE.match(phone) else neutralise(phone)
