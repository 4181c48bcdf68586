"""Survey rows as the importer sees them, and small helpers shared by its modules."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from survey_app.xlsform.errors import Issue


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


def looks_like_expression(text: str) -> bool:
    return "${" in text or "(" in text


def and_(parts: Sequence[str | None]) -> str | None:
    kept = [p for p in parts if p]
    if not kept:
        return None
    if len(kept) == 1:
        return kept[0]
    return " and ".join(f"({p})" for p in kept)
