"""Reading the research dataset export (``jejak-dataset``, format versions 1 and 2).

The export is a directory written by ``flask export dataset`` and documented
in ``docs/DATASET.md``.  This module only reads it: it checks the manifest,
reads the CSV files into pandas DataFrames with compact dtypes (choice
columns as categoricals, numbers as floats, free text as strings) and undoes
the spreadsheet-safety quote that the exporter puts in front of text cells
starting with ``= + - @``.

Version 2 is the panel: ``responses.csv`` has one row per alumnus × wave of the
exported wave's follow-up chain (``manifest["waves"]``, oldest first),
``invitations.csv`` every invitation of the chain and ``codes.csv`` a ``wave``
column.  A version 1 dataset is read as a chain of one wave: the same
:class:`Dataset` attributes exist (``invitations`` built from ``alumni.csv``,
``codes["wave"]`` filled in), so every analysis handles both.
:meth:`Dataset.wave_view` gives one wave of the chain as a dataset of its own
(its responses, codes and invitation statuses), which is what the
cross-sectional tables work on.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import InputDataError

FORMAT = "jejak-dataset"
SUPPORTED_VERSIONS = (1, 2)
FILES = ("alumni.csv", "trainings.csv", "enrollments.csv", "responses.csv", "codes.csv", "codebook.csv")
PANEL_FILES = ("invitations.csv",)
"""Files that version 2 adds."""

_COLUMNS = {
    "alumni.csv": ("pid", "province", "sex", "birth_year", "cohort", "invitation_status"),
    "trainings.csv": ("code", "title", "provider", "category", "description"),
    "enrollments.csv": ("pid", "training_code", "completed_at"),
    "responses.csv": ("pid", "wave", "status"),
    "codes.csv": ("pid", "question", "kbli5", "division", "section", "confidence", "status"),
    "codebook.csv": ("variable", "question", "item", "type", "question_type"),
    "invitations.csv": ("pid", "wave", "invitation_status"),
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
        missing), choice answers are categoricals.  ``responses`` and ``codes``
        hold every wave of the chain (column ``wave``).
    invitations : pandas.DataFrame
        ``pid, wave, invitation_status``: every invitation of every wave of the
        chain (version 1: the invited alumni of ``alumni.csv``).
    """

    path: Path
    manifest: dict[str, Any]
    alumni: pd.DataFrame
    trainings: pd.DataFrame
    enrollments: pd.DataFrame
    responses: pd.DataFrame
    codes: pd.DataFrame
    codebook: pd.DataFrame
    invitations: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["pid", "wave",
                                                                                     "invitation_status"]))
    memo: dict[Hashable, object] = field(default_factory=dict, repr=False, compare=False)
    """Results derived from these tables (e.g. survey frames), keyed by what they depend on."""
    parent: Dataset | None = field(default=None, repr=False, compare=False)
    """For a :meth:`wave_view`: the whole (panel) dataset it was taken from."""

    @property
    def whole(self) -> Dataset:
        """The whole dataset: the parent of a wave view, else this one."""
        return self.parent if self.parent is not None else self

    @property
    def wave(self) -> str:
        """The wave's name."""
        return str(self.manifest.get("wave", ""))

    @property
    def waves(self) -> list[dict[str, Any]]:
        """The exported wave's chain, oldest first: ``{"name", "follow_up_of", "questionnaire"}`` each.

        A version 1 dataset (or a wave that follows nothing up) is a chain of one.
        """
        chain = self.manifest.get("waves")
        if isinstance(chain, list) and chain and all(isinstance(w, dict) and w.get("name") for w in chain):
            return [dict(w) for w in chain]
        return [{"name": self.wave, "follow_up_of": None, "questionnaire": self.manifest.get("questionnaire")}]

    @property
    def earlier_wave(self) -> str | None:
        """The wave the exported wave follows up (None when it follows nothing up)."""
        for entry in self.waves:
            if entry["name"] == self.wave:
                earlier = entry.get("follow_up_of")
                return str(earlier) if earlier else None
        return None

    @property
    def is_panel(self) -> bool:
        """Whether the responses come from more than one wave."""
        return len(self.waves) > 1

    def wave_view(self, name: str) -> Dataset:
        """One wave of the chain as a dataset of its own (memoised on this dataset).

        Its ``responses`` and ``codes`` are that wave's rows, ``alumni.invitation_status``
        that wave's invitation statuses, ``manifest["wave"]`` (and ``questionnaire``) that
        wave's; the roster, trainings, enrollments and codebook are shared.  For the
        exported wave of a one-wave dataset this is the dataset itself.

        Raises
        ------
        FormatError
            When ``name`` is not a wave of the chain.
        """
        if self.parent is not None:
            return self.parent.wave_view(name)
        names = [w["name"] for w in self.waves]
        if name not in names:
            raise FormatError(f"{self.path}: no wave {name!r} in this dataset (waves: {', '.join(names)})")
        if not self.is_panel:
            return self
        key = ("wave_view", name)
        found = self.memo.get(key)
        if isinstance(found, Dataset):
            return found
        entry = next(w for w in self.waves if w["name"] == name)
        manifest = dict(self.manifest, wave=name, questionnaire=entry.get("questionnaire"))
        responses = _rows_of(self.responses, name)
        codes = self.codes.loc[self.codes["wave"].astype(str).eq(name).to_numpy()].reset_index(drop=True)
        invited = self.invitations.loc[self.invitations["wave"].astype(str).eq(name).to_numpy()]
        status = dict(zip(invited["pid"], invited["invitation_status"]))
        alumni = self.alumni.copy()
        alumni["invitation_status"] = alumni["pid"].map(status)
        view = Dataset(path=self.path, manifest=manifest, alumni=alumni, trainings=self.trainings,
                       enrollments=self.enrollments, responses=responses, codes=codes, codebook=self.codebook,
                       invitations=invited.reset_index(drop=True), parent=self)
        self.memo[key] = view
        return view

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
    (2, True)
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
    wave = str(manifest.get("wave", ""))
    if manifest["format_version"] >= 2:
        for name in PANEL_FILES:
            if not (path / name).is_file():
                raise FormatError(f"{path} is incomplete: {name} is missing")
        invitations = _read(path / "invitations.csv")
        if "wave" not in codes.columns:
            raise FormatError(f"{path / 'codes.csv'} lacks column(s) wave")
        _check_chain(path, manifest)
        names = {str(w["name"]) for w in manifest["waves"]}
        for table, file in ((responses, "responses.csv"), (codes, "codes.csv"), (invitations, "invitations.csv")):
            unknown = sorted(set(table["wave"].dropna().astype(str).unique()) - names)
            if unknown:
                raise FormatError(f"{path / file}: wave(s) {', '.join(unknown)} are not in the manifest's waves")
    else:  # version 1: one wave; its invitations are the statuses in alumni.csv
        invited = alumni["invitation_status"].notna().to_numpy()
        invitations = pd.DataFrame({"pid": alumni.loc[invited, "pid"].to_numpy(), "wave": wave,
                                    "invitation_status": alumni.loc[invited, "invitation_status"].to_numpy()})
        codes["wave"] = wave
    twice = responses.duplicated(["pid", "wave"]).to_numpy()
    if twice.any():
        line = int(twice.argmax()) + 2  # header is line 1
        raise FormatError(f"{path / 'responses.csv'}, line {line}: a second response of "
                          f"{responses['pid'].iloc[line - 2]} in wave {responses['wave'].iloc[line - 2]}")
    return Dataset(path=path, manifest=manifest, alumni=alumni, trainings=trainings, enrollments=enrollments,
                   responses=responses, codes=codes, codebook=codebook, invitations=invitations)


