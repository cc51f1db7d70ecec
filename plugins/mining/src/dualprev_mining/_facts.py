"""The facts the mining criteria need: checked, and the derived ratios and excesses computed.

Criteria compare a fact with the standard's number (``mining:annual_output_ratio ge 1.10``), so
the pack turns the raw figures an enterprise file records (output and approved capacity, a
face's headcount and quota, an actual and a design slope angle…) into those facts.  The spec of
every input and derived fact is ``data/facts.yaml``.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from dualprev_core.errors import InvalidInput, UnknownReference, suggest

from ._data import criterion_items, load_data

if TYPE_CHECKING:
    from dualprev_core.assessment.assessment import Assessment

__all__ = ["derived_facts", "as_of", "parse_date", "months_between", "INPUT_SPEC"]

INPUT_SPEC: dict[str, dict[str, Any]] = {f["name"]: f for f in load_data("facts.yaml")["inputs"]}


def parse_date(value: Any, where: str) -> date:
    """A date given as ``YYYY-MM-DD`` text, an ISO time, or a YAML date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value).date() if "T" in value or " " in value.strip() else date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidInput(f"{where}: must be a date like '2026-11-30' (got {value!r})")


def months_between(start: date, end: date) -> float:
    """Calendar months from ``start`` to ``end``: whole months, plus the fraction of the next one."""
    whole = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        whole -= 1
    y, m = divmod(start.month - 1 + whole, 12)
    anchor_year, anchor_month = start.year + y, m + 1
    anchor = date(anchor_year, anchor_month, min(start.day, calendar.monthrange(anchor_year, anchor_month)[1]))
    return whole + (end - anchor).days / calendar.monthrange(anchor_year, anchor_month)[1]


def _check(facts: Mapping[str, Any], where: str, on: str) -> None:
    for name, value in facts.items():
        spec = INPUT_SPEC.get(name)
        if not name.startswith("mining:"):
            continue
        if spec is None:
            raise InvalidInput(f"{where}.facts.{name}: not a fact the mining pack knows{suggest(name, INPUT_SPEC)}")
        if on not in spec["record"].split("/"):
            raise InvalidInput(f"{where}.facts.{name}: belongs on {spec['on']}, not on {on}")
        kind = spec["kind"]
        ok = {
            "number": isinstance(value, (int, float)) and not isinstance(value, bool),
            "integer": isinstance(value, int) and not isinstance(value, bool),
            "boolean": isinstance(value, bool),
            "text": isinstance(value, str),
            "list": isinstance(value, (list, tuple, Mapping)),
            "events": isinstance(value, (list, tuple)),
            "date": True,
        }[kind]
        if kind == "date":
            parse_date(value, f"{where}.facts.{name}")
        if not ok:
            raise InvalidInput(f"{where}.facts.{name}: must be {'an' if kind[0] in 'aeiou' else 'a'} {kind} (got {value!r})")


def as_of(assessment: Assessment) -> date:
    """The date the enterprise's facts describe: ``mining:as_of``, else the assessment clock's today."""
    value = assessment.enterprise.facts.get("mining:as_of")
    return parse_date(value, "enterprise.facts.mining:as_of") if value is not None else assessment.clock.now().date()


def _ratio(num: Any, den: Any, where: str) -> float | None:
    if num is None or den is None:
        return None
    if den <= 0:
        raise InvalidInput(f"{where}: must be greater than 0 (got {den!r})")
    return num / den


def _difference(f: Mapping[str, Any], actual: str, design: str) -> float | None:
    a, d = f.get(f"mining:{actual}"), f.get(f"mining:{design}")
    return None if a is None or d is None else a - d


def _monthly_max(value: Any) -> float | None:
    numbers = list(value.values()) if isinstance(value, Mapping) else list(value)
    for n in numbers:
        if not isinstance(n, (int, float)) or isinstance(n, bool):
            raise InvalidInput(f"enterprise.facts.mining:monthly_output_t: every month must be a number (got {n!r})")
    return max(numbers) if numbers else None


