"""The engine interface and :func:`make_engine`, which picks durable-rules or the reference.

Choice: ``kind="durable"`` or ``"reference"`` forces one; ``kind="auto"`` (the default) uses
durable-rules when it can be imported and otherwise the reference engine, with one
:class:`EngineFallbackWarning`.  The environment variable ``DUALPREV_RULES_ENGINE`` (``durable``
or ``reference``) overrides ``"auto"``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any, Protocol, runtime_checkable

from dualprev_core.errors import InvalidInput, suggest
from dualprev_core.rules.format import Match, RuleSet
from dualprev_core.rules.reference import ReferenceEngine
from dualprev_core.rules.semantics import EngineFallbackWarning, RuleEngineError, warn_fallback

__all__ = ["Engine", "make_engine", "durable_available", "ENGINE_KINDS"]

#: ``durable``: durable-rules in a supervised worker process (a C fault cannot kill the host);
#: ``durable-inprocess``: the same engine in this process (faster, opt-in: a segfault in
#: durable-rules' C code ends the process); ``reference``: the pure-Python engine.
ENGINE_KINDS = ("auto", "durable", "durable-inprocess", "reference")


@runtime_checkable
class Engine(Protocol):
    """What every rule engine offers (both are synchronous, single-process, thread-safe)."""

    kind: str

    @property
    def rules(self) -> tuple[str, ...]:
        """``"<ruleset>/<rule>"`` of every enabled rule loaded, in load order."""
        ...

    @property
    def now(self) -> float | None:
        """The engine's event-time clock (epoch seconds), ``None`` before any time is known."""
        ...

    def tick(self) -> list[Match]:
        """Read the clock given at creation and advance to it."""
        ...

    def __enter__(self) -> Engine:
        ...

    def __exit__(self, *exc: object) -> None:
        ...

    def load(self, rulesets: RuleSet | Mapping[str, Any] | str | Iterable[Any]) -> list[Match]:
        """Load rule sets; returns matches that start against the facts already present."""
        ...

    def assert_facts(self, facts: Iterable[Mapping[str, Any]]) -> list[Match]:
        """Assert or update facts in order; returns the matches that started."""
        ...

    def assert_fact(self, fact: Mapping[str, Any]) -> list[Match]:
        """Assert or update one fact."""
        ...

    def retract_fact(self, type: str, key: str) -> list[Match]:  # noqa: A002
        """Retract a fact; returns matches that start because a ``none`` became true."""
        ...

    def post_events(self, events: Iterable[Mapping[str, Any]]) -> list[Match]:
        """Process events in time order; returns the matches they triggered."""
        ...

    def advance_clock(self, t: float) -> list[Match]:
        """Move event time forward; returns the ``silence`` matches that became due."""
        ...

    def matches(self, *, clear: bool = False) -> list[Match]:
        """Every match emitted so far."""
        ...

    def current_matches(self) -> list[Match]:
        """Fact tuples satisfying their rule now."""
        ...

    def close(self) -> None:
        """Release the engine."""
        ...


def durable_available() -> str | None:
    """``None`` when durable-rules imports, else the reason it does not."""
    try:
        import durable_rules_engine  # noqa: F401
    except Exception as exc:  # ImportError, or undefined symbols on Python 3.13
        return f"{type(exc).__name__}: {exc}"
    return None


def make_engine(kind: str = "auto", *, clock: Any = None) -> Engine:
    """Create a rule engine.

    :param kind: ``"auto"``, ``"durable"`` (supervised worker process), ``"durable-inprocess"``
        (opt-in, faster, a C fault ends the process) or ``"reference"``.
    :param clock: initial event time (epoch seconds), or a callable / ``Clock`` that
        :meth:`tick` reads.  No wall clock is ever read otherwise.
    :raises InvalidInput: for an unknown kind (here or in ``DUALPREV_RULES_ENGINE``).
    :raises RuleEngineError: when ``"durable"`` is forced but cannot be imported.
    """
    if kind not in ENGINE_KINDS:
        raise InvalidInput(f"engine kind must be one of {', '.join(ENGINE_KINDS)} (got {kind!r}){suggest(str(kind), ENGINE_KINDS)}")
    if kind == "auto":
        env = os.environ.get("DUALPREV_RULES_ENGINE", "").strip()
        if env:
            if env not in ENGINE_KINDS[1:]:
                raise InvalidInput(f"DUALPREV_RULES_ENGINE must be one of {', '.join(ENGINE_KINDS[1:])} (got {env!r})")
            kind = env
    if kind == "reference":
        return ReferenceEngine(clock=clock)
    reason = durable_available()
    if reason is not None:
        if kind != "auto":
            raise RuleEngineError(f"the durable-rules engine is unavailable: {reason}")
        warn_fallback(reason)
        return ReferenceEngine(clock=clock)
    if kind == "durable-inprocess":
        from dualprev_core.rules.durable import DurableEngine

        return DurableEngine(clock=clock)
    from dualprev_core.rules.supervised import SupervisedEngine

    return SupervisedEngine(clock=clock)


__all__ += ["EngineFallbackWarning"]
