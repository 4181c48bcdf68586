"""The audit log, for administrators (read-only for everyone)."""
from __future__ import annotations

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from survey_app.admin.blueprint import ADMIN_ONLY, bp, menu_entry, page_arg, roles_required
from survey_app.extensions import db
from survey_app.models import AuditEvent

PAGE_SIZE = 100
menu_entry("admin.audit_log", _l("Audit log"), ADMIN_ONLY)


@bp.get("/audit")
@roles_required(*ADMIN_ONLY)
def audit_log():
    """Newest audit events first, filterable by action."""
    action = (request.args.get("action") or "").strip()[:64]
    query = select(AuditEvent)
    if action:
        query = query.where(AuditEvent.action.startswith(action, autoescape=True))
    page = page_arg()
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    events = db.session.scalars(query.order_by(AuditEvent.id.desc()).limit(PAGE_SIZE)
                                .offset((page - 1) * PAGE_SIZE)).all()
    return render_template("admin/audit.html", events=events, action=action, page=page,
                           pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1))
