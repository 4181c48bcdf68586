"""Compile a definition (YAML text or parsed data) into a validated :class:`Questionnaire`.

All problems are collected, not just the first, so an author can fix a file in one pass.
"""
from __future__ import annotations

import re
from typing import Any

from survey_app.questionnaire.definition import (
    DEFAULT_MAX_LENGTH,
    DYNAMIC_CHOICE_SOURCES,
    QUESTION_TYPES,
    REPEAT_HARD_MAX,
    SELECT_TYPES,
    Choice,
    Consent,
    Page,
    Question,
    Questionnaire,
    Repeat,
    Text,
)
from survey_app.questionnaire.errors import DefinitionError, Problem
from survey_app.questionnaire.expressions import Expression, ExpressionError, parse
from survey_app.questionnaire.yaml_source import LineDict, load_yaml

FORMAT = "jejak-questionnaire/1"
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
TOP_KEYS = {"format", "name", "title", "languages", "consent", "choice_lists", "pages"}
PAGE_KEYS = {"name", "title", "relevant", "questions", "repeat"}
REPEAT_KEYS = {"count", "max", "add_label"}
QUESTION_KEYS = {
    "name", "type", "label", "hint", "required", "required_message", "relevant", "constraint",
    "constraint_message", "choices", "choices_from", "choice_filter", "each_of", "max_length",
    "appearance", "sensitive", "coding", "calculation", "default",
}
# Keys that do not apply to a calculate (it is never shown or asked).
# A calculate may name a choice list (``choices``): its values are then codes with labels
# for exports and the codebook (e.g. the five-way tracer_status).
NOT_FOR_CALCULATE = ("required", "required_message", "constraint", "constraint_message", "hint",
                     "choices_from", "choice_filter", "each_of", "max_length", "appearance", "default")
# Free-text answers the analysis codes into a classification (see survey_app/sectors/).
CODINGS = {"kbli"}
APPEARANCES = {"horizontal", "likert"}
# Keys a choice filter may read on the dynamic roster list.
DYNAMIC_CHOICE_KEYS = {"roster_trainings": {"name", "category"}}


def build_from_text(text: str) -> Questionnaire:
    """Parse and validate YAML ``text``; raises :class:`DefinitionError` listing every problem."""
    return build(load_yaml(text))


def check_text(text: str) -> list[Problem]:
    """Return the problems of a definition (empty list when it is valid)."""
    try:
        build_from_text(text)
    except DefinitionError as error:
        return error.problems
    return []


def build(data: Any) -> Questionnaire:
    """Validate parsed definition ``data``; raises :class:`DefinitionError`."""
    try:
        return _Builder(data).build()
    except RecursionError:
        # Security: limits in yaml_source and expressions keep real input far from this.
        raise DefinitionError([Problem("the definition is nested too deeply")]) from None


def _line(obj: Any, key: str | None = None) -> int | None:
    if isinstance(obj, LineDict):
        return obj.line_of(key) if key else obj.line
    return None


