"""What both engines share: the meaning of conditions, input checks, compiled rules, the
stream layer (``held_for``/``silence``) and the bookkeeping that turns tuples into matches.

A *record* is anything a pattern can bind: a stored fact (discriminator ``f:<type>``), an
event while it is being processed (``e:<type>``), or a trigger made by the stream layer
(``h:<rule>:<pattern>`` for ``held_for``, ``s:<rule>:<pattern>`` for ``silence``).  Records
are identified by ``(disc, rkey)``; a backend reports which tuples of records start and stop
satisfying each rule after every step, and :class:`EngineBase` makes :class:`Match` records.
"""

from __future__ import annotations

import math
import threading
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from dualprev_core.errors import EngineFallbackWarning, InvalidInput, RuleActionError, RuleEngineError
from dualprev_core.rules.format import (
    AnyOf,
    Binding,
    Condition,
    EventPattern,
    FactPattern,
    Match,
    Rule,
    RuleSet,
    SilencePattern,
)
from dualprev_core.rules.regex import compiled
from dualprev_core.rules.validation import MAX_SAFE_INT, load_ruleset

__all__ = [
    "RuleEngineError",
    "RuleActionError",
    "EngineFallbackWarning",
    "EngineBase",
    "CRule",
    "CPattern",
    "MISSING",
    "get",
    "holds",
    "RKey",
    "Tup",
    "Step",
    "kind",
    "canon_number",
    "check_fact",
    "check_event",
    "compile_rule",
    "same",
    "stream_tag",
    "warn_fallback",
]

MISSING: Any = object()
_SCALAR_KINDS = frozenset("zbns")
RKey = tuple[str, str]  # (disc, rkey)
Tup = tuple[RKey, ...]


# --------------------------------------------------------------------------- semantics
def kind(v: Any) -> str:
    """``z`` null, ``b`` bool, ``n`` number, ``s`` string, ``l`` list, ``o`` object."""
    if v is None:
        return "z"
    if isinstance(v, bool):
        return "b"
    if isinstance(v, (int, float)):
        return "n"
    if isinstance(v, str):
        return "s"
    if isinstance(v, (list, tuple)):
        return "l"
    return "o"


def same(a: Any, b: Any) -> bool:
    """Equality of two scalars of the same kind (1 == 1.0; True != 1; '1' != 1)."""
    ka = kind(a)
    return ka == kind(b) and ka in _SCALAR_KINDS and a == b


def get(fields: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    """The value at a dotted path, or :data:`MISSING` (through objects only, never lists)."""
    cur: Any = fields
    for part in path:
        if type(cur) is dict:  # records are plain dicts: skip the (slow) ABC check
            cur = cur.get(part, MISSING)
            if cur is MISSING:
                return MISSING
        elif isinstance(cur, Mapping) and part in cur:
            cur = cur[part]
        else:
            return MISSING
    return cur


def holds(cond: Condition | AnyOf, fields: Mapping[str, Any], env: Mapping[str, Mapping[str, Any]]) -> bool:
    """Whether a condition holds for a record, ``env`` giving the fields of bound aliases.

    This is the definition both engines implement (docs/rules.md, "Conditions").
    """
    if isinstance(cond, AnyOf):
        return any(holds(c, fields, env) for c in cond.items)
    v = get(fields, cond.path)
    op = cond.op
    if op == "exists":
        return v is not MISSING
    if op == "missing":
        return v is MISSING
    if v is MISSING:
        return False
    if cond.ref is not None:
        alias, rpath = cond.ref
        w = get(env[alias], rpath)
        if w is MISSING or kind(v) not in _SCALAR_KINDS or kind(w) not in _SCALAR_KINDS:
            return False
        if op == "eq":
            return same(v, w)
        if op == "ne":
            return not same(v, w)
        if kind(v) != "n" or kind(w) != "n":
            return False
        return _ORDER[op](v, w)
    lit = cond.value
    if op == "eq":
        return same(v, lit)
    if op == "ne":
        return not same(v, lit)
    if op in _ORDER:
        return kind(v) == "n" and _ORDER[op](v, lit)
    if op == "in":
        return any(same(v, x) for x in lit)
    if op == "not_in":
        return not any(same(v, x) for x in lit)
    if op == "between":
        return kind(v) == "n" and lit[0] <= v <= lit[1]
    if op == "matches":
        return kind(v) == "s" and compiled(lit).search(v) is not None  # RE2: linear time
    if op == "contains":
        k = kind(v)
        if k == "l":
            return any(same(x, lit) for x in v)
        return k == "s" and kind(lit) == "s" and lit in v
    raise InvalidInput(f"unknown op {op!r}")  # unreachable: ops are validated at load


_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
}


