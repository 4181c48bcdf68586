"""The whole XLSForm import: workbook bytes → a Jejak definition plus the list of issues."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from survey_app.xlsform.choices import read_choices
from survey_app.xlsform.errors import ERROR, N_, NOTE, UNSUPPORTED, Issue, XLSFormError
from survey_app.xlsform.headers import language_code
from survey_app.xlsform.reader import MAX_FILE_BYTES, read_workbook
from survey_app.xlsform.survey import SurveyConverter, jejak_name
from survey_app.xlsform.table import Table
from survey_app.xlsform.texts import Texts

FORMAT = "jejak-questionnaire/1"
DEFAULT_REPEAT_MAX = 10
KNOWN_SHEETS = {"survey", "choices", "settings"}
# Sheets other tools add that carry no questions (noted, not errors).
_SETTINGS_USED = {"form_title", "form_id", "default_language", "version", "clean_text_values"}


@dataclass
class ImportResult:
    """A successful import: the definition (plain data), its YAML text and every issue found."""

    definition: dict
    issues: list[Issue] = field(default_factory=list)

    @property
    def yaml(self) -> str:
        return to_yaml(self.definition)

    def of_kind(self, kind: str) -> list[Issue]:
        return [i for i in self.issues if i.kind == kind]


class _NoAliasDumper(yaml.SafeDumper):
    """Writes a repeated object out again each time: Jejak's loader refuses anchors and aliases."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def to_yaml(definition: dict) -> str:
    """YAML text for a definition, keys in their natural order, Unicode kept."""
    return yaml.dump(definition, Dumper=_NoAliasDumper, allow_unicode=True, sort_keys=False, width=120,
                     default_flow_style=False)


def import_xlsform(data: bytes, *, skip_unsupported: bool = False, default_language: str | None = None,
                   repeat_max: int = DEFAULT_REPEAT_MAX, filename: str = "form",
                   max_bytes: int = MAX_FILE_BYTES) -> ImportResult:
    """Convert an XLSForm (bytes of an .xlsx/.xls file) into a Jejak definition.

    Raises :class:`XLSFormError` listing every error when the form cannot be imported, or
    every unsupported item when there are some and ``skip_unsupported`` is false. Notes
    (lossy mappings, ignored columns) never block the import; they are in ``issues``.
    """
    sheets = read_workbook(data, max_bytes=max_bytes)
    by_lower = {name.strip().lower(): sheet for name, sheet in sheets.items()}
    issues: list[Issue] = []
    if "survey" not in by_lower:
        names = ", ".join(f"'{n}'" for n in sheets) or "none"
        raise XLSFormError([Issue(ERROR, N_("the workbook has no 'survey' sheet (sheets found: %(names)s)",
                                            names=names), "survey")])
    for name, sheet in sheets.items():
        if name.strip().lower() not in KNOWN_SHEETS and (sheet.rows or sheet.header):
            kind = UNSUPPORTED if name.strip().lower() in ("entities",) and sheet.rows else NOTE
            message = (N_("entities (ODK's case data) are not supported; the sheet is ignored") if kind == UNSUPPORTED
                       else "sheet not used by an XLSForm import; ignored")
            issues.append(Issue(kind, message, name))
    issues.extend(_formula_issues(sheets))
    survey = Table.of(by_lower["survey"])
    choices_sheet = by_lower.get("choices")
    choices = Table.of(choices_sheet) if choices_sheet is not None and (choices_sheet.header or choices_sheet.rows) \
        else None
    settings = _settings(Table.of(by_lower["settings"])) if "settings" in by_lower else {}
    allow_duplicates = settings.get("allow_choice_duplicates", "").lower() in ("yes", "true", "true()")
    for table in (survey, choices):
        if table is None:
            continue
        for column in table.columns:
            if column.bad_language:
                issues.append(Issue(ERROR, N_("cannot tell the language of '%(header)s': write it as 'label::English "
                                              "(en)' or 'label::en' with a two-letter code", header=column.header),
                                    table.name, 1, column.header))
    languages = _languages(survey, choices, settings.get("default_language"), default_language)
    texts = Texts(languages, languages[0])
    title_text = settings.get("form_title") or settings.get("form_id") or filename
    title = texts.same(title_text)
    lists, renamed, choice_issues = read_choices(choices, texts, allow_duplicates)
    issues.extend(choice_issues)
    clean_quotes = settings.get("clean_text_values", "yes").lower() not in ("no", "false", "false()")
    converter = SurveyConverter(survey, lists, texts, title, skip_unsupported, repeat_max, renamed, clean_quotes)
    result = converter.convert()
    issues.extend(result.issues)
    if choices is not None:
        issues.extend(choices.unused_column_notes({"list_name", "name", "label"} | set(_choice_extra(choices))))
    issues.extend(texts.notes())
    errors = [i for i in issues if i.kind == ERROR]
    unsupported = [i for i in issues if i.kind == UNSUPPORTED]
    if errors:
        raise XLSFormError(_ordered(errors + unsupported))
    if unsupported and not skip_unsupported:
        raise XLSFormError(_ordered(unsupported))
    if not result.pages:
        raise XLSFormError([Issue(ERROR, N_("the form has no questions Jejak can ask"), by_lower["survey"].name)])
    name = jejak_name(settings.get("form_id") or re.sub(r"\.[A-Za-z]+$", "", filename) or "form")
    definition: dict[str, Any] = {"format": FORMAT, "name": name, "title": title, "languages": languages}
    if settings.get("jejak::consent_question"):
        definition["consent"] = {"question": jejak_name(settings["jejak::consent_question"]),
                                 "accept": settings.get("jejak::consent_accept", "yes")}
    if result.choice_lists:
        definition["choice_lists"] = result.choice_lists
    definition["pages"] = result.pages
    return ImportResult(definition, _ordered(issues))


