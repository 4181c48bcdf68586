"""Fixtures for the analysis tests.

The default model is trained once into a persistent, key-checked cache
(``JEJAK_MODEL_CACHE`` → ``.pytest_cache/d/jejak-model/``, see tests/conftest.py),
so later tests, later sessions, other xdist workers and CLI subprocesses started
with the same environment load it instead of retraining.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.sectors import default as default_module

REPO_ROOT = Path(__file__).resolve().parents[2]


# model_cache_dir and default_model come from tests/conftest.py, so the app's tests and
# these share one trained model per session.


@pytest.fixture
def fresh_memo():
    """Clear the in-process model memo around a test that checks caching."""
    saved = dict(default_module._memo)
    default_module._memo.clear()
    yield
    default_module._memo.clear()
    default_module._memo.update(saved)


@pytest.fixture
def run_cli(model_cache_dir):
    """Run ``python -m analysis ARGS`` in a subprocess sharing the model cache."""
    def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
        env = dict(os.environ, JEJAK_MODEL_CACHE=str(model_cache_dir), PYTHONPATH=str(REPO_ROOT))
        return subprocess.run(
            [sys.executable, "-m", "analysis", *args],
            capture_output=True, text=True, env=env, cwd=cwd or REPO_ROOT, timeout=300,
        )
    return run