# --------------------------------------------------------------------------- input checks
def _copy_value(v: Any, where: str) -> Any:
    if v is None or isinstance(v, (str, bool)):
        return v
    if isinstance(v, int):
        if abs(v) > MAX_SAFE_INT:
            raise InvalidInput(f"{where}: integer {v} is outside ±2**53, where numbers stop being exact")
        return v
    if isinstance(v, float):
        if not math.isfinite(v):
            raise InvalidInput(f"{where}: non-finite number {v!r} refused (NaN and infinities cannot be compared)")
        return v
    if isinstance(v, (list, tuple)):
        out = []
        for i, x in enumerate(v):
            if isinstance(x, (Mapping, list, tuple)):
                raise InvalidInput(f"{where}[{i}]: lists hold scalars only (got {type(x).__name__})")
            out.append(_copy_value(x, f"{where}[{i}]"))
        return out
    if isinstance(v, Mapping):
        return _copy_fields(v, where)
    raise InvalidInput(f"{where}: unsupported value type {type(v).__name__} (use str, number, bool, null, list or mapping)")


_NONE = type(None)
#: field names already seen to be valid (non-empty str without '.'): one set lookup each
_GOOD_NAMES: set[str] = set()


def _fast_copy(d: Mapping[str, Any]) -> dict[str, Any] | None:
    """A copy of a flat record of strings, booleans, null and ordinary numbers, else None."""
    good = _GOOD_NAMES
    for k, v in d.items():
        if k not in good:
            if type(k) is not str or not k or "." in k:
                return None
            if len(good) < 10_000:
                good.add(k)
        t = type(v)
        if t is str:
            continue
        if t is float:
            if not -1e308 < v < 1e308:  # also false for NaN
                return None
        elif t is int:
            if not -MAX_SAFE_INT <= v <= MAX_SAFE_INT:
                return None
        elif t is not bool and t is not _NONE:
            return None
    return dict(d)


def _copy_fields(d: Mapping[str, Any], where: str) -> dict[str, Any]:
    out = _fast_copy(d)
    if out is not None:
        return out
    out = {}
    for k, v in d.items():
        if not isinstance(k, str) or not k or "." in k:
            raise InvalidInput(f"{where}: field name {k!r} must be a non-empty string without '.' (dots address nested objects)")
        out[k] = _copy_value(v, f"{where}.{k}")
    return out


def check_fact(fact: Any) -> dict[str, Any]:
    """Validate and copy a fact: ``type`` and ``key`` strings, JSON-like values."""
    if type(fact) is not dict and not isinstance(fact, Mapping):
        raise InvalidInput(f"a fact must be a mapping with 'type' and 'key' (got {type(fact).__name__})")
    t, k = fact.get("type"), fact.get("key")
    if not isinstance(t, str) or not t:
        raise InvalidInput(f"a fact needs a non-empty string 'type' (got {t!r})")
    if not isinstance(k, str) or not k:
        raise InvalidInput(f"fact of type {t!r}: needs a non-empty string 'key' (got {k!r})")
    out = _fast_copy(fact)
    return out if out is not None else _copy_fields(fact, f"fact {t}:{k}")


def check_event(ev: Any) -> dict[str, Any]:
    """Validate and copy an event: ``type``, ``key`` strings and ``at`` (epoch seconds)."""
    if type(ev) is not dict and not isinstance(ev, Mapping):
        raise InvalidInput(f"an event must be a mapping with 'type', 'key' and 'at' (got {type(ev).__name__})")
    t, k, at = ev.get("type"), ev.get("key"), ev.get("at")
    if not isinstance(t, str) or not t:
        raise InvalidInput(f"an event needs a non-empty string 'type' (got {t!r})")
    if not isinstance(k, str) or not k:
        raise InvalidInput(f"event of type {t!r}: needs a non-empty string 'key' (got {k!r})")
    if isinstance(at, bool) or not isinstance(at, (int, float)) or not math.isfinite(at):
        raise InvalidInput(f"event {t}:{k}: 'at' must be a finite number of epoch seconds (got {at!r})")
    out = _fast_copy(ev)
    return out if out is not None else _copy_fields(ev, f"event {t}:{k}")


