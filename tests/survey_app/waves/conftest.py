"""Fixtures for the waves tests: the stored questionnaires, alumni and wave of the invitations tests."""
from tests.survey_app.invitations.conftest import add_alumni, questionnaires, wave  # noqa: F401  (re-exported fixtures)
