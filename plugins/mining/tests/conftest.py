"""Fixtures of the mining pack's tests: build a small mine and assess it with the pack alone (``mining`` fixture)."""

from __future__ import annotations

import copy
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from dualprev_mining import pack

from dualprev_core.assessment.assessment import Assessment
from dualprev_core.clock import FixedClock
from dualprev_core.loading.enterprise import CHINA_STANDARD_TIME, parse_enterprise
from dualprev_core.packs import load_packs

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=CHINA_STANDARD_TIME)


_PACKS: list[Any] = []


def packs() -> Any:
    """The core and the mining pack only (loaded once: rule files are parsed on load)."""
    if not _PACKS:
        p = load_packs(load_entrypoints=False, extra=[pack])
        if p.errors:
            raise RuntimeError(p.errors)
        _PACKS.append(p)
    return _PACKS[0]


def mine(enterprise_facts: dict | None = None, areas: list | None = None, items: list | None = None, **extra: Any) -> dict:
    """A one-face coal mine whose control C1 implements ``items`` and mitigates a risk in face F1."""
    doc = {
        "format": "dualprev-enterprise/1",
        "enterprise": {"id": "M", "name": "测试矿井", "industry": "mining", "facts": {"mining:as_of": "2026-11-30", **(enterprise_facts or {})}},
        "areas": [{"id": "MINE", "name": "矿井", "kind": "mine"}, {"id": "F1", "name": "1101工作面", "parent": "MINE", "kind": "coal_face"}],
        "risks": [{"id": "R1", "name": "顶板事故", "area": "F1", "category": "坍塌", "method": "lec", "inputs": {"L": 1, "E": 6, "C": 15},
                   "controls": [{"id": "C1", "name": "措施", "kind": "management", "owner_level": "company", "critical": True,
                                 "on_failure": {"L": 6}, "facts": {"mining:items": items or []}}]}],
    }
    for a in areas or []:
        found = next((x for x in doc["areas"] if x["id"] == a["id"]), None)
        if found is None:
            doc["areas"].append(copy.deepcopy(a))
        else:
            found.setdefault("facts", {}).update(a.get("facts", {}))
            found.update({k: v for k, v in a.items() if k != "facts"})
    doc.update(extra)
    return doc


def assess(doc: dict, *, engine: str = "reference") -> Assessment:
    p = packs()
    a = Assessment(parse_enterprise(doc, methods=dict(p.registry.methods)), packs=p, clock=FixedClock(NOW), rules_engine=engine)
    a.evaluate_criteria(at=NOW)
    return a


def majors(a: Assessment) -> dict[str, list[str]]:
    """control → criterion ids of its major hidden dangers."""
    return {h.control_id: [c.criterion_id for c in h.criteria] for h in a.ledger.all() if h.is_major}


@pytest.fixture
def mining() -> SimpleNamespace:
    """The helpers: ``mine(...)``, ``assess(doc, engine=...)``, ``majors(assessment)``, ``packs()``, ``NOW``."""
    return SimpleNamespace(mine=mine, assess=assess, majors=majors, packs=packs, NOW=NOW)
