"""Background jobs: long staff work (reports, exports, coding, e-mail, roster uploads) off the web.

The queue library is Huey (queue.py): ``SqliteHuey`` in the instance folder by default (no
service to install, for ``make demo``), ``RedisHuey`` when ``JEJAK_REDIS_URL`` is set
(production, CI, several hosts), immediate mode in tests. Huey only carries ``run(job_id)``
messages and runs the periodic maintenance; what staff see — state, progress, message,
result file, cancel flag, heartbeat — lives in our ``jobs`` table (models/jobs.py), so every
web host shows the same thing. Modules: queue.py (Huey instance, tasks), service.py (start,
cancel, permissions, JSON, retention, erasure, reaping), runner.py (what a running job
uses: progress, heartbeat, cancel, atomic results), worker.py (runs one job to its end),
kinds.py (what each kind of job does), tasks.py (the Huey tasks), cli.py (``flask jobs …``).
"""
from survey_app.jobs import tasks  # noqa: F401  (adds the Huey tasks to every new queue)
