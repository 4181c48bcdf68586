"""`flask roster …`: a thin layer over :mod:`survey_app.roster.importer`."""
from __future__ import annotations

import csv
from pathlib import Path

import click
from flask.cli import AppGroup

from survey_app.audit import cli_actor
from survey_app.csv_safety import neutralise
from survey_app.extensions import db
from survey_app.roster.csv_files import FileRefused
from survey_app.roster.importer import DEFAULT_CHUNK_SIZE, ImportReport, RowError, import_roster_files

roster_cli = AppGroup("roster", help="Import the programme's roster of alumni and trainings.")

SHOWN_ERRORS = 50


@roster_cli.command("import")
@click.option("--alumni", "alumni_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="alumni.csv: external_id,name,phone,email,province,sex,birth_year,cohort")
@click.option("--enrollments", "enrollments_path", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="enrollments.csv: external_id,training_code,completed_at")
@click.option("--trainings", "trainings_path", type=click.Path(dir_okay=False, path_type=Path),
              help="trainings.csv: code,title,provider,category[,description] (imported first)")
@click.option("--strict", is_flag=True,
              help="Refuse the whole import (write nothing) if any row is bad.")
@click.option("--errors-out", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write every refused row (file,line,message) to this CSV file.")
@click.option("--chunk-size", type=click.IntRange(min=1), default=DEFAULT_CHUNK_SIZE, show_default=True,
              help="Rows read, looked up and written per batch.")
def import_command(alumni_path: Path, enrollments_path: Path, trainings_path: Path | None,
                   strict: bool, errors_out: Path | None, chunk_size: int) -> None:
    """Import (insert or update) trainings, alumni and enrollments from CSV files.

    Files are UTF-8 (a BOM is fine). Rows are matched by training code, alumnus external_id
    and (external_id, training_code), so re-running the same files changes nothing. Bad rows
    are listed with file and line and skipped; with --strict nothing at all is written.
    Exits with status 1 if any row or file was refused. See docs/ROSTER.md for the columns.
    """
    shown = 0

    def show(error: RowError) -> None:
        nonlocal shown
        if shown < SHOWN_ERRORS:
            click.echo(f"  {error}", err=True)
        shown += 1

    with _ErrorsFile(errors_out) as errors_file:
        def on_error(error: RowError) -> None:
            show(error)
            errors_file.write(error)

        try:
            report = import_roster_files(
                db.engine, alumni=alumni_path, enrollments=enrollments_path, trainings=trainings_path,
                strict=strict, chunk_size=chunk_size, on_error=on_error, actor=cli_actor(),
            )
        except FileRefused as exc:
            click.echo(f"Refused: {exc}", err=True)
            click.echo("Nothing was imported.", err=True)
            raise SystemExit(1) from None
    _print_summary(report, shown, errors_out)
    if not report.ok:
        raise SystemExit(1)


def _print_summary(report: ImportReport, shown: int, errors_out: Path | None) -> None:
    if shown > SHOWN_ERRORS:
        more = f"... and {shown - SHOWN_ERRORS} more"
        click.echo(f"  {more}" + (f" (all in {errors_out})" if errors_out else
                                  " (use --errors-out FILE.csv to get them all)"), err=True)
    for f in report.files:
        click.echo(f"{f.name}: {f.rows} rows: {f.inserted} inserted, {f.updated} updated, "
                   f"{f.unchanged} unchanged, {f.refused} refused ({f.seconds:.1f} s)")
        if f.ignored_columns:
            click.echo(f"  (ignored unknown columns: {', '.join(f.ignored_columns)})")
    if report.committed:
        suffix = f" ({report.error_count} bad rows skipped)" if report.error_count else ""
        click.echo(f"Import committed{suffix}.")
    else:
        click.echo(f"Strict mode: {report.error_count} bad rows, nothing was written.", err=True)


class _ErrorsFile:
    """The optional --errors-out CSV, written as errors are found."""

    def __init__(self, path: Path | None):
        self.path = path
        self._fh = None
        self._writer = None

    def __enter__(self):
        if self.path:
            try:
                self._fh = self.path.open("w", newline="", encoding="utf-8")
            except OSError as exc:
                raise click.ClickException(f"cannot write {self.path}: {exc.strerror}") from None
            self._writer = csv.writer(self._fh)
            self._writer.writerow(["file", "line", "message"])
        return self

    def write(self, error: RowError) -> None:
        if self._writer:
            # The message quotes the refused cell, which may be a formula (security: CSV injection).
            self._writer.writerow([neutralise(error.file), error.line, neutralise(error.message)])

    def __exit__(self, *exc_info):
        if self._fh:
            self._fh.close()
