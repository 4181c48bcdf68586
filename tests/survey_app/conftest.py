"""Fixtures shared by the app's test packages (staff accounts, the exports' small wave)."""
from tests.survey_app.admin.conftest import as_role, staff  # noqa: F401  (re-exported fixtures)
from tests.survey_app.exports.conftest import small_wave  # noqa: F401  (re-exported fixture)
