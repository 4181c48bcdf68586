"""The XLSForm functions added to the evaluator, on the server and in skiplogic.js."""
from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path

import pytest

from survey_app.questionnaire.expressions import ExpressionError, parse
from tests.conftest import skip_or_fail

SKIPLOGIC = Path(__file__).resolve().parents[3] / "survey_app" / "static" / "skiplogic.js"

CASES = [
    ("concat('a', ${n}, 'b')", {"n": 3}, "a3b"),
    ("coalesce(${x}, 'fallback')", {}, "fallback"),
    ("coalesce(${x}, 'fallback')", {"x": "set"}, "set"),
    ("int(7.9)", {}, 7),
    ("int(-7.9)", {}, -7),
    ("round(2.5)", {}, 3),
    ("round(3.14159, 2)", {}, 3.14),
    ("regex(${p}, '^[0-9]{10}$')", {"p": "0812345678"}, True),
    ("regex(${p}, '^[0-9]{10}$')", {"p": "08123"}, False),
    ("regex(${p}, '([a-z]')", {"p": "abc"}, False),  # an invalid pattern never matches
    ("decimal-date-time('1970-01-11')", {}, 10),
    ("date(decimal-date-time('2024-02-28') + 2)", {}, "2024-03-01"),
    ("date('not a date')", {}, ""),
    ("string(12)", {}, "12"),
    ("contains('warung kopi', 'kopi')", {}, True),
    ("floor(-2.5)", {}, -3),
    ("ceiling(2.1)", {}, 3),
    ("abs(-4)", {}, 4),
    ("date-time('2024-05-06')", {}, "2024-05-06"),
]


@pytest.mark.parametrize("source, answers, expected", CASES)
def test_server_evaluation(source, answers, expected):
    assert parse(source).evaluate(answers) == expected


def test_int_of_text_is_nan():
    assert math.isnan(parse("int('x')").evaluate({}))


def test_regex_refuses_overlong_inputs_and_patterns():
    assert parse("regex(${v}, 'a')").evaluate({"v": "a" * 10_001}) is False
    assert parse("regex('a', ${p})").evaluate({"p": "a" * 501}) is False


def test_regex_is_linear_time_on_a_catastrophic_pattern():
    # (a+)+$ takes exponential time with a backtracking engine; RE2 answers at once.
    assert parse("regex(${v}, '^(a+)+$')").evaluate({"v": "a" * 5000 + "!"}) is False


def test_wrong_argument_counts_are_parse_errors():
    with pytest.raises(ExpressionError):
        parse("coalesce(${a})")


def test_browser_mirror_gives_the_same_results(tmp_path):
    node = shutil.which("node")
    if node is None:
        skip_or_fail("node (Node.js) is needed to run skiplogic.js outside a browser")
    trees = [[parse(source).tree, answers, expected] for source, answers, expected in CASES]
    script = tmp_path / "run.js"
    script.write_text(
        # Just enough DOM for the script to start; then its evaluate() is called directly.
        "const form = {addEventListener(){}, querySelectorAll(){return [];}};\n"
        "const data = {textContent: '{\"questions\": [], \"answers\": {}}', ownerDocument: {querySelector(){return form;}}};\n"
        "global.document = {getElementById(id){return id === 'skiplogic-data' ? data : null;}};\n"
        f"const src = require('fs').readFileSync({json.dumps(str(SKIPLOGIC))}, 'utf8');\n"
        "const hook = src.replace(/function evaluate\\(t, scope\\) \\{/, 'global.__evaluate = evaluate; $&');\n"
        "eval(hook);\n"
        f"const cases = {json.dumps(trees)};\n"
        "const out = cases.map(([tree, answers]) => global.__evaluate(tree, {answers: answers}));\n"
        "console.log(JSON.stringify(out));\n", encoding="utf-8")
    result = subprocess.run([node, str(script)], capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [expected for _, _, expected in CASES]
