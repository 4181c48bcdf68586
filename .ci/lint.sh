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
# --verbose: import-linter 2.17 nests two rich live displays when not verbose, which fails with
# the rich 13.x that flask-limiter 3.12 pins (rich<14) -- "Only one live display may be active".
lint-imports --verbose
