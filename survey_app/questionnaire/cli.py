"""`flask questionnaire check|load|list`: questionnaire definitions from the command line."""
from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Questionnaire
from survey_app.questionnaire.builder import check_text
from survey_app.questionnaire.errors import DefinitionError
from survey_app.questionnaire.service import store_new_version

questionnaire_cli = AppGroup("questionnaire", help="Check and load questionnaire definitions.")


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except UnicodeDecodeError as error:
        raise click.ClickException(f"{path}: not UTF-8 text (byte {error.start}); save the file as UTF-8") from None
    except OSError as error:
        raise click.ClickException(f"{path}: {error.strerror}") from None


@questionnaire_cli.command("check")
@click.argument("path", type=click.Path(dir_okay=False))
def check_command(path: str) -> None:
    """Validate a definition file and list every problem with its line and question."""
    problems = check_text(_read(path))
    if not problems:
        click.echo(f"{path}: OK")
        return
    for problem in problems:
        click.echo(f"{path}: {problem}", err=True)
    click.echo(f"{len(problems)} problem(s) found", err=True)
    sys.exit(1)


@questionnaire_cli.command("load")
@click.argument("path", type=click.Path(dir_okay=False))
def load_command(path: str) -> None:
    """Validate a definition file and store it as a new version."""
    try:
        row = store_new_version(_read(path))
    except DefinitionError as error:
        for problem in error.problems:
            click.echo(f"{path}: {problem}", err=True)
        click.echo("nothing stored", err=True)
        sys.exit(1)
    click.echo(f"stored questionnaire '{row.name}' version {row.version} with id {row.id}")


@questionnaire_cli.command("list")
def list_command() -> None:
    """List stored questionnaire versions."""
    for row in db.session.scalars(select(Questionnaire).order_by(Questionnaire.name, Questionnaire.version)):
        click.echo(f"{row.id}\t{row.name}\tv{row.version}\t{row.created_at:%Y-%m-%d %H:%M}")

