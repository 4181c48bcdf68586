"""What an XLSForm import found: issues located by sheet, row and column."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Self

# Severity of an issue:
#   error       the file cannot be imported as it is (bad input);
#   unsupported a feature Jejak does not have; --skip-unsupported drops it (and says so);
#   note        something mapped with a loss or ignored on purpose; the import goes ahead.
ERROR, UNSUPPORTED, NOTE = "error", "unsupported", "note"


class Message(str):
    """An English message that remembers its template and values, so the staff site can show
    it in the user's language (the template is the msgid in messages.po)."""

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, **params: Any) -> Self:
        text = super().__new__(cls, template % params if params else template)
        text.template, text.params = template, params
        return text


def N_(template: str, **params: Any) -> Message:
    """Mark a message for translation (extracted by Babel) and fill in its values."""
    return Message(template, **params)


def translated(message: str, gettext: Callable[..., str]) -> str:
    """``message`` in the current language when it is a :class:`Message` (values too)."""
    if not isinstance(message, Message):
        return message
    values = {key: translated(value, gettext) if isinstance(value, Message) else value
              for key, value in message.params.items()}
    return gettext(message.template, **values) if values else gettext(message.template)


@dataclass(frozen=True)
class Issue:
    """One thing to tell the author, with where it is in the workbook."""

    kind: str
    message: str
    sheet: str | None = None
    row: int | None = None  # 1-based, as spreadsheet programs number rows
    column: str | None = None  # the column header as written in the file

    def location(self) -> str:
        """``sheet 'survey', row 12, column 'relevant'`` (the parts that are known)."""
        parts = []
        if self.sheet is not None:
            parts.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.location()
        return f"{self.kind}: {where}: {self.message}" if where else f"{self.kind}: {self.message}"

    def as_dict(self) -> dict:
        """Plain data for templates and JSON."""
        return {"kind": self.kind, "message": self.message, "sheet": self.sheet, "row": self.row,
                "column": self.column, "location": self.location()}


class XLSFormError(ValueError):
    """The workbook cannot be imported; ``issues`` lists every problem (errors first)."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        super().__init__("\n".join(str(issue) for issue in issues))


def fail(message: str, sheet: str | None = None, row: int | None = None, column: str | None = None):
    """Raise an :class:`XLSFormError` with a single error."""
    raise XLSFormError([Issue(ERROR, message, sheet, row, column)])