def _rows_of(table: pd.DataFrame, wave: str) -> pd.DataFrame:
    """The rows of ``wave``: a slice (no copy) when they are contiguous, as the exporter writes them."""
    rows = np.flatnonzero(table["wave"].astype(str).eq(wave).to_numpy())
    if rows.size and rows[-1] - rows[0] + 1 == rows.size:
        part = table.iloc[int(rows[0]):int(rows[-1]) + 1]
    else:
        part = table.iloc[rows]
    part = part.copy(deep=False)  # a new frame over the same data; its index is its own
    part.index = pd.RangeIndex(len(part))
    return part


def _check_chain(path: Path, manifest: dict[str, Any]) -> None:
    """Refuse a version 2 manifest whose ``waves`` list is not a chain ending in ``wave``."""
    chain = manifest.get("waves")
    file = path / "manifest.json"
    if not isinstance(chain, list) or not chain or not all(isinstance(w, dict) and w.get("name") for w in chain):
        raise FormatError(f"{file}: 'waves' must be a non-empty list of waves with a name")
    names = [str(w["name"]) for w in chain]
    if len(set(names)) != len(names):
        raise FormatError(f"{file}: 'waves' names a wave twice")
    if names[-1] != str(manifest.get("wave", "")):
        raise FormatError(f"{file}: the last of 'waves' must be the exported wave {manifest.get('wave')!r}")
    for before, entry in zip(names, chain[1:]):
        if str(entry.get("follow_up_of") or "") != before:
            raise FormatError(f"{file}: wave {entry['name']!r} should follow up {before!r} (the chain is oldest first)")


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

