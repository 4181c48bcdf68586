"""Saving and loading fitted classifiers without pickle.

A model file is one ``.npz`` archive of plain numeric/unicode arrays plus a
JSON manifest (stored as a uint8 array).  Loading uses
``numpy.load(allow_pickle=False)``, so a file from an untrusted source can
at worst contain wrong numbers, never code that runs on load.  The manifest
records each array's SHA-256 and the library versions; files that were
modified, truncated or written by another scikit-learn/format version are
refused with :class:`~analysis.errors.ModelFileError`.

Those checksums live in the same file, so they only catch accidents: whoever can
edit a file can recompute them.  Against deliberate tampering a file can be
**signed**: ``save_model(..., key=K)`` stores HMAC-SHA256(K, manifest); the
manifest holds every array's digest, so the signature covers the whole model.
``load_model(path, key=K)`` refuses a file without a signature or with one that
does not verify.  The app always loads with its key (``JEJAK_MODEL_KEY``); see
``docs/SECTORS.md``.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import platform
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import scipy
import scipy.sparse as sp
import sklearn

from ..errors import ModelFileError
from .features import TextFeaturizer
from .model import SectorClassifier

FORMAT_NAME = "jejak-sector-model"
FORMAT_VERSION = 1
MAX_UNCOMPRESSED_BYTES = 2_000_000_000  # refuse zip bombs before reading anything

SIGNATURE_ARRAY = "signature"
"""Name of the archive member holding the hex HMAC-SHA256 of the manifest (signed files only)."""

_FEATURIZER_PARAMS = ("word_ngram_range", "char_ngram_range", "max_word_features",
                      "max_char_features", "char_weight")
_TUPLE_PARAMS = ("word_ngram_range", "char_ngram_range")


def library_versions() -> dict[str, str]:
    """Versions that a stored model depends on.

    Examples
    --------
    >>> sorted(library_versions())
    ['numpy', 'python', 'scikit-learn', 'scipy']
    """
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
    }


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def _digest(array: np.ndarray) -> str:
    h = hashlib.sha256()
    h.update(f"{array.dtype.str}|{array.shape}|".encode())
    h.update(np.ascontiguousarray(array).tobytes())
    return h.hexdigest()


def _key_bytes(key: str | bytes) -> bytes:
    raw = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if len(raw) < 16:
        raise ModelFileError("a model signing key must be at least 16 bytes long")
    return raw


def manifest_signature(manifest_bytes: bytes, key: str | bytes) -> str:
    """HMAC-SHA256 of a model manifest under ``key`` (hex).

    Examples
    --------
    >>> len(manifest_signature(b"{}", "a key of sixteen bytes"))
    64
    """
    return hmac.new(_key_bytes(key), manifest_bytes, hashlib.sha256).hexdigest()


def key_fingerprint(key: str | bytes) -> str:
    """A short, non-secret name of a key (first 12 hex digits of its SHA-256), for messages and caches."""
    return hashlib.sha256(_key_bytes(key)).hexdigest()[:12]


def _model_arrays(model: SectorClassifier) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    arrays = dict(model.featurizer_.get_state())
    classes = np.asarray(model.classes_)
    if classes.dtype == object:
        classes = classes.astype(str)
    arrays.update(
        classes=classes,
        coef=np.asarray(model.coef_, dtype=np.float32),
        intercept=np.asarray(model.intercept_, dtype=np.float64),
        oof_confidence=np.asarray(model.oof_confidence_, dtype=np.float64),
        oof_correct=np.asarray(model.oof_correct_, dtype=bool),
        oof_predicted=np.asarray(model.oof_predicted_).astype(classes.dtype),
        oof_margin=np.asarray(getattr(model, "oof_margin_", np.zeros(0)), dtype=np.float64),
        oof_fold=np.asarray(getattr(model, "oof_fold_", np.zeros(0)), dtype=np.int64),
    )
    scalars: dict[str, Any] = {
        "temperature": float(model.temperature_),
        "section_temperature": float(model.section_temperature_),
        "has_section_model": getattr(model, "section_coef_", None) is not None,
        "review_threshold": float(model.review_threshold_),
        "label_level": model.label_level_,
        "has_sections": model.class_sections_ is not None,
        "has_kbli5": getattr(model, "kbli5_codes_", None) is not None,
        # Identity and provenance of the fitted model (see SectorClassifier.FITTED_ATTRIBUTES):
        # the app stamps ``version`` on every stored code.
        "version": getattr(model, "version_", None),
        "sklearn_version": getattr(model, "sklearn_version_", None),
        "auto_rule": json.loads(json.dumps(getattr(model, "auto_rule_", {}), default=float)),
    }
    if scalars["has_sections"]:
        arrays["class_sections"] = np.asarray(model.class_sections_, dtype=str)
    if scalars["has_section_model"]:
        arrays.update(
            section_classes=np.asarray(model.section_classes_, dtype=str),
            section_coef=np.asarray(model.section_coef_, dtype=np.float32),
            section_intercept=np.asarray(model.section_intercept_, dtype=np.float64),
        )
    if scalars["has_kbli5"]:
        centroids = sp.csr_matrix(model.kbli5_centroids_)
        arrays.update(
            kbli5_codes=np.asarray(model.kbli5_codes_, dtype=str),
            kbli5_prior=np.asarray(model.kbli5_prior_, dtype=np.float64),
            kbli5_data=centroids.data.astype(np.float32),
            kbli5_indices=centroids.indices.astype(np.int32),
            kbli5_indptr=centroids.indptr.astype(np.int64),
            # kbli5c helper: per-code offsets (intercepts of the 5-digit code SVMs).
            kbli5_bias=np.asarray(getattr(model, "kbli5_bias_", np.zeros(centroids.shape[0])), dtype=np.float64),
        )
        scalars["kbli5_shape"] = list(centroids.shape)
        scalars["kbli5_temperature"] = float(getattr(model, "kbli5_temperature_", 1.0))  # kbli5 helper
    return arrays, scalars


def save_model(model: SectorClassifier, path: str | Path, metadata: dict[str, Any] | None = None, *,
               key: str | bytes | None = None) -> Path:
    """Write a fitted model to ``path`` (atomically: readers never see half a file).

    Parameters
    ----------
    model : SectorClassifier
        A fitted classifier.
    path : str or Path
        Target file; ``.npz`` is the conventional suffix.
    metadata : dict, optional
        JSON-serialisable notes stored in the manifest (e.g. training data hash).
    key : str or bytes, optional
        Signing key (at least 16 bytes): the file gets an HMAC-SHA256 signature that
        ``load_model(path, key=key)`` checks.

    Returns
    -------
    Path
    """
    path = Path(path)
    arrays, scalars = _model_arrays(model)
    params = {k: (list(v) if isinstance(v, tuple) else v) for k, v in model.get_params().items()}
    manifest = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "versions": library_versions(),
        "params": params,
        "scalars": scalars,
        "metadata": metadata or {},
        "arrays": {name: _digest(array) for name, array in arrays.items()},
    }
    manifest_bytes = json.dumps(manifest, sort_keys=True).encode("utf-8")
    arrays["manifest"] = np.frombuffer(manifest_bytes, dtype=np.uint8)
    arrays["manifest_sha256"] = np.frombuffer(
        hashlib.sha256(manifest_bytes).hexdigest().encode("ascii"), dtype=np.uint8)
    if key is not None:
        arrays[SIGNATURE_ARRAY] = np.frombuffer(manifest_signature(manifest_bytes, key).encode("ascii"),
                                                dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            savez: Callable[..., None] = np.savez_compressed  # its stub mistypes **arrays
            savez(handle, **arrays)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return path


def _read_arrays(path: Path) -> dict[str, np.ndarray]:
    if not path.is_file():
        raise ModelFileError(f"model file not found: {path}")
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
        if total > MAX_UNCOMPRESSED_BYTES:
            raise ModelFileError(f"{path}: refusing a model file that unpacks to {total:,} bytes")
        with np.load(path, allow_pickle=False) as npz:
            return {name: npz[name] for name in npz.files}
    except ModelFileError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError) as exc:
        raise ModelFileError(
            f"{path} is not a readable Jejak sector model ({type(exc).__name__}: {exc}). "
            "Only files written by `jejak-analysis train` / save_model can be loaded."
        ) from None


def read_manifest(path: str | Path, *, key: str | bytes | None = None) -> dict[str, Any]:
    """Return the verified manifest of a model file (versions, params, metadata)."""
    return _verified_manifest(Path(path), _read_arrays(Path(path)), key)


def is_signed(path: str | Path) -> bool:
    """Whether a model file carries a signature (not whether it verifies)."""
    return SIGNATURE_ARRAY in _read_arrays(Path(path))


def _check_signature(path: Path, manifest_bytes: bytes, signature: np.ndarray | None, key: str | bytes) -> None:
    if signature is None:
        raise ModelFileError(
            f"{path} is not signed; only model files signed with the configured key (JEJAK_MODEL_KEY) are "
            f"accepted. Sign it with `JEJAK_MODEL_KEY=… python -m analysis sign --model {path.name}` after "
            "checking where it came from, or train it again with the key set.")
    try:
        stored = signature.tobytes().decode("ascii")
    except UnicodeDecodeError:
        stored = ""
    if not hmac.compare_digest(stored, manifest_signature(manifest_bytes, key)):
        raise ModelFileError(
            f"{path}: the signature does not match (the file was changed after it was signed, or signed with "
            f"another key than the configured one, fingerprint {key_fingerprint(key)}); refusing it")


def _verified_manifest(path: Path, arrays: dict[str, np.ndarray],
                       key: str | bytes | None = None) -> dict[str, Any]:
    signature = arrays.pop(SIGNATURE_ARRAY, None)
    try:
        manifest_bytes = arrays.pop("manifest").tobytes()
        stored_digest = arrays.pop("manifest_sha256").tobytes().decode("ascii")
        manifest: dict[str, Any] = json.loads(manifest_bytes.decode("utf-8"))
    except (KeyError, UnicodeDecodeError, json.JSONDecodeError):
        raise ModelFileError(f"{path} has no valid manifest; not a Jejak sector model") from None
    if key is not None:
        # Checked first: a bad signature is the message that matters for a tampered file.
        _check_signature(path, manifest_bytes, signature, key)
    if hashlib.sha256(manifest_bytes).hexdigest() != stored_digest:
        raise ModelFileError(f"{path} was modified after it was written (manifest checksum mismatch); refusing it")
    if manifest.get("format") != FORMAT_NAME:
        raise ModelFileError(f"{path} is not a Jejak sector model (format {manifest.get('format')!r})")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(
            f"{path} uses model format {manifest.get('format_version')!r}, this version reads "
            f"format {FORMAT_VERSION}; retrain it with `jejak-analysis train --out {path.name}`")
    written = manifest.get("versions", {}).get("scikit-learn", "?")
    if _minor(written) != _minor(sklearn.__version__):
        raise ModelFileError(
            f"{path} was written with scikit-learn {written}, this environment has "
            f"{sklearn.__version__}; refusing it because text features may differ between "
            f"versions. Retrain with `jejak-analysis train --out {path.name}`")
    expected = manifest.get("arrays", {})
    if set(expected) != set(arrays):
        raise ModelFileError(f"{path} has missing or unexpected arrays; refusing it")
    for name, array in arrays.items():
        if _digest(array) != expected[name]:
            raise ModelFileError(f"{path}: array {name!r} does not match its checksum (file tampered with or corrupt)")
    return manifest


def load_model(path: str | Path, *, key: str | bytes | None = None) -> SectorClassifier:
    """Load a model written by :func:`save_model`, verifying it first.

    Parameters
    ----------
    path : str or Path
    key : str or bytes, optional
        When given, the file must carry a valid signature made with this key
        (see :func:`save_model`); without it only the checksums are verified, which
        catch corruption but not deliberate edits.

    Raises
    ------
    ModelFileError
        If the file is missing, not a model, modified, unsigned or badly signed (with
        ``key``), or from another scikit-learn minor version or model format.

    Examples
    --------
    >>> load_model("/nonexistent/model.npz")
    Traceback (most recent call last):
    ...
    analysis.errors.ModelFileError: model file not found: /nonexistent/model.npz
    """
    return load_model_and_manifest(path, key=key)[0]


def load_model_and_manifest(path: str | Path, *,
                            key: str | bytes | None = None) -> tuple[SectorClassifier, dict[str, Any]]:
    """:func:`load_model` that also returns the verified manifest (one read of the file)."""
    path = Path(path)
    arrays = _read_arrays(path)
    manifest = _verified_manifest(path, arrays, key)
    try:
        return _rebuild(manifest, arrays), manifest
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise ModelFileError(f"{path} has an inconsistent content ({exc}); refusing it") from None


def _rebuild(manifest: dict[str, Any], arrays: dict[str, np.ndarray]) -> SectorClassifier:
    params = dict(manifest["params"])
    # kbli5 helper: files from before these parameters existed were fitted the old way.
    params.setdefault("kbli5_features", "word")
    params.setdefault("kbli5_examples_weight", 0.0)
    params.setdefault("kbli5_centroid_power", 1.0)  # kbli5c helper: plain sums before it existed
    for name in _TUPLE_PARAMS:
        params[name] = tuple(params[name])
    model = SectorClassifier(**params)
    scalars = manifest["scalars"]
    featurizer_params = {name: params[name] for name in _FEATURIZER_PARAMS}
    model.featurizer_ = TextFeaturizer.from_state(featurizer_params, arrays)
    n_features = model.featurizer_.n_word_features_ + model.featurizer_.n_char_features_
    model.classes_ = arrays["classes"]
    model.coef_ = arrays["coef"]
    model.intercept_ = arrays["intercept"]
    if model.coef_.shape != (len(model.classes_), n_features) or model.intercept_.shape != (len(model.classes_),):
        raise ValueError("coefficient shapes do not match classes and vocabulary")
    if not (np.isfinite(model.coef_).all() and np.isfinite(model.intercept_).all()):
        raise ValueError("non-finite coefficients")
    model.temperature_ = float(scalars["temperature"])
    model.review_threshold_ = float(scalars["review_threshold"])
    if not (model.temperature_ > 0 and 0 <= model.review_threshold_ <= 1):
        raise ValueError("temperature or threshold out of range")
    model.label_level_ = scalars["label_level"]
    model.oof_confidence_ = arrays["oof_confidence"]
    model.oof_correct_ = arrays["oof_correct"]
    model.oof_predicted_ = arrays["oof_predicted"]
    # Files written before these were stored lack them: the model still predicts the same.
    model.oof_margin_ = arrays.get("oof_margin", np.zeros(0))
    model.oof_fold_ = arrays.get("oof_fold", np.zeros(0, dtype=np.int64))
    if scalars.get("version"):
        model.version_ = str(scalars["version"])
    if scalars.get("sklearn_version"):
        model.sklearn_version_ = str(scalars["sklearn_version"])
    model.auto_rule_ = dict(scalars.get("auto_rule") or {})
    model.class_sections_ = arrays["class_sections"] if scalars["has_sections"] else None
    model.section_temperature_ = float(scalars["section_temperature"])
    model.section_classes_ = model.section_coef_ = model.section_intercept_ = None
    if scalars["has_section_model"]:
        model.section_classes_ = arrays["section_classes"]
        model.section_coef_ = arrays["section_coef"]
        model.section_intercept_ = arrays["section_intercept"]
        n_sections = len(model.section_classes_)
        if model.section_coef_.shape != (n_sections, n_features) or model.section_intercept_.shape != (n_sections,):
            raise ValueError("section model shapes do not match")
        if not (np.isfinite(model.section_coef_).all() and model.section_temperature_ > 0):
            raise ValueError("invalid section model")
    if model.class_sections_ is not None and model.class_sections_.shape != model.classes_.shape:
        raise ValueError("class_sections does not match classes")
    model.kbli5_codes_ = None
    if scalars["has_kbli5"]:
        shape = tuple(scalars["kbli5_shape"])
        # kbli5 helper: centroids span the word block or, with kbli5_features="all", every feature.
        width = n_features if params.get("kbli5_features") == "all" else model.featurizer_.n_word_features_
        if shape[1] != width:
            raise ValueError("5-digit centroids do not match the vocabulary")
        model.kbli5_centroids_ = sp.csr_matrix(
            (arrays["kbli5_data"], arrays["kbli5_indices"], arrays["kbli5_indptr"]), shape=shape)
        model.kbli5_centroids_.check_format(full_check=True)
        model.kbli5_codes_ = arrays["kbli5_codes"]
        model.kbli5_prior_ = arrays["kbli5_prior"]
        if len(model.kbli5_codes_) != shape[0] or len(model.kbli5_prior_) != shape[0]:
            raise ValueError("5-digit codes do not match centroids")
        # kbli5 helper: files written before the temperature existed rank as before (T = 1).
        model.kbli5_temperature_ = float(scalars.get("kbli5_temperature", 1.0))
        if not (np.isfinite(model.kbli5_temperature_) and model.kbli5_temperature_ > 0):
            raise ValueError("5-digit temperature out of range")
        # kbli5c helper: files written before the code SVMs existed have no offsets (zeros).
        model.kbli5_bias_ = np.asarray(arrays.get("kbli5_bias", np.zeros(shape[0])), dtype=np.float64)
        if model.kbli5_bias_.shape != (shape[0],) or not np.isfinite(model.kbli5_bias_).all():
            raise ValueError("5-digit offsets do not match centroids")
    return model


def sign_model(path: str | Path, key: str | bytes, out: str | Path | None = None) -> Path:
    """Sign an existing (checksum-valid) model file with ``key``; writes ``out`` (default: in place).

    Signing says "I trust this file": check where an unsigned file came from first.
    """
    path = Path(path)
    model = load_model(path)
    manifest = read_manifest(path)
    return save_model(model, out or path, metadata=manifest.get("metadata"), key=key)
