"""KBLI model versions: the active one the app codes with, candidates, promotion and rollback.

A version is a signed model file under the instance folder (``sector-models/``) and a row in
``sector_models``. The first retrain registers the model in use until then (``SECTOR_MODEL`` or
the default model) as the *baseline* version, so there is always a version to roll back to.
Promotion and rollback are audited (``sectors.model_promote`` / ``sectors.model_rollback``) and
refused with a message when the file cannot be used: not signed with the app's key, written by
another scikit-learn version, or trained on codes that are not KBLI 2020.
"""
from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update

from analysis import ModelFileError, SectorClassifier, load_model, save_model
from analysis.sectors import model_version
from survey_app.audit import record
from survey_app.extensions import db
from survey_app.i18n import N_
from survey_app.models import SectorModelVersion
from survey_app.models.types import utcnow
from survey_app.sectors.models import ModelNotUsable, configured_model, model_key

MODELS_FOLDER = "sector-models"
MIN_PREFIX = 6  # characters of a version hash that name it on the command line

# Loaded files per process, by (path, size, mtime, key): loading a model takes about a second.
_loaded: dict[tuple[str, int, float, str], SectorClassifier] = {}
_loaded_lock = threading.Lock()


class VersionRefused(ValueError):
    """A model-version action cannot be done; ``message`` is an English msgid with ``args``."""

    def __init__(self, message: str, **args):
        super().__init__(message % args if args else message)
        self.message, self.args_ = message, args

    def english(self) -> str:
        return self.message % self.args_ if self.args_ else self.message

    def translated(self) -> str:
        from flask_babel import gettext

        return gettext(self.message, **self.args_)


def models_dir() -> Path:
    """Where model version files live (inside the instance folder, never web-served)."""
    return Path(current_app.instance_path) / MODELS_FOLDER


def file_of(row: SectorModelVersion) -> Path:
    return Path(current_app.instance_path) / row.path


def versions() -> Sequence[SectorModelVersion]:
    """Every version, newest first."""
    return db.session.scalars(select(SectorModelVersion).order_by(SectorModelVersion.id.desc())).all()


def active_version() -> SectorModelVersion | None:
    return db.session.scalar(select(SectorModelVersion).where(SectorModelVersion.status == "active")
                             .order_by(SectorModelVersion.id.desc()).limit(1))


def find_version(text: str) -> SectorModelVersion:
    """The version that is ``text`` or starts with it (at least MIN_PREFIX characters, e.g. ``sc1-3f9a``)."""
    text = (text or "").strip().lower()
    if len(text) < MIN_PREFIX or not all(ch.isascii() and (ch.isalnum() or ch == "-") for ch in text):
        raise VersionRefused(N_("Give at least the first %(n)d characters of a model version (as listed by "
                                "`flask sectors models`)."), n=MIN_PREFIX)
    rows = db.session.scalars(select(SectorModelVersion).where(SectorModelVersion.version.startswith(text))).all()
    if not rows:
        raise VersionRefused(N_("There is no model version %(version)s (see `flask sectors models`)."), version=text)
    if len(rows) > 1:
        raise VersionRefused(N_("%(version)s names more than one model version; give more characters."),
                             version=text)
    return rows[0]


def load_version(row: SectorModelVersion) -> SectorClassifier:
    """The model of ``row``, verified: signed with the app's key, same scikit-learn, KBLI 2020 codes."""

    path = file_of(row)
    key = model_key()
    try:
        stat = path.stat()
    except OSError:
        raise VersionRefused(N_("The file of model %(version)s is missing (%(path)s)."),
                             version=row.version[:12], path=row.path) from None
    cache_key = (str(path), stat.st_size, stat.st_mtime, key)
    with _loaded_lock:
        model = _loaded.get(cache_key)
    if model is not None:
        return model
    try:
        model = load_model(path, key=key)
        model.check_compatible()  # another scikit-learn or KBLI version: refused here, not mid-coding
    except ModelFileError as error:
        raise VersionRefused(N_("Model %(version)s cannot be used: %(reason)s"),
                             version=row.version[:12], reason=str(error)) from None
    with _loaded_lock:
        _loaded.clear()  # one model in memory per process is enough
        _loaded[cache_key] = model
    return model


def active_model() -> SectorClassifier | None:
    """The active version's model, or None when no version was registered yet."""
    row = active_version()
    return load_version(row) if row is not None else None


