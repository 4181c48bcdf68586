"""Fixtures shared by the app's test packages (staff accounts for any staff-side test)."""
from tests.survey_app.admin.conftest import as_role, staff  # noqa: F401  (re-exported fixtures)
