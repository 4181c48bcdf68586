"""The default model: trained from seeds/ once, then loaded from a cache.

The cache key is a hash of the seed files (KBLI table and labelled set),
the library versions, the model format, the default parameters and this
package's source code, so any change that could change the model makes a
new cache entry instead of silently reusing a stale one.
"""
from __future__ import annotations

import hashlib
import json
import threading
import warnings
from pathlib import Path

import pandas as pd

from .errors import InputDataError, ModelFileError
from .io import read_table
from .kbli import load_kbli
from .labelled import load_labelled
from .model import SectorClassifier
from .resources import cache_dir, kbli_csv_path, labelled_csv_path
from .storage import FORMAT_VERSION, library_versions, load_model, save_model

DEFAULT_PARAMS = {
    "C": 1.0,
    "tol": 1e-4,
    "word_ngram_range": (1, 2),
    "char_ngram_range": (3, 5),
    "max_word_features": 30000,
    "max_char_features": 60000,
    "char_weight": 1.0,
    "reference": "kbli",
    "reference_weight": 0.3,
    "description_chars": 400,
    "section_model": True,
    "calibration_folds": 5,
    "target_precision": 0.95,
    "kbli5_prior_weight": 0.05,
    "random_state": 0,
}
"""Parameters of the default model (chosen by cross-validation on the
train split; see docs/SECTORS.md)."""

_memo: dict[str, SectorClassifier] = {}
_memo_lock = threading.Lock()


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _source_hash() -> str:
    h = hashlib.sha256()
    for source in sorted(Path(__file__).parent.glob("*.py")):
        h.update(source.name.encode())
        h.update(source.read_bytes())
    return h.hexdigest()


def default_model_key() -> str:
    """Cache key of the default model for the current seeds, code and libraries.

    Examples
    --------
    >>> len(default_model_key())
    64
    """
    parts = {
        "kbli": _file_hash(kbli_csv_path()),
        "labelled": _file_hash(labelled_csv_path()),
        "versions": library_versions(),
        "format": FORMAT_VERSION,
        "params": {k: list(v) if isinstance(v, tuple) else v for k, v in DEFAULT_PARAMS.items()},
        "source": _source_hash(),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def default_model_path(directory: str | Path | None = None) -> Path:
    """Where the default model is (or will be) cached."""
    directory = Path(directory) if directory is not None else cache_dir()
    return directory / f"sector-model-{default_model_key()[:24]}.npz"


def read_coded_examples(path: str | Path, encoding: str = "utf-8") -> pd.DataFrame:
    """Read extra coded examples: a UTF-8 CSV with columns ``text`` and ``kbli5``.

    Rows whose code is not a 5-digit KBLI 2020 code are rejected with the
    line numbers, so a typo does not silently train a wrong class.
    """
    table = read_table(path, required=("text", "kbli5"), encoding=encoding)
    kbli = load_kbli()
    codes = table["kbli5"].astype(str).str.strip()
    bad = ~codes.map(kbli.is_kbli5)
    if bad.any():
        lines = ", ".join(str(i + 2) for i in list(table.index[bad])[:10])
        raise InputDataError(f"{path}: column kbli5 must hold 5-digit KBLI 2020 codes; bad value on line(s) {lines}")
    return pd.DataFrame({"text": table["text"].fillna("").astype(str), "kbli5": codes})


def train_default_model(extra: pd.DataFrame | None = None, n_jobs: int | None = 2) -> SectorClassifier:
    """Train the default classifier on the labelled *train* split (+ ``extra``).

    The held-out ``test`` split is never read here.

    Parameters
    ----------
    extra : pandas.DataFrame, optional
        More coded examples with columns ``text`` and ``kbli5``.
    n_jobs : int, optional
        Worker processes for the SVM fits (results do not depend on it).
    """
    train = load_labelled(split="train")[["text", "kbli5"]]
    if extra is not None and len(extra):
        train = pd.concat([train, extra[["text", "kbli5"]]], ignore_index=True)
    model = SectorClassifier(**DEFAULT_PARAMS, n_jobs=n_jobs)
    return model.fit(train["text"], train["kbli5"].str[:2], kbli5=train["kbli5"])


def load_default_model(directory: str | Path | None = None, retrain: bool = False) -> SectorClassifier:
    """Return the default model, training and caching it on first use.

    Parameters
    ----------
    directory : str or Path, optional
        Cache directory; defaults to ``$JEJAK_MODEL_CACHE`` or ``~/.cache/jejak``.
    retrain : bool, default False
        Ignore a cached file and train again.

    Returns
    -------
    SectorClassifier

    Examples
    --------
    >>> model = load_default_model()  # doctest: +SKIP
    >>> model.predict(["warung kopi"])  # doctest: +SKIP
    array(['56'], dtype='<U2')
    """
    path = default_model_path(directory)
    key = str(path)
    with _memo_lock:
        if not retrain and key in _memo:
            return _memo[key]
        model = None
        if path.is_file() and not retrain:
            try:
                model = load_model(path)
            except ModelFileError as exc:
                warnings.warn(f"ignoring unusable cached model: {exc}", RuntimeWarning, stacklevel=2)
        if model is None:
            model = train_default_model()
            metadata = {"cache_key": default_model_key(), "trained_on": "seeds train split + KBLI 2020 texts"}
            save_model(model, path, metadata=metadata)
        _memo[key] = model
        return model
