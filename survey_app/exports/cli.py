"""`flask export …`: responses (CSV/XLSX/Stata/SPSS), codebook, research dataset.

The command line is trusted (an operator on the server), but names/contacts and financial
answers still have to be asked for by flag, and every export is in the audit log.
"""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from survey_app.exports.codebook import render_codebook_html, write_codebook_csv
from survey_app.exports.service import (
    FORMATS,
    LANGUAGES,
    ExportError,
    ExportOptions,
    audit,
    check_destination,
    plan_export,
    write_export,
)
from survey_app.waves.service import WaveError, find_wave

export_cli = AppGroup("export", help="Export a wave's responses, codebook or research dataset.")

_wave = click.option("--wave", "wave_ref", required=True, help="Wave name (or id).")
_force = click.option("--force", is_flag=True, help="Replace the destination if it exists.")
_financial = click.option("--include-financial", is_flag=True,
                          help="Also export financial answers (questions marked sensitive).")
_earlier = click.option("--include-earlier", is_flag=True,
                        help="Follow-up wave: add each person's answers in the earlier wave as prev_ columns.")
_language = click.option("--language", type=click.Choice(LANGUAGES), default="id", show_default=True,
                         help="Language of variable and value labels.")


@export_cli.command("responses")
@_wave
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True, help="File format.")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="File to write.")
@click.option("--labels", is_flag=True,
              help="CSV/XLSX: choice labels instead of choice names (Stata/SPSS always carry value labels).")
@_language
@click.option("--include-personal", is_flag=True, help="Also export external id, name, phone and e-mail.")
@_financial
@click.option("--submitted-only", is_flag=True, help="Only submitted responses (default: every response).")
@_earlier
@_force
def responses_command(wave_ref, fmt, out, labels, language, include_personal, include_financial,
                      submitted_only, include_earlier, force):
    """Write every response of a wave to OUT (pseudonymised unless --include-personal)."""
    options = ExportOptions(format=fmt, language=language, labels=labels, include_personal=include_personal,
                            include_financial=include_financial, submitted_only=submitted_only,
                            include_earlier=include_earlier)
    try:
        options.check()
        wave = find_wave(wave_ref)
        check_destination(out, force=force)
        plan = plan_export(wave, options)
        counter = _CountingPlan(plan)
        write_export(counter, out, force=force)
    except (ExportError, WaveError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    audit(plan, rows=counter.count, out=str(out), commit=True)
    click.echo(f"Wrote {counter.count} responses of wave {wave.name!r} ({len(plan.columns)} variables) to {out}.")


class _CountingPlan:
    """An export plan whose rows are counted as they are written."""

    def __init__(self, plan):
        self._plan, self.count = plan, 0

    def __getattr__(self, name):
        return getattr(self._plan, name)

    def rows(self):
        for row in self._plan.rows():
            self.count += 1
            yield row


@export_cli.command("codebook")
@_wave
@click.option("--out", required=True, type=click.Path(path_type=Path), help="File to write (.csv or .html).")
@click.option("--format", "fmt", type=click.Choice(("csv", "html")), help="Default: from the file name.")
@click.option("--include-personal", is_flag=True, help="Describe the personal columns too.")
@_financial
@_earlier
@_force
def codebook_command(wave_ref, out, fmt, include_personal, include_financial, include_earlier, force):
    """Write the codebook of a wave's export: variables, labels, values, relevance, flags."""
    fmt = fmt or ("html" if out.suffix.lower() in (".html", ".htm") else "csv")
    try:
        wave = find_wave(wave_ref)
        check_destination(out, force=force)
        plan = plan_export(wave, ExportOptions(include_personal=include_personal,
                                               include_financial=include_financial,
                                               include_earlier=include_earlier))
        if fmt == "html":
            title = f"Codebook: {wave.name} ({plan.questionnaire.name} v{plan.questionnaire.version})"
            out.write_text(render_codebook_html(plan.columns, title), encoding="utf-8")
        else:
            write_codebook_csv(out, plan.columns)
    except (ExportError, WaveError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Wrote the codebook of wave {wave.name!r} ({len(plan.columns)} variables) to {out}.")


@export_cli.command("dataset")
@_wave
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Directory to create.")
@_financial
@_force
def dataset_command(wave_ref, out, include_financial, force):
    """Write the research dataset of a wave to directory OUT (see docs/DATASET.md)."""
    from survey_app.exports.dataset import write_dataset

    try:
        wave = find_wave(wave_ref)
        manifest = write_dataset(wave, out, include_financial=include_financial, force=force)
    except (ExportError, WaveError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    files = ", ".join(f"{name} {info['rows']}" for name, info in manifest["files"].items())
    click.echo(f"Wrote dataset of wave {wave.name!r} to {out}: {files}.")
