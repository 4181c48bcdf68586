"""Writers for each export format, all fed by the same stream of rows.

- CSV: generated in ~64 KB chunks as rows arrive (nothing accumulates).
- XLSX: openpyxl's write-only mode (rows go to a temporary XML file, memory stays flat).
- Stata .dta (format 118, UTF-8): streamed row by row by :mod:`.stata` (flat memory).
- SPSS .sav (UTF-8): streamed by :mod:`.spss` in two passes through a temporary spool
  (flat memory; pyreadstat, used before, needed the whole table).

Text cells that a spreadsheet would run as a formula (starting with = + - @, tab or carriage
return) are prefixed with an apostrophe in CSV and XLSX (OWASP "CSV injection").
"""
from __future__ import annotations

import csv
import io
import math
import re
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from survey_app.csv_safety import neutralise
from survey_app.exports.columns import BINARY, CODE, DATETIME, DECIMAL, INTEGER, Column, row_extractor
from survey_app.questionnaire.definition import Text

BINARY_LABELS = Text({"id": "Dipilih", "en": "Selected"}), Text({"id": "Tidak dipilih", "en": "Not selected"})
CHUNK_BYTES = 64 * 1024
# Format limits: a label over the limit is cut at a character boundary and ends with "…";
# the codebook always has the full text.
STATA_VARIABLE_LABEL_CHARS = 80
STATA_VALUE_LABEL_BYTES = 32000
SPSS_VARIABLE_LABEL_BYTES = 256
SPSS_VALUE_LABEL_BYTES = 120
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")



def binary_labels(language: str) -> dict[int, str]:
    return {1: BINARY_LABELS[0].get(language), 0: BINARY_LABELS[1].get(language)}


# ---------------------------------------------------------------- text cells (CSV, XLSX)

def text_converter(column: Column, *, labels: bool, language: str) -> Callable[[Any], Any]:
    """value → cell for CSV/XLSX: numbers stay numbers, every text is neutralised.

    With ``labels``, a select_one cell holds the choice label in ``language`` instead of
    the choice name.
    """
    if column.kind == CODE and labels:
        mapping = {raw: neutralise(text) for raw, text in column.label_of(language).items()}
        return lambda v: None if v is None else mapping.get(v) or neutralise(str(v))
    if column.kind == BINARY and labels:
        names = binary_labels(language)
        return lambda v: None if v is None else names[v]
    if column.kind == DATETIME:
        return lambda v: None if v is None else v.strftime("%Y-%m-%dT%H:%M:%SZ")

    def convert(value):
        if value is None or isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        return neutralise(str(value))
    return convert


def csv_chunks(columns: Sequence[Column], rows: Iterable, *, labels: bool = False, language: str = "id",
               bom: bool = False) -> Iterator[bytes]:
    """The CSV file (UTF-8, header of variable names) as a stream of byte chunks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if bom:
        buffer.write("\ufeff")
    writer.writerow([c.name for c in columns])
    extract = row_extractor(columns)
    converters = [text_converter(c, labels=labels, language=language) for c in columns]
    for row in rows:
        writer.writerow([None if v is None else convert(v) for v, convert in zip(extract(row), converters)])
        if buffer.tell() >= CHUNK_BYTES:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def write_csv(path: Path, columns: Sequence[Column], rows: Iterable, **options) -> None:
    with path.open("wb") as handle:
        for chunk in csv_chunks(columns, rows, **options):
            handle.write(chunk)


def write_xlsx(path: Path, columns: Sequence[Column], rows: Iterable, *, labels: bool = False,
               language: str = "id", variables: Sequence[Sequence[str]] = ()) -> None:
    """Sheet "data" (names in row 1) and sheet "variables" (name, label, values)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("data")
    sheet.append([c.name for c in columns])
    extract = row_extractor(columns)
    converters = [text_converter(c, labels=labels, language=language) for c in columns]

    def clean(value):
        return _ILLEGAL_XML.sub("", value) if isinstance(value, str) else value

    for row in rows:
        sheet.append([None if v is None else clean(convert(v)) for v, convert in zip(extract(row), converters)])
    if variables:
        info = book.create_sheet("variables")
        for line in variables:
            info.append([clean(neutralise(str(cell))) for cell in line])
    book.save(path)


# ---------------------------------------------------------------- statistical packages

