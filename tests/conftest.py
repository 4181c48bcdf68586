"""Shared fixtures: an app per test on a fresh database, on SQLite and on PostgreSQL.

Every test that uses ``app`` runs once per database backend. PostgreSQL runs when
``JEJAK_TEST_POSTGRES_URL`` names a server; otherwise those runs skip with the reason,
unless ``JEJAK_REQUIRE_ALL_TESTS=1`` (set by .ci/run), which turns the skip into a failure.
"""
from __future__ import annotations

import os

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


@pytest.fixture(scope="session")
def postgres_url():
    """A PostgreSQL URL with an empty schema created for this test session."""
    if not POSTGRES_URL:
        skip_or_fail("PostgreSQL not configured: set JEJAK_TEST_POSTGRES_URL")
    engine = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any connection problem means "not available"
        skip_or_fail(f"PostgreSQL at JEJAK_TEST_POSTGRES_URL not reachable: {exc}")
    finally:
        engine.dispose()
    return POSTGRES_URL


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


@pytest.fixture(scope="session")
def model_cache_dir(tmp_path_factory):
    """One KBLI model cache for the whole session (JEJAK_MODEL_CACHE): trained once, then loaded."""
    directory = tmp_path_factory.mktemp("model-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JEJAK_MODEL_CACHE", str(directory))
        yield directory


@pytest.fixture(scope="session")
def default_model(model_cache_dir):
    """The default sector classifier, trained from seeds once per session."""
    from analysis import load_default_model

    return load_default_model()
