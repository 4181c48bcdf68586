"""Reading the research dataset export (``jejak-dataset``, format version 1).

The export is a directory written by ``flask export dataset`` and documented
in ``docs/DATASET.md``.  This module only reads it: it checks the manifest,
reads the six CSV files into pandas DataFrames with compact dtypes (choice
columns as categoricals, numbers as floats, free text as strings) and undoes
the spreadsheet-safety quote that the exporter puts in front of text cells
starting with ``= + - @``.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import InputDataError

FORMAT = "jejak-dataset"
SUPPORTED_VERSIONS = (1,)
FILES = ("alumni.csv", "trainings.csv", "enrollments.csv", "responses.csv", "codes.csv", "codebook.csv")

_COLUMNS = {
    "alumni.csv": ("pid", "province", "sex", "birth_year", "cohort", "invitation_status"),
    "trainings.csv": ("code", "title", "provider", "category", "description"),
    "enrollments.csv": ("pid", "training_code", "completed_at"),
    "responses.csv": ("pid", "wave", "status"),
    "codes.csv": ("pid", "question", "kbli5", "division", "section", "confidence", "status"),
    "codebook.csv": ("variable", "question", "item", "type", "question_type"),
}
_CATEGORY_DTYPES = ("code", "binary")
_NUMBER_DTYPES = ("integer", "decimal")


class FormatError(InputDataError):
    """The directory is not a research dataset this version can read (missing, other format, older version)."""


@dataclass
class Dataset:
    """The tables of one research dataset export.

    Attributes
    ----------
    path : pathlib.Path
        The directory it was read from.
    manifest : dict
        ``manifest.json`` as a dict.
    alumni, trainings, enrollments, responses, codes, codebook : pandas.DataFrame
        The CSV files (see ``docs/DATASET.md``).  Identifier and code columns
        are strings, ``birth_year`` and numeric answers are floats (NaN when
        missing), choice answers are categoricals.
    """

    path: Path
    manifest: dict[str, Any]
    alumni: pd.DataFrame
    trainings: pd.DataFrame
    enrollments: pd.DataFrame
    responses: pd.DataFrame
    codes: pd.DataFrame
    codebook: pd.DataFrame
    memo: dict[Hashable, object] = field(default_factory=dict, repr=False, compare=False)
    """Results derived from these tables (e.g. survey frames), keyed by what they depend on."""

    @property
    def wave(self) -> str:
        """The wave's name."""
        return str(self.manifest.get("wave", ""))

    @property
    def includes_financial(self) -> bool:
        """Whether revenue, profit and wage answers were exported."""
        return bool(self.manifest.get("includes_financial"))

    @property
    def created_at(self) -> pd.Timestamp:
        """When the export was made (UTC); the reference date for ages."""
        stamp = pd.to_datetime(str(self.manifest.get("created_at") or ""), utc=True, errors="coerce")
        return pd.Timestamp.now(tz="UTC") if pd.isna(stamp) else pd.Timestamp(stamp)

    def column(self, question: str, item: str | None = None) -> str | None:
        """Name of the ``responses`` column holding ``question`` (and ``item``), or None.

        Variable names may be shortened by the exporter (``business_channels__soci_f1f9``),
        so look them up through the codebook rather than guessing.
        """
        book = self.codebook
        items = book["item"].fillna("")
        rows = book[(book["question"] == question) & (items == (item or ""))]
        if rows.empty:
            return None
        name = rows["variable"].iloc[0]
        return name if name in self.responses.columns else None

    def answers(self, question: str) -> pd.Series:
        """The answers to ``question`` (one per response; all missing when the column is absent)."""
        name = self.column(question)
        if name is None:
            return pd.Series(pd.NA, index=self.responses.index, dtype="object", name=question)
        return self.responses[name].rename(question)


