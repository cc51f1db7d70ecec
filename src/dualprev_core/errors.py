"""The exception hierarchy of dualprev.

Every error the library raises for a user's input derives from :class:`DualprevError`
and also from the nearest builtin, so callers can catch either.  Messages follow the
attrs form: the quoted field or path, the expectation, then ``(got ...)``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence

import attrs

__all__ = [
    "DualprevError",
    "InvalidInput",
    "Problem",
    "ValidationError",
    "UnknownReference",
    "PackError",
    "PackLoadError",
    "DuplicateContribution",
    "TransitionRejected",
    "DataFileError",
    "RuleEngineError",
    "RuleActionError",
    "EngineFallbackWarning",
    "DISABLE_ENV",
    "suggest",
    "excerpt",
    "EXCERPT_CHARS",
    "MAX_MESSAGE_CHARS",
    "MAX_LISTED_PROBLEMS",
]

#: Comma-separated names of packs not to load (the command line's ``--disable-pack`` adds to it).
DISABLE_ENV = "DUALPREV_DISABLE_PACKS"
#: Longest excerpt of a user's value quoted in a message (``excerpt``).
EXCERPT_CHARS = 80
#: Longest message one :class:`Problem` carries; longer ones are cut (a safety net: messages
#: quote values through :func:`excerpt`, so no foreign file is ever echoed whole).
MAX_MESSAGE_CHARS = 2000
#: Problems listed in the text of one :class:`ValidationError` (all stay in ``problems``).
MAX_LISTED_PROBLEMS = 50


def excerpt(value: object, limit: int = EXCERPT_CHARS) -> str:
    """``repr(value)``, cut to about ``limit`` characters with the full length stated.

    Every message that quotes a user's value uses this, so a file given in the wrong place
    (``--plan /etc/shadow``) is never printed back, only its first few characters.
    """
    if isinstance(value, (str, bytes)):
        if len(value) <= limit:
            return repr(value)
        return repr(value[:limit]) + f"… ({len(value)} {'characters' if isinstance(value, str) else 'bytes'})"
    if isinstance(value, dict):
        if len(value) > 8:
            return f"a mapping of {len(value)} entries"
    elif isinstance(value, (list, tuple, set, frozenset)) and len(value) > 8:
        return f"a {type(value).__name__} of {len(value)} items"
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"an integer of about {int(value.bit_length() * 0.30103) + 1} digits"
    try:
        text = repr(value)
    except (ValueError, RecursionError):  # a huge or self-referencing value
        return f"a {type(value).__name__}"
    if len(text) > limit:
        return text[:limit] + f"… ({len(text)} characters)"
    return text


def _cap_message(message: str) -> str:
    message = str(message)
    if len(message) > MAX_MESSAGE_CHARS:
        return message[:MAX_MESSAGE_CHARS] + f"… (message cut at {MAX_MESSAGE_CHARS} characters)"
    return message


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

    path: str = attrs.field(converter=_cap_message)
    message: str = attrs.field(converter=_cap_message)
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
        lines += [f"  - {p.located()}" for p in self.problems[:MAX_LISTED_PROBLEMS]]
        if n > MAX_LISTED_PROBLEMS:
            lines.append(f"  … and {n - MAX_LISTED_PROBLEMS} more (the first {MAX_LISTED_PROBLEMS} are listed)")
        super().__init__("\n".join(lines))


class PackError(DualprevError, RuntimeError):
    """A pack could not be loaded or contributed something invalid.

    :ivar pack: the name of the pack at fault.
    """

    def __init__(self, pack: str, message: str) -> None:
        self.pack = pack
        super().__init__(f"pack {pack!r}: {message}")


class PackLoadError(PackError):
    """Installed packs failed to load, so no decision is taken: a missing pack's criteria would
    silently stop grading.  The message names each pack, why, and how to run without it.

    :ivar errors: pack name → its :class:`PackError`.
    """

    def __init__(self, errors: Mapping[str, PackError]) -> None:
        self.errors = dict(errors)
        self.pack = ", ".join(sorted(self.errors))
        n = len(self.errors)
        lines = [f"{n} installed pack{'s' if n != 1 else ''} could not be loaded, and dualprev takes no decision without "
                 f"{'them' if n != 1 else 'it'}:"]
        lines += [f"  - {e}" for e in self.errors.values()]
        names = ",".join(sorted(self.errors))
        lines.append(f"to run without {'them' if n != 1 else 'it'}, disable {'them' if n != 1 else 'it'} explicitly: "
                     f"{DISABLE_ENV}={names} (or --disable-pack NAME on the command line, disabled=[...] in load_packs)")
        DualprevError.__init__(self, "\n".join(lines))


class DuplicateContribution(PackError):
    """Two packs contributed the same id; the message names both."""

    def __init__(self, kind: str, key: str, first: str, second: str) -> None:
        self.kind, self.key, self.first, self.second = kind, key, first, second
        super().__init__(second, f"{kind} {key!r} is already contributed by pack {first!r}")


class TransitionRejected(DualprevError, ValueError):
    """A hidden-danger transition was refused by a guard; nothing changed.

    :ivar zh: the refusal in Chinese where the guard gives one (``""`` otherwise), for ``--lang zh``.
    """

    zh: str = ""


class DataFileError(DualprevError, ValueError):
    """A data file shipped with dualprev or a pack (taxonomy, variants) is malformed."""


class RuleEngineError(DualprevError, RuntimeError):
    """The rule engine failed (a durable-rules error code, a limit, a closed engine)."""


class RuleActionError(RuleEngineError):
    """An exception was raised while handling a rule's activation; names the rule.

    :ivar rule: ``"<ruleset>/<rule id>"``.
    """

    def __init__(self, rule: str, exc: BaseException) -> None:
        self.rule = rule
        super().__init__(f"rule {rule!r}: action failed: {type(exc).__name__}: {exc}")


class EngineFallbackWarning(UserWarning):
    """``make_engine(kind="auto")`` used the reference engine because durable-rules is missing."""


def suggest(value: str, choices: Iterable[str], n: int = 3) -> str:
    """Return ``" (did you mean 'a', 'b'?)"`` for the nearest choices, or ``""``."""
    text = str(value)
    if len(text) > 200:  # difflib is quadratic: a 10 MB value would stall here
        return ""
    close = difflib.get_close_matches(text, [str(c) for c in choices if len(str(c)) <= 200], n=n, cutoff=0.5)
    if not close:
        return ""
    return " (did you mean " + ", ".join(repr(c) for c in close) + "?)"
