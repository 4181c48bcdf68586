"""Multilingual texts: every Jejak text needs every language, XLSForms often lack some."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from survey_app.xlsform.errors import NOTE, Issue
from survey_app.xlsform.table import Table


@dataclass
class Texts:
    """Builds ``{language: text}`` mappings, filling gaps from the first language that has a text.

    Gaps are counted per sheet, column and language and reported once each as a note, so a
    10-language form with sparse translations gives a readable list.
    """

    languages: list[str]
    default_language: str
    gaps: dict[tuple[str, str, str], list[int]] = field(default_factory=lambda: defaultdict(list))

    def of(self, table: Table, number: int, cells: list[str], key: str) -> dict[str, str] | None:
        """The text in every language, or None when the row has none in any language."""
        found = table.texts(cells, key, self.default_language)
        if not found:
            return None
        present = {lang: value for lang, (value, _) in found.items() if lang in self.languages}
        if not present:
            return None
        fallback = next(present[lang] for lang in self.languages if lang in present)
        result = {}
        for lang in self.languages:
            if lang in present:
                result[lang] = present[lang]
            else:
                self.gaps[(table.name, key, lang)].append(number)
                result[lang] = fallback
        return result

    def same(self, text: str) -> dict[str, str]:
        """One text for every language (names used as labels, generated messages)."""
        return {lang: text for lang in self.languages}

    def notes(self) -> list[Issue]:
        """One note per (sheet, column, language) with missing translations."""
        issues = []
        for (sheet, key, lang), rows in sorted(self.gaps.items()):
            shown = ", ".join(str(r) for r in rows[:10]) + (" …" if len(rows) > 10 else "")
            issues.append(Issue(NOTE, f"{len(rows)} {key} text(s) have no '{lang}' translation; the text of "
                                f"the first language that has one is used (rows {shown})", sheet, rows[0],
                                f"{key}::{lang}"))
        return issues
