"""KBLI 2020 look-ups for coders: titles, validation and search."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from analysis import load_kbli


@dataclass(frozen=True)
class KbliEntry:
    code: str
    title: str
    section: str
    level: int


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9 ]+", " ", text)


@lru_cache(maxsize=1)
def _rows() -> tuple[tuple[KbliEntry, str, str], ...]:
    kbli = load_kbli()
    table = kbli.table[kbli.table.level.isin([2, 5])]
    return tuple((KbliEntry(str(row.code), str(row.title), str(row.section), int(str(row.level))),
                  _fold(f"{row.code} {row.title}"), _fold(str(row.description)))
                 for row in table.itertuples(index=False))


def entries() -> tuple[KbliEntry, ...]:
    """Divisions and 5-digit codes with their titles (what a coder may choose)."""
    return tuple(entry for entry, _title, _description in _rows())


def title(code: str | None) -> str:
    """Official title of a section letter or a 2–5 digit code ('' when unknown)."""
    if not code:
        return ""
    try:
        return load_kbli().title(code)
    except KeyError:
        return ""


def resolve(code: str) -> tuple[str | None, str, str]:
    """(kbli5 or None, division, section) for a division or 5-digit code; KeyError if unknown."""
    code = code.strip()
    kbli = load_kbli()
    if re.fullmatch(r"\d{5}", code):
        if not kbli.is_kbli5(code):
            raise KeyError(code)
        return code, code[:2], kbli.section_of(code)
    if re.fullmatch(r"\d{2}", code) and code in kbli.division_section:
        return None, code, kbli.section_of(code)
    raise KeyError(code)


def search(query: str, limit: int = 20) -> list[KbliEntry]:
    """Codes whose number starts with, or whose title contains all words of, ``query``."""
    folded = _fold(query).split()
    if not folded:
        return []
    if len(folded) == 1 and folded[0].isdigit():
        return [e for e in entries() if e.code.startswith(folded[0])][:limit]
    # Title matches first (divisions, then 5-digit codes), then matches in the official
    # descriptions, which name many products the titles do not (e.g. "lele").
    in_title = [e for e, title_text, _d in _rows() if all(word in title_text for word in folded)]
    in_description = [e for e, title_text, description in _rows()
                      if e not in in_title and all(word in f"{title_text} {description}" for word in folded)]
    in_title.sort(key=lambda e: (e.level, e.code))
    in_description.sort(key=lambda e: (-e.level, e.code))
    return (in_title + in_description)[:limit]
