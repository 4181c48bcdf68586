"""`flask sectors …`: KBLI coding of business descriptions from the command line."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from survey_app.models import Wave
from survey_app.sectors.models import ModelNotUsable, sector_model
from survey_app.sectors.service import CodingError, code_wave, status_counts, write_training_data
from survey_app.waves.service import WaveError, find_wave

sectors_cli = AppGroup("sectors", help="Code business descriptions into KBLI 2020 sectors.")


def _wave(name: str) -> Wave:
    try:
        return find_wave(name)
    except WaveError as exc:
        raise click.ClickException(str(exc)) from None


@sectors_cli.command("code")
@click.option("--wave", "wave_name", required=True, help="Wave whose submitted answers to code.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=None,
              help="Confidence needed to auto-code (default: the model's, set for 95% precision).")
@click.option("--model", "model_path", type=click.Path(dir_okay=False),
              help="Signed model file to code with (default: SECTOR_MODEL or the default model).")
def code_command(wave_name: str, threshold: float | None, model_path: str | None) -> None:
    """Code every submitted description that has no code yet; unsure ones go to the review queue."""
    wave = _wave(wave_name)
    try:
        model = sector_model(model_path) if model_path else None
        report = code_wave(wave, model=model, threshold=threshold)
    except ModelNotUsable as error:
        raise click.ClickException(str(error)) from None
    except CodingError as error:
        raise click.ClickException(str(error)) from None
    share = f"{100 * report.auto / report.total:.1f}%" if report.total else "—"
    click.echo(f"coded {report.total} answers: {report.auto} automatically ({share}), "
               f"{report.review} to the review queue (model {report.model_version[:12]})")


@sectors_cli.command("status")
@click.option("--wave", "wave_name", required=True)
def status_command(wave_name: str) -> None:
    """Current codes of a wave by status (auto, review, manual)."""
    counts = status_counts(_wave(wave_name))
    for status in ("auto", "review", "manual"):
        click.echo(f"{status}\t{counts.get(status, 0)}")


@sectors_cli.command("export-training")
@click.option("--out", type=click.File("w", encoding="utf-8"), required=True)
def export_training_command(out) -> None:
    """Write people's codes as text,kbli5 for `python -m analysis train --extra FILE`."""
    count = write_training_data(out)
    click.echo(f"wrote {count} manually coded answers")
