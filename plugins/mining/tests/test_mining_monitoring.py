"""Mine monitoring: over-limit readings, silent points, and the monitoring limits as a pack setting."""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest
from dualprev_mining import pack
from dualprev_mining._data import CRITERIA, MONITORING_ENV
from dualprev_mining.monitoring import silent_points

from dualprev_core.monitoring import Monitor
from dualprev_core.packs import load_packs

POINTS = [
    {"id": "T1", "name": "上隅角甲烷", "area": "F1", "quantity": "CH4", "unit": "%", "control": "C1", "expected_interval_s": 30, "facts": {"mining:location": "coal_face"}},
    {"id": "T2", "name": "回风甲烷", "area": "F1", "quantity": "CH4", "unit": "%", "control": "C1", "facts": {"mining:location": "return"}},
    {"id": "T3", "name": "从未上传", "area": "F1", "quantity": "CO", "unit": "ppm", "control": "C1", "expected_interval_s": 60, "facts": {"mining:location": "return"}},
]


def reading(mining, point, seconds, value, quantity="CH4", unit="%"):
    return {"point": point, "quantity": quantity, "value": value, "unit": unit, "at": (mining.NOW + timedelta(seconds=seconds)).isoformat()}


@pytest.fixture
def monitor(mining):
    return Monitor(mining.assess(mining.mine(items=["coal-5-2"], monitoring_points=POINTS)))


def test_ch4_at_1_percent_held_alarms_then_opens_the_major_hidden_danger(mining, monitor):
    fed = [monitor.feed(reading(mining, "T1", s, v)) for s, v in [(0, 0.5), (30, 1.0), (60, 1.1), (90, 1.2), (330, 1.1), (630, 1.05)]]
    assert [a.rule for r in fed for a in r.alarms] == ["mine-ch4-face-alarm", "mine-ch4-face-work-continued"]
    (hd,) = fed[-1].hidden_dangers
    assert hd.is_major and [c.criterion_id for c in hd.criteria] == ["mine-ch4-face-work-continued"]
    assert hd.criteria[0].citation.clause == "第五条第（二）项" and not hd.criteria[0].citation.verified


def test_below_the_limit_raises_nothing(mining, monitor):
    assert not any(monitor.feed(reading(mining, "T1", s, 0.99)).alarms for s in range(0, 1300, 60))


def test_a_point_that_falls_silent_is_reported_by_the_rule_and_by_silent_points(mining, monitor):
    monitor.feed(reading(mining, "T1", 0, 0.3))
    monitor.feed(reading(mining, "T2", 0, 0.3))
    monitor.feed(reading(mining, "T2", 500, 0.3))
    res = monitor.advance(mining.NOW + timedelta(seconds=700))
    assert [(a.rule, a.point) for a in res.alarms] == [("mine-point-silent", "T1")]
    assert [h.grade.key for h in res.hidden_dangers] == ["general"]
    silent = silent_points(monitor, mining.NOW + timedelta(seconds=700), since=mining.NOW)
    # T1: 700 s > 3 × 30 s; T2: 200 s ≤ 600 s (no interval given); T3 never reported: 700 s > 3 × 60 s
    assert [(s["point"], s["last_at"] is None) for s in silent] == [("T1", False), ("T3", True)]


def test_the_monitoring_limits_are_a_replaceable_setting(tmp_path, monkeypatch):
    copy = tmp_path / "my-monitoring.yaml"
    shutil.copy(CRITERIA / "monitoring.yaml", copy)
    shutil.copy(CRITERIA / "monitoring.examples.yaml", tmp_path / "my-monitoring.examples.yaml")
    monkeypatch.setenv(MONITORING_ENV, str(copy))
    packs = load_packs(load_entrypoints=False, extra=[pack])
    assert not packs.errors and ("mining", copy) in packs.registry.rule_files.values()
    monkeypatch.setenv(MONITORING_ENV, str(tmp_path / "missing.yaml"))
    assert "no such rule file" in str(load_packs(load_entrypoints=False, extra=[pack], strict=False).errors["mining"])
