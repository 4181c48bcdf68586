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
from dataclasses import dataclass
from typing import Any

from survey_app.questionnaire.expressions import ExpressionError, compile_regex, parse
from survey_app.xlsform import types as xtypes
from survey_app.xlsform.errors import ERROR, N_, NOTE, UNSUPPORTED, Issue
from survey_app.xlsform.questions import YES, QuestionRows
from survey_app.xlsform.rows import Row, and_, jejak_name, looks_like_expression
from survey_app.xlsform.table import Table
from survey_app.xlsform.texts import Texts
from survey_app.xlsform.xpath import Context, Translation, translate

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
# Questions outside any group are shown LOOSE_PAGE_SIZE to a page (ODK shows them one per
# screen; one long page would be hard to use on a phone, one page each too slow to click through).
LOOSE_PAGE_SIZE = 10
EXPRESSION_KEYS = ("relevant", "constraint", "calculation", "choice_filter", "repeat_count", "default")
# Typographic quotes that spreadsheets and word processors put in for ' and ". pyxform replaces
# them in every cell unless the settings say `clean_text_values: no`; we do so in expressions
# (labels keep them: there they are text, and correct).
SMART_QUOTES = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}
# Columns the survey conversion reads (everything else gets an "ignored" note).
USED_KEYS = {
    "type", "name", "label", "hint", "required", "required_message", "relevant", "constraint",
    "constraint_message", "calculation", "choice_filter", "appearance", "default", "read_only",
    "repeat_count", "parameters",
    # Written by Jejak's own export (writer.py) so a round trip keeps what XLSForm cannot say.
    "jejak::sensitive", "jejak::coding", "jejak::max_length", "jejak::choices_from", "jejak::each_of",
    "jejak::role", "jejak::repeat_max", "jejak::choices",  # --- previous: a calculate's choice list
}


@dataclass
class SurveyResult:
    pages: list[dict]
    choice_lists: dict[str, list[dict]]
    issues: list[Issue]


