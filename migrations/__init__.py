"""Alembic migrations of the Jejak database (Flask-Migrate).

A package only so that the revision files install with the wheel and the app finds
them with ``importlib.resources.files("migrations")``; it has no code.
"""
