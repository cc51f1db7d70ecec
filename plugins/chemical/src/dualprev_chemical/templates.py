"""Inspection templates from 应急〔2019〕78号 and the check of an enterprise's inspection plan.

Templates are built from ``data/guideline-2019.yaml``: each round-type frequency (operator rounds
≤ 2 h, ≤ 1 h for "两重点一重大" units, twice daily, weekly, monthly) for each control function
(``chemical:function``: emergency shut-off, SIS, gas detection, relief valves, dual power …), plus
the general ones (seasonal, comprehensive, HAZOP) by control kind.  :func:`inspection_plan` says,
for each control with a function, which templates apply and whether its inspection items cover
them (an item at that owner level or below, at least as often).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from dualprev_core.model.values import parse_frequency
from dualprev_core.model.vocabulary import OwnerLevel
from dualprev_core.packs.registry import InspectionTemplate
from dualprev_core.provenance import Citation

from ._data import load
from .analysis import analyse
from .facts_spec import FUNCTIONS

if TYPE_CHECKING:
    from dualprev_core.assessment.assessment import Assessment
    from dualprev_core.model.records import Enterprise

    from .analysis import ChemicalAnalysis

__all__ = ["inspection_templates", "inspection_plan", "control_tags"]


@functools.cache
def inspection_templates() -> tuple[InspectionTemplate, ...]:
    """Every template the pack contributes (ids ``chem-78-<frequency id>-<function>`` and ``chem-78-<id>``)."""
    data = load("guideline-2019.yaml")
    base = data["citation"]
    out = []
    for r in data["rounds"]:
        # The 1 h round replaces the 2 h one on "两重点一重大" units.
        tkom = r.get("scope") == "two_key_one_major"
        for fn in data["round_functions"]:
            label = FUNCTIONS[fn]
            out.append(InspectionTemplate(
                id=f"chem-78-{r['id']}-{fn}", title=f"{r['title']}：{label}", applies_to=(fn,),
                requires=("two_key_one_major",) if tkom else (),
                unless=("two_key_one_major",) if r["id"] == "round" else (),
                content=data["content"][fn], frequency=r["frequency"], owner_level=OwnerLevel.parse(r["owner_level"]),
                citation=Citation.from_mapping({**base, "clause": r["clause"], **({"note": r["note"]} if r.get("note") else {})}),
            ))
    for g in data["general"]:
        out.append(InspectionTemplate(
            id=f"chem-78-{g['id']}", title=g["title"], applies_to=tuple(g["applies_to"]), content=g["title"],
            frequency=g["frequency"], owner_level=OwnerLevel.parse(g["owner_level"]),
            citation=Citation.from_mapping({**base, "clause": g["clause"]}),
        ))
    return tuple(out)


def control_tags(e: Enterprise) -> dict[str, list[str]]:
    """Tags the core's template matching needs: the control's ``chemical:function``, and for a
    control on a unit (``installation``) ``two_key_one_major`` when the unit is "两重点一重大" and
    ``process_unit`` when it is a production unit."""
    res = analyse(e)
    kinds = {m.id: m.kind for m in e.major_hazard_installations}
    out: dict[str, list[str]] = {}
    for c in e.controls:
        tags = []
        fn = c.facts.get("chemical:function")
        if isinstance(fn, str):
            tags.append(fn)
        unit = c.facts.get("installation")
        if isinstance(unit, str):
            if unit in res.flags and res.flags[unit].any:
                tags.append("two_key_one_major")
            if kinds.get(unit) == "production":
                tags.append("process_unit")
        if tags:
            out[c.id] = tags
    return out


def inspection_plan(a: Assessment, res: ChemicalAnalysis) -> list[dict[str, Any]]:
    """For each control with an equipment ``chemical:function``: the round-type templates that apply and their coverage."""
    data = load("guideline-2019.yaml")
    e = a.enterprise
    items_of: dict[str, list[Any]] = {}
    for it in e.inspection_items:
        items_of.setdefault(it.control, []).append(it)
    out = []
    for c in e.controls:
        fn = c.facts.get("chemical:function")
        if fn not in data["round_functions"]:
            continue
        unit = c.facts.get("installation")
        tkom = bool(unit and res.flags.get(unit) and res.flags[unit].any)
        rows = []
        for r in data["rounds"]:
            if r.get("scope") == "two_key_one_major" and not tkom:
                continue
            if r["id"] == "round" and tkom:
                continue  # the 1 h round replaces the 2 h one on "两重点一重大" units
            need_h = parse_frequency(r["frequency"]).hours
            level = OwnerLevel.parse(r["owner_level"])
            covering = [it.id for it in items_of.get(c.id, []) if it.frequency.hours <= need_h and it.owner_level.rank <= level.rank]
            rows.append({"template": f"chem-78-{r['id']}-{fn}", "frequency": r["frequency"], "owner_level": level.key,
                         "covered_by": covering, "covered": bool(covering)})
        out.append({"control": c.id, "function": fn, "installation": unit, "two_key_one_major": tkom, "templates": rows,
                    "missing": [x["template"] for x in rows if not x["covered"]]})
    return out
