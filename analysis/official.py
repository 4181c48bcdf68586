"""Jejak's estimates beside published figures (``seeds/reference_figures.csv``).

The published figures (BPS Sakernas' Kartu Prakerja module, see ``seeds/README.md``) are about
other people at other dates — all recipients in a national labour-force survey, not the alumni
of one programme wave who answered a tracer questionnaire.  The table puts them side by side
as *context*, never as a test: every row says so.

Indicators: ``skills_improved`` (share answering ``skills_improved = yes``) and
``incentive_<use>`` (share choosing ``<use>`` in ``incentive_use``).  Jejak's figure comes from
the wave of the dataset's chain in which most respondents answered the question, weighted with
that wave's cross-sectional weights (a follow-up wave asks some items of newcomers only).
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._labels import check_language
from .dataset import Dataset
from .errors import SeedDataError
from .frame import FrameOptions, SurveyFrame
from .panel import INCENTIVE_LABELS, incentive_use, skills_improved, source
from .resources import seeds_dir

FILE = "reference_figures.csv"
COLUMNS = ("indicator", "value", "unit", "population", "source", "date", "citation")
CONTEXT = "context, not the same population"
INDICATOR_LABELS = {"skills_improved": {"id": "Keterampilan meningkat", "en": "Skills improved"},
                    **{f"incentive_{use}": {lang: {"id": "Insentif untuk: ", "en": "Incentive used for: "}[lang]
                                             + label for lang, label in labels.items()}
                       for use, labels in INCENTIVE_LABELS.items()}}

__all__ = ["load_reference_figures", "reference_figures"]


def load_reference_figures(path: str | Path | None = None) -> pd.DataFrame:
    """The published figures: ``seeds/reference_figures.csv`` (or ``path``), checked.

    ``value`` is a number; with ``unit = percent`` it is also given as a share in ``share``.

    Raises
    ------
    SeedDataError
        When the file is missing, lacks a column, or a value is not a number (with its line).

    Examples
    --------
    >>> figures = load_reference_figures()
    >>> first = figures.iloc[0]
    >>> first.indicator, float(first.share), first.date
    ('skills_improved', 0.8892, '2020-08')
    """
    file = Path(path) if path is not None else seeds_dir() / FILE
    try:
        with file.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
            header = list(rows[0]) if rows else []
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise SeedDataError(f"{file} cannot be read: {exc}") from None
    missing = [c for c in COLUMNS if c not in header]
    if not rows or missing:
        raise SeedDataError(f"{file} lacks rows or column(s) {', '.join(missing) or '(none)'}")
    values = []
    for line, row in enumerate(rows, start=2):
        try:
            values.append(float(row["value"]))
        except (TypeError, ValueError):
            raise SeedDataError(f"{file}, line {line}: value {row['value']!r} is not a number") from None
        if not row["indicator"]:
            raise SeedDataError(f"{file}, line {line}: the indicator is empty")
    table = pd.DataFrame([{c: (row.get(c) or "").strip() for c in COLUMNS} for row in rows])
    table["value"] = values
    table["share"] = np.where(table["unit"].str.lower().eq("percent"), (table["value"] / 100).round(8), np.nan)
    return table


def _jejak_estimates(data: Dataset, options: FrameOptions | None) -> dict[str, dict[str, Any]]:
    """Indicator → the estimate row of the wave where most respondents answered it."""
    found: dict[str, dict[str, Any]] = {}

    def keep(indicator: str, row: dict[str, Any]) -> None:
        if indicator not in found or row["n"] > found[indicator]["n"]:
            found[indicator] = row

    for record in skills_improved(data, options=options).to_dict("records"):
        keep("skills_improved", {str(k): v for k, v in record.items()})
    for record in incentive_use(data, options=options).to_dict("records"):
        keep(f"incentive_{record['use']}", {str(k): v for k, v in record.items()})
    return found


def reference_figures(data: Dataset | SurveyFrame, *, lang: str = "en", options: FrameOptions | None = None,
                      figures: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each published figure beside Jejak's weighted estimate of the same indicator (with CI and n).

    Columns: ``indicator, label, reference_value`` (share), ``reference_date, reference_population,
    source, citation, jejak_wave, jejak_estimate, jejak_ci_low, jejak_ci_high, jejak_n, jejak_small,
    comparison`` — the last always "context, not the same population".  ``figures`` replaces
    the shipped file (see :func:`load_reference_figures`).

    Examples
    --------
    >>> import tempfile
    >>> from analysis.dataset import load_dataset
    >>> from analysis.synthetic import write_synthetic_panel
    >>> ds = load_dataset(write_synthetic_panel(tempfile.mkdtemp() + "/ds", alumni=1500, responses=800))
    >>> t = reference_figures(ds)
    >>> first = t.iloc[0]
    >>> first.indicator, float(first.reference_value), first.comparison
    ('skills_improved', 0.8892, 'context, not the same population')
    >>> bool(t.jejak_ci_low.le(t.jejak_estimate).all())
    True
    """
    check_language(lang)
    data, options = source(data, options)
    figures = load_reference_figures() if figures is None else figures
    estimates = _jejak_estimates(data, options)
    rows = []
    for figure in figures.to_dict("records"):
        indicator = str(figure["indicator"])
        jejak = estimates.get(indicator, {})
        rows.append({"indicator": indicator,
                     "label": INDICATOR_LABELS.get(indicator, {}).get(lang, indicator),
                     "reference_value": figure["share"], "reference_date": figure["date"],
                     "reference_population": figure["population"], "source": figure["source"],
                     "citation": figure["citation"], "jejak_wave": jejak.get("wave"),
                     "jejak_estimate": jejak.get("estimate", np.nan), "jejak_ci_low": jejak.get("ci_low", np.nan),
                     "jejak_ci_high": jejak.get("ci_high", np.nan), "jejak_n": int(jejak.get("n", 0)),
                     "jejak_small": bool(jejak.get("small", True)), "comparison": CONTEXT})
    table = pd.DataFrame(rows)
    table.attrs["note"] = ("Published figures are about all Kartu Prakerja recipients in BPS's national survey, "
                           "at other dates: " + CONTEXT + ".")
    return table
