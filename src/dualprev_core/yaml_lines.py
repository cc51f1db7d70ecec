"""YAML as dualprev reads it: one parse that keeps the line of every value and key, and reports
duplicate keys (a plain YAML load keeps the last value silently — a user's record lost).

Scalars follow YAML 1.2 (only ``true``/``false`` are booleans, so ``on:`` stays a key and
``yes`` a string; ``1e-5`` is a float), and timestamps stay text so that times are read by the
formats' own rules (the enterprise file's +08:00 default).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import yaml

from dualprev_core.errors import Problem, ValidationError, excerpt
from dualprev_core.limits import check_structure, get_limits, read_text

__all__ = ["DualprevLoader", "NestingTooDeep", "LineTooLong", "load_yaml_with_lines", "load_yaml_fast", "safe_load_fast", "FastPathRefused",
           "line_of", "Lines", "read_document"]

Lines = dict[tuple[Any, ...], int]


class DualprevLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans and floats, and timestamps left as text; flow
    collections (``[…]``, ``{…}``) nested deeper than ``max_depth`` stop the scanner at once
    (PyYAML's scanner is quadratic in the flow depth: 5,000 ``[`` took minutes)."""

    def fetch_flow_collection_start(self, TokenClass: Any) -> None:  # noqa: N803 - PyYAML's name
        if self.flow_level >= get_limits().max_depth:
            raise NestingTooDeep(self.get_mark())
        super().fetch_flow_collection_start(TokenClass)

    def add_indent(self, column: int) -> bool:
        if len(self.indents) >= get_limits().max_depth:  # block collections nested as deep
            raise NestingTooDeep(self.get_mark())
        return bool(super().add_indent(column))


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
    for the data files bundled with the core and the packs, read at every start.

    A document JSON holds exactly (a mapping of text keys, no dates or NaN) is kept in the
    cache of decoded documents (:mod:`dualprev_core.doc_cache`) under the hash of its
    text, so later starts read JSON instead of constructing YAML.
    """
    from dualprev_core.doc_cache import cached_document, store_document

    doc = cached_document(text, "yaml-1.1")
    if doc is None:
        doc = yaml.load(text, Loader=_CLoader or yaml.SafeLoader)  # noqa: S506 - a safe loader either way
        store_document(text, "yaml-1.1", doc)
    return doc


def load_yaml_fast(text: str) -> Any:
    """Parse ``text`` as :func:`load_yaml_with_lines` would, without lines — through libyaml
    (about 10x faster) when PyYAML was built with it.

    For documents that turn out valid, lines are never needed; a caller that finds a problem
    parses again with :func:`load_yaml_with_lines` to report it with its line.

    :raises yaml.YAMLError: malformed YAML, or :class:`FastPathRefused` for a duplicate key
        (which the line-keeping parse reports).
    """
    _refuse_long_lines(text)
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
class NestingTooDeep(yaml.YAMLError):
    """The document nests deeper than ``max_depth`` (or than the parser can follow)."""

    def __init__(self, mark: Any = None) -> None:
        self.problem = f"nested more than max_depth={get_limits().max_depth} levels deep"
        self.problem_mark = mark
        super().__init__(self.problem)

    def __str__(self) -> str:
        return self.problem


class LineTooLong(yaml.YAMLError):
    """A line longer than any text value may be: the pure-Python scanner would crawl through it."""

    def __init__(self, line: int, length: int, limit: int) -> None:
        self.problem = f"line {line} is {length} characters long, over the limit max_string={limit}"
        self.problem_mark = yaml.Mark("<text>", 0, line - 1, 0, None, None)
        super().__init__(self.problem)

    def __str__(self) -> str:
        return self.problem


def _refuse_long_lines(text: str) -> None:
    limit = get_limits().max_string + 100  # the value, its key and indentation
    if len(text) <= limit:
        return
    # jump from the last newline of each window of `limit` characters: O(len(text)), few steps
    pos, end = 0, len(text)
    while end - pos > limit:
        nl = text.rfind("\n", pos, pos + limit + 1)
        if nl < 0:
            stop = text.find("\n", pos)
            length = (stop if stop >= 0 else end) - pos
            raise LineTooLong(text.count("\n", 0, pos) + 1, length, limit - 100)
        pos = nl + 1


def load_yaml_with_lines(text: str) -> tuple[Any, Lines, Lines, list[tuple[tuple[Any, ...], int]]]:
    """Parse ``text`` once; return the data, the line of every value, the line of every key,
    and the duplicate keys as ``(path, line)``.

    :raises yaml.YAMLError: on malformed YAML (callers turn it into a Problem).
    """
    _refuse_long_lines(text)
    loader = DualprevLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except RecursionError:
        raise NestingTooDeep() from None
    finally:
        loader.dispose()
    lines: Lines = {}
    keylines: Lines = {}
    dups: list[tuple[tuple[Any, ...], int]] = []

    walked: set[int] = set()  # aliases share a node: walk it once (an alias bomb stays linear)

    def walk(n: yaml.Node, path: tuple[Any, ...]) -> None:
        lines[path] = n.start_mark.line + 1
        if isinstance(n, yaml.CollectionNode):
            if id(n) in walked:
                return
            walked.add(id(n))
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
        try:
            walk(node, ())
        except RecursionError:  # deeper than the interpreter allows: the caller's limit check names it
            pass
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


def read_document(path: str | os.PathLike[str], *, what: str = "file", finite: bool = True) -> Any:
    """A small YAML or JSON input (a rectification plan, say) read through every limit.

    :raises ValidationError: naming the file, for everything :func:`read_text` refuses, for
        malformed YAML/JSON (the reason and line, never the text) and for a broken limit.
    """
    p = Path(path)
    source = str(p)
    text = read_text(p, what=what)
    is_json = p.suffix.lower() in (".json", ".geojson")
    try:
        data = json.loads(text) if is_json else load_yaml_with_lines(text)[0]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = excerpt(str(getattr(exc, "problem", None) or exc), 200)
        raise ValidationError([Problem("", f"invalid YAML: {reason}", source, mark.line + 1 if mark else None)], source=source) from None
    except RecursionError:
        raise ValidationError([Problem("", f"nested more than max_depth={get_limits().max_depth} levels deep", source)], source=source) from None
    except ValueError as exc:  # JSONDecodeError, or an integer of thousands of digits
        msg = getattr(exc, "msg", None) or excerpt(str(exc))
        raise ValidationError([Problem("", f"invalid {'JSON' if is_json else 'YAML'}: {msg}", source, getattr(exc, "lineno", None))],
                              source=source) from None
    check_structure(data, source, finite=finite, shared=not is_json)
    return data