def load_dataset(path: str | Path, *, response_columns: Iterable[str] | None = None) -> Dataset:
    """Read a research dataset export directory.

    Parameters
    ----------
    path : str or pathlib.Path
        Directory written by ``flask export dataset``.
    response_columns : iterable of str, optional
        Questions (or variable names) to read from ``responses.csv`` besides the
        metadata columns; default all.  Reading only what an analysis needs keeps
        memory low on large waves.

    Returns
    -------
    Dataset

    Raises
    ------
    FormatError
        When the directory or a file is missing, the manifest names another format,
        or its format version is one this reader does not know.

    Examples
    --------
    >>> ds = load_dataset(DEMO_DATASET)  # doctest: +SKIP
    >>> ds.manifest["format_version"], len(ds.responses) > 0  # doctest: +SKIP
    (1, True)
    >>> load_dataset("/nonexistent")
    Traceback (most recent call last):
    ...
    analysis.dataset.FormatError: /nonexistent is not a research dataset: manifest.json is missing
    """
    path = Path(path)
    manifest = _read_manifest(path)
    for name in FILES:
        if not (path / name).is_file():
            raise FormatError(f"{path} is incomplete: {name} is missing")
    codebook = _read(path / "codebook.csv")
    alumni = _read(path / "alumni.csv", numbers=("birth_year",))
    trainings = _read(path / "trainings.csv")
    enrollments = _read(path / "enrollments.csv")
    codes = _read(path / "codes.csv", numbers=("confidence",))
    responses = _read_responses(path / "responses.csv", codebook, response_columns)
    return Dataset(path=path, manifest=manifest, alumni=alumni, trainings=trainings, enrollments=enrollments,
                   responses=responses, codes=codes, codebook=codebook)


def _read_manifest(path: Path) -> dict[str, Any]:
    file = path / "manifest.json"
    if not file.is_file():
        raise FormatError(f"{path} is not a research dataset: manifest.json is missing")
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FormatError(f"{file} cannot be read: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise FormatError(f"{file}: format is {found!r}, expected {FORMAT!r}")
    version = manifest.get("format_version")
    if version not in SUPPORTED_VERSIONS:
        older = isinstance(version, int) and version < min(SUPPORTED_VERSIONS)
        hint = "an older export; export the wave again" if older else "made by a newer Jejak; upgrade analysis"
        raise FormatError(f"{file}: format_version {version!r} is not supported "
                          f"(this reader knows {', '.join(map(str, SUPPORTED_VERSIONS))}): {hint}")
    return manifest


def _read(file: Path, *, numbers: tuple[str, ...] = (), dtype: dict[str, Any] | str | None = None,
          usecols: Callable[[str], bool] | None = None) -> pd.DataFrame:
    try:
        frame = pd.read_csv(file, dtype=dtype or str, keep_default_na=False, na_values=[""],
                            encoding="utf-8", usecols=usecols, low_memory=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, ValueError) as exc:
        raise FormatError(f"{file} cannot be read: {exc}") from None
    required = _COLUMNS.get(file.name, ())
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise FormatError(f"{file} lacks column(s) {', '.join(missing)}")
    for column in frame.columns:
        if column in numbers:
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
        elif frame[column].dtype == object:
            frame[column] = _unquote(frame[column])
    return frame


def _unquote(values: pd.Series) -> pd.Series:
    """Undo the exporter's formula guard: ``'=x`` back to ``=x`` (only before = + - @ tab CR)."""
    text = values.astype("string") if values.dtype != object else values
    mask = text.str.match(r"^'[=+\-@\t\r]", na=False)
    if not mask.any():
        return values
    values = values.copy()
    values[mask] = values[mask].str.slice(1)
    return values


def _read_responses(file: Path, codebook: pd.DataFrame, wanted: Iterable[str] | None) -> pd.DataFrame:
    types = dict(zip(codebook["variable"], codebook["type"].fillna("")))
    usecols = None
    if wanted is not None:
        wanted = set(wanted)
        meta = set(codebook.loc[codebook["question"].isna(), "variable"])
        keep = meta | wanted | set(codebook.loc[codebook["question"].isin(wanted), "variable"])
        usecols = lambda name: name in keep  # noqa: E731 - read_csv wants a callable
    dtype = {name: ("category" if kind in _CATEGORY_DTYPES else str) for name, kind in types.items()}
    numbers = tuple(name for name, kind in types.items() if kind in _NUMBER_DTYPES)
    return _read(file, numbers=numbers, dtype=dtype, usecols=usecols)

