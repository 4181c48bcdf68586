"""Reading and writing the CSV files of the analysis package, with clear errors.

Input comes from survey exports and spreadsheets, so the common failures
(wrong encoding, missing column, malformed rows) are turned into
:class:`~analysis.errors.InputDataError` messages that say what to do, instead
of tracebacks.

Every CSV the package writes goes through :func:`neutralise_formulas` (CSV
injection): survey answers are untrusted, and a cell such as
``-2+3+cmd|' /C calc'!A0`` or ``@SUM(1+1)*cmd`` must never run when a researcher
opens a table in a spreadsheet.  The app's exports use the same :func:`neutralise`.
"""
from __future__ import annotations

import codecs
import io
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from .errors import InputDataError

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""A text cell starting with one of these is a formula (or becomes one) in Excel/LibreOffice."""


def read_table(path: str | Path, required: Sequence[str] = (), encoding: str = "utf-8") -> pd.DataFrame:
    """Read a CSV file as strings, checking encoding and required columns.

    Parameters
    ----------
    path : str or Path
    required : sequence of str
        Columns that must be present.
    encoding : str, default "utf-8"
        A UTF-8 byte-order mark is accepted and removed.

    Returns
    -------
    pandas.DataFrame
        All columns as ``str``; empty cells are empty strings.

    Raises
    ------
    InputDataError
    """
    path = Path(path)
    if not path.is_file():
        raise InputDataError(f"input file not found: {path}")
    raw = path.read_bytes()
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise InputDataError(f"unknown encoding {encoding!r}") from None
    if encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        encoding = "utf-8-sig"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputDataError(
            f"{path} is not valid {encoding.replace('-sig', '')} text (byte 0x{raw[exc.start]:02x} on line {line}). "
            "Save it as 'CSV UTF-8' or pass its encoding, e.g. --encoding latin-1."
        ) from None
    if not text.strip():
        raise InputDataError(f"{path} is empty")
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputDataError(f"{path} is not a well-formed CSV file: {exc}") from None
    missing = [column for column in required if column not in table.columns]
    if missing:
        available = ", ".join(map(str, table.columns)) or "(none)"
        raise InputDataError(
            f"{path} has no column {', '.join(map(repr, missing))}; available columns: {available}")
    return table


def neutralise(text: str) -> str:
    """``text`` as a spreadsheet will show it, never run it: a formula-like cell gets a leading ``'``.

    Every text starting with ``= + - @``, tab or CR is guarded, digits after the sign
    included (``-2+3+cmd|…`` starts like a number).  Numbers that are numbers (not text)
    are never passed here, so they stay numbers.

    Examples
    --------
    >>> neutralise("=1+1"), neutralise("-2+3+cmd|' /C calc'!A0 warung"), neutralise("@SUM(1+1)*cmd")
    ("'=1+1", "'-2+3+cmd|' /C calc'!A0 warung", "'@SUM(1+1)*cmd")
    >>> neutralise("jual -5"), neutralise("-5"), neutralise("")
    ('jual -5', "'-5", '')
    """
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def neutralise_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` whose text cells are safe in a spreadsheet (see :func:`neutralise`).

    Column names are text cells too, so they are neutralised as well.  Numbers stay
    numbers.

    Examples
    --------
    >>> neutralise_formulas(pd.DataFrame({"t": ["=1+1", "jual -5", "-abc", None], "n": [-5, 1, 2, 3]})).values.tolist()
    [["'=1+1", -5], ['jual -5', 1], ["'-abc", 2], [None, 3]]
    """
    out = table.copy()
    for column in out.columns:
        values = out[column]
        if values.dtype == object or isinstance(values.dtype, (pd.StringDtype, pd.CategoricalDtype)):
            out[column] = values.astype(object).map(lambda v: neutralise(v) if isinstance(v, str) else v)
    out.columns = [neutralise(c) if isinstance(c, str) else c for c in out.columns]
    return out


def csv_text(table: pd.DataFrame) -> str:
    """``table`` as CSV text (CRLF, no index) with formula-like cells neutralised."""
    return neutralise_formulas(table).to_csv(index=False, lineterminator="\r\n")


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` as UTF-8 through a temporary file: readers never see half a file."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_table(table: pd.DataFrame, path: str | Path) -> None:
    """Write ``table`` as UTF-8 CSV, neutralising spreadsheet formulas."""
    path = Path(path)
    try:
        atomic_write_text(path, csv_text(table))
    except OSError as exc:
        raise InputDataError(f"cannot write {path}: {exc.strerror or exc}") from None
