"""The ``choices`` sheet → Jejak choice lists (extra columns kept for choice filters)."""
from __future__ import annotations

import re

from survey_app.xlsform.errors import ERROR, N_, NOTE, UNSUPPORTED, Issue
from survey_app.xlsform.headers import MEDIA, TRANSLATABLE
from survey_app.xlsform.table import Table
from survey_app.xlsform.texts import Texts

CHOICE_NAME_RE = re.compile(r"^[A-Za-z0-9_\-.]{1,64}$")
_KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def read_choices(table: Table | None, texts: Texts, allow_duplicates: bool = False,
                 ) -> tuple[dict[str, list[dict]], dict[str, str], list[Issue]]:
    """``(lists, renamed choice names old → new, issues)`` from the choices sheet (may be absent).

    Choice names Jejak does not allow (``24/7``) are renamed with ``_`` and the rename is
    applied to quoted literals in expressions. Duplicate names in one list are an error,
    unless the form sets ``allow_choice_duplicates``: then they are unsupported, and
    --skip-unsupported renames the later ones ``name_2``…
    """
    lists: dict[str, list[dict]] = {}
    renamed: dict[str, str] = {}
    issues: list[Issue] = []
    if table is None:
        return lists, renamed, issues
    if "list_name" not in table.plain or "name" not in table.plain:
        missing = "list_name" if "list_name" not in table.plain else "name"
        issues.append(Issue(ERROR, N_("the choices sheet has no '%(column)s' column", column=missing), table.name, 1))
        return lists, renamed, issues
    extra_columns = [c for c in table.columns
                     if c.language is None and not c.bad_language and c.key not in ("list_name", "name")
                     and c.key not in TRANSLATABLE and c.key not in MEDIA and _KEY_RE.match(c.key)]
    seen: dict[tuple[str, str], int] = {}
    for number, cells in table.rows():
        list_name, name = table.get(cells, "list_name"), table.get(cells, "name")
        if not list_name and not name:
            continue
        if not list_name:
            issues.append(Issue(ERROR, N_("a choice without a list name"), table.name, number,
                                table.header_of("list_name")))
            continue
        if not name:
            issues.append(Issue(ERROR, N_("a choice of list '%(list)s' has no name", list=list_name), table.name,
                                number, table.header_of("name")))
            continue
        if not CHOICE_NAME_RE.match(name):
            new = re.sub(r"[^A-Za-z0-9_\-.]", "_", name)[:64]
            issues.append(Issue(NOTE, f"choice name '{name}' becomes '{new}' (Jejak allows letters, digits, _ - .); "
                                "expressions comparing with it are updated", table.name, number,
                                table.header_of("name")))
            renamed[name] = new
            name = new
        if (list_name, name) in seen:
            first = seen[(list_name, name)]
            if not allow_duplicates:
                issues.append(Issue(ERROR, N_("choice '%(name)s' appears twice in list '%(list)s' (first on row "
                                              "%(first)d); Jejak needs unique choice names", name=name,
                                              list=list_name, first=first), table.name, number,
                                    table.header_of("name")))
                continue
            counter = 2
            while (list_name, f"{name}_{counter}") in seen:
                counter += 1
            new_name = f"{name}_{counter}"
            issues.append(Issue(UNSUPPORTED, N_("choice '%(name)s' appears twice in list '%(list)s' (first on row "
                                              "%(first)d; allow_choice_duplicates); Jejak needs unique names, so "
                                              "--skip-unsupported renames this one '%(new)s'", name=name,
                                              list=list_name, first=first, new=new_name),
                                table.name, number,
                                table.header_of("name")))
            name = new_name
        seen[(list_name, name)] = number
        issues.extend(table.media_issues(number, cells, N_("choice '%(name)s'", name=name)))
        label = texts.of(table, number, cells, "label")
        if label is None:
            issues.append(Issue(NOTE, f"choice '{name}' has no label; its name is used", table.name, number,
                                table.header_of("label")))
            label = texts.same(name)
        choice: dict = {"name": name, "label": label}
        for column in extra_columns:
            value = cells[column.index].strip() if column.index < len(cells) else ""
            if value:
                choice[column.key] = value
        lists.setdefault(list_name, []).append(choice)
    return lists, renamed, issues
