"""The monitor streams: what it keeps does not grow with the number of readings fed, and it
still reports duplicates and out-of-order readings as before (with or without rules)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from test_monitoring import DOC, T0, pack, reading

from dualprev_core.assessment.assessment import Assessment
from dualprev_core.loading.enterprise import parse_enterprise
from dualprev_core.monitoring import Monitor, read_readings
from dualprev_core.packs import load_packs


def _monitor(with_rules: bool, engine: str = "reference") -> Monitor:
    packs = load_packs(load_entrypoints=False, extra=[pack()] if with_rules else [])
    return Monitor(Assessment(parse_enterprise(DOC), packs=packs, rules_engine=engine))


@pytest.mark.parametrize("with_rules", [True, False])
def test_memory_held_per_reading_is_bounded(with_rules):
    mon = _monitor(with_rules)
    for s in range(0, 3000, 10):
        for point in ("T1", "T2"):
            assert not mon.feed(reading(point, s, 0.3)).problems
    assert mon.readings == 600
    assert len(mon._seen) <= 2 and len(mon._keys) <= 2 and len(mon._key_of) <= 2  # noqa: SLF001
    if with_rules:
        assert mon.session is not None and mon.session.engine.matches() == []


@pytest.mark.parametrize("with_rules", [True, False])
def test_duplicates_and_out_of_order_with_or_without_rules(with_rules):
    mon = _monitor(with_rules)
    mon.feed(reading("T1", 60, 0.5))
    mon.feed(reading("T2", 60, 0.5))
    assert mon.feed(reading("T1", 60, 0.5)).problems[0].kind == "duplicate"
    assert mon.feed(reading("T2", 60, 0.9)).problems[0].kind == "conflicting_duplicate"
    assert mon.feed(reading("T1", 30, 0.5)).problems[0].kind == "out_of_order"
    assert not mon.feed(reading("T1", 90, 0.5)).problems
    assert mon.feed(reading("T2", 60, 0.5)).problems[0].kind == "out_of_order"  # once the clock moved on


def test_readings_are_read_lazily(tmp_path):
    f = tmp_path / "r.jsonl"
    with f.open("w", encoding="utf-8") as out:
        for s in range(1000):
            out.write(json.dumps({"point": "T1", "value": 0.3, "at": (T0 + timedelta(seconds=s)).isoformat()}) + "\n")
    it = read_readings(f)
    where, first = next(it)
    assert where == f"{f}:1" and first["point"] == "T1"
    mon = _monitor(True)
    mon.feed_all(it, collect=False)
    assert mon.readings == 999 and not mon.problems


def test_held_alarm_still_names_its_point_after_many_readings():
    mon = _monitor(True)
    for s in range(0, 600, 10):
        mon.feed(reading("T2", s, 0.2))
    alarms = []
    for s, v in [(600, 1.1), (630, 1.2), (700, 1.3)]:
        alarms += mon.feed(reading("T1", s, v)).alarms
    assert alarms and alarms[0].point == "T1"
