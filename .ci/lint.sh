#!/usr/bin/env bash
# CI (house, issue 14 item 5): ruff (pyflakes, pycodestyle, isort, bugbear, pyupgrade, bandit
# rules), mypy (strict on analysis/) and import-linter's layer contracts, all configured in
# pyproject.toml. Uses the project's virtualenv (created by `make install`) when there is one.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -x .venv/bin/python ]; then PATH="$PWD/.venv/bin:$PATH"; fi
if ! command -v mypy >/dev/null; then make install >/dev/null; PATH="$PWD/.venv/bin:$PATH"; fi
# import-linter lives in a tool venv of its own: it needs rich>=14.2, which the app's
# Flask-Limiter 3 refuses (rich<14). It only parses the source, so it needs nothing else.
if [ ! -x .venv-tools/bin/lint-imports ]; then
  python3 -m venv .venv-tools
  .venv-tools/bin/pip install --quiet 'import-linter>=2.17,<3'
fi

ruff check .
mypy
.venv-tools/bin/lint-imports
