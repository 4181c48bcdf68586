"""The audit log: who exported or viewed personal data, erased answers, changed roles.

Events are added to the caller's transaction, so an action and its audit record commit or
roll back together. The log is append-only: the ORM refuses to update or delete events.
"""
from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import event

from survey_app.extensions import db
from survey_app.models import AuditEvent

# jobs (issue 8): a background job records events in the name of the staff member who started it.
_ACTING_AS: ContextVar[tuple[str, int | None] | None] = ContextVar("jejak_audit_acting_as", default=None)


@contextmanager
def acting_as(actor: str, user_id: int | None = None) -> Iterator[None]:
    """Within the block, events without a logged-in user are recorded for ``actor``."""
    token = _ACTING_AS.set((actor, user_id))
    try:
        yield
    finally:
        _ACTING_AS.reset(token)


class AuditLogIsAppendOnly(RuntimeError):
    """Raised when code tries to change or delete an audit event."""


def record(action: str, target: str = "", detail: dict[str, Any] | None = None,
           actor: str | None = None) -> AuditEvent:
    """Add an audit event for the current user (web) or OS user (CLI) to the session."""
    user_id = None
    if actor is None:
        if has_request_context() and getattr(current_user, "is_authenticated", False):
            actor, user_id = current_user.email, current_user.id
        elif (acting := _ACTING_AS.get()) is not None:
            actor, user_id = acting
        else:
            actor = cli_actor()
    detail = dict(detail or {})
    if has_request_context():
        detail.setdefault("ip", request.remote_addr)
    entry = AuditEvent(user_id=user_id, actor=actor, action=action, target=str(target)[:200], detail=detail)
    db.session.add(entry)
    return entry


def record_access(action: str, target: str = "", detail: dict[str, Any] | None = None,
                  actor: str | None = None) -> AuditEvent:
    """Record that someone saw or took data, and commit it at once.

    For views, downloads and CLI commands that read personal data or export it: the event must
    be on record before the data leaves, whatever happens to the response afterwards. Views
    call this instead of committing themselves ("views never commit", docs/ARCHITECTURE.md).
    """
    entry = record(action, target, detail, actor)
    db.session.commit()
    return entry


def cli_actor() -> str:
    """The audit actor of a command-line action: ``cli:<OS user>``."""
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # noqa: BLE001 - no login name in some containers; still recorded
        return "cli:unknown"


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(_mapper, _connection, _target):
    raise AuditLogIsAppendOnly("audit events cannot be changed")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(_mapper, _connection, _target):
    raise AuditLogIsAppendOnly("audit events cannot be deleted")
