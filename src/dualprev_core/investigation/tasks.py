"""Investigation tasks (排查任务): what to check, on which control, by which post and people, how often.

The opinion (安委办〔2016〕11号) asks every enterprise for an investigation list (隐患排查清单): what
to inspect, by whom and how often.  :func:`build_plan` turns it into tasks:

* every **inspection item** of the enterprise is a task (its id is the item's id);
* every installed pack's **inspection template** is applied to each control it matches (any tag of
  ``applies_to``, all of ``requires``, none of ``unless``; tags from :func:`control_tags`) unless
  an item of the enterprise on that control already covers it — at the same owner level (an
  operator's round does not replace the workshop's check: each level inspects), at least as often.  Such a task's id is ``<template id>@<control id>``.

Each task is assigned to a **post** — the item's, else the control's post when it is at the task's
owner level, else the nearest post at that owner level whose area contains the control — and
through the post to its **people**.

:meth:`InvestigationPlan.status` says, at a given time, whether each task is ``done`` (its current
requirement is met), ``due`` (not yet, and the time limit is ahead) or ``overdue`` (a window
passed without its check), counts every **missed check** (未排查) since monitoring started, and
escalates an overdue task like an overdue hidden danger: one owner level up on the first miss,
one more per escalation period (default: the task's own period — our default, no standard sets
one), never above the company.

An inspection fulfils a task when it names it (``task``), when it names the task's item
(``item``), or — when it names only the control — when its inspector is one of the people of the
task's post (then it fulfils every such task of the control).
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

import attrs

from dualprev_core.clock import ensure_aware
from dualprev_core.errors import InvalidInput, UnknownReference, suggest
from dualprev_core.identity import person_key
from dualprev_core.investigation.schedule import Schedule, WorkCalendar, schedule_of
from dualprev_core.model.records import Control, Enterprise, Frequency, Inspection, Post
from dualprev_core.model.values import parse_frequency
from dualprev_core.model.vocabulary import OwnerLevel, _Vocabulary
from dualprev_core.provenance import Citation

if TYPE_CHECKING:
    from dualprev_core.packs.calls import Packs

__all__ = [
    "TaskStatusKind",
    "InvestigationTask",
    "MissedCheck",
    "TaskStatus",
    "InvestigationPlan",
    "build_plan",
    "control_tags",
    "STATUS_KINDS",
]


class TaskStatusKind(_Vocabulary):
    """A task's status at a time."""

    DONE = "done"
    DUE = "due"
    OVERDUE = "overdue"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"done": "已排查", "due": "待排查", "overdue": "逾期未排查"}


STATUS_KINDS: Final = tuple(TaskStatusKind.keys())


def control_tags(control: Control, extra: Iterable[str] = ()) -> frozenset[str]:
    """The tags inspection templates select ``control`` by.

    Its kind key (``engineering`` …), its own ``tags``, ``key:value`` for each string fact (so
    ``facts: {"construction:check": scaffold_ties}`` gives ``construction:check:scaffold_ties``),
    and ``extra`` (what packs derive, see ``dualprev_control_tags``).
    """
    tags = {control.kind.key, *control.tags, *extra}
    tags.update(f"{k}:{v}" for k, v in control.facts.items() if isinstance(v, str))
    return frozenset(tags)


@attrs.frozen(kw_only=True)
class InvestigationTask:
    """One investigation task.

    :ivar id: the item's id, or ``<template id>@<control id>``.
    :ivar item: the item or template id it comes from.
    :ivar source: ``item`` or ``template``.
    :ivar pack: the pack of the template (``None`` for items).
    :ivar content: what to check.
    :ivar control: the control checked.
    :ivar post: the post assigned (``None`` when the enterprise has none at that owner level).
    :ivar people: the post's people.
    :ivar owner_level: the level the check belongs to.
    :ivar frequency: how often.
    :ivar citation: the template's clause (``None`` for the enterprise's own items).
    :ivar assignment: how the post was chosen.
    """

    id: str
    item: str
    source: str
    pack: str | None = None
    content: str
    control: str
    post: str | None
    people: tuple[str, ...] = ()
    owner_level: OwnerLevel
    frequency: Frequency
    citation: Citation | None = None
    assignment: str = ""

    @property
    def schedule(self) -> Schedule:
        return schedule_of(self.frequency)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "item": self.item, "source": self.source, "pack": self.pack, "content": self.content,
            "control": self.control, "post": self.post, "people": list(self.people), "owner_level": self.owner_level.key,
            "frequency": self.frequency.text or f"{self.frequency.every:g} {self.frequency.unit}",
            "schedule": self.schedule.describe(), "citation": self.citation.to_dict() if self.citation else None,
            "assignment": self.assignment,
        }


