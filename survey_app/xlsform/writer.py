"""A Jejak definition → an XLSForm workbook (for ODK Collect / KoboToolbox), checked with pyxform.

Mapping (the reverse of the importer; docs/XLSFORM.md has the table):
- a page is a ``begin group`` with ``appearance: field-list`` (a repeat page is a ``begin repeat``);
- ``long_text`` is ``text`` + ``multiline``; ``month_year`` is ``date`` + ``month-year``;
- ``choices_from: roster_trainings`` is a choice list of the training catalogue plus a note on
  how to prefill it (ODK has no roster), and ``each_of`` is a repeat over the selected items;
- what XLSForm has no column for (``sensitive``, ``coding``, ``max_length``, the consent rule,
  ``each_of``) goes into ``jejak::`` columns, which pyxform ignores and the importer reads back,
  so a round trip keeps them.
"""
from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import openpyxl

LANGUAGE_HEADERS = {"id": "Indonesian (id)", "en": "English (en)"}
ROSTER_LIST = "roster_trainings"
PREFILL_NOTE = {
    "id": "Catatan untuk tim survei: daftar '{list}' berisi semua pelatihan di katalog. Di Jejak setiap orang "
          "hanya melihat pelatihan yang menurut roster telah ia selesaikan. Di ODK/Kobo, isi terlebih dahulu "
          "dengan memfilter daftar ini (choice_filter) per responden, misalnya dari lampiran CSV roster.",
    "en": "Note for the survey team: the list '{list}' holds every training in the catalogue. In Jejak each "
          "person sees only the trainings the roster says they completed. In ODK/Kobo, prefill it by filtering "
          "this list (choice_filter) per respondent, for example from a roster CSV attachment.",
}
_TEXT_KEYS = ("label", "hint", "constraint_message", "required_message")
_PLAIN_KEYS = ("required", "relevant", "constraint", "choice_filter", "appearance", "calculation", "default",
               "repeat_count", "read_only")
_JEJAK_KEYS = ("jejak::sensitive", "jejak::coding", "jejak::max_length", "jejak::choices_from",
               "jejak::each_of", "jejak::role", "jejak::repeat_max",
               "jejak::choices")  # --- previous: the choice list labelling a calculate's codes


def language_header(code: str) -> str:
    """``Indonesian (id)`` / ``English (en)``: the spelling KoboToolbox and ODK both read."""
    return LANGUAGE_HEADERS.get(code, code)


def build_rows(definition: dict, trainings: Iterable[tuple[str, str, str]] = ()) -> dict[str, list[dict]]:
    """Rows of the survey, choices and settings sheets as dicts (keys are canonical columns).

    ``trainings`` are ``(code, title, category)`` of the catalogue, for ``roster_trainings``.
    """
    languages = list(definition.get("languages", ["id"]))
    survey: list[dict] = []
    choices: list[dict] = []
    lists_used: dict[str, list[dict]] = dict(definition.get("choice_lists", {}))
    for page in definition["pages"]:
        repeat = page.get("repeat")
        begin: dict[str, Any] = {"type": "begin repeat" if repeat else "begin group", "name": page["name"],
                                 "label": page["title"]}
        if repeat:
            begin["label"] = {k: v.replace("{n}", "").replace("()", "").strip() for k, v in page["title"].items()}
            if repeat.get("count"):
                begin["repeat_count"] = repeat["count"]
            begin["jejak::repeat_max"] = str(repeat.get("max", ""))
        else:
            begin["appearance"] = "field-list"
        if page.get("relevant"):
            begin["relevant"] = page["relevant"]
        survey.append(begin)
        for question in page["questions"]:
            survey.extend(_question_rows(question, definition, lists_used, languages, trainings))
        survey.append({"type": "end repeat" if repeat else "end group"})
    for list_name, items in lists_used.items():
        for item in items:
            row = {"list_name": list_name, "name": item["name"], "label": item["label"]}
            row.update({k: v for k, v in item.items() if k not in ("name", "label")})
            choices.append(row)
    title = definition.get("title", {})
    settings = {"form_title": title.get(languages[0], "") if isinstance(title, dict) else str(title),
                "form_id": definition["name"], "default_language": language_header(languages[0]),
                "version": str(definition.get("version", 1))}
    if definition.get("consent"):
        settings["jejak::consent_question"] = definition["consent"]["question"]
        settings["jejak::consent_accept"] = str(definition["consent"]["accept"])
    return {"survey": survey, "choices": choices, "settings": [settings]}


