"""`flask wave …`: a thin layer over the wave service."""
from __future__ import annotations

from datetime import datetime

import click
from flask.cli import AppGroup

from survey_app.waves.service import WaveError, create_wave, find_wave, list_waves, parse_moment, set_follow_up

wave_cli = AppGroup("wave", help="Create and list waves (fieldings of a questionnaire).")


@wave_cli.command("create")
@click.argument("name")
@click.option("--questionnaire", required=True,
              help="Questionnaire id, or a name meaning the latest version of that name.")
@click.option("--opens", help="When the wave opens (ISO 8601; without an offset, UTC).")
@click.option("--closes", help="When the wave closes (ISO 8601; without an offset, UTC).")
@click.option("--follow-up-of", "follow_up_of",
              help="Name (or id) of the earlier wave whose alumni this wave asks again.")
def create_command(name: str, questionnaire: str, opens: str | None, closes: str | None,
                   follow_up_of: str | None) -> None:
    """Create a wave called NAME for a stored questionnaire (optionally a follow-up wave)."""
    try:
        opens_at = parse_moment(opens, "--opens") if opens else None
        closes_at = parse_moment(closes, "--closes") if closes else None
        wave = create_wave(name, questionnaire, opens_at, closes_at, follow_up_of=follow_up_of)
    except WaveError as exc:
        raise click.ClickException(str(exc)) from None
    follow_up = f", follow-up of {wave.follow_up_of.name!r}" if wave.follow_up_of else ""
    click.echo(f"Created wave {wave.name!r} for questionnaire {wave.questionnaire.name!r} "
               f"version {wave.questionnaire.version} (id {wave.questionnaire.id}), "
               f"open {_window(wave.opens_at, wave.closes_at)}{follow_up}.")


@wave_cli.command("follow-up")
@click.argument("name")
@click.option("--of", "earlier", help="Name (or id) of the earlier wave.")
@click.option("--none", "standalone", is_flag=True, help="Make the wave stand alone (no earlier wave).")
def follow_up_command(name: str, earlier: str | None, standalone: bool) -> None:
    """Make wave NAME a follow-up of another wave (only before it has invitations)."""
    if bool(earlier) == standalone:
        raise click.UsageError("give either --of EARLIER_WAVE or --none")
    try:
        wave = set_follow_up(find_wave(name), None if standalone else earlier)
    except WaveError as exc:
        raise click.ClickException(str(exc)) from None
    if wave.follow_up_of is None:
        click.echo(f"Wave {wave.name!r} is not a follow-up of any wave.")
    else:
        click.echo(f"Wave {wave.name!r} is a follow-up of {wave.follow_up_of.name!r}.")


@wave_cli.command("list")
def list_command() -> None:
    """List waves with their questionnaire, open window and invitation counts."""
    waves = list_waves()
    if not waves:
        click.echo("No waves yet (create one with `flask wave create`).")
        return
    for w in waves:
        follow_up = f"\tfollow-up of {w.follow_up_of}" if w.follow_up_of else ""
        click.echo(f"{w.name}\t{w.questionnaire}\t{_window(w.opens_at, w.closes_at)}\t"
                   f"{w.invitations} invited\t{w.submitted} submitted{follow_up}")


def _window(opens_at: datetime | None, closes_at: datetime | None) -> str:
    def show(moment: datetime | None) -> str | None:
        return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else None

    return f"{show(opens_at) or 'now'} to {show(closes_at) or 'no end'}"
