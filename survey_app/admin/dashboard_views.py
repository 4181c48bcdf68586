"""Wave dashboards: response funnel overall and by province, training category and cohort."""
from __future__ import annotations

from flask import render_template, request
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import func, select

from survey_app.admin.blueprint import ALL_ROLES, DATA_ROLES, bp, page_arg, roles_required, wave_or_404
from survey_app.admin.forms import SearchForm
from survey_app.audit import record_access
from survey_app.extensions import db
from survey_app.models import Alumnus, Invitation, Response
from survey_app.monitoring.stats import wave_stats, waves_overview
from survey_app.privacy import pseudonym, pseudonym_key
from survey_app.reference import category_labels, province_labels

PAGE_SIZE = 50


@bp.get("/")
@roles_required(*ALL_ROLES)
def home():
    """Every wave with its response funnel."""
    return render_template("admin/home.html", overview=waves_overview())



@bp.get("/waves/<int:wave_id>")
@roles_required(*ALL_ROLES)
def wave_dashboard(wave_id: int):
    """Counts and rates by province, training category and cohort; refreshes itself."""
    from survey_app.admin.wave_views import panel_context  # --- waves: follow-up waves (issue 11)

    wave = wave_or_404(wave_id)
    provinces, categories = province_labels(), category_labels(str(get_locale()))
    stats = wave_stats(wave, provinces, categories)
    fragment = bool(request.args.get("fragment"))
    extra = panel_context(wave, provinces, categories, page=not fragment)
    template = "admin/_wave_stats.html" if fragment else "admin/wave.html"
    return render_template(template, wave=wave, stats=stats, **extra)


@bp.get("/waves/<int:wave_id>/invitations")
@roles_required(*DATA_ROLES)
def wave_invitations(wave_id: int):
    """Drill-down list of a wave's invitations, searchable by external id (admins) or pseudonym."""
    wave = wave_or_404(wave_id)
    form = SearchForm(request.args)
    form.status.choices = [("", "—")] + [(s, s) for s in Invitation.STATUSES]
    query = (select(Invitation, Alumnus.external_id, Alumnus.name, Alumnus.province_code, Alumnus.cohort,
                    Response.updated_at, Response.submitted_at)
             .join(Alumnus, Alumnus.id == Invitation.alumnus_id)
             .outerjoin(Response, Response.invitation_id == Invitation.id)
             .where(Invitation.wave_id == wave.id))
    term = (form.q.data or "").strip()
    is_admin = current_user.can("admin")
    if term and is_admin:
        query = query.where(Alumnus.external_id.startswith(term, autoescape=True))
    if form.status.data in Invitation.STATUSES:
        query = query.where(Invitation.status == form.status.data)
    page = page_arg()
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0  # a COUNT always returns a row
    rows = db.session.execute(query.order_by(Invitation.id).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    key = pseudonym_key()
    items = [{
        "invitation": row.Invitation,
        "person": row.external_id if is_admin else pseudonym(row.external_id, key),
        "name": row.name if is_admin else None,
        "province": row.province_code, "cohort": row.cohort,
        "updated_at": row.updated_at, "submitted_at": row.submitted_at,
    } for row in rows]
    if is_admin and items:
        record_access("personal_data.view", f"wave:{wave.name}:invitations",
                      {"page": page, "query": term, "rows": len(items)})
    return render_template("admin/invitations.html", wave=wave, form=form, items=items, page=page,
                           pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1), total=total, is_admin=is_admin)