def stream_tag(v: Any) -> str | None:
    """A canonical text for a scalar (numbers: 1 and 1.0 give the same tag), else None."""
    k = kind(v)
    if k == "s":
        return "s:" + v
    if k == "n":
        return "n:" + canon_number(v)
    if k == "b":
        return "b:1" if v else "b:0"
    if k == "z":
        return "z:"
    return None


def canon_number(v: float | int) -> str:
    """Canonical decimal text of a number: integral values print as integers."""
    if isinstance(v, float):
        if v.is_integer():
            return str(int(v))
        return repr(v)
    return str(v)


# --------------------------------------------------------------------------- compiled rules
@attrs.frozen
class CPattern:
    """A positive pattern as engines see it: bind ``alias`` to a record of ``disc``."""

    alias: str
    disc: str
    where: tuple[Any, ...]
    src: Any  # the FactPattern / EventPattern / SilencePattern


@attrs.frozen
class CRule:
    """A rule compiled for the engines; ``index`` is global to the engine (load order)."""

    index: int
    ruleset: RuleSet
    rule: Rule
    positives: tuple[CPattern, ...]
    nones: tuple[tuple[str, tuple[Any, ...]], ...]
    #: (positive index, pattern) of the held_for / silence pattern, if any
    held: tuple[int, EventPattern] | None
    silence: tuple[int, SilencePattern] | None
    #: alias -> dotted field names the rule reads from that alias
    used: Mapping[str, tuple[str, ...]] = attrs.field(eq=False)

    @property
    def name(self) -> str:
        return f"{self.ruleset.id}/{self.rule.id}"

    @property
    def discs(self) -> frozenset[str]:
        return frozenset([p.disc for p in self.positives] + [d for d, _ in self.nones])


def _walk_conds(conds: Iterable[Any]) -> Iterable[Condition]:
    for c in conds:
        if isinstance(c, AnyOf):
            yield from _walk_conds(c.items)
        else:
            yield c


def compile_rule(index: int, rs: RuleSet, rule: Rule) -> CRule:
    """Give every pattern its record discriminator and collect the fields the rule reads."""
    positives: list[CPattern] = []
    held = silence = None
    for p in rule.positive:
        if isinstance(p, FactPattern):
            positives.append(CPattern(p.alias, "f:" + p.type, p.where, p))
        elif isinstance(p, EventPattern):
            if p.held_for is not None:
                held = (len(positives), p)
                positives.append(CPattern(p.alias, f"h:{index}:{len(positives)}", (), p))
            else:
                positives.append(CPattern(p.alias, "e:" + p.type, p.where, p))
        elif isinstance(p, SilencePattern):
            silence = (len(positives), p)
            positives.append(CPattern(p.alias, f"s:{index}:{len(positives)}", (), p))
    nones = tuple(("f:" + n.type, n.where) for n in rule.negations)
    used: dict[str, list[str]] = {p.alias: [] for p in positives}
    for cp in positives:
        conds = cp.where if not isinstance(cp.src, EventPattern) or cp.src.held_for is None else cp.src.where
        for c in _walk_conds(conds):
            used[cp.alias].append(".".join(c.path))
            if c.ref:
                used[c.ref[0]].append(".".join(c.ref[1]))
        if isinstance(cp.src, (EventPattern, SilencePattern)) and cp.src.per:
            used[cp.alias].append(".".join(cp.src.per))
    for _, where in nones:
        for c in _walk_conds(where):
            if c.ref:
                used[c.ref[0]].append(".".join(c.ref[1]))
    return CRule(
        index=index,
        ruleset=rs,
        rule=rule,
        positives=tuple(positives),
        nones=nones,
        held=held,
        silence=silence,
        used={a: tuple(dict.fromkeys(v)) for a, v in used.items()},
    )


