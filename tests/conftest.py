"""Shared fixtures: an app per test on a fresh database, on SQLite and on PostgreSQL.

Every test that uses ``app`` runs once per database backend. PostgreSQL runs when
``JEJAK_TEST_POSTGRES_URL`` names a server; otherwise those runs skip with the reason,
unless ``JEJAK_REQUIRE_ALL_TESTS=1`` (set by .ci/run), which turns the skip into a failure.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from survey_app import create_app
from survey_app.extensions import db

POSTGRES_URL = os.environ.get("JEJAK_TEST_POSTGRES_URL")
REQUIRE_ALL = os.environ.get("JEJAK_REQUIRE_ALL_TESTS") == "1"


def skip_or_fail(reason: str) -> None:
    """Skip a test that needs a missing service, or fail when CI requires every test."""
    if REQUIRE_ALL:
        pytest.fail(f"required service missing: {reason}", pytrace=False)
    pytest.skip(reason)


def _worker_database(url: str, worker: str) -> str:
    """``url`` with a database of its own for one xdist worker (created once, reused after)."""
    from sqlalchemy.engine import make_url

    base = make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False).replace(
        "postgresql+psycopg://", "postgresql://", 1)


@pytest.fixture(scope="session")
def postgres_url(worker_id):
    """A PostgreSQL URL with an empty schema created for this test session.

    Under pytest-xdist each worker gets its own database (``<name>_gw0`` …, created with
    the role's CREATEDB right), so workers never drop each other's tables.
    """
    if not POSTGRES_URL:
        skip_or_fail("PostgreSQL not configured: set JEJAK_TEST_POSTGRES_URL")
    url = POSTGRES_URL
    try:
        if worker_id != "master":
            url = _worker_database(POSTGRES_URL, worker_id)
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        finally:
            engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any connection problem means "not available"
        skip_or_fail(f"PostgreSQL at JEJAK_TEST_POSTGRES_URL not reachable: {exc}")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """Database URL for one test: a new SQLite file, or the session's PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def app(database_url, tmp_path):
    """The app with empty tables, torn down after the test."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_PATH": str(tmp_path / "instance")},
                     config_name="testing")
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def client(app):
    """A test client (cookies kept between requests)."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A runner for the app's ``flask`` CLI commands."""
    return app.test_cli_runner()


def _model_cache_root(config) -> Path:
    """Where the tests keep the default KBLI model between sessions.

    ``$JEJAK_TEST_MODEL_CACHE``, else pytest's own cache folder (``.pytest_cache/``,
    removed by ``pytest --cache-clear`` and ``make clean``).
    """
    override = os.environ.get("JEJAK_TEST_MODEL_CACHE")
    return Path(override) if override else Path(config.cache.mkdir("jejak-model"))


@pytest.fixture(scope="session")
def model_cache_dir(request):
    """One KBLI model cache shared by sessions and xdist workers (JEJAK_MODEL_CACHE).

    The file name and the stored key hash the seeds, the classifier's code and the library
    versions, so a stale model is never used; a file lock in ``load_default_model`` makes
    one xdist worker train while the others wait for its file.  Files of older keys are
    removed so the folder does not grow.
    """
    from analysis.sectors.default import default_model_path

    directory = _model_cache_root(request.config)
    directory.mkdir(parents=True, exist_ok=True)
    current = default_model_path(directory).name
    for old in directory.glob("sector-model-*.npz*"):  # model files and their lock files
        if not old.name.startswith(current):
            old.unlink(missing_ok=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JEJAK_MODEL_CACHE", str(directory))
        yield directory


@pytest.fixture(scope="session")
def default_model(model_cache_dir):
    """The default sector classifier: trained from seeds once, then loaded from the shared cache.

    Signed with the test configuration's model key, so the app (which accepts signed model
    files only) uses the same cached file.
    """
    from analysis import load_default_model
    from survey_app.config import TestConfig

    return load_default_model(key=TestConfig.MODEL_KEY)
