"""Jejak survey application: the app factory reads as the table of contents."""
from __future__ import annotations

import importlib.resources
import os

from flask import Flask
from flask_login import current_user

from survey_app.config import CONFIGS


def create_app(test_config: dict | None = None, config_name: str | None = None) -> Flask:
    """Build the Flask app. ``test_config`` overrides settings (used by the tests)."""
    instance_path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get("JEJAK_INSTANCE_PATH")
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    # FLASK_DEBUG never selects a configuration: only an explicit JEJAK_CONFIG leaves production.
    name = config_name or os.environ.get("JEJAK_CONFIG") or "production"
    app.config.from_object(CONFIGS[name])
    if test_config:
        app.config.update(test_config)
    configure_database_url(app)
    check_secret_key(app)

    from survey_app.logging import configure_logging

    configure_logging(app)
    configure_web_tier(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_security_headers(app)
    register_commands(app)
    return app


def configure_database_url(app: Flask) -> None:
    """Default to a SQLite file in the instance folder: zero set-up for a demo."""
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        os.makedirs(app.instance_path, exist_ok=True)
        path = os.path.join(app.instance_path, "jejak.sqlite")
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    # Heroku-style URLs name the legacy driver; we ship psycopg 3.
    if uri.startswith("postgres://"):
        uri = "postgresql://" + uri[len("postgres://"):]
    if uri.startswith("postgresql://"):
        uri = "postgresql+psycopg://" + uri[len("postgresql://"):]
    app.config["SQLALCHEMY_DATABASE_URI"] = uri


def check_secret_key(app: Flask) -> None:
    """Refuse to start without a private secret key (see :mod:`survey_app.secret_key`)."""
    from survey_app.secret_key import configure_secret_key

    configure_secret_key(app)


def configure_web_tier(app: Flask) -> None:
    """Client addresses through the configured trusted proxies (jobs, issue 8)."""
    from survey_app.web_tier import init_app as init_web_tier

    init_web_tier(app)


def register_extensions(app: Flask) -> None:
    """Bind the unbound extensions of :mod:`survey_app.extensions` to this app."""
    from survey_app import extensions as ext
    from survey_app.database import configure_sqlite
    from survey_app.i18n import select_locale

    ext.db.init_app(app)
    with app.app_context():
        configure_sqlite(ext.db.engine)
    # The revisions ship as the `migrations` package (house: found in a checkout and in a wheel).
    ext.migrate.init_app(app, ext.db, directory=str(importlib.resources.files("migrations")))
    ext.csrf.init_app(app)
    ext.compress.init_app(app)
    ext.babel.init_app(app, locale_selector=select_locale)
    ext.limiter.init_app(app)
    # Flask-Login's own context processor loads the user for every template rendered, the
    # respondent's pages included. Their session holds only a CSRF token, which "strong"
    # session protection reads as a tampered login: it rewrote the session cookie and sent a
    # remember-token deletion on every survey page. The proxy below loads the user only
    # where a template reads it (the staff site).
    ext.login_manager.init_app(app, add_context_processor=False)
    app.context_processor(lambda: {"current_user": current_user})
    ext.login_manager.login_view = "admin.login"
    ext.login_manager.session_protection = "strong"
    import survey_app.auth  # noqa: F401  (registers the user loader)


def register_blueprints(app: Flask) -> None:
    """Mount each feature's blueprint."""
    from survey_app.admin import bp as admin_bp
    from survey_app.public import bp as public_bp
    from survey_app.respondent import bp as respondent_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(respondent_bp, url_prefix="/s")
    app.register_blueprint(admin_bp, url_prefix="/admin")


def register_errorhandlers(app: Flask) -> None:
    """Friendly error pages in the visitor's language."""
    from survey_app.errors import init_app as init_errors
    from survey_app.request_checks import init_app as init_request_checks

    init_errors(app)
    init_request_checks(app)


def register_security_headers(app: Flask) -> None:
    """CSP, no sniffing, no framing, no referrer, no caching of personal pages."""
    from survey_app.security_headers import init_app as init_security_headers

    init_security_headers(app)


def register_commands(app: Flask) -> None:
    """Attach the ``flask`` CLI command groups."""
    from survey_app.cli import init_app as init_cli

    init_cli(app)