def _question_rows(question: dict, definition: dict, lists: dict, languages: list[str],
                   trainings: Iterable[tuple[str, str, str]]) -> list[dict]:
    qtype = question["type"]
    row: dict[str, Any] = {"name": question["name"]}
    appearance = [question["appearance"]] if question.get("appearance") else []
    rows: list[dict] = []
    if qtype == "long_text":
        row["type"], appearance = "text", appearance + ["multiline"]
    elif qtype == "month_year":
        row["type"], appearance = "date", appearance + ["month-year"]
    elif qtype in ("select_one", "select_multiple"):
        list_name = question.get("choices")
        if question.get("choices_from") == ROSTER_LIST:
            list_name = ROSTER_LIST
            row["jejak::choices_from"] = ROSTER_LIST
            if ROSTER_LIST not in lists:
                lists[ROSTER_LIST] = [{"name": code, "label": {lang: title for lang in languages},
                                       "category": category} for code, title, category in trainings] or [
                    {"name": "example", "label": {lang: "(roster)" for lang in languages}, "category": "example"}]
            rows.append({"type": "note", "name": f"{question['name']}_prefill_note", "jejak::role": "prefill_note",
                         "label": {lang: PREFILL_NOTE.get(lang, PREFILL_NOTE["en"]).format(list=ROSTER_LIST)
                                   for lang in languages}})
        row["type"] = f"{qtype} {list_name}"
    else:
        row["type"] = qtype
    for key in ("label", "hint", "constraint_message", "required_message"):
        if question.get(key) is not None:
            row[key] = question[key]
    if question.get("required"):
        row["required"] = "yes"
    for key in ("relevant", "constraint", "choice_filter", "calculation", "default"):
        if question.get(key) not in (None, ""):
            row[key] = str(question[key])
    if appearance:
        row["appearance"] = " ".join(appearance)
    if question.get("sensitive"):
        row["jejak::sensitive"] = "yes"
    if question.get("coding"):
        row["jejak::coding"] = question["coding"]
    if question.get("max_length") is not None:
        row["jejak::max_length"] = str(question["max_length"])
    if qtype == "calculate" and question.get("choices"):  # --- previous: labels of a calculate's codes
        row["jejak::choices"] = question["choices"]
    if question.get("each_of"):
        return rows + _each_of_rows(question, row, languages)
    return rows + [row]


def _each_of_rows(question: dict, row: dict, languages: list[str]) -> list[dict]:
    """``each_of``: a repeat with one instance per selected option, the option's label in ``${…_item}``."""
    target, name = question["each_of"], question["name"]
    item = f"{name}_item"
    row = dict(row)
    row["jejak::each_of"] = target
    row["label"] = {lang: text.replace("{item}", "${" + item + "}") for lang, text in row["label"].items()}
    relevant = row.pop("relevant", None)
    begin = {"type": "begin repeat", "name": f"{name}_each", "jejak::role": "each_of",
             "repeat_count": f"count-selected(${{{target}}})",
             "label": {lang: text.split("{item}")[0].rstrip(" :") for lang, text in question["label"].items()}}
    if relevant:
        begin["relevant"] = relevant
    calculate = {"type": "calculate", "name": item, "jejak::role": "each_of_item",
                 "calculation": f"jr:choice-name(selected-at(${{{target}}}, position(..) - 1), '${{{target}}}')"}
    return [begin, calculate, row, {"type": "end repeat"}]


def _columns(rows: list[dict], languages: list[str], first: tuple[str, ...]) -> list[tuple[str, str, str | None]]:
    """(header, key, language) for every column used, in a stable, readable order."""
    used = {k for row in rows for k in row}
    columns: list[tuple[str, str, str | None]] = [(k, k, None) for k in first if k in used]
    for key in _TEXT_KEYS:
        if key in used:
            columns += [(f"{key}::{language_header(lang)}", key, lang) for lang in languages]
    for key in _PLAIN_KEYS:
        if key in used and key not in first:
            columns.append((key, key, None))
    rest = sorted(used - {c[1] for c in columns})
    columns += [(k, k, None) for k in rest if not k.startswith("jejak::")]
    columns += [(k, k, None) for k in rest if k.startswith("jejak::")]
    return columns


def _sheet(book: openpyxl.Workbook, title: str, rows: list[dict], languages: list[str], first: tuple[str, ...]):
    sheet = book.create_sheet(title)
    columns = _columns(rows, languages, first)
    sheet.append([header for header, _, _ in columns])
    for row in rows:
        values = []
        for _, key, lang in columns:
            value = row.get(key)
            if lang is not None:
                value = value.get(lang) if isinstance(value, dict) else value
            values.append("" if value is None else str(value))
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            # openpyxl stores text starting with "=" as a formula; these are texts.
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"


def export_xlsform(definition: dict, trainings: Iterable[tuple[str, str, str]] = ()) -> bytes:
    """The XLSForm workbook (.xlsx bytes) for a Jejak definition (plain data, as stored)."""
    languages = list(definition.get("languages", ["id"]))
    sheets = build_rows(definition, trainings)
    book = openpyxl.Workbook()
    book.remove(book.active)
    _sheet(book, "survey", sheets["survey"], languages, ("type", "name"))
    _sheet(book, "choices", sheets["choices"], languages, ("list_name", "name"))
    _sheet(book, "settings", sheets["settings"], languages, ("form_title", "form_id", "version", "default_language"))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
