"""The exception hierarchy of dualprev.

Every error the library raises for a user's input derives from :class:`DualprevError`
and also from the nearest builtin, so callers can catch either.  Messages follow the
attrs form: the quoted field or path, the expectation, then ``(got ...)``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

import attrs

__all__ = [
    "DualprevError",
    "InvalidInput",
    "Problem",
    "ValidationError",
    "UnknownReference",
    "PackError",
    "DuplicateContribution",
    "TransitionRejected",
    "suggest",
]


class DualprevError(Exception):
    """Base of every error dualprev raises on purpose."""


class InvalidInput(DualprevError, ValueError):
    """A single value is not acceptable (a grading input, a CLI argument...)."""


class UnknownReference(DualprevError, KeyError):
    """An id, code or name that does not exist; the message suggests the nearest ones."""

    def __str__(self) -> str:  # KeyError quotes its argument; we want the plain sentence
        return str(self.args[0]) if self.args else ""


@attrs.frozen
class Problem:
    """One thing wrong with an input, located by a path such as ``risks[3].controls[1].level``.

    :param path: where the problem is, in ``a.b[2].c`` form (empty for the document itself).
    :param message: what is wrong, naming the expectation and the value got.
    :param source: the file (or other origin) the input came from, if known.
    :param line: the 1-based line in ``source``, when the format keeps lines (YAML).
    """

    path: str
    message: str
    source: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.source}: " if self.source else ""
        return f"{where}{self.located()}"

    def located(self) -> str:
        """``path: message (line N)`` without the source."""
        at = f"{self.path}: " if self.path else ""
        line = f" (line {self.line})" if self.line is not None else ""
        return f"{at}{self.message}{line}"


class ValidationError(DualprevError, ValueError):
    """Every problem found in one input, reported together.

    :ivar problems: the problems, in document order.
    """

    def __init__(self, problems: Sequence[Problem], *, source: str | None = None) -> None:
        self.problems = tuple(problems)
        self.source = source
        head = f"{source}: " if source else ""
        n = len(self.problems)
        lines = [f"{head}{n} problem{'s' if n != 1 else ''} found"]
        lines += [f"  - {p.located()}" for p in self.problems]
        super().__init__("\n".join(lines))


class PackError(DualprevError, RuntimeError):
    """A pack could not be loaded or contributed something invalid.

    :ivar pack: the name of the pack at fault.
    """

    def __init__(self, pack: str, message: str) -> None:
        self.pack = pack
        super().__init__(f"pack {pack!r}: {message}")


class DuplicateContribution(PackError):
    """Two packs contributed the same id; the message names both."""

    def __init__(self, kind: str, key: str, first: str, second: str) -> None:
        self.kind, self.key, self.first, self.second = kind, key, first, second
        super().__init__(second, f"{kind} {key!r} is already contributed by pack {first!r}")


class TransitionRejected(DualprevError, ValueError):
    """A hidden-danger transition was refused by a guard; nothing changed."""


def suggest(value: str, choices: Iterable[str], n: int = 3) -> str:
    """Return ``" (did you mean 'a', 'b'?)"`` for the nearest choices, or ``""``."""
    close = difflib.get_close_matches(str(value), [str(c) for c in choices], n=n, cutoff=0.5)
    if not close:
        return ""
    return " (did you mean " + ", ".join(repr(c) for c in close) + "?)"
