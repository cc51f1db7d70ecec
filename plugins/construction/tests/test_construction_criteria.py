"""建质规〔2022〕2号 criteria through the core: inspections, standing facts, derived facts, conformance."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone

import pytest
import yaml
from dualprev_construction import pack
from dualprev_construction.criteria import rule_files

from dualprev_core.assessment.assessment import Assessment
from dualprev_core.loading.enterprise import parse_enterprise
from dualprev_core.model.records import Inspection
from dualprev_core.model.vocabulary import HiddenDangerGrade, InspectionResult
from dualprev_core.packs import load_packs
from dualprev_core.packs.conformance import assert_pack_conforms

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=timezone(timedelta(hours=8)))

#: Items the public sources mark ✔ (confirmed by a public source); every other item is unverified.
CONFIRMED = {"jz2022-4-1", "jz2022-4-1-i", "jz2022-7-1", "jz2022-7-2", "jz2022-7-3", "jz2022-7-4", "jz2022-7-5", "jz2022-7-5-i",
             "jz2022-8-1", "jz2022-8-2", "jz2022-8-3"}


def packs():
    p = load_packs(load_entrypoints=False, extra=[pack])
    assert not p.errors, p.errors
    return p


def doc(subproject: dict, *, checks=("scaffold_ties",), phase="main_structure", enterprise_facts=None) -> dict:
    controls = [{"id": f"C-{c}", "name": c, "kind": "engineering", "owner_level": "team", "critical": True,
                 "facts": {"construction:check": c}} for c in checks]
    return {
        "format": "dualprev-enterprise/1",
        "enterprise": {"id": "P", "name": "项目", "industry": "construction",
                       "facts": {"construction:phase": phase, **(enterprise_facts or {})}},
        "areas": [{"id": "S", "name": "现场"}],
        "risk_points": [{"id": "SP", "name": "分项", "area": "S", "kind": "activity",
                         "facts": {f"construction:{k}": v for k, v in subproject.items()}}],
        "risks": [{"id": "R", "name": "坍塌", "risk_point": "SP", "category": "坍塌", "method": "lec",
                   "inputs": {"L": 1, "E": 6, "C": 40}, "controls": controls}],
    }


SCAFFOLD = {"kind": "scaffold", "scaffold_type": "ground", "height_m": 54.0, "phases": ["main_structure"],
            "plan_prepared": True, "plan_approved": True, "expert_reviewed": True}


def assess(d: dict, engine: str = "reference") -> Assessment:
    return Assessment(parse_enterprise(d), packs=packs(), rules_engine=engine)


def test_pack_conforms_on_both_engines():
    assert_pack_conforms(pack)


def test_every_rule_cites_its_article_and_item_and_unverified_items_are_flagged():
    seen = set()
    for path in rule_files():
        for rule in yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]:
            c = rule["citation"]
            assert c["standard"] == "建质规〔2022〕2号" and c["edition"] == "2022" and c["clause"].startswith("第")
            assert c["verified"] is (rule["id"] in CONFIRMED), rule["id"]
            assert rule["description"].startswith("facts needed:")
            seen.add(rule["id"])
    assert CONFIRMED <= seen
    # one rule file per article 第四条 … 第十四条, plus the excavation-monitoring alarm
    assert sorted(p.name for p in rule_files())[0] == "excavation-monitoring.yaml" and len(rule_files()) == 12


@pytest.mark.parametrize("engine", ["reference", "durable"])
def test_failed_tie_inspection_is_a_major_hidden_danger_citing_article_7_item_2(engine):
    a = assess(doc(SCAFFOLD), engine)
    hd = a.record_inspection(Inspection("I1", "C-scaffold_ties", InspectionResult.FAILED, "李工", T0)).hidden_danger
    assert hd.grade is HiddenDangerGrade.MAJOR
    (ref,) = hd.criteria
    assert (ref.criterion_id, ref.pack, ref.citation.clause) == ("jz2022-7-2", "construction", "第七条第（二）项")


def test_weakened_ties_are_a_general_hidden_danger():
    a = assess(doc(SCAFFOLD))
    hd = a.record_inspection(Inspection("I1", "C-scaffold_ties", InspectionResult.WEAKENED, "李工", T0)).hidden_danger
    assert hd.grade is HiddenDangerGrade.GENERAL and hd.criteria == ()


@pytest.mark.parametrize(("depth", "major"), [(4.99, False), (5.0, True)])
def test_third_party_monitoring_is_major_only_for_a_deep_excavation(depth, major):
    sp = {"kind": "excavation", "depth_m": depth, "phases": ["excavation"], "plan_prepared": True, "plan_approved": True, "expert_reviewed": True}
    a = assess(doc(sp, checks=("third_party_monitoring",), phase="excavation"))
    hd = a.record_inspection(Inspection("I1", "C-third_party_monitoring", InspectionResult.MISSING, "李工", T0)).hidden_danger
    assert hd.is_major is major
    if major:
        assert [c.criterion_id for c in hd.criteria] == ["jz2022-5-3"]


def standing(d: dict) -> list:
    a = assess(d)
    a.evaluate_criteria(at=T0)
    return [(h.control_id, h.grade, tuple(c.criterion_id for c in h.criteria)) for h in a.ledger.all()]


def test_dangerous_subproject_under_way_without_an_approved_plan_opens_a_major_hidden_danger():
    sp = {**SCAFFOLD, "height_m": 30.0, "plan_approved": False}
    assert standing(doc(sp, checks=("special_plan",))) == [("C-special_plan", HiddenDangerGrade.MAJOR, ("jz2022-4-4-plan",))]
    # not recorded counts as not done
    sp = {k: v for k, v in SCAFFOLD.items() if not k.startswith("plan")} | {"height_m": 30.0}
    assert standing(doc(sp, checks=("special_plan",)))[0][2] == ("jz2022-4-4-plan",)


def test_no_plan_hidden_danger_for_a_subproject_below_the_threshold_or_outside_its_phase():
    below = {**SCAFFOLD, "height_m": 23.99, "plan_prepared": False}
    assert standing(doc(below, checks=("special_plan",))) == []
    later = {**SCAFFOLD, "height_m": 30.0, "plan_prepared": False, "phases": ["fit_out"]}
    assert standing(doc(later, checks=("special_plan",))) == []


def test_beyond_scale_without_expert_review_opens_a_major_hidden_danger():
    sp = {**SCAFFOLD, "height_m": 50.0, "expert_reviewed": False}
    assert standing(doc(sp, checks=("special_plan",))) == [("C-special_plan", HiddenDangerGrade.MAJOR, ("jz2022-4-4-review",))]
    assert standing(doc({**sp, "height_m": 49.99}, checks=("special_plan",))) == []


def test_no_safety_licence_opens_a_major_hidden_danger_once():
    d = doc(SCAFFOLD, checks=("safety_licence",), enterprise_facts={"construction:safety_licence": False})
    a = assess(d)
    a.evaluate_criteria(at=T0)
    a.evaluate_criteria(at=T0)
    (hd,) = a.ledger.all()
    assert hd.is_major and hd.criteria[0].criterion_id == "jz2022-4-1" and hd.criteria[0].citation.verified
    d["enterprise"]["facts"]["construction:safety_licence"] = True
    assert standing(d) == []


@pytest.mark.parametrize(("cantilever", "frame", "major"), [
    (6.0, 20.0, False),   # 6 m is not "大于6米"; 6/20 < 2/5
    (6.01, 20.0, True),   # > 6 m
    (4.0, 10.0, False),   # exactly 2/5 is not "大于"
    (4.01, 10.0, True),   # > 2/5
])
def test_climbing_scaffold_cantilever_edges_are_exclusive(cantilever, frame, major):
    sp = {"kind": "scaffold", "scaffold_type": "attached_lifting", "lift_height_m": 100.0, "frame_height_m": frame,
          "cantilever_height_m": cantilever, "phases": ["main_structure"], "plan_prepared": True, "plan_approved": True}
    got = standing(doc(sp, checks=("climbing_scaffold_cantilever",)))
    assert got == ([("C-climbing_scaffold_cantilever", HiddenDangerGrade.MAJOR, ("jz2022-7-5",))] if major else [])


def test_controls_take_their_subproject_from_their_risks():
    from dualprev_core.assessment.facts import enterprise_facts

    a = assess(doc(SCAFFOLD, checks=("special_plan", "scaffold_ties")))
    facts = {(f["type"], f["key"]): f for f in enterprise_facts(a)}
    assert facts[("construction:control_link", "C-special_plan>SP")] == {"type": "construction:control_link", "key": "C-special_plan>SP",
                                                                       "control": "C-special_plan", "subproject": "SP"}
    sp = facts[("risk_point", "SP")]
    assert (sp["construction:class"], sp["construction:beyond_scale"], sp["construction:active"], sp["construction:plan_ok"]) == ("beyond_scale", True, True, True)


def test_an_unknown_check_name_is_refused_with_the_nearest():
    from dualprev_core.errors import DualprevError

    # raised while the core asks which risks are active, so the core wraps it in a PackError naming the pack
    with pytest.raises(DualprevError, match=r"controls\[0\]\.facts\.construction:check: .*did you mean 'scaffold_ties'"):
        assess(doc(SCAFFOLD, checks=("scafold_ties",)))


def test_templates_cover_the_issue_controls_and_label_their_defaults():
    reg = packs().registry
    mine = {t for t, (p, _) in reg.templates.items() if p == "construction"}
    assert {"construction-scaffold-ties", "construction-crane-safety-devices", "construction-excavation-monitoring",
            "construction-shoring-check", "construction-confined-space-permit"} <= mine
    for tid in mine:
        t = reg.templates[tid][1]
        assert "dualprev defaults" in t.citation.note and t.citation.standard == "建质规〔2022〕2号"
        assert all(a.startswith("construction:check:") for a in t.applies_to)


def test_example_project_doc_is_deep_copy_safe():
    d = doc(SCAFFOLD)
    e = copy.deepcopy(d)
    assert parse_enterprise(e).risk_points[0].facts["construction:kind"] == "scaffold"
