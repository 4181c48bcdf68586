"""Every kind of bad input gives an XLSFormError naming sheet/row/column, never a traceback."""
from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from survey_app.xlsform.errors import XLSFormError
from survey_app.xlsform.importer import import_xlsform
from survey_app.xlsform.reader import MAX_UNZIPPED_BYTES
from tests.survey_app.xlsform.conftest import make_xlsx


def _issues(data: bytes, **options):
    with pytest.raises(XLSFormError) as caught:
        import_xlsform(data, **options)
    return caught.value.issues


def test_not_a_spreadsheet():
    (issue,) = _issues(b"name,label\nq1,Question\n")
    assert "not a spreadsheet" in issue.message


def test_a_zip_that_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    (issue,) = _issues(buffer.getvalue())
    assert "not an Excel workbook" in issue.message


def test_corrupt_xlsx():
    data = make_xlsx([["type", "name", "label"], ["text", "a", "A"]])
    (issue,) = _issues(data[: len(data) // 2])
    assert "damaged" in issue.message


def test_corrupt_xls():
    (issue,) = _issues(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert "damaged" in issue.message


def test_password_protected_workbook():
    # An encrypted .xlsx is an OLE2 container with an EncryptionInfo stream (MS-OFFCRYPTO).
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 400
    (issue,) = _issues(data)
    assert "password-protected" in issue.message


def test_missing_survey_sheet():
    (issue,) = _issues(make_xlsx(None, extra={"questions": [["type", "name"], ["text", "a"]]}))
    assert issue.sheet == "survey" and "no 'survey' sheet (sheets found: 'questions')" in issue.message


def test_duplicate_question_names():
    issues = _issues(make_xlsx([["type", "name", "label"], ["text", "a", "A"], ["integer", "a", "Again"]]))
    assert [(i.sheet, i.row, i.column) for i in issues] == [("survey", 3, "name")]
    assert "used twice (first on row 2)" in issues[0].message


def test_names_that_clash_after_lower_casing():
    issues = _issues(make_xlsx([["type", "name", "label"], ["text", "Age", "A"], ["integer", "age", "B"]]))
    assert [(i.row, i.column) for i in issues] == [(3, "name")]


def test_unknown_type():
    issues = _issues(make_xlsx([["type", "name", "label"], ["text", "a", "A"], ["colour_picker", "c", "C"]]))
    assert [(i.sheet, i.row, i.column) for i in issues] == [("survey", 3, "type")]
    assert "unknown question type 'colour_picker'" in issues[0].message


@pytest.mark.parametrize("rows, row", [
    ([["begin group", "g", "G"], ["text", "a", "A"]], 2),
    ([["text", "a", "A"], ["end group"]], 3),
    ([["begin group", "g", "G"], ["text", "a", "A"], ["end repeat"]], 4),
])
def test_unbalanced_groups(rows, row):
    issues = _issues(make_xlsx([["type", "name", "label"], *rows]))
    assert (issues[0].sheet, issues[0].row, issues[0].column) == ("survey", row, "type")


def test_choice_list_referenced_but_not_defined():
    data = make_xlsx([["type", "name", "label", "relevant"], ["select_one colours", "c", "C", ""],
                      ["text", "d", "D", "${c} = 'red'"]],
                     [["list_name", "name", "label"], ["sizes", "s", "S"]])
    issues = _issues(data)
    assert [(i.sheet, i.row, i.column) for i in issues] == [("survey", 2, "type")]
    assert "choice list 'colours'" in issues[0].message
    # pyxform refuses such a form; a forgiving import can still take the rest (osm_health.xls
    # is a fragment meant to be merged with a shared choices sheet): the question is left out
    # and what referred to it is reported.
    result = import_xlsform(data, skip_unsupported=True)
    assert [q["name"] for p in result.definition["pages"] for q in p["questions"]] == ["d"]
    notes = [(i.row, i.column) for i in result.issues if i.kind == "note"]
    assert (2, "name") in notes and (3, "relevant") in notes


def test_formula_cell():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(["type", "name", "label"])
    sheet.append(["text", "a", "=CONCAT(\"A\",\"B\")"])
    buffer = io.BytesIO()
    book.save(buffer)
    issues = _issues(buffer.getvalue())
    assert [(i.sheet, i.row, i.column) for i in issues] == [("survey", 2, "C (label)")]
    assert "formula" in issues[0].message


def test_a_50_mb_sheet_is_refused_before_parsing():
    # 50 MB of sheet XML compresses to well under the file-size cap: the unpacked size is checked.
    data = make_xlsx([["type", "name", "label"], ["text", "a", "A"]])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(b"</sheetData>", b"<!--" + b" " * (50 * 1024 * 1024) + b"--></sheetData>")
            target.writestr(item.filename, body)
    assert len(buffer.getvalue()) < 1024 * 1024 and 50 * 1024 * 1024 > MAX_UNZIPPED_BYTES
    (issue,) = _issues(buffer.getvalue())
    assert issue.sheet == "xl/worksheets/sheet1.xml" and "unpacks to more than" in issue.message


def test_a_file_over_the_size_cap_is_refused_before_reading():
    (issue,) = _issues(b"PK\x03\x04" + b"\x00" * 2048, max_bytes=1024)
    assert "the limit is" in issue.message


def test_a_bad_regex_is_an_error_at_the_cell():
    issues = _issues(make_xlsx([["type", "name", "label", "constraint", "constraint_message"],
                                ["text", "a", "A", "regex(., '([a-z]')", "bad"]]))
    assert [(i.row, i.column) for i in issues] == [(2, "constraint")]


def test_unknown_language_in_a_header():
    issues = _issues(make_xlsx([["type", "name", "label::Klingon"], ["text", "a", "A"]]))
    assert [(i.sheet, i.row, i.column) for i in issues] == [("survey", 1, "label::Klingon")]


def test_a_value_beyond_the_column_cap_is_refused():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(["type", "name", "label"])
    sheet.append(["text", "a", "A"])
    sheet.cell(row=2, column=600, value="far away")
    buffer = io.BytesIO()
    book.save(buffer)
    (issue,) = _issues(buffer.getvalue())
    assert (issue.sheet, issue.row) == ("survey", 2) and "more than 500 columns" in issue.message
