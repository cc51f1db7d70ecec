"""Re-identification triggers (专项辨识 / 年度辨识): which areas must identify their risks again.

A mine records the events as facts, and this module turns them into tasks:

* ``mining:events`` on the enterprise or an area: a list of ``{kind, at, areas?, stopped_since?,
  note?}``; an area's events concern that area, the enterprise's concern ``areas`` (default: the
  whole mine);
* an inspection with ``facts: {"mining:event": <kind>}``: the areas of the inspected control's risks;
* every major hidden danger in the ledger (kind ``major_hidden_danger``): the areas of its risks;
* the annual review: due when ``mining:last_identification`` of the enterprise is missing or 12
  months old.

A task covers the event's areas and everything below them.  It is ``done`` when the area (or an
area above it, or the enterprise) records ``mining:last_identification`` on or after the event's
date (for a restart: on or after the day production stopped), otherwise ``due``.  The triggers and their numbers are ``data/reidentification.yaml``
(unverified: not in the public sources).

Python use::

    from dualprev_mining.reidentification import reidentification_tasks
    for task in reidentification_tasks(assessment):
        print(task.kind, task.at, task.areas, task.status)

The report section ``mining:reidentification`` of ``dualprev assess --json`` holds the same tasks.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

import attrs

from dualprev_core.errors import InvalidInput, UnknownReference, suggest
from dualprev_core.provenance import Citation

from ._data import load_data
from ._facts import as_of, months_between, parse_date

if TYPE_CHECKING:
    from dualprev_core.assessment.assessment import Assessment
    from dualprev_core.model.records import Enterprise

__all__ = ["ReidentificationTask", "reidentification_tasks", "triggers", "CITATION"]

_DATA = load_data("reidentification.yaml")
#: Where the triggers come from (unverified).
CITATION = Citation.from_mapping(_DATA["citation"])
_SETTINGS: Mapping[str, Any] = _DATA["settings"]


def triggers() -> dict[str, dict[str, str]]:
    """The trigger kinds → their ``zh`` and ``en`` descriptions."""
    return {t["kind"]: {"zh": t["zh"], "en": t["en"]} for t in _DATA["triggers"]}


@attrs.frozen
class ReidentificationTask:
    """Identify the risks of ``areas`` again because of one event.

    :ivar kind: the trigger (see :func:`triggers`).
    :ivar at: the event's date.
    :ivar areas: the areas concerned (the event's areas and everything below them), sorted.
    :ivar source: where the event was recorded (``areas[F1].facts.mining:events[0]``, ``inspection:X1``,
        ``hidden_danger:HD-1``, ``enterprise.facts.mining:last_identification``).
    :ivar status: ``due``, or ``done`` when every area recorded an identification on or after ``at``.
    :ivar pending: the areas still to identify again.
    :ivar note: the event's note, or why it triggers.
    """

    kind: str
    at: date
    areas: tuple[str, ...]
    source: str
    status: str
    pending: tuple[str, ...]
    note: str = ""

    @property
    def title(self) -> str:
        return triggers()[self.kind]["zh"]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "title": self.title, "at": self.at.isoformat(), "areas": list(self.areas), "pending": list(self.pending),
                "status": self.status, "source": self.source, "note": self.note}


def _children(e: Enterprise) -> dict[str | None, list[str]]:
    out: dict[str | None, list[str]] = {}
    for a in e.areas:
        out.setdefault(a.parent, []).append(a.id)
    return out


def _subtree(roots: list[str], children: Mapping[str | None, list[str]]) -> tuple[str, ...]:
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        a = stack.pop()
        if a not in seen:
            seen.add(a)
            stack += children.get(a, [])
    return tuple(sorted(seen))


def _last_identification(e: Enterprise, area: str, parents: Mapping[str, str | None]) -> date | None:
    best: date | None = None
    node: str | None = area
    while node is not None:
        value = next(a for a in e.areas if a.id == node).facts.get("mining:last_identification")
        if value is not None:
            d = parse_date(value, f"areas[{node}].facts.mining:last_identification")
            best = d if best is None or d > best else best
        node = parents.get(node)
    value = e.facts.get("mining:last_identification")
    if value is not None:
        d = parse_date(value, "enterprise.facts.mining:last_identification")
        best = d if best is None or d > best else best
    return best


def _event(raw: Any, where: str, default_areas: list[str], known: set[str]) -> tuple[str, date, list[str], str, date]:
    """Check one event; returns (kind, at, areas, note, since): ``kind`` is empty when it triggers nothing,
    and an identification on or after ``since`` answers it (the stop's start for a restart)."""
    if not isinstance(raw, Mapping):
        raise InvalidInput(f"{where}: must be a mapping with kind and at (got {raw!r})")
    kinds = triggers()
    kind = raw.get("kind")
    if kind not in kinds or kind == "annual":
        allowed = [k for k in kinds if k != "annual"]
        raise UnknownReference(f"{where}.kind: {kind!r} is not a re-identification event; use one of {', '.join(allowed)}{suggest(str(kind), allowed)}")
    if raw.get("at") is None:
        raise InvalidInput(f"{where}.at: the event's date is required")
    at = parse_date(raw["at"], f"{where}.at")
    areas = raw.get("areas", default_areas)
    if not isinstance(areas, (list, tuple)) or not areas:
        raise InvalidInput(f"{where}.areas: must be a non-empty list of area ids (got {areas!r})")
    for a in areas:
        if a not in known:
            raise UnknownReference(f"{where}.areas: {a!r} is not a known area{suggest(str(a), known)}")
    note = str(raw.get("note", ""))
    if kind == "restart":
        if raw.get("stopped_since") is None:
            raise InvalidInput(f"{where}.stopped_since: a restart needs the date production stopped")
        stopped = parse_date(raw["stopped_since"], f"{where}.stopped_since")
        months = months_between(stopped, at)
        minimum = _SETTINGS["restart_min_stop_months"]
        if months < minimum:
            return "", at, [], "", at
        note = note or f"stopped {stopped.isoformat()} – {at.isoformat()} ({months:.1f} months ≥ {minimum})"
        return str(kind), at, list(areas), note, stopped
    return str(kind), at, list(areas), note, at


def reidentification_tasks(assessment: Assessment, *, as_of_date: date | None = None) -> list[ReidentificationTask]:
    """The re-identification tasks of the assessed mine, oldest event first.

    :param assessment: the assessment (its enterprise's facts and inspections, and its ledger).
    :param as_of_date: the date to judge the annual review on (default: ``mining:as_of`` or today).
    :raises InvalidInput: an event without a date, a restart without ``stopped_since``, a bad date.
    :raises UnknownReference: an unknown event kind or area.
    """
    e = assessment.enterprise
    today = as_of_date or as_of(assessment)
    known = {a.id for a in e.areas}
    roots = [a.id for a in e.areas if a.parent is None]
    children = _children(e)
    parents = {a.id: a.parent for a in e.areas}
    raw_events: list[tuple[str, date, list[str], str, str, date]] = []
    for i, ev in enumerate(e.facts.get("mining:events") or ()):
        kind, at, areas, note, since = _event(ev, f"enterprise.facts.mining:events[{i}]", roots, known)
        if kind:
            raw_events.append((kind, at, areas, f"enterprise.facts.mining:events[{i}]", note, since))
    for ar in e.areas:
        for i, ev in enumerate(ar.facts.get("mining:events") or ()):
            where = f"areas[{ar.id}].facts.mining:events[{i}]"
            kind, at, areas, note, since = _event(ev, where, [ar.id], known)
            if kind:
                raw_events.append((kind, at, areas, where, note, since))
    risks = {r.id: r for r in e.risks}
    controls = {c.id: c for c in e.controls}
    for ins in e.inspections:
        recorded = ins.facts.get("mining:event")
        if recorded is None:
            continue
        c = controls.get(ins.control)
        areas = sorted({risks[r].area for r in (c.mitigates if c else ()) if r in risks}) or roots
        k, at, areas, note, since = _event({"kind": recorded, "at": ins.at.date().isoformat(), "areas": areas, "note": ins.note}, f"inspections[{ins.id}].facts.mining:event", roots, known)
        if k:
            raw_events.append((k, at, areas, f"inspection:{ins.id}", note, since))
    for hd in assessment.ledger.all():
        if not hd.is_major:
            continue
        c = controls.get(hd.control_id or "")
        areas = sorted({risks[r].area for r in (c.mitigates if c else hd.risk_ids) if r in risks}) or roots
        why = ", ".join(x.criterion_id for x in hd.criteria)
        at = hd.reported_at.date()
        raw_events.append(("major_hidden_danger", at, areas, f"hidden_danger:{hd.id}", f"{hd.description} [{why}]" if why else hd.description, at))
    last = e.facts.get("mining:last_identification")
    period = _SETTINGS["annual_period_months"]
    if last is None:
        raw_events.append(("annual", today, roots, "enterprise.facts.mining:last_identification", "no annual identification recorded", today))
    else:
        d = parse_date(last, "enterprise.facts.mining:last_identification")
        if months_between(d, today) >= period:
            raw_events.append(("annual", today, roots, "enterprise.facts.mining:last_identification", f"last identification {d.isoformat()} is {period} months old or more", today))
    tasks = []
    for kind, at, areas, source, note, since in sorted(raw_events, key=lambda x: (x[1], x[0], x[3])):
        covered = _subtree(areas, children)
        pending = tuple(a for a in covered if kind == "annual" or (li := _last_identification(e, a, parents)) is None or li < since)
        tasks.append(ReidentificationTask(kind, at, covered, source, "due" if pending else "done", pending, note))
    return tasks