@attrs.frozen(kw_only=True)
class MissedCheck:
    """未排查: a window that passed without the task's check.

    :ivar task: the task's id.
    :ivar due_at: when the check was due (the window's end).
    :ivar window_start: when the window opened.
    :ivar done: checks found in the window (fewer than ``required``).
    :ivar required: checks the window needed.
    """

    task: str
    due_at: datetime
    window_start: datetime
    done: int
    required: int

    def to_dict(self) -> dict[str, Any]:
        return {"task": self.task, "window_start": self.window_start.isoformat(), "due_at": self.due_at.isoformat(),
                "done": self.done, "required": self.required}


@attrs.frozen(kw_only=True)
class TaskStatus:
    """A task's status at ``at``, with its reasons.

    :ivar last_done: the latest check fulfilling it (``None`` if none yet).
    :ivar due_at: when its next check is due (``done``/``due``) or was due (``overdue``: the first
        missed time limit of the current run of misses).
    :ivar done_in_window: checks so far in the current window (``calendar``/``holiday``).
    :ivar missed: every missed check since monitoring started (``since``).
    :ivar escalated_to: for an overdue task, the owner level it has escalated to.
    :ivar fulfilled_by: the ids of the inspections that fulfilled it, in time order.
    :ivar note: anything the reader must know (e.g. no holidays in the calendar).
    """

    task: InvestigationTask
    at: datetime
    status: TaskStatusKind
    since: datetime
    last_done: datetime | None
    due_at: datetime | None
    window: tuple[datetime, datetime] | None = None
    done_in_window: int = 0
    required: int = 1
    missed: tuple[MissedCheck, ...] = ()
    escalated_to: str | None = None
    fulfilled_by: tuple[str, ...] = ()
    note: str = ""

    @property
    def missed_count(self) -> int:
        return len(self.missed)

    def to_dict(self) -> dict[str, Any]:
        t = self.task
        return {
            **t.to_dict(),
            "task": t.id,
            "at": self.at.isoformat(),
            "since": self.since.isoformat(),
            "status": self.status.key,
            "last_done": self.last_done.isoformat() if self.last_done else None,
            "due_at": self.due_at.isoformat() if self.due_at else None,
            "window": [self.window[0].isoformat(), self.window[1].isoformat()] if self.window else None,
            "done_in_window": self.done_in_window,
            "required": self.required,
            "missed": self.missed_count,
            "missed_checks": [m.to_dict() for m in self.missed],
            "escalated_to": self.escalated_to,
            "fulfilled_by": list(self.fulfilled_by),
            "note": self.note,
        }


# ---------------------------------------------------------------------------- assignment


class _Places:
    """Look-ups for assigning posts, built once per plan."""

    def __init__(self, e: Enterprise) -> None:
        self.parents = {a.id: a.parent for a in e.areas}
        self.risk_area = {r.id: r.area for r in e.risks}
        self.posts = {p.id: p for p in e.posts}
        self.by_level: dict[OwnerLevel, list[Post]] = {}
        for p in e.posts:
            self.by_level.setdefault(p.owner_level, []).append(p)

    def chain(self, area: str | None) -> list[str]:
        out: list[str] = []
        while area is not None and area not in out:
            out.append(area)
            area = self.parents.get(area)
        return out

    def control_area(self, c: Control) -> str | None:
        if c.post and c.post in self.posts and self.posts[c.post].area:
            return self.posts[c.post].area
        for rid in c.mitigates:
            if rid in self.risk_area:
                return self.risk_area[rid]
        return None


