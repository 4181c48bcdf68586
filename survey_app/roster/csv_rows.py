"""Validation and normalisation of one roster row (trainings, alumni, enrollments).

Each rule turns the text values of a row into the values stored in the database, or raises
:class:`BadRow` listing everything wrong with the row. Text is stored as given (after
trimming): formula-like or HTML content is data, escaped where it is shown or exported.
"""
from __future__ import annotations

import re
from datetime import date

from email_validator import EmailNotValidError, validate_email

from survey_app.models import Alumnus, Training
from survey_app.roster.provinces import PROVINCES

TRAINING_COLUMNS = ("code", "title", "provider", "category")
TRAINING_OPTIONAL = ("description",)
ALUMNUS_COLUMNS = ("external_id", "name", "phone", "email", "province", "sex", "birth_year", "cohort")
ENROLLMENT_COLUMNS = ("external_id", "training_code", "completed_at")

# Indonesian exports write L (laki-laki) / P (perempuan); English ones M / F.
_SEXES = {"m": "M", "f": "F", "l": "M", "p": "F", "male": "M", "female": "F",
          "laki-laki": "M", "perempuan": "F"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_EXCEPT_NEWLINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PHONE_SEPARATORS = re.compile(r"[\s\-.()/]")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_OLDEST_BIRTH_YEAR = 1930
_YOUNGEST_AGE = 15


def _limit(model, column: str) -> int:
    return model.__table__.c[column].type.length


# Column lengths come from the models, so the checks follow any schema change.
_MAX = {
    "code": _limit(Training, "code"), "title": _limit(Training, "title"),
    "provider": _limit(Training, "provider"), "category": _limit(Training, "category"),
    "description": _limit(Training, "description"),
    "external_id": _limit(Alumnus, "external_id"), "name": _limit(Alumnus, "name"),
    "email": _limit(Alumnus, "email"), "cohort": _limit(Alumnus, "cohort"),
}


class BadRow(Exception):
    """A row that cannot be imported; ``problems`` are human-readable reasons."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


class RowRules:
    """The checks for each kind of roster row; ``today`` bounds dates and birth years."""

    def __init__(self, today: date | None = None):
        self.today = today or date.today()
        self.youngest_birth_year = self.today.year - _YOUNGEST_AGE

    def training(self, values: dict[str, str]) -> dict:
        """Return the ``trainings`` columns for one trainings.csv row."""
        p = _Problems()
        row = {
            "code": p.text(values, "code", _MAX["code"], required=True),
            "title": p.text(values, "title", _MAX["title"], required=True),
            "provider": p.text(values, "provider", _MAX["provider"]),
            "category": p.text(values, "category", _MAX["category"], required=True),
            "description": p.text(values, "description", _MAX["description"],
                                  multiline=True),
        }
        return p.result(row)

    def alumnus(self, values: dict[str, str]) -> dict:
        """Return the ``alumni`` columns for one alumni.csv row."""
        p = _Problems()
        row = {
            "external_id": p.text(values, "external_id", _MAX["external_id"], required=True),
            "name": p.text(values, "name", _MAX["name"], required=True),
            "phone": p.check(values, "phone", normalise_phone) or "",
            "email": p.check(values, "email", normalise_email) or "",
            "province_code": p.check(values, "province", _province),
            "sex": p.check(values, "sex", _sex),
            "birth_year": p.check(values, "birth_year", self._birth_year),
            "cohort": p.text(values, "cohort", _MAX["cohort"]) or None,
        }
        return p.result(row)

    def enrollment(self, values: dict[str, str]) -> dict:
        """Return ``external_id``, ``training_code`` and ``completed_at`` (a date or None)."""
        p = _Problems()
        row = {
            "external_id": p.text(values, "external_id", _MAX["external_id"], required=True),
            "training_code": p.text(values, "training_code", _MAX["code"], required=True),
            "completed_at": p.check(values, "completed_at", self._completed_at),
        }
        return p.result(row)

    def _birth_year(self, raw: str) -> int:
        if not (raw.isascii() and raw.isdigit() and len(raw) == 4):
            raise ValueError("must be a four-digit year")
        year = int(raw)
        if not _OLDEST_BIRTH_YEAR <= year <= self.youngest_birth_year:
            raise ValueError(f"is not plausible (expected {_OLDEST_BIRTH_YEAR}..{self.youngest_birth_year})")
        return year

    def _completed_at(self, raw: str) -> date:
        if not _ISO_DATE.fullmatch(raw):
            raise ValueError("must be an ISO date YYYY-MM-DD")
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            raise ValueError("is not a real date") from None
        if day > self.today:
            raise ValueError("is in the future")
        return day


def normalise_phone(raw: str) -> str:
    """Return an Indonesian number as +62… (accepts 08…, 8…, 62…, +62…, with separators)."""
    digits = _PHONE_SEPARATORS.sub("", raw)
    for prefix in ("+62", "0062", "62", "0"):
        if digits.startswith(prefix):
            national = digits[len(prefix):]
            break
    else:
        if not digits.startswith("8"):
            raise ValueError("must be an Indonesian number (+62…, 62…, 08…)")
        national = digits
    national = national.removeprefix("0")  # "+62 0812…" is a common way of writing it
    if not (national.isascii() and national.isdigit()):
        raise ValueError("may contain only digits, spaces, dashes, dots and a leading +")
    if not 8 <= len(national) <= 12:
        raise ValueError("has the wrong number of digits for an Indonesian number")
    return "+62" + national


def normalise_email(raw: str) -> str:
    """Check an e-mail address's syntax (email-validator, no DNS) and return its normal form.

    Addresses with non-ASCII characters (``ñandú@example.org``) are valid; the sender delivers
    them when the SMTP server offers SMTPUTF8 and marks only that message undeliverable if not.
    """
    if len(raw) > _MAX["email"]:
        raise ValueError(f"is longer than {_MAX['email']} characters")
    try:
        checked = validate_email(raw, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"is not an e-mail address: {exc}") from None
    if len(checked.normalized) > _MAX["email"]:
        raise ValueError(f"is longer than {_MAX['email']} characters")
    return checked.normalized


def _province(raw: str) -> str:
    if raw not in PROVINCES:
        raise ValueError("is not a Kepmendagri province code (two digits, 11..96)")
    return raw


def _sex(raw: str) -> str:
    try:
        return _SEXES[raw.lower()]
    except KeyError:
        raise ValueError("must be M/F (or L/P)") from None


class _Problems:
    """Collects every problem of one row so that the user can fix them all at once."""

    __slots__ = ("problems",)

    def __init__(self):
        self.problems: list[str] = []

    def text(self, values: dict, column: str, max_length: int, *, required: bool = False,
             multiline: bool = False) -> str:
        value = values.get(column, "").strip()
        if not value:
            if required:
                self.problems.append(f"{column} is empty")
            return ""
        if len(value) > max_length:
            self.problems.append(f"{column} is longer than {max_length} characters")
            return ""
        control = _CONTROL_EXCEPT_NEWLINES if multiline else _CONTROL
        if control.search(value):
            self.problems.append(f"{column} contains control characters or line breaks")
            return ""
        return value

    def check(self, values: dict, column: str, convert):
        """Empty → None; otherwise ``convert(value)``, whose ValueError becomes a problem."""
        value = values.get(column, "").strip()
        if not value:
            return None
        try:
            return convert(value)
        except ValueError as exc:
            self.problems.append(f"{column} {_quote(value)} {exc}")
            return None

    def result(self, row: dict) -> dict:
        if self.problems:
            raise BadRow(self.problems)
        return row


def _quote(value: str) -> str:
    # Keep messages one line and short even for hostile input.
    shown = value if len(value) <= 40 else value[:37] + "..."
    return repr(shown)
