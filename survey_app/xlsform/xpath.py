"""XLSForm XPath → Jejak expressions.

XLSForm writes expressions in XPath 1.0 with ODK extensions; Jejak's language (see
docs/QUESTIONNAIRE_FORMAT.md) is the same family, so most expressions pass through token by
token. This module renames references (``${Name}`` → ``${name}``), rewrites the few things
Jejak spells differently (``jr:choice-name()`` becomes an ``if()`` chain over the choices,
``once(x)`` becomes ``x``), and reports what cannot be translated (paths, predicates,
``pulldata()``, ``instance()``, unknown functions). The result is then parsed by the engine's
own parser, so anything accepted here is also accepted by ``questionnaire check``.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from survey_app.questionnaire import expressions as jejak_expressions
from survey_app.xlsform.errors import N_

_TOKEN = re.compile(
    r"""(?P<space>\s+)
    | (?P<string>'[^']*'|"[^"]*")
    | (?P<ref>\$\{[^}]*\})
    | (?P<number>\d+(?:\.\d+)?|\.\d+)
    | (?P<name>[A-Za-z_][A-Za-z0-9_.]*(?::[A-Za-z_][A-Za-z0-9_.\-]*)?(?:-[A-Za-z_][A-Za-z0-9_.]*)*)
    | (?P<op>!=|<=|>=|\.\.|=|<|>|\+|-|\*|\(|\)|,|\||/|\[|\]|\.|@)
    """,
    re.VERBOSE,
)

# Functions with a reason why Jejak cannot offer them.
UNSUPPORTED_FUNCTIONS = {
    "pulldata": N_("pulldata() reads an attached CSV file on the device; Jejak has no form attachments"),
    "instance": N_("instance() reads a secondary instance (external choices or a CSV); not supported"),
    "position": N_("position() depends on XPath node positions inside repeats; not supported"),
    "indexed-repeat": N_("indexed-repeat() reads another repeat instance; not supported"),
    "current": N_("current() is XPath context navigation; not supported"),
    "uuid": N_("uuid() generates identifiers on the device; Jejak identifies responses itself"),
    "random": N_("random() is evaluated on the device; not supported"),
    "now": N_("now() gives a time of day; Jejak has dates only"),
    "format-date": N_("format-date() formats for display; not supported"),
    "format-date-time": N_("format-date-time() formats for display; not supported"),
    "version": N_("version() reads the form version; not supported"),
    "property": N_("property() reads device properties; not supported"),
    "digest": N_("digest() is not supported"),
    "base64-decode": N_("base64-decode() is not supported"),
    "extract-signed": N_("extract-signed() is not supported"),
    "distance": N_("distance() works on geopoints, which Jejak does not collect"),
    "area": N_("area() works on geoshapes, which Jejak does not collect"),
}
# XLSForm names Jejak spells differently, or that only matter on a device.
_RENAMED = {"once": None, "boolean-from-string": "boolean"}
MAX_CHOICE_NAME_CHOICES = 40  # jr:choice-name becomes one if() per choice


@dataclass
class Translation:
    """An expression translated, or the reasons it could not be."""

    text: str
    unsupported: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    references: set[str] = field(default_factory=set)  # Jejak names read, after renaming
    unknown: list[str] = field(default_factory=list)  # references to names the form does not have


@dataclass
class Context:
    """What the translator needs to know about the form.

    ``rename`` maps XLSForm names to Jejak names; ``dropped`` are names of questions that
    were left out (their references become ``''``, reported as a note); ``choice_labels``
    gives (name, label) pairs of a question's choices, for ``jr:choice-name``.
    """

    rename: dict[str, str]
    dropped: set[str] = field(default_factory=set)
    choice_labels: Callable[[str], list[tuple[str, str]] | None] = lambda name: None
    metadata: dict[str, str] = field(default_factory=dict)  # e.g. {"today": "today()"}
    attributes: set[str] = field(default_factory=set)  # choice columns (inside a choice_filter)
    literals: dict[str, str] = field(default_factory=dict)  # renamed choice names: old → new
    # Resolves an XPath path (``../q``, ``./q``, ``/data/g/q``) written on the row at ``here``:
    # (steps, absolute) → ("ref", jejak name) | ("dropped", xlsform name) | ("metadata", expression) | None
    resolve_path: Callable[[list[str], bool], tuple[str, str] | None] = lambda steps, absolute: None


def _tokens(source: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(source):
        match = _TOKEN.match(source, position)
        if not match:
            return tokens + [("bad", source[position:])]
        tokens.append((match.lastgroup or "bad", match.group()))
        position = match.end()
    return tokens


def translate(source: str, context: Context) -> Translation:
    """Translate one XLSForm expression; check ``unsupported`` before using ``text``."""
    result = Translation("")
    tokens = [t for t in _tokens(source) if t[0] != "space"]
    result.text = _translate_tokens(tokens, context, result)
    # One reason per expression: what follows an unsupported part (e.g. the path after
    # instance('x')/root/...) is usually a consequence of it, not a second problem.
    del result.unsupported[1:]
    return result


def _known_function(name: str) -> bool:
    return name in jejak_expressions.FUNCTIONS


def _matching(tokens: list[tuple[str, str]], open_index: int) -> int:
    depth = 0
    for index in range(open_index, len(tokens)):
        if tokens[index] == ("op", "("):
            depth += 1
        elif tokens[index] == ("op", ")"):
            depth -= 1
            if depth == 0:
                return index
    return len(tokens) - 1


def _split_args(tokens: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    args: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    depth = 0
    for token in tokens:
        if token == ("op", ",") and depth == 0:
            args.append(current)
            current = []
            continue
        if token == ("op", "("):
            depth += 1
        elif token == ("op", ")"):
            depth -= 1
        current.append(token)
    if current or args:
        args.append(current)
    return args


def _quote(text: str) -> str:
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    return "'" + text.replace("'", "’") + "'"


def _translate_tokens(tokens: list[tuple[str, str]], context: Context, result: Translation) -> str:
    out: list[str] = []
    index = 0
    while index < len(tokens):
        kind, value = tokens[index]
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        previous = tokens[index - 1] if index > 0 else None
        if _starts_path(kind, value, following, previous):
            end, steps, absolute = _read_path(tokens, index)
            out.append(_path_reference(steps, absolute, context, result))
            index = end
            continue
        if kind == "bad":
            if value[:1] in "‘’“”":
                result.unsupported.append(N_("the expression has a typographic quote (%(quote)s) where XPath needs ' "
                                             "or \" (word processors and spreadsheets put them in)", quote=value[0]))
            else:
                result.unsupported.append(N_("cannot read the expression from %(text)r on", text=value[:20]))
            return ""
        if kind == "ref":
            out.append(_reference(value[2:-1].strip(), context, result))
        elif kind == "name" and value in ("and", "or", "div", "mod"):
            out.append(f" {value} ")
        elif kind == "name" and following == ("op", "("):
            end = _matching(tokens, index + 1)
            args = _split_args(tokens[index + 2:end])
            out.append(_function(value, args, context, result))
            index = end
        elif kind == "name":
            if value in context.attributes:
                out.append(value)  # a choice column inside a choice filter
            elif value in ("true", "false"):
                out.append(value + "()")
            else:
                # In XPath a bare name is a child element; there is none, so its value is ''.
                result.notes.append(f"'{value}' is not a question or a choice column; it is read as ''")
                out.append("''")
        elif kind == "string" and value[1:-1] in context.literals:
            out.append(_quote(context.literals[value[1:-1]]))
        elif kind == "op" and value in ("/", "..", "[", "]", "|", "@"):
            result.unsupported.append(N_("XPath paths and predicates ('%(text)s') are not supported; refer to "
                                         "questions as ${name}", text=value))
            return ""
        elif kind == "op" and value in ("=", "!=", "<", "<=", ">", ">=", "+", "-", "*"):
            out.append(f" {value} ")
        elif kind == "op" and value == ",":
            out.append(", ")
        else:
            out.append(value)
        index += 1
    return "".join(out).replace("  ", " ").strip()


def _starts_path(kind: str, value: str, following, previous) -> bool:
    """``..``, ``./x`` or a leading ``/x`` begin a path (``/`` elsewhere would be an error anyway)."""
    if kind != "op":
        return False
    if value == "..":
        return True
    if value == "." and following == ("op", "/"):
        return True
    return value == "/" and following is not None and following[0] == "name" and (
        previous is None or previous[0] == "op" and previous[1] not in (")", "]"))


def _read_path(tokens: list, index: int) -> tuple[int, list[str], bool]:
    """(index after the path, steps such as ['..', 'group', 'q'], absolute?)."""
    absolute = tokens[index] == ("op", "/")
    steps: list[str] = []
    expect_step = absolute
    if absolute:
        index += 1
    while index < len(tokens):
        kind, value = tokens[index]
        if expect_step or not steps:
            if kind == "name" or (kind == "op" and value in ("..", ".")):
                steps.append(value)
                expect_step = False
                index += 1
                continue
            break
        if (kind, value) == ("op", "/"):
            expect_step = True
            index += 1
            continue
        break
    return index, steps, absolute


def _path_reference(steps: list[str], absolute: bool, context: Context, result: Translation) -> str:
    shown = ("/" if absolute else "") + "/".join(steps)
    if any("[" in s for s in steps):
        result.unsupported.append(N_("XPath predicates in '%(path)s' are not supported", path=shown))
        return "''"
    found = context.resolve_path(steps, absolute)
    if found is None:
        result.unsupported.append(N_("the path '%(path)s' does not lead to a question of this form; refer to "
                                     "questions as ${name}", path=shown))
        return "''"
    kind, value = found
    if kind == "dropped":
        result.notes.append(f"'{shown}' refers to {value}, which was left out; it is read as empty ('')")
        return "''"
    if kind == "metadata":
        result.notes.append(f"'{shown}' is device metadata; replaced by {value}")
        return value
    result.references.add(value)
    return "${" + value + "}"


def _reference(name: str, context: Context, result: Translation) -> str:
    if name in context.dropped:
        result.notes.append(f"refers to ${{{name}}}, which was left out; it is read as empty ('')")
        return "''"
    if name in context.metadata:
        result.notes.append(f"${{{name}}} is device metadata; replaced by {context.metadata[name]}")
        return context.metadata[name]
    target = context.rename.get(name)
    if target is None:
        result.unknown.append(N_("refers to %(ref)s, which is not a question of this form", ref="${" + name + "}"))
        return "''"
    result.references.add(target)
    return "${" + target + "}"


def _function(name: str, args: list, context: Context, result: Translation) -> str:
    lowered = name.lower()
    if lowered == "jr:choice-name":
        return _choice_name(args, context, result)
    if lowered in UNSUPPORTED_FUNCTIONS:
        result.unsupported.append(UNSUPPORTED_FUNCTIONS[lowered])
        return "''"
    translated = [_translate_tokens(arg, context, result) for arg in args]
    if lowered in _RENAMED:
        target = _RENAMED[lowered]
        if target is None:  # once(x): Jejak computes values on the server; x is the value
            result.notes.append(f"{name}() is dropped: Jejak computes the value on the server")
            return f"({translated[0]})" if translated else "''"
        lowered = target
    if not _known_function(lowered):
        result.unsupported.append(N_("function %(name)s() is not supported by Jejak's expressions", name=name))
        return "''"
    return f"{lowered}({', '.join(translated)})"


def _choice_name(args: list, context: Context, result: Translation) -> str:
    if len(args) != 2 or len(args[1]) != 1 or args[1][0][0] != "string":
        result.unsupported.append(N_("jr:choice-name() needs a value and a quoted '${question}'"))
        return "''"
    target = re.match(r"^\s*\$\{([^}]*)\}\s*$", args[1][0][1][1:-1])
    labels = context.choice_labels(target.group(1).strip()) if target else None
    if labels is None:
        result.unsupported.append(N_("jr:choice-name() must name a select question of this form as '${name}'"))
        return "''"
    if len(labels) > MAX_CHOICE_NAME_CHOICES:
        result.unsupported.append(N_("jr:choice-name() over more than %(limit)d choices",
                                     limit=MAX_CHOICE_NAME_CHOICES))
        return "''"
    value = _translate_tokens(args[0], context, result)
    expression = "''"
    for choice, label in reversed(labels):
        expression = f"if({value} = {_quote(choice)}, {_quote(label)}, {expression})"
    result.notes.append("jr:choice-name() is written out as if() over the choices, in the first language")
    return expression
