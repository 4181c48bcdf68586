"""The staff site: login, dashboards, respondent management, messages, exports, audit log.

Each module registers its views on the one blueprint; services live in the feature
packages (monitoring/, accounts/, …), so views stay thin.
"""
from survey_app.admin import (  # noqa: F401 (each module registers its views)
    alumni_views,
    audit_views,
    auth_views,
    coding_views,
    dashboard_views,
    export_views,
    job_views,
    message_views,
    report_views,
    roster_views,
    sector_model_views,  # retrain (issue 13 items 5-6)
    users_views,
    wave_views,  # --- waves
    xlsform_views,
)
from survey_app.admin.blueprint import bp

__all__ = ["bp"]
