"""``matches`` conditions run in linear time: patterns are compiled by RE2 (google-re2).

RE2 guarantees time linear in the length of the text, whatever the pattern, so a rule file
cannot make an assessment hang (``'^(a+)+$'`` against thirty ``a`` and a ``!`` returns at once).
Its syntax is Python's without backreferences (``\\1``) and lookaround (``(?=``, ``(?!``,
``(?<=``, ``(?<!``); ``\\d``, ``\\w`` and ``\\s`` are ASCII-only (write ``[0-9]``, or a class of
the characters meant, for other scripts).  A pattern RE2 cannot compile is refused at
``rules check`` with RE2's reason.

Both engines evaluate ``matches`` on the host through :func:`compiled`, so they agree on every
pattern.  Without google-re2 installed (it is a dependency; its wheels cover the usual
platforms) every ``matches`` condition is refused at load time, never run on a backtracking
engine.
"""

from __future__ import annotations

from typing import Any, Protocol

from dualprev_core.errors import RuleEngineError, excerpt
from dualprev_core.limits import get_limits

__all__ = ["compiled", "regex_problem", "re2_available", "LinearPattern"]


class LinearPattern(Protocol):
    """What a compiled pattern offers (RE2's object)."""

    def search(self, text: str) -> Any: ...


try:
    import re2 as _re2
except ImportError as _exc:  # pragma: no cover - google-re2 is a dependency
    _re2 = None
    _MISSING = f"{type(_exc).__name__}: {_exc}"
else:
    _MISSING = ""

_OPTIONS: Any = None
_CACHE: dict[str, Any] = {}


def re2_available() -> bool:
    """Whether google-re2 imports (``matches`` conditions need it)."""
    return _re2 is not None


def _options() -> Any:
    global _OPTIONS
    if _OPTIONS is None and _re2 is not None:
        o = _re2.Options()
        o.log_errors = False  # RE2 would print its parse errors on stderr
        o.max_mem = 8 << 20  # the DFA's memory; a pattern needing more is refused at check time
        _OPTIONS = o
    return _OPTIONS


def regex_problem(pattern: str) -> str | None:
    """Why ``pattern`` cannot be a ``matches`` value, or ``None`` when it can."""
    limit = get_limits().max_regex_chars
    if len(pattern) > limit:
        return f"regular expression of {len(pattern)} characters is over the limit max_regex_chars={limit}"
    if _re2 is None:
        return (f"op 'matches' needs google-re2, the linear-time regular expression engine ({_MISSING}); "
                "install it (pip install google-re2)")
    try:
        compiled(pattern)
    except Exception as exc:  # re2.error carries RE2's reason as bytes
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        return (f"bad regular expression {excerpt(pattern)}: {excerpt(str(reason), 120)} (the RE2 dialect: "
                "no backreferences or lookaround; see docs/rules.md)")
    return None


def compiled(pattern: str) -> LinearPattern:
    """The RE2-compiled pattern (cached).

    :raises Exception: RE2's error for a pattern it cannot compile (validated files never have one).
    """
    r = _CACHE.get(pattern)
    if r is None:
        if _re2 is None:
            raise RuleEngineError(f"op 'matches' needs google-re2 ({_MISSING})")
        r = _re2.compile(pattern, _options())
        if len(_CACHE) < 10_000:
            _CACHE[pattern] = r
    return r
