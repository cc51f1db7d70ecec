"""Limits that protect the process from hostile or broken input files.

Every file dualprev reads (enterprise, inspections, rule files, readings, rectification plans,
ledgers, store imports) goes through :func:`read_text` and, once decoded, :func:`check_structure`: a file too
large, not UTF-8, nested too deep, expanding through YAML aliases into too many nodes, holding
a text, list or number too large, is refused with a :class:`~dualprev_core.errors.ValidationError`
naming the file, the path and the limit, before any work is done on it.

The limits are explicit and configurable (docs/limits.md): :func:`set_limits` in a program, or
the environment variable ``DUALPREV_LIMITS`` (``"max_file_bytes=500000000,max_depth=100"``) for
the command line.  Each has a test at its edge (tests/hostile/).
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from dualprev_core.errors import InvalidInput, Problem, ValidationError, excerpt

__all__ = [
    "Limits",
    "DEFAULT_LIMITS",
    "get_limits",
    "set_limits",
    "limits_override",
    "read_text",
    "check_structure",
    "structure_problems",
    "LIMITS_ENV",
]

#: Environment variable read once at first use: ``name=value`` pairs separated by commas.
LIMITS_ENV = "DUALPREV_LIMITS"


@attrs.frozen
class Limits:
    """The input limits (see docs/limits.md for why each default is what it is).

    :param max_file_bytes: largest input file read (bytes).
    :param max_depth: deepest nesting of mappings and lists in a document.
    :param max_nodes: most values a document may hold once YAML aliases are expanded.
    :param max_string: longest text value or key (characters).
    :param max_list: longest list in a document.
    :param max_int_digits: most digits of an integer.
    :param max_line_chars: longest line of a line-based file (ledger, readings).
    :param max_area_depth: deepest chain of areas (parent of parent …) in an enterprise.
    :param max_rules: most rules in one rule file.
    :param max_in_list: most values of an ``in``/``not_in`` condition.
    :param max_regex_chars: longest ``matches`` pattern.
    :param max_unbounded_joins: most fact patterns of a rule that no equality ``ref`` ties to
        an earlier pattern (each multiplies the tuples a rule may have to consider).
    :param max_tuples_per_step: most candidate tuples one rule may examine in one step of the
        reference engine before the step is stopped with an error naming the rule.
    """

    max_file_bytes: int = 64 * 2**20
    max_depth: int = 64
    max_nodes: int = 5_000_000
    max_string: int = 100_000
    max_list: int = 1_000_000
    max_int_digits: int = 30
    max_line_chars: int = 1_000_000
    max_area_depth: int = 64
    max_rules: int = 4_096
    max_in_list: int = 1_000
    max_regex_chars: int = 1_000
    max_unbounded_joins: int = 2
    max_tuples_per_step: int = 2_000_000

    def replace(self, **changes: Any) -> Limits:
        """A copy with some limits changed (each must be a positive integer)."""
        names = {a.name for a in attrs.fields(Limits)}
        for k, v in changes.items():
            if k not in names:
                raise InvalidInput(f"unknown limit {k!r}; limits: {', '.join(sorted(names))}")
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise InvalidInput(f"limit {k} must be a non-negative integer (got {excerpt(v)})")
        return attrs.evolve(self, **changes)


DEFAULT_LIMITS = Limits()
_current: Limits | None = None


def _from_env() -> Limits:
    text = os.environ.get(LIMITS_ENV, "").strip()
    if not text:
        return DEFAULT_LIMITS
    changes: dict[str, int] = {}
    for part in text.split(","):
        name, sep, value = part.partition("=")
        if not sep:
            raise InvalidInput(f"{LIMITS_ENV}: {excerpt(part)} is not NAME=VALUE")
        changes[name.strip()] = _integer(name.strip(), value.strip())
    return DEFAULT_LIMITS.replace(**changes)


def _integer(name: str, value: str) -> int:
    try:
        return int(value.replace("_", ""))
    except ValueError:
        pass
    try:
        f = float(value)  # 5e8
    except ValueError:
        f = math.nan
    if not (math.isfinite(f) and f.is_integer()):
        raise InvalidInput(f"{LIMITS_ENV}: {name}: {excerpt(value)} is not an integer")
    return int(f)


def get_limits() -> Limits:
    """The limits in force (``DUALPREV_LIMITS`` applied at first use)."""
    global _current
    if _current is None:
        _current = _from_env()
    return _current


def set_limits(limits: Limits | None = None, **changes: Any) -> Limits:
    """Set the limits in force (``limits``, or the current ones with ``changes``); returns the
    previous ones, so a caller can restore them."""
    previous = get_limits()
    global _current
    _current = (limits or previous).replace(**changes) if changes else (limits or previous)
    return previous


@contextlib.contextmanager
def limits_override(**changes: Any) -> Iterator[Limits]:
    """``with limits_override(max_depth=10): ...``: changed limits for a block."""
    previous = set_limits(**changes)
    try:
        yield get_limits()
    finally:
        set_limits(previous)


def read_text(path: str | os.PathLike[str], *, what: str = "file", limits: Limits | None = None) -> str:
    """The text of an input file, UTF-8 (a byte-order mark is skipped).

    :param what: what the file should be (``"rule file"``, ``"readings"``...), for messages.
    :raises ValidationError: naming the file for a missing file or folder, a directory, a file
        over ``max_file_bytes``, an unreadable file, bytes that are not UTF-8 (with the offset,
        never the content) or NUL characters (a binary file).
    """
    lim = limits or get_limits()
    p = Path(path)
    source = str(p)
    head = "" if what == "file" else f"cannot read {what}: "

    def refuse(message: str, line: int | None = None) -> ValidationError:
        return ValidationError([Problem("", head + message, source, line)], source=source)

    try:
        st = p.stat()
    except FileNotFoundError:
        parent = p.parent
        raise refuse("file not found" if parent.is_dir() else f"file not found (folder {excerpt(str(parent))} does not exist)") from None
    except OSError as exc:
        raise refuse(f"cannot read it: {exc.strerror or type(exc).__name__}") from None
    if p.is_dir():
        raise refuse(f"is a directory, not a {what}")
    if st.st_size > lim.max_file_bytes:
        raise refuse(f"{st.st_size} bytes, over the limit max_file_bytes={lim.max_file_bytes} (raise it with {LIMITS_ENV})")
    try:
        with open(p, "rb") as fh:
            # the size first (one read for a regular file), then small steps: a device or a
            # file that grows while it is read stops at the limit
            chunks = [fh.read(st.st_size + 1)] if st.st_size else []
            total = sum(map(len, chunks))
            while total <= lim.max_file_bytes:
                more = fh.read(1 << 20)
                if not more:
                    break
                chunks.append(more)
                total += len(more)
            data = b"".join(chunks)
    except OSError as exc:
        raise refuse(f"cannot read it: {exc.strerror or type(exc).__name__}") from None
    if len(data) > lim.max_file_bytes:  # a device, or a file that grew while it was read
        raise refuse(f"over the limit max_file_bytes={lim.max_file_bytes} (raise it with {LIMITS_ENV})")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise refuse(f"not UTF-8 text: byte 0x{data[exc.start]:02x} at offset {exc.start} cannot be decoded; save it as UTF-8", line) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        raise refuse(f"holds NUL characters: a binary file, not a {what}")
    return text


def _fmt(path: list[Any]) -> str:
    if len(path) > 12:  # a path 5,000 levels deep is named by its ends
        return _fmt(path[:4]) + f"…({len(path) - 8} levels)…" + _fmt(path[-4:])
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else ("." if out else "") + (str(p) if len(str(p)) <= 80 else excerpt(str(p)))
    return out


def structure_problems(
    data: Any, *, limits: Limits | None = None, finite: bool = False, shared: bool = True
) -> list[tuple[str, str]]:
    """The ways ``data`` (decoded JSON/YAML) breaks the limits, as ``(path, message)``; stops
    at the first one (a hostile document could have millions).

    One pass over the containers, level by level (no recursion, and no per-value work beyond a
    type test).  With ``shared`` (YAML, whose aliases make containers shared), a container
    reached a second time triggers an expanded-size count (memoised per container, so an alias
    bomb is measured in linear time), and a container that contains itself is refused; JSON
    never shares containers and passes ``shared=False``.  With ``finite``, NaN and infinities
    are refused too.
    """
    lim = limits or get_limits()
    max_depth, max_string, max_list, max_nodes = lim.max_depth, lim.max_string, lim.max_list, lim.max_nodes
    bound = 10**lim.max_int_digits
    seen: set[int] | None = set() if shared else None
    reused = False
    nodes = 0
    level: list[Any] = [data] if isinstance(data, (Mapping, list, tuple)) else []
    depth = 0
    try:
        if isinstance(data, str) and len(data) > max_string:
            raise _Stop([], f"text of {len(data)} characters is over the limit max_string={max_string}")
        while level:
            if depth >= max_depth:
                raise _Stop(_find(data, level[0]), f"nested more than max_depth={max_depth} levels deep")
            below: list[Any] = []
            push = below.append
            for obj in level:
                if seen is not None:
                    if id(obj) in seen:
                        reused = True
                        continue
                    seen.add(id(obj))
                n = len(obj)
                if n > max_list:
                    kind = "mapping" if isinstance(obj, Mapping) else "list"
                    raise _Stop(_find(data, obj), f"{kind} of {n} entries is over the limit max_list={max_list}")
                nodes += n
                for v in obj.values() if type(obj) is dict else obj if type(obj) is list else _values(obj):
                    t = type(v)
                    if t is str:
                        if len(v) > max_string:
                            raise _Stop(_find(data, v), f"text of {len(v)} characters is over the limit max_string={max_string}")
                    elif t is dict or t is list:
                        push(v)
                    elif t is float:
                        if finite and v - v != 0:  # NaN or an infinity
                            raise _Stop(_find(data, v), f"{v!r} is not a finite number (NaN and infinities are refused; write null for unknown)")
                    elif t is int:
                        if not -bound < v < bound:
                            raise _Stop(_find(data, v), f"integer of more than max_int_digits={lim.max_int_digits} digits refused")
                    elif isinstance(v, (Mapping, list, tuple)):
                        push(v)
            if nodes > max_nodes:
                raise _Stop([], f"holds more than max_nodes={max_nodes} values")
            level = below
            depth += 1
        if reused:
            _expanded_size(data, max_nodes)
    except _Stop as stop:
        return [(_fmt(stop.path), stop.message)]
    return []


def _values(obj: Any) -> Any:
    return obj.values() if isinstance(obj, Mapping) else obj


def _find(root: Any, target: Any) -> list[Any]:
    """The path of ``target`` (by identity; a NaN by being NaN) below ``root``, breadth first."""
    queue: list[tuple[Any, list[Any]]] = [(root, [])]
    seen: set[int] = set()
    while queue:
        obj, path = queue.pop(0)
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        for k, v in obj.items() if isinstance(obj, Mapping) else enumerate(obj):
            if v is target or (isinstance(v, float) and isinstance(target, float) and v != v and target != target):
                return [*path, k]
            if isinstance(v, (Mapping, list, tuple)):
                queue.append((v, [*path, k]))
    return []


def _expanded_size(data: Any, max_nodes: int) -> int:
    """Values of ``data`` with shared containers counted at every use (memoised, so linear in
    the distinct containers); refuses a container that contains itself.  Depth is already
    bounded by the caller's max_depth check."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()

    def size(obj: Any, path: list[Any]) -> int:
        key = id(obj)
        known = sizes.get(key)
        if known is not None:
            return known
        if key in on_path:
            raise _Stop(path, "refers to itself (a recursive YAML alias)")
        on_path.add(key)
        total = 1
        for k, v in obj.items() if isinstance(obj, Mapping) else enumerate(obj):
            if isinstance(v, (Mapping, list, tuple)) and not isinstance(v, str):
                path.append(k)
                total += size(v, path)
                path.pop()
            else:
                total += 1
            if total > max_nodes:
                raise _Stop(path, f"expands to more than max_nodes={max_nodes} values (YAML aliases count at every use)")
        on_path.discard(key)
        sizes[key] = total
        return total

    return size(data, [])


class _Stop(Exception):
    def __init__(self, path: list[Any], message: str) -> None:
        self.path, self.message = list(path), message


def check_structure(data: Any, source: str | None, *, limits: Limits | None = None, finite: bool = False, shared: bool = True) -> None:
    """Raise :class:`ValidationError` if ``data`` breaks a limit (see :func:`structure_problems`)."""
    found = structure_problems(data, limits=limits, finite=finite, shared=shared)
    if found:
        raise ValidationError([Problem(path, message, source) for path, message in found], source=source)