class _ColumnBuffer:
    """The values of one column, stored compactly: doubles for numbers, str for text."""

    def __init__(self, column: Column):
        self.column = column
        # array("d") of doubles with a float converter, or a list of str with a str converter
        # (None once the DataFrame holds the data); _collect pairs each converter with its append.
        self.values: Any
        self.convert: Callable[[Any], float] | Callable[[Any], str]
        if column.kind in (CODE, BINARY, INTEGER, DECIMAL, DATETIME):
            self.values = array("d")
            codes = column.code_of() if column.kind == CODE else None
            self.convert = self._numeric(column.kind, codes)
            self.numeric = True
        else:
            self.values = []
            self.convert = lambda v: "" if v is None else str(v)
            self.numeric = False

    @staticmethod
    def _numeric(kind: str, codes: dict[str, int] | None) -> Callable[[Any], float]:
        nan = math.nan
        if kind == CODE:
            code_of = codes if codes is not None else {}  # CODE columns always come with their codes
            return lambda v: nan if v is None else float(code_of.get(str(v), nan))
        if kind == DATETIME:
            return lambda v: nan if v is None else v.timestamp()

        def number(value):
            if value is None or isinstance(value, bool):
                return nan
            try:
                return float(value)
            except (TypeError, ValueError):
                return nan
        return number

    def to_series(self):
        import numpy as np
        import pandas as pd

        if not self.numeric:
            return pd.Series(self.values, dtype=object)
        data = np.frombuffer(self.values, dtype=np.float64) if len(self.values) else np.array([], dtype=np.float64)
        if self.column.kind == DATETIME:
            micros = np.round(data * 1e6)  # NaN stays NaN and becomes NaT (missing)
            return pd.Series(pd.to_datetime(micros, unit="us", errors="coerce"))
        return pd.Series(data, copy=False)


def _collect(columns: Sequence[Column], rows: Iterable):
    buffers = [_ColumnBuffer(c) for c in columns]
    extract = row_extractor(columns)
    pairs = [(b.convert, b.values.append) for b in buffers]
    for row in rows:
        for value, (convert, append) in zip(extract(row), pairs):
            append(convert(value))
    import pandas as pd

    frame = pd.DataFrame({b.column.name: b.to_series() for b in buffers}, copy=False)
    for b in buffers:  # the frame holds the data now
        b.values = None
    return frame


def cut(text: str, *, chars: int | None = None, nbytes: int | None = None) -> str:
    """``text`` shortened to a limit (characters or UTF-8 bytes) at a character boundary."""
    if chars is not None and len(text) > chars:
        text = text[:chars - 1].rstrip() + "…"
    if nbytes is not None and len(text.encode("utf-8")) > nbytes:
        encoded = text.encode("utf-8")[:nbytes - 3]
        text = encoded.decode("utf-8", errors="ignore").rstrip() + "…"
    return text


def _value_labels(columns: Sequence[Column], language: str, limit_bytes: int) -> dict[str, dict[int, str]]:
    labels: dict[str, dict[int, str]] = {}
    for column in columns:
        if column.kind == CODE and column.values:
            labels[column.name] = {v.code: cut(v.label.get(language), nbytes=limit_bytes) for v in column.values}
        elif column.kind == BINARY:
            labels[column.name] = binary_labels(language)
    return labels


def write_dta(path: Path, columns: Sequence[Column], rows: Iterable, *, language: str = "id",
              wave_name: str = "") -> None:
    """Stata 14+ file (format 118, UTF-8) with variable and value labels, written as rows arrive."""
    from survey_app.exports import stata

    stata.write_dta(path, columns, rows,
                    variable_labels={c.name: cut(c.label.get(language), chars=STATA_VARIABLE_LABEL_CHARS)
                                     for c in columns},
                    value_labels=_value_labels(columns, language, STATA_VALUE_LABEL_BYTES),
                    wave_name_length=len(wave_name.encode("utf-8")))


def write_sav(path: Path, columns: Sequence[Column], rows: Iterable, *, language: str = "id") -> None:
    """SPSS file (UTF-8) with variable and value labels and measurement levels, flat in memory.

    Written by :mod:`.spss` in two streamed passes (jobs, issue 8); pyreadstat needed the whole
    table in memory.
    """
    from survey_app.exports import spss

    spss.write_sav(
        path, columns, rows,
        variable_labels={c.name: cut(c.label.get(language), nbytes=SPSS_VARIABLE_LABEL_BYTES) for c in columns},
        value_labels=_value_labels(columns, language, SPSS_VALUE_LABEL_BYTES),
        measures={c.name: _measure(c) for c in columns},
        formats=_spss_formats(columns))


def _measure(column: Column) -> str:
    if column.kind in (INTEGER, DECIMAL, DATETIME):
        return "scale"
    return "ordinal" if column.ordinal else "nominal"


def _spss_formats(columns: Sequence[Column]) -> dict[str, str]:
    """SPSS display formats: whole numbers for codes and counts, DATETIME for timestamps."""
    formats = {}
    for column in columns:
        if column.kind in (CODE, BINARY, INTEGER):
            formats[column.name] = "F12.0"
        elif column.kind == DATETIME:
            formats[column.name] = "DATETIME20"
    return formats
