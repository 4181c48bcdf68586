"""`flask jobs …`: run a worker, list jobs, and the maintenance steps by hand."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.jobs import queue, service
from survey_app.models import Job

jobs_cli = AppGroup("jobs", help="Background jobs: worker, list, maintenance.")


@jobs_cli.command("worker")
@click.option("--threads", type=click.IntRange(min=1), default=None,
              help="Jobs run at the same time (default JEJAK_JOBS_WORKER_THREADS).")
def worker_command(threads: int | None) -> None:
    """Run a worker (Huey consumer) until stopped; also runs the periodic maintenance.

    At start it first reaps jobs left running by a worker that died (kill -9, power cut).
    Stop it with SIGINT (finishes running jobs) or SIGTERM.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # current_app is a LocalProxy
    if queue.backend_name(app) == "immediate":
        raise click.ClickException("JOBS_IMMEDIATE is set: jobs run in the web process, no worker needed")
    huey = queue.huey_for(app)
    outcome = service.reap_stale_jobs()
    click.echo(f"jobs worker: queue={queue.backend_name(app)}, stale jobs at start: {outcome}")
    consumer = huey.create_consumer(workers=threads or int(app.config["JOBS_WORKER_THREADS"]),
                                    worker_type="thread", periodic=True, check_worker_health=True)
    consumer.run()


@jobs_cli.command("list")
@click.option("--limit", type=click.IntRange(min=1), default=30, show_default=True)
@click.option("--state", type=click.Choice(Job.STATES), default=None)
def list_command(limit: int, state: str | None) -> None:
    """Recent jobs: id, kind, wave, state, progress, who started it, message."""
    query = select(Job).order_by(Job.id.desc()).limit(limit)
    if state:
        query = query.where(Job.state == state)
    jobs = db.session.scalars(query).all()
    if not jobs:
        click.echo("no jobs")
        return
    click.echo(f"{'id':>6}  {'kind':<14} {'wave':>5}  {'state':<9} {'progress':<22} {'started by':<28} message")
    for job in jobs:
        info = service.progress(job)
        amount = f"{job.done}/{job.total if job.total is not None else '?'}"
        if info["percent"] is not None:
            amount += f" {info['percent']:.0f}%"
        if info["rate"]:
            amount += f" {info['rate']:.0f}/s"
        click.echo(f"{job.id:>6}  {job.kind:<14} {job.wave_id or '-':>5}  {job.state:<9} {amount:<22} "
                   f"{job.actor[:28]:<28} {service.translated_message(job)}")


@jobs_cli.command("reap")
def reap_command() -> None:
    """Requeue or fail jobs whose worker stopped beating (the worker does this every minute)."""
    click.echo(service.reap_stale_jobs())


@jobs_cli.command("cleanup")
def cleanup_command() -> None:
    """Delete results older than the retention (the worker does this every minute)."""
    click.echo(f"{service.delete_expired_results()} result(s) deleted")