def _formula_issues(sheets: dict) -> list[Issue]:
    """Formula cells are refused, except a settings 'version' computed by a formula (common
    in real forms, e.g. =TEXT(NOW(), ...)), which Jejak does not use anyway."""
    issues = []
    for name, sheet in sheets.items():
        for row, letter, index in sheet.formulas:
            header = sheet.header[index] if index < len(sheet.header) else ""
            where = f"{letter} ({header})" if header else letter
            if name.strip().lower() == "settings" and header.strip().lower() == "version":
                issues.append(Issue(NOTE, "the form version is a formula; Jejak numbers versions itself, so it is "
                                    "ignored", name, row, where))
            elif name.strip().lower() in KNOWN_SHEETS:
                issues.append(Issue(ERROR, N_("this cell holds a formula; XLSForms must hold plain values — copy the "
                                              "cells and paste them as values"), name, row, where))
    return issues


def _ordered(issues: list[Issue]) -> list[Issue]:
    rank = {ERROR: 0, UNSUPPORTED: 1, NOTE: 2}
    return sorted(issues, key=lambda i: (rank[i.kind], i.sheet or "", i.row or 0, i.column or ""))


def _choice_extra(table: Table) -> list[str]:
    return [c.key for c in table.columns if c.language is None]


def _settings(table: Table) -> dict[str, str]:
    if not table.rows():
        return {}
    _, cells = table.rows()[0]
    return {column.key: cells[column.index].strip() for column in table.columns
            if column.index < len(cells) and cells[column.index].strip()}


def _languages(survey: Table, choices: Table | None, setting: str | None, override: str | None) -> list[str]:
    """Language codes: the default language first, then the others in column order."""
    found = survey.languages()
    for lang in (choices.languages() if choices is not None else []):
        if lang not in found:
            found.append(lang)
    default = language_code(override) if override else None
    if default is None and setting:
        default = language_code(setting)
    has_plain = "label" in survey.plain or (choices is not None and "label" in choices.plain)
    if default is None:
        default = found[0] if found and not has_plain else "en"
    if default not in found and (has_plain or not found):
        found.insert(0, default)
    elif default in found:
        found.remove(default)
        found.insert(0, default)
    return found
