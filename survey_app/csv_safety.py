"""Keeping CSV/XLSX cells from being run as formulas by spreadsheet programs (CSV injection)."""
from __future__ import annotations

import re

# A cell starting with one of these is a formula (or becomes one) in Excel/LibreOffice.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# A normalised phone number (+62…) is digits only: a spreadsheet reads it as a number, never
# runs it, and a gateway needs it without the protective quote.
PLAIN_PHONE = re.compile(r"^\+\d{6,15}$")


def neutralise(text: str) -> str:
    """Text that spreadsheets will show as text, never run as a formula."""
    if text and text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def neutralise_phone(phone: str | None) -> str:
    """A phone number for a CSV cell: kept as is when it is a plain +digits number."""
    if phone is None:
        return ""
    return phone if PLAIN_PHONE.match(phone) else neutralise(phone)