def _assign(places: _Places, c: Control, level: OwnerLevel, named: str | None) -> tuple[str | None, str]:
    if named is not None:
        return named, "named by the item"
    posts = places.posts
    if c.post is not None and c.post in posts and posts[c.post].owner_level is level:
        return c.post, "the control's post"
    candidates = places.by_level.get(level, [])
    for depth, area in enumerate(places.chain(places.control_area(c))):
        for p in candidates:
            if p.area == area:
                return p.id, f"the {level.key} post of area {area}" + (" (an enclosing area)" if depth else "")
    unplaced = [p for p in candidates if p.area is None]
    if unplaced:
        return unplaced[0].id, f"the {level.key} post without an area"
    return None, f"no post at owner level {level.key} covers the control's area"


# ---------------------------------------------------------------------------- the plan


@attrs.frozen(kw_only=True, slots=False)
class InvestigationPlan:
    """The tasks of one enterprise and the calendar they run on."""

    enterprise: Enterprise
    tasks: tuple[InvestigationTask, ...]
    calendar: WorkCalendar = attrs.field(factory=WorkCalendar)
    #: templates skipped because an item of the enterprise covers them: (template id, control id, item id).
    covered: tuple[tuple[str, str, str], ...] = ()

    def task(self, task_id: str) -> InvestigationTask:
        for t in self.tasks:
            if t.id == task_id:
                return t
        raise UnknownReference(f"unknown task {task_id!r}{suggest(task_id, [t.id for t in self.tasks])}")

    @functools.cached_property
    def _by_item(self) -> dict[str, tuple[str, ...]]:
        out: dict[str, list[str]] = {}
        for t in self.tasks:
            if t.source == "item":
                out.setdefault(t.item, []).append(t.id)
        return {k: tuple(v) for k, v in out.items()}

    @functools.cached_property
    def _by_control(self) -> dict[str, tuple[InvestigationTask, ...]]:
        out: dict[str, list[InvestigationTask]] = {}
        for t in self.tasks:
            out.setdefault(t.control, []).append(t)
        return {k: tuple(v) for k, v in out.items()}

    def fulfilling(self, inspection: Inspection) -> tuple[str, ...]:
        """The ids of the tasks ``inspection`` fulfils (see the module docs)."""
        if inspection.task is not None:
            return (inspection.task,)
        if inspection.item is not None:
            return self._by_item.get(inspection.item, ())
        return tuple(
            t.id for t in self._by_control.get(inspection.control, ())
            if t.post is not None and _same_person_in(inspection.by, t.people)
        )

    def status(
        self,
        at: datetime,
        inspections: Iterable[Inspection] | None = None,
        *,
        since: datetime | None = None,
        post: str | None = None,
        person: str | None = None,
        escalation_period: timedelta | None = None,
    ) -> tuple[TaskStatus, ...]:
        """Every task's status at ``at`` (optionally only ``post``'s or ``person``'s tasks).

        :param inspections: the recorded inspections (default: the enterprise's); those after
            ``at`` are ignored.
        :param since: when monitoring started: no check is counted missed before it (default:
            the earliest recorded inspection, else ``at``).
        :param escalation_period: how long an overdue task stays at one level before escalating
            again (default: the task's own period).
        :raises InvalidInput: an inspection names a task that does not exist (naming both).
        """
        at = ensure_aware(at, "at")
        recorded = list(self.enterprise.inspections if inspections is None else inspections)
        if post is not None and post not in {p.id for p in self.enterprise.posts}:
            raise UnknownReference(f"unknown post {post!r}{suggest(post, [p.id for p in self.enterprise.posts])}")
        ids = {t.id for t in self.tasks}
        done_at: dict[str, list[tuple[datetime, str]]] = {t: [] for t in ids}
        for x in recorded:
            for tid in self.fulfilling(x):
                if tid not in ids:
                    raise InvalidInput(
                        f"inspection {x.id!r}: 'task' {tid!r} is not a task of {self.enterprise.id}{suggest(tid, ids)}"
                    )
                if x.at <= at:
                    done_at[tid].append((x.at, x.id))
        if since is None:
            since = min((x.at for x in recorded if x.at <= at), default=at)
        since = ensure_aware(since, "since")
        out = []
        for t in self.tasks:
            if post is not None and t.post != post:
                continue
            if person is not None and not _same_person_in(person, t.people):
                continue
            out.append(_status(t, sorted(done_at[t.id]), at, since, self.calendar, escalation_period))
        return tuple(out)


