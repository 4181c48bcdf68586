"""A small, safe parser and evaluator for XLSForm-like expressions.

Expressions decide skip logic (``relevant``), validation (``constraint``) and choice filters.
They are parsed into a tree of plain lists, which is evaluated here in Python and, serialised
as JSON, by ``static/skiplogic.js`` in the browser, so both sides share one parser and the
same semantics. Nothing is ever passed to Python's ``eval``.

Tree nodes (lists, so they serialise to JSON unchanged)::

    ["lit", value]          literal string or number
    ["ref", name]           ${name}: another question's answer; ${previous.name}: the
                            alumnus' answer in the wave followed up (name "previous.name")
    ["cur"]                 .  : the answer being checked
    ["attr", name]          bare name: a key of the choice being filtered
    ["op", op, left, right] = != < <= > >= + - * div mod and or
    ["neg", operand]        unary minus
    ["call", name, args…]   function call
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import cached_property
from typing import Any, Protocol, TypeVar

# A parsed expression: nested lists as in the module docstring (JSON-ready, hence untyped items).
Tree = list[Any]

# Indonesia's western time zone (WIB): "today" for a survey fielded in Indonesia.
WIB = timezone(timedelta(hours=7))


class ExpressionError(ValueError):
    """An expression could not be parsed; ``position`` is the 0-based column of the problem."""

    def __init__(self, message: str, position: int):
        super().__init__(f"{message} (at character {position + 1})")
        self.message = message
        self.position = position


_TOKEN = re.compile(
    r"""\s*(?:
      (?P<ref>\$\{(?P<refname>[^}]*)\})
    | (?P<number>\d+(?:\.\d+)?)
    | (?P<string>'[^']*'|"[^"]*")
    | (?P<op><=|>=|!=|=|<|>|\+|-|\*|\(|\)|,)
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z_][A-Za-z0-9_]*)*)
    | (?P<dot>\.)
    )""",
    re.VERBOSE,
)
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
# ${previous.<question>}: the answer to <question> in the wave this one follows up. It stays a
# "ref" whose name keeps the prefix, so the answers mapping an expression is evaluated on
# resolves it (see logic.Respondent.previous_scope) and skiplogic.js needs no new node.
PREVIOUS = "previous."
_PREVIOUS_RE = re.compile(r"^previous\.[a-z][a-z0-9_]*$")

# name → (minimum, maximum) argument count
FUNCTIONS: dict[str, tuple[int, int]] = {
    "not": (1, 1),
    "selected": (2, 2),
    "count-selected": (1, 1),
    "string-length": (1, 1),
    "today": (0, 0),
    "if": (3, 3),
    "number": (1, 1),
    "true": (0, 0),
    "false": (0, 0),
    # engine v2 (calculate / repeat): see docs/QUESTIONNAIRE_FORMAT.md
    "count": (1, 1),
    "int": (1, 1),
    "round": (1, 2),
    "decimal-date": (1, 1),
    "coalesce": (2, 2),
}
# --- xlsform: functions XLSForms use (implemented in _xlsform_call below)
FUNCTIONS.update({
    "concat": (1, 50), "regex": (2, 2),
    "decimal-date-time": (1, 1), "date": (1, 1), "string": (1, 1), "contains": (2, 2),
    "floor": (1, 1), "ceiling": (1, 1), "abs": (1, 1), "date-time": (1, 1),
})
_KEYWORD_OPS = {"and", "or", "div", "mod"}


@dataclass(frozen=True)
class _Token:
    kind: str
    value: str
    position: int


def _tokenize(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(source):
        if source[position:].strip() == "":
            break
        match = _TOKEN.match(source, position)
        if not match or match.end() == position:
            start = position + (len(source[position:]) - len(source[position:].lstrip()))
            raise ExpressionError(f"unexpected character {source[start]!r}", start)
        # every alternative of the token pattern is a named group.
        start = match.start(match.lastgroup)  # type: ignore[arg-type]
        if match.lastgroup == "ref":
            name = match.group("refname").strip()
            if not (_NAME_RE.match(name) or _PREVIOUS_RE.match(name)):
                raise ExpressionError(f"invalid question reference ${{{name}}}", start)
            tokens.append(_Token("ref", name, start))
        elif match.lastgroup == "number":
            tokens.append(_Token("number", match.group("number"), start))
        elif match.lastgroup == "string":
            tokens.append(_Token("string", match.group("string")[1:-1], start))
        elif match.lastgroup == "op":
            tokens.append(_Token("op", match.group("op"), start))
        elif match.lastgroup == "name":
            name = match.group("name")
            kind = "op" if name in _KEYWORD_OPS else "name"
            tokens.append(_Token(kind, name, start))
        else:
            tokens.append(_Token("dot", ".", start))
        position = match.end()
    return tokens


class _Parser:
    """Recursive-descent parser; one method per precedence level, lowest first."""

    _LEVELS = [("or",), ("and",), ("=", "!="), ("<", "<=", ">", ">="), ("+", "-"), ("*", "div", "mod")]

    def __init__(self, source: str):
        self.source = source
        self.tokens = _tokenize(source)
        self.index = 0

    def parse(self) -> Tree:
        if not self.tokens:
            raise ExpressionError("empty expression", 0)
        tree = self._binary(0)
        if self.index < len(self.tokens):
            token = self.tokens[self.index]
            raise ExpressionError(f"unexpected {token.value!r}", token.position)
        return tree

    def _peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def _take(self) -> _Token:
        token = self._peek()
        if token is None:
            raise ExpressionError("expression ends too early", len(self.source))
        self.index += 1
        return token

    def _expect(self, value: str) -> None:
        token = self._take()
        if token.kind != "op" or token.value != value:
            raise ExpressionError(f"expected {value!r} but found {token.value!r}", token.position)

    def _binary(self, level: int) -> Tree:
        if level == len(self._LEVELS):
            return self._unary()
        left = self._binary(level + 1)
        while True:
            token = self._peek()
            if token is None or token.kind != "op" or token.value not in self._LEVELS[level]:
                return left
            self.index += 1
            right = self._binary(level + 1)
            left = ["op", token.value, left, right]

    def _unary(self) -> Tree:
        token = self._peek()
        if token is not None and token.kind == "op" and token.value == "-":
            self.index += 1
            return ["neg", self._unary()]
        return self._primary()

    def _primary(self) -> Tree:
        token = self._take()
        if token.kind == "number":
            number = float(token.value) if "." in token.value else int(token.value)
            return ["lit", number]
        if token.kind == "string":
            return ["lit", token.value]
        if token.kind == "ref":
            return ["ref", token.value]
        if token.kind == "dot":
            return ["cur"]
        if token.kind == "op" and token.value == "(":
            inner = self._binary(0)
            self._expect(")")
            return inner
        if token.kind == "name":
            following = self._peek()
            if following is not None and following.kind == "op" and following.value == "(":
                return self._call(token)
            return ["attr", token.value]
        raise ExpressionError(f"unexpected {token.value!r}", token.position)

    def _call(self, name_token: _Token) -> Tree:
        name = name_token.value
        if name not in FUNCTIONS:
            raise ExpressionError(f"unknown function {name}()", name_token.position)
        self._expect("(")
        args: list[Tree] = []
        following = self._peek()
        if not (following is not None and following.kind == "op" and following.value == ")"):
            args.append(self._binary(0))
            while (following := self._peek()) is not None and following.value == "," and following.kind == "op":
                self.index += 1
                args.append(self._binary(0))
        self._expect(")")
        low, high = FUNCTIONS[name]
        if not low <= len(args) <= high:
            raise ExpressionError(
                f"{name}() takes {low if low == high else f'{low} to {high}'} argument(s), got {len(args)}",
                name_token.position,
            )
        return ["call", name, *args]


@dataclass(frozen=True)
class Expression:
    """A parsed expression: its source text and tree."""

    source: str
    tree: Tree = field(compare=False, hash=False)

    def references(self) -> frozenset[str]:
        """Names of the questions of this questionnaire the expression reads (``${name}``)."""
        return self._references[0]

    def previous_references(self) -> frozenset[str]:
        """Questions of the earlier wave read through ``${previous.name}`` (without the prefix)."""
        return self._references[1]

    @cached_property
    def _references(self) -> tuple[frozenset[str], frozenset[str]]:
        # Found once: the progress bar asks for each page's references on every page view.
        found: set[str] = set()
        _collect(self.tree, "ref", found)
        return (frozenset(name for name in found if not name.startswith(PREVIOUS)),
                frozenset(name[len(PREVIOUS):] for name in found if name.startswith(PREVIOUS)))

    def attributes(self) -> set[str]:
        """Bare names used (choice keys in a choice filter)."""
        found: set[str] = set()
        _collect(self.tree, "attr", found)
        return found

    def divides_by_zero(self) -> bool:
        """Whether the tree divides by a literal 0 (``x div 0``, ``x mod 0``)."""
        return _literal_division_by_zero(self.tree)

    def uses_current(self) -> bool:
        """Whether the expression reads ``.`` (the answer being checked)."""
        return _contains(self.tree, "cur")

    def evaluate(self, answers: Mapping[str, Any], current: Any = None,
                 choice: Mapping[str, Any] | None = None) -> Any:
        """Evaluate against ``answers`` (name → value); ``current`` is ``.``."""
        return self._compiled(answers, current, _NO_CHOICE if choice is None else choice)

    @cached_property
    def _compiled(self) -> _Compiled:
        # Built on first use and kept: a page view or save evaluates each of its
        # questionnaire's expressions once per request, for every respondent.
        return _compile(self.tree)

    def __getstate__(self) -> dict[str, Any]:
        """Pickle the source and tree only; the compiled closures are rebuilt on first use."""
        return {"source": self.source, "tree": self.tree}

    def is_true(self, answers: Mapping[str, Any], current: Any = None,
                choice: Mapping[str, Any] | None = None) -> bool:
        """Evaluate and convert the result to a boolean as XPath does."""
        return truthy(self.evaluate(answers, current, choice))


def parse(source: str) -> Expression:
    """Parse ``source`` into an :class:`Expression`; raises :class:`ExpressionError`."""
    if not isinstance(source, str):
        raise ExpressionError("an expression must be text", 0)
    _check_size(source)
    tree = _Parser(source).parse()
    _check_depth(tree)
    return Expression(source, tree)


# -- Limits (security): an expression comes from an uploaded file and is evaluated on every
# page save, here and in the browser, by recursive code. Real skip logic is far below these.
MAX_SOURCE_LENGTH = 2000
MAX_TOKENS = 300
MAX_PARENTHESES = 25        # nesting of ( … ), function calls included
MAX_TREE_DEPTH = 100        # a chain a + b + c … adds one level per term
MAX_NUMBER_DIGITS = 30


def _check_size(source: str) -> None:
    """Refuse, before any recursion, expressions too long, too deep or with absurd numbers."""
    if len(source) > MAX_SOURCE_LENGTH:
        raise ExpressionError(f"the expression is longer than {MAX_SOURCE_LENGTH} characters", MAX_SOURCE_LENGTH)
    tokens = _tokenize(source)
    if len(tokens) > MAX_TOKENS:
        raise ExpressionError(f"the expression has more than {MAX_TOKENS} parts; split the logic into "
                              "simpler expressions", tokens[MAX_TOKENS].position)
    depth = 0
    for token in tokens:
        if token.kind == "number" and len(token.value) > MAX_NUMBER_DIGITS:
            raise ExpressionError(f"the number has more than {MAX_NUMBER_DIGITS} digits", token.position)
        if token.kind == "op" and token.value == "(":
            depth += 1
            if depth > MAX_PARENTHESES:
                raise ExpressionError(f"parentheses are nested more than {MAX_PARENTHESES} deep", token.position)
        elif token.kind == "op" and token.value == ")":
            depth -= 1


def _check_depth(tree: Tree) -> None:
    """Refuse trees deeper than MAX_TREE_DEPTH (checked without recursion)."""
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_TREE_DEPTH:
            raise ExpressionError(f"the expression is nested more than {MAX_TREE_DEPTH} levels deep "
                                  "(a long chain of + or 'and' counts one level per term)", 0)
        stack.extend((child, depth + 1) for child in node[1:] if isinstance(child, list))


def _collect(tree: Tree, kind: str, found: set[str]) -> None:
    if tree[0] == kind:
        found.add(tree[1])
    for child in tree[1:]:
        if isinstance(child, list):
            _collect(child, kind, found)


def _literal_division_by_zero(tree: Tree) -> bool:
    if tree[0] == "op" and tree[1] in ("div", "mod") and tree[3][0] == "lit" and to_number(tree[3][1]) == 0:
        return True
    return any(isinstance(c, list) and _literal_division_by_zero(c) for c in tree[1:])


def _contains(tree: Tree, kind: str) -> bool:
    return tree[0] == kind or any(isinstance(c, list) and _contains(c, kind) for c in tree[1:])


def is_empty(value: Any) -> bool:
    """Unanswered: None, empty text or an empty selection."""
    return value is None or value == "" or value == [] or value == {}


def truthy(value: Any) -> bool:
    """XPath boolean(): numbers are true unless 0/NaN, text and lists unless empty."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return not (value == 0 or math.isnan(value))
    return not is_empty(value)


