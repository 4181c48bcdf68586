"""The validated, in-memory model of a questionnaire (built by :mod:`.builder`)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from survey_app.questionnaire.expressions import Expression

QUESTION_TYPES = (
    "text", "long_text", "integer", "decimal", "select_one", "select_multiple",
    "date", "month_year", "note", "calculate",
)
SELECT_TYPES = ("select_one", "select_multiple")
DYNAMIC_CHOICE_SOURCES = ("roster_trainings",)
DEFAULT_MAX_LENGTH = {"text": 500, "long_text": 5000}
REPEAT_HARD_MAX = 50  # no repeat page may ask more instances than this, whatever its 'max' says


@dataclass(frozen=True)
class Text:
    """A text in several languages; falls back to the first language given."""

    translations: dict[str, str]

    def get(self, language: str) -> str:
        """The text in ``language``, or in the questionnaire's first language."""
        if language in self.translations:
            return self.translations[language]
        return next(iter(self.translations.values()), "")


@dataclass(frozen=True)
class Choice:
    """One option of a select question; ``extra`` holds keys usable in choice filters."""

    name: str
    label: Text
    extra: dict[str, Any] = field(default_factory=dict)

    def filter_scope(self) -> dict[str, Any]:
        """The names a choice filter can read for this choice."""
        return {**self.extra, "name": self.name}


@dataclass(frozen=True)
class Question:
    """One question (or note) of a page."""

    name: str
    type: str
    label: Text
    page: str
    line: int
    hint: Text | None = None
    required: bool = False
    required_message: Text | None = None
    relevant: Expression | None = None
    constraint: Expression | None = None
    constraint_message: Text | None = None
    choices: tuple[Choice, ...] = ()
    choices_from: str | None = None
    choice_filter: Expression | None = None
    each_of: str | None = None
    max_length: int | None = None
    appearance: str | None = None
    sensitive: bool = False
    coding: str | None = None  # e.g. "kbli": the analysis codes this answer into sectors
    calculation: Expression | None = None  # type calculate: the value, derived from answers
    default: Expression | None = None      # pre-fill when shown without a stored answer
    repeat: str | None = None              # the repeat page this question belongs to

    @property
    def is_select(self) -> bool:
        return self.type in SELECT_TYPES

    @property
    def takes_answer(self) -> bool:
        """Has a value in the answers (asked questions and calculates; not notes)."""
        return self.type != "note"

    @property
    def has_field(self) -> bool:
        """Shown to the respondent with an input (not a note, not a calculate)."""
        return self.type not in ("note", "calculate")

    @property
    def is_shown(self) -> bool:
        """Appears on the page at all (calculates never do)."""
        return self.type != "calculate"


@dataclass(frozen=True)
class Repeat:
    """How often a repeat page is asked: ``count`` instances, or "add another" up to ``max``."""

    max: int
    count: Expression | None = None
    add_label: Text | None = None


@dataclass(frozen=True)
class Page:
    """A screenful of questions shown together."""

    name: str
    title: Text
    questions: tuple[Question, ...]
    relevant: Expression | None = None
    line: int = 0
    repeat: Repeat | None = None

    def title_for(self, language: str, instance: int | None = None) -> str:
        """The title, with ``{n}`` replaced by the instance number on a repeat page."""
        text = self.title.get(language)
        return text.replace("{n}", str(instance)) if instance is not None else text


@dataclass(frozen=True)
class Consent:
    """Which answer to which question means the respondent agreed to take part."""

    question: str
    accept: str


@dataclass(frozen=True, eq=False)
class Questionnaire:
    """A whole validated questionnaire definition (compared and hashed by identity)."""

    name: str
    title: Text
    languages: tuple[str, ...]
    pages: tuple[Page, ...]
    consent: Consent | None = None
    version: int | None = None
    questions: dict[str, Question] = field(default_factory=dict, compare=False)
    # question → max of the repeat whose count is that question's answer (checked on save)
    count_sources: dict[str, int] = field(default_factory=dict, compare=False)

    def page(self, name: str) -> Page | None:
        """The page called ``name``, or None."""
        return next((p for p in self.pages if p.name == name), None)

    def page_index(self, name: str) -> int:
        """Position of page ``name`` (ValueError if unknown)."""
        for index, page in enumerate(self.pages):
            if page.name == name:
                return index
        raise ValueError(name)

    @property
    def answer_questions(self) -> list[Question]:
        """All questions that take an answer (calculates included), in order."""
        return [q for q in self.questions.values() if q.takes_answer]

    @property
    def repeat_pages(self) -> list[Page]:
        """The repeat pages, in order."""
        return [p for p in self.pages if p.repeat is not None]
