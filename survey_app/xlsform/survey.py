"""The ``survey`` sheet → Jejak pages and questions.

Pages: a top-level group (field-list or not) is a page; nested groups are flattened into it
(their relevance joins each question's, their label becomes a note); a repeat is a page with
``repeat:``; questions outside any group are gathered into pages between groups.

Three passes keep "nothing dropped silently" simple: (1) read every row and decide what it
is; (2) translate every expression once to learn which questions are unsupported; (3) build
pages with the final set of dropped questions, so every reference to a dropped question is
replaced by ``''`` and reported.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from survey_app.questionnaire.expressions import ExpressionError, compile_regex, parse
from survey_app.xlsform import types as xtypes
from survey_app.xlsform.errors import ERROR, N_, NOTE, UNSUPPORTED, Issue
from survey_app.xlsform.table import Table
from survey_app.xlsform.texts import Texts
from survey_app.xlsform.xpath import Context, Translation, translate

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
EXPRESSION_KEYS = ("relevant", "constraint", "calculation", "choice_filter", "repeat_count", "default")
# Columns the survey conversion reads (everything else gets an "ignored" note).
USED_KEYS = {
    "type", "name", "label", "hint", "required", "required_message", "relevant", "constraint",
    "constraint_message", "calculation", "choice_filter", "appearance", "default", "read_only",
    "repeat_count", "parameters",
    # Written by Jejak's own export (writer.py) so a round trip keeps what XLSForm cannot say.
    "jejak::sensitive", "jejak::coding", "jejak::max_length", "jejak::choices_from", "jejak::each_of",
    "jejak::role", "jejak::repeat_max",
}
APPEARANCES = {"horizontal": "horizontal", "horizontal-compact": "horizontal", "likert": "likert"}
YES = {"yes", "true", "true()", "1"}
NO = {"no", "false", "false()", "0", ""}
TIME_RE = "^([01]?[0-9]|2[0-3]):[0-5][0-9]$"
OTHER_LABELS = {"id": "Lainnya", "en": "Other"}
SPECIFY_LABELS = {"id": "Sebutkan yang lain.", "en": "Specify other."}
INVALID_MESSAGES = {"id": "Jawaban tidak sesuai.", "en": "This answer is not valid."}
TIME_MESSAGES = {"id": "Tulis jam sebagai JJ:MM, contoh 14:30.", "en": "Write the time as HH:MM, for example 14:30."}


def jejak_name(name: str) -> str:
    """An XLSForm name as a Jejak identifier: lower case, other characters as ``_``."""
    cleaned = re.sub(r"[^a-z0-9_]", "_", name.strip().lower())
    if not cleaned or not cleaned[0].isalpha():
        cleaned = "q_" + cleaned
    return cleaned[:63]


@dataclass
class Row:
    """One survey row, read and classified."""

    number: int
    cells: list[str]
    raw_type: str
    kind: str  # Jejak type, control word, "metadata", "unsupported:<type>" or "unknown"
    name: str = ""
    jname: str = ""
    list_name: str | None = None
    or_other: bool = False
    unsupported: list[Issue] = field(default_factory=list)
    parent: Row | None = None  # the enclosing begin group/repeat row
    dropped: bool = False


@dataclass
class SurveyResult:
    pages: list[dict]
    choice_lists: dict[str, list[dict]]
    issues: list[Issue]


class SurveyConverter:
    """Converts one survey table (see the module docstring for the passes)."""

    def __init__(self, table: Table, choice_lists: dict[str, list[dict]], texts: Texts, title: dict[str, str],
                 skip_unsupported: bool, repeat_max: int, renamed_choices: dict[str, str] | None = None):
        self.table = table
        self.choice_lists = {k: list(v) for k, v in choice_lists.items()}
        self.texts = texts
        self.title = title
        self.skip = skip_unsupported
        self.repeat_max = repeat_max
        self.issues: list[Issue] = []
        self.rows: list[Row] = []
        self.by_name: dict[str, Row] = {}
        self.rename: dict[str, str] = {}
        self.dropped: set[str] = set()
        self.metadata: dict[str, str] = {}
        self.renamed_choices = renamed_choices or {}
        self.extra_names: set[str] = set()  # Jejak names given to repeated XLSForm names
        self.paths: dict[tuple[str, ...], Row] = {}  # XLSForm node path → row (for ../x paths)

    # -- helpers ----------------------------------------------------------------------------
    def issue(self, kind: str, message: str, row: int | None = None, key: str | None = None,
              header: str | None = None) -> Issue:
        item = Issue(kind, message, self.table.name, row, header or (self.table.header_of(key) if key else None))
        self.issues.append(item)
        return item

    def cell(self, row: Row, key: str) -> str:
        return self.table.get(row.cells, key)

    # -- pass 1: rows ---------------------------------------------------------------------------
    def read_rows(self) -> None:
        if "type" not in self.table.plain:
            self.issue(ERROR, N_("the survey sheet has no '%(column)s' column", column="type"), 1)
            return
        if "name" not in self.table.plain:
            self.issue(ERROR, N_("the survey sheet has no '%(column)s' column", column="name"), 1)
            return
        stack: list[Row] = []
        for number, cells in self.table.rows():
            raw_type = self.table.get(cells, "type")
            if not raw_type:
                if any(cells[c.index].strip() for c in self.table.columns
                       if c.key in ("name", "label") and c.index < len(cells)):
                    self.issue(ERROR, N_("this row has a name or label but no type"), number, "type")
                continue
            role = self.table.get(cells, "jejak::role")
            if role in ("each_of_item", "prefill_note"):
                continue  # rows Jejak's export generates; the question itself carries the meaning
            kind, list_name, or_other = xtypes.normalise_type(raw_type)
            if role == "each_of" and kind == "begin_repeat":
                kind = "begin_transparent"
            if raw_type.strip().lower() == "phone number":
                kind = "text"
                self.issue(NOTE, "'phone number' is imported as a text question", number, "type")
            if raw_type.strip().lower().startswith("begin loop"):
                kind = "unsupported:begin loop"
            if raw_type.strip().lower() == "end loop":
                kind = "end_repeat"
            row = Row(number, cells, raw_type, kind, name=self.table.get(cells, "name"), list_name=list_name,
                      or_other=or_other, parent=stack[-1] if stack else None)
            if kind in ("end_group", "end_repeat"):
                self._close(row, stack)
                continue
            if kind == "unknown":
                self.issue(ERROR, N_("unknown question type '%(type)s'", type=raw_type), number, "type")
                continue
            if not row.name and kind == "note":
                row.name = f"note_row{number}"
                self.issue(NOTE, f"a note without a name is called '{row.name}'", number, "name")
            if not row.name:
                self.issue(ERROR, N_("this row needs a name"), number, "name")
                continue
            self.paths.setdefault(_path(row), row)
            if kind == "metadata":
                self.issue(NOTE, f"'{raw_type}' is device metadata; Jejak records its own timestamps, so it is "
                                 "left out", number, "type")
                self.metadata[row.name] = "today()" if raw_type.strip().lower() == "today" else "''"
                continue
            self._register(row)
            if kind.startswith("unsupported:"):
                reason = xtypes.UNSUPPORTED.get(kind.split(":", 1)[1], N_("not supported"))
                row.unsupported.append(Issue(UNSUPPORTED, N_("type '%(type)s': %(reason)s", type=raw_type, reason=reason),
                                             self.table.name, number,
                                             self.table.header_of("type")))
            if kind in ("begin_group", "begin_repeat", "begin_transparent") or kind == "unsupported:begin loop":
                if kind == "begin_repeat" and any(r.kind == "begin_repeat" for r in stack):
                    row.unsupported.append(Issue(UNSUPPORTED, N_("a repeat inside a repeat: Jejak supports one level "
                                                    "of repeats"), self.table.name, number, self.table.header_of("type")))
                stack.append(row)
            self.rows.append(row)
        for row in stack:
            self.issue(ERROR, N_("'%(type)s' named '%(name)s' is never closed (missing '%(end)s')", type=row.raw_type,
                                 name=row.name, end="end repeat" if row.kind == "begin_repeat" else "end group"),
                       row.number, "type")

    def _close(self, row: Row, stack: list[Row]) -> None:
        wanted = "begin_repeat" if row.kind == "end_repeat" else "begin_group"
        if not stack:
            self.issue(ERROR, N_("'%(type)s' without a matching begin", type=row.raw_type), row.number, "type")
            return
        opened = stack[-1]
        opened_kind = ("begin_repeat" if opened.kind in ("begin_repeat", "unsupported:begin loop", "begin_transparent")
                       else "begin_group")
        if opened_kind != wanted:
            self.issue(ERROR, N_("'%(type)s' closes '%(opened)s' named '%(name)s' (row %(row)d): groups and repeats "
                                 "must be closed in order", type=row.raw_type, opened=opened.raw_type, name=opened.name,
                                 row=opened.number), row.number, "type")
        stack.pop()
        self.rows.append(Row(row.number, row.cells, row.raw_type, "end", parent=opened))

    def _register(self, row: Row) -> None:
        jname = jejak_name(row.name)
        if row.name in self.by_name:
            first = self.by_name[row.name]
            if first.parent is row.parent:
                self.issue(ERROR, N_("the name '%(name)s' is used twice (first on row %(row)d); names must be unique",
                                     name=row.name, row=first.number), row.number, "name")
                return
            # XLSForm allows the same name in different groups; Jejak names are global.
            prefix = row.parent.name if row.parent is not None else "form"
            jname = jejak_name(f"{prefix}_{row.name}")
            if any(r.jname == jname for r in self.by_name.values()) or jname in self.extra_names:
                self.issue(ERROR, N_("the name '%(name)s' is used twice (first on row %(row)d) and '%(new)s' is taken "
                                     "too; rename one", name=row.name, row=first.number, new=jname), row.number, "name")
                return
            self.issue(NOTE, f"'{row.name}' is also used on row {first.number}; this one becomes '{jname}' "
                             f"(${{{row.name}}} still means row {first.number})", row.number, "name")
            row.jname = jname
            self.extra_names.add(jname)
            return
        clash = next((r for r in self.by_name.values() if r.jname == jname), None)
        if clash is not None:
            self.issue(ERROR, N_("the names '%(first)s' (row %(row)d) and '%(name)s' both become '%(new)s' in Jejak "
                                 "(lower case, letters, digits and _); rename one", first=clash.name, row=clash.number,
                                 name=row.name, new=jname), row.number, "name")
            return
        if jname != row.name:
            self.issue(NOTE, f"name '{row.name}' becomes '{jname}' (Jejak names are lower case with _)",
                       row.number, "name")
        row.jname = jname
        self.by_name[row.name] = row
        self.rename[row.name] = jname

    # -- pass 2: what is unsupported --------------------------------------------------------------
    def find_unsupported(self) -> None:
        context = self._context()
        for row in self.rows:
            if row.kind == "end":
                continue
            here = dataclasses.replace(context, resolve_path=self._resolver(row, self.dropped))
            for key in EXPRESSION_KEYS:
                source = self.cell(row, key)
                if not source or (key == "default" and not _looks_like_expression(source)):
                    continue
                result = translate(source, here)
                for message in result.unsupported:
                    row.unsupported.append(Issue(UNSUPPORTED, message, self.table.name, row.number,
                                                 self.table.header_of(key)))
            row.unsupported.extend(self.table.media_issues(row.number, row.cells, f"'{row.name}'"))
            save_to = self.table.plain.get("save_to")
            if save_to is not None and self.cell(row, "save_to"):
                row.unsupported.append(Issue(UNSUPPORTED, N_("saving to an entity (save_to) is not supported; with "
                                                "--skip-unsupported only save_to is left out"), self.table.name,
                                             row.number, save_to.header))
        for row in self.rows:
            if row.kind == "end":
                continue
            self.issues.extend(row.unsupported)
            blocking = [i for i in row.unsupported if not _keeps_question(i)]
            if blocking or (row.parent is not None and row.parent.dropped):
                row.dropped = True
                self.dropped.add(row.name)
        if self.skip:
            for row in self.rows:
                if row.dropped and row.kind != "end":
                    self.issue(NOTE, f"'{row.name}' is left out (--skip-unsupported)", row.number, "name")

    def _resolver(self, here: Row | None, dropped: set[str]):
        def resolve(steps: list[str], absolute: bool):
            if absolute:
                path = list(steps[1:])  # the first step is the form's root element
            else:
                path = list(_path(here)) if here is not None else []
                for step in steps:
                    if step == "..":
                        if not path:
                            return None
                        path.pop()
                    elif step != ".":
                        path.append(step)
            target = self.paths.get(tuple(path))
            if target is None:
                return None
            if target.kind == "metadata":
                return ("metadata", "today()" if target.raw_type.strip().lower() == "today" else "''")
            if target.dropped or target.name in dropped and not target.jname:
                return ("dropped", target.name)
            if not target.jname:
                return None
            return ("ref", target.jname)
        return resolve

    def _context(self) -> Context:
        def labels(name: str):
            target = self.by_name.get(name)
            if target is None or target.list_name not in self.choice_lists:
                return None
            first = self.texts.languages[0]
            return [(c["name"], c["label"][first]) for c in self.choice_lists[target.list_name]]

        rename = {name: jname for name, jname in self.rename.items()}
        return Context(rename=rename, dropped=set(self.dropped), choice_labels=labels, metadata=self.metadata,
                       literals=self.renamed_choices)

    # -- pass 3: pages ------------------------------------------------------------------------------
    def build_pages(self) -> list[dict]:
        context = self._context()
        pages: list[dict] = []
        page_names: set[str] = set()
        current: dict | None = None
        # Stack of (row, relevant-expression text or None, is_page_level)
        stack: list[tuple[Row, str | None, bool]] = []

        def new_page(name: str, title: dict, relevant: str | None, line: int, repeat: dict | None = None) -> dict:
            base = jejak_name(name)
            unique, counter = base, 2
            while unique in page_names:
                unique, counter = f"{base}_{counter}", counter + 1
            page_names.add(unique)
            page: dict[str, Any] = {"name": unique, "title": title}
            if relevant:
                page["relevant"] = relevant
            if repeat is not None:
                page["repeat"] = repeat
            page["questions"] = []
            page["_row"] = line
            pages.append(page)
            return page

        def inherited_relevance() -> str | None:
            parts = [rel for (_, rel, page_level) in stack if rel and not page_level]
            return _and(parts)

        def page_level_relevance() -> str | None:
            return _and([rel for (_, rel, page_level) in stack if rel and page_level])

        for row in self.rows:
            if row.kind == "end":
                opened, _, page_level = stack.pop()
                if opened.kind == "begin_repeat" or page_level:
                    current = None
                continue
            if row.dropped:
                if row.kind in ("begin_group", "begin_repeat", "unsupported:begin loop", "begin_transparent"):
                    stack.append((row, None, False))
                continue
            relevant = self._expression(row, "relevant", context)
            if row.kind == "begin_transparent":
                stack.append((row, relevant, False))
                continue
            if row.kind == "begin_group":
                label = self.texts.of(self.table, row.number, row.cells, "label")
                if not stack:
                    current = new_page(row.name, label or self._title_from(row.name), relevant, row.number)
                    stack.append((row, relevant, True))
                    continue
                if current is None:
                    current = new_page(row.name, label or self._title_from(row.name),
                                       _and([page_level_relevance(), inherited_relevance(), relevant]), row.number)
                    stack.append((row, relevant, True))
                    continue
                stack.append((row, relevant, False))
                if label:
                    note: dict[str, Any] = {"name": row.jname, "type": "note", "label": label}
                    if inherited_relevance():
                        note["relevant"] = inherited_relevance()
                    current["questions"].append(note)
                else:
                    self.issue(NOTE, f"group '{row.name}' is merged into its page", row.number, "type")
                continue
            if row.kind == "begin_repeat":
                label = self.texts.of(self.table, row.number, row.cells, "label") or self._title_from(row.name)
                if stack:
                    current = None
                repeat = self._repeat(row, context)
                title = {lang: f"{text} ({{n}})" for lang, text in label.items()}
                current = new_page(row.jname, title,
                                   _and([page_level_relevance(), inherited_relevance(), relevant]), row.number, repeat)
                stack.append((row, None, True))
                continue
            if current is None:
                if stack:  # continuing a group after a repeat closed
                    opened = stack[-1][0]
                    label = self.texts.of(self.table, opened.number, opened.cells, "label")
                    current = new_page(opened.name, label or self._title_from(opened.name),
                                       _and([page_level_relevance(), inherited_relevance()]), row.number)
                else:
                    current = new_page(f"page_{len(pages) + 1}", dict(self.title), None, row.number)
            for question in self._questions(row, context, _and([inherited_relevance(), relevant])):
                current["questions"].append(question)
        result = []
        for page in pages:
            line = page.pop("_row")
            if not page["questions"]:
                self.issue(NOTE, f"page '{page['name']}' has no questions left and is left out", line)
                continue
            result.append(page)
        return result

    def _title_from(self, name: str) -> dict[str, str]:
        return self.texts.same(name.replace("_", " ").strip().capitalize() or name)

    def _expression(self, row: Row, key: str, context: Context, source: str | None = None) -> str | None:
        source = self.cell(row, key) if source is None else source
        if not source:
            return None
        context = dataclasses.replace(context, resolve_path=self._resolver(row, context.dropped))
        if key == "choice_filter":
            columns = {k for c in self.choice_lists.get(row.list_name or "", []) for k in c}
            context = dataclasses.replace(context, attributes=(columns - {"label"}) | {"name"})
        result: Translation = translate(source, context)
        for message in result.unknown:
            self.issue(ERROR, message, row.number, key)
        for message in result.notes:
            self.issue(NOTE, message, row.number, key)
        if result.unsupported or result.unknown:
            return None
        try:
            parse(result.text)
        except ExpressionError as error:
            self.issue(ERROR, N_("cannot translate the expression %(source)r: %(error)s", source=source, error=str(error)),
                       row.number, key)
            return None
        self._check_regex(result.text, row, key)
        return result.text

    def _check_regex(self, text: str, row: Row, key: str) -> None:
        for match in re.finditer(r"regex\([^,]*,\s*('([^']*)'|\"([^\"]*)\")\s*\)", text):
            pattern = match.group(2) if match.group(2) is not None else match.group(3)
            if compile_regex(pattern) is None:
                self.issue(ERROR, N_("the regular expression %(pattern)r is not valid (or longer than 500 characters)",
                                     pattern=pattern), row.number, key)

    def _repeat(self, row: Row, context: Context) -> dict:
        count = self._expression(row, "repeat_count", context)
        repeat: dict = {}
        if count:
            if re.fullmatch(r"\d+", count):
                repeat["count"] = count
                repeat["max"] = max(1, min(int(count), 50))
            elif self.cell(row, "jejak::repeat_max").isdigit():
                repeat["count"] = count
                repeat["max"] = int(self.cell(row, "jejak::repeat_max"))
            else:
                repeat["count"] = count
                repeat["max"] = self.repeat_max
                self.issue(NOTE, f"repeat '{row.name}' is limited to {self.repeat_max} instances (Jejak needs an "
                                 "upper bound)", row.number, "repeat_count")
        elif self.cell(row, "jejak::repeat_max").isdigit():
            repeat["max"] = int(self.cell(row, "jejak::repeat_max"))
        else:
            repeat["max"] = self.repeat_max
            self.issue(NOTE, f"repeat '{row.name}' has no repeat_count: respondents add instances ('add "
                             f"another'), at most {self.repeat_max}", row.number, "type")
        return repeat

    # -- questions ---------------------------------------------------------------------------------
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
                self.issue(ERROR, N_("'%(type)s' must name one choice list, e.g. 'select_one yes_no'", type=row.raw_type),
                           row.number, "type")
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
        if _looks_like_expression(source):
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
                "relevant": _and([relevant, shown]) if relevant else shown}

    def convert(self) -> SurveyResult:
        self.read_rows()
        if any(i.kind == ERROR for i in self.issues):
            return SurveyResult([], self.choice_lists, self.issues)
        self.find_unsupported()
        pages = self.build_pages()
        self.issues.extend(self.table.unused_column_notes(USED_KEYS | {"save_to"}))
        used_lists = {q.get("choices") for p in pages for q in p["questions"]}
        lists = {k: v for k, v in self.choice_lists.items() if k in used_lists}
        return SurveyResult(pages, lists, self.issues)


def _path(row: Row) -> tuple[str, ...]:
    """The XLSForm node path of a row: the names of its groups, then its own name."""
    names = []
    node: Row | None = row
    while node is not None:
        names.append(node.name)
        node = node.parent
    return tuple(reversed(names))


def _keeps_question(issue: Issue) -> bool:
    """Unsupported items that drop only a cell (media, save_to), not the whole question."""
    template = getattr(issue.message, "template", issue.message)
    return template.startswith(("media (", "saving to an entity"))


def _looks_like_expression(text: str) -> bool:
    return "${" in text or "(" in text


def _and(parts: Sequence[str | None]) -> str | None:
    kept = [p for p in parts if p]
    if not kept:
        return None
    if len(kept) == 1:
        return kept[0]
    return " and ".join(f"({p})" for p in kept)
