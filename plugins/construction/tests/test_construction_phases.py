"""Phase dynamics and the example project (examples/construction-project.yaml) end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from dualprev_construction import pack
from dualprev_construction.phases import phases

from dualprev_core.assessment.assessment import Assessment
from dualprev_core.cli.app import cli
from dualprev_core.errors import DualprevError
from dualprev_core.loading.enterprise import load_enterprise, parse_enterprise
from dualprev_core.model.levels import RiskLevel
from dualprev_core.packs import load_packs

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "construction-project.yaml"


def packs():
    p = load_packs(load_entrypoints=False, extra=[pack])
    assert not p.errors, p.errors
    return p


def site(phase: str | None, *, risk_phases: list | None = None) -> dict:
    facts = {"construction:phase": phase} if phase is not None else {}
    return {
        "format": "dualprev-enterprise/1",
        "enterprise": {"id": "P", "name": "项目", "facts": facts},
        "areas": [{"id": "S", "name": "现场"}, {"id": "PIT", "name": "基坑", "parent": "S"}, {"id": "B", "name": "主楼", "parent": "S"}],
        "risk_points": [
            {"id": "SP-PIT", "name": "基坑", "area": "PIT", "kind": "activity",
             "facts": {"construction:kind": "excavation", "construction:depth_m": 6.0, "construction:phases": ["excavation"]}},
            {"id": "SP-SCAF", "name": "外架", "area": "B", "kind": "activity",
             "facts": {"construction:kind": "scaffold", "construction:scaffold_type": "ground", "construction:height_m": 30.0,
                       "construction:phases": ["主体结构施工", "fit_out"]}},
        ],
        "risks": [
            {"id": "R-PIT", "name": "基坑坍塌", "risk_point": "SP-PIT", "category": "坍塌", "method": "lec", "inputs": {"L": 3, "E": 6, "C": 40}},
            {"id": "R-SCAF", "name": "外架坍塌", "risk_point": "SP-SCAF", "category": "坍塌", "method": "lec", "inputs": {"L": 1, "E": 6, "C": 15}},
            {"id": "R-EDGE", "name": "临边坠落", "area": "S", "category": "高处坠落", "method": "lec", "inputs": {"L": 1, "E": 3, "C": 7},
             **({"facts": {"construction:phases": risk_phases}} if risk_phases else {})},
        ],
    }


def assess(d: dict) -> Assessment:
    return Assessment(parse_enterprise(d), packs=packs(), rules_engine="reference")


def test_only_the_current_phase_counts_in_levels_and_the_map():
    a = assess(site("excavation"))
    assert a.active == {"R-PIT", "R-EDGE"}
    assert a.area_level("PIT") is RiskLevel.MAJOR and a.area_level("B") is None and a.highest_level() is RiskLevel.MAJOR
    b = assess(site("main_structure"))
    assert b.active == {"R-SCAF", "R-EDGE"}
    assert b.area_level("PIT") is None and b.area_level("B") is RiskLevel.GENERAL and b.highest_level() is RiskLevel.GENERAL
    assert [r.id for r in a.major_risks()] == ["R-PIT"] and b.major_risks() == []
    # inactive risks are still graded and explained
    assert b.assessed_level("R-PIT") is RiskLevel.MAJOR


def test_without_a_declared_phase_everything_counts():
    assert assess(site(None)).active == {"R-PIT", "R-SCAF", "R-EDGE"}


def test_a_risk_may_list_its_own_phases():
    assert "R-EDGE" not in assess(site("excavation", risk_phases=["fit_out"])).active


def test_chinese_phase_labels_are_accepted_and_unknown_phases_are_refused_with_the_nearest():
    assert assess(site("主体结构施工")).active == {"R-SCAF", "R-EDGE"}
    with pytest.raises(DualprevError, match="did you mean 'main_structure'"):
        assess(site("main_structur"))


@pytest.mark.parametrize("phase", sorted(phases()))
def test_phase_never_changes_assessed_levels_and_inactive_risks_never_colour_the_map(phase):
    a = assess(site(phase))
    full = assess(site(None))
    assert {r: a.assessed_level(r) for r in ("R-PIT", "R-SCAF", "R-EDGE")} == {r: full.assessed_level(r) for r in ("R-PIT", "R-SCAF", "R-EDGE")}
    for area in ("PIT", "B"):
        active_here = [r for r in a.active if a.enterprise.risks[[x.id for x in a.enterprise.risks].index(r)].area == area]
        assert (a.area_level(area) is None) == (not active_here)


def test_example_project_assess_shows_identification_and_phase():
    result = CliRunner().invoke(cli, ["assess", str(EXAMPLE), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output[result.output.index("{"):])
    section = report["construction:dangerous_works"]
    got = {s["id"]: (s["class"], s["active"]) for s in section["subprojects"]}
    assert got == {
        "SP-PIT-MAIN": ("beyond_scale", False), "SP-PIT-B2": ("dangerous", False), "SP-PIT-ELEV": ("none", True),
        "SP-SHORE-HALL": ("beyond_scale", True), "SP-SHORE-STD": ("none", True), "SP-SCAF-B1": ("beyond_scale", True),
        "SP-SCAF-B2": ("dangerous", True), "SP-CRANE": ("dangerous", True), "SP-LIFT": ("dangerous", True), "SP-CW": ("beyond_scale", False),
    }
    by_id = {s["id"]: s for s in section["subprojects"]}
    assert by_id["SP-PIT-B2"]["decided_by"][0]["citation"] == "建办质〔2018〕31号 附件1 一（一）"
    assert by_id["SP-PIT-B2"]["decided_by"][0]["values"] == {"depth_m": 3.0}
    assert section["phase"] == "main_structure"
    # the curtain wall's plan is not reviewed, but it is a fit-out job: no hidden danger yet
    assert [h["control"] for h in report["hidden_dangers"]] == ["C-SCAF-B1-TIES"]
    assert {r["id"] for r in report["risks"] if not r["active"]} == {"R-PIT-MAIN", "R-PIT-B2", "R-CW"}
    assert next(a for a in report["areas"] if a["id"] == "A-PIT")["level"] is None


def test_example_project_inspect_turns_the_failed_tie_inspection_into_a_cited_major_hidden_danger():
    result = CliRunner().invoke(cli, ["inspect", str(EXAMPLE), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output[result.output.index("{"):])
    (ties,) = [o for o in data["inspections"] if o["hidden_danger"]]
    hd = ties["hidden_danger"]
    assert (ties["inspection"], hd["grade"], hd["control"]) == ("INS-1120-03", "major", "C-SCAF-B1-TIES")
    (crit,) = hd["criteria"]
    assert crit["criterion_id"] == "jz2022-7-2" and crit["citation"]["clause"] == "第七条第（二）项" and crit["citation"]["verified"] is True
    assert {"id": "R-SCAF-B1", "kind": "risk", "before": "large", "after": "major"} in ties["changes"]


def test_example_project_in_the_fit_out_phase_opens_the_curtain_wall_review_hidden_danger(tmp_path):
    text = EXAMPLE.read_text(encoding="utf-8").replace("construction:phase: main_structure", "construction:phase: fit_out")
    path = tmp_path / "fit-out.yaml"
    path.write_text(text, encoding="utf-8")
    a = Assessment(load_enterprise(path, methods=dict(packs().registry.methods)), packs=packs(), rules_engine="reference")
    a.evaluate_criteria()
    opened = {h.control_id: [c.criterion_id for c in h.criteria] for h in a.ledger.all() if h.source.startswith("criterion:")}
    assert opened == {"C-CW-PLAN": ["jz2022-4-4-plan"]}
    assert "R-CW" in a.active and "R-SHORE-HALL" not in a.active


def test_example_readings_raise_a_red_alarm_above_the_design_limit_only():
    readings = EXAMPLE.with_name("construction-readings.yaml")
    result = CliRunner().invoke(cli, ["monitor", str(readings), "-e", str(EXAMPLE), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output[result.output.index("{"):])
    (alarm,) = data["alarms"]  # 30.0 mm equals the limit: "超过" is exclusive
    assert (alarm["rule"], alarm["level"], alarm["point"]) == ("excavation-deformation-over-design-limit", "red", "MP-PIT-D1")
    assert alarm["at"].startswith("2026-11-20") and alarm["citation"]["verified"] is False


def test_a_bad_design_limit_is_refused():
    d = site("excavation")
    d["monitoring_points"] = [{"id": "MP", "name": "位移", "quantity": "displacement", "unit": "mm", "area": "PIT", "facts": {"construction:design_limit": "30mm"}}]
    with pytest.raises(DualprevError, match=r"monitoring_points\[0\]\.facts\.construction:design_limit: MP: must be a positive number in mm"):
        assess(d)


def test_sub_project_fact_errors_come_at_load_time_with_lines(tmp_path):
    import pytest

    from dualprev_core.errors import ValidationError
    from dualprev_core.loading.enterprise import load_enterprise
    from dualprev_core.packs import load_packs

    text = (
        "format: dualprev-enterprise/1\nenterprise: {id: P, name: 项目}\nareas: [{id: S, name: 现场}]\nrisk_points:\n"
        "  - id: SP1\n    name: 基坑\n    area: S\n    kind: activity\n    facts:\n      construction:kind: excavatoin\n"
    )
    p = tmp_path / "p.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as exc:
        load_enterprise(p, packs=load_packs())
    (problem,) = exc.value.problems
    assert problem.path == "risk_points[0].facts.construction:kind" and problem.line == 10
    assert "did you mean 'excavation'" in problem.message
