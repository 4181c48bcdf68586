"""Keeping CSV/XLSX cells from being run as formulas by spreadsheet programs (CSV injection)."""
from __future__ import annotations

# A cell starting with one of these is a formula (or becomes one) in Excel/LibreOffice.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Text that spreadsheets will show as text, never run as a formula."""
    if text and text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text
