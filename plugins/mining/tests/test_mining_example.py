"""The example mine (examples/mine.yaml, examples/mine-gas.csv) through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dualprev_core.cli.app import cli

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
MINE = EXAMPLES / "mine.yaml"
GAS = EXAMPLES / "mine-gas.csv"


def run(*args: str) -> dict:
    r = CliRunner().invoke(cli, [*args, "--json"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


@pytest.fixture(autouse=True)
def _only_this_pack(monkeypatch):
    # the example is judged by the core and this pack, whatever else is installed
    monkeypatch.setenv("DUALPREV_DISABLE_PACKS", "chemical,construction")


def test_assess_opens_the_standing_major_hidden_danger_and_lists_reidentification():
    d = run("assess", str(MINE))
    majors = {h["control"]: [c["criterion_id"] for c in h["criteria"]] for h in d["hidden_dangers"] if h["grade"] == "major"}
    # 1101 face: 26 per shift against a quota of 20 (≥ 20 % over) → 第四条第（六）项
    assert majors["C-QUOTA"] == ["coal-4-6-headcount"]
    assert majors["C-1201-EXITS"] == ["coal-13-5"]
    risks = {r["id"]: r for r in d["risks"]}
    assert (risks["R-1101-CROWD"]["assessed_level"], risks["R-1101-CROWD"]["current_level"]) == ("general", "large")   # C-QUOTA failed
    kinds = {(t["kind"], t["status"]) for t in d["mining:reidentification"]["tasks"]}
    assert {("new_working_face", "due"), ("new_technology", "due"), ("restart", "done"), ("major_change", "due"),
            ("major_hidden_danger", "due")} <= kinds
    derived = {f["key"]: f for f in d["mining:derived_facts"]}
    assert derived["F-1101"]["mining:headcount_ratio"] == pytest.approx(1.3)
    assert derived["MINE-DEMO"]["mining:producing_levels"] == 2


def test_inspect_grades_the_blocked_exit_major_with_its_clause():
    d = run("inspect", str(MINE))
    by_id = {o["inspection"]: o for o in d["inspections"]}
    hd = by_id["X-1"]["hidden_danger"]
    assert hd["grade"] == "major"
    (crit,) = hd["criteria"]
    assert (crit["criterion_id"], crit["citation"]["standard"], crit["citation"]["clause"]) == ("coal-13-5", "应急管理部令第4号", "第十三条第（五）项")
    assert by_id["X-2"]["hidden_danger"]["grade"] == "general"
    assert [h["criteria"][0]["criterion_id"] for h in d["opened_by_criteria"]] == ["coal-4-6-headcount"]


def test_monitor_raises_the_gas_alarms_the_major_hidden_danger_and_reports_the_silent_point():
    d = run("monitor", str(GAS), "-e", str(MINE), "--until", "2026-11-30T08:45:00+08:00")
    assert [(a["rule"], a["point"], a["at"]) for a in d["alarms"]] == [
        ("mine-ch4-face-alarm", "T-1101-UC", "2026-11-30T08:12:00+08:00"),           # ≥ 1.0 % from 08:11, held 60 s
        ("mine-ch4-face-work-continued", "T-1101-UC", "2026-11-30T08:21:00+08:00"),  # held 600 s
        ("mine-point-silent", "T-1102", "2026-11-30T08:25:00+08:00"),               # last reading 08:15
    ]
    gas, silent = d["hidden_dangers"]
    assert (gas["control"], gas["grade"]) == ("C-1101-GAS-STOP", "major")
    assert gas["criteria"][0]["citation"]["clause"] == "第五条第（二）项"
    assert (silent["control"], silent["grade"]) == ("C-1102-MON", "general")
    assert d["levels_moved"] == [{"id": "R-1101-GAS", "before": "large", "after": "major"}]
    assert d["problems"] == []


def test_the_nonmetal_example_opens_the_88_criteria():
    d = run("assess", str(EXAMPLES / "mine-nonmetal.yaml"))
    majors = {h["control"]: [c["criterion_id"] for c in h["criteria"]] for h in d["hidden_dangers"] if h["grade"] == "major"}
    assert majors == {
        "C-EXITS": ["nm-u-exits-2-spacing"],         # two exits 25 m apart (< 30 m)
        "C-DRAWINGS": ["nm-u-drawings-1-producing"],  # producing mine, drawings 4 months old (> 3)
        "C-DAM": ["nm-t-height-dam"],                 # dam 41 m against a design of 40 m
        "C-GROUND": ["nm-u-ground-pressure"],         # inspection: no ground-pressure unit
    }
