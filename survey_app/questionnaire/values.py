"""Turning what a respondent typed into typed answers, and answers back into text."""
from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_babel import gettext as _

_INTEGER = re.compile(r"^[+-]?\d+$")
# Indonesians write 1.500.000 (dots) and some write 1,500,000: thousands groups of three.
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MAX_ABS_NUMBER = 10**15  # beyond any plausible amount in rupiah; keeps JSON/DB numbers exact


class InvalidValue(ValueError):
    """The typed text is not a valid value of the question's type; message is translated."""


def parse_integer(raw: str) -> int:
    """Whole number; accepts thousands separators (``1.500.000``) and spaces."""
    text = raw.strip().replace(" ", "")
    if sum(ch.isdigit() for ch in text) > 16:
        # Checked before int(): Python refuses to convert more than 4,300 digits (a
        # ValueError that used to become an HTTP 500), and no amount here needs 17.
        if _INTEGER.match(text) or _GROUPED.match(text):
            raise InvalidValue(_("This number is too large."))
    if _INTEGER.match(text):
        value = int(text)
    elif _GROUPED.match(text):
        value = int(re.sub(r"[.,]", "", text))
    else:
        raise InvalidValue(_("Please enter a whole number, digits only (for example 1500000)."))
    if abs(value) > MAX_ABS_NUMBER:
        raise InvalidValue(_("This number is too large."))
    return value


def parse_decimal(raw: str) -> float:
    """Number with an optional decimal part; a comma is the Indonesian decimal mark."""
    text = raw.strip().replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    if not re.match(r"^[+-]?(\d+(\.\d*)?|\.\d+)$", text):
        raise InvalidValue(_("Please enter a number (for example 2,5)."))
    if len(text) > 40:
        raise InvalidValue(_("This number is too large."))
    value = float(text)
    if abs(value) > MAX_ABS_NUMBER:
        raise InvalidValue(_("This number is too large."))
    return value


def parse_date(raw: str) -> str:
    """ISO date ``YYYY-MM-DD`` (what ``<input type=date>`` sends)."""
    try:
        return date.fromisoformat(raw.strip()).isoformat()
    except ValueError:
        raise InvalidValue(_("Please enter a date as year-month-day, for example 2023-08-17.")) from None


def parse_month_year(raw: str) -> str:
    """Month and year ``YYYY-MM``; also accepts ``MM/YYYY`` typed by hand."""
    text = raw.strip()
    typed = re.match(r"^(\d{1,2})[/-](\d{4})$", text)
    if typed:
        text = f"{typed.group(2)}-{int(typed.group(1)):02d}"
    match = _MONTH.match(text)
    if not match or not 1 <= int(match.group(2)) <= 12 or not 1900 <= int(match.group(1)) <= 2100:
        raise InvalidValue(_("Please enter a month and year, for example 2023-08."))
    return text


PARSERS = {"integer": parse_integer, "decimal": parse_decimal, "date": parse_date,
           "month_year": parse_month_year}


def format_number(value: Any, language: str) -> str:
    """Show a number with the language's thousands separator (1.500.000 / 1,500,000).

    Four-digit numbers are not grouped (as SI/ISO 80000 allow), so a year reads 1990, not 1.990.
    """
    grouping = "," if abs(value) >= 10000 else ""
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:{grouping}.2f}".rstrip("0").rstrip(".")
    else:
        text = f"{int(value):{grouping}}"
    if language == "id":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text