class SurveyConverter(QuestionRows):
    """Converts one survey table (see the module docstring for the passes)."""

    def __init__(self, table: Table, choice_lists: dict[str, list[dict]], texts: Texts, title: dict[str, str],
                 skip_unsupported: bool, repeat_max: int, renamed_choices: dict[str, str] | None = None,
                 clean_quotes: bool = True):
        self.table = table
        self.clean_quotes = clean_quotes
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
            if self.clean_quotes:
                self._replace_smart_quotes(number, cells)
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
                row.unsupported.append(Issue(UNSUPPORTED, N_("type '%(type)s': %(reason)s", type=raw_type,
                                                             reason=reason),
                                             self.table.name, number, self.table.header_of("type")))
            if kind in ("begin_group", "begin_repeat", "begin_transparent") or kind == "unsupported:begin loop":
                if kind == "begin_repeat" and any(r.kind == "begin_repeat" for r in stack):
                    row.unsupported.append(Issue(UNSUPPORTED, N_("a repeat inside a repeat: Jejak supports one "
                                                                 "level of repeats"),
                                                 self.table.name, number, self.table.header_of("type")))
                stack.append(row)
            self.rows.append(row)
        for row in stack:
            self.issue(ERROR, N_("'%(type)s' named '%(name)s' is never closed (missing '%(end)s')", type=row.raw_type,
                                 name=row.name, end="end repeat" if row.kind == "begin_repeat" else "end group"),
                       row.number, "type")

    def _replace_smart_quotes(self, number: int, cells: list[str]) -> None:
        """Typographic quotes in expression cells become plain ones, as pyxform does (a note each)."""
        for key in (*EXPRESSION_KEYS, "required"):
            column = self.table.plain.get(key)
            if column is None or column.index >= len(cells):
                continue
            value = cells[column.index]
            cleaned = "".join(SMART_QUOTES.get(char, char) for char in value)
            if cleaned != value:
                cells[column.index] = cleaned
                self.issue(NOTE, "typographic quotes (‘ ’ “ ”) are read as plain ' and \" (as pyxform does; "
                                 "settings 'clean_text_values: no' turns this off)", number, key)

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
        references: list[tuple[Row, str, set[str]]] = []  # (row, key, Jejak names it refers to)
        for row in self.rows:
            if row.kind == "end":
                continue
            here = dataclasses.replace(context, resolve_path=self._resolver(row, self.dropped))
            for key in EXPRESSION_KEYS:
                source = self.cell(row, key)
                if not source or (key == "default" and not looks_like_expression(source)):
                    continue
                result = translate(source, here)
                ignored = key == "calculation" and not self._is_calculated(row)
                if not ignored:  # an ignored calculation may read later questions: it is never evaluated
                    references.append((row, key, result.references))
                for message in result.unsupported:
                    if ignored:  # the cell is ignored anyway (questions.py); the question stays
                        message = N_("%(reason)s; the question is not a calculate, so Jejak ignores this "
                                     "calculation (in ODK, a dynamic default) and keeps the question", reason=message)
                    row.unsupported.append(Issue(UNSUPPORTED, message, self.table.name, row.number,
                                                 self.table.header_of(key)))
            if row.kind in ("select_one", "select_multiple") and row.list_name \
                    and row.list_name not in self.choice_lists and not self.cell(row, "jejak::choices_from"):
                # The form is incomplete (pyxform refuses it too), e.g. a fragment meant to be merged
                # with a shared choices sheet; --skip-unsupported leaves the question out and imports the rest.
                row.unsupported.append(Issue(UNSUPPORTED, N_("choice list '%(list)s' is used here but not defined in "
                                                             "the choices sheet (pyxform refuses this too); "
                                                             "--skip-unsupported leaves the question out",
                                                             list=row.list_name),
                                             self.table.name, row.number, self.table.header_of("type")))
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
        self._drop_forward_references(references)
        if self.skip:
            for row in self.rows:
                if row.dropped and row.kind != "end":
                    self.issue(NOTE, f"'{row.name}' is left out (--skip-unsupported)", row.number, "name")

    def _is_calculated(self, row: Row) -> bool:
        """Whether the row's calculation is used: a calculate, or a read-only question (see questions.py)."""
        read_only = self.cell(row, "read_only").lower() in YES
        return row.kind == "calculate" or (read_only and row.kind != "note")

    def _drop_forward_references(self, references: list[tuple[Row, str, set[str]]]) -> None:
        """Report expressions that read a question further down the form (XLSForm allows it).

        Jejak evaluates in form order, so such a question is unsupported; with --skip-unsupported
        it is left out and whatever refers to it reads '' (with a note), like any dropped question.
        Rows are judged last to first: whether a later question stays is then already known, so a
        question is never dropped for pointing at one that is itself left out.
        """
        position = {row.jname: index for index, row in enumerate(self.rows) if row.jname and row.kind != "end"}
        by_jname = {row.jname: row for row in self.rows if row.jname and row.kind != "end"}
        found: list[Issue] = []
        for row, key, refs in reversed(references):
            if row.dropped or key == "constraint":  # a constraint may compare with a later answer
                continue
            here = position.get(row.jname)
            later = sorted((position[ref], ref) for ref in refs
                           if ref in position and here is not None and position[ref] > here
                           and not by_jname[ref].dropped and not _inside(row, by_jname[ref]))
            if not later:
                continue
            target = by_jname[later[0][1]]
            issue = Issue(UNSUPPORTED, N_("refers to %(ref)s (row %(row)d), which comes later in the form; Jejak "
                                          "evaluates questions in form order, so a question can only use earlier "
                                          "ones", ref="${" + target.name + "}", row=target.number),
                          self.table.name, row.number, self.table.header_of(key))
            row.unsupported.append(issue)
            found.append(issue)
            row.dropped = True
            self.dropped.add(row.name)
            for child in self.rows:  # a group's questions go with it
                if child.kind != "end" and not child.dropped and _inside(child, row):
                    child.dropped = True
                    self.dropped.add(child.name)
        self.issues.extend(reversed(found))  # in row order, like every other issue

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
            return and_(parts)

        def page_level_relevance() -> str | None:
            return and_([rel for (_, rel, page_level) in stack if rel and page_level])

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
                                       and_([page_level_relevance(), inherited_relevance(), relevant]), row.number)
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
                                   and_([page_level_relevance(), inherited_relevance(), relevant]), row.number, repeat)
                stack.append((row, None, True))
                continue
            if current is not None and not stack and len(current["questions"]) >= LOOSE_PAGE_SIZE:
                current = None  # questions outside groups: a new page every LOOSE_PAGE_SIZE questions
            if current is None:
                if stack:  # continuing a group after a repeat closed
                    opened = stack[-1][0]
                    label = self.texts.of(self.table, opened.number, opened.cells, "label")
                    current = new_page(opened.name, label or self._title_from(opened.name),
                                       and_([page_level_relevance(), inherited_relevance()]), row.number)
                else:
                    current = new_page(f"page_{len(pages) + 1}", dict(self.title), None, row.number)
            for question in self._questions(row, context, and_([inherited_relevance(), relevant])):
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
            self.issue(ERROR, N_("cannot translate the expression %(source)r: %(error)s", source=source,
                                 error=str(error)), row.number, key)
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


def _inside(row: Row, group: Row) -> bool:
    """Whether ``row`` sits inside the group or repeat ``group`` (at any depth)."""
    node = row.parent
    while node is not None:
        if node is group:
            return True
        node = node.parent
    return False


def _keeps_question(issue: Issue) -> bool:
    """Unsupported items that drop only a cell (media, save_to), not the whole question."""
    template = getattr(issue.message, "template", issue.message)
    return template.startswith(("media (", "saving to an entity", "%(reason)s; the question is not a calculate"))
