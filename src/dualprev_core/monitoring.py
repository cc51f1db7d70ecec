"""Monitoring early warning: readings as events through the packs' rules.

A :class:`Monitor` takes readings (point, quantity, value, unit, time), checks each against the
enterprise's monitoring points, posts the good ones to the criteria session's rule engine as
``reading`` events (see docs/rules.md for ``held_for`` and ``silence``), and acts on the
outcomes: ``alarm`` raises an :class:`Alarm`; ``open_hidden_danger`` opens (or adds a finding
to) a hidden danger on the control the monitoring point watches, graded by the rule or by the
installed criteria.  Bad readings — unknown point, wrong unit or quantity, NaN, a duplicate, one
earlier than the stream's clock — are reported as :class:`ReadingProblem` records and kept,
never crashed on and never silently dropped.

Reading event fields: ``type: reading``, ``key`` (``<point>@<epoch>``), ``point``, ``quantity``,
``value``, ``unit``, ``at`` (epoch seconds), ``area``, ``control``, plus the point's own facts
under their names.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from dualprev_core.errors import DualprevError, Problem, ValidationError, excerpt, suggest
from dualprev_core.hidden_dangers.ledger import HiddenDanger
from dualprev_core.limits import check_structure, get_limits, read_text, structure_problems
from dualprev_core.model.values import parse_time
from dualprev_core.model.vocabulary import InspectionResult
from dualprev_core.rules import Match

if TYPE_CHECKING:
    from dualprev_core.assessment.assessment import Assessment

__all__ = ["Reading", "ReadingProblem", "Alarm", "FeedResult", "Monitor", "read_readings"]


@attrs.frozen
class Reading:
    """One reading of a monitoring point."""

    point: str
    quantity: str
    value: float
    unit: str
    at: datetime

    @property
    def epoch(self) -> float:
        return self.at.timestamp()


@attrs.frozen
class ReadingProblem:
    """A reading that was not evaluated, and why (kept for the record).

    :ivar where: its origin (``file:line`` or the feed index).
    :ivar kind: ``malformed``, ``unknown_point``, ``wrong_unit``, ``wrong_quantity``,
        ``not_a_number``, ``duplicate``, ``conflicting_duplicate`` or ``out_of_order``.
    """

    where: str
    kind: str
    message: str
    reading: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"where": self.where, "kind": self.kind, "message": self.message, "reading": _jsonable(self.reading)}


@attrs.frozen
class Alarm:
    """An alarm raised by a rule, with the rule's citation and the bound readings."""

    rule: str
    pack: str | None
    level: str
    message: str
    point: str | None
    at: datetime
    citation: Any
    match: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "pack": self.pack, "level": self.level, "message": self.message, "point": self.point,
                "at": self.at.isoformat(), "citation": self.citation.to_dict(), "match": self.match}


@attrs.frozen
class FeedResult:
    """What one reading (or clock advance) caused."""

    alarms: tuple[Alarm, ...] = ()
    hidden_dangers: tuple[HiddenDanger, ...] = ()
    problems: tuple[ReadingProblem, ...] = ()
    actions: tuple[Mapping[str, Any], ...] = ()


_NOTHING = FeedResult()


def _jsonable(d: Mapping[str, Any]) -> dict[str, Any]:
    """The reading as it was given, for the record; long texts are cut (never a whole line)."""
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, datetime):
            v = v.isoformat()
        elif isinstance(v, str) and len(v) > 200:
            v = v[:200] + f"… ({len(v)} characters)"
        elif isinstance(v, (Mapping, list)):
            v = excerpt(v)
        out[str(k)[:200]] = v
    return out


