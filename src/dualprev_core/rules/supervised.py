"""The durable-rules engine in a supervised worker process: a fault in its C code cannot kill
the host.

durable-rules 2.0.28 is unmaintained C; under the deep differential profile it segfaulted in
5 of 8 runs (in ``_send`` ← ``_retract``), each time killing the whole Python process with no
chance for a handler.  :class:`SupervisedEngine` runs :class:`~dualprev_core.rules.durable.DurableEngine`
in a child process and keeps, on the host, the journal of every call that changed the engine
(rule sets loaded, facts asserted and retracted, events, clock moves).  When the worker dies:

1. the death is recorded as an :class:`Incident` (the call, the signal, an excerpt of the input)
   in :attr:`SupervisedEngine.incidents`, and announced with an :class:`EngineRestartWarning`;
2. a new worker is started and re-fed the journal (its matches are not reported again), and the
   call is tried once more;
3. if the call kills that worker too, the input itself triggers the fault: the engine falls back
   to the pure-Python reference engine (same semantics, docs/rules.md), re-fed from the journal,
   and says so in a second incident and warning.  Nothing is lost either way.

Inputs are validated on the host (rule files, facts, events, clock), so bad input raises the same
errors as the in-process engines; only the rule network runs in the worker.

``make_engine("durable")`` (and ``"auto"`` when durable-rules imports) gives this engine;
``make_engine("durable-inprocess")`` gives the in-process one, faster (no pipe) and opt-in: a
segfault there ends the embedding process.  See docs/limits.md.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from dualprev_core.errors import EngineFallbackWarning, InvalidInput, RuleEngineError, excerpt
from dualprev_core.rules.format import Match, RuleSet
from dualprev_core.rules.semantics import check_event, check_fact
from dualprev_core.rules.validation import load_ruleset

__all__ = ["SupervisedEngine", "Incident", "EngineRestartWarning"]


class EngineRestartWarning(EngineFallbackWarning):
    """The durable worker died; it was restarted (or replaced by the reference engine)."""


@attrs.frozen
class Incident:
    """One death of the durable worker.

    :ivar at: wall-clock time (epoch seconds) it was noticed.
    :ivar call: the engine call that was running (``assert_facts``...).
    :ivar cause: how the worker ended (``signal SIGSEGV``, ``exit code 1``...).
    :ivar input: an excerpt of the call's input.
    :ivar action: ``restarted`` (a new worker, re-fed, took the call) or ``fell back to the
        reference engine`` (the call killed the new worker too).
    """

    at: float
    call: str
    cause: str
    input: str
    action: str

    def __str__(self) -> str:
        return f"durable worker died ({self.cause}) during {self.call}({self.input}); {self.action}"


class _WorkerDied(Exception):
    def __init__(self, cause: str) -> None:
        super().__init__(cause)
        self.cause = cause


class SupervisedEngine:
    """The durable-rules engine, run in a supervised worker process (see the module docs).

    Same interface as the other engines (:class:`~dualprev_core.rules.Engine`).

    :param clock: initial event time (epoch seconds), or a callable / ``Clock`` that :meth:`tick` reads.
    :param fallback: use the reference engine when a call kills the worker twice (default);
        with ``False`` a :class:`RuleEngineError` is raised instead.
    :param timeout: seconds one call may take before the worker is considered hung and killed
        (``None``: no limit).
    """

    kind = "durable"
    #: how the worker runs; ``"in-process"`` is :class:`~dualprev_core.rules.durable.DurableEngine`
    mode = "supervised"

    def __init__(self, *, clock: Any = None, fallback: bool = True, timeout: float | None = None) -> None:
        self._clock_source = clock if clock is not None and not isinstance(clock, (int, float)) else None
        self._initial = float(clock) if isinstance(clock, (int, float)) and not isinstance(clock, bool) else None
        self._fallback_allowed = fallback
        self._timeout = timeout
        self._lock = threading.RLock()
        self._journal: list[tuple[str, tuple[Any, ...]]] = []
        self._history: list[Match] = []
        self._rulesets: dict[str, RuleSet] = {}
        self._rule_names: list[str] = []
        self._now: float | None = self._initial
        self._closed = False
        self._reference: Any = None
        self._proc: subprocess.Popen[bytes] | None = None
        #: every death of the worker, in order
        self.incidents: list[Incident] = []
        #: calls to crash on, for tests: method name -> how many times
        self._faults: dict[str, int] = {}
        self._start()

    # ------------------------------------------------------------------ the worker
    def _start(self) -> None:
        # a fresh interpreter (not fork): no host threads or locks are inherited, and the host's
        # __main__ is never re-imported as multiprocessing's spawn would
        proc = subprocess.Popen([sys.executable, "-m", "dualprev_core.rules._durable_worker"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, close_fds=True)
        self._proc = proc
        self._send(self._initial)

    def _send(self, obj: Any) -> None:
        proc = self._proc
        if proc is None or proc.stdin is None:
            raise _WorkerDied("worker gone")
        try:
            pickle.dump(obj, proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise _WorkerDied(self._cause()) from None

    def _stop_worker(self) -> None:
        proc = self._proc
        self._proc = None
        if proc is None:
            return
        for stream in (proc.stdin, proc.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        try:
            proc.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)

    def _cause(self) -> str:
        proc = self._proc
        if proc is None:
            return "worker gone"
        try:
            code = proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return "worker stopped answering"
        if code < 0:
            try:
                return f"signal {signal.Signals(-code).name}"
            except ValueError:
                return f"signal {-code}"
        return f"exit code {code}"

    def _call(self, method: str, args: tuple[Any, ...]) -> Any:
        """One call in the worker; raises _WorkerDied if it died (or hung past the timeout)."""
        crash = False
        if self._faults.get(method, 0) > 0:
            self._faults[method] -= 1
            crash = True
        self._send((method, args, crash))
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        if self._timeout is not None and os.name == "posix":
            ready, _, _ = select.select([proc.stdout], [], [], self._timeout)
            if not ready:
                proc.kill()
                proc.wait()
                raise _WorkerDied(f"no answer within {self._timeout} s (killed)")
        try:
            status, value, now = pickle.load(proc.stdout)
        except (EOFError, OSError, pickle.UnpicklingError):
            raise _WorkerDied(self._cause()) from None
        if status == "err":
            raise RuleEngineError(f"durable engine: {value}")
        self._now = now if now is not None else self._now
        return value

    def _replay(self, target: Any) -> None:
        """Feed the journal to a fresh backend (the worker, or the reference engine)."""
        for method, args in self._journal:
            if target is None:
                self._call(method, args)
            else:
                getattr(target, method)(*args)

    def _run(self, method: str, args: tuple[Any, ...], *, journal: bool = True) -> Any:
        with self._lock:
            if self._closed:
                raise RuleEngineError("this durable rule engine is closed")
            if self._reference is not None:
                result = getattr(self._reference, method)(*args)
                self._now = self._reference.now
            else:
                result = self._supervised(method, args)
            if journal:
                self._journal.append((method, args))
            return result

    def _supervised(self, method: str, args: tuple[Any, ...]) -> Any:
        try:
            return self._call(method, args)
        except _WorkerDied as died:
            first = died.cause
        self._record(method, args, first, "restarted; the journal re-fed; the call tried again")
        self._stop_worker()
        try:
            self._start()
            self._replay(None)
            return self._call(method, args)
        except _WorkerDied as died:
            second = died.cause
        self._stop_worker()
        if not self._fallback_allowed:
            self._record(method, args, second, "failed again; no fallback (fallback=False)")
            raise RuleEngineError(f"the durable worker died twice on {method}({_input(args)}): {first}, then {second}")
        self._record(method, args, second, "fell back to the reference engine (re-fed from the journal)")
        from dualprev_core.rules.reference import ReferenceEngine

        ref = ReferenceEngine(clock=self._initial)
        self._replay(ref)
        self._reference = ref
        result = getattr(ref, method)(*args)
        self._now = ref.now
        return result

    def _record(self, method: str, args: tuple[Any, ...], cause: str, action: str) -> None:
        incident = Incident(time.time(), method, cause, _input(args), action)
        self.incidents.append(incident)
        warnings.warn(str(incident), EngineRestartWarning, stacklevel=4)

    # ------------------------------------------------------------------ the interface
    @property
    def backend(self) -> str:
        """``"durable (supervised worker)"``, or ``"reference (fallback)"`` after a fallback."""
        return "reference (fallback)" if self._reference is not None else "durable (supervised worker)"

    def load(self, rulesets: RuleSet | Mapping[str, Any] | str | Any | Iterable[Any]) -> list[Match]:
        """Load rule sets (validated on the host); returns the matches that start."""
        items = [rulesets] if isinstance(rulesets, (RuleSet, Mapping, str)) or hasattr(rulesets, "__fspath__") else list(rulesets)
        sets = [r if isinstance(r, RuleSet) else load_ruleset(r) for r in items]  # type: ignore[arg-type]
        seen = set(self._rulesets)
        for rs in sets:
            if rs.id in seen:
                raise RuleEngineError(f"rule set {rs.id!r} is already loaded in this engine")
            seen.add(rs.id)
        out = self._emit(self._run("load", (sets,)))
        for rs in sets:
            self._rulesets[rs.id] = rs
            self._rule_names += [f"{rs.id}/{r.id}" for r in rs.rules if r.enabled]
        return out

    @property
    def rules(self) -> tuple[str, ...]:
        """``"<ruleset>/<rule>"`` of every enabled rule loaded, in load order."""
        return tuple(self._rule_names)

    def assert_facts(self, facts: Iterable[Mapping[str, Any]]) -> list[Match]:
        """Assert facts in order (checked on the host first); see the reference engine."""
        checked = [check_fact(f) for f in facts]
        return self._emit(self._run("assert_facts", (checked,))) if checked else []

    def assert_fact(self, fact: Mapping[str, Any]) -> list[Match]:
        """Assert (or update) one fact."""
        return self.assert_facts([fact])

    def retract_fact(self, type: str, key: str) -> list[Match]:  # noqa: A002 - the domain's word
        """Retract a fact; returns matches that start (via ``none``)."""
        return self._emit(self._run("retract_fact", (str(type), str(key))))

    def facts(self) -> list[dict[str, Any]]:
        """Copies of every stored fact."""
        return list(self._run("facts", (), journal=False))

    @property
    def now(self) -> float | None:
        """The event-time clock (epoch seconds), ``None`` before any time is known."""
        return self._now

    def post_events(self, events: Iterable[Mapping[str, Any]]) -> list[Match]:
        """Process monitoring events in order (checked on the host first)."""
        checked = [check_event(e) for e in events]
        now = self._now
        for e in checked:  # the order check, here, so that a refused batch changes nothing
            at = float(e["at"])
            if now is not None and at < now:
                raise InvalidInput(f"event {e['type']}:{e['key']} at {at!r} is earlier than the engine clock {now!r}; events must come in time order")
            now = at
        return self._emit(self._run("post_events", (checked,))) if checked else []

    def post_event(self, event: Mapping[str, Any]) -> list[Match]:
        """Process one event."""
        return self.post_events([event])

    def advance_clock(self, t: float) -> list[Match]:
        """Move the event-time clock to ``t`` and fire the ``silence`` rules that became due."""
        import math

        if isinstance(t, bool) or not isinstance(t, (int, float)) or not math.isfinite(t):
            raise InvalidInput(f"clock time must be a finite number of epoch seconds (got {excerpt(t)})")
        if self._now is not None and t < self._now:
            raise InvalidInput(f"the clock cannot go back from {self._now!r} to {t!r}")
        return self._emit(self._run("advance_clock", (float(t),)))

    def tick(self) -> list[Match]:
        """Advance the clock to the injected clock's time."""
        src = self._clock_source
        if src is None:
            raise InvalidInput("tick() needs an injected clock: make_engine(clock=<callable or Clock>)")
        t = src.now() if hasattr(src, "now") else src()
        if hasattr(t, "timestamp"):
            t = t.timestamp()
        return self.advance_clock(t)

    def matches(self, *, clear: bool = False) -> list[Match]:
        """Every match emitted so far (in order); ``clear=True`` empties the history."""
        with self._lock:
            out = list(self._history)
            if clear:
                self._history.clear()
            return out

    def current_matches(self) -> list[Match]:
        """The fact-rule tuples that satisfy their rule now."""
        return list(self._run("current_matches", (), journal=False))

    def _emit(self, matches: list[Match]) -> list[Match]:
        self._history.extend(matches)
        return matches

    def close(self) -> None:
        """Stop the worker (or release the fallback engine). Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._reference is not None:
                self._reference.close()
            proc = self._proc
            if proc is not None and proc.stdout is not None:
                try:
                    self._send(("stop", (), False))
                    if os.name != "posix" or select.select([proc.stdout], [], [], 2)[0]:
                        pickle.load(proc.stdout)
                except (_WorkerDied, EOFError, OSError, pickle.UnpicklingError):
                    pass
            self._stop_worker()
            self._journal.clear()

    def __enter__(self) -> SupervisedEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:  # a forgotten engine does not leave its worker behind
        try:
            if not self._closed:
                self._stop_worker()
        except Exception:
            pass

    # ------------------------------------------------------------------ tests
    def _inject_fault(self, method: str, times: int = 1) -> None:
        """Make the worker die (SIGSEGV) at the next ``times`` calls of ``method`` (tests only)."""
        self._faults[method] = times


def _input(args: tuple[Any, ...]) -> str:
    if not args:
        return ""
    first = args[0]
    if isinstance(first, list) and first and isinstance(first[0], RuleSet):
        return ", ".join(rs.id for rs in first)
    if isinstance(first, list):
        head = excerpt(first[0], 60) if first else "[]"
        return f"{len(first)} item(s), first {head}"
    return ", ".join(excerpt(a, 60) for a in args)
