"""`flask wave …`: a thin layer over the wave service."""
from __future__ import annotations

from datetime import datetime

import click
from flask.cli import AppGroup

from survey_app.waves.service import WaveError, create_wave, list_waves, parse_moment

wave_cli = AppGroup("wave", help="Create and list waves (fieldings of a questionnaire).")


@wave_cli.command("create")
@click.argument("name")
@click.option("--questionnaire", required=True,
              help="Questionnaire id, or a name meaning the latest version of that name.")
@click.option("--opens", help="When the wave opens (ISO 8601; without an offset, UTC).")
@click.option("--closes", help="When the wave closes (ISO 8601; without an offset, UTC).")
def create_command(name: str, questionnaire: str, opens: str | None, closes: str | None) -> None:
    """Create a wave called NAME for a stored questionnaire."""
    try:
        opens_at = parse_moment(opens, "--opens") if opens else None
        closes_at = parse_moment(closes, "--closes") if closes else None
        wave = create_wave(name, questionnaire, opens_at, closes_at)
    except WaveError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created wave {wave.name!r} for questionnaire {wave.questionnaire.name!r} "
               f"version {wave.questionnaire.version} (id {wave.questionnaire.id}), "
               f"open {_window(wave.opens_at, wave.closes_at)}.")


@wave_cli.command("list")
def list_command() -> None:
    """List waves with their questionnaire, open window and invitation counts."""
    waves = list_waves()
    if not waves:
        click.echo("No waves yet (create one with `flask wave create`).")
        return
    for w in waves:
        click.echo(f"{w.name}\t{w.questionnaire}\t{_window(w.opens_at, w.closes_at)}\t"
                   f"{w.invitations} invited\t{w.submitted} submitted")


def _window(opens_at: datetime | None, closes_at: datetime | None) -> str:
    def show(moment: datetime | None) -> str | None:
        return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else None

    return f"{show(opens_at) or 'now'} to {show(closes_at) or 'no end'}"