# --------------------------------------------------------------------------- stream layer
class _Streams:
    """``held_for`` runs and ``silence`` watches, identical for both engines."""

    def __init__(self) -> None:
        self.held: dict[str, list[tuple[CRule, int, EventPattern]]] = {}
        self.silence: dict[str, list[tuple[CRule, int, SilencePattern]]] = {}
        self.silence_order: list[tuple[CRule, int, SilencePattern]] = []
        self.runs: dict[tuple[int, str], list[Any]] = {}  # (rule, stream) -> [since, fired]
        self.last: dict[tuple[int, str], tuple[float, str, Any]] = {}  # (rule, stream) -> (at, key, per value)
        self.quiet: set[tuple[int, str]] = set()

    def add(self, cr: CRule) -> None:
        if cr.held is not None:
            j, p = cr.held
            self.held.setdefault(p.type, []).append((cr, j, p))
        if cr.silence is not None:
            j, s = cr.silence
            self.silence.setdefault(s.type, []).append((cr, j, s))
            self.silence_order.append((cr, j, s))

    def on_event(self, ev: Mapping[str, Any], probes: set[tuple[int, int]]) -> list[tuple[CRule, int, dict[str, Any]]]:
        """Update runs and watches with one event; return held triggers in rule order."""
        t, at = ev["type"], ev["at"]
        out = []
        for cr, j, p in self.held.get(t, ()):
            tag = stream_tag(get(ev, p.per)) if p.per else None
            if tag is None:
                continue
            k = (cr.index, tag)
            if (cr.index, j) in probes:
                run = self.runs.get(k)
                if run is None:
                    run = self.runs[k] = [at, False]
                if not run[1] and at - run[0] >= p.held_for:
                    run[1] = True
                    out.append((cr, j, dict(ev, held_since=run[0])))
            else:
                self.runs.pop(k, None)
        for cr, _j, s in self.silence.get(t, ()):
            pv = get(ev, s.per)
            tag = stream_tag(pv)
            if tag is None:
                continue
            self.last[(cr.index, tag)] = (at, ev["key"], pv)
            self.quiet.discard((cr.index, tag))
        return out

    def on_clock(self, now: float) -> list[tuple[CRule, int, dict[str, Any]]]:
        """Silence triggers due at ``now``, in rule order then stream order."""
        out = []
        for cr, j, s in self.silence_order:
            keys = sorted(k for k in self.last if k[0] == cr.index)
            for k in keys:
                if k in self.quiet:
                    continue
                at, key, pv = self.last[k]
                if now - at >= s.seconds:
                    self.quiet.add(k)
                    rec: dict[str, Any] = {"type": s.type, "key": key, "last_at": at}
                    _set_path(rec, s.per, pv)
                    out.append((cr, j, rec))
        return out


def _set_path(d: dict[str, Any], path: tuple[str, ...], v: Any) -> None:
    for p in path[:-1]:
        d = d.setdefault(p, {})
    d[path[-1]] = v


# --------------------------------------------------------------------------- engine base
Step = tuple[list[tuple[int, Tup]], list[tuple[int, Tup]]]  # (started, stopped)


