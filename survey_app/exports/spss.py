"""A streaming writer of SPSS .sav files (UTF-8, bytecode-compressed), flat in memory.

pyreadstat needs the whole table as a DataFrame (about 5 KB per response with the default
questionnaire: 1.2 GB at 240,000). This writer makes two passes instead: rows are converted
as they arrive and spooled in batches to a temporary file while the widest text of each
string column is measured; then the dictionary (which must state every string width up
front) is written, followed by the spooled cases, bytecode-compressed. Memory holds one
batch. Layout after the "System File Format" chapter of the GNU PSPP manual: file header,
variable records (very long strings as 252-byte segments), value labels, machine info,
display parameters, long names, very long string widths, encoding, then the cases.
"""
from __future__ import annotations

import math
import pickle  # nosec B403 - only our own spool file, written and read by one export
import struct
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, cast

from survey_app.exports.columns import BINARY, CODE, DATETIME, DECIMAL, INTEGER, Column, row_extractor

NUMERIC_KINDS = (CODE, BINARY, INTEGER, DECIMAL, DATETIME)
SYSMIS = -sys.float_info.max
BIAS = 100.0
SEGMENT = 252           # segment count of a very long string: ceil(width / 252) (PSPP)
SPSS_EPOCH_OFFSET = 12_219_379_200  # seconds from 1582-10-14 to 1970-01-01
BATCH = 2000
FORMAT_A, FORMAT_F, FORMAT_DATETIME = 1, 5, 22
MEASURE = {"nominal": 1, "ordinal": 2, "scale": 3}


def _numeric(column: Column) -> Callable[[Any], float | None]:
    if column.kind == CODE:
        codes = column.code_of()

        def code(value):
            if value is None:
                return None
            number = codes.get(str(value))
            return None if number is None else float(number)
        return code
    if column.kind == DATETIME:
        return lambda v: None if v is None else v.timestamp() + SPSS_EPOCH_OFFSET

    def number(value):
        if value is None or isinstance(value, bool):
            return None
        try:
            result = float(value)
        except (TypeError, ValueError):
            return None
        return None if math.isnan(result) or math.isinf(result) else result
    return number


def _text(value) -> bytes:
    return b"" if value is None else str(value).encode("utf-8")


def _segments(width: int) -> list[int]:
    """Widths of the dictionary variables that store a string of ``width`` bytes."""
    if width <= 255:
        return [width]
    count = math.ceil(width / SEGMENT)
    return [255] * (count - 1) + [width - (count - 1) * SEGMENT]


def _slots(width: int) -> int:
    return math.ceil(width / 8)


def _cut_utf8(data: bytes, limit: int) -> bytes:
    return data[:limit].decode("utf-8", errors="ignore").encode("utf-8")


