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