class Monitor:
    """Feeds readings of one assessed enterprise through the installed packs' rules.

    :param assessment: the live assessment (its ledger receives the hidden dangers).
    """

    def __init__(self, assessment: Assessment) -> None:
        self.assessment = assessment
        self.points = {p.id: p for p in assessment.enterprise.monitoring_points}
        self.session = assessment.criteria
        self.alarms: list[Alarm] = []
        self.problems: list[ReadingProblem] = []
        self.hidden_dangers: list[HiddenDanger] = []
        self.actions: list[Mapping[str, Any]] = []
        self.last_at: dict[str, float] = {}
        # Memory stays flat however many readings are fed: a reading earlier than the stream
        # clock is refused (out of order), so a duplicate can only be at the clock's time and
        # only the readings at that time are remembered; of event keys, each point's last.
        self._seen: dict[str, float] = {}  # point -> value, for readings at self._seen_at
        self._seen_at: float | None = None
        self._clock: float | None = None  # the stream clock when no rule engine keeps one
        self._keys: dict[str, str] = {}  # event key -> point (each point's last reading)
        self._key_of: dict[str, str] = {}  # point -> its last event key
        self._bases: dict[str, dict[str, Any]] = {}
        self._last_time_text: str | None = None
        self._last_time = datetime.min
        self._last_epoch = 0.0
        self.readings = 0

    def _time(self, text: str) -> datetime:
        """:func:`parse_time`, remembering the last text (the points of a scan share one time)."""
        if text != self._last_time_text:
            self._last_time = parse_time(text)
            self._last_epoch = self._last_time.timestamp()
            self._last_time_text = text
        return self._last_time

    def _event_base(self, point: Any) -> dict[str, Any]:
        """The fields of a point's reading events that do not change from reading to reading."""
        base = self._bases.get(point.id)
        if base is None:
            base = self._bases[point.id] = {**{k: v for k, v in point.facts.items() if k not in ("type", "key")},
                                            "type": "reading", "point": point.id, "area": point.area, "control": point.control}
        return base

    @property
    def has_rules(self) -> bool:
        return self.session is not None and self.session.has_rules

    # -- input ---------------------------------------------------------------------------
    def check(self, raw: Mapping[str, Any], where: str) -> Reading | ReadingProblem:
        """Validate one raw reading; returns the :class:`Reading` or the problem."""
        if "_error" in raw:
            return ReadingProblem(where, "malformed", str(raw["_error"]), raw)
        get = raw.get
        if get("point") in (None, "") or get("value") in (None, "") or get("at") in (None, ""):
            missing = [k for k in ("point", "value", "at") if get(k) in (None, "")]
            return ReadingProblem(where, "malformed", f"missing {', '.join(missing)}", raw)
        point = self.points.get(str(raw["point"]))
        if point is None:
            return ReadingProblem(where, "unknown_point", f"{excerpt(raw['point'])} is not a monitoring point{suggest(str(raw['point']), self.points)}", raw)
        unit = str(raw.get("unit") or point.unit)
        if unit != point.unit:
            return ReadingProblem(where, "wrong_unit", f"unit {excerpt(unit)} but {point.id} reads {point.quantity} in {point.unit!r}", raw)
        quantity = str(raw.get("quantity") or point.quantity)
        if quantity != point.quantity:
            return ReadingProblem(where, "wrong_quantity", f"quantity {excerpt(quantity)} but {point.id} measures {point.quantity!r}", raw)
        value = raw["value"]
        try:
            number = float(value) if not isinstance(value, bool) else math.nan
        except (TypeError, ValueError, OverflowError):
            number = math.nan
        if not math.isfinite(number):
            return ReadingProblem(where, "not_a_number", f"value {excerpt(value)} is not a finite number", raw)
        try:
            at = raw["at"] if isinstance(raw["at"], datetime) else self._time(str(raw["at"]))
        except (ValueError, OverflowError) as exc:
            return ReadingProblem(where, "malformed", str(exc), raw)
        if at.tzinfo is None:
            return ReadingProblem(where, "malformed", f"time {raw['at']!r} has no time zone", raw)
        return Reading(point.id, quantity, number, unit, at)

    def feed(self, raw: Mapping[str, Any] | Reading, *, where: str = "") -> FeedResult:
        """Check and evaluate one reading."""
        self.readings += 1
        where = where or f"reading {self.readings}"
        if isinstance(raw, Reading):
            raw = attrs.asdict(raw)
        checked = self.check(raw, where)
        if isinstance(checked, ReadingProblem):
            self.problems.append(checked)
            return FeedResult(problems=(checked,))
        r = checked
        t = self._last_epoch if r.at is self._last_time else r.epoch
        prior = self._seen.get(r.point) if t == self._seen_at else None
        if prior is not None:
            kind = "duplicate" if prior == r.value else "conflicting_duplicate"
            p = ReadingProblem(where, kind, f"{r.point} already has a reading at {r.at.isoformat()} (value {prior:g})", raw)
            self.problems.append(p)
            return FeedResult(problems=(p,))
        now = self.session.engine.now if self.session is not None else self._clock
        if now is not None and t < now:
            p = ReadingProblem(where, "out_of_order", f"{r.at.isoformat()} is earlier than readings already evaluated (stream clock {datetime.fromtimestamp(now, r.at.tzinfo).isoformat()})", raw)
            self.problems.append(p)
            return FeedResult(problems=(p,))
        if t != self._seen_at:
            self._seen.clear()
            self._seen_at = t
        self._seen[r.point] = r.value
        self._clock = t if self._clock is None else max(self._clock, t)
        self.last_at[r.point] = t
        if self.session is None:
            return _NOTHING
        point = self.points[r.point]
        key = f"{r.point}@{t!r}"
        old = self._key_of.get(r.point)
        if old is not None:
            self._keys.pop(old, None)
        self._keys[key] = r.point
        self._key_of[r.point] = key
        event = {**self._event_base(point), "key": key, "quantity": r.quantity, "value": r.value, "unit": r.unit, "at": t}
        engine = self.session.engine
        started = engine.post_events((event,))
        if not started:
            return _NOTHING
        engine.matches(clear=True)  # the monitor acts on each step's matches; the engine keeps no history of them
        return self._act(started, r.at)

    def feed_all(self, readings: Iterable[tuple[str, Mapping[str, Any]]], *, progress: Callable[[int], None] | None = None,
                 collect: bool = True) -> FeedResult:
        """Feed ``(where, raw)`` pairs in order, one at a time (``readings`` may be a generator
        such as :func:`read_readings`: nothing is kept per reading).

        :param collect: return everything they caused; ``False`` returns an empty result (the
            monitor's ``alarms``, ``problems``, ``hidden_dangers`` and ``actions`` hold it all).
        """
        alarms: list[Alarm] = []
        hds: list[HiddenDanger] = []
        problems: list[ReadingProblem] = []
        actions: list[Mapping[str, Any]] = []
        for i, (where, raw) in enumerate(readings, 1):
            res = self.feed(raw, where=where)
            if collect:
                alarms += res.alarms
                hds += res.hidden_dangers
                problems += res.problems
                actions += res.actions
            if progress is not None:
                progress(i)
        return FeedResult(tuple(alarms), tuple(hds), tuple(problems), tuple(actions))

    def advance(self, until: datetime) -> FeedResult:
        """Move the stream clock to ``until`` (fires ``silence`` rules that became due)."""
        if self.session is None:
            return FeedResult()
        now = self.session.engine.now
        t = until.timestamp()
        if now is not None and t <= now:
            return FeedResult()
        return self._act(self.session.engine.advance_clock(t), until)

    # -- outcomes ------------------------------------------------------------------------
    def _point_of(self, m: Match, alias: str) -> str | None:
        fields = m.facts.get(alias, {})
        if fields.get("point"):
            return str(fields["point"])
        b = next((b for b in m.bindings if b.alias == alias), None)
        if b is None:
            return None
        if b.type == "monitoring_point":
            return b.key
        return self._keys.get(b.key)

    def _act(self, matches: list[Match], at: datetime) -> FeedResult:
        alarms, hds, actions = [], [], []
        for m in matches:
            # the point comes from the reading (event or silence) the rule bound, wherever it sits
            first_alias = next((b.alias for b in m.bindings if b.key in self._keys or m.facts.get(b.alias, {}).get("point")),
                               m.bindings[0].alias if m.bindings else "")
            for o in m.outcomes:
                value = o.value if isinstance(o.value, Mapping) else {"value": o.value}
                if o.kind == "alarm":
                    point = self._point_of(m, first_alias)
                    alarm = Alarm(m.rule, m.pack, str(value.get("level", "")), str(value.get("message", "")), point, at, m.citation, m.to_dict())
                    alarms.append(alarm)
                    self.alarms.append(alarm)
                elif o.kind == "open_hidden_danger":
                    hd = self._open(m, value, at)
                    if hd is not None:
                        hds.append(hd)
                else:
                    action = {"rule": m.rule, "kind": o.kind, "value": o.value, "at": at.isoformat(), "citation": m.citation.to_dict()}
                    actions.append(action)
                    self.actions.append(action)
        return FeedResult(tuple(alarms), tuple(hds), (), tuple(actions))

    def _open(self, m: Match, value: Mapping[str, Any], at: datetime) -> HiddenDanger | None:
        a = self.assessment
        alias = str(value.get("on", m.bindings[0].alias if m.bindings else ""))
        b = next((b for b in m.bindings if b.alias == alias), None)
        control = None
        if b is not None and b.type == "control":
            control = b.key
        else:
            point = self._point_of(m, alias)
            control = self.points[point].control if point in self.points else None
        if control is None:
            action = {"rule": m.rule, "kind": "open_hidden_danger", "value": dict(value), "at": at.isoformat(),
                      "problem": f"alias {alias!r} is bound to no control (a monitoring point needs 'control' to open a hidden danger on it)"}
            self.actions.append(action)
            return None
        from dualprev_core.assessment.assessment import outcome_text

        major = m if str(value.get("grade", "")).lower() == "major" else None
        try:
            hd = a.open_hidden_danger(control, source=f"monitoring:{m.rule}", at=at, major_by=major,
                                      finding=InspectionResult.parse(value.get("finding", "failed")),
                                      description=outcome_text(value) or f"monitoring rule {m.rule} ({m.citation})")
        except DualprevError as exc:
            self.actions.append({"rule": m.rule, "kind": "open_hidden_danger", "at": at.isoformat(), "problem": str(exc)})
            return None
        # one entry per hidden danger, in the order first touched, holding its latest state
        self.hidden_dangers[:] = [hd if h.id == hd.id else h for h in self.hidden_dangers]
        if all(h.id != hd.id for h in self.hidden_dangers):
            self.hidden_dangers.append(hd)
        return hd


