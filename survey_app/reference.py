"""Labels of codes shipped in seeds/ (training categories, provinces), read once per process."""
from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from flask import current_app

from survey_app.roster.provinces import PROVINCES


@lru_cache(maxsize=8)
def _categories(seeds_dir: str) -> dict[str, dict[str, str]]:
    path = Path(seeds_dir) / "training_categories.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: {"id": row["label_id"], "en": row["label_en"]} for row in csv.DictReader(handle)}


def category_labels(language: str) -> dict[str, str]:
    """Training category code → label in ``language``."""
    return {code: labels.get(language) or labels["id"]
            for code, labels in _categories(str(current_app.config["SEEDS_DIR"])).items()}


def province_labels() -> dict[str, str]:
    """Province code → name."""
    return dict(PROVINCES)