def _same_person_in(name: str, people: Iterable[str]) -> bool:
    n = person_key(name)  # NFKC, invisible characters and lookalike letters folded (docs/limits.md)
    return any(person_key(p) == n for p in people)


def _escalate(task: InvestigationTask, overdue_since: datetime, at: datetime, period: timedelta) -> str:
    level: OwnerLevel = task.owner_level
    steps = 1 + int((at - overdue_since) // period) if period > timedelta(0) else 1
    for _ in range(steps):
        nxt = level.escalates_to()
        if nxt is None:
            break
        level = nxt
    return level.key


def _status(
    t: InvestigationTask, checks: Sequence[tuple[datetime, str]], at: datetime, since: datetime, cal: WorkCalendar,
    escalation_period: timedelta | None,
) -> TaskStatus:
    sched = t.schedule
    period = escalation_period or sched.nominal(cal)
    times = [c for c, _ in checks]
    fulfilled = tuple(i for _, i in checks)
    last = times[-1] if times else None
    common: dict[str, Any] = {"task": t, "at": at, "since": since, "last_done": last, "fulfilled_by": fulfilled,
                              "required": sched.count}
    if sched.kind == "interval":
        return _interval_status(t, sched, times, at, since, cal, period, common)
    return _window_status(t, sched, times, at, since, cal, period, common)


def _interval_status(
    t: InvestigationTask, sched: Schedule, times: Sequence[datetime], at: datetime, since: datetime, cal: WorkCalendar,
    period: timedelta, common: dict[str, Any],
) -> TaskStatus:
    missed: list[MissedCheck] = []
    prev = since
    streak_start: datetime | None = None
    for c in [*[x for x in times if x >= since], None]:
        limit = at if c is None else c
        opened, due = prev, sched.next_due(prev, cal)
        streak_start = None
        while due < limit:
            missed.append(MissedCheck(task=t.id, due_at=due, window_start=opened, done=0, required=1))
            if streak_start is None:
                streak_start = due
            opened, due = due, sched.next_due(due, cal)
            if due <= opened:  # defensive: a schedule always moves forward
                break
        if c is not None:
            prev = c
    last = common["last_done"]
    if streak_start is not None:
        return TaskStatus(status=TaskStatusKind.OVERDUE, due_at=streak_start, missed=tuple(missed),
                          escalated_to=_escalate(t, streak_start, at, period), **common)
    if last is not None and last >= since:
        return TaskStatus(status=TaskStatusKind.DONE, due_at=sched.next_due(last, cal), missed=tuple(missed), **common)
    return TaskStatus(status=TaskStatusKind.DUE, due_at=sched.next_due(since, cal), missed=tuple(missed), **common)


def _window_status(
    t: InvestigationTask, sched: Schedule, times: Sequence[datetime], at: datetime, since: datetime, cal: WorkCalendar,
    period: timedelta, common: dict[str, Any],
) -> TaskStatus:
    missed: list[MissedCheck] = []
    streak_start: datetime | None = None
    last_window: tuple[datetime, datetime] | None = None
    for start, end in sched.windows(since, at, cal):
        n = bisect.bisect_left(times, end) - bisect.bisect_left(times, start)
        last_window = (start, end)
        if n < sched.count:
            missed.append(MissedCheck(task=t.id, due_at=end, window_start=start, done=n, required=sched.count))
            if streak_start is None:
                streak_start = end
        else:
            streak_start = None
    current = sched.window(at, cal)
    note = ""
    if sched.kind == "holiday" and not cal.holidays:
        note = "no holidays in the enterprise's calendar (settings.investigation.holidays): nothing can fall due"
    if current is not None:
        start, end = current
        n = bisect.bisect_right(times, at) - bisect.bisect_left(times, start)
        if n >= sched.count:
            nxt = _next_window(sched, end, cal)
            return TaskStatus(status=TaskStatusKind.DONE, due_at=nxt[1] if nxt else None, window=current, done_in_window=n,
                              missed=tuple(missed), note=note, **common)
        if streak_start is not None:
            return TaskStatus(status=TaskStatusKind.OVERDUE, due_at=streak_start, window=current, done_in_window=n,
                              missed=tuple(missed), escalated_to=_escalate(t, streak_start, at, period), note=note, **common)
        return TaskStatus(status=TaskStatusKind.DUE, due_at=end, window=current, done_in_window=n, missed=tuple(missed),
                          note=note, **common)
    # holiday schedule between windows: overdue while the last window's check is missing, else
    # done (the last window had its check) or due (the next window).
    nxt = _next_window(sched, at, cal)
    if streak_start is not None:
        return TaskStatus(status=TaskStatusKind.OVERDUE, due_at=streak_start, missed=tuple(missed),
                          escalated_to=_escalate(t, streak_start, at, period), note=note, **common)
    kind = TaskStatusKind.DONE if last_window is not None else TaskStatusKind.DUE
    return TaskStatus(status=kind, due_at=nxt[1] if nxt else None, window=nxt, missed=tuple(missed), note=note, **common)


def _next_window(sched: Schedule, after: datetime, cal: WorkCalendar) -> tuple[datetime, datetime] | None:
    if sched.kind == "holiday":
        return next(((s, e) for s, e in sched.holiday_windows(cal) if s >= after), None)
    return sched.window(after, cal)


# ---------------------------------------------------------------------------- building


def build_plan(enterprise: Enterprise, packs: Packs | None = None, *, calendar: WorkCalendar | None = None) -> InvestigationPlan:
    """The enterprise's investigation tasks: its items, plus the packs' templates applied to its controls.

    :param packs: installed packs whose inspection templates apply (``None``: items only).
    :param calendar: the work calendar (default: from ``settings.investigation``).
    """
    e = enterprise
    if calendar is None:
        calendar = WorkCalendar.from_settings(e.settings.investigation)
    places = _Places(e)
    posts = places.posts
    controls = {c.id: c for c in e.controls}
    tasks: list[InvestigationTask] = []
    items_of: dict[str, list[Any]] = {}
    for it in e.inspection_items:
        c = controls[it.control]
        items_of.setdefault(c.id, []).append(it)
        post, how = _assign(places, c, it.owner_level, it.post)
        tasks.append(InvestigationTask(
            id=it.id, item=it.id, source="item", content=it.content, control=c.id, post=post,
            people=posts[post].people if post in posts else (), owner_level=it.owner_level, frequency=it.frequency,
            assignment=how,
        ))
    covered: list[tuple[str, str, str]] = []
    if packs is not None:
        extra = packs.control_tags(e)
        for tid, (pack, tpl) in sorted(packs.registry.templates.items()):
            freq = parse_frequency(tpl.frequency)
            for c in e.controls:
                tags = control_tags(c, extra.get(c.id, ()))
                if not (set(tpl.applies_to) & tags) or not set(tpl.requires) <= tags or set(tpl.unless) & tags:
                    continue
                cover = next((it for it in items_of.get(c.id, ())
                              if it.frequency.hours <= freq.hours and it.owner_level is tpl.owner_level), None)
                if cover is not None:
                    covered.append((tid, c.id, cover.id))
                    continue
                post, how = _assign(places, c, tpl.owner_level, None)
                tasks.append(InvestigationTask(
                    id=f"{tid}@{c.id}", item=tid, source="template", pack=pack, content=f"{tpl.title}：{tpl.content}"
                    if tpl.content != tpl.title else tpl.title, control=c.id, post=post,
                    people=posts[post].people if post in posts else (), owner_level=tpl.owner_level, frequency=freq,
                    citation=tpl.citation, assignment=how,
                ))
    return InvestigationPlan(enterprise=e, tasks=tuple(tasks), calendar=calendar, covered=tuple(covered))
