"""Running one job in a worker: claim it, keep a heartbeat, report progress, honour cancel.

Progress and heartbeat are written through their own short transactions (``db.engine``),
never through the job's session, so they are visible at once on every web host and do not
commit half of the job's work. A thread beats every ``JOBS_HEARTBEAT_SECONDS`` while the job
runs (also during long single calls such as the report's estimation) and reads the cancel
flag; the job's code checks :meth:`JobContext.check_cancel` between rows/batches.

Results are written under a ``.partial-`` name in the job's folder and renamed when complete
(:meth:`JobContext.publish`), so a partial file is never offered; a retry starts with an
empty folder.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import update

from survey_app.extensions import db
from survey_app.i18n import N_  # noqa: F401  (jobs' modules mark their messages with it from here)
from survey_app.models import Job
from survey_app.models.types import utcnow

log = logging.getLogger(__name__)


class JobFailed(Exception):
    """The job cannot be done; ``message`` (an N_ msgid) and ``args`` are shown to staff."""

    def __init__(self, message: str, **args):
        super().__init__(message % args if args else message)
        self.message, self.args_ = message, args


class JobCancelled(Exception):
    """Staff asked to cancel the job."""


def results_root() -> Path:
    """Where result files live (outside the web root; default: instance/job-results)."""
    configured = current_app.config.get("JOBS_RESULTS_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "job-results"


class JobContext:
    """What a job's code sees: its parameters, progress reporting, cancel checks, result folder."""

    def __init__(self, job: Job, *, progress_every: float = 1.0):
        self.job_id = job.id
        self.kind = job.kind
        self.wave_id = job.wave_id
        self.actor = job.actor
        self.params = dict(job.params or {})
        self.folder = results_root() / str(job.id)
        self.cancelled = threading.Event()
        self.done = 0
        self.total: int | None = None
        self._started = time.monotonic()
        self._last_write = 0.0
        self._every = progress_every
        self._message: tuple[str, dict] | None = None
        self.probe: Callable[[], int] | None = None  # counts progress from the database instead

    # -- progress -------------------------------------------------------------------
    def set_total(self, total: int | None) -> None:
        """The amount of work (rows, messages, steps); None when unknown."""
        self.total = total
        self._write(force=True)

    def say(self, message: str, **args) -> None:
        """A status line for staff (N_ msgid + arguments), written at once."""
        self._message = (message, args)
        self._write(force=True)

    def advance(self, count: int = 1) -> None:
        """``count`` more units done; written at most every second. Raises JobCancelled."""
        self.done += count
        self.check_cancel()
        self._write()

    def counted(self, rows: Iterable, every: int = 500) -> Iterator:
        """Yield ``rows`` while counting them as progress."""
        pending = 0
        for row in rows:
            yield row
            pending += 1
            if pending >= every:
                self.advance(pending)
                pending = 0
        if pending:
            self.advance(pending)

    def check_cancel(self) -> None:
        """Raise JobCancelled when staff asked to cancel (flag read by the heartbeat thread)."""
        if self.cancelled.is_set():
            raise JobCancelled()

    def _write(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_write < self._every:
            return
        self._last_write = now
        elapsed = max(now - self._started, 1e-6)
        values: dict[str, Any] = {"done": self.done, "total": self.total, "rate": round(self.done / elapsed, 1),
                  "heartbeat_at": utcnow()}
        if self._message:
            values["message"], values["message_args"] = self._message[0], self._message[1]
        _update(self.job_id, values, only_running=True)

    # -- results --------------------------------------------------------------------
    def partial_path(self, filename: str) -> Path:
        """The path to write ``filename`` to while it is incomplete."""
        self.folder.mkdir(parents=True, exist_ok=True)
        return self.folder / f".partial-{filename}"

    def work_dir(self) -> Path:
        """A scratch directory inside the job's folder (removed with it)."""
        path = self.folder / ".work"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def publish(self, filename: str, *, personal_data: bool = False) -> None:
        """Rename the finished partial file to ``filename`` and record it as the job's result."""
        partial = self.partial_path(filename)
        final = self.folder / filename
        os.replace(partial, final)
        _update(self.job_id, {"result_path": f"{self.job_id}/{filename}", "result_name": filename,
                              "result_size": final.stat().st_size, "personal_data": personal_data},
                only_running=True)


def _update(job_id: int, values: dict, *, only_running: bool = False) -> int:
    """Write ``values`` to the job row in a transaction of its own; returns rows changed."""
    query = update(Job).where(Job.id == job_id)
    if only_running:
        query = query.where(Job.state == "running")
    try:
        with db.engine.begin() as conn:
            return conn.execute(query.values(**values)).rowcount
    except Exception as exc:  # noqa: BLE001 - e.g. SQLite busy during a long import: try next time
        log.debug("job %s: progress not written (%s)", job_id, exc)
        return 0


@contextmanager
def heartbeat(ctx: JobContext, interval: float):
    """Beat every ``interval`` seconds while the block runs; sets ``ctx.cancelled`` on request."""
    stop = threading.Event()

    app = current_app._get_current_object()  # type: ignore[attr-defined]  # current_app is a LocalProxy

    def beat() -> None:
        with app.app_context():
            while not stop.wait(interval):
                values: dict[str, Any] = {"heartbeat_at": utcnow()}
                if ctx.probe is not None:
                    try:
                        ctx.done = ctx.probe()
                        values["done"] = ctx.done
                    except Exception as exc:  # noqa: BLE001 - a probe is only a progress hint
                        log.debug("job %s: probe failed (%s)", ctx.job_id, exc)
                _update(ctx.job_id, values, only_running=True)
                try:
                    with db.engine.connect() as conn:
                        flag = conn.execute(Job.__table__.select().with_only_columns(Job.cancel_requested)
                                            .where(Job.id == ctx.job_id)).scalar()
                    if flag:
                        ctx.cancelled.set()
                except Exception as exc:  # noqa: BLE001
                    log.debug("job %s: cancel flag not read (%s)", ctx.job_id, exc)

    thread = threading.Thread(target=beat, name=f"job-{ctx.job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=interval + 5)


def claim(job_id: int) -> Job | None:
    """Mark a queued job running (exactly one worker wins); None if it is not queued any more."""
    now = utcnow()
    changed = db.session.execute(  # type: ignore[attr-defined]  # DML returns a CursorResult, which has rowcount
        update(Job).where(Job.id == job_id, Job.state == "queued", Job.cancel_requested.is_(False))
        .values(state="running", started_at=now, heartbeat_at=now, attempts=Job.attempts + 1,
                done=0, rate=None, message=None, message_args=None)).rowcount
    db.session.commit()
    if changed != 1:
        return None
    return db.session.get(Job, job_id)