def _event_kinds(events: Any) -> list[str]:
    # Rule facts hold lists of scalars only: the events (mappings) become the list of their kinds.
    return [str(ev.get("kind")) for ev in events if isinstance(ev, Mapping)]


def derived_facts(assessment: Assessment) -> list[dict[str, Any]]:
    """Facts for the ``dualprev_enterprise_facts`` hook: derived enterprise and area fields.

    Raises :class:`~dualprev_core.errors.InvalidInput` for a mining fact of the wrong kind, and
    :class:`~dualprev_core.errors.UnknownReference` for an unknown item in ``mining:items``.
    """
    e = assessment.enterprise
    _check(e.facts, "enterprise", "enterprise")
    for ar in e.areas:
        _check(ar.facts, f"areas[{ar.id}]", "area")
    items = criterion_items()
    for c in e.controls:
        _check(c.facts, f"controls[{c.id}]", "control")
        raw = c.facts.get("mining:items", ())
        for item in raw if isinstance(raw, (list, tuple)) else (raw,):
            if item not in items:
                raise UnknownReference(f"controls[{c.id}].facts.mining:items: {item!r} is not a mining criterion item{suggest(str(item), items)}")
    for p in e.monitoring_points:
        _check(p.facts, f"monitoring_points[{p.id}]", "monitoring_point")
    out: list[dict[str, Any]] = []
    ef = e.facts
    ent: dict[str, Any] = {"type": "enterprise", "key": e.id}
    cap = ef.get("mining:approved_capacity_t")
    ratio = _ratio(ef.get("mining:annual_output_t"), cap, "enterprise.facts.mining:approved_capacity_t")
    if ratio is not None:
        ent["mining:annual_output_ratio"] = ratio
    monthly = ef.get("mining:monthly_output_t")
    if monthly is not None and cap is not None:
        top = _monthly_max(monthly)
        if top is not None:
            ent["mining:max_month_share"] = _ratio(top, cap, "enterprise.facts.mining:approved_capacity_t")
    if "mining:producing_levels" not in ef:
        levels = [a for a in e.areas if a.kind == "level" and a.facts.get("mining:producing") is True]
        if levels or any(a.kind == "level" for a in e.areas):
            ent["mining:producing_levels"] = len(levels)
    if "mining:drawings_updated" in ef:
        ent["mining:drawings_age_months"] = months_between(parse_date(ef["mining:drawings_updated"], "enterprise.facts.mining:drawings_updated"), as_of(assessment))
    if "mining:events" in ef:
        ent["mining:events"] = _event_kinds(ef["mining:events"])
    if len(ent) > 2:
        out.append(ent)
    for ar in e.areas:
        f = ar.facts
        fields: dict[str, Any] = {}
        hc = _ratio(f.get("mining:shift_headcount"), f.get("mining:headcount_quota"), f"areas[{ar.id}].facts.mining:headcount_quota")
        if hc is not None:
            fields["mining:headcount_ratio"] = hc
        for name, actual, design in (
            ("slope_angle_over_design_deg", "slope_angle_deg", "design_slope_angle_deg"),
            ("bench_height_over_design_m", "bench_height_m", "design_bench_height_m"),
            ("dam_height_over_design_m", "dam_height_m", "design_dam_height_m"),
            ("storage_over_design_m3", "storage_m3", "design_storage_m3"),
        ):
            d = _difference(f, actual, design)
            if d is not None:
                fields[f"mining:{name}"] = d
        steeper = _difference(f, "design_outer_slope_n", "outer_slope_n")
        if steeper is not None:
            fields["mining:outer_slope_steeper_by"] = steeper
        if "mining:events" in f:
            fields["mining:events"] = _event_kinds(f["mining:events"])
        if fields:
            out.append({"type": "area", "key": ar.id, **fields})
    return out
