"""Pack rule files grading hidden dangers through the core (both engines)."""

from __future__ import annotations

import types
from pathlib import Path

import pytest

from dualprev_core import hookimpl
from dualprev_core.assessment.assessment import Assessment
from dualprev_core.loading.enterprise import parse_enterprise
from dualprev_core.model.records import Inspection
from dualprev_core.model.vocabulary import HiddenDangerGrade, InspectionResult
from dualprev_core.packs import PackManifest, load_packs
from dualprev_core.strategies import _T0

RULES = Path(__file__).parent / "data" / "test-criteria.yaml"


def make_test_pack(path=RULES):
    mod = types.ModuleType("testpack")

    @hookimpl
    def dualprev_pack_manifest():
        return PackManifest(name="testpack", version="1.2.3", core_api=">=1.0,<2")

    @hookimpl
    def dualprev_register_criteria(registrar):
        registrar.rule_file(path)

    mod.dualprev_pack_manifest = dualprev_pack_manifest
    mod.dualprev_register_criteria = dualprev_register_criteria
    return mod


DOC = {
    "format": "dualprev-enterprise/1",
    "enterprise": {"id": "E", "name": "储运公司"},
    "areas": [{"id": "TF", "name": "罐区"}],
    "major_hazard_installations": [
        {"id": "U1", "name": "甲醇罐组", "area": "TF", "facts": {"test:level": 2}},
        {"id": "U2", "name": "柴油罐组", "area": "TF", "facts": {"test:level": 4}},
    ],
    "risks": [
        {"id": "R1", "name": "甲醇泄漏火灾", "area": "TF", "category": "火灾", "method": "lec", "inputs": {"L": 1, "E": 6, "C": 40},
         "controls": [
             {"id": "C1", "name": "紧急切断阀", "kind": "engineering", "owner_level": "workshop", "critical": True, "facts": {"installation": "U1"}},
             {"id": "C2", "name": "巡检", "kind": "management", "owner_level": "post", "facts": {"installation": "U1"}},
         ]},
        {"id": "R2", "name": "柴油泄漏火灾", "area": "TF", "category": "火灾", "method": "lec", "inputs": {"L": 1, "E": 6, "C": 15},
         "controls": [{"id": "C3", "name": "紧急切断阀", "kind": "engineering", "owner_level": "workshop", "critical": True, "facts": {"installation": "U2"}}]},
    ],
}


@pytest.fixture(params=["reference", "durable"])
def engine(request):
    if request.param == "durable":
        pytest.importorskip("durable.engine")
    return request.param


def assess(engine):
    packs = load_packs(load_entrypoints=False, extra=[make_test_pack()])
    assert not packs.errors, packs.errors
    return Assessment(parse_enterprise(DOC), packs=packs, rules_engine=engine)


def test_a_matching_criterion_grades_major_with_its_citation(engine):
    a = assess(engine)
    out = a.record_inspection(Inspection("I1", "C1", InspectionResult.FAILED, "张三", _T0))
    hd = out.hidden_danger
    assert hd.grade is HiddenDangerGrade.MAJOR
    (ref,) = hd.criteria
    assert (ref.criterion_id, ref.pack, ref.pack_version, ref.citation.clause) == ("T-01", "testpack", "1.2.3", "1")


@pytest.mark.parametrize(
    ("control", "result"),
    [("C3", InspectionResult.FAILED),     # its installation is level 4
     ("C2", InspectionResult.FAILED),     # not critical
     ("C1", InspectionResult.WEAKENED)],  # weakened is not failed
)
def test_a_criterion_that_does_not_hold_leaves_it_general(engine, control, result):
    a = assess(engine)
    hd = a.record_inspection(Inspection("I1", control, result, "张三", _T0)).hidden_danger
    assert hd.grade is HiddenDangerGrade.GENERAL and hd.criteria == ()


