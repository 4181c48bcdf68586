#!/usr/bin/env bash
# CI (flaky): the browser tests inject axe-core, pinned in tests/browser/package-lock.json.
# Installed here so a missing npm shows up as a CI step failing, not as a test skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v npm >/dev/null || apt-get install -y -qq npm >/dev/null
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
