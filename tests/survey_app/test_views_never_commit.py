"""The house rule of docs/ARCHITECTURE.md: views and CLI commands never commit.

Transactions belong to services, so an action and its audit record commit together and a
view that fails half-way leaves nothing behind. Views that only record an access (a page of
personal data, a download) call ``audit.record_access``, a service that commits.
"""
from __future__ import annotations

import ast
from pathlib import Path

import survey_app

PACKAGE = Path(survey_app.__file__).parent


def _thin_layers() -> list[Path]:
    """The staff site, the respondent and public views, and every `flask …` command module."""
    files = [*PACKAGE.glob("admin/*.py"), *PACKAGE.glob("public/*.py"), *PACKAGE.glob("*/views.py"),
             *PACKAGE.glob("*/cli.py"), *PACKAGE.glob("*/*_views.py"), PACKAGE / "cli.py"]
    return sorted(set(files))


def _commits(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit"]


def test_the_scan_sees_the_views_and_commands():
    names = {path.relative_to(PACKAGE).as_posix() for path in _thin_layers()}
    assert {"admin/alumni_views.py", "respondent/views.py", "exports/cli.py", "cli.py"} <= names


def test_no_view_or_command_commits():
    offenders = [f"{path.relative_to(PACKAGE)}:{line}" for path in _thin_layers() for line in _commits(path)]
    assert offenders == [], "commit in a service function instead: " + ", ".join(offenders)
