"""Labels of the codes shipped in ``seeds/``: provinces and training categories.

The one source of these labels for the whole project: the app (roster checks, exports,
monitoring) and the analysis tables both read them from here, and here they come only
from ``seeds/provinces.csv`` and ``seeds/training_categories.csv``.

Examples
--------
>>> province_labels()["31"]
'DKI Jakarta'
>>> category_labels("en")["food_beverage"]
'Food & beverage'
"""
from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from .errors import SeedDataError
from .resources import seeds_dir

PROVINCES_FILE = "provinces.csv"
CATEGORIES_FILE = "training_categories.csv"


@lru_cache(maxsize=8)
def _read(path: Path, columns: tuple[str, ...]) -> tuple[dict[str, str], ...]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise SeedDataError(f"{path} cannot be read: {exc}") from None
    missing = [c for c in columns if rows and c not in rows[0]]
    if not rows or missing:
        raise SeedDataError(f"{path} lacks rows or column(s) {', '.join(missing) or '(none)'}")
    return tuple({c: (row[c] or "").strip() for c in columns} for row in rows)


def province_labels(seeds: str | Path | None = None) -> dict[str, str]:
    """Province code (Kepmendagri, two digits) → name, in file order."""
    path = Path(seeds) if seeds is not None else seeds_dir()
    return {row["code"]: row["name"] for row in _read(path / PROVINCES_FILE, ("code", "name"))}


def category_labels(language: str = "id", seeds: str | Path | None = None) -> dict[str, str]:
    """Training category code → label in ``language`` (``"id"`` or ``"en"``; Indonesian when missing)."""
    if language not in ("id", "en"):
        raise ValueError(f"language must be 'id' or 'en', got {language!r}")
    path = Path(seeds) if seeds is not None else seeds_dir()
    rows = _read(path / CATEGORIES_FILE, ("code", "label_id", "label_en"))
    return {row["code"]: row[f"label_{language}"] or row["label_id"] for row in rows}
