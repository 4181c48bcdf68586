"""The XLSForm functions added to the evaluator, on the server and in skiplogic.js."""
from __future__ import annotations

import math
import os
import threading
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


@pytest.mark.browser
def test_browser_mirror_gives_the_same_results():
    """skiplogic.js, run in headless Chromium, evaluates the same trees to the same values."""
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("JEJAK_CHROMIUM", "/usr/bin/chromium")
    # Expose the script's private evaluate() (hoisted inside its closure) to the test.
    source = SKIPLOGIC.read_text(encoding="utf-8").replace(
        "function evaluate(t, scope) {", "window.__evaluate = evaluate;\n  function evaluate(t, scope) {", 1)
    page_html = ('<!doctype html><html><body><script id="skiplogic-data" type="application/json">'
                 '{"questions": [], "answers": {}}</script><form method="post"></form></body></html>')
    cases = [[parse(source_text).tree, answers] for source_text, answers, _ in CASES]
    outcome: dict = {}

    def evaluate_in_chromium() -> None:
        # A thread of its own: Playwright's sync API refuses to start where an asyncio loop is
        # running, as it is when the browser tests' session driver ran earlier in this worker.
        try:
            with sync_playwright() as driver:
                try:
                    browser = driver.chromium.launch(executable_path=chromium, headless=True,
                                                     args=["--no-sandbox", "--disable-gpu"])
                except Exception as exc:  # noqa: BLE001 - any launch problem means "no browser here"
                    outcome["launch_error"] = str(exc).splitlines()[0]
                    return
                try:
                    page = browser.new_page()
                    page.set_content(page_html)
                    page.add_script_tag(content=source)
                    outcome["results"] = page.evaluate(
                        "cases => cases.map(([tree, answers]) => window.__evaluate(tree, {answers}))", cases)
                finally:
                    browser.close()
        except Exception as exc:  # noqa: BLE001 - re-raised in the test's thread below
            outcome["error"] = exc

    worker = threading.Thread(target=evaluate_in_chromium)
    worker.start()
    worker.join()
    if "launch_error" in outcome:
        skip_or_fail(f"Chromium at {chromium} failed to launch: {outcome['launch_error']}")
    if "error" in outcome:
        raise outcome["error"]
    results = outcome["results"]
    assert results == [expected for _, _, expected in CASES]
