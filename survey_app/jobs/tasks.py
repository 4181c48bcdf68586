"""The two Huey tasks of every app's queue: run one job, and the periodic maintenance."""
from __future__ import annotations

from typing import Any

from flask import Flask
from huey import crontab

from survey_app.jobs import queue, service, worker


@queue.on_new_queue
def register_tasks(huey: Any, app: Flask) -> None:
    """Add ``jejak.run_job`` and ``jejak.maintenance`` (every minute) to ``huey``."""

    @huey.task(name="jejak.run_job")
    def run_job(job_id: int) -> None:
        # A fresh app context = a fresh database session, also in immediate mode inside a request.
        with app.app_context():
            worker.run_job(job_id)

    @huey.periodic_task(crontab(minute="*"), name="jejak.maintenance")
    def maintenance() -> None:
        with app.app_context():
            service.reap_stale_jobs()
            service.delete_expired_results()

    huey.jejak_run_job = run_job
    huey.jejak_maintenance = maintenance
