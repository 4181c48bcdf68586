"""Findings 10.5 and 10.9: hostile or malformed questionnaire files give messages, not tracebacks."""
import re
import tracemalloc

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Questionnaire
from survey_app.questionnaire.builder import check_text
from tests.survey_app.questionnaire.conftest import SMALL_FORM


def _write(tmp_path, text):
    path = tmp_path / "q.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _check(runner, tmp_path, text):
    return runner.invoke(args=["questionnaire", "check", _write(tmp_path, text)])


# -- 5: alias bombs ---------------------------------------------------------------------------
ALIAS_BOMB = SMALL_FORM.replace(
    '{name: "no", label: {id: "Tidak", en: "No"}}',
    '{name: "no", label: {id: "Tidak", en: "No"}, x1: &a [l,l,l,l,l,l,l,l,l,l], '
    'x2: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a], x3: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b], '
    'x4: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c], x5: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d], '
    'x6: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e], x7: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f], '
    'x8: [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]}')


@pytest.mark.parametrize("command", ["check", "load"])
def test_alias_bomb_is_refused_before_expansion(app, runner, tmp_path, command):
    assert ALIAS_BOMB != SMALL_FORM and len(ALIAS_BOMB.encode()) < len(SMALL_FORM.encode()) + 1024
    tracemalloc.start()
    try:
        result = runner.invoke(args=["questionnaire", command, _write(tmp_path, ALIAS_BOMB)])
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.exit_code == 1 and result.exception is None or isinstance(result.exception, SystemExit)
    assert "anchors and aliases" in result.output and re.search(r"line \d+", result.output)
    assert peak < 50 * 1024 * 1024
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Questionnaire)) == 0


def test_merge_keys_are_refused_too(runner, tmp_path):
    text = SMALL_FORM.replace("title: {id: \"Survei kecil\", en: \"Small survey\"}",
                              "base: &t {id: \"Survei kecil\", en: \"Small survey\"}\ntitle: {<<: *t}")
    assert "anchors and aliases" in _check(runner, tmp_path, text).output


# -- 9: wrong YAML types ------------------------------------------------------------------------
@pytest.mark.parametrize(("old", "new", "message"), [
    ("choices: yes_no", "choices: [yes_no, x]", "unknown choice list"),
    ("choices: channels", "choices: {a: b}", "unknown choice list"),
    ("choices_from: roster_trainings", "choices_from: [roster_trainings]", "'choices_from' must be one of"),
    ("type: long_text", "type: [long_text]", "unknown type"),
    ("type: integer", "type: integer\n{indent}appearance: [a]", "unknown appearance"),
    ("type: long_text", "type: long_text\n{indent}coding: [kbli]", "'coding' must be one of"),
    ("consent: {question: consent, accept: \"yes\"}", "consent: {question: [q1], accept: \"yes\"}",
     "consent question"),
    ("consent: {question: consent, accept: \"yes\"}", "consent: {question: {a: 1}, accept: [x]}",
     "consent question"),
])
def test_wrong_yaml_types_are_reported_with_line(runner, tmp_path, old, new, message):
    indent = re.search(r"\n( *)" + re.escape(old), SMALL_FORM).group(1)
    text = SMALL_FORM.replace(old, new.replace("{indent}", indent), 1)
    assert text != SMALL_FORM
    result = _check(runner, tmp_path, text)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert message in result.output and re.search(r"line \d+", result.output), result.output


@pytest.mark.parametrize(("expression", "message"), [
    ("(" * 400 + "1" + ")" * 400, "more than 300 parts"),
    ("(" * 100 + "1" + ")" * 100, "parentheses are nested more than"),
    (" + ".join(["1"] * 3000), "longer than"),
    ("+".join(["1"] * 200), "more than 300 parts"),
    (" + ".join(["1"] * 120), "nested more than 100 levels"),
    ("not(" * 60 + "true()" + ")" * 60, "parentheses are nested more than"),
    ("- " * 150 + "1", "nested more than 100 levels"),
    ("1" * 5000, "longer than"),
    (". = " + "9" * 1000, "more than 30 digits"),
])
def test_oversized_expressions_are_reported_with_line(runner, tmp_path, expression, message):
    text = SMALL_FORM.replace('constraint: ". >= 1940 and . <= 2010"', f'constraint: "{expression}"', 1)
    result = _check(runner, tmp_path, text)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert message in result.output and re.search(r"line \d+", result.output), result.output[:500]


def test_deeply_nested_yaml_is_reported(runner, tmp_path):
    text = SMALL_FORM + "extra: " + "[" * 5000 + "]" * 5000 + "\n"
    result = _check(runner, tmp_path, text)
    assert result.exit_code == 1 and "nested more than" in result.output


def test_reasonable_expressions_stay_accepted():
    text = SMALL_FORM.replace('constraint: ". >= 1940 and . <= 2010"',
                              'constraint: "' + " and ".join([". >= 1940", ". <= 2010"] * 10) + '"', 1)
    assert check_text(text) == []
