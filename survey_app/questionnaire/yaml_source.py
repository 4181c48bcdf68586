"""Reading YAML while remembering the line each mapping and key came from."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError

from survey_app.questionnaire.errors import DefinitionError, Problem


class LineDict(dict[str, Any]):
    """A dict that knows the 1-based line of itself and of each of its keys."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        """Line of ``key`` if present, else the line of the mapping."""
        return self.key_lines.get(key, self.line)


# A questionnaire is a handful of levels deep (pages → questions → label → language).
MAX_DEPTH = 32


class _LineLoader(yaml.SafeLoader):
    """SafeLoader whose mappings are :class:`LineDict`; refuses duplicate keys, anchors and
    aliases, and nesting deeper than MAX_DEPTH.

    Aliases are refused while the document is composed, before anything is expanded: a
    kilobyte of nested aliases ("billion laughs") would otherwise expand to gigabytes.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        # check_event() loads the next event into current_event, as peek_event() does; it is
        # the typed way to look at it (PyYAML's stubs leave peek_event untyped).
        self.check_event(yaml.Event)
        event: yaml.Event = self.current_event
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise ComposerError(None, None, "anchors and aliases (&name, *name, <<) are not allowed; "
                                "write the values out", _mark(event))
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise ComposerError(None, None, f"the file is nested more than {MAX_DEPTH} levels deep",
                                    _mark(event))
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _mark(event: yaml.Event) -> yaml.error.Mark | None:
    """Where ``event`` starts (the pure-Python loader's marks; the C parser's are never used here)."""
    mark = event.start_mark
    return mark if isinstance(mark, yaml.error.Mark) else None


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> Iterator[LineDict]:
    data = LineDict()
    data.line = node.start_mark.line + 1
    data.key_lines = {}
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) or key is None:
            raise ConstructorError(None, None, "a key must be plain text", key_node.start_mark)
        key = str(key) if not isinstance(key, str) else key
        if key in data:
            raise ConstructorError(None, None, f"key '{key}' appears twice", key_node.start_mark)
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_lines[key] = key_node.start_mark.line + 1


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(text: str) -> Any:
    """Parse YAML text; syntax errors become a :class:`DefinitionError` with the line."""
    try:
        # _LineLoader is a SafeLoader subclass: no Python objects are ever constructed.
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506  # nosec B506
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise DefinitionError([Problem(f"YAML syntax: {exc.problem or exc}", line)]) from None
    except yaml.YAMLError as exc:
        raise DefinitionError([Problem(f"YAML syntax: {exc}")]) from None
