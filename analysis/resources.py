"""Where the shipped seed data and the model cache live.

Seed data (``seeds/`` in the repository) is installed as the ``seeds`` package, so it is
found with :mod:`importlib.resources` both in a source checkout and in an installed
wheel.  Both locations can be overridden through the environment so that tests,
containers and the Flask app can point the analysis package elsewhere without code
changes.
"""
from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

SEEDS_ENV = "JEJAK_SEEDS_DIR"
CACHE_ENV = "JEJAK_MODEL_CACHE"
SEEDS_PACKAGE = "seeds"


def shipped_seeds_dir() -> Path:
    """The seed directory that ships with the package (ignores ``$JEJAK_SEEDS_DIR``).

    Examples
    --------
    >>> (shipped_seeds_dir() / "provinces.csv").is_file()
    True
    """
    # Regular (non-zipped) installs and source checkouts give a real directory; the
    # readers below need paths because pandas and the app open the files by name.
    return Path(str(resources.files(SEEDS_PACKAGE)))


def seeds_dir() -> Path:
    """Return the seeds directory (``$JEJAK_SEEDS_DIR`` or the shipped ``seeds`` package).

    Examples
    --------
    >>> seeds_dir().name
    'seeds'
    """
    override = os.environ.get(SEEDS_ENV)
    return Path(override).expanduser() if override else shipped_seeds_dir()


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