_NUMBER_START = frozenset("0123456789+-.")


def to_number(value: Any) -> float:
    """XPath number(): NaN for anything that is not a number."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        # Choice names ('yes', 'female') are compared far more often than numbers are typed
        # as text: skip the exception float() would raise for them (a measurable cost).
        if not text or text[0] not in _NUMBER_START:
            return math.nan
        try:
            return float(text)
        except ValueError:
            return math.nan
    return math.nan


def to_text(value: Any) -> str:
    """XPath string(): lists are space-separated, as XLSForm stores select_multiple."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return " ".join(to_text(item) for item in value)
    return str(value)


def _compare(op: str, left: Any, right: Any) -> bool:
    if op in ("=", "!="):
        if is_empty(left) or is_empty(right):
            equal = is_empty(left) and is_empty(right)
        else:
            ln, rn = to_number(left), to_number(right)
            equal = ln == rn if not (math.isnan(ln) or math.isnan(rn)) else to_text(left) == to_text(right)
        return equal if op == "=" else not equal
    if is_empty(left) or is_empty(right):
        return False
    ln, rn = to_number(left), to_number(right)
    if math.isnan(ln) or math.isnan(rn):
        # Dates and month-years are ISO text, so text order is time order.
        return _ordered(op, to_text(left), to_text(right))
    return _ordered(op, ln, rn)


