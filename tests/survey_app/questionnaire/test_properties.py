"""Property-based guards (Hypothesis): expressions and definition files fail only with their own errors.

Finding classes 10.5 and 10.9: whatever text an author (or attacker) uploads, the parser, the
evaluator, the YAML loader and the builder either succeed or raise ExpressionError /
DefinitionError, within the size and depth limits, and never exhaust memory or the stack.
"""
from __future__ import annotations

import math

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey_app.questionnaire.builder import build, build_from_text
from survey_app.questionnaire.errors import DefinitionError
from survey_app.questionnaire.expressions import (
    FUNCTIONS,
    MAX_PARENTHESES,
    MAX_SOURCE_LENGTH,
    MAX_TREE_DEPTH,
    ExpressionError,
    parse,
)
from survey_app.questionnaire.yaml_source import MAX_DEPTH, load_yaml
from tests.survey_app.questionnaire.conftest import SMALL_FORM

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- expressions -------------------------------------------------------------------------------
ALPHABET = st.sampled_from(list("()${}.,'\"=!<>+-* 0123456789abcdefxyz_") + ["and", "or", "div", "mod", "${q}",
                                                                           "not(", "if(", "selected("])
token_soup = st.lists(ALPHABET, max_size=120).map("".join)

numbers = st.one_of(st.integers(-10**6, 10**6).map(str), st.floats(0, 1e6, allow_nan=False).map(lambda f: f"{f:.3f}"),
                    st.text("0123456789", min_size=1, max_size=40))
atoms = st.one_of(numbers, st.sampled_from(["${a}", "${b}", "${c}", ".", "'x'", "\"yes\"", "name", "category",
                                            "today()", "true()", "false()"]))


def _combine(children):
    binary = st.tuples(children, st.sampled_from(["=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "div", "mod",
                                                  "and", "or"]), children).map(lambda t: f"{t[0]} {t[1]} {t[2]}")
    # Every function the parser knows, with every argument count it accepts: a new function
    # is exercised here without editing this test.
    calls = st.one_of(*[
        st.tuples(*[children] * count).map(lambda args, name=name: f"{name}({', '.join(args)})")
        for name, (low, high) in sorted(FUNCTIONS.items()) for count in range(low, high + 1)
    ])
    return st.one_of(binary, calls, children.map(lambda c: f"({c})"), children.map(lambda c: f"-{c}"))


expressions = st.recursive(atoms, _combine, max_leaves=40)
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
              st.text(max_size=20)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=10,
)
answers = st.dictionaries(st.sampled_from(["a", "b", "c"]), json_values, max_size=3)


@SETTINGS
@given(st.text(max_size=300))
def test_parse_raises_only_its_own_error_on_any_text(source):
    try:
        parse(source)
    except ExpressionError:
        pass


@SETTINGS
@given(token_soup)
def test_parse_raises_only_its_own_error_on_token_soup(source):
    try:
        parse(source)
    except ExpressionError:
        pass


@settings(SETTINGS, max_examples=150)
@given(expressions, answers, json_values, st.dictionaries(st.sampled_from(["name", "category"]), json_values))
def test_any_parsed_expression_evaluates_without_error(source, given_answers, current, choice):
    try:
        expression = parse(source)
    except ExpressionError:
        return
    value = expression.evaluate(given_answers, current, choice)
    assert value is None or isinstance(value, (bool, int, float, str, list, dict))
    assert isinstance(expression.is_true(given_answers, current, choice), bool)
    assert expression.references() <= {"a", "b", "c"}


@SETTINGS
@given(st.integers(MAX_PARENTHESES + 1, 5000), st.sampled_from(["(", "not(", "-(", "if(1, 2, ("]))
def test_nesting_beyond_the_limit_is_refused_cleanly(depth, opener):
    source = opener * depth + "1" + ")" * depth * opener.count("(")
    try:
        parse(source)
    except ExpressionError as error:
        assert "nested" in str(error) or "longer than" in str(error) or "parts" in str(error)
    else:
        raise AssertionError("accepted an expression nested beyond the limits")


