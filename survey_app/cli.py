"""The ``flask`` command groups. Each is a thin layer over a feature's services."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register every feature's command group on ``app``."""
    from survey_app.accounts.cli import users_cli
    from survey_app.alumni.cli import alumni_cli
    from survey_app.demo.cli import demo_cli
    from survey_app.exports.cli import export_cli
    from survey_app.invitations.cli import invitations_cli
    from survey_app.jobs.cli import jobs_cli
    from survey_app.messaging.cli import messages_cli
    from survey_app.questionnaire.cli import questionnaire_cli, use_wave_lookup
    from survey_app.roster.cli import roster_cli
    from survey_app.sectors.cli import sectors_cli, use_job_starter
    from survey_app.waves.cli import wave_cli
    from survey_app.xlsform.cli import register as register_xlsform

    # `questionnaire import-xlsform` / `export-xlsform` (survey_app/xlsform/cli.py) are added
    # here, not in questionnaire/cli.py: xlsform builds on the questionnaire package, so the
    # questionnaire package must not import it back (lint-imports: no sibling cycles).
    register_xlsform(questionnaire_cli)
    use_wave_lookup(_wave_questionnaire)
    use_job_starter(_start_cli_job)

    for group in (roster_cli, questionnaire_cli, wave_cli, invitations_cli, demo_cli, users_cli, export_cli,
                  messages_cli, sectors_cli, alumni_cli, jobs_cli):
        app.cli.add_command(group)


def _wave_questionnaire(reference: str) -> int:
    """The questionnaire id of a wave, for `questionnaire check --against-wave` (see use_wave_lookup)."""
    from survey_app.waves.service import WaveError, questionnaire_of_wave

    try:
        return questionnaire_of_wave(reference)
    except WaveError as error:
        raise LookupError(str(error)) from None


def _start_cli_job(kind: str) -> tuple[int, bool]:
    """Start a background job from the command line, as an admin named after the OS user."""
    from types import SimpleNamespace

    from survey_app.audit import cli_actor
    from survey_app.jobs import service
    from survey_app.jobs.queue import QueueUnavailable

    person = SimpleNamespace(id=None, role="admin", email=cli_actor())
    try:
        started = service.start_job(kind, user=person, wave_id=None, params={})
    except QueueUnavailable as error:
        raise RuntimeError(str(error)) from None
    return started.job.id, started.reused
