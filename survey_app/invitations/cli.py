"""`flask wave …` and `flask invitations …`: thin layers over the invitation services."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from survey_app.audit import cli_actor
from survey_app.extensions import db
from survey_app.invitations.service import DEFAULT_BATCH_SIZE, IssueError, issue_invitations
from survey_app.invitations.waves import WaveError, create_wave, list_waves, parse_moment

wave_cli = AppGroup("wave", help="Create and list waves (fieldings of a questionnaire).")
invitations_cli = AppGroup("invitations", help="Issue personal survey links.")


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


@invitations_cli.command("issue")
@click.option("--wave", "wave_name", required=True, help="Name of the wave.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="New CSV file for the links (never overwritten).")
@click.option("--limit", type=click.IntRange(min=1), help="Issue at most this many invitations.")
@click.option("--cohort", help="Only alumni of this cohort (gelombang), e.g. G07.")
@click.option("--province", help="Only alumni of this province (Kepmendagri code, e.g. 32).")
@click.option("--batch-size", type=click.IntRange(min=1), default=DEFAULT_BATCH_SIZE, show_default=True,
              help="Invitations created per database round trip.")
def issue_command(wave_name: str, out: Path, limit: int | None, cohort: str | None,
                  province: str | None, batch_size: int) -> None:
    """Create an invitation for each alumnus without one in the wave and write their links.

    The CSV has columns external_id,name,phone,email,url (the database keeps only hashes of
    the links). It appears only once the invitations are committed; if anything fails, neither
    the file nor the invitations exist. Running again issues links only to alumni added since.
    """
    try:
        result = issue_invitations(
            db.engine, wave_name, out, base_url=current_app.config["BASE_URL"], limit=limit,
            cohort=cohort, province=province, batch_size=batch_size, actor=cli_actor(),
        )
    except IssueError as exc:
        raise click.ClickException(str(exc)) from None
    if result.issued:
        click.echo(f"Issued {result.issued} invitations in wave {result.wave!r}; links in {result.path}.")
    else:
        click.echo(f"Every selected alumnus already has an invitation in wave {result.wave!r}; "
                   f"{result.path} has the header only.")


def _window(opens_at, closes_at) -> str:
    def show(moment):
        return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else None

    return f"{show(opens_at) or 'now'} to {show(closes_at) or 'no end'}"
