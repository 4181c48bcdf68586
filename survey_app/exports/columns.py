"""The columns of an export, derived from the compiled questionnaire.

One column per question; a ``select_multiple`` with fixed choices becomes one 0/1 column per
choice (``q__choice``); an ``each_of`` question one column per item; notes are skipped;
a calculate is a (text) column like an answer. A question on a repeat page gets numbered
columns, one per possible instance: ``q_1`` … ``q_<max>`` (``q__choice_1`` … for the 0/1
columns of a select_multiple).
Every name is a valid Stata *and* SPSS variable name (see :func:`safe_name`).

Value codes for Stata/SPSS (which need numbers under value labels): a choice list whose
names are all integers keeps them (Sakernas job status 1..7, province codes 11..96, scales);
any other list is numbered 1..n in definition order. The codebook documents the mapping.
Questions whose choices come from the respondent's roster (``choices_from``) have no fixed
list: their answers are training codes, exported as text (space-separated when several).
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, cast

from survey_app.questionnaire.definition import Choice, Question, Questionnaire, Text
from survey_app.roster.provinces import PROVINCES

MAX_NAME = 32  # Stata's limit (SPSS allows 64)
# pyreadstat names a variable's value-label set "<variable><counter>" and Stata limits label
# names to 32 characters too, so labelled variables leave room for a 4-digit counter.
LABELLED_MAX_NAME = MAX_NAME - 4
_VALID_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
# Stata reserved words and SPSS keywords (compared lower-case: SPSS names ignore case).
RESERVED = frozenset("""
    _all _b byte _coef _cons double float if in int long _n _pi _pred _rc _skip str strl using
    with all and by eq ge gt le lt ne not or to
