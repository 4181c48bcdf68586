"""Configuration read from the environment, with safe defaults for development.

Every setting can be overridden by an environment variable of the same name prefixed with
``JEJAK_`` (``JEJAK_DATABASE_URL`` …); ``DATABASE_URL`` and ``SECRET_KEY`` are also read
unprefixed because hosting platforms set them that way.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from analysis.resources import shipped_seeds_dir

REPO_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: Any = None) -> Any:
    # Not Flask's ``from_prefixed_env``: several variables name a setting differently from its
    # config key (DATABASE_URL → SQLALCHEMY_DATABASE_URI, SESSION_HOURS → PERMANENT_SESSION_LIFETIME),
    # hosting platforms set DATABASE_URL and SECRET_KEY without a prefix, and each setting needs
    # its own type and default here rather than JSON guessed from the text.
    return os.environ.get(f"JEJAK_{name}", os.environ.get(name, default))


class Config:
    """Production defaults. ``SECRET_KEY`` must come from the environment."""

    SECRET_KEY = _env("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL")  # None → SQLite file in instance folder
    # No ping before each checkout (a round trip per request); connections are recycled
    # instead, and a connection broken by a database restart fails one request at most.
    SQLALCHEMY_ENGINE_OPTIONS = {
        "pool_pre_ping": _env("DB_PRE_PING", "0") == "1",
        "pool_recycle": int(_env("DB_POOL_RECYCLE", "600")),
    }
    # Absolute base for survey links written to CSV/SMS (no trailing slash).
    BASE_URL = _env("BASE_URL", "http://localhost:5000")
    # Key from which resendable survey links are derived (see survey_app/tokens.py).
    LINK_KEY = _env("LINK_KEY")
    # Key for pseudonymous ids in exports (see survey_app/privacy.py).
    PSEUDONYM_KEY = _env("PSEUDONYM_KEY")
    SEEDS_DIR = Path(_env("SEEDS_DIR", shipped_seeds_dir()))  # the installed `seeds` package
    # Respondent pages are small forms: anything larger is abuse or a mistake.
    MAX_CONTENT_LENGTH = int(_env("MAX_CONTENT_LENGTH", 256 * 1024))
    MAX_FORM_MEMORY_SIZE = MAX_CONTENT_LENGTH
    BABEL_DEFAULT_LOCALE = "id"
    LANGUAGES = ("id", "en")
    WTF_CSRF_TIME_LIMIT = None  # a survey may be resumed days later; CSRF is session-bound
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Production default on (jobs, issue 8): staff cookies only over HTTPS; off in Development/Test.
    SESSION_COOKIE_SECURE = _env("SESSION_COOKIE_SECURE", "1") == "1"
    # Shared counters with several workers/hosts: JEJAK_REDIS_URL is used unless this is set.
    RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI") or _env("REDIS_URL") or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Failed token look-ups allowed per client address: stops enumeration, not alumni.
    TOKEN_FAILURE_LIMIT = _env("TOKEN_FAILURE_LIMIT", "20 per minute")
    RATELIMIT_ENABLED = _env("RATELIMIT_ENABLED", "1") == "1"
    # Login attempts per client address (accounts also lock after 5 wrong passwords).
    LOGIN_LIMIT = _env("LOGIN_LIMIT", "10 per minute; 50 per hour")
    # Staff sessions end after this many seconds, whatever the activity.
    PERMANENT_SESSION_LIFETIME = int(_env("SESSION_HOURS", "8")) * 3600
    # E-mail to alumni (survey_app/messaging): SMTP server, sender, pacing, reminder rules.
    SMTP_HOST = _env("SMTP_HOST", "localhost")
    SMTP_PORT = int(_env("SMTP_PORT", "25"))
    SMTP_USER = _env("SMTP_USER")
    SMTP_PASSWORD = _env("SMTP_PASSWORD")
    SMTP_STARTTLS = _env("SMTP_STARTTLS", "0") == "1"
    SMTP_SSL = _env("SMTP_SSL", "0") == "1"
    SMTP_TIMEOUT = float(_env("SMTP_TIMEOUT", "30"))
    MAIL_FROM = _env("MAIL_FROM")  # e.g. "Survei Alumni <survei@example.id>"; required to send
    MAX_REMINDERS = int(_env("MAX_REMINDERS", "3"))
    MIN_REMINDER_INTERVAL_HOURS = float(_env("MIN_REMINDER_INTERVAL_HOURS", "72"))
    SEND_RATE_PER_MINUTE = float(_env("SEND_RATE_PER_MINUTE", "120"))
    LOG_LEVEL = _env("LOG_LEVEL", "INFO")
    # Page saves (not submissions) commit without waiting for the disk on PostgreSQL.
    ASYNC_PAGE_COMMIT = _env("ASYNC_PAGE_COMMIT", "1") == "1"
    # --- house: KBLI model files (issue 10 finding 6). The app loads only model files signed
    # with this key (HMAC-SHA256); unset, a key derived from SECRET_KEY is used, which is
    # enough for the self-trained default model. Set it explicitly to share signed model
    # files between hosts (`JEJAK_MODEL_KEY=… python -m analysis train --out m.npz`).
    MODEL_KEY = _env("MODEL_KEY")
    # A model file to code with instead of the default model (must be signed).
    SECTOR_MODEL = _env("SECTOR_MODEL")
    # --- end house
    # --- retrain (issue 13 items 5-6): the review loop learns; coder agreement (docs/SECTORS.md)
    # A retrain needs this many people's 5-digit codes, of which this many in the held-out part.
    SECTORS_RETRAIN_MIN_CODES = int(_env("SECTORS_RETRAIN_MIN_CODES", "200"))
    SECTORS_RETRAIN_MIN_HELD_OUT = int(_env("SECTORS_RETRAIN_MIN_HELD_OUT", "20"))
    SECTORS_RETRAIN_PARAMS: dict | None = None  # overrides of the default model's parameters (tests: small)
    SECTORS_RETRAIN_JOBS = int(_env("SECTORS_RETRAIN_JOBS", "2"))  # processes for the SVM fits
    # How much lower a metric of a candidate may be and still count as "not worse" (0: strictly).
    SECTORS_PROMOTE_TOLERANCE = float(_env("SECTORS_PROMOTE_TOLERANCE", "0"))
    # Share of answers coded by a person that a second person codes blind (chosen by a hash).
    SECOND_CODING_SHARE = float(_env("SECOND_CODING_SHARE", "0.05"))
    # --- end retrain
    # --- jobs (issue 8): background jobs, shared state for several web hosts (README "Production").
    # Redis for the job queue and the rate-limit counters; unset → a SQLite queue file in the
    # instance folder and in-memory counters (one host, e.g. the demo).
    REDIS_URL = _env("REDIS_URL")
    JOBS_IMMEDIATE = False  # tests: run jobs in the caller
    JOBS_RESULTS_DIR = _env("JOBS_RESULTS_DIR")  # default: <instance>/job-results (outside the web root)
    JOBS_RETENTION_DAYS = float(_env("JOBS_RETENTION_DAYS", "7"))
    JOBS_HEARTBEAT_SECONDS = float(_env("JOBS_HEARTBEAT_SECONDS", "5"))
    JOBS_STALE_SECONDS = float(_env("JOBS_STALE_SECONDS", "60"))  # no heartbeat this long → retried/failed
    JOBS_MAX_ATTEMPTS = int(_env("JOBS_MAX_ATTEMPTS", "2"))
    JOBS_PROGRESS_SECONDS = float(_env("JOBS_PROGRESS_SECONDS", "1"))
    JOBS_WORKER_THREADS = int(_env("JOBS_WORKER_THREADS", "2"))
    JOBS_SEND_BATCH = int(_env("JOBS_SEND_BATCH", "100"))  # e-mails per batch of the sending job
    # Staff roster uploads (three CSV files per request); respondents keep MAX_CONTENT_LENGTH.
    UPLOAD_MAX_BYTES = int(_env("UPLOAD_MAX_BYTES", 512 * 1024 * 1024))
    # Number of reverse proxies in front of the app whose X-Forwarded-For is trusted (ProxyFix).
    TRUSTED_PROXIES = int(_env("TRUSTED_PROXIES", "0"))
    # Redis down → rate limits are skipped (logged) rather than the survey failing.
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # Responses are compressed for phones on slow links (Flask-Compress); gzip costs little CPU
    # per page and every browser accepts it.
    COMPRESS_ALGORITHM = ["gzip"]
    COMPRESS_LEVEL = 6
    DEBUG = False
    TESTING = False
    # --- security: development-only switches (see survey_app/secret_key.py)
    LOCALHOST_ONLY = False
    GENERATE_SECRET_KEY = False


class DevelopmentConfig(Config):
    """Local demo on this machine only.

    No key is built in (a published key lets anyone forge a staff session): without
    ``JEJAK_SECRET_KEY`` the app generates a random key once and keeps it in the instance
    folder (see :mod:`survey_app.secret_key`), and it answers loopback clients only.
    """

    DEBUG = True
    LOCALHOST_ONLY = True
    GENERATE_SECRET_KEY = True
    SESSION_COOKIE_SECURE = _env("SESSION_COOKIE_SECURE", "0") == "1"  # the demo runs on http://localhost


class TestConfig(Config):
    """Tests: fresh database per test from the fixtures; CSRF stays on (tests fill forms)."""

    TESTING = True
    # Random per process: a test configuration started by mistake never serves a known key.
    SECRET_KEY = secrets.token_urlsafe(32)
    BASE_URL = "http://survey.test"
    RATELIMIT_ENABLED = True
    LOG_LEVEL = "WARNING"
    ARGON2_PROFILE = "fast-test"
    SMTP_HOST = "127.0.0.1"
    SMTP_TIMEOUT = 5.0
    MAIL_FROM = "Survei Jejak <survei@jejak.test>"
    SEND_RATE_PER_MINUTE = 60000.0
    MODEL_KEY = "test-model-signing-key"  # house: tests/conftest.py signs the shared model cache with it
    SESSION_COOKIE_SECURE = False
    JOBS_IMMEDIATE = True
    REDIS_URL = None
    RATELIMIT_STORAGE_URI = "memory://"


CONFIGS = {"production": Config, "development": DevelopmentConfig, "testing": TestConfig}
