"""Reading roster CSV files as a stream of records with their line numbers.

A file is read line by line in binary and decoded line by line, so that a file which is not
UTF-8 is refused with the exact line at fault, and a file of any size is never held in
memory. Problems that make the whole file unusable (missing columns, wrong encoding, broken
CSV quoting) raise :class:`FileRefused`; problems with one row are left to the row rules.
"""
from __future__ import annotations

import codecs
import csv
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple


class FileRefused(Exception):
    """A whole file cannot be imported; ``str(exc)`` names the file and, if known, the line."""

    def __init__(self, file: str, message: str, line: int | None = None):
        self.file = file
        self.line = line
        self.reason = message
        super().__init__(f"{file}: {message}")


class Record(NamedTuple):
    """One data row: its line number in the file (the header is line 1) and its values.

    ``problem`` is set, and ``values`` empty, when the row cannot even be split into the
    file's columns (too many or too few fields).
    """

    line: int
    values: dict[str, str]
    problem: str | None = None


@dataclass
class RecordSource:
    """A named stream of records: a CSV file, or rows generated in memory."""

    name: str
    records: Iterable[Record]
    ignored_columns: list[str] = field(default_factory=list)


def open_csv(path: str | os.PathLike, required: Iterable[str], optional: Iterable[str] = ()) -> RecordSource:
    """Check ``path``'s header now and return a source that streams its rows later.

    Column names are matched case-insensitively; columns not in ``required`` or ``optional``
    are ignored (and listed in ``ignored_columns``). Raises :class:`FileRefused` when the file
    is missing, empty, not UTF-8 in its header, or lacks required columns.
    """
    path = Path(path)
    name = path.name
    required = list(required)
    known = set(required) | set(optional)
    try:
        with path.open("rb") as fh:
            first = fh.readline(MAX_HEADER_BYTES + 1)
    except OSError as exc:
        raise FileRefused(name, f"cannot be read ({exc.strerror or exc})") from None
    _check_header_bytes(first, name)
    header_line = _decode(first, name, 1)
    try:
        header = next(csv.reader([header_line], strict=True), [])
    except csv.Error as exc:
        raise FileRefused(name, f"the header row is not valid CSV ({exc})", line=1) from None
    columns = [c.strip().lower() for c in header]
    if not any(columns):
        raise FileRefused(name, "the file is empty: expected a header row with the column names", line=1)
    duplicates = sorted({c for c in columns if c and columns.count(c) > 1})
    if duplicates:
        raise FileRefused(name, f"duplicate columns in the header: {', '.join(duplicates)}", line=1)
    missing = [c for c in required if c not in columns]
    if missing:
        raise FileRefused(
            name,
            f"missing required column(s): {', '.join(missing)} "
            f"(found: {', '.join(c for c in columns if c) or 'none'})",
            line=1,
        )
    ignored = [c for c in columns if c and c not in known]
    return RecordSource(name, _records(path, name, columns), ignored)


# A header names a handful of columns; a longer first line means this is not a roster CSV.
MAX_HEADER_BYTES = 16 * 1024


def _check_header_bytes(first: bytes, name: str) -> None:
    """Refuse, with the reason, files whose first line shows the wrong encoding or format."""
    if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileRefused(name, "the file is UTF-16; save it as 'CSV UTF-8' and try again", line=1)
    if b"\x00" in first:
        raise FileRefused(name, "the file contains NUL bytes: it is probably UTF-16 (Excel's 'Unicode Text') "
                          "without a byte order mark; save it as 'CSV UTF-8' and try again", line=1)
    if b"\r" in first.rstrip(b"\r\n"):
        raise FileRefused(name, "the lines end with CR only (the old Macintosh format); save the file as "
                          "'CSV UTF-8' and try again", line=1)
    if len(first) > MAX_HEADER_BYTES:
        raise FileRefused(name, f"the header row is longer than {MAX_HEADER_BYTES // 1024} KB; the first line "
                          "must be the column names", line=1)


def records_from_dicts(name: str, rows: Iterable[dict[str, str]]) -> RecordSource:
    """Wrap in-memory rows (e.g. from the demo generator) as if they were lines of a CSV."""
    return RecordSource(name, (Record(number, row) for number, row in enumerate(rows, start=2)))


def _records(path: Path, name: str, columns: list[str]) -> Iterator[Record]:
    width = len(columns)
    with path.open("rb") as fh:
        lines = _decoded_lines(fh, name)
        next(lines)  # the header, already checked
        reader = csv.reader(lines, strict=True)
        previous_end = 1
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                # Broken quoting desynchronises everything after it: no later row can be trusted.
                raise FileRefused(name, f"line {previous_end + 1} is not valid CSV ({exc})",
                                  line=previous_end + 1) from None
            # The reader did not see the header line, hence the + 1.
            start, previous_end = previous_end + 1, reader.line_num + 1
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue  # blank line
            if len(fields) != width:
                yield Record(start, {}, f"has {len(fields)} fields, the header has {width}")
                continue
            yield Record(start, dict(zip(columns, fields)))


def _decoded_lines(fh, name: str) -> Iterator[str]:
    # Splitting bytes at b"\n" is safe for UTF-8: that byte never occurs inside a character.
    for number, raw in enumerate(fh, start=1):
        yield _decode(raw, name, number)


def _decode(raw: bytes, name: str, number: int) -> str:
    if number == 1 and raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]  # Excel's "CSV UTF-8" writes a BOM
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileRefused(
            name,
            f"line {number} is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at character {exc.start + 1}); "
            "save the file as 'CSV UTF-8' and try again",
            line=number,
        ) from None