""".split())

# Column kinds: how a value is stored in each format.
STRING, INTEGER, DECIMAL, CODE, BINARY, DATETIME = "string", "integer", "decimal", "code", "binary", "datetime"


@dataclass(frozen=True)
class ValueLabel:
    """One labelled value: the raw answer (choice name), its numeric code and label."""

    raw: str
    code: int
    label: Text


@dataclass(frozen=True)
class Column:
    """One variable of an export."""

    name: str
    label: Text
    kind: str                     # string | integer | decimal | code | binary | datetime
    source: str                   # meta | answer | earlier (an answer in the wave followed up)
    question: str | None = None
    item: str | None = None       # the choice (select_multiple) or item (each_of)
    question_type: str = ""
    values: tuple[ValueLabel, ...] = ()
    relevant: str = ""
    sensitive: bool = False       # financial answers (UU PDP specific data)
    personal: bool = False        # names and contacts
    ordinal: bool = False         # a scale (questions with appearance: likert)
    choices_from: str | None = None  # roster_trainings: values are training codes
    repeat: str | None = None     # the repeat page the question is on
    instance: int | None = None   # 1-based instance of that repeat page
    get: Callable[[Any], Any] = field(default=lambda row: None, compare=False, repr=False)

    def code_of(self) -> dict[str, int]:
        """Raw value → numeric code (select_one columns)."""
        return {v.raw: v.code for v in self.values}

    def label_of(self, language: str) -> dict[str, str]:
        """Raw value → value label in ``language``."""
        return {v.raw: v.label.get(language) for v in self.values}


def safe_name(base: str, taken: set[str], limit: int = MAX_NAME) -> str:
    """A Stata/SPSS-valid variable name for ``base``, unique among ``taken`` (which it joins).

    Characters other than letters, digits and _ become _; a name not starting with a letter
    gets a ``v`` in front; a reserved word gets a trailing _. A name that is then too long
    (over 32) or already taken (compared ignoring case, as SPSS does) is cut and ended with
    ``_`` plus the first hex digits of the SHA-1 of ``base`` (4, more if that still clashes),
    so the same questionnaire always gives the same names.
    """
    name = re.sub(r"[^A-Za-z0-9_]", "_", base)
    if not re.match(r"[A-Za-z]", name):
        name = "v" + name
    if name.lower() in RESERVED or re.fullmatch(r"str\d+", name.lower()):
        name += "_"
    lowered = {t.lower() for t in taken}
    if len(name) > limit or name.lower() in lowered:
        digest = hashlib.sha1(base.encode("utf-8"), usedforsecurity=False).hexdigest()
        for width in range(4, len(digest) + 1):
            candidate = f"{name[:limit - 1 - width].rstrip('_')}_{digest[:width]}"
            if candidate.lower() not in lowered:
                name = candidate
                break
    if not (_VALID_NAME.match(name) and len(name) <= limit):  # kept under python -O too
        raise AssertionError(name)
    taken.add(name)
    return name


def value_labels(choices: Sequence[Choice]) -> tuple[ValueLabel, ...]:
    """Numeric codes for a choice list: integer names keep their value, else 1..n in order."""
    if all(re.fullmatch(r"-?\d{1,9}", c.name) for c in choices):
        return tuple(ValueLabel(c.name, int(c.name), c.label) for c in choices)
    return tuple(ValueLabel(c.name, number, c.label) for number, c in enumerate(choices, start=1))


@dataclass(frozen=True)
class MetaField:
    """A column that does not come from the answers (from the response, invitation, roster)."""

    name: str
    label: Text
    kind: str = STRING
    personal: bool = False
    values: tuple[ValueLabel, ...] = ()


def _t(id_text: str, en_text: str) -> Text:
    return Text({"id": id_text, "en": en_text})


PID = MetaField("pid", _t("Pseudonim responden", "Respondent pseudonym"))
PERSONAL_FIELDS = (
    MetaField("external_id", _t("ID peserta program", "Programme participant id"), personal=True),
    MetaField("roster_name", _t("Nama (data program)", "Name (programme roster)"), personal=True),
    MetaField("roster_phone", _t("Nomor HP (data program)", "Phone (programme roster)"), personal=True),
    MetaField("roster_email", _t("E-mail (data program)", "E-mail (programme roster)"), personal=True),
)
ROSTER_FIELDS = (
    MetaField("roster_province", _t("Provinsi (data program)", "Province (programme roster)"), CODE,
              values=tuple(ValueLabel(code, int(code), _t(name, name)) for code, name in PROVINCES.items())),
    MetaField("roster_sex", _t("Jenis kelamin (data program, M/F)", "Sex (programme roster, M/F)")),
    MetaField("roster_birth_year", _t("Tahun lahir (data program)", "Birth year (programme roster)"), INTEGER),
    MetaField("roster_cohort", _t("Gelombang (data program)", "Cohort (programme roster)")),
)
RESPONSE_FIELDS = (
    MetaField("wave", _t("Gelombang survei", "Survey wave")),
    MetaField("status", _t("Status undangan", "Invitation status")),
    MetaField("language", _t("Bahasa pengisian", "Language answered in")),
    MetaField("started_at", _t("Mulai mengisi (UTC)", "Started (UTC)"), DATETIME),
    MetaField("submitted_at", _t("Dikirim (UTC)", "Submitted (UTC)"), DATETIME),
)
ALL_META = (PID, *PERSONAL_FIELDS, *ROSTER_FIELDS, *RESPONSE_FIELDS)
# --- waves: exports of a follow-up wave with the earlier wave's answers (``prev_`` columns).
EARLIER_PREFIX = "prev_"
EARLIER_STATUS = MetaField("prev_status", _t("Status undangan di gelombang sebelumnya",
                                             "Invitation status in the earlier wave"))


def meta_columns(fields: Iterable[MetaField], taken: set[str]) -> list[Column]:
    """Columns for metadata fields; the row maps them by name."""
    columns = []
    for meta in fields:
        taken.add(meta.name)
        columns.append(Column(meta.name, meta.label, meta.kind, "meta", personal=meta.personal,
                              values=meta.values, get=_meta_getter(meta.name)))
    return columns


def _meta_getter(name: str):
    return lambda row: row.meta.get(name)


def answer_columns(questionnaire: Questionnaire, *, include_financial: bool = False,
                   roster_items: Sequence[Choice] = (), taken: set[str] | None = None) -> list[Column]:
    """The answer columns of ``questionnaire``, in definition order.

    ``roster_items`` are the trainings that an ``each_of`` over a roster-based question can
    be about (the trainings of the wave's invited alumni). Sensitive (financial) questions
    are left out unless ``include_financial``. Names already in ``taken`` (the metadata
    columns) are avoided.
    """
    taken = set() if taken is None else taken
    # Reserve every plain question name first, so a shortened choice column can never take
    # the name a later question needs.
    reserved_plain: set[str] = set()
    for question in questionnaire.answer_questions:
        if question.each_of or question.repeat or (question.type == "select_multiple"
                                                   and question.choices_from is None):
            continue
        name = question.name
        if (_VALID_NAME.match(name) and len(name) <= _limit(_single_kind(question)[0]) and name.lower() not in RESERVED
                and name.lower() not in {t.lower() for t in taken}):
            taken.add(name)
            reserved_plain.add(name)
    columns: list[Column] = []
    for page in questionnaire.pages:
        for question in page.questions:
            if not question.takes_answer or (question.sensitive and not include_financial):
                continue
            relevant = _relevance_text(page.relevant, question.relevant)
            if page.repeat is not None:
                columns.extend(_repeat_columns(question, page, relevant, taken))
                continue
            columns.extend(_columns_for(question, questionnaire, relevant, roster_items, taken, reserved_plain))
    return columns


def earlier_columns(questionnaire: Questionnaire, wave_name: str, *, include_financial: bool = False,
                    roster_items: Sequence[Choice] = (), taken: set[str] | None = None) -> list[Column]:
    """The answer columns of the earlier wave's ``questionnaire``, named ``prev_<variable>``.

    Same variables as that wave's own export (financial ones only with
    ``include_financial``), labelled "(gelombang sebelumnya W1) …" / "(earlier wave W1) …" — in
    front, so a format that cuts long labels keeps it — and read from each row's earlier answers.
    """
    taken = set() if taken is None else taken
    columns = []
    for column in answer_columns(questionnaire, include_financial=include_financial, roster_items=roster_items):
        label = Text({lang: f"({_EARLIER_WAVE.get(lang)} {wave_name}) {text}"
                      for lang, text in column.label.translations.items()})
        name = safe_name(EARLIER_PREFIX + column.name, taken, _limit(column.kind))
        columns.append(replace(column, name=name, label=label, source="earlier"))
    return columns


_EARLIER_WAVE = _t("gelombang sebelumnya", "earlier wave")


def _repeat_columns(question: Question, page, relevant: str, taken: set[str]) -> list[Column]:
    """Numbered columns ``q_1`` … ``q_<max>`` for a question on a repeat page."""
    columns = []
    common: dict[str, Any] = {"source": "answer", "question": question.name, "question_type": question.type,
              "sensitive": question.sensitive, "choices_from": question.choices_from, "repeat": page.name,
              "ordinal": question.appearance == "likert" and question.type == "select_one"}
    for instance in range(1, page.repeat.max + 1):
        label_of = {lang: f"{text} [{page.title.get(lang).replace('{n}', str(instance))}]"
                    for lang, text in question.label.translations.items()}
        instance_relevant = f"count(${{{page.name}}}) >= {instance}" + (f" and ({relevant})" if relevant else "")
        if question.type == "select_multiple" and question.choices_from is None:
            for choice in question.choices:
                label = Text({lang: f"{text} [{choice.label.get(lang)}]" for lang, text in label_of.items()})
                columns.append(Column(
                    safe_name(f"{question.name}__{choice.name}_{instance}", taken, LABELLED_MAX_NAME), label,
                    BINARY, item=choice.name, instance=instance, relevant=instance_relevant,
                    get=_repeat_selected_getter(page.name, instance, question.name, choice.name), **common))
            continue
        kind, values = _single_kind(question)
        columns.append(Column(safe_name(f"{question.name}_{instance}", taken, _limit(kind)), Text(label_of), kind,
                              values=values, instance=instance, relevant=instance_relevant,
                              get=_repeat_getter(page.name, instance, question.name), **common))
    return columns


def instance_answers(answers: dict, page: str, instance: int) -> dict | None:
    """The answers of one repeat instance (1-based), or None when there is none."""
    instances = answers.get(page)
    if not isinstance(instances, list) or len(instances) < instance or not isinstance(instances[instance - 1], dict):
        return None
    return instances[instance - 1]


def _repeat_getter(page: str, instance: int, name: str):
    def get(row):
        found = instance_answers(row.answers, page, instance)
        value = None if found is None else found.get(name)
        if isinstance(value, list):
            return " ".join(map(str, value)) or None
        return value
    return get


def _repeat_selected_getter(page: str, instance: int, name: str, choice: str):
    def get(row):
        found = instance_answers(row.answers, page, instance)
        value = None if found is None else found.get(name)
        if not isinstance(value, list):
            return None
        return 1 if choice in value else 0
    return get


def _relevance_text(*expressions) -> str:
    sources = [e.source for e in expressions if e is not None]
    if len(sources) == 1:
        return sources[0]
    return " and ".join(f"({s})" for s in sources)


def _columns_for(question: Question, questionnaire: Questionnaire, relevant: str,
                 roster_items: Sequence[Choice], taken: set[str], reserved_plain: set[str]) -> list[Column]:
    common: dict[str, Any] = {"source": "answer", "question": question.name, "question_type": question.type,
              "relevant": relevant, "sensitive": question.sensitive,
              "ordinal": question.appearance == "likert" and question.type == "select_one",
              "choices_from": question.choices_from}
    static = question.choices_from is None
    if question.each_of:
        target = questionnaire.questions[question.each_of]
        items = target.choices if target.choices_from is None else tuple(roster_items)
        kind, values = _single_kind(question)
        columns = []
        for item in items:
            label = Text({lang: text.replace("{item}", item.label.get(lang))
                          for lang, text in question.label.translations.items()})
            columns.append(Column(safe_name(f"{question.name}__{item.name}", taken, _limit(kind)), label, kind,
                                  item=item.name, values=values, get=_each_of_getter(question, item.name), **common))
        return columns
    if question.type == "select_multiple" and static:
        columns = []
        for choice in question.choices:
            label = Text({lang: f"{question.label.get(lang)} [{choice.label.get(lang)}]"
                          for lang in question.label.translations})
            columns.append(Column(safe_name(f"{question.name}__{choice.name}", taken, LABELLED_MAX_NAME), label, BINARY,
                                  item=choice.name, get=_selected_getter(question.name, choice.name), **common))
        return columns
    kind, values = _single_kind(question)
    name = question.name if question.name in reserved_plain else safe_name(question.name, taken, _limit(kind))
    getter = _list_getter(question.name) if question.type == "select_multiple" else _plain_getter(question.name)
    return [Column(name, question.label, kind, values=values, get=getter, **common)]


def _limit(kind: str) -> int:
    return LABELLED_MAX_NAME if kind in (CODE, BINARY) else MAX_NAME


def _single_kind(question: Question) -> tuple[str, tuple[ValueLabel, ...]]:
    if question.type == "select_one" and question.choices_from is None:
        return CODE, value_labels(question.choices)
    if question.type == "calculate" and question.choices:  # --- previous: e.g. tracer_status, a labelled code
        return CODE, value_labels(question.choices)
    if question.type == "integer":
        return INTEGER, ()
    if question.type == "decimal":
        return DECIMAL, ()
    return STRING, ()  # text, dates as YYYY-MM-DD / YYYY-MM, roster-based choices as codes


def _plain_getter(name: str):
    def get(row):
        value = row.answers.get(name)
        if isinstance(value, list):  # each_of + select_multiple, or unexpected shapes
            return " ".join(map(str, value))
        return value
    return get


def _list_getter(name: str):
    def get(row):
        value = row.answers.get(name)
        if isinstance(value, list):
            return " ".join(map(str, value)) or None
        return value
    return get


def _selected_getter(name: str, choice: str):
    def get(row):
        value = row.answers.get(name)
        if not isinstance(value, list):
            return None  # not asked, or not answered: missing, not 0
        return 1 if choice in value else 0
    return get


def _each_of_getter(question: Question, item: str):
    name = question.name

    def get(row):
        value = row.answers.get(name)
        if not isinstance(value, dict):
            return None
        found = value.get(item)
        if isinstance(found, list):
            return " ".join(map(str, found))
        return found
    return get


def row_extractor(columns: Sequence[Column]) -> Callable[[Any], list]:
    """A function row → the list of raw values of ``columns``, in order.

    Neighbouring answer columns are read together (the columns of one ``select_multiple``
    or ``each_of`` question with one look-up per question and row, plain questions with one
    list comprehension): with a hundred trainings, that is what keeps 240,000 rows inside
    the time budget.
    """
    steps: list[Callable[[Any, list], None]] = []
    index = 0
    while index < len(columns):
        column = columns[index]
        end = index + 1
        if column.repeat is not None:  # repeat instances: each column reads its own instance
            steps.append(_getter_step(column.get))
        elif column.source == "answer" and column.item is not None:
            while (end < len(columns) and columns[end].question == column.question and columns[end].item is not None
                   and columns[end].repeat is None):
                end += 1
            # Answer columns always name their question; these ones also their item.
            items = [cast(str, c.item) for c in columns[index:end]]
            step = _selected_step if column.kind == BINARY else _each_of_step
            steps.append(step(cast(str, column.question), items))
        elif column.source == "earlier":
            while end < len(columns) and columns[end].source == "earlier":
                end += 1
            steps.append(_earlier_step(row_extractor([replace(c, source="answer") for c in columns[index:end]])))
        elif column.source == "answer":
            while (end < len(columns) and columns[end].source == "answer" and columns[end].item is None
                   and columns[end].repeat is None):
                end += 1
            steps.append(_plain_step([cast(str, c.question) for c in columns[index:end]]))
        else:
            steps.append(_getter_step(column.get))
        index = end

    def extract(row) -> list:
        out: list = []
        for step in steps:
            step(row, out)
        return out
    return extract


class _EarlierAnswers:
    """A row's earlier answers where the answer steps look for answers."""

    __slots__ = ("answers",)

    def __init__(self) -> None:
        self.answers: dict = {}


