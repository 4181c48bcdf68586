"""Reading a workbook into plain sheets of text, with size caps applied before any parsing.

.xlsx is read with openpyxl and .xls with xlrd; the format is decided from the file's first
bytes, not its name. Formula cells are recorded (the importer refuses them: an XLSForm is
data, and openpyxl does not compute formulas); encrypted workbooks are refused. Legacy .xls
files only keep a formula's last value, which xlrd reads like any value.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field

from survey_app.xlsform.errors import N_, fail

# Real forms are well under 1 MB (a 700-row, 10-language form is ~300 KB); the caps leave
# room while keeping a hostile upload from tying up a worker or its memory.
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNZIPPED_BYTES = 40 * 1024 * 1024  # all parts of an .xlsx together, uncompressed
MAX_ROWS = 10_000
MAX_COLUMNS = 500

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An encrypted .xlsx is an OLE2 container holding an "EncryptionInfo" stream (MS-OFFCRYPTO).
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")


@dataclass
class Sheet:
    """One worksheet: its header cells and its non-blank data rows with 1-based row numbers."""

    name: str
    header: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    # (row, column letter, column index) of formula cells; the importer decides (see importer)
    formulas: list[tuple[int, str, int]] = field(default_factory=list)


def read_workbook(data: bytes, max_bytes: int = MAX_FILE_BYTES) -> dict[str, Sheet]:
    """Sheets of an .xlsx/.xls file by name; raises :class:`XLSFormError` on bad input."""
    if len(data) > max_bytes:
        fail(N_("the file is %(size).1f MB; the limit is %(limit).0f MB (an XLSForm is rarely over 1 MB: remove "
                "pasted images or data sheets)", size=len(data) / 1_048_576, limit=max_bytes / 1_048_576))
    if data.startswith(_ZIP_MAGIC):
        return _read_xlsx(data)
    if data.startswith(_OLE2_MAGIC):
        if _ENCRYPTION_INFO in data:
            fail(N_("the workbook is password-protected; save it without a password and try again"))
        return _read_xls(data)
    fail(N_("this is not a spreadsheet: upload an XLSForm saved as .xlsx or .xls"))
    raise AssertionError  # unreachable; fail() raises


def _text(value) -> str:
    """A cell as text the way an author sees it (1.0 → '1', dates as ISO)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()[:10] if not isinstance(value, dt.datetime) or not value.time() else value.isoformat()
    return str(value).strip()


def _check_zip(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        fail(N_("the file is damaged (not a readable .xlsx); open it in a spreadsheet program and save it again"))
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_UNZIPPED_BYTES or total > MAX_UNZIPPED_BYTES:
            fail(N_("part '%(part)s' of the workbook unpacks to more than %(limit)d MB; an XLSForm is far smaller "
                    "— remove data sheets or images", part=info.filename, limit=MAX_UNZIPPED_BYTES // 1_048_576),
                 sheet=info.filename)
    if "xl/workbook.xml" not in {info.filename for info in infos}:
        fail(N_("the file is a zip archive but not an Excel workbook (.xlsx)"))


def _read_xlsx(data: bytes) -> dict[str, Sheet]:
    import openpyxl  # imported here: only needed for .xlsx

    _check_zip(data)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - openpyxl raises many types for damaged files
        fail(N_("the file is damaged (not a readable .xlsx); open it in a spreadsheet program and save it again"))
    sheets: dict[str, Sheet] = {}
    try:
        for worksheet in book.worksheets:
            sheets[worksheet.title] = _collect(worksheet.title, _xlsx_rows(worksheet))
    finally:
        book.close()
    return sheets


def _xlsx_rows(worksheet):
    for number, row in enumerate(worksheet.iter_rows(), start=1):
        cells, formulas = [], []
        for index, cell in enumerate(row):
            value = getattr(cell, "value", None)
            if index >= MAX_COLUMNS:
                if value not in (None, ""):  # formatting can stretch a sheet; values cannot
                    fail(N_("the row has more than %(limit)d columns", limit=MAX_COLUMNS), worksheet.title, number)
                continue
            if getattr(cell, "data_type", None) == "f":
                formulas.append((number, getattr(cell, "column_letter", None) or str(index + 1), index))
            cells.append(value)
        yield number, cells, formulas


def _read_xls(data: bytes) -> dict[str, Sheet]:
    import xlrd  # imported here: only needed for legacy .xls

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except xlrd.biffh.XLRDError as error:
        if "encrypt" in str(error).lower():
            fail(N_("the workbook is password-protected; save it without a password and try again"))
        fail(N_("the file is damaged (not a readable .xls); open it in a spreadsheet program and save it again"))
    except Exception:  # noqa: BLE001 - xlrd raises assorted errors for damaged files
        fail(N_("the file is damaged (not a readable .xls); open it in a spreadsheet program and save it again"))
    sheets: dict[str, Sheet] = {}
    try:
        for sheet in book.sheets():
            def rows(sheet=sheet):
                for index in range(sheet.nrows):
                    values = []
                    for cell in sheet.row(index):
                        value = cell.value
                        if cell.ctype == xlrd.XL_CELL_DATE:
                            value = xlrd.xldate.xldate_as_datetime(value, book.datemode)
                        elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                            value = bool(value)
                        values.append(value)
                    yield index + 1, values, []
            sheets[sheet.name] = _collect(sheet.name, rows())
    finally:
        book.release_resources()
    return sheets


def _collect(name: str, rows) -> Sheet:
    sheet = Sheet(name, [])
    for number, cells, formulas in rows:
        sheet.formulas.extend(formulas)
        if number > MAX_ROWS:
            fail(N_("the sheet has more than %(limit)d rows; an XLSForm is far shorter", limit=MAX_ROWS), name, number)
        texts = [_text(value) for value in cells]
        while texts and texts[-1] == "":
            texts.pop()
        if len(texts) > MAX_COLUMNS:
            fail(N_("the row has more than %(limit)d columns", limit=MAX_COLUMNS), name, number)
        if number == 1:
            sheet.header = texts
        elif texts:
            sheet.rows.append((number, texts))
    return sheet
