"""Fixtures for the XLSForm tests: the shared corpus folder and small inline workbooks."""
from __future__ import annotations

import io
import os
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import skip_or_fail

REPO_ROOT = Path(__file__).resolve().parents[3]


def corpus_dir() -> Path:
    """``$JEJAK_XLSFORMS_DIR``, else ``../shared/xlsforms`` beside the checkout."""
    configured = os.environ.get("JEJAK_XLSFORMS_DIR")
    return Path(configured) if configured else REPO_ROOT.parent / "shared" / "xlsforms"


def corpus_forms() -> list[str]:
    """File names of the corpus forms (empty when the folder is missing)."""
    folder = corpus_dir()
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.suffix.lower() in (".xls", ".xlsx"))


@pytest.fixture
def xlsforms_dir() -> Path:
    folder = corpus_dir()
    if not folder.is_dir() or not corpus_forms():
        skip_or_fail(f"XLSForm corpus not found at {folder} (set JEJAK_XLSFORMS_DIR)")
    return folder


def make_xlsx(survey: list[list], choices: list[list] | None = None, settings: list[list] | None = None,
              extra: dict[str, list[list]] | None = None) -> bytes:
    """An .xlsx workbook from rows (the first row of each sheet is its header)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in (("survey", survey), ("choices", choices), ("settings", settings), *(extra or {}).items()):
        if rows is None:
            continue
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


YES_NO = [["list_name", "name", "label::English (en)", "label::Indonesian (id)"],
          ["yes_no", "yes", "Yes", "Ya"], ["yes_no", "no", "No", "Tidak"]]


# Ten languages, in the header spellings real forms use (name and code, code only, no space).
BIG_LANGUAGES = [("English (en)", "en"), ("Indonesian(id)", "id"), ("fr", "fr"), ("Spanish (es)", "es"),
                 ("Swahili(sw)", "sw"), ("hi", "hi"), ("Nepali (ne)", "ne"), ("pt", "pt"), ("Arabic (ar)", "ar"),
                 ("zh", "zh")]


def big_form(groups: int = 60) -> bytes:
    """A household-survey-like XLSForm of ~700 survey rows in 10 languages.

    Each group is a field-list page shown only when the previous group's first answer is
    'yes', with a select_one, a constrained integer, a follow-up text, a select_multiple,
    a decimal, a date, a calculate, a note and a required text; a repeat of members at the end.
    """
    langs = [f"label::{header}" for header, _ in BIG_LANGUAGES]
    hints = [f"hint::{header}" for header, _ in BIG_LANGUAGES]
    header = ["type", "name", *langs, *hints, "relevant", "constraint", "calculation", "required", "appearance",
              "repeat_count"]

    def row(kind, name, text="", relevant="", constraint="", calculation="", required="", appearance="", count=""):
        labels = [f"{text} [{code}]" if text else "" for _, code in BIG_LANGUAGES]
        hint_cells = [f"hint {name} [{code}]" if text and kind != "note" else "" for _, code in BIG_LANGUAGES]
        return [kind, name, *labels, *hint_cells, relevant, constraint, calculation, required, appearance, count]

    survey = [header, row("integer", "members", "How many members?", constraint=". >= 1 and . <= 20",
                          required="yes")]
    for g in range(groups):
        shown = f"${{owns_{g - 1}}} = 'yes'" if g else ""
        survey += [
            row("begin group", f"section_{g}", f"Section {g}", relevant=shown, appearance="field-list"),
            row("select_one yes_no", f"owns_{g}", f"Owns item {g}?", required="yes"),
            row("integer", f"count_{g}", f"How many of item {g}?", relevant=f"${{owns_{g}}} = 'yes'",
                constraint=". >= 0 and . <= 100"),
            row("text", f"detail_{g}", f"Describe item {g}", relevant=f"${{count_{g}}} > 1"),
            row("select_multiple source", f"source_{g}", f"Where from ({g})?"),
            row("decimal", f"price_{g}", f"Price of item {g}", constraint=". >= 0"),
            row("date", f"bought_{g}", f"When bought ({g})?", constraint=". <= today()"),
            row("calculate", f"total_{g}", calculation=f"${{count_{g}}} * ${{price_{g}}}"),
            row("note", f"note_{g}", f"Total so far for item {g}"),
            row("text", f"who_{g}", f"Who answered section {g}?", required="yes"),
            row("end group", ""),
        ]
    survey += [row("begin repeat", "member", "Member", count="${members}"),
               row("text", "member_name", "Name", required="yes"),
               row("integer", "member_age", "Age", constraint=". >= 0 and . <= 120", required="yes"),
               row("end repeat", "")]
    choices = [["list_name", "name", *langs]]
    for list_name, names in (("yes_no", ["yes", "no"]), ("source", ["market", "shop", "gift", "made"])):
        for name in names:
            choices.append([list_name, name, *[f"{name} [{code}]" for _, code in BIG_LANGUAGES]])
    return make_xlsx(survey, choices, [["form_title", "form_id", "default_language"],
                                       ["Household assets", "household_assets", "English (en)"]])
