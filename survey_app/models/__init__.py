"""Database models (SQLAlchemy 2.x). Every schema change needs an Alembic migration."""
from survey_app.models.accounts import AdminUser, AuditEvent
from survey_app.models.coding import SecondCode, SectorCode, SectorModelVersion  # retrain: +2 models
from survey_app.models.jobs import Job  # jobs (issue 8)
from survey_app.models.messaging import MessageTemplate, OutboundMessage
from survey_app.models.roster import Alumnus, AlumnusCategory, Enrollment, Training
from survey_app.models.survey import Invitation, Questionnaire, Response, RetiredToken, Wave

__all__ = [
    "AdminUser", "AuditEvent", "Alumnus", "AlumnusCategory", "Enrollment", "Training",
    "Invitation", "Job", "MessageTemplate", "OutboundMessage", "SectorCode", "Questionnaire", "Response",
    "RetiredToken", "Wave",
    "SecondCode", "SectorModelVersion",  # retrain
]
