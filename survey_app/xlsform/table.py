"""A sheet with its headers understood: cells by canonical key, texts by language."""
from __future__ import annotations

from dataclasses import dataclass, field

from survey_app.xlsform.errors import N_, NOTE, UNSUPPORTED, Issue
from survey_app.xlsform.headers import MEDIA, Column, parse_header
from survey_app.xlsform.reader import Sheet

# CHT's spelling of "this row has no label" (its forms put it in every label column).
NO_LABEL = "NO_LABEL"


@dataclass
class Table:
    """``sheet`` with parsed columns; ``plain`` maps a key to its one untranslated column."""

    sheet: Sheet
    columns: list[Column] = field(default_factory=list)
    plain: dict[str, Column] = field(default_factory=dict)
    translated: dict[str, list[Column]] = field(default_factory=dict)

    @classmethod
    def of(cls, sheet: Sheet) -> Table:
        table = cls(sheet)
        for index, header in enumerate(sheet.header):
            column = parse_header(index, header)
            if column is None:
                continue
            table.columns.append(column)
            if column.language is None and not column.bad_language and column.key not in table.plain:
                table.plain[column.key] = column
            elif column.language is not None:
                table.translated.setdefault(column.key, []).append(column)
        return table

    @property
    def name(self) -> str:
        return self.sheet.name

    def rows(self):
        """``(row number, cells)`` for every non-blank data row."""
        return self.sheet.rows

    def get(self, cells: list[str], key: str) -> str:
        """The untranslated cell ``key`` of a row ('' when absent)."""
        column = self.plain.get(key)
        return cells[column.index].strip() if column is not None and column.index < len(cells) else ""

    def header_of(self, key: str) -> str:
        column = self.plain.get(key)
        return column.header if column is not None else key

    def texts(self, cells: list[str], key: str, default_language: str) -> dict[str, tuple[str, Column]]:
        """language → (text, column) for a translatable key; the plain column is the default language."""
        found: dict[str, tuple[str, Column]] = {}
        for column in self.translated.get(key, []):
            value = cells[column.index].strip() if column.index < len(cells) else ""
            if value and value != NO_LABEL and column.language:
                found.setdefault(column.language, (value, column))
        plain = self.plain.get(key)
        if plain is not None and plain.index < len(cells) and cells[plain.index].strip() not in ("", NO_LABEL):
            found.setdefault(default_language, (cells[plain.index].strip(), plain))
        return found

    def languages(self) -> list[str]:
        """Language codes of the translated columns, in column order."""
        seen: list[str] = []
        for column in self.columns:
            if column.language and column.language not in seen:
                seen.append(column.language)
        return seen

    def media_issues(self, number: int, cells: list[str], what: str) -> list[Issue]:
        """One 'unsupported' issue per non-empty image/audio/video cell of a row."""
        issues = []
        for column in self.columns:
            if column.key in MEDIA and column.index < len(cells) and cells[column.index].strip():
                issues.append(Issue(UNSUPPORTED, N_("media (%(kind)s) on %(what)s is not shown by Jejak; with "
                                                    "--skip-unsupported the media is left out and the text kept",
                                                    kind=column.key, what=what),
                                    self.name, number, column.header))
        return issues

    def unused_column_notes(self, used: set[str]) -> list[Issue]:
        """A note for each column with values that the importer does not use."""
        notes = []
        for column in self.columns:
            if column.key in used or column.key in MEDIA or column.bad_language:
                continue
            if any(column.index < len(cells) and cells[column.index].strip() for _, cells in self.rows()):
                notes.append(Issue(NOTE, "column not used by Jejak; ignored", self.name, None, column.header))
        return notes
