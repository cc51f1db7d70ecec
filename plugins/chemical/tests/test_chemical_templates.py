"""应急〔2019〕78号 inspection templates, the inspection plan, and the example enterprise end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from dualprev_chemical.templates import inspection_templates

from dualprev_core.cli.app import cli
from dualprev_core.model.vocabulary import OwnerLevel

ROOT = Path(__file__).resolve().parents[3]
PLANT = ROOT / "examples" / "chemical-plant.yaml"


def by_id():
    return {t.id: t for t in inspection_templates()}


@pytest.mark.parametrize(("tid", "frequency", "owner"), [
    ("chem-78-round-emergency_shutoff", "2h", OwnerLevel.POST),        # operator rounds ≤ 2 h
    ("chem-78-round-tkom-sis", "1h", OwnerLevel.POST),                 # ≤ 1 h for 两重点一重大
    ("chem-78-daily-gas_detection", "twice-daily", OwnerLevel.WORKSHOP),
    ("chem-78-weekly-relief_valve", "weekly", OwnerLevel.WORKSHOP),
    ("chem-78-monthly-dual_power", "monthly", OwnerLevel.WORKSHOP),
    ("chem-78-seasonal", "quarterly", OwnerLevel.COMPANY),
    ("chem-78-comprehensive-company", "6mo", OwnerLevel.COMPANY),
    ("chem-78-comprehensive-plant", "quarterly", OwnerLevel.WORKSHOP),
    ("chem-78-hazop-tkom", "3y", OwnerLevel.COMPANY),
    ("chem-78-risk-review-other", "5y", OwnerLevel.COMPANY),
])
def test_template_frequencies_follow_the_guideline(tid, frequency, owner):
    t = by_id()[tid]
    assert (t.frequency, t.owner_level) == (frequency, owner)
    assert t.citation.standard == "应急〔2019〕78号"


def test_packs_lists_the_pack_with_its_standards():
    res = CliRunner().invoke(cli, ["packs", "--json"])
    assert res.exit_code == 0, res.output
    (chem,) = [p for p in json.loads(res.output)["packs"] if p["name"] == "chemical"]
    assert {s["standard"] for s in chem["standards"]} >= {"GB 18218", "安监总管三〔2017〕121号", "应急〔2019〕78号", "应急〔2018〕19号"}
    assert len(chem["contributes"]["criteria"]) == 20 and chem["contributes"]["enterprise_level_methods"] == ["chem-19"]


def test_example_assess_shows_units_levels_and_a_cited_major_hidden_danger():
    res = CliRunner().invoke(cli, ["assess", str(PLANT), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    units = {u["id"]: u for u in data["major_hazard_installations"]}
    assert {k: (u["is_major_hazard"], u["level_zh"]) for k, u in units.items()} == {
        "MHI-MEOH": (True, "四级"), "MHI-NH3": (True, "二级"), "MHI-CHLOR": (True, "三级"), "U-WH": (False, None)}
    majors = {h["control"]: [c["citation"]["clause"] for c in h["criteria"]] for h in data["hidden_dangers"] if h["grade"] == "major"}
    assert majors == {"C-NH3-ESV": ["第5项"], "C-CHLOR-PSV": ["第15项"], "C-PERMIT": ["第18项"]}
    assert data["enterprise"]["method"] == "chem-19"
    plan = {p["control"]: p for p in data["chemical:inspection_plan"]}
    assert plan["C-NH3-ESV"]["missing"] == [] and plan["C-MEOH-ESV"]["missing"] == ["chem-78-round-tkom-emergency_shutoff"]


def test_example_inspect_with_a_later_round():
    res = CliRunner().invoke(cli, ["inspect", str(PLANT), "--inspections", str(ROOT / "examples" / "chemical-inspections.yaml"), "--json"])
    assert res.exit_code == 0, res.output
    out = {o["inspection"]: o["hidden_danger"] for o in json.loads(res.output)["inspections"]}
    assert [c["citation"]["clause"] for c in out["INS-12-01"]["criteria"]] == ["第12项"]
    assert [c["criterion_id"] for c in out["INS-12-02"]["criteria"]] == ["chem-121-05b"]
    assert out["INS-12-03"]["grade"] == "general"