def _earlier_step(extract: Callable[[Any], list]) -> Callable[[Any, list], None]:
    """A step reading the earlier wave's columns from ``row.earlier`` (None: all missing)."""
    view = _EarlierAnswers()

    def step(row, out):
        view.answers = row.earlier or {}
        out.extend(extract(view))
    return step


def _getter_step(get: Callable[[Any], Any]) -> Callable[[Any, list], None]:
    """A step appending the value ``get`` reads from the row."""
    return lambda row, out: out.append(get(row))


def _plain_step(names: list[str]):
    def step(row, out):
        answers = row.answers
        values = [answers.get(name) for name in names]
        out.extend([" ".join(map(str, v)) if isinstance(v, list) else v for v in values])
    return step


def _selected_step(name: str, items: list[str]):
    missing = [None] * len(items)

    def step(row, out):
        value = row.answers.get(name)
        if not isinstance(value, list):
            out.extend(missing)
        else:
            chosen = set(value)
            out.extend([1 if item in chosen else 0 for item in items])
    return step


def _each_of_step(name: str, items: list[str]):
    missing = [None] * len(items)
    position = {item: number for number, item in enumerate(items)}

    def step(row, out):
        value = row.answers.get(name)
        if not isinstance(value, dict) or not value:
            out.extend(missing)
            return
        cells = list(missing)
        for item, answer in value.items():
            where = position.get(item)
            if where is not None:
                cells[where] = " ".join(map(str, answer)) if isinstance(answer, list) else answer
        out.extend(cells)
    return step
