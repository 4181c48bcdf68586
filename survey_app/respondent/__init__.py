"""The respondent side: the personal survey link and its pages."""
from survey_app.respondent.views import bp

__all__ = ["bp"]
