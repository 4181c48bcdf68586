#!/usr/bin/env bash
# CI (house, issue 14 item 5): ruff (pyflakes, pycodestyle, isort, bugbear, pyupgrade, bandit
# rules), mypy (strict on analysis/) and import-linter's layer contracts, all configured in
# pyproject.toml. Uses the project's virtualenv (created by `make install`) when there is one.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -x .venv/bin/python ]; then PATH="$PWD/.venv/bin:$PATH"; fi
if ! command -v lint-imports >/dev/null; then make install >/dev/null; PATH="$PWD/.venv/bin:$PATH"; fi

ruff check .
mypy
lint-imports
