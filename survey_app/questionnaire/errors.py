"""Problems found in a questionnaire definition, each located by line and question."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition file."""

    message: str
    line: int | None = None
    question: str | None = None

    def __str__(self) -> str:
        where = []
        if self.line:
            where.append(f"line {self.line}")
        if self.question:
            where.append(f"question '{self.question}'")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class DefinitionError(ValueError):
    """A definition failed validation; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
