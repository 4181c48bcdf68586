"""`flask questionnaire import-xlsform|export-xlsform`: thin wrappers over importer and writer."""
from __future__ import annotations

import csv
import os
import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from survey_app.xlsform.errors import XLSFormError
from survey_app.xlsform.importer import DEFAULT_REPEAT_MAX, import_xlsform
from survey_app.xlsform.writer import export_xlsform


def register(group: click.Group) -> None:
    """Add the XLSForm commands to the ``questionnaire`` command group."""
    group.add_command(import_command)
    group.add_command(export_command)


def _print_issues(issues, stream_err: bool = True) -> None:
    for issue in issues:
        click.echo(str(issue), err=stream_err)


@click.command("import-xlsform")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--out", "out", type=click.Path(dir_okay=False), help="Write the YAML here (default: print it).")
@click.option("--skip-unsupported", is_flag=True, help="Leave out unsupported questions (each is reported).")
@click.option("--default-language", default=None, help="Language code of columns without one, e.g. id.")
@click.option("--repeat-max", default=DEFAULT_REPEAT_MAX, show_default=True, type=click.IntRange(1, 50),
              help="Upper bound for repeats without a repeat_count.")
def import_command(path: str, out: str | None, skip_unsupported: bool, default_language: str | None,
                   repeat_max: int) -> None:
    """Convert an XLSForm (.xlsx/.xls) into a Jejak YAML definition; then `check`/`load` it."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise click.ClickException(f"{path}: {error.strerror}") from None
    try:
        result = import_xlsform(data, skip_unsupported=skip_unsupported, default_language=default_language,
                                repeat_max=repeat_max, filename=os.path.basename(path))
    except XLSFormError as error:
        _print_issues(error.issues)
        unsupported_only = all(i.kind == "unsupported" for i in error.issues)
        hint = " (use --skip-unsupported to leave these out)" if unsupported_only else ""
        click.echo(f"{path}: not imported, {len(error.issues)} problem(s){hint}", err=True)
        sys.exit(1)
    _print_issues(result.issues)
    if out:
        tmp = f"{out}.tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(result.yaml)
        os.replace(tmp, out)  # never leave a half-written file
        click.echo(f"wrote {out}: {len(result.definition['pages'])} page(s); "
                   f"{len(result.of_kind('unsupported'))} unsupported item(s) left out, "
                   f"{len(result.of_kind('note'))} note(s)", err=True)
    else:
        click.echo(result.yaml)


@click.command("export-xlsform")
@click.argument("questionnaire")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="The .xlsx file to write.")
@with_appcontext
def export_command(questionnaire: str, out: str) -> None:
    """Write a stored questionnaire (NAME for the latest version, or ID) as an XLSForm."""
    from survey_app.extensions import db
    from survey_app.models import Questionnaire, Training
    from survey_app.questionnaire.service import latest_version

    row = (db.session.get(Questionnaire, int(questionnaire)) if questionnaire.isdigit()
           else latest_version(questionnaire))
    if row is None:
        raise click.ClickException(f"no stored questionnaire '{questionnaire}' (see `flask questionnaire list`)")
    trainings = [(t.code, t.title, t.category) for t in db.session.scalars(select(Training).order_by(Training.code))]
    if not trainings:
        trainings = _seed_trainings()
    definition = dict(row.definition, version=row.version)
    data = export_xlsform(definition, trainings)
    tmp = f"{out}.tmp"
    with open(tmp, "wb") as handle:
        handle.write(data)
    os.replace(tmp, out)
    click.echo(f"wrote {out}: '{row.name}' version {row.version} as XLSForm")


def _seed_trainings() -> list[tuple[str, str, str]]:
    """The shipped training catalogue, when the database has none yet."""
    path = os.path.join(os.path.dirname(__file__), "..", "..", "seeds", "trainings.csv")
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as handle:
        return [(r["code"], r["title"], r["category"]) for r in csv.DictReader(handle)]