def read_readings(path: str | Path) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Yield ``(file:line, raw reading)`` from CSV (header: point,quantity,value,unit,at),
    JSON lines, or a YAML/JSON list (or a mapping with a ``readings`` list).

    CSV and JSON lines are streamed line by line (memory does not grow with the file; each
    line is held to ``max_line_chars``).  A file that is not a readings file at all — a CSV
    header without ``point``, ``value`` and ``at``, a first JSON line that is not a reading, a
    document that is not a list of readings, bytes that are not UTF-8 — is refused with a
    :class:`ValidationError` naming the file and line, before anything is evaluated; the file's
    text is never quoted.  In a readings file, a malformed line is yielded as a mapping with an
    ``_error`` key so the monitor reports it (by its line) and goes on.
    """
    p = Path(path)
    source = str(p)
    suffix = p.suffix.lower()
    if suffix in (".csv", ".jsonl", ".ndjson"):
        if p.is_dir() or not p.exists():
            read_text(p, what="readings")  # raises the usual 'is a directory' / 'file not found'
        yield from _stream_lines(p, suffix)
        return
    text = read_text(p, what="readings")
    lim = get_limits()
    import yaml

    from dualprev_core.yaml_lines import load_yaml_with_lines

    if suffix == ".json":
        try:
            data = json.loads(text)
        except RecursionError:
            raise _not_readings(source, f"nested more than max_depth={lim.max_depth} levels deep") from None
        except ValueError as exc:
            raise ValidationError([Problem("", f"invalid JSON: {getattr(exc, 'msg', None) or excerpt(str(exc))}", source,
                                           getattr(exc, "lineno", None))], source=source) from None
    else:
        try:
            data = load_yaml_with_lines(text)[0]
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise ValidationError([Problem("", f"invalid YAML: {excerpt(str(getattr(exc, 'problem', None) or exc), 200)}", source,
                                           mark.line + 1 if mark else None)], source=source) from None
        except ValueError as exc:
            raise ValidationError([Problem("", f"cannot read a number: {excerpt(str(exc))}", source)], source=source) from None
    check_structure(data, source, limits=lim, shared=suffix != ".json")
    items = data.get("readings") if isinstance(data, Mapping) else data
    if not isinstance(items, list):
        what = "a mapping without a 'readings' list" if isinstance(data, Mapping) else f"a {type(data).__name__}"
        raise _not_readings(source, f"expected a list of readings or a mapping with a 'readings' list (got {what})")
    if items and not (isinstance(items[0], Mapping) and "point" in items[0]):
        raise _not_readings(source, "the first item is not a reading (a mapping with 'point', 'value' and 'at')", "readings[0]")
    for i, obj in enumerate(items):
        yield f"{p}:readings[{i}]", obj if isinstance(obj, Mapping) else {"_error": f"not a mapping (got {type(obj).__name__})"}


def _not_readings(source: str, message: str, where: str = "", line: int | None = None) -> ValidationError:
    return ValidationError([Problem(where, f"not a readings file: {message}", source, line)], source=source)


def _stream_lines(p: Path, suffix: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    source = str(p)
    lim = get_limits()
    n = 0
    try:
        f = p.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise ValidationError([Problem("", f"cannot read readings: {exc.strerror or type(exc).__name__}", source)], source=source) from None
    with f:
        try:
            if suffix == ".csv":
                reader = csv.reader(f)
                try:
                    header = next(reader, None)
                    if header is None:
                        return
                    if header and header[0].startswith("\ufeff"):
                        header[0] = header[0][1:]
                    names = [(i, h.strip()) for i, h in enumerate(header) if h.strip()]
                    missing = [c for c in ("point", "value", "at") if c not in {h for _, h in names}]
                    if missing:
                        raise _not_readings(source, f"the CSV header must name point, value and at (missing {', '.join(missing)}; "
                                                    f"{len(names)} column(s) found)", line=1)
                    for row in reader:
                        n = reader.line_num
                        if not row:
                            continue
                        # as csv.DictReader would give it: missing trailing cells are None, extra ones dropped
                        yield f"{p}:{reader.line_num}", {h: (row[i].strip() if i < len(row) else None) for i, h in names}
                except csv.Error as exc:  # a field over the csv module's limit (128 KiB), a stray NUL...
                    raise ValidationError([Problem("", f"malformed CSV: {excerpt(str(exc), 120)}", source, max(reader.line_num, 1))],
                                          source=source) from None
                return
            first = True
            for i, line in enumerate(f, 1):
                n = i
                if not line.strip():
                    continue
                if len(line) > lim.max_line_chars:
                    raise ValidationError([Problem(f"line {i}", f"line of {len(line)} characters is over the limit max_line_chars={lim.max_line_chars}",
                                                   source, i)], source=source)
                reason = None
                try:
                    obj = json.loads(line)
                except RecursionError:
                    reason = f"nested more than max_depth={lim.max_depth} levels deep"
                except ValueError as exc:
                    reason = f"invalid JSON: {getattr(exc, 'msg', None) or excerpt(str(exc))}"
                if reason is None and not isinstance(obj, Mapping):
                    reason = f"not a JSON object (got {type(obj).__name__})"
                if reason is None:
                    found = structure_problems(obj, limits=lim, shared=False)
                    if found:
                        reason = f"{found[0][0]}: {found[0][1]}" if found[0][0] else found[0][1]
                if first:
                    first = False
                    if reason is not None or "point" not in obj:
                        raise _not_readings(source, f"the first line is not a reading ({reason or 'no point field'})", f"line {i}", i)
                yield f"{p}:{i}", ({"_error": reason} if reason is not None else obj)  # the line itself is never quoted
        except UnicodeDecodeError as exc:
            raise ValidationError([Problem("", f"cannot read readings: not UTF-8 text: byte 0x{exc.object[exc.start]:02x} cannot be "
                                               "decoded; save it as UTF-8", source, n + 1)], source=source) from None

