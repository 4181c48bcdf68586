"""Reading and writing the CSV files the CLI works on, with clear errors.

Input comes from survey exports and spreadsheets, so the common failures
(wrong encoding, missing column, malformed rows) are turned into
:class:`~analysis.sectors.errors.InputDataError` messages that say what
to do, instead of tracebacks.
"""
from __future__ import annotations

import codecs
import io
from pathlib import Path

import pandas as pd

from .errors import InputDataError

_FORMULA_START = ("=", "+", "@", "\t", "\r")


def read_table(path: str | Path, required=(), encoding: str = "utf-8") -> pd.DataFrame:
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


def neutralise_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with ``'``.

    Survey answers are untrusted; a cell such as ``=HYPERLINK(...)`` must
    not execute when a researcher opens the output in Excel.

    Examples
    --------
    >>> neutralise_formulas(pd.DataFrame({"t": ["=1+1", "jual -5", "-abc", "-5"]}))["t"].tolist()
    ["'=1+1", 'jual -5', "'-abc", '-5']
    """
    out = table.copy()
    for column in out.columns:
        if out[column].dtype != object:
            continue
        values = out[column]
        is_text = values.map(lambda v: isinstance(v, str))
        text = values.where(is_text, "").astype(str)
        risky = is_text & (
            text.str.startswith(_FORMULA_START)
            | (text.str.startswith("-") & ~text.str.match(r"^-\d"))
        )
        out.loc[risky, column] = "'" + text[risky]
    return out


def write_table(table: pd.DataFrame, path: str | Path) -> None:
    """Write ``table`` as UTF-8 CSV, neutralising spreadsheet formulas."""
    path = Path(path)
    try:
        neutralise_formulas(table).to_csv(path, index=False, encoding="utf-8")
    except OSError as exc:
        raise InputDataError(f"cannot write {path}: {exc.strerror or exc}") from None
