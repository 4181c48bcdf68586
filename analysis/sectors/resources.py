"""Where seed data and the model cache live.

Both locations can be overridden through the environment so that tests,
containers and the Flask app can point the analysis package elsewhere
without code changes.
"""
from __future__ import annotations

import os
from pathlib import Path

SEEDS_ENV = "JEJAK_SEEDS_DIR"
CACHE_ENV = "JEJAK_MODEL_CACHE"

# analysis/sectors/resources.py -> parents[2] is the repository root, which
# holds seeds/ in a source checkout.
_REPO_ROOT = Path(__file__).resolve().parents[2]


def seeds_dir() -> Path:
    """Return the seeds directory (``$JEJAK_SEEDS_DIR`` or ``<repo>/seeds``).

    Examples
    --------
    >>> seeds_dir().name
    'seeds'
    """
    override = os.environ.get(SEEDS_ENV)
    return Path(override).expanduser() if override else _REPO_ROOT / "seeds"


def kbli_csv_path() -> Path:
    """Path of the KBLI 2020 table shipped in ``seeds/kbli``."""
    return seeds_dir() / "kbli" / "kbli2020.csv"


def labelled_csv_path() -> Path:
    """Path of the labelled alumni descriptions in ``seeds/sectors``."""
    return seeds_dir() / "sectors" / "labelled_descriptions.csv"


def cache_dir() -> Path:
    """Return the model cache directory (``$JEJAK_MODEL_CACHE`` or ``~/.cache/jejak``).

    The directory is not created here; writers create it when they need it.
    """
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    return Path.home() / ".cache" / "jejak"
