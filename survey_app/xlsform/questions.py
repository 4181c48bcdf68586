"""One survey row → Jejak question(s): types, texts, required, constraints, defaults, or_other.

A mixin of :class:`~survey_app.xlsform.survey.SurveyConverter` (it uses the converter's
table, texts, choice lists and issue list); kept apart so each module has one job.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from survey_app.xlsform.errors import ERROR, N_, NOTE, Issue
from survey_app.xlsform.rows import Row, and_, looks_like_expression
from survey_app.xlsform.xpath import Context

if TYPE_CHECKING:
    from survey_app.xlsform.table import Table
    from survey_app.xlsform.texts import Texts

APPEARANCES = {"horizontal": "horizontal", "horizontal-compact": "horizontal", "likert": "likert"}
YES = {"yes", "true", "true()", "1"}
NO = {"no", "false", "false()", "0", ""}
TIME_RE = "^([01]?[0-9]|2[0-3]):[0-5][0-9]$"
OTHER_LABELS = {"id": "Lainnya", "en": "Other"}
SPECIFY_LABELS = {"id": "Sebutkan yang lain.", "en": "Specify other."}
INVALID_MESSAGES = {"id": "Jawaban tidak sesuai.", "en": "This answer is not valid."}
TIME_MESSAGES = {"id": "Tulis jam sebagai JJ:MM, contoh 14:30.", "en": "Write the time as HH:MM, for example 14:30."}


class QuestionRows:
    """Builds the question dicts of one row (see the module docstring)."""

    if TYPE_CHECKING:  # provided by SurveyConverter, declared here for type checkers
        table: Table
        texts: Texts
        choice_lists: dict[str, list[dict]]
        rename: dict[str, str]

        def issue(self, kind: str, message: str, row: int | None = None, key: str | None = None,
                  header: str | None = None) -> Issue:
            raise NotImplementedError

        def cell(self, row: Row, key: str) -> str:
            raise NotImplementedError

        def _expression(self, row: Row, key: str, context: Context, source: str | None = None) -> str | None:
            raise NotImplementedError

    def _questions(self, row: Row, context: Context, relevant: str | None) -> list[dict]:
        kind = row.kind
        question: dict = {"name": row.jname}
        label = self.texts.of(self.table, row.number, row.cells, "label")
        hint = self.texts.of(self.table, row.number, row.cells, "hint")
        appearance = self.cell(row, "appearance").lower()
        read_only = self.cell(row, "read_only").lower() in YES
        calculation = self._expression(row, "calculation", context)
        extra: list[dict] = []
        if kind == "calculate" or (read_only and calculation and kind != "note"):
            if kind != "calculate":
                self.issue(NOTE, "a read-only question with a calculation is imported as a calculate (not shown)",
                           row.number, "read_only")
            if not calculation:
                self.issue(ERROR, N_("a calculate needs a calculation"), row.number, "calculation")
                return []
            question.update(type="calculate", calculation=calculation)
            if self.cell(row, "jejak::choices"):  # --- previous: Jejak's export names the codes' list
                question["choices"] = self.cell(row, "jejak::choices")
            if label:
                question["label"] = label
            if relevant:
                question["relevant"] = relevant
            return [question]
        if calculation and (kind == "note" or (read_only is False and kind != "calculate")):
            self.issue(NOTE, "the calculation of a question that is not a calculate is ignored (Jejak shows no "
                             "computed values in questions)", row.number, "calculation")
        if read_only and kind != "note":
            self.issue(NOTE, "a read-only question is shown as a note", row.number, "read_only")
            kind = "note"
        if kind == "text" and "multiline" in appearance:
            kind = "long_text"
        if kind == "date" and "month-year" in appearance:
            kind = "month_year"
        if row.raw_type.strip().lower() == "datetime":
            self.issue(NOTE, "dateTime is imported as a date (Jejak has no time of day)", row.number, "type")
        question["type"] = kind
        if label is None:
            if kind != "note" or not hint:
                self.issue(NOTE, "no label; the name is used as the label", row.number, "label")
            label = hint if kind == "note" and hint else self.texts.same(row.name)
            if kind == "note":
                hint = None
        if re.search(r"\$\{[^}]+\}", " ".join(label.values())):
            self.issue(NOTE, "the label shows answers with ${…}; Jejak shows the text as written", row.number, "label")
        question["label"] = label
        if hint:
            question["hint"] = hint
        if kind == "time":
            question["type"] = "text"
            question["max_length"] = 5
            question["constraint"] = f"regex(., '{TIME_RE}')"
            question["constraint_message"] = self._message(TIME_MESSAGES)
            self.issue(NOTE, "a time question is imported as text checked as HH:MM", row.number, "type")
        if kind == "acknowledge":
            question["type"] = "select_one"
            question["choices"] = self._acknowledge_list()
        if kind in ("select_one", "select_multiple"):
            list_name = row.list_name
            if not list_name:
                self.issue(ERROR, N_("'%(type)s' must name one choice list, e.g. 'select_one yes_no'",
                                     type=row.raw_type), row.number, "type")
                return []
            if list_name not in self.choice_lists:
                self.issue(ERROR, N_("choice list '%(list)s' is used here but not defined in the choices sheet",
                                     list=list_name),
                           row.number, "type")
                return []
            if row.or_other:
                list_name = self._with_other(list_name)
                extra.append(self._specify_other(row, relevant))
            if self.cell(row, "jejak::choices_from"):
                question["choices_from"] = self.cell(row, "jejak::choices_from")
            else:
                question["choices"] = list_name
            choice_filter = self._expression(row, "choice_filter", context)
            if choice_filter:
                question["choice_filter"] = choice_filter
        elif self.cell(row, "choice_filter"):
            self.issue(NOTE, "choice_filter only applies to select questions; ignored", row.number, "choice_filter")
        if kind == "range" or row.raw_type.strip().lower() == "range":
            self._range(row, question)
        self._appearance(row, question, appearance)
        if relevant:
            question["relevant"] = relevant
        self._required(row, question, kind)
        constraint = self._expression(row, "constraint", context)
        if constraint:
            if kind == "note":
                self.issue(NOTE, "a note takes no answer; its constraint is ignored", row.number, "constraint")
            elif "constraint" in question:
                question["constraint"] = f"({question['constraint']}) and ({constraint})"
            else:
                question["constraint"] = constraint
                message = self.texts.of(self.table, row.number, row.cells, "constraint_message")
                if message is None:
                    self.issue(NOTE, "no constraint_message; a general 'not valid' message is used", row.number,
                               "constraint")
                    message = self._message(INVALID_MESSAGES)
                question["constraint_message"] = message
        self._default(row, question, context, kind)
        self._jejak_columns(row, question)
        return [question, *extra]

    def _jejak_columns(self, row: Row, question: dict) -> None:
        """Keys only Jejak has, written by its own export into ``jejak::`` columns."""
        if self.cell(row, "jejak::sensitive").lower() in YES:
            question["sensitive"] = True
        if self.cell(row, "jejak::coding"):
            question["coding"] = self.cell(row, "jejak::coding")
        if self.cell(row, "jejak::max_length").isdigit():
            question["max_length"] = int(self.cell(row, "jejak::max_length"))
        target = self.cell(row, "jejak::each_of")
        if target:
            question["each_of"] = self.rename.get(target, target)
            item = "${" + row.jname + "_item}"
            question["label"] = {lang: text.replace(item, "{item}") for lang, text in question["label"].items()}

    def _message(self, by_language: dict[str, str]) -> dict[str, str]:
        return {lang: by_language.get(lang, by_language["en"]) for lang in self.texts.languages}

    def _required(self, row: Row, question: dict, kind: str) -> None:
        required = self.cell(row, "required").strip()
        if required.lower() in NO:
            if self.texts.of(self.table, row.number, row.cells, "required_message"):
                self.issue(NOTE, "required_message is ignored: the question is not required", row.number,
                           "required_message")
            return
        if kind == "note":
            self.issue(NOTE, "a note takes no answer; 'required' is ignored", row.number, "required")
            return
        if required.lower() not in YES:
            self.issue(NOTE, f"'required' is an expression ({required!r}); Jejak's 'required' is yes/no, so the "
                             "question is imported as not required", row.number, "required")
            return
        question["required"] = True
        message = self.texts.of(self.table, row.number, row.cells, "required_message")
        if message:
            question["required_message"] = message

    def _default(self, row: Row, question: dict, context: Context, kind: str) -> None:
        source = self.cell(row, "default")
        if not source:
            return
        if kind == "note":
            self.issue(NOTE, "a note takes no answer; its default is ignored", row.number, "default")
            return
        if looks_like_expression(source):
            translated = self._expression(row, "default", context)
            if translated:
                question["default"] = translated
            return
        question["default"] = source  # a literal: the engine checks it against the type and choices

    def _appearance(self, row: Row, question: dict, appearance: str) -> None:
        for word in appearance.split():
            if word in APPEARANCES and question["type"] in ("select_one", "select_multiple"):
                question["appearance"] = APPEARANCES[word]
            elif word in ("multiline", "month-year", "field-list"):
                continue
            else:
                self.issue(NOTE, f"appearance '{word}' has no Jejak equivalent; ignored", row.number, "appearance")

    def _range(self, row: Row, question: dict) -> None:
        params = dict(re.findall(r"(\w+)\s*=\s*([-\d.]+)", self.cell(row, "parameters")))
        start, end = params.get("start", "1"), params.get("end", "10")
        if "." in start + end + params.get("step", ""):
            question["type"] = "decimal"
        else:
            question["type"] = "integer"
        question["constraint"] = f". >= {start} and . <= {end}"
        question["constraint_message"] = self._message(
            {"id": f"Isi angka dari {start} sampai {end}.", "en": f"Enter a number from {start} to {end}."})
        self.issue(NOTE, f"range is imported as a number from {start} to {end}", row.number, "type")

    def _acknowledge_list(self) -> str:
        if "acknowledge_ok" not in self.choice_lists:
            self.choice_lists["acknowledge_ok"] = [{"name": "OK", "label": self.texts.same("OK")}]
        return "acknowledge_ok"

    def _with_other(self, list_name: str) -> str:
        name = f"{list_name}_or_other"
        if name not in self.choice_lists:
            base = self.choice_lists[list_name]
            if any(c["name"] == "other" for c in base):
                self.choice_lists[name] = list(base)
            else:
                self.choice_lists[name] = [*base, {"name": "other", "label": self._message(OTHER_LABELS)}]
        return name

    def _specify_other(self, row: Row, relevant: str | None) -> dict:
        name = f"{row.jname}_other"
        self.issue(NOTE, f"or_other: an 'other' choice and a text question '{name}' are added", row.number, "type")
        shown = f"selected(${{{row.jname}}}, 'other')"
        return {"name": name, "type": "text", "label": self._message(SPECIFY_LABELS), "required": True,
                "relevant": and_([relevant, shown]) if relevant else shown}
