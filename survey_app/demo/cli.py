"""`flask demo …`: synthetic data for demos, tests and benchmarks."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from survey_app.demo.roster_data import DemoDataError, load_reference, write_roster_csv

demo_cli = AppGroup("demo", help="Synthetic data for demos, tests and benchmarks.")


@demo_cli.command("roster")
@click.option("--alumni", "count", type=click.IntRange(min=1), required=True, help="Number of alumni.")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Directory for trainings.csv, alumni.csv and enrollments.csv (created if needed).")
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same files.")
def roster_command(count: int, out: Path, seed: int) -> None:
    """Write a realistic synthetic roster as CSV files ready for `flask roster import`.

    Provinces follow population, trainings follow category popularity (from the seeds),
    cohorts are G01..G30 (2020–2023) and completion dates follow the cohort.
    """
    try:
        reference = load_reference(current_app.config["SEEDS_DIR"])
        files = write_roster_csv(out, count, seed, reference)
    except DemoDataError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"cannot write to {out}: {exc.strerror or exc}") from None
    click.echo(f"Wrote {files.alumni_rows} alumni ({files.alumni}), {files.enrollment_rows} "
               f"enrollments ({files.enrollments}) and the catalogue ({files.trainings}).")
    click.echo(f"Import with: flask roster import --trainings {files.trainings} "
               f"--alumni {files.alumni} --enrollments {files.enrollments}")


@demo_cli.command("seed")
@click.option("--alumni", type=click.IntRange(min=10), default=3000, show_default=True,
              help="Synthetic alumni to load (first run only).")
@click.option("--responses", type=click.IntRange(min=0), default=None,
              help="Synthetic responses: mostly submitted, some partial or declined "
                   "[default: a fifth of --alumni, at most 600].")
@click.option("--seed", type=int, default=2020, show_default=True, help="Same seed, same data.")
def seed_command(alumni: int, responses: int | None, seed: int) -> None:
    """Load the default questionnaire, synthetic alumni, an open wave 'demo' and answers,
    and a follow-up wave 'demo_followup' of it (questionnaire tracer_followup).

    Safe to run again: existing demo data is kept, and a new admin password and fresh
    sample links are printed.
    """
    from survey_app.demo.seed import seed_demo

    work_dir = Path(current_app.instance_path)
    work_dir.mkdir(parents=True, exist_ok=True)
    if responses is None:  # house: so that `flask demo seed --alumni 50` works as the issue writes it
        responses = min(600, alumni // 5)
    if responses > alumni:
        raise click.ClickException("--responses cannot exceed --alumni")
    try:
        result = seed_demo(alumni=alumni, responses=responses, seed=seed,
                           seeds_dir=Path(current_app.config["SEEDS_DIR"]), work_dir=work_dir,
                           base_url=current_app.config["BASE_URL"])
    except DemoDataError as exc:
        raise click.ClickException(str(exc)) from None
    if result.created:
        click.echo(f"Loaded {result.alumni} alumni, {result.invitations} invitations "
                   f"(links in {result.links_file}), {result.submitted} submitted, "
                   f"{result.partial} partial and {result.declined} declined responses.")
    else:
        click.echo("Demo data already present; kept as is.")
    click.echo("")
    follow_up = result.follow_up
    if follow_up is not None and follow_up.created:
        click.echo(f"Follow-up wave 'demo_followup': {follow_up.invitations} invitations "
                   f"({follow_up.newcomers} newcomers; links in {', '.join(map(str, follow_up.links_files))}), "
                   f"{follow_up.submitted} submitted, {follow_up.partial} partial and "
                   f"{follow_up.declined} declined responses.")
    click.echo(f"Admin login:  {result.admin_email}  /  {result.admin_password}")
    click.echo("Sample survey links (open on a phone-sized window):")
    for link in result.links:
        click.echo(f"  {link}")
    if result.follow_up_link is not None:
        link, business = result.follow_up_link
        click.echo("Follow-up link of someone who ran a business in the first wave")
        click.echo(f"(they will be asked about {business!r}):")
        click.echo(f"  {link}")
    click.echo("")
