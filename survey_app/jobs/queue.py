"""The Huey instance of an app and the two tasks it runs: one job, and periodic maintenance.

Huey is created per app from the configuration (tests build many apps with different
settings): ``JOBS_IMMEDIATE`` runs tasks in the caller (tests), ``REDIS_URL`` selects Redis
(shared by every host), otherwise a SQLite file in the instance folder is the queue (the
demo: nothing to install, the web server and ``flask jobs worker`` share the file).
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

from flask import Flask
from huey import MemoryHuey, RedisHuey, SqliteHuey

log = logging.getLogger(__name__)

EXTENSION_KEY = "jejak_huey"


class QueueUnavailable(RuntimeError):
    """The job queue (Redis) cannot be reached; nothing was started."""


def huey_for(app: Flask):
    """The app's Huey instance (created on first use, with its tasks registered)."""
    huey = app.extensions.get(EXTENSION_KEY)
    if huey is None:
        huey = _make(app)
        _register_tasks(huey, app)
        app.extensions[EXTENSION_KEY] = huey
    return huey


def backend_name(app: Flask) -> str:
    """``immediate``, ``redis`` or ``sqlite``: which queue the app uses."""
    if app.config.get("JOBS_IMMEDIATE"):
        return "immediate"
    return "redis" if app.config.get("REDIS_URL") else "sqlite"


def _make(app: Flask):
    backend = backend_name(app)
    if backend == "immediate":
        return MemoryHuey("jejak", immediate=True, results=False)
    if backend == "redis":
        # Short connect timeout: with Redis down the staff site answers "unavailable" at once.
        from redis import ConnectionPool

        pool = ConnectionPool.from_url(app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=10,
                                       health_check_interval=30)
        return RedisHuey("jejak", connection_pool=pool, results=False)
    folder = app.instance_path
    os.makedirs(folder, exist_ok=True)
    return SqliteHuey("jejak", filename=os.path.join(folder, "jobs-queue.sqlite"), results=False)


TaskRegistrar = Callable[[Any, Flask], None]
_registrars: list[TaskRegistrar] = []


def on_new_queue(registrar: TaskRegistrar) -> TaskRegistrar:
    """Register ``registrar(huey, app)``, called for every new Huey instance to add its tasks.

    The tasks live in tasks.py (they need service.py, which needs this module to enqueue):
    registering them from there keeps the imports one-way.
    """
    _registrars.append(registrar)
    return registrar


def _register_tasks(huey: Any, app: Flask) -> None:
    for registrar in _registrars:
        registrar(huey, app)


def enqueue(app: Flask, job_id: int) -> None:
    """Put ``run(job_id)`` on the queue; QueueUnavailable when the broker cannot be reached."""
    huey = huey_for(app)
    try:
        huey.jejak_run_job(job_id)
    except Exception as exc:  # noqa: BLE001 - redis/sqlite errors differ; all mean "not queued"
        if backend_name(app) == "immediate":
            raise
        log.warning("job %s could not be queued: %s", job_id, exc)
        raise QueueUnavailable(str(exc)) from exc


def queue_available(app: Flask) -> bool:
    """Whether the broker answers (always True for the SQLite file and immediate mode)."""
    if backend_name(app) != "redis":
        return True
    try:
        return bool(huey_for(app).storage.conn.ping())
    except Exception:  # noqa: BLE001 - any connection problem means "unavailable"
        return False