class EngineBase:
    """The common interface (see :class:`~dualprev_core.rules.Engine`) and bookkeeping.

    Subclasses implement ``_b_load``, ``_b_put``, ``_b_remove`` and ``_b_close``; everything
    else (input checks, clock, streams, matches) is here, so the two engines can differ only
    in how they find tuples.
    """

    kind = "base"
    #: keep ``_by_disc`` (records grouped by discriminator) for backends that scan it
    _index_by_disc = True

    def __init__(self, *, clock: Any = None) -> None:
        self._lock = threading.RLock()
        self._rules: list[CRule] = []
        self._rulesets: dict[str, RuleSet] = {}
        self._records: dict[RKey, dict[str, Any]] = {}
        self._by_disc: dict[str, dict[str, dict[str, Any]]] = {}
        #: fact tuples satisfying their rule now -> their Match, or just its ``facts`` snapshot
        #: until :meth:`current_matches` needs the Match (see :meth:`_emit`)
        self._current: dict[tuple[int, Tup], Match | dict[str, dict[str, Any]]] = {}
        self._history: list[Match] = []
        self._streams = _Streams()
        self._seq = 0
        self._at: float | None = None
        self._probes: set[tuple[int, int]] = set()
        self._snap_plans: dict[int, tuple[tuple[tuple[str, tuple[str, ...] | None], ...], ...]] = {}
        self._closed = False
        self._clock_source = clock if clock is not None and not isinstance(clock, (int, float)) else None
        self._now: float | None = None
        if isinstance(clock, (int, float)) and not isinstance(clock, bool):
            self._now = float(clock)

    # ---- context manager
    def __enter__(self) -> EngineBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Free the engine (for durable: every session and ruleset). Idempotent."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._b_close()

    def _check_open(self) -> None:
        if self._closed:
            raise RuleEngineError(f"this {self.kind} rule engine is closed")

    # ---- loading
    def load(self, rulesets: RuleSet | Mapping[str, Any] | str | Any | Iterable[Any]) -> list[Match]:
        """Load one or several rule sets (:class:`RuleSet`, mapping or file path).

        Rules are evaluated against the facts already asserted; returns the matches that start.

        :raises ValidationError: for an invalid document.
        :raises RuleEngineError: when a rule set id is already loaded.
        """
        with self._lock:
            self._check_open()
            items: list[Any] = [rulesets] if isinstance(rulesets, (RuleSet, Mapping, str)) or hasattr(rulesets, "__fspath__") else list(rulesets)
            sets = [r if isinstance(r, RuleSet) else load_ruleset(r) for r in items]
            seen = set(self._rulesets)
            for rs in sets:
                if rs.id in seen:
                    raise RuleEngineError(f"rule set {rs.id!r} is already loaded in this engine")
                seen.add(rs.id)
            new: list[CRule] = []
            for rs in sets:
                for rule in rs.rules:
                    if rule.enabled:
                        new.append(compile_rule(len(self._rules) + len(new), rs, rule))
            n_before = len(self._rules)
            self._rules.extend(new)
            try:
                step = self._b_load(new)
            except BaseException:
                del self._rules[n_before:]  # a rule the backend refuses leaves nothing behind
                raise
            for rs in sets:
                self._rulesets[rs.id] = rs
            for cr in new:
                self._streams.add(cr)
            return self._emit(step)

    @property
    def rules(self) -> tuple[str, ...]:
        """``"<ruleset>/<rule>"`` of every enabled rule loaded, in load order."""
        return tuple(cr.name for cr in self._rules)

    # ---- facts
    def assert_facts(self, facts: Iterable[Mapping[str, Any]]) -> list[Match]:
        """Assert facts in order; re-asserting an existing ``(type, key)`` updates it.

        :returns: the matches that started, step by step, in order.
        :raises InvalidInput: for a malformed fact (facts before it are already asserted).
        """
        out: list[Match] = []
        with self._lock:
            self._check_open()
            put = self._put
            for fact in facts:
                f = check_fact(fact)
                out += put("f:" + f["type"], f["key"], f)
        return out

    def assert_fact(self, fact: Mapping[str, Any]) -> list[Match]:
        """Assert (or update) one fact; see :meth:`assert_facts`."""
        return self.assert_facts([fact])

    def retract_fact(self, type: str, key: str) -> list[Match]:  # noqa: A002 - the domain's word
        """Retract a fact; unknown facts are ignored. Returns matches that start (via ``none``)."""
        with self._lock:
            self._check_open()
            rk = ("f:" + str(type), str(key))
            if rk not in self._records:
                return []
            self._drop(rk)
            started, stopped = self._b_remove(*rk)
            return self._emit((started, stopped))

    def facts(self) -> list[dict[str, Any]]:
        """Copies of every stored fact."""
        with self._lock:
            return [dict(v) for (d, _), v in self._records.items() if d.startswith("f:")]

    # ---- events and time
    @property
    def now(self) -> float | None:
        """The engine's event-time clock (epoch seconds), ``None`` before any time is known."""
        return self._now

    def post_events(self, events: Iterable[Mapping[str, Any]]) -> list[Match]:
        """Process monitoring events in order (each advances the clock to its ``at`` first).

        :raises InvalidInput: for a malformed event or one earlier than the clock.
        """
        out: list[Match] = []
        with self._lock:
            self._check_open()
            put, emit, remove, drop, streams = self._put, self._emit, self._b_remove, self._drop, self._streams
            for ev in events:
                e = check_event(ev)
                at = float(e["at"])
                now = self._now
                if now is not None and at < now:
                    raise InvalidInput(
                        f"event {e['type']}:{e['key']} at {at!r} is earlier than the engine clock {now!r}; events must come in time order"
                    )
                if now is None or at > now:
                    out += self._advance(at)
                self._seq += 1
                disc, rkey = "e:" + e["type"], f"#{self._seq}"
                out += put(disc, rkey, e, transient=True)
                probes = self._probes
                drop((disc, rkey))
                out += emit(remove(disc, rkey))
                if streams.held or streams.silence:
                    for cr, j, rec in streams.on_event(e, probes):
                        out += self._trigger(cr, j, "h", rec, at)
        return out

    def post_event(self, event: Mapping[str, Any]) -> list[Match]:
        """Process one event; see :meth:`post_events`."""
        return self.post_events([event])

    def advance_clock(self, t: float) -> list[Match]:
        """Move the event-time clock to ``t`` and fire the ``silence`` rules that became due.

        :raises InvalidInput: if ``t`` is not a finite number or is earlier than the clock.
        """
        if isinstance(t, bool) or not isinstance(t, (int, float)) or not math.isfinite(t):
            raise InvalidInput(f"clock time must be a finite number of epoch seconds (got {t!r})")
        with self._lock:
            self._check_open()
            if self._now is not None and t < self._now:
                raise InvalidInput(f"the clock cannot go back from {self._now!r} to {t!r}")
            return self._advance(float(t))

    def tick(self) -> list[Match]:
        """Advance the clock to the injected clock's time (``make_engine(clock=...)``)."""
        src = self._clock_source
        if src is None:
            raise InvalidInput("tick() needs an injected clock: make_engine(clock=<callable or Clock>)")
        t = src.now() if hasattr(src, "now") else src()
        if hasattr(t, "timestamp"):
            t = t.timestamp()
        return self.advance_clock(t)

    def _advance(self, t: float) -> list[Match]:
        out: list[Match] = []
        if self._now is None or t > self._now:
            self._now = t
            for cr, j, rec in self._streams.on_clock(t):
                out += self._trigger(cr, j, "s", rec, t)
        return out

    def _trigger(self, cr: CRule, j: int, kind_: str, rec: dict[str, Any], at: float) -> list[Match]:
        self._seq += 1
        rk = (f"{kind_}:{cr.index}:{j}", f"#{self._seq}")
        out = self._put(*rk, rec, transient=True, at=at)
        out += self._emit(self._b_remove(*self._drop(rk)))
        return out

    # ---- matches
    def matches(self, *, clear: bool = False) -> list[Match]:
        """Every match emitted so far (in order); ``clear=True`` empties the history."""
        with self._lock:
            out = list(self._history)
            if clear:
                self._history.clear()
            return out

    def current_matches(self) -> list[Match]:
        """The fact-rule tuples that satisfy their rule now (transient event tuples excluded)."""
        with self._lock:
            current = self._current
            for k, m in current.items():
                if type(m) is not Match:
                    current[k] = self._rebuild_match(k[0], k[1], m)
            return sorted(current.values(), key=_order_key)  # type: ignore[arg-type]

    # ---- plumbing
    def _put(self, disc: str, rkey: str, fields: dict[str, Any], *, transient: bool = False, at: float | None = None) -> list[Match]:
        rk = (disc, rkey)
        records = self._records
        update = rk in records
        records[rk] = fields
        if self._index_by_disc:
            d = self._by_disc.get(disc)
            if d is None:
                d = self._by_disc[disc] = {}
            d[rkey] = fields
        self._at = at if at is not None else fields.get("at") if transient else None
        if self._probes:
            self._probes = set()
        return self._emit(self._b_put(disc, rkey, fields, update=update))

    def _drop(self, rk: RKey) -> RKey:
        self._records.pop(rk, None)
        if self._index_by_disc:
            d = self._by_disc.get(rk[0])
            if d is not None:
                d.pop(rk[1], None)
        return rk

    def _emit(self, step: Step) -> list[Match]:
        started, stopped = step
        if not started:  # the common case: nothing started (stopped tuples just leave)
            current = self._current
            for ri, tup in stopped:
                current.pop((ri, tup), None)
            return []
        for ri, tup in stopped:
            self._current.pop((ri, tup), None)
        out = []
        for ri, tup in started:
            m = self._make_match(self._rules[ri], tup)
            if all(d[0] == "f" for d, _ in tup):  # "f:<type>": a stored fact (not e:, h:, s:)
                # keep only the snapshot: a Match is five GC-tracked objects, and thousands of
                # long-lived ones make the cyclic GC run full collections (measured: ~2 µs per
                # fact); current_matches() rebuilds an equal Match from it, once
                self._current[(ri, tup)] = m.facts  # type: ignore[assignment]
            out.append(m)
        if len(out) > 1:
            out.sort(key=_order_key)
        self._history.extend(out)
        return out

    def _snap_paths(self, cr: CRule) -> tuple[tuple[tuple[str, tuple[str, ...] | None], ...], ...]:
        """Per positive pattern: (dotted name, split path or None for a top-level field) of
        each field the rule reads."""
        plan = self._snap_plans.get(cr.index)
        if plan is None:
            plan = self._snap_plans[cr.index] = tuple(
                tuple((f, tuple(f.split(".")) if "." in f else None) for f in cr.used[cp.alias]) for cp in cr.positives
            )
        return plan

    def _rebuild_match(self, ri: int, tup: Tup, facts: Any) -> Match:
        """The Match :meth:`_make_match` made for a fact tuple, from its ``facts`` snapshot
        (fact records: type and key are the tuple's ``f:<type>`` and rkey; ``at`` is None)."""
        cr = self._rules[ri]
        return Match(
            ruleset=cr.ruleset.id,
            rule=cr.rule.id,
            pack=cr.ruleset.pack,
            citation=cr.rule.citation,
            outcomes=cr.rule.then,
            bindings=tuple(Binding(cp.alias, d[2:], k) for cp, (d, k) in zip(cr.positives, tup, strict=True)),
            facts=facts,
            at=None,
            salience=cr.rule.salience,
        )

    def _make_match(self, cr: CRule, tup: Tup) -> Match:
        bindings = []
        facts: dict[str, dict[str, Any]] = {}
        at = None
        records = self._records
        for cp, rk, paths in zip(cr.positives, tup, self._snap_paths(cr), strict=True):
            rec = records[rk]
            bindings.append(Binding(cp.alias, rec["type"], rec["key"]))
            snap: dict[str, Any] = {"type": rec["type"], "key": rec["key"]}
            for f, path in paths:
                v = rec.get(f, MISSING) if path is None else get(rec, path)
                if v is not MISSING:
                    snap[f] = list(v) if isinstance(v, list) else v
            if rk[0][0] in "ehs":
                for extra in ("at", "held_since", "last_at"):
                    if extra in rec:
                        snap[extra] = rec[extra]
                at = self._at if self._at is not None else rec.get("at")
            facts[cp.alias] = snap
        return Match(
            ruleset=cr.ruleset.id,
            rule=cr.rule.id,
            pack=cr.ruleset.pack,
            citation=cr.rule.citation,
            outcomes=cr.rule.then,
            bindings=tuple(bindings),
            facts=facts,
            at=at,
            salience=cr.rule.salience,
        )

    # ---- backend hooks
    def _b_load(self, new: list[CRule]) -> Step:  # pragma: no cover - abstract
        raise RuleEngineError("engine backend missing")

    def _b_put(self, disc: str, rkey: str, fields: dict[str, Any], *, update: bool) -> Step:  # pragma: no cover
        raise RuleEngineError("engine backend missing")

    def _b_remove(self, disc: str, rkey: str) -> Step:  # pragma: no cover
        raise RuleEngineError("engine backend missing")

    def _b_close(self) -> None:  # pragma: no cover
        pass


def _order_key(m: Match) -> tuple[Any, ...]:
    return (-m.salience, m.ruleset, m.rule, tuple((b.type, b.key) for b in m.bindings))


def warn_fallback(reason: str) -> None:
    """Emit the one-line notice that the reference engine replaces durable-rules."""
    warnings.warn(f"durable-rules unavailable ({reason}); using the pure-Python reference rule engine", EngineFallbackWarning, stacklevel=3)
