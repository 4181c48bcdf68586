"""Storing questionnaire versions and getting compiled questionnaires back, cached."""
from __future__ import annotations

import dataclasses
import threading
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from survey_app.audit import record
from survey_app.extensions import db
from survey_app.models import Questionnaire as QuestionnaireRow
from survey_app.questionnaire.builder import build, build_from_text
from survey_app.questionnaire.definition import Questionnaire
from survey_app.questionnaire.yaml_source import load_yaml

_lock = threading.Lock()


def _cache() -> dict[int, Questionnaire]:
    # One cache per app (and so per database): ids are only unique within a database.
    cache: dict[int, Questionnaire] = current_app.extensions.setdefault("jejak_questionnaires", {})
    return cache


def store_new_version(source: str, origin: str | None = None) -> QuestionnaireRow:
    """Validate ``source`` and store it as the next version of its name; commits.

    With ``origin`` (e.g. ``"xlsform"``) a ``questionnaire.load`` audit event is committed
    in the same transaction. Raises :class:`~survey_app.questionnaire.errors.DefinitionError` when invalid, in
    which case nothing is written.
    """
    compiled = build_from_text(source)
    data = _plain(load_yaml(source))
    latest = db.session.scalar(
        select(func.max(QuestionnaireRow.version)).where(QuestionnaireRow.name == compiled.name)
    )
    row = QuestionnaireRow(name=compiled.name, version=(latest or 0) + 1, source=source, definition=data)
    db.session.add(row)
    if origin is not None:
        db.session.flush()  # the new row's id goes into the audit record
        record("questionnaire.load", row.name, {"version": row.version, "id": row.id, "source": origin})
    db.session.commit()
    return row


def compiled_questionnaire(questionnaire_id: int) -> Questionnaire:
    """The compiled questionnaire for a stored version (compiled once per process).

    Stored versions are immutable, so the cache never needs invalidating.
    """
    cache = _cache()
    cached = cache.get(questionnaire_id)
    if cached is not None:
        return cached
    row = db.session.get(QuestionnaireRow, questionnaire_id)
    if row is None:
        raise LookupError(f"no questionnaire with id {questionnaire_id}")
    compiled = build(row.definition)
    compiled = dataclasses.replace(compiled, version=row.version)
    with _lock:
        cache[questionnaire_id] = compiled
    return compiled


def latest_version(name: str) -> QuestionnaireRow | None:
    """The newest stored version of questionnaire ``name``."""
    return db.session.scalar(
        select(QuestionnaireRow).where(QuestionnaireRow.name == name)
        .order_by(QuestionnaireRow.version.desc()).limit(1)
    )


def _plain(value: Any) -> Any:
    """Strip the line-number wrappers so the definition stores as plain JSON."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
