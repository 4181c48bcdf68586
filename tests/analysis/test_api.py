"""The public API is small, documented, and independent of the web app."""
import doctest
import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import analysis

PACKAGE_DIR = Path(analysis.__file__).parent
DOCTEST_MODULES = [
    "analysis", "analysis.sectors.normalize", "analysis.sectors.kbli", "analysis.sectors.labelled",
    "analysis.sectors.features", "analysis.sectors.model", "analysis.sectors.storage",
    "analysis.sectors.evaluate", "analysis.io", "analysis.resources",
    "analysis.sectors.default", "analysis.sectors.classify", "analysis.frame", "analysis.reference",
]


def test_public_names_are_exported_through_all():
    for name in analysis.__all__:
        assert getattr(analysis, name) is not None
    assert {"normalize_text", "SectorClassifier", "load_default_model", "classify_texts",
            "DEFAULT_REVIEW_THRESHOLD"} <= set(analysis.__all__)


def test_public_functions_have_docstrings_with_examples():
    for name in ["normalize_text", "classify_texts", "load_default_model", "evaluate_model", "load_model"]:
        doc = getattr(analysis, name).__doc__
        assert doc and "Examples" in doc, name


@pytest.mark.parametrize("module_name", DOCTEST_MODULES)
def test_docstring_examples_run(module_name):
    result = doctest.testmod(importlib.import_module(module_name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_analysis_source_never_imports_flask_or_the_app():
    pattern = re.compile(r"^\s*(from|import)\s+(flask|survey_app)\b", re.M)
    offenders = [str(p) for p in PACKAGE_DIR.rglob("*.py") if pattern.search(p.read_text(encoding="utf-8"))]
    assert not offenders


def test_importing_analysis_loads_neither_flask_nor_the_app():
    code = ("import sys, analysis, analysis.cli, analysis.sectors; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'survey_app')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    env = dict(os.environ, PYTHONPATH=str(PACKAGE_DIR.parent))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
