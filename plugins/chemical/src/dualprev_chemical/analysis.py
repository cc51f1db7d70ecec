"""The pack's view of one enterprise: GB 18218 units, "两重点一重大" flags, derived rule facts.

:func:`analyse` validates the enterprise's ``chemical:`` facts (raising one
:class:`~dualprev_core.errors.ValidationError` with every problem) and identifies and grades every
unit.  :func:`derived_facts` turns the result into rule facts: a unit's Σq/Q, R and level and its
flags on the ``installation`` fact, the enterprise's flags, and — so a unit's level reaches the risk
graph — the unit and level on each risk located in the unit's area (and on the graph's nodes).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from dualprev_core.errors import Problem, ValidationError
from dualprev_core.model.records import Enterprise

from .facts_spec import validate_facts
from .gb18218 import INVENTORY, UnitResult, identify, level_zh

DEDUCTIONS = "chemical:diagnosis_deductions"


def _points(deductions: Any) -> float:
    return float(sum(d["points"] for d in deductions)) if isinstance(deductions, list) else 0.0

if TYPE_CHECKING:
    from dualprev_core.assessment.assessment import Assessment

__all__ = ["UnitFlags", "ChemicalAnalysis", "analyse", "derived_facts", "unit_of_area", "DEDUCTIONS"]


@attrs.frozen
class UnitFlags:
    """两重点一重大 for one unit: key supervised process, key supervised chemical, major hazard installation."""

    key_process: bool
    key_chemical: bool
    major_hazard: bool

    @property
    def any(self) -> bool:
        return self.key_process or self.key_chemical or self.major_hazard

    def to_dict(self) -> dict[str, bool]:
        return {"key_process": self.key_process, "key_chemical": self.key_chemical, "major_hazard": self.major_hazard, "two_key_one_major": self.any}


@attrs.frozen
class ChemicalAnalysis:
    """Units by id (in file order) and their flags."""

    units: Mapping[str, UnitResult]
    flags: Mapping[str, UnitFlags]

    def two_key_one_major(self) -> bool:
        return any(f.any for f in self.flags.values())

    def major_units(self) -> list[UnitResult]:
        return [u for u in self.units.values() if u.is_major]


def analyse(e: Enterprise) -> ChemicalAnalysis:
    """Validate the enterprise's ``chemical:`` facts, identify and grade every unit.

    :raises ValidationError: every problem, each naming the installation (or record), field and value.
    """
    problems: list[Problem] = validate_facts(e)
    units: dict[str, UnitResult] = {}
    for i, m in enumerate(e.major_hazard_installations):
        u = identify(m, i, e.facts, problems, e.source)
        if u is not None:
            units[m.id] = u
    if problems:
        raise ValidationError(problems, source=e.source)
    flags = {}
    for m in e.major_hazard_installations:
        u = units[m.id]
        flags[m.id] = UnitFlags(bool(m.facts.get("chemical:key_processes")), any(i.key_supervised for i in u.items), u.is_major)
    return ChemicalAnalysis(units, flags)


def unit_of_area(e: Enterprise, chain: list[str]) -> str | None:
    """The unit whose area is nearest up ``chain`` (an area and its ancestors), if any."""
    by_area: dict[str, str] = {}
    for m in e.major_hazard_installations:
        by_area.setdefault(m.area, m.id)
    return next((by_area[a] for a in chain if a in by_area), None)


def derived_facts(a: Assessment) -> list[dict[str, Any]]:
    """Rule facts the pack derives (see the module docstring); also annotates the risk graph.

    The rule engines take scalars, lists of scalars and mappings as field values, so the structured
    facts are replaced in the rule facts by scalar summaries: ``chemical:inventory`` by the list of
    chemical names, ``chemical:diagnosis_deductions`` by the total of the points.
    """
    e = a.enterprise
    res = analyse(e)
    out: list[dict[str, Any]] = []
    graph = a.graph.G
    for m in e.major_hazard_installations:
        u, f = res.units[m.id], res.flags[m.id]
        fact: dict[str, Any] = {"type": "installation", "key": m.id, "chemical:sum_q_over_Q": float(u.sum_ratio),
                                "chemical:is_major_hazard": u.is_major, "chemical:key_process": f.key_process,
                                "chemical:key_chemical": f.key_chemical, "chemical:two_key_one_major": f.any,
                                INVENTORY: [i.chemical for i in u.items]}
        if u.R is not None:
            fact["chemical:R"] = float(u.R)
            fact["chemical:major_hazard_level"] = u.level
        if any(i.toxic_gas for i in u.items) and "chemical:toxic_gas" not in m.facts:
            fact["chemical:toxic_gas"] = True
        out.append(fact)
        if m.id in graph:
            graph.nodes[m.id].update({k: v for k, v in fact.items() if k.startswith("chemical:")})
    out.append({"type": "enterprise", "key": e.id, "chemical:two_key_one_major": res.two_key_one_major(),
                "chemical:major_hazard_installations": len(res.major_units()),
                **({"chemical:highest_major_hazard_level": min(lv)} if (lv := [u.level for u in res.major_units() if u.level]) else {}),
                **({DEDUCTIONS: _points(e.facts[DEDUCTIONS])} if DEDUCTIONS in e.facts else {})})
    for r in e.risks:
        uid = unit_of_area(e, a.graph.area_ancestors(r.area))
        if uid is None:
            continue
        lvl = res.units[uid].level
        rf: dict[str, Any] = {"type": "risk", "key": r.id, "chemical:installation": uid}
        if lvl is not None:
            rf["chemical:major_hazard_level"] = lvl
            rf["chemical:major_hazard_level_zh"] = level_zh(lvl)
        out.append(rf)
        graph.nodes[r.id].update({k: v for k, v in rf.items() if k.startswith("chemical:")})
    return out