class _Spool:
    """Pass one: converted rows pickled in batches to a temporary file; widths measured."""

    def __init__(self, columns: Sequence[Column]):
        self.numeric = [c.kind in NUMERIC_KINDS for c in columns]
        self.convert = [_numeric(c) if n else _text for c, n in zip(columns, self.numeric)]
        self.widths = [1] * len(columns)
        self.count = 0
        self.file = tempfile.TemporaryFile(prefix="jejak-sav-")

    def fill(self, columns: Sequence[Column], rows: Iterable) -> None:
        extract = row_extractor(columns)
        pairs = list(zip(self.convert, self.numeric, range(len(columns))))
        widths = self.widths
        batch = []
        for row in rows:
            cells = []
            for value, (convert, numeric, index) in zip(extract(row), pairs):
                cell = convert(value)
                if not numeric and len(cast(bytes, cell)) > widths[index]:  # text converts to bytes
                    widths[index] = len(cast(bytes, cell))
                cells.append(cell)
            batch.append(cells)
            if len(batch) >= BATCH:
                self._dump(batch)
                batch = []
        if batch:
            self._dump(batch)

    def _dump(self, batch: list) -> None:
        pickle.dump(batch, self.file, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += len(batch)

    def batches(self):
        self.file.seek(0)
        while True:
            try:
                yield pickle.load(self.file)  # noqa: S301  # nosec B301 - our own spool file, written above
            except EOFError:
                return


class _Compressor:
    """Bytecode compression (bias 100): command bytes in blocks of 8, each followed by its data."""

    def __init__(self, out):
        self.out = out
        self.codes = bytearray()
        self.data = bytearray()

    def number(self, value: float | None) -> None:
        if value is None:
            self._code(255)
        elif value.is_integer() and -99 <= value <= 151:
            self._code(int(value + BIAS))
        else:
            self._code(253, struct.pack("<d", value))

    def text(self, chunk: bytes) -> None:
        if chunk == b"        ":
            self._code(254)
        else:
            self._code(253, chunk)

    def _code(self, code: int, raw: bytes | None = None) -> None:
        self.codes.append(code)
        if raw is not None:
            self.data += raw
        if len(self.codes) == 8:
            self.out.write(self.codes)
            self.out.write(self.data)
            self.codes = bytearray()
            self.data = bytearray()

    def flush(self) -> None:
        if self.codes:
            self.out.write(bytes(self.codes) + b"\x00" * (8 - len(self.codes)))
            self.out.write(self.data)
            self.codes = bytearray()
            self.data = bytearray()


def write_sav(path: Path, columns: Sequence[Column], rows: Iterable, *, variable_labels: dict[str, str],
              value_labels: dict[str, dict[int, str]], measures: dict[str, str], formats: dict[str, str],
              file_label: str = "") -> int:
    """Write ``rows`` as an SPSS system file; returns the number of cases."""
    spool = _Spool(columns)
    try:
        spool.fill(columns, rows)
        with Path(path).open("wb") as out:
            layout = _write_dictionary(out, columns, spool, variable_labels, value_labels, measures, formats,
                                       file_label)
            _write_cases(out, spool, layout)
        return spool.count
    finally:
        spool.file.close()


def _write_dictionary(out, columns, spool: _Spool, variable_labels, value_labels, measures, formats,
                      file_label: str) -> list[tuple[bool, list[int]]]:
    """Header and dictionary; returns per column (numeric, segment widths)."""
    layout: list[tuple[bool, list[int]]] = []
    variables = []  # (short name, width 0=numeric, column, segment number)
    for index, (column, numeric) in enumerate(zip(columns, spool.numeric), start=1):
        if numeric:
            layout.append((True, [0]))
            variables.append((f"V{index:05d}", 0, column, 0))
            continue
        widths = _segments(spool.widths[index - 1])
        layout.append((False, widths))
        for number, width in enumerate(widths):
            short = f"V{index:05d}" if number == 0 else f"S{index:04d}{number:02d}"[:8]
            variables.append((short, width, column, number))
    slots = sum(1 if width == 0 else _slots(width) for _s, width, _c, _n in variables)

    now = time.gmtime()
    out.write(b"$FL2")
    out.write(b"@(#) SPSS DATA FILE - Jejak".ljust(60))
    out.write(struct.pack("<iiiiid", 2, slots, 1, 0, spool.count, BIAS))
    out.write(time.strftime("%d %b %y", now).encode("ascii"))
    out.write(time.strftime("%H:%M:%S", now).encode("ascii"))
    out.write(_cut_utf8(file_label.encode("utf-8"), 64).ljust(64))
    out.write(b"\x00\x00\x00")

    slot_index: dict[str, int] = {}
    position = 1
    for short, width, column, number in variables:
        label = variable_labels.get(column.name, "") if number == 0 else ""
        label_bytes = _cut_utf8(label.encode("utf-8"), 255)
        if width == 0:
            fmt = formats.get(column.name, "F8.2")
            spec = _format_spec(fmt)
        else:
            spec = (FORMAT_A << 16) | (width << 8)
        out.write(struct.pack("<iiiiii", 2, width, 1 if label_bytes else 0, 0, spec, spec))
        out.write(short.encode("ascii").ljust(8))
        if label_bytes:
            out.write(struct.pack("<i", len(label_bytes)))
            out.write(label_bytes.ljust(math.ceil(len(label_bytes) / 4) * 4))
        if number == 0:
            slot_index[column.name] = position
        used = 1 if width == 0 else _slots(width)
        for _ in range(used - 1):
            out.write(struct.pack("<iiiiii", 2, -1, 0, 0, 0, 0) + b" " * 8)
        position += used

    for name, labels in value_labels.items():
        if name not in slot_index or not labels:
            continue
        out.write(struct.pack("<ii", 3, len(labels)))
        for value, text in labels.items():
            encoded = _cut_utf8(str(text).encode("utf-8"), 120)
            entry = struct.pack("<d", float(value)) + bytes([len(encoded)]) + encoded
            out.write(entry.ljust(8 + math.ceil((len(encoded) + 1) / 8) * 8, b" "))
        out.write(struct.pack("<iii", 4, 1, slot_index[name]))

    out.write(struct.pack("<iiii", 7, 3, 4, 8) + struct.pack("<8i", 20, 0, 0, -1, 1, 1, 2, 65001))
    out.write(struct.pack("<iiii", 7, 4, 8, 3) + struct.pack("<ddd", SYSMIS, sys.float_info.max,
                                                           -sys.float_info.max * (1 - 2 ** -52)))
    display = []
    for _short, width, column, _number in variables:
        measure = MEASURE[measures.get(column.name, "nominal")]
        display += [measure, 8 if width == 0 else min(max(width, 8), 40), 1 if width == 0 else 0]
    out.write(struct.pack("<iiii", 7, 11, 4, len(display)) + struct.pack(f"<{len(display)}i", *display))
    long_names = "\t".join(f"{short}={column.name}" for short, _w, column, number in variables if number == 0)
    _extension(out, 13, long_names.encode("utf-8"))
    very_long = b"".join(f"{short}={spool.widths[columns.index(column)]:05d}".encode("ascii") + b"\x00\t"
                         for short, width, column, number in variables
                         if number == 0 and width and spool.widths[columns.index(column)] > 255)
    if very_long:
        _extension(out, 14, very_long)
    _extension(out, 20, b"UTF-8")
    out.write(struct.pack("<ii", 999, 0))
    return layout


def _extension(out, subtype: int, data: bytes) -> None:
    out.write(struct.pack("<iiii", 7, subtype, 1, len(data)))
    out.write(data)


def _format_spec(fmt: str) -> int:
    if fmt.startswith("DATETIME"):
        return (FORMAT_DATETIME << 16) | (int(fmt[8:] or 20) << 8)
    width, _, decimals = fmt[1:].partition(".")
    return (FORMAT_F << 16) | (int(width) << 8) | int(decimals or 0)


def _write_cases(out, spool: _Spool, layout: list[tuple[bool, list[int]]]) -> None:
    compressor = _Compressor(out)
    number, text = compressor.number, compressor.text
    for batch in spool.batches():
        for cells in batch:
            for cell, (numeric, widths) in zip(cells, layout):
                if numeric:
                    number(cell)
                    continue
                for segment, width in enumerate(widths):
                    if len(widths) == 1:
                        part = cell
                    else:
                        # Readers join the segments' full 255 bytes; the declared widths
                        # (252 per segment) leave the last segment room to spare.
                        part = cell[segment * 255:(segment + 1) * 255]
                    padded = part.ljust(_slots(width) * 8, b" ")
                    for start in range(0, len(padded), 8):
                        text(padded[start:start + 8])
    compressor.flush()
