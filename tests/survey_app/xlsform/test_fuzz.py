"""Whatever the input, the importer answers with issues, never with a traceback."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey_app.questionnaire.expressions import ExpressionError, parse
from survey_app.xlsform.errors import XLSFormError
from survey_app.xlsform.headers import parse_header
from survey_app.xlsform.importer import import_xlsform
from survey_app.xlsform.xpath import Context, translate
from tests.survey_app.xlsform.conftest import make_xlsx

CONTEXT = Context(rename={"a": "a", "b": "b"}, dropped={"gone"})
XPATH_ALPHABET = st.sampled_from(list("ab.()/,'=<>!+-*[]${} 0123456789") + ["${a}", "${gone}", "and", "or",
                                                                             "selected(", "instance(", "../",
                                                                             "jr:choice-name(", "div", "’"])


@settings(max_examples=200, deadline=None)
@given(st.lists(XPATH_ALPHABET, max_size=30).map("".join))
def test_translation_never_raises_and_its_output_parses(source):
    result = translate(source, CONTEXT)
    if not result.unsupported and not result.unknown and result.text:
        try:
            parse(result.text)
        except ExpressionError:
            pass  # reported by the importer as an error at the cell


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_header_is_understood_or_ignored(header):
    parse_header(0, header)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048))
def test_random_bytes_give_an_xlsform_error(data):
    try:
        import_xlsform(data)
    except XLSFormError as error:
        assert error.issues and all(issue.message for issue in error.issues)


CELL = st.sampled_from(["", "text", "integer", "begin group", "end group", "begin repeat", "end repeat",
                        "select_one yn", "select_multiple nope", "note", "calculate", "geopoint", "a", "b",
                        "${a} = 'x'", ". > 1", "yes", "instance('x')/y", "../a"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(CELL, min_size=5, max_size=5), max_size=8), st.booleans())
def test_random_forms_import_or_list_their_problems(rows, skip):
    data = make_xlsx([["type", "name", "label", "relevant", "constraint"], *rows],
                     [["list_name", "name", "label"], ["yn", "y", "Yes"]])
    try:
        import_xlsform(data, skip_unsupported=skip)
    except XLSFormError as error:
        assert error.issues