def test_rule_file_errors_make_the_pack_fail_by_name(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(RULES.read_text(encoding="utf-8").replace("op: le", "op: lesser"), encoding="utf-8")
    packs = load_packs(load_entrypoints=False, strict=False, extra=[make_test_pack(bad)])
    assert "testpack" in packs.errors and "lesser" in str(packs.errors["testpack"])


def test_enterprise_facts_links_and_pack_fact_merge():
    from dualprev_core.assessment.facts import enterprise_facts

    def extra(assessment):
        return [{"type": "installation", "key": "U1", "test:level": 1}, {"type": "flag", "key": "F", "on": True}]

    mod = make_test_pack()
    mod.dualprev_enterprise_facts = hookimpl(extra)
    packs = load_packs(load_entrypoints=False, extra=[mod])
    facts = {(f["type"], f["key"]): f for f in enterprise_facts(Assessment(parse_enterprise(DOC), packs=packs, rules_engine="reference"))}
    assert facts[("mitigation", "C1>R1")] == {"type": "mitigation", "key": "C1>R1", "control": "C1", "risk": "R1"}
    u1 = facts[("installation", "U1")]
    assert u1["test:level"] == 1 and u1["name"] == "甲醇罐组" and u1["area"] == "TF"  # merged, not replaced
    assert facts[("flag", "F")]["on"] is True
    assert facts[("control", "C1")]["state"] == "effective" and facts[("risk", "R1")]["assessed_level"] == "large"


def test_a_three_way_join_through_link_facts(engine, tmp_path):
    rule = RULES.read_text(encoding="utf-8").split("    when:")[0] + """    when:
      - fact: control
        as: c
        where: [{field: state, op: eq, value: failed}]
      - fact: mitigation
        as: m
        where: [{field: control, op: eq, ref: c.key}]
      - fact: risk
        as: r
        where: [{field: key, op: eq, ref: m.risk}, {field: assessed_level, op: eq, value: large}]
    then:
      - grade_hidden_danger: major
"""
    path = tmp_path / "join.yaml"
    path.write_text(rule, encoding="utf-8")
    packs = load_packs(load_entrypoints=False, extra=[make_test_pack(path)])
    a = Assessment(parse_enterprise(DOC), packs=packs, rules_engine=engine)
    assert a.record_inspection(Inspection("I1", "C2", InspectionResult.FAILED, "张三", _T0)).hidden_danger.grade is HiddenDangerGrade.MAJOR
    assert a.record_inspection(Inspection("I2", "C3", InspectionResult.FAILED, "张三", _T0)).hidden_danger.grade is HiddenDangerGrade.GENERAL


def test_standing_facts_open_a_major_hidden_danger_once(engine):
    import copy

    doc = copy.deepcopy(DOC)
    doc["enterprise"]["facts"] = {"principal_certified": False}
    doc["controls"] = [{"id": "C-CERT", "name": "主要负责人持证", "kind": "management", "owner_level": "company", "mitigates": ["R1"],
                        "facts": {"covers": "principal_certificate"}}]
    packs = load_packs(load_entrypoints=False, extra=[make_test_pack(Path(__file__).parent / "data" / "test-standing.yaml")])
    a = Assessment(parse_enterprise(doc), packs=packs, rules_engine=engine)
    a.evaluate_criteria(at=_T0)
    (hd,) = a.ledger.open_on_control("C-CERT")
    assert hd.is_major and hd.criteria[0].criterion_id == "S-01" and hd.source == "criterion:S-01:C-CERT"
    a.evaluate_criteria(at=_T0)
    assert len(a.ledger.all()) == 1  # idempotent


def test_structured_record_facts_stay_out_of_rule_facts():
    import copy

    from dualprev_core.assessment.facts import enterprise_facts

    doc = copy.deepcopy(DOC)
    doc["major_hazard_installations"][0]["facts"]["chemical:inventory"] = [{"chemical": "甲醇", "max_quantity_t": 180}]
    doc["major_hazard_installations"][0]["facts"]["names"] = ["甲醇", "甲苯"]
    packs = load_packs(load_entrypoints=False, extra=[make_test_pack()])
    a = Assessment(parse_enterprise(doc), packs=packs, rules_engine="reference")
    u1 = next(f for f in enterprise_facts(a) if f["type"] == "installation" and f["key"] == "U1")
    assert "chemical:inventory" not in u1 and u1["names"] == ["甲醇", "甲苯"]
    assert a.enterprise.major_hazard_installations[0].facts["chemical:inventory"][0]["max_quantity_t"] == 180  # kept in the model
    a.record_inspection(Inspection("I1", "C1", InspectionResult.FAILED, "张三", _T0))  # the engine accepts the facts


def test_a_packs_rules_apply_only_to_its_industry():
    import copy

    mod = make_test_pack()
    manifest = PackManifest(name="testpack", version="1.2.3", core_api=">=1.0,<2", industry="chemical")
    mod.dualprev_pack_manifest = hookimpl(lambda: manifest)
    packs = load_packs(load_entrypoints=False, extra=[mod])
    for industry, major in [("chemical", True), ("", True), ("mining", False)]:
        doc = copy.deepcopy(DOC)
        doc["enterprise"]["industry"] = industry
        a = Assessment(parse_enterprise(doc), packs=packs, rules_engine="reference")
        hd = a.record_inspection(Inspection("I1", "C1", InspectionResult.FAILED, "张三", _T0)).hidden_danger
        assert hd.is_major is major, industry


def test_a_criterion_with_no_control_opens_on_the_enterprise(tmp_path):
    import copy

    rule = (Path(__file__).parent / "data" / "test-standing.yaml").read_text(encoding="utf-8")
    rule = rule.split("    when:")[0] + """    when:
      - fact: enterprise
        as: e
        where: [{field: principal_certified, op: eq, value: false}]
    then:
      - open_hidden_danger: {on: e, grade: major}
"""
    path = tmp_path / "on-enterprise.yaml"
    path.write_text(rule, encoding="utf-8")
    doc = copy.deepcopy(DOC)
    doc["enterprise"]["facts"] = {"principal_certified": False}
    a = Assessment(parse_enterprise(doc), packs=load_packs(load_entrypoints=False, extra=[make_test_pack(path)]), rules_engine="reference")
    a.evaluate_criteria(at=_T0)
    # No control covers it: the hidden danger opens on the enterprise itself (issue: a management
    # defect must be recordable), graded by the rule, its effect on levels stated.
    (hd,) = a.ledger.all()
    assert hd.control_id is None and hd.subject == f"enterprise:{doc['enterprise']['id']}" and hd.is_major
    assert [c.criterion_id for c in hd.criteria] == ["S-01"] and not a.unapplied
    from dualprev_core.assessment.report import hidden_danger_summary

    assert "no risk's current level moves" in hidden_danger_summary(hd)["effect_on_levels"]
    assert a.current_levels() == Assessment(parse_enterprise(doc)).current_levels()
    a.evaluate_criteria(at=_T0)
    assert len(a.ledger.all()) == 1  # idempotent


def test_regrade_by_criteria_on_new_facts(engine):
    import copy

    import pytest

    from dualprev_core.errors import TransitionRejected

    packs = load_packs(load_entrypoints=False, extra=[make_test_pack()])
    a = Assessment(parse_enterprise(DOC), packs=packs, rules_engine=engine)
    hd = a.record_inspection(Inspection("I1", "C3", InspectionResult.FAILED, "张三", _T0)).hidden_danger
    assert hd.grade is HiddenDangerGrade.GENERAL
    with pytest.raises(TransitionRejected, match="stays general"):
        a.regrade_by_criteria(hd.id, by="李四", why="复核", at=_T0)
    assert a.ledger.get(hd.id).grade is HiddenDangerGrade.GENERAL  # a refusal changes nothing
    doc = copy.deepcopy(DOC)
    doc["major_hazard_installations"][1]["facts"]["test:level"] = 1  # re-identified: now a level-1 unit
    b = Assessment(parse_enterprise(doc), packs=packs, ledger=a.ledger, rules_engine=engine, replay_inspections=False)
    regraded = b.regrade_by_criteria(hd.id, by="李四", why="重大危险源重新辨识为一级", at=_T0)
    assert regraded.is_major and regraded.criteria[0].criterion_id == "T-01"


def test_cli_regrade_needs_the_enterprise(tmp_path):
    from click.testing import CliRunner

    from dualprev_core.cli.app import cli
    from dualprev_core.cli.assess import example_path

    ledger = tmp_path / "l.jsonl"
    CliRunner().invoke(cli, ["inspect", str(example_path()), "--ledger", str(ledger)])
    r = CliRunner().invoke(cli, ["hidden-dangers", "transition", "--ledger", str(ledger), "HD-C-TK-GDS-1", "regrade", "--by", "张三", "--why", "复核"])
    assert r.exit_code == 2 and "needs --enterprise" in r.output
    r = CliRunner().invoke(cli, ["hidden-dangers", "transition", "--ledger", str(ledger), "HD-C-TK-GDS-1", "regrade", "--by", "张三",
                                 "--why", "复核", "-e", str(example_path())])
    assert r.exit_code == 2 and "no major-hidden-danger criterion" in r.output