class _Builder:
    def __init__(self, data: Any):
        self.data = data
        self.problems: list[Problem] = []
        self.languages: tuple[str, ...] = ()
        self.repeats: dict[str, Page] = {}

    def problem(self, message: str, line: int | None = None, question: str | None = None) -> None:
        self.problems.append(Problem(message, line, question))

    # -- top level ---------------------------------------------------------------------
    def build(self) -> Questionnaire:
        data = self.data
        if not isinstance(data, dict):
            raise DefinitionError([Problem("the file must be a YAML mapping with 'format', 'name' and 'pages'")])
        for key in sorted(set(data) - TOP_KEYS):
            self.problem(f"unknown top-level key '{key}' (allowed: {', '.join(sorted(TOP_KEYS))})", _line(data, key))
        if data.get("format") != FORMAT:
            self.problem(f"'format' must be '{FORMAT}'", _line(data, "format"))
        name = data.get("name")
        if not isinstance(name, str) or not NAME_RE.match(name):
            self.problem("'name' must be an identifier like 'tracer_2024' (lower case, digits, _)",
                         _line(data, "name"))
        self.languages = self._languages(data)
        title = self.text(data.get("title"), _line(data, "title"), None, "title", required=True)
        choice_lists = self._choice_lists(data.get("choice_lists", {}))
        pages = self._pages(data.get("pages"), choice_lists)
        questions = {q.name: q for page in pages for q in page.questions}
        consent = self._consent(data.get("consent"), pages, questions)
        self._check_references(pages, questions)
        if self.problems:
            raise DefinitionError(self.problems)
        count_sources = {page.repeat.count.tree[1]: page.repeat.max for page in pages
                         if page.repeat is not None and page.repeat.count is not None
                         and page.repeat.count.tree[0] == "ref"}
        # name and title are set: their absence is a problem, raised above.
        return Questionnaire(name=name, title=title, languages=self.languages, pages=tuple(pages),  # type: ignore[arg-type]
                             consent=consent, questions=questions, count_sources=count_sources)

    def _languages(self, data: dict[str, Any]) -> tuple[str, ...]:
        languages = data.get("languages", ["id"])
        if (not isinstance(languages, list) or not languages
                or not all(isinstance(x, str) and re.match(r"^[a-z]{2}$", x) for x in languages)):
            self.problem("'languages' must be a list of two-letter codes such as [id, en]",
                         _line(data, "languages"))
            return ("id",)
        return tuple(languages)

    def text(self, value: Any, line: int | None, question: str | None, what: str,
             required: bool = False) -> Text | None:
        """Validate a multilingual text; a plain string is fine for a one-language file."""
        if value is None:
            if required:
                self.problem(f"'{what}' is missing", line, question)
            return None
        if isinstance(value, str) and len(self.languages) == 1:
            return Text({self.languages[0]: value})
        if not isinstance(value, dict):
            self.problem(f"'{what}' must give a text per language ({', '.join(self.languages)})", line, question)
            return None
        missing = [lang for lang in self.languages if not isinstance(value.get(lang), str) or not value[lang].strip()]
        if missing:
            self.problem(f"'{what}' has no text for language(s): {', '.join(missing)}", line, question)
        extra = sorted(set(value) - set(self.languages))
        if extra:
            self.problem(f"'{what}' has text for undeclared language(s): {', '.join(extra)}", line, question)
        return Text({lang: str(value.get(lang, "")) for lang in self.languages})

    def expression(self, source: Any, line: int | None, question: str | None, what: str) -> Expression | None:
        """Parse an expression, recording a problem (with the position) when it is bad."""
        if source is None:
            return None
        if isinstance(source, bool):
            source = "true()" if source else "false()"
        if not isinstance(source, (str, int, float)):
            self.problem(f"'{what}' must be an expression written as text", line, question)
            return None
        try:
            return parse(str(source))
        except ExpressionError as error:
            self.problem(f"bad expression in '{what}': {error}", line, question)
            return None

    # -- choice lists ------------------------------------------------------------------
    def _choice_lists(self, raw: Any) -> dict[str, tuple[Choice, ...]]:
        if not isinstance(raw, dict):
            self.problem("'choice_lists' must map list names to lists of choices", _line(self.data, "choice_lists"))
            return {}
        lists: dict[str, tuple[Choice, ...]] = {}
        for list_name, items in raw.items():
            line = _line(raw, list_name)
            if not isinstance(items, list) or not items:
                self.problem(f"choice list '{list_name}' must be a non-empty list", line)
                continue
            choices, seen = [], set()
            for item in items:
                item_line = _line(item) or line
                if not isinstance(item, dict) or "name" not in item or "label" not in item:
                    self.problem(f"each choice in '{list_name}' needs 'name' and 'label'", item_line)
                    continue
                choice_name = str(item["name"])
                if not re.match(r"^[A-Za-z0-9_\-.]{1,64}$", choice_name):
                    self.problem(f"choice name '{choice_name}' in '{list_name}' may only use letters, digits, _ - .",
                                 item_line)
                if choice_name in seen:
                    self.problem(f"choice '{choice_name}' appears twice in '{list_name}'", item_line)
                seen.add(choice_name)
                label = self.text(item["label"], item_line, None, f"label of choice {choice_name}")
                extra = {k: v for k, v in item.items() if k not in ("name", "label")}
                choices.append(Choice(choice_name, label or Text({}), extra))
            lists[list_name] = tuple(choices)
        return lists

    # -- pages and questions -------------------------------------------------------------
    def _pages(self, raw: Any, choice_lists: dict[str, tuple[Choice, ...]]) -> list[Page]:
        if not isinstance(raw, list) or not raw:
            self.problem("'pages' must be a non-empty list", _line(self.data, "pages"))
            return []
        pages: list[Page] = []
        page_names: set[str] = set()
        question_names: dict[str, int | None] = {}
        for raw_page in raw:
            line = _line(raw_page)
            if not isinstance(raw_page, dict):
                self.problem("each page must be a mapping with 'name', 'title' and 'questions'", line)
                continue
            for key in sorted(set(raw_page) - PAGE_KEYS):
                self.problem(f"unknown page key '{key}'", _line(raw_page, key))
            name = raw_page.get("name")
            if not isinstance(name, str) or not NAME_RE.match(name):
                self.problem("page 'name' must be an identifier", line)
                name = f"page{len(pages) + 1}"
            elif name in page_names:
                self.problem(f"page name '{name}' is used twice", line)
            page_names.add(name)
            title = self.text(raw_page.get("title"), _line(raw_page, "title"), None, f"title of page {name}",
                              required=True)
            relevant = self.expression(raw_page.get("relevant"), _line(raw_page, "relevant"), None,
                                       f"relevant of page {name}")
            raw_questions = raw_page.get("questions")
            if not isinstance(raw_questions, list) or not raw_questions:
                self.problem(f"page '{name}' needs a non-empty 'questions' list", line)
                raw_questions = []
            repeat = self._repeat(raw_page, name) if "repeat" in raw_page else None
            questions = []
            for raw_question in raw_questions:
                question = self._question(raw_question, name, choice_lists, question_names,
                                          repeat=name if repeat is not None else None)
                if question is not None:
                    questions.append(question)
            if repeat is not None and name in question_names:
                self.problem(f"repeat page name '{name}' is also a question name; the answers need it as a key",
                             line)
            pages.append(Page(name, title or Text({}), tuple(questions), relevant, line or 0, repeat))
        if any(p.repeat is not None for p in pages):
            taken = {q.name for p in pages for q in p.questions}
            for page in pages:
                if page.repeat is not None and page.name in taken:
                    self.problem(f"repeat page name '{page.name}' is also a question name; the answers need "
                                 "it as a key", page.line)
        return pages

    def _repeat(self, raw_page: dict[str, Any], page: str) -> Repeat | None:
        raw = raw_page["repeat"]
        line = _line(raw_page, "repeat")
        if not isinstance(raw, dict):
            self.problem(f"'repeat' of page {page} must be a mapping with 'max' (and optionally 'count')", line)
            return None
        for key in sorted(set(raw) - REPEAT_KEYS):
            self.problem(f"unknown repeat key '{key}' (allowed: {', '.join(sorted(REPEAT_KEYS))})",
                         _line(raw, key) or line)
        maximum = raw.get("max")
        if isinstance(maximum, bool) or not isinstance(maximum, int) or not 1 <= maximum <= REPEAT_HARD_MAX:
            self.problem(f"'repeat' of page {page} needs 'max', a whole number from 1 to {REPEAT_HARD_MAX}",
                         _line(raw, "max") or line)
            maximum = 1
        count = self.expression(raw.get("count"), _line(raw, "count") or line, None, f"repeat count of page {page}")
        add_label = self.text(raw.get("add_label"), _line(raw, "add_label") or line, None,
                              f"add_label of page {page}")
        return Repeat(maximum, count, add_label)

    def _question(self, raw: Any, page: str, choice_lists: dict[str, tuple[Choice, ...]],
                  seen: dict[str, int | None],
                  repeat: str | None = None) -> Question | None:
        line = _line(raw)
        if not isinstance(raw, dict):
            self.problem("each question must be a mapping with 'name', 'type' and 'label'", line)
            return None
        name = raw.get("name")
        if not isinstance(name, str) or not NAME_RE.match(name):
            self.problem("question 'name' must be an identifier like 'birth_year'", line, str(name))
            return None
        if name in seen:
            self.problem(f"question name '{name}' is used twice (first on line {seen[name]})", line, name)
            return None
        seen[name] = line
        for key in sorted(set(raw) - QUESTION_KEYS):
            if key in ("repeat", "questions"):
                self.problem("nested repeats are not supported: 'repeat' belongs on a page, and questions "
                             "cannot hold questions of their own", _line(raw, key), name)
                continue
            self.problem(f"unknown key '{key}'", _line(raw, key), name)
        qtype = raw.get("type")
        if not isinstance(qtype, str) or qtype not in QUESTION_TYPES:
            self.problem(f"unknown type '{qtype}' (expected one of: {', '.join(QUESTION_TYPES)})",
                         _line(raw, "type"), name)
            return None

        def text_of(key: str, required: bool = False) -> Text | None:
            return self.text(raw.get(key), _line(raw, key) or line, name, key, required)

        def expr_of(key: str) -> Expression | None:
            return self.expression(raw.get(key), _line(raw, key) or line, name, key)

        if qtype == "calculate":
            return self._calculate(raw, name, page, line, repeat, choice_lists)
        if repeat is not None and raw.get("each_of") is not None:
            self.problem("'each_of' is not supported inside a repeat page", _line(raw, "each_of"), name)
        required = raw.get("required", False)
        if not isinstance(required, bool):
            self.problem("'required' must be true or false", _line(raw, "required"), name)
            required = False
        sensitive = raw.get("sensitive", False)
        if not isinstance(sensitive, bool):
            self.problem("'sensitive' must be true or false", _line(raw, "sensitive"), name)
            sensitive = False
        choices: tuple[Choice, ...] = ()
        choices_from = raw.get("choices_from")
        if qtype in SELECT_TYPES:
            if ("choices" in raw) == (choices_from is not None):
                self.problem("a select question needs exactly one of 'choices' or 'choices_from'", line, name)
            elif "choices" in raw:
                if not isinstance(raw["choices"], str) or raw["choices"] not in choice_lists:
                    self.problem(f"unknown choice list '{raw['choices']}'", _line(raw, "choices"), name)
                else:
                    choices = choice_lists[raw["choices"]]
            elif not isinstance(choices_from, str) or choices_from not in DYNAMIC_CHOICE_SOURCES:
                self.problem(f"'choices_from' must be one of: {', '.join(DYNAMIC_CHOICE_SOURCES)}",
                             _line(raw, "choices_from"), name)
        else:
            for key in ("choices", "choices_from", "choice_filter"):
                if key in raw:
                    self.problem(f"'{key}' only applies to select questions", _line(raw, key), name)
        max_length = raw.get("max_length", DEFAULT_MAX_LENGTH.get(qtype))
        if "max_length" in raw and (qtype not in DEFAULT_MAX_LENGTH or not isinstance(max_length, int)
                                    or not 1 <= max_length <= 20000):
            self.problem("'max_length' must be a whole number from 1 to 20000 on text questions",
                         _line(raw, "max_length"), name)
        appearance = raw.get("appearance")
        if appearance is not None and (not isinstance(appearance, str) or appearance not in APPEARANCES):
            self.problem(f"unknown appearance '{appearance}' (expected: {', '.join(sorted(APPEARANCES))})",
                         _line(raw, "appearance"), name)
        each_of = raw.get("each_of")
        if each_of is not None and not isinstance(each_of, str):
            self.problem("'each_of' must name a select_multiple question", _line(raw, "each_of"), name)
            each_of = None
        if qtype == "note" and (required or "constraint" in raw):
            self.problem("a note takes no answer: 'required' and 'constraint' do not apply", line, name)
        coding = raw.get("coding")
        if coding is not None and (not isinstance(coding, str) or coding not in CODINGS
                                   or qtype not in ("text", "long_text")):
            self.problem(f"'coding' must be one of: {', '.join(sorted(CODINGS))}, on a text question",
                         _line(raw, "coding"), name)
            coding = None
        constraint = expr_of("constraint")
        if "constraint" in raw and "constraint_message" not in raw:
            self.problem("a 'constraint' needs a 'constraint_message' telling the respondent what to fix",
                         _line(raw, "constraint"), name)
        return Question(
            name=name, type=qtype, page=page, line=line or 0,
            label=text_of("label", required=True) or Text({}),
            hint=text_of("hint"), required=required, required_message=text_of("required_message"),
            relevant=expr_of("relevant"), constraint=constraint,
            constraint_message=text_of("constraint_message"), choices=choices,
            choices_from=choices_from, choice_filter=expr_of("choice_filter"), each_of=each_of,
            max_length=max_length if isinstance(max_length, int) else None,
            appearance=appearance, sensitive=sensitive, coding=coding,
            default=self._default(raw, name, qtype, choices, line), repeat=repeat,
        )

    def _calculate(self, raw: dict[str, Any], name: str, page: str, line: int | None, repeat: str | None,
                   choice_lists: dict[str, tuple[Choice, ...]]) -> Question | None:
        for key in NOT_FOR_CALCULATE:
            if key in raw:
                self.problem(f"'{key}' does not apply to a calculate (it is never shown)", _line(raw, key), name)
        if "calculation" not in raw:
            self.problem("a calculate needs a 'calculation' expression", line, name)
        calculation = self.expression(raw.get("calculation"), _line(raw, "calculation") or line, name,
                                      "calculation")
        if calculation is not None and calculation.divides_by_zero():
            self.problem("'calculation' divides by zero", _line(raw, "calculation") or line, name)
        if calculation is not None and calculation.uses_current():
            self.problem("'calculation' cannot use '.': a calculate has no typed answer",
                         _line(raw, "calculation") or line, name)
        label = self.text(raw.get("label"), _line(raw, "label") or line, name, "label") if "label" in raw else None
        sensitive = raw.get("sensitive", False) is True
        choices: tuple[Choice, ...] = ()
        if "choices" in raw:
            if not isinstance(raw["choices"], str) or raw["choices"] not in choice_lists:
                self.problem(f"unknown choice list '{raw['choices']}'", _line(raw, "choices"), name)
            else:
                choices = choice_lists[raw["choices"]]
        return Question(name=name, type="calculate", page=page, line=line or 0, choices=choices,
                        label=label or Text({lang: name for lang in self.languages}),
                        relevant=self.expression(raw.get("relevant"), _line(raw, "relevant") or line, name,
                                                 "relevant"),
                        calculation=calculation, sensitive=sensitive, repeat=repeat)

    def _default(self, raw: dict[str, Any], name: str, qtype: str, choices: tuple[Choice, ...],
                 line: int | None) -> Expression | None:
        """A default: an expression when it reads answers or calls a function, else a literal."""
        if "default" not in raw:
            return None
        value = raw["default"]
        where = _line(raw, "default") or line
        if qtype == "note":
            self.problem("a note takes no answer: 'default' does not apply", where, name)
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.problem("'default' must be a value or an expression written as text", where, name)
            return None
        text = str(value)
        if "${" in text or "(" in text:
            return self.expression(text, where, name, "default")
        if not _literal_fits(text, qtype, choices):
            self.problem(f"default '{text}' is not a valid {qtype} answer"
                         + (f" (choices: {', '.join(c.name for c in choices)})" if choices else ""), where, name)
            return None
        literal: Any = text
        if qtype == "integer":
            literal = int(text)
        elif qtype == "decimal":
            literal = float(text)
        elif qtype == "select_multiple":
            literal = text.split()
        return Expression(text, ["lit", literal])

    # -- cross references ----------------------------------------------------------------
    def _consent(self, raw: Any, pages: list[Page], questions: dict[str, Question]) -> Consent | None:
        if raw is None:
            return None
        line = _line(self.data, "consent")
        if not isinstance(raw, dict) or "question" not in raw or "accept" not in raw:
            self.problem("'consent' needs 'question' and 'accept'", line)
            return None
        question = questions.get(raw["question"]) if isinstance(raw["question"], str) else None
        if question is None or question.type != "select_one":
            self.problem(f"consent question '{raw['question']}' must be a select_one question", line)
            return None
        if pages and question.page != pages[0].name:
            self.problem("the consent question must be on the first page", line, question.name)
        accept = str(raw["accept"])
        if accept not in {c.name for c in question.choices}:
            self.problem(f"consent 'accept' value '{accept}' is not a choice of '{question.name}'", line)
        return Consent(question.name, accept)

    def _check_references(self, pages: list[Page], questions: dict[str, Question]) -> None:
        order: dict[str, float] = {name: index for index, name in enumerate(questions)}
        # A repeat page's name (its list of instances) counts as placed after its last question.
        repeats = {p.name: p for p in pages if p.repeat is not None}
        for page in repeats.values():
            order[page.name] = max((order[q.name] for q in page.questions), default=-1) + 0.5
        self.repeats = repeats
        graph: dict[str, set[str]] = {name: set() for name in questions}
        for page in pages:
            first = min((order[q.name] for q in page.questions), default=0)
            for what, expr in ((f"page '{page.name}' relevance", page.relevant),
                               (f"repeat count of page '{page.name}'",
                                page.repeat.count if page.repeat is not None else None)):
                if expr is None:
                    continue
                for ref in sorted(expr.references()):
                    if ref not in questions and ref not in repeats:
                        self.problem(f"{what} refers to undefined question '{ref}'", page.line)
                    elif ref in repeats or questions[ref].repeat is not None:
                        self.problem(f"{what} refers to '{ref}', which is inside a repeat", page.line)
                    elif questions[ref].page == page.name:
                        self.problem(f"{what} cannot depend on its own question '{ref}'", page.line)
                    elif order[ref] > first:
                        self.problem(f"{what} refers to '{ref}', which comes later", page.line)
            for question in page.questions:
                self._check_question_refs(question, questions, order, graph)
        self._report_cycles(graph, questions)

    def _check_question_refs(self, question: Question, questions: dict[str, Question],
                             order: dict[str, float], graph: dict[str, set[str]]) -> None:
        for key in ("relevant", "constraint", "choice_filter", "calculation", "default"):
            expr: Expression | None = getattr(question, key)
            if expr is None:
                continue
            for ref in sorted(expr.references()):
                if ref in self.repeats:
                    if question.repeat == ref:
                        self.problem(f"'{key}' refers to its own repeat '{ref}'", question.line, question.name)
                    elif order[ref] > order[question.name]:
                        self.problem(f"'{key}' refers to repeat '{ref}', which comes later", question.line,
                                     question.name)
                    continue
                if ref not in questions:
                    self.problem(f"'{key}' refers to undefined question '{ref}'", question.line, question.name)
                    continue
                inner = questions[ref].repeat
                if inner is not None and inner != question.repeat:
                    self.problem(f"'{key}' refers to '{ref}', which is inside repeat '{inner}'; from outside, "
                                 f"only count(${{{inner}}}) can be used", question.line, question.name)
                    continue
                if ref == question.name and key != "constraint":
                    self.problem(f"'{key}' refers to the question itself", question.line, question.name)
                    continue
                graph[question.name].add(ref)
                target = questions[ref]
                later = order[ref] > order[question.name]
                # A constraint may compare with a later answer on the same page (both are
                # submitted together); everything else may only look back.
                if later and not (key == "constraint" and target.page == question.page):
                    self.problem(f"'{key}' refers to '{ref}', which comes later (line {target.line}); "
                                 "skip logic can only depend on earlier answers", question.line, question.name)
        if question.choice_filter is not None:
            allowed = ({"name"} | {k for c in question.choices for k in c.extra}
                       if question.choices_from is None else DYNAMIC_CHOICE_KEYS.get(question.choices_from, set()))
            for attribute in sorted(question.choice_filter.attributes() - allowed):
                self.problem(f"choice_filter uses '{attribute}', which the choices do not have "
                             f"(available: {', '.join(sorted(allowed))})", question.line, question.name)
        if question.each_of is not None:
            repeated = questions.get(question.each_of)
            if repeated is None:
                self.problem(f"'each_of' refers to undefined question '{question.each_of}'", question.line,
                             question.name)
            elif repeated.type != "select_multiple":
                self.problem(f"'each_of' must name a select_multiple question; '{repeated.name}' is {repeated.type}",
                             question.line, question.name)
            elif repeated.page == question.page or order[repeated.name] > order[question.name]:
                self.problem(f"'each_of' question '{repeated.name}' must be on an earlier page",
                             question.line, question.name)

    def _report_cycles(self, graph: dict[str, set[str]], questions: dict[str, Question]) -> None:
        state: dict[str, int] = {}  # 1 = on the current path, 2 = done
        reported: set[frozenset[str]] = set()

        def visit(node: str, path: list[str]) -> None:
            state[node] = 1
            path.append(node)
            for ref in sorted(graph.get(node, ())):
                if ref == node:
                    continue  # ${self} in a constraint is the same as '.'
                if state.get(ref) == 1:
                    cycle = path[path.index(ref):] + [ref]
                    key = frozenset(cycle)
                    if key not in reported:
                        reported.add(key)
                        self.problem("cyclic reference: " + " → ".join(cycle), questions[ref].line, ref)
                elif state.get(ref) is None:
                    visit(ref, path)
            path.pop()
            state[node] = 2

        for name in graph:
            if state.get(name) is None:
                visit(name, [])


_LITERAL_PATTERNS = {
    "integer": re.compile(r"^-?\d{1,15}$"),
    "decimal": re.compile(r"^-?\d{1,15}(\.\d+)?$"),
    "date": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "month_year": re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"),
}


def _literal_fits(text: str, qtype: str, choices: tuple[Choice, ...]) -> bool:
    """Whether a literal default is a valid answer of the question's type (and choices)."""
    if qtype in _LITERAL_PATTERNS:
        return bool(_LITERAL_PATTERNS[qtype].match(text))
    if qtype == "select_one":
        return not choices or text in {c.name for c in choices}
    if qtype == "select_multiple":
        return bool(text.split()) and (not choices or set(text.split()) <= {c.name for c in choices})
    return True