@SETTINGS
@given(st.integers(1, 4000), st.sampled_from([" + ", " and ", " or ", " * ", " = "]))
def test_long_chains_parse_within_limits_or_are_refused(terms, operator):
    source = operator.join(["1"] * terms)
    try:
        expression = parse(source)
    except ExpressionError:
        assert len(source) > MAX_SOURCE_LENGTH or terms > MAX_TREE_DEPTH - 1 or 2 * terms - 1 > 300
        return
    value = expression.evaluate({})
    assert not isinstance(value, float) or not math.isnan(value) or operator == " = "


# -- YAML and definitions ----------------------------------------------------------------------
yaml_keys = st.sampled_from(["format", "name", "title", "languages", "consent", "choice_lists", "pages",
                             "questions", "type", "label", "choices", "choices_from", "appearance", "coding",
                             "relevant", "constraint", "constraint_message", "question", "accept", "each_of",
                             "required", "sensitive", "max_length", "id", "en", "x"])
yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30), st.floats(allow_nan=False),
                         st.text(max_size=30), st.sampled_from(["jejak-questionnaire/1", "text", "select_one",
                                                                "integer", "yes_no", "kbli", "horizontal",
                                                                "roster_trainings", ". > 1", "${consent} = 'yes'"]))
yaml_data = st.recursive(yaml_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(yaml_keys, inner, max_size=5)), max_leaves=30)


@SETTINGS
@given(yaml_data)
def test_builder_raises_only_definition_errors_on_any_structure(data):
    try:
        build(data)
    except DefinitionError:
        pass


@SETTINGS
@given(yaml_data)
def test_any_yaml_document_loads_or_is_refused_with_problems(data):
    text = yaml.safe_dump(data, allow_unicode=True)
    try:
        build_from_text(text)
    except DefinitionError as error:
        assert error.problems and all(str(p) for p in error.problems)


@SETTINGS
@given(st.text(max_size=400))
def test_yaml_loader_raises_only_definition_errors_on_any_text(text):
    try:
        load_yaml(text)
    except DefinitionError:
        pass


@settings(SETTINGS, max_examples=100)
@given(st.integers(0, len(SMALL_FORM) - 1), st.text(max_size=40))
def test_small_edits_of_a_valid_file_never_crash_the_builder(position, insert):
    try:
        build_from_text(SMALL_FORM[:position] + insert + SMALL_FORM[position:])
    except DefinitionError:
        pass


@settings(SETTINGS, max_examples=30)
@given(st.integers(MAX_DEPTH + 1, 600), st.sampled_from(["[", "{a: ", "- "]))
def test_deep_yaml_is_refused_cleanly(depth, opener):
    closer = {"[": "]", "{a: ": "}", "- ": ""}[opener]
    if opener == "- ":
        text = "".join("  " * i + "-\n" for i in range(depth)) + "  " * depth + "x\n"
    else:
        text = opener * depth + "1" + closer * depth
    try:
        load_yaml(text)
    except DefinitionError as error:
        assert "nested" in str(error) or "YAML syntax" in str(error)
    else:
        raise AssertionError("accepted YAML nested beyond the limit")


@SETTINGS
@given(st.integers(1, 8), st.integers(2, 12))
def test_aliases_are_refused_whatever_the_fan_out(levels, width):
    lines = ["a0: &a0 [x]"] + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, levels + 1)]
    try:
        load_yaml("\n".join(lines))
    except DefinitionError as error:
        assert "aliases" in str(error)
    else:
        raise AssertionError("accepted anchors and aliases")


def test_every_function_in_the_table_parses_at_each_arity_it_accepts():
    # The generator above draws calls from FUNCTIONS; here each arity is checked once directly.
    for name, (low, high) in FUNCTIONS.items():
        for count in range(low, high + 1):
            assert parse(f"{name}({', '.join(['1'] * count)})").tree[0] == "call"
