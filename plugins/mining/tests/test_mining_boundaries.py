"""The standard's boundaries hold exactly for whole-number inputs: the pack compares ratios, and a
ratio of integers is never rounded across 1.10 or 1.20 (property tests, reference engine)."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

from dualprev_mining._data import CRITERIA
from dualprev_mining._facts import derived_facts
from hypothesis import given
from hypothesis import strategies as st

from dualprev_core.clock import FixedClock
from dualprev_core.loading.enterprise import CHINA_STANDARD_TIME, parse_enterprise
from dualprev_core.rules import load_ruleset, make_engine

RULES = load_ruleset(CRITERIA / "coal-art04.yaml")
CLOCK = FixedClock(datetime(2026, 11, 30, tzinfo=CHINA_STANDARD_TIME))


def fired(rule: str, enterprise_facts: dict, face_facts: dict) -> bool:
    doc = {"format": "dualprev-enterprise/1", "enterprise": {"id": "M", "name": "矿", "facts": enterprise_facts},
           "areas": [{"id": "F1", "name": "工作面", "kind": "coal_face", "facts": face_facts}]}
    e = parse_enterprise(doc)
    derived = derived_facts(SimpleNamespace(enterprise=e, clock=CLOCK))
    facts = [{"type": "enterprise", "key": "M"}, {"type": "area", "key": "F1", "kind": "coal_face"}, *derived,
             {"type": "risk", "key": "R1", "area": "F1"}, {"type": "mitigation", "key": "C1>R1", "control": "C1", "risk": "R1"},
             {"type": "control", "key": "C1", "mining:items": ["coal-4-1", "coal-4-6"]}]
    merged: dict = {}
    for f in facts:
        merged.setdefault((f["type"], f["key"]), {}).update(f)
    with make_engine("reference") as engine:
        engine.load(RULES)
        engine.assert_facts(list(merged.values()))
        return any(m.rule == rule for m in engine.current_matches())


@given(cap=st.integers(1, 10**9), out=st.integers(0, 2 * 10**9))
def test_annual_output_fires_exactly_at_10_percent_over(cap, out):
    assert fired("coal-4-1-annual", {"mining:approved_capacity_t": cap, "mining:annual_output_t": out}, {}) is (10 * out >= 11 * cap)


@given(quota=st.integers(1, 500), hc=st.integers(0, 1000))
def test_headcount_fires_exactly_at_20_percent_over(quota, hc):
    assert fired("coal-4-6-headcount", {}, {"mining:shift_headcount": hc, "mining:headcount_quota": quota}) is (5 * hc >= 6 * quota)


@given(cap=st.integers(1, 10**9), month=st.integers(0, 10**9))
def test_a_month_fires_only_above_10_percent(cap, month):
    assert fired("coal-4-1-monthly", {"mining:approved_capacity_t": cap, "mining:monthly_output_t": [month]}, {}) is (10 * month > cap)
