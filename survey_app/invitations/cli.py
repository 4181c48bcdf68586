"""`flask invitations …`: a thin layer over the invitation service."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from survey_app.audit import cli_actor
from survey_app.extensions import db
from survey_app.invitations.service import DEFAULT_BATCH_SIZE, IssueError, issue_invitations

invitations_cli = AppGroup("invitations", help="Issue personal survey links.")


@invitations_cli.command("issue")
@click.option("--wave", "wave_name", required=True, help="Name of the wave.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="New CSV file for the links (never overwritten).")
@click.option("--limit", type=click.IntRange(min=1), help="Issue at most this many invitations.")
@click.option("--cohort", help="Only alumni of this cohort (gelombang), e.g. G07.")
@click.option("--province", help="Only alumni of this province (Kepmendagri code, e.g. 32).")
@click.option("--batch-size", type=click.IntRange(min=1), default=DEFAULT_BATCH_SIZE, show_default=True,
              help="Invitations created per database round trip.")
@click.option("--only-respondents", is_flag=True,
              help="Follow-up wave: only alumni who submitted the wave it follows up.")
def issue_command(wave_name: str, out: Path, limit: int | None, cohort: str | None,
                  province: str | None, batch_size: int, only_respondents: bool) -> None:
    """Create an invitation for each alumnus without one in the wave and write their links.

    The CSV has columns external_id,name,phone,email,url (the database keeps only hashes of
    the links). It appears only once the invitations are committed; if anything fails, neither
    the file nor the invitations exist. Running again issues links only to alumni added since.
    """
    try:
        result = issue_invitations(
            db.engine, wave_name, out, base_url=current_app.config["BASE_URL"], limit=limit,
            cohort=cohort, province=province, batch_size=batch_size, actor=cli_actor(),
            only_respondents=only_respondents,
        )
    except IssueError as exc:
        raise click.ClickException(str(exc)) from None
    respondents = (f" to respondents of wave {result.only_respondents_of!r}"
                   if result.only_respondents_of else "")
    if result.issued:
        click.echo(f"Issued {result.issued} invitations in wave {result.wave!r}{respondents}; "
                   f"links in {result.path}.")
    elif result.only_respondents_of:
        click.echo(f"Every respondent of wave {result.only_respondents_of!r} among the selected alumni already "
                   f"has an invitation in wave {result.wave!r} (or the earlier wave has no respondents); "
                   f"{result.path} has the header only.")
    else:
        click.echo(f"Every selected alumnus already has an invitation in wave {result.wave!r}; "
                   f"{result.path} has the header only.")
