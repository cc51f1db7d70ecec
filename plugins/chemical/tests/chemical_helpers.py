"""Shared builders for the chemical pack's tests (enterprise documents and assessments)."""

from __future__ import annotations

import copy
import functools
from typing import Any

import dualprev_chemical.pack as chemical_pack

from dualprev_core.assessment.assessment import Assessment
from dualprev_core.loading.enterprise import parse_enterprise
from dualprev_core.packs import load_packs


@functools.cache
def packs() -> Any:
    """The core and the chemical pack, loaded once (assessments do not change the registry)."""
    p = load_packs(load_entrypoints=False, extra=[chemical_pack])
    assert not p.errors, p.errors
    return p


def doc(*units: dict[str, Any], facts: dict[str, Any] | None = None, controls: list[dict[str, Any]] | None = None,
        inspections: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A minimal chemical enterprise: one area per unit, one risk, the given controls."""
    areas = [{"id": "A", "name": "厂区"}] + [{"id": f"A-{u['id']}", "name": u["name"], "parent": "A"} for u in units]
    mhis = [{"area": f"A-{u['id']}", **copy.deepcopy(u)} for u in units]
    return {
        "format": "dualprev-enterprise/1",
        "enterprise": {"id": "E", "name": "测试化工", "industry": "chemical", "facts": facts or {}},
        "areas": areas,
        "risks": [{"id": "R1", "name": "泄漏火灾", "area": f"A-{units[0]['id']}" if units else "A", "category": "火灾",
                   "method": "lec", "inputs": {"L": 1, "E": 6, "C": 40}}],
        "controls": controls or [],
        "inspections": inspections or [],
        "major_hazard_installations": mhis,
    }


def unit(uid: str, *inventory: dict[str, Any], kind: str = "storage", **facts: Any) -> dict[str, Any]:
    return {"id": uid, "name": f"单元{uid}", "kind": kind, "facts": {"chemical:inventory": list(inventory), **facts}}


def assess(document: dict[str, Any]) -> Assessment:
    p = packs()
    return Assessment(parse_enterprise(document, methods=dict(p.registry.methods)), packs=p, rules_engine="reference")
