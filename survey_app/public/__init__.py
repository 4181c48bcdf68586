"""Public pages that need no login: the landing page and health check."""
from survey_app.public.views import bp

__all__ = ["bp"]
