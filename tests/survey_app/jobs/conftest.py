"""Fixtures of the job tests: staff logins and the small export wave."""
from tests.survey_app.admin.conftest import as_role, staff  # noqa: F401 (fixtures)
from tests.survey_app.exports.conftest import demo_wave, small_wave  # noqa: F401 (fixtures)
