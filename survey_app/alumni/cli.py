"""`flask alumni …`: one person's record from the command line (same audit as the staff site).

Works for any external id, whatever characters it holds (``PKJ/2020/001``, ``..``).
"""
from __future__ import annotations

import click
from flask.cli import AppGroup

from survey_app.alumni import service
from survey_app.audit import record_access

alumni_cli = AppGroup("alumni", help="One alumnus: show, withdraw consent, erase answers (all audited).")


def _alumnus(external_id: str):
    alumnus = service.find_alumnus(external_id)
    if alumnus is None:
        raise click.ClickException(f"no alumnus with external id {external_id!r}")
    return alumnus


def _reason(reason: str | None) -> str:
    # Like the web form: an erasure or withdrawal without a recorded reason is refused.
    reason = (reason if reason is not None else click.prompt("Reason (the person's request, date, channel)",
                                                             default="", show_default=False)).strip()
    if not reason:
        raise click.ClickException("give the reason (e.g. the person's request, with date and channel)")
    if len(reason) > 500:
        raise click.ClickException("the reason is limited to 500 characters")
    return reason


@alumni_cli.command("show")
@click.argument("external_id")
def show_command(external_id: str) -> None:
    """Contact details, trainings and invitations of one alumnus (recorded as a view of personal data)."""
    alumnus = _alumnus(external_id)
    record_access("personal_data.view", f"alumnus:{alumnus.external_id}")
    click.echo(f"external_id\t{alumnus.external_id}")
    for label in ("name", "phone", "email", "province_code", "cohort"):
        click.echo(f"{label}\t{getattr(alumnus, label) or '-'}")
    for training, enrollment in service.trainings_of(alumnus):
        done = enrollment.completed_at.isoformat() if enrollment.completed_at else "-"
        click.echo(f"training\t{training.code}\t{training.title}\t{done}")
    for invitation in service.invitations_of(alumnus):
        click.echo(f"invitation\t{invitation.id}\t{invitation.wave.name}\t{invitation.status}")


@alumni_cli.command("withdraw")
@click.argument("external_id")
@click.option("--reason", help="Why (the person's request, with date and channel); asked if omitted.")
def withdraw_command(external_id: str, reason: str | None) -> None:
    """Withdraw consent: links stop working and reminders stop; answers are kept (audited)."""
    alumnus = _alumnus(external_id)
    ids = service.withdraw_consent(alumnus, _reason(reason))
    click.echo(f"{alumnus.external_id}: consent withdrawn on {len(ids)} invitation(s)")


@alumni_cli.command("erase")
@click.argument("external_id")
@click.option("--reason", help="Why (the person's request, with date and channel); asked if omitted.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_command(external_id: str, reason: str | None, yes: bool) -> None:
    """Withdraw consent and erase every answer of the person (UU PDP right to erasure; audited)."""
    alumnus = _alumnus(external_id)
    why = _reason(reason)
    if not yes:
        click.confirm(f"Erase every answer of {alumnus.external_id}? This cannot be undone", abort=True)
    erased = service.erase_answers(alumnus, why)
    click.echo(f"{alumnus.external_id}: consent withdrawn; {erased} response(s) erased")