_Ordered = TypeVar("_Ordered", str, float)


def _ordered(op: str, a: _Ordered, b: _Ordered) -> bool:
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    return a >= b


def _arithmetic(op: str, left: Any, right: Any) -> float:
    a, b = to_number(left), to_number(right)
    if math.isnan(a) or math.isnan(b) or math.isinf(a) or math.isinf(b):
        return math.nan  # also avoids fmod(inf, x), which raises
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if b == 0:
        return math.nan
    return a / b if op == "div" else math.fmod(a, b)


def _selection(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [to_text(v) for v in value]
    return to_text(value).split()


# -- Evaluation: a tree is compiled once into nested closures, each taking the answers, the
# current value (``.``) and the choice being filtered. Walking the list tree on every
# evaluation (dispatching on node kinds each time) was the largest single cost of a page
# view and a page save; comparisons with a literal, by far the commonest node in skip
# logic (``${consent} = 'yes'``), also convert the literal once instead of per call.
_Compiled = Callable[[Mapping[str, Any], Any, Mapping[str, Any]], Any]
_NO_CHOICE: Mapping[str, Any] = {}
_COMPARISONS = frozenset(("=", "!=", "<", "<=", ">", ">="))


def _compile(tree: Tree) -> _Compiled:
    """A closure computing ``tree``'s value; same semantics as XPath (and skiplogic.js)."""
    kind = tree[0]
    if kind == "lit":
        value = tree[1]
        return lambda answers, current, choice: value
    if kind == "ref":
        name = tree[1]
        return lambda answers, current, choice: answers.get(name)
    if kind == "cur":
        return lambda answers, current, choice: current
    if kind == "attr":
        key = tree[1]
        return lambda answers, current, choice: choice.get(key)
    if kind == "neg":
        operand = _compile(tree[1])
        return lambda answers, current, choice: -to_number(operand(answers, current, choice))
    if kind == "call":
        return _compile_call(tree[1], [_compile(arg) for arg in tree[2:]])
    op = tree[1]
    if op in ("=", "!=") and tree[3][0] == "lit":
        return _compile_equals_literal(op, _compile(tree[2]), tree[3][1])
    left, right = _compile(tree[2]), _compile(tree[3])
    if op == "and":
        return lambda answers, current, choice: (truthy(left(answers, current, choice))
                                                 and truthy(right(answers, current, choice)))
    if op == "or":
        return lambda answers, current, choice: (truthy(left(answers, current, choice))
                                                 or truthy(right(answers, current, choice)))
    if op in _COMPARISONS:
        return lambda answers, current, choice: _compare(op, left(answers, current, choice),
                                                         right(answers, current, choice))
    return lambda answers, current, choice: _arithmetic(op, left(answers, current, choice),
                                                        right(answers, current, choice))


def _compile_equals_literal(op: str, left: _Compiled, literal: Any) -> _Compiled:
    """``x = 'lit'`` / ``x != 'lit'`` with the literal's emptiness, number and text known once."""
    negate = op == "!="
    if is_empty(literal):
        return lambda answers, current, choice: is_empty(left(answers, current, choice)) != negate
    number = to_number(literal)
    text = to_text(literal)
    if math.isnan(number):  # a text literal: compared as text whatever the answer is

        def equals_text(answers: Mapping[str, Any], current: Any, choice: Mapping[str, Any]) -> bool:
            value = left(answers, current, choice)
            return (not is_empty(value) and to_text(value) == text) != negate

        return equals_text

    def equals_number(answers: Mapping[str, Any], current: Any, choice: Mapping[str, Any]) -> bool:
        value = left(answers, current, choice)
        if is_empty(value):
            return negate
        own = to_number(value)
        return (own == number if not math.isnan(own) else to_text(value) == text) != negate

    return equals_number


def _compile_call(name: str, args: Sequence[_Compiled]) -> _Compiled:
    if name == "if":  # lazy: only the chosen branch is evaluated
        test, then, otherwise = args

        def choose(answers: Mapping[str, Any], current: Any, choice: Mapping[str, Any]) -> Any:
            branch = then if truthy(test(answers, current, choice)) else otherwise
            return branch(answers, current, choice)

        return choose
    function = _FUNCTIONS.get(name) or _XLSFORM_CALLS.get(name)
    if function is None:
        raise ExpressionError(f"unknown function {name}()", 0)  # unreachable: the parser checks
    return lambda answers, current, choice: function([arg(answers, current, choice) for arg in args])


def _decimal_date(value: Any) -> float:
    """A date (``YYYY-MM-DD``, or ``YYYY-MM`` as its first day) as a year with a fraction."""
    text = to_text(value).strip()
    try:
        day = datetime.strptime(text, "%Y-%m-%d" if len(text) == 10 else "%Y-%m").date()
    except ValueError:
        return math.nan
    start = day.replace(month=1, day=1)
    length = (start.replace(year=start.year + 1) - start).days
    return day.year + (day - start).days / length


def _count(values: list[Any]) -> int:
    """A repeat's instances, or the options of a selection."""
    return len(values[0]) if isinstance(values[0], (list, tuple)) else len(_selection(values[0]))


def _int(values: list[Any]) -> float | int:
    number = to_number(values[0])
    return math.nan if not math.isfinite(number) else int(number)


# Functions of evaluated arguments (``if`` is compiled on its own: it is lazy).
_FUNCTIONS: dict[str, Callable[[list[Any]], Any]] = {
    "not": lambda values: not truthy(values[0]),
    "selected": lambda values: to_text(values[1]) in _selection(values[0]),
    "count-selected": lambda values: len(_selection(values[0])),
    "string-length": lambda values: len(to_text(values[0]).strip()),
    "today": lambda values: datetime.now(WIB).date().isoformat(),
    "number": lambda values: to_number(values[0]),
    "true": lambda values: True,
    "false": lambda values: False,
    "count": _count,
    "int": _int,
    "round": lambda values: _round(values),  # half up, as ODK does (one implementation, shared with XLSForms)
    "decimal-date": lambda values: _decimal_date(values[0]),
    "coalesce": lambda values: values[1] if is_empty(values[0]) else values[0],
}


# --- xlsform: XLSForm functions (concat, coalesce, int, round, regex, dates). Each takes the
# evaluated arguments; mirrored in static/skiplogic.js.
# Patterns come from questionnaire authors and values from respondents, so regex() runs on
# RE2 (linear time, no backtracking: no catastrophic patterns) with length caps on both.
REGEX_MAX_PATTERN = 500
REGEX_MAX_VALUE = 10_000
_EPOCH = datetime(1970, 1, 1).date()


def _regex(values: list[Any]) -> bool:
    pattern, text = to_text(values[1]), to_text(values[0])
    if len(pattern) > REGEX_MAX_PATTERN or len(text) > REGEX_MAX_VALUE:
        return False
    compiled = compile_regex(pattern)
    return compiled is not None and compiled.search(text) is not None


class Pattern(Protocol):
    """What regex() needs of a compiled RE2 pattern (google-re2 ships no type information)."""

    def search(self, text: str) -> object | None: ...


def compile_regex(pattern: str) -> Pattern | None:
    """The RE2 pattern, or None when it is invalid or too long (cached per pattern)."""
    if len(pattern) > REGEX_MAX_PATTERN:
        return None
    return _compiled_regex(pattern)


def _compiled_regex(pattern: str) -> Pattern | None:
    cached = _REGEX_CACHE.get(pattern)
    if cached is None and pattern not in _REGEX_CACHE:
        import re2  # google-re2

        try:
            cached = re2.compile(pattern)
        except Exception:  # noqa: BLE001 - re2.error and friends: an invalid pattern never matches
            cached = None
        if len(_REGEX_CACHE) < 1000:
            _REGEX_CACHE[pattern] = cached
    return cached


_REGEX_CACHE: dict[str, Pattern | None] = {}


def _as_date(value: Any) -> date | None:
    """A date from ISO text (``YYYY-MM-DD``, a datetime, or ``YYYY-MM``) or from a day count."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if math.isnan(value) or abs(value) > 3_000_000:
            return None
        return _EPOCH + timedelta(days=math.floor(value))
    text = to_text(value).strip()
    for length, pattern in ((10, "%Y-%m-%d"), (7, "%Y-%m")):
        try:
            return datetime.strptime(text[:length], pattern).date()
        except ValueError:
            continue
    return None


def _decimal_date_time(values: list[Any]) -> float:
    day = _as_date(values[0])
    return float((day - _EPOCH).days) if day is not None else math.nan


def _date(values: list[Any]) -> str:
    day = _as_date(values[0])
    return day.isoformat() if day is not None else ""


def _round(values: list[Any]) -> float:
    number = to_number(values[0])
    digits = int(to_number(values[1])) if len(values) > 1 and not math.isnan(to_number(values[1])) else 0
    if math.isnan(number) or math.isinf(number):
        return number
    scale = 10.0 ** max(min(digits, 10), -10)
    return math.floor(number * scale + 0.5) / scale  # half up, as ODK does


def _whole(value: Any, rounding: Callable[[float], int]) -> float:
    number = to_number(value)
    return number if math.isnan(number) or math.isinf(number) else float(rounding(number))


_XLSFORM_CALLS: dict[str, Callable[[list[Any]], Any]] = {
    "concat": lambda values: "".join(to_text(v) for v in values),
    "regex": _regex,
    "decimal-date-time": _decimal_date_time,
    "date": _date,
    "string": lambda values: to_text(values[0]),
    "contains": lambda values: to_text(values[1]) in to_text(values[0]),
    "floor": lambda values: _whole(values[0], math.floor),
    "ceiling": lambda values: _whole(values[0], math.ceil),
    "abs": lambda values: abs(to_number(values[0])),
    "date-time": _date,  # Jejak has no time of day: a date-time is its date
}
