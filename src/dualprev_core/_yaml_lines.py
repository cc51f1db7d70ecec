"""Load YAML keeping the line of every value, so errors can say where in the file."""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["load_yaml_with_lines", "line_of", "Lines", "TextTimesLoader"]

Lines = dict[tuple[Any, ...], int]


class TextTimesLoader(yaml.SafeLoader):
    """SafeLoader that leaves unquoted timestamps as text (times are parsed by the schema's rules,
    with the documented zone default), so ``at: 2026-11-02T08:00:00`` and its quoted form agree.
    """


TextTimesLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml_with_lines(text: str) -> tuple[Any, Lines]:
    """Parse ``text`` safely; return the data and a map from path tuples to 1-based lines.

    :raises yaml.YAMLError: on malformed YAML (callers turn it into a Problem).
    """
    node = yaml.compose(text, Loader=TextTimesLoader)
    data = yaml.load(text, Loader=TextTimesLoader)  # noqa: S506 - a SafeLoader subclass
    lines: Lines = {}
    if node is not None:
        _walk(node, (), lines)
    return data, lines


def _walk(node: yaml.Node, path: tuple[Any, ...], lines: Lines) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = yaml.safe_load(yaml.serialize(key_node)) if not isinstance(key_node, yaml.ScalarNode) else _scalar(key_node)
            _walk(value_node, (*path, key), lines)
            lines.setdefault((*path, key), key_node.start_mark.line + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), lines)


def _scalar(node: yaml.ScalarNode) -> Any:
    constructor = yaml.SafeLoader.__new__(yaml.SafeLoader)
    yaml.constructor.SafeConstructor.__init__(constructor)
    return constructor.construct_object(node)


def line_of(lines: Lines, path: tuple[Any, ...]) -> int | None:
    """The line of ``path`` or of its nearest ancestor that has one."""
    p = tuple(path)
    while True:
        if p in lines:
            return lines[p]
        if not p:
            return None
        p = p[:-1]
