"""The expression language: parsing, evaluation and refusal of anything unsafe."""
import pytest

from survey_app.questionnaire.expressions import ExpressionError, parse


@pytest.mark.parametrize(
    ("source", "answers", "current", "expected"),
    [
        ("${a} = 'x'", {"a": "x"}, None, True),
        ("${a} = 'x'", {}, None, False),
        ("${a} = ''", {}, None, True),
        ("${a} != ''", {"a": "y"}, None, True),
        ("${n} > 5", {"n": 7}, None, True),
        ("${n} > 5", {}, None, False),  # empty never compares as a number
        ("${n} < 5", {}, None, False),
        (". >= 1940 and . <= 2010", {}, 1985, True),
        (". >= 1940 and . <= 2010", {}, 1900, False),
        (". <= ${revenue}", {"revenue": 1000}, -500, True),
        (". <= ${revenue}", {"revenue": 1000}, 2000, False),
        ("selected(${c}, 'wa')", {"c": ["market", "wa"]}, None, True),
        ("not(selected(., 'none') and count-selected(.) > 1)", {}, ["none", "wa"], False),
        ("not(selected(., 'none') and count-selected(.) > 1)", {}, ["none"], True),
        ("string-length(.) >= 10", {}, "warung kopi", True),
        ("string-length(.) >= 10", {}, "  kopi   ", False),
        ("${a} = 'y' or ${b} = 'y'", {"b": "y"}, None, True),
        ("(${n} + 2) * 3 = 15", {"n": 3}, None, True),
        ("${n} div 2 = 2.5 and ${n} mod 2 = 1", {"n": 5}, None, True),
        ("-${n} < 0", {"n": 5}, None, True),
        ("if(${a} = 'x', 1, 2) = 1", {"a": "x"}, None, True),
        ("${m} <= today()", {"m": "2020-05"}, None, True),
        ("${m} <= today()", {"m": "2999-01"}, None, False),
        ("number(${t}) > 3", {"t": "4"}, None, True),
        ("true() and not(false())", {}, None, True),
        ("${a} = 1", {"a": "1"}, None, True),  # numeric text equals the number
    ],
)
def test_expression_evaluates_like_xlsform(source, answers, current, expected):
    assert parse(source).is_true(answers, current=current) is expected


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("", "empty expression"),
        ("${a} =", "ends too early"),
        ("${a} = = 'x'", "unexpected '='"),
        ("__import__('os')", "unknown function __import__()"),
        ("${a} ; drop", "unexpected character ';'"),
        ("selected(${a})", "takes 2 argument(s), got 1"),
        ("(${a} = 'x'", "ends too early"),
        ("selected(${a}, 'x' 'y')", "expected ')'"),
        ("${Bad Name}", "invalid question reference"),
        ("'unterminated", "unexpected character"),
    ],
)
def test_bad_expression_is_refused_with_position(source, message):
    with pytest.raises(ExpressionError, match="at character"):
        parse(source)
    with pytest.raises(ExpressionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(source)


def test_references_and_choice_attributes_are_reported():
    expression = parse("selected(${finished}, name) and category = ${cat}")
    assert expression.references() == {"finished", "cat"}
    assert expression.attributes() == {"name", "category"}


def test_choice_filter_reads_the_choice_being_filtered():
    expression = parse("selected(${finished}, name)")
    answers = {"finished": ["T1", "T3"]}
    assert expression.is_true(answers, choice={"name": "T1"})
    assert not expression.is_true(answers, choice={"name": "T2"})


def test_tree_is_plain_json_for_the_browser():
    import json

    tree = parse("${a} = 'x' and count-selected(${b}) > 1").tree
    assert json.loads(json.dumps(tree)) == tree
