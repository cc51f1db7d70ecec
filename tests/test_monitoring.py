"""Monitoring early warning through pack rules, on both engines."""

from __future__ import annotations

import types
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from dualprev_core import hookimpl
from dualprev_core.assessment.assessment import Assessment
from dualprev_core.loading.enterprise import CHINA_STANDARD_TIME, parse_enterprise
from dualprev_core.model.vocabulary import HiddenDangerGrade
from dualprev_core.monitoring import Monitor, read_readings
from dualprev_core.packs import PackManifest, load_packs

RULES = Path(__file__).parent / "data" / "test-monitoring.yaml"
T0 = datetime(2026, 11, 30, 8, 0, tzinfo=CHINA_STANDARD_TIME)

DOC = {
    "format": "dualprev-enterprise/1",
    "enterprise": {"id": "M", "name": "某煤矿"},
    "areas": [{"id": "F1", "name": "1101工作面"}],
    "risks": [{"id": "R1", "name": "瓦斯爆炸", "area": "F1", "category": "可燃气体爆炸", "method": "lec", "inputs": {"L": 1, "E": 6, "C": 15},
               "controls": [{"id": "C-GAS", "name": "瓦斯监控", "kind": "engineering", "owner_level": "team", "critical": True, "on_failure": {"L": 6}}]}],
    "monitoring_points": [
        {"id": "T1", "name": "上隅角甲烷", "area": "F1", "quantity": "CH4", "unit": "%", "control": "C-GAS"},
        {"id": "T2", "name": "回风流甲烷", "area": "F1", "quantity": "CH4", "unit": "%", "control": "C-GAS"},
    ],
}


def pack():
    mod = types.ModuleType("testmon")
    mod.dualprev_pack_manifest = hookimpl(lambda: PackManifest(name="testmon", version="0.9", core_api=">=1.0"))
    mod.dualprev_register_criteria = hookimpl(lambda registrar: registrar.rule_file(RULES))
    return mod


@pytest.fixture(params=["reference", "durable"])
def monitor(request):
    if request.param == "durable":
        pytest.importorskip("durable.engine")
    packs = load_packs(load_entrypoints=False, extra=[pack()])
    assert not packs.errors
    return Monitor(Assessment(parse_enterprise(DOC), packs=packs, rules_engine=request.param))


def reading(point, seconds, value, unit="%"):
    return {"point": point, "quantity": "CH4", "value": value, "unit": unit, "at": (T0 + timedelta(seconds=seconds)).isoformat()}


def test_over_limit_held_raises_alarm_and_a_major_hidden_danger(monitor):
    for s, v in [(0, 0.4), (30, 1.1), (60, 1.2), (80, 1.3)]:
        assert not monitor.feed(reading("T1", s, v)).alarms
    res = monitor.feed(reading("T1", 90, 1.25))  # held 60 s since the 1.1 at 30 s
    (alarm,) = res.alarms
    assert (alarm.rule, alarm.level, alarm.point) == ("M-CH4-HELD", "red", "T1")
    (hd,) = res.hidden_dangers
    assert hd.control_id == "C-GAS" and hd.grade is HiddenDangerGrade.MAJOR
    assert hd.criteria[0].criterion_id == "M-CH4-HELD" and hd.criteria[0].citation.clause == "m1"
    a = monitor.assessment
    assert (a.assessed_level("R1").key, a.current_level("R1").key) == ("general", "major")  # monitoring control failed: L 1 -> 6


def test_a_dip_below_the_limit_restarts_the_hold(monitor):
    for s, v in [(0, 1.1), (30, 0.9), (40, 1.1), (90, 1.2)]:
        assert not monitor.feed(reading("T1", s, v)).alarms
    assert monitor.feed(reading("T1", 100, 1.2)).alarms


