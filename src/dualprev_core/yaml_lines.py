"""YAML as dualprev reads it: one parse that keeps the line of every value and key, and reports
duplicate keys (a plain YAML load keeps the last value silently — a user's record lost).

Scalars follow YAML 1.2 (only ``true``/``false`` are booleans, so ``on:`` stays a key and
``yes`` a string; ``1e-5`` is a float), and timestamps stay text so that times are read by the
formats' own rules (the enterprise file's +08:00 default).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

__all__ = ["DualprevLoader", "load_yaml_with_lines", "load_yaml_fast", "safe_load_fast", "FastPathRefused", "line_of", "Lines"]

Lines = dict[tuple[Any, ...], int]


class DualprevLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans and floats, and timestamps left as text."""


DualprevLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp")]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
DualprevLoader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
DualprevLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"""^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$""",
        re.X,
    ),
    list("-+0123456789."),
)
# an int-looking scalar must stay an int: the float resolver above also matches "12"
for _first in "-+0123456789":
    DualprevLoader.yaml_implicit_resolvers[_first].sort(key=lambda tr: tr[0] != "tag:yaml.org,2002:int")


class FastPathRefused(yaml.YAMLError):
    """The fast parse met something it leaves to :func:`load_yaml_with_lines` (a duplicate key)."""


_CLoader: Any = getattr(yaml, "CSafeLoader", None)


def _refuse_duplicates(loader: Any, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    keys = [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)]
    if len(keys) != len(set(keys)):
        raise FastPathRefused("duplicate key")
    return yaml.constructor.SafeConstructor.construct_mapping(loader, node, deep=deep)


if _CLoader is not None:

    class _FastLoader(_CLoader):
        """libyaml's parser with :class:`DualprevLoader`'s scalar rules (resolution is Python)."""

        construct_mapping = _refuse_duplicates

    _FastLoader.yaml_implicit_resolvers = DualprevLoader.yaml_implicit_resolvers


def safe_load_fast(text: str) -> Any:
    """``yaml.safe_load(text)`` (YAML 1.1 scalars, same result) through libyaml when available:
    for the data files bundled with the core and the packs, read at every start."""
    return yaml.load(text, Loader=_CLoader or yaml.SafeLoader)  # noqa: S506 - a safe loader either way


def load_yaml_fast(text: str) -> Any:
    """Parse ``text`` as :func:`load_yaml_with_lines` would, without lines — through libyaml
    (about 10x faster) when PyYAML was built with it.

    For documents that turn out valid, lines are never needed; a caller that finds a problem
    parses again with :func:`load_yaml_with_lines` to report it with its line.

    :raises yaml.YAMLError: malformed YAML, or :class:`FastPathRefused` for a duplicate key
        (which the line-keeping parse reports).
    """
    if _CLoader is None:
        data, _, _, dups = load_yaml_with_lines(text)
        if dups:
            raise FastPathRefused("duplicate key")
        return data
    loader = _FastLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def load_yaml_with_lines(text: str) -> tuple[Any, Lines, Lines, list[tuple[tuple[Any, ...], int]]]:
    """Parse ``text`` once; return the data, the line of every value, the line of every key,
    and the duplicate keys as ``(path, line)``.

    :raises yaml.YAMLError: on malformed YAML (callers turn it into a Problem).
    """
    loader = DualprevLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    lines: Lines = {}
    keylines: Lines = {}
    dups: list[tuple[tuple[Any, ...], int]] = []

    def walk(n: yaml.Node, path: tuple[Any, ...]) -> None:
        lines[path] = n.start_mark.line + 1
        if isinstance(n, yaml.MappingNode):
            seen: set[Any] = set()
            for kn, vn in n.value:
                key = kn.value if isinstance(kn, yaml.ScalarNode) else repr(kn)
                if key in seen:
                    dups.append(((*path, key), kn.start_mark.line + 1))
                seen.add(key)
                keylines[(*path, key)] = kn.start_mark.line + 1
                walk(vn, (*path, key))
        elif isinstance(n, yaml.SequenceNode):
            for i, item in enumerate(n.value):
                walk(item, (*path, i))

    if node is not None:
        walk(node, ())
    return data, lines, keylines, dups


def line_of(lines: Lines, path: tuple[Any, ...]) -> int | None:
    """The line of ``path`` or of its nearest ancestor that has one."""
    p = tuple(path)
    while True:
        if p in lines:
            return lines[p]
        if not p:
            return None
        p = p[:-1]
