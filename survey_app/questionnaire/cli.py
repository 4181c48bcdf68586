"""`flask questionnaire check|load|list`: questionnaire definitions from the command line."""
from __future__ import annotations

import sys
from collections.abc import Callable

import click
from flask.cli import AppGroup
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Questionnaire
from survey_app.questionnaire.builder import build_from_text, check_text
from survey_app.questionnaire.errors import DefinitionError
from survey_app.questionnaire.labels import placeholder_warnings
from survey_app.questionnaire.previous import previous_names, previous_warnings, unknown_previous_references
from survey_app.questionnaire.service import compiled_questionnaire, store_new_version

questionnaire_cli = AppGroup("questionnaire", help="Check and load questionnaire definitions.")


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except UnicodeDecodeError as error:
        raise click.ClickException(f"{path}: not UTF-8 text (byte {error.start}); save the file as UTF-8") from None
    except OSError as error:
        raise click.ClickException(f"{path}: {error.strerror}") from None


_AGAINST_WAVE = click.option(
    "--against-wave", "against_wave", metavar="WAVE", default=None,
    help="The wave this questionnaire will follow up: every ${previous.x} must be a question of "
         "that wave's questionnaire.")


# Waves depend on questionnaires, never the reverse (lint-imports: no cycles between the app's
# packages); so the app's CLI set-up hands this module the lookup of a wave's questionnaire id.
_wave_questionnaire: Callable[[str], int] | None = None


def use_wave_lookup(lookup: Callable[[str], int]) -> None:
    """Set how ``--against-wave W`` finds W's questionnaire id (LookupError with a message if none)."""
    global _wave_questionnaire
    _wave_questionnaire = lookup


def _previous_problems(path: str, text: str, against_wave: str | None) -> list[str]:
    """Messages for ${previous.x} unknown in the wave's questionnaire; warnings are printed."""
    compiled = build_from_text(text)
    for warning in previous_warnings(compiled) + placeholder_warnings(compiled):
        click.echo(f"{path}: warning: {warning}", err=True)
    if against_wave is None:
        read = ", ".join(f"previous.{name}" for name in sorted(previous_names(compiled)))
        if read:
            click.echo(f"{path}: note: reads earlier answers ({read}); check it with --against-wave against "
                       "the wave it follows up", err=True)
        return []
    if _wave_questionnaire is None:
        raise click.ClickException("--against-wave needs the app's waves (run it as `flask questionnaire check`)")
    try:
        earlier = compiled_questionnaire(_wave_questionnaire(against_wave))
    except LookupError as error:
        raise click.ClickException(str(error.args[0])) from None
    return [f"{path}: {message}" for message in unknown_previous_references(compiled, earlier)]


@questionnaire_cli.command("check")
@click.argument("path", type=click.Path(dir_okay=False))
@_AGAINST_WAVE
def check_command(path: str, against_wave: str | None) -> None:
    """Validate a definition file and list every problem with its line and question."""
    text = _read(path)
    problems = [f"{path}: {problem}" for problem in check_text(text)]
    if not problems:
        problems = _previous_problems(path, text, against_wave)
    if not problems:
        click.echo(f"{path}: OK")
        return
    for problem in problems:
        click.echo(problem, err=True)
    click.echo(f"{len(problems)} problem(s) found", err=True)
    sys.exit(1)


@questionnaire_cli.command("load")
@click.argument("path", type=click.Path(dir_okay=False))
@_AGAINST_WAVE
def load_command(path: str, against_wave: str | None) -> None:
    """Validate a definition file and store it as a new version."""
    text = _read(path)
    if against_wave is not None and not check_text(text):
        problems = _previous_problems(path, text, against_wave)
        if problems:
            for problem in problems:
                click.echo(problem, err=True)
            click.echo("nothing stored", err=True)
            sys.exit(1)
    try:
        row = store_new_version(text)
    except DefinitionError as error:
        for found in error.problems:
            click.echo(f"{path}: {found}", err=True)
        click.echo("nothing stored", err=True)
        sys.exit(1)
    click.echo(f"stored questionnaire '{row.name}' version {row.version} with id {row.id}")


@questionnaire_cli.command("list")
def list_command() -> None:
    """List stored questionnaire versions."""
    for row in db.session.scalars(select(Questionnaire).order_by(Questionnaire.name, Questionnaire.version)):
        click.echo(f"{row.id}\t{row.name}\tv{row.version}\t{row.created_at:%Y-%m-%d %H:%M}")

