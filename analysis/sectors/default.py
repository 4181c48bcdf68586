"""The default model: trained from seeds/ once, then loaded from a cache.

The cache key is a hash of the seed files (KBLI table and labelled set),
the library versions, the model format, the default parameters and this
package's source code, so any change that could change the model makes a
new cache entry instead of silently reusing a stale one.  A cached file is used
only when its stored key equals the current one.

Several processes (gunicorn workers, pytest-xdist workers, a CLI run) may ask for
the model at once: a file lock next to the cache file makes one of them train
while the others wait and then load the file it wrote.

With a signing ``key`` (the app always passes its ``JEJAK_MODEL_KEY``) the cache
file is written signed and a cached file that is unsigned, signed with another key
or tampered with is not used: the model is trained again from the shipped seeds,
which is always safe.  Without a key (notebooks, the CLI without
``JEJAK_MODEL_KEY``) the cache is trusted local data: it was written by the same
user from the seeds that ship with the code, and whoever can change files in the
user's cache directory can change the installed code too.
"""
from __future__ import annotations

import hashlib
import json
import threading
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
from filelock import FileLock, Timeout

from ..errors import InputDataError, ModelFileError
from ..io import read_table
from ..resources import cache_dir, kbli_csv_path, labelled_csv_path
from .kbli import load_kbli
from .labelled import kbli5_documents_path, load_kbli5_documents, load_labelled
from .model import SectorClassifier
from .storage import FORMAT_VERSION, key_fingerprint, library_versions, load_model_and_manifest, save_model

TRAIN_LOCK_TIMEOUT = 1800.0
"""Seconds a process waits for another one training the default model."""

DEFAULT_PARAMS: dict[str, Any] = {
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

_memo: dict[tuple[str, str], SectorClassifier] = {}
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
        "kbli5_documents": _file_hash(kbli5_documents_path()),
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

    The held-out ``test`` split is never read here.  The 5-digit documents
    (``seeds/sectors/kbli5_documents.csv``) feed the 5-digit ranker only.

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
    return model.fit(train["text"], train["kbli5"].str[:2], kbli5=train["kbli5"],
                     kbli5_documents=load_kbli5_documents())


def load_default_model(directory: str | Path | None = None, retrain: bool = False, *,
                       key: str | bytes | None = None) -> SectorClassifier:
    """Return the default model, training and caching it on first use.

    Parameters
    ----------
    directory : str or Path, optional
        Cache directory; defaults to ``$JEJAK_MODEL_CACHE`` or ``~/.cache/jejak``.
    retrain : bool, default False
        Ignore a cached file and train again.
    key : str or bytes, optional
        Signing key: the cache file is written signed and a cached file is used only if
        its signature verifies (see the module docstring).

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
    memo_key = (str(path), key_fingerprint(key) if key is not None else "")
    with _memo_lock:
        if not retrain:
            found = _memo.get(memo_key)
            if found is None and key is None:
                # A model this process verified with some key is fine for a caller without one.
                found = next((m for (p, _k), m in _memo.items() if p == memo_key[0]), None)
            if found is not None:
                return found
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with FileLock(str(path) + ".lock", timeout=TRAIN_LOCK_TIMEOUT):
                model = None if retrain else _cached(path, key)
                if model is None:
                    model = train_default_model()
                    metadata = {"cache_key": default_model_key(),
                                "trained_on": "seeds train split + KBLI 2020 texts"}
                    save_model(model, path, metadata=metadata, key=key)
        except Timeout:
            raise ModelFileError(f"another process has been training the default model into {path} for "
                                 f"{TRAIN_LOCK_TIMEOUT:.0f} s; remove {path}.lock if no process is") from None
        _memo[memo_key] = model
        return model


def _cached(path: Path, key: str | bytes | None) -> SectorClassifier | None:
    """The cached model at ``path`` if it is usable for the current key, else None (with a warning)."""
    if not path.is_file():
        return None
    try:
        model, manifest = load_model_and_manifest(path, key=key)
        stored = manifest.get("metadata", {}).get("cache_key")
    except ModelFileError as exc:
        warnings.warn(f"ignoring unusable cached model: {exc}", RuntimeWarning, stacklevel=3)
        return None
    if stored != default_model_key():
        warnings.warn(f"ignoring unusable cached model: {path} was trained for another cache key",
                      RuntimeWarning, stacklevel=3)
        return None
    return model