def save_version_file(model: SectorClassifier, metadata: dict) -> str:
    """Write ``model`` signed with the app's key; returns its path relative to the instance folder."""

    name = f"sector-model-{model_version(model)[:24]}.npz"
    save_model(model, models_dir() / name, metadata=metadata, key=model_key())
    return f"{MODELS_FOLDER}/{name}"


def ensure_baseline(actor: str) -> SectorModelVersion:
    """The active version; registers the model in use so far as the baseline when there is none."""

    row = active_version()
    if row is not None:
        return row
    try:
        model = configured_model()
    except ModelNotUsable as error:
        raise VersionRefused(N_("The current KBLI model cannot be used: %(reason)s"), reason=str(error)) from None
    version = model_version(model)[:64]
    row = db.session.scalar(select(SectorModelVersion).where(SectorModelVersion.version == version))
    if row is None:
        path = save_version_file(model, {"role": "baseline"})
        row = SectorModelVersion(version=version, status="active", path=path, people_codes=0, held_out_codes=0,
                                 metrics=None, sklearn_version=getattr(model, "sklearn_version_", None),
                                 created_by=actor)
        db.session.add(row)
    row.status, row.activated_at, row.activated_by = "active", utcnow(), actor
    db.session.flush()
    record("sectors.model_baseline", f"sector_model:{row.version[:12]}", {"path": row.path})
    db.session.commit()
    return row


def _switch(row: SectorModelVersion, action: str, detail: dict) -> SectorModelVersion:
    """Make ``row`` the active version (the previous one retires); audited; commits."""
    current = active_version()
    now = utcnow()
    if current is not None:
        changed = db.session.execute(update(SectorModelVersion)
                                     .where(SectorModelVersion.id == current.id, SectorModelVersion.status == "active")
                                     .values(status="retired")).rowcount  # type: ignore[attr-defined]  # DML → CursorResult
        if changed != 1:
            db.session.rollback()
            raise VersionRefused(N_("Someone else changed the active model meanwhile; look again."))
    row.status, row.activated_at = "active", now
    from survey_app.audit import cli_actor

    row.activated_by = _actor_name() or cli_actor()
    record(action, f"sector_model:{row.version[:12]}",
           {"version": row.version, "previous": current.version if current else None, **detail})
    db.session.commit()
    return row


def _actor_name() -> str | None:
    from flask import has_request_context
    from flask_login import current_user

    if has_request_context() and getattr(current_user, "is_authenticated", False):
        return str(current_user.email)
    return None


def promote(row: SectorModelVersion) -> SectorModelVersion:
    """Activate a candidate that is not worse than the active model it was compared with."""
    if row.status != "candidate":
        raise VersionRefused(N_("Only a candidate can be promoted; model %(version)s is %(status)s "
                                "(to use an earlier model again, roll back to it)."),
                             version=row.version[:12], status=row.status)
    if not row.not_worse:
        worse = ", ".join((row.metrics or {}).get("worse", [])) or "?"
        raise VersionRefused(N_("Model %(version)s is worse than the active model on %(metrics)s; "
                                "it cannot be promoted."), version=row.version[:12], metrics=worse)
    current = active_version()
    if current is not None and row.compared_with != current.version:
        raise VersionRefused(N_("Model %(version)s was compared with model %(compared)s, but the active model "
                                "is now %(active)s; retrain to compare again."), version=row.version[:12],
                             compared=(row.compared_with or "?")[:12], active=current.version[:12])
    load_version(row)  # refuses a file that cannot be used, before anything changes
    return _switch(row, "sectors.model_promote", {"metrics": (row.metrics or {}).get("rows")})


def rollback(row: SectorModelVersion) -> SectorModelVersion:
    """Activate again a version that was active before."""
    if row.status == "active":
        raise VersionRefused(N_("Model %(version)s is already the active model."), version=row.version[:12])
    if row.status != "retired" or row.activated_at is None:
        raise VersionRefused(N_("Only a model that was active before can be rolled back to; model %(version)s "
                                "never was (promote a candidate instead)."), version=row.version[:12])
    load_version(row)
    return _switch(row, "sectors.model_rollback", {})


def sector_model(path: str | None = None) -> SectorClassifier:
    """The model to code with: ``path``, else the active model version (promoted or rolled back
    to on the staff site), else ``SECTOR_MODEL``, else the (signed) default model."""
    if path is None:
        try:
            active = active_model()
        except VersionRefused as refused:
            raise ModelNotUsable(f"the active KBLI model cannot be used: {refused.english()}") from None
        if active is not None:
            return active
    return configured_model(path)