def test_a_silent_point_is_reported(monitor):
    monitor.feed(reading("T1", 0, 0.2))
    monitor.feed(reading("T2", 0, 0.2))
    monitor.feed(reading("T2", 500, 0.2))
    res = monitor.advance(T0 + timedelta(seconds=700))
    assert [(a.rule, a.point) for a in res.alarms] == [("M-SILENT", "T1")]
    assert res.hidden_dangers and res.hidden_dangers[0].control_id == "C-GAS"


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ({"point": "T9", "value": 1, "at": T0.isoformat()}, "unknown_point"),
        ({"point": "T1", "value": 1, "unit": "ppm", "at": T0.isoformat()}, "wrong_unit"),
        ({"point": "T1", "quantity": "CO", "value": 1, "at": T0.isoformat()}, "wrong_quantity"),
        ({"point": "T1", "value": "nan", "at": T0.isoformat()}, "not_a_number"),
        ({"point": "T1", "value": "high", "at": T0.isoformat()}, "not_a_number"),
        ({"point": "T1", "value": 1, "at": "yesterday"}, "malformed"),
        ({"point": "T1", "at": T0.isoformat()}, "malformed"),
    ],
)
def test_bad_readings_are_reported_and_kept(monitor, raw, kind):
    res = monitor.feed(raw, where="f.csv:7")
    (p,) = res.problems
    assert (p.kind, p.where) == (kind, "f.csv:7") and p.reading == raw
    assert monitor.problems == [p]


def test_duplicates_and_out_of_order(monitor):
    monitor.feed(reading("T1", 60, 0.5))
    assert monitor.feed(reading("T1", 60, 0.5)).problems[0].kind == "duplicate"
    assert monitor.feed(reading("T1", 60, 0.7)).problems[0].kind == "conflicting_duplicate"
    assert monitor.feed(reading("T1", 30, 0.5)).problems[0].kind == "out_of_order"
    assert len(monitor.problems) == 3


def test_read_readings_csv_and_jsonl(tmp_path):
    c = tmp_path / "r.csv"
    c.write_text("point,quantity,value,unit,at\nT1,CH4,0.5,%,2026-11-30T08:00:00+08:00\n", encoding="utf-8")
    assert list(read_readings(c)) == [(f"{c}:2", {"point": "T1", "quantity": "CH4", "value": "0.5", "unit": "%", "at": "2026-11-30T08:00:00+08:00"})]
    j = tmp_path / "r.jsonl"
    j.write_text('{"point": "T1", "value": 0.5, "at": "2026-11-30T08:00:00+08:00"}\n{oops\n', encoding="utf-8")
    rows = list(read_readings(j))
    assert rows[0][1]["point"] == "T1" and "_error" in rows[1][1] and rows[1][0].endswith(":2")


def test_cli_monitor_with_local_rules(tmp_path):
    import json

    import yaml
    from click.testing import CliRunner

    from dualprev_core.cli.app import cli

    ent = tmp_path / "mine.yaml"
    ent.write_text(yaml.safe_dump(DOC, allow_unicode=True), encoding="utf-8")
    csv = tmp_path / "r.csv"
    csv.write_text("point,quantity,value,unit,at\nT1,CH4,0.4,%,2026-11-30T08:00:00+08:00\nT1,CH4,1.1,%,2026-11-30T08:00:30+08:00\n"
                   "T1,CH4,1.2,%,2026-11-30T08:01:40+08:00\nT9,CH4,1.2,%,2026-11-30T08:01:41+08:00\n", encoding="utf-8")
    ledger = tmp_path / "l.jsonl"
    r = CliRunner().invoke(cli, ["monitor", str(csv), "-e", str(ent), "--rules", str(RULES), "--until", "2026-11-30T09:00:00+08:00",
                                 "--ledger", str(ledger), "--json"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert [a["rule"] for a in d["alarms"]] == ["M-CH4-HELD", "M-SILENT"]
    (hd,) = d["hidden_dangers"]
    assert hd["grade"] == "major" and hd["criteria"][0]["pack"] == "local"
    assert d["levels_moved"] == [{"id": "R1", "before": "general", "after": "major"}]
    assert [p["kind"] for p in d["problems"]] == ["unknown_point"]
    assert ledger.exists() and not d["actions"]


def test_unreadable_readings_files_are_clear_errors(tmp_path):
    from dualprev_core.errors import ValidationError

    bad = tmp_path / "r.csv"
    bad.write_bytes(b"point,value\n\xff\xfe\n")
    with pytest.raises(ValidationError, match="cannot read readings"):
        list(read_readings(bad))
    y = tmp_path / "r.yaml"
    y.write_text("readings: [\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="invalid YAML"):
        list(read_readings(y))
