"""`flask messages …`: queue, send and follow up invitation and reminder e-mails."""
from __future__ import annotations

import csv
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from survey_app.audit import cli_actor
from survey_app.messaging import service
from survey_app.messaging.link_export import write_links
from survey_app.messaging.service import MessagingError
from survey_app.messaging.templates import TemplateError
from survey_app.models import Wave
from survey_app.waves.service import WaveError, find_wave

messages_cli = AppGroup("messages", help="E-mail invitations and reminders to alumni.")



def _wave(name: str | None) -> Wave | None:
    return find_wave(name) if name else None


@messages_cli.command("queue")
@click.option("--wave", "wave_name", required=True, help="Name of the wave.")
@click.option("--kind", type=click.Choice(service.KINDS), required=True,
              help="invitation: first e-mail; reminder: the next reminder to those who have not answered.")
def queue_command(wave_name: str, kind: str) -> None:
    """Queue an e-mail for everyone in the wave it applies to (sent by `flask messages send`).

    Reminders go only to people who have not submitted, declined or withdrawn, who had fewer
    than MAX_REMINDERS reminders and no e-mail in the last MIN_REMINDER_INTERVAL_HOURS.
    Running it again never queues the same message twice.
    """
    try:
        result = service.queue(find_wave(wave_name), kind, actor=cli_actor())
    except (MessagingError, WaveError, TemplateError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Queued {result.queued} {kind} e-mail(s) in wave {result.wave!r}.")
    for reason, count in sorted(result.skipped.items()):
        click.echo(f"  skipped {count}: {reason.replace('_', ' ')}")


@messages_cli.command("send")
@click.option("--batch", "batch_size", type=click.IntRange(min=1), default=service.DEFAULT_BATCH, show_default=True,
              help="At most this many messages in this run.")
@click.option("--rate", type=click.FloatRange(min=0.1),
              help="At most this many messages per minute [default: SEND_RATE_PER_MINUTE, 120].")
@click.option("--wave", "wave_name", help="Only messages of this wave (default: all waves).")
def send_command(batch_size: int, rate: float | None, wave_name: str | None) -> None:
    """Send queued messages over SMTP, oldest first. Safe to run from cron: a message is
    never sent twice, and a run stopped by an SMTP failure resumes where it stopped.

    Exits with status 1 when the run stopped early (SMTP server down or refusing, a bad
    template) so that cron/systemd report it.
    """
    try:
        rate = rate or current_app.config["SEND_RATE_PER_MINUTE"]
        result = service.send(batch_size=batch_size, rate_per_minute=rate, wave=_wave(wave_name), actor=cli_actor())
    except (MessagingError, WaveError, TemplateError) as exc:
        raise click.ClickException(str(exc)) from None
    if result.stuck_before:
        click.echo(f"Warning: {result.stuck_before} message(s) were already 'sending' when this run started: "
                   "a run was interrupted (or is running now). Their delivery is unknown, so they are not "
                   "resent automatically; see `flask messages requeue-stuck --help`.", err=True)
    click.echo(f"Sent {result.sent}, bounced {result.bounced}, failed {result.failed}, "
               f"deferred {result.deferred}; {result.remaining} still queued.")
    if result.links_renewed:
        click.echo(f"{result.links_renewed} older link(s) were replaced by resendable ones (audited).")
    if result.stopped:
        if result.unknown:
            click.echo(f"{result.unknown} message is left 'sending' (delivery unknown).", err=True)
        raise click.ClickException(f"stopped early: {result.stopped}. Run `flask messages send` again "
                                   "once the problem is fixed; nothing will be sent twice.")


@messages_cli.command("status")
@click.option("--wave", "wave_name", required=True, help="Name of the wave.")
def status_command(wave_name: str) -> None:
    """Messages of a wave by kind and status."""
    try:
        wave = find_wave(wave_name)
    except (MessagingError, WaveError) as exc:
        raise click.ClickException(str(exc)) from None
    status = service.wave_status(wave)
    for kind, counts in status.by_kind.items():
        shown = ", ".join(f"{s} {counts.get(s, 0)}" for s in ("queued", "sending", "sent", "bounced", "failed"))
        click.echo(f"{kind}: {shown}")
    click.echo(f"active invitations without e-mail address: {status.without_email}")
    click.echo(f"active invitations with an older link (renewed when e-mailed): {status.old_links}")
    if status.stuck:
        click.echo(f"{status.stuck} message(s) 'sending': if no send is running, see `flask messages requeue-stuck`.")


@messages_cli.command("requeue-stuck")
@click.option("--wave", "wave_name", help="Only messages of this wave.")
@click.option("--mark-failed", is_flag=True, help="Mark them failed instead of queueing them again.")
@click.option("--yes", is_flag=True, help="Confirm without asking.")
def requeue_stuck_command(wave_name: str | None, mark_failed: bool, yes: bool) -> None:
    """Decide about messages left 'sending' by an interrupted run.

    Their delivery is unknown: queueing them again may send some people the same e-mail
    twice; marking them failed may leave some without it. Make sure no `flask messages send`
    is running first.
    """
    try:
        wave = _wave(wave_name)
    except (MessagingError, WaveError) as exc:
        raise click.ClickException(str(exc)) from None
    stuck = service.stuck_count(wave)
    if not stuck:
        click.echo("No message is left 'sending'.")
        return
    action = "mark failed" if mark_failed else "queue again"
    if not yes and not click.confirm(f"{stuck} message(s) are 'sending'. No send is running, and you want to "
                                     f"{action} them?"):
        raise click.ClickException("nothing changed")
    count = service.requeue_stuck(wave=wave, mark_failed=mark_failed, actor=cli_actor())
    click.echo(f"{count} message(s) {'marked failed' if mark_failed else 'queued again'}.")


@messages_cli.command("mark-bounced")
@click.option("--file", "path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV of bounced addresses from the mail provider: a column 'email' or 'address', "
                   "or one address per line.")
@click.option("--wave", "wave_name", help="Only messages of this wave.")
def mark_bounced_command(path: Path, wave_name: str | None) -> None:
    """Record bounces reported by the mail provider; those addresses get no more e-mail."""
    try:
        wave = _wave(wave_name)
        addresses = _read_addresses(path)
    except (MessagingError, WaveError) as exc:
        raise click.ClickException(str(exc)) from None
    marked, unknown = service.mark_bounced(addresses, wave=wave, actor=cli_actor())
    click.echo(f"Marked {marked} sent message(s) as bounced; {unknown} address(es) had no sent message.")


def _read_addresses(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise MessagingError(f"{path} is not UTF-8 text") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        return []
    header = [cell.strip().lower() for cell in rows[0]]
    for name in ("email", "address", "e-mail", "recipient"):
        if name in header:
            column = header.index(name)
            return [row[column] for row in rows[1:] if len(row) > column]
    if len(header) > 1 or "@" not in (rows[0][0] if rows[0] else ""):
        raise MessagingError(f"{path}: no column named email or address")
    return [row[0] for row in rows if row]


@messages_cli.command("links")
@click.option("--wave", "wave_name", required=True, help="Name of the wave.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="New CSV file (never overwritten).")
def links_command(wave_name: str, out: Path) -> None:
    """Write the survey links of everyone who may still answer (for SMS/WhatsApp gateways).

    Rebuilt from the stored nonces, so it can be run again at any time. Columns:
    external_id,name,phone,email,language,status,url. The export is recorded in the audit log.
    """
    try:
        count = write_links(find_wave(wave_name), out, actor=cli_actor())
    except (MessagingError, WaveError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Wrote {count.rows} link(s) of wave {wave_name!r} to {out}.")
    if count.old_links:
        click.echo(f"{count.old_links} invitation(s) have an older link that cannot be rebuilt and are not in "
                   "the file; e-mailing them or re-issuing their link on the staff site gives them a new one.")
