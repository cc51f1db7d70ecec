"""安监总管三〔2017〕121号: each of the 20 items fires and does not fire, end to end through an
assessment (the rule files' own examples run in the conformance check, on both engines)."""

from __future__ import annotations

import dualprev_chemical.pack as chemical_pack
import pytest
from chemical_helpers import assess, doc, unit

from dualprev_core.model.vocabulary import HiddenDangerGrade
from dualprev_core.packs.conformance import assert_pack_conforms

# 液氯 40 t with 100 people: R = 2 × 4 × 40/5 = 64 → 二级; 10 t: R = 2 × 4 × 10/5 = 16 → 三级 (GB 18218-2018 表3/5/6).
LEVEL_2 = {"chemical": "液氯", "max_quantity_t": 40}
LEVEL_3 = {"chemical": "液氯", "max_quantity_t": 10}
PEOPLE = {"chemical:people_within_500m": 100}

# Standing facts: item → (scope, facts that make the item hold, facts that do not).  "e": enterprise facts, "u": the unit's.
STANDING = {
    1: ("e", {"chemical:principal_certified": False}, {"chemical:principal_certified": True, "chemical:safety_managers_certified": True}),
    2: ("e", {"chemical:uncertified_special_workers": 2}, {"chemical:uncertified_special_workers": 0}),
    3: ("u", {"chemical:external_distance_compliant": False}, {"chemical:external_distance_compliant": True}),
    4: ("u", {"chemical:key_processes": ["氯化工艺"], "chemical:emergency_stop_system": False},
        {"chemical:key_processes": ["氯化工艺"], "chemical:emergency_stop_system": True, "chemical:automated_control": True}),
    5: ("u", {"chemical:emergency_shutoff": False}, {"chemical:emergency_shutoff": True}),
    6: ("u", {"chemical:fully_pressurised_lh_tanks": True, "chemical:water_injection": False},
        {"chemical:fully_pressurised_lh_tanks": True, "chemical:water_injection": True}),
    7: ("u", {"chemical:loads_lh_ammonia_chlorine": True, "chemical:articulated_loading_arms": False},
        {"chemical:loads_lh_ammonia_chlorine": True, "chemical:articulated_loading_arms": True}),
    8: ("e", {"chemical:toxic_gas_pipeline_crosses_public_area": True}, {"chemical:toxic_gas_pipeline_crosses_public_area": False}),
    9: ("e", {"chemical:overhead_line_over_process_area_noncompliant": True}, {"chemical:overhead_line_over_process_area_noncompliant": False}),
    10: ("u", {"chemical:formally_designed": False, "chemical:design_diagnosis_done": False},
         {"chemical:formally_designed": False, "chemical:design_diagnosis_done": True}),
    11: ("e", {"chemical:phase_out_items_in_use": True}, {"chemical:phase_out_items_in_use": False}),
    12: ("u", {"chemical:flammable_toxic_gas_present": True, "chemical:gas_detection_alarm": False},
         {"chemical:flammable_toxic_gas_present": True, "chemical:gas_detection_alarm": True}),
    13: ("e", {"chemical:control_room_protection_compliant": False}, {"chemical:control_room_protection_compliant": True}),
    14: ("e", {"chemical:control_system_ups": False}, {"chemical:dual_power_supply": True, "chemical:control_system_ups": True}),
    15: ("u", {"chemical:safety_accessories_in_service": False}, {"chemical:safety_accessories_in_service": True}),
    16: ("e", {"chemical:hidden_danger_system": False}, {"chemical:all_staff_responsibility_system": True, "chemical:hidden_danger_system": True}),
    17: ("e", {"chemical:operating_procedures": False}, {"chemical:operating_procedures": True, "chemical:process_control_limits": True}),
    18: ("e", {"chemical:special_work_permit_enforced": False}, {"chemical:special_work_permit_system": True, "chemical:special_work_permit_enforced": True}),
    19: ("u", {"chemical:fine_chemical": True, "chemical:reaction_hazard_assessed": False}, {"chemical:fine_chemical": True, "chemical:reaction_hazard_assessed": True}),
    20: ("e", {"chemical:incompatible_materials_mixed": True}, {"chemical:storage_segregated": True, "chemical:incompatible_materials_mixed": False}),
}


def control(item, cid="C1", **facts):
    return {"id": cid, "name": f"第{item}项管控措施", "kind": "management", "owner_level": "company", "mitigates": ["R1"],
            "facts": {"chemical:item": item, "installation": "U1", **facts}}


def cid(item):
    return f"C{item:02d}"


def standing_doc(which):
    """One enterprise holding every item's facts (which = 1: the item holds, 2: it does not) and a control per item."""
    efacts, ufacts = dict(PEOPLE), {}
    for scope, *facts in STANDING.values():
        (efacts if scope == "e" else ufacts).update(facts[which - 1])
    return doc(unit("U1", LEVEL_2, **ufacts), facts=efacts, controls=[control(n, cid(n)) for n in STANDING])


@pytest.fixture(scope="module")
def standing():
    out = {}
    for which in (1, 2):
        a = assess(standing_doc(which))
        a.evaluate_criteria()
        out[which] = a
    return out


def test_the_pack_conforms_on_both_engines():
    report = assert_pack_conforms(chemical_pack)
    assert any("121-2017-standing.yaml" in f.message for f in report.findings)


@pytest.mark.parametrize("item", sorted(STANDING))
def test_recorded_facts_open_a_major_hidden_danger_citing_the_item(standing, item):
    (hd,) = standing[1].ledger.open_on_control(cid(item))
    assert hd.grade is HiddenDangerGrade.MAJOR
    assert {c.citation.clause for c in hd.criteria} == {f"第{item}项"}
    assert all(c.citation.standard == "安监总管三〔2017〕121号" for c in hd.criteria)


@pytest.mark.parametrize("item", sorted(STANDING))
def test_recorded_facts_that_meet_the_item_open_nothing(standing, item):
    assert not standing[2].ledger.open_on_control(cid(item))


# item → what its control must be for the item to apply when the control is found failed/missing.  The shared unit holds
# 液氯 40 t (二级, a major hazard installation → 两重点一重大, item 3) and a key process (item 4).
CONTROL_FACTS = {5: {"chemical:function": "emergency_shutoff"}}


def inspections_doc(result, *, inventory=LEVEL_2, unit_facts=None, kind="storage", items=range(1, 21), control_facts=None):
    controls = [control(n, cid(n), **(control_facts if control_facts is not None else CONTROL_FACTS.get(n, {}))) for n in items]
    found = [{"id": f"I{n:02d}", "control": cid(n), "result": result, "by": "检查员", "at": "2026-11-02T09:00:00+08:00"} for n in items]
    ufacts = {"chemical:key_processes": ["氯化工艺"]} if unit_facts is None else unit_facts
    return doc(unit("U1", inventory, kind=kind, **ufacts), facts=PEOPLE, controls=controls, inspections=found)


def graded(document):
    return {hd.control_id: hd for hd in assess(document).ledger.all()}


@pytest.fixture(scope="module")
def inspected():
    return {result: graded(inspections_doc(result)) for result in ("failed", "missing", "weakened")}


@pytest.mark.parametrize("item", range(1, 21))
def test_a_failed_or_missing_control_of_the_item_is_major(inspected, item):
    for result in ("failed", "missing"):
        hd = inspected[result][cid(item)]
        assert hd.grade is HiddenDangerGrade.MAJOR, result
        assert [c.citation.clause for c in hd.criteria] == [f"第{item}项"]


@pytest.mark.parametrize("item", range(1, 21))
def test_a_weakened_control_of_the_item_is_general(inspected, item):
    hd = inspected["weakened"][cid(item)]
    assert hd.grade is HiddenDangerGrade.GENERAL and hd.criteria == ()


def test_item_5_needs_a_level_1_or_2_tank_farm():
    assert graded(inspections_doc("failed", inventory=LEVEL_3, items=[5]))["C05"].grade is HiddenDangerGrade.GENERAL   # 三级
    assert graded(inspections_doc("failed", kind="production", items=[5]))["C05"].grade is HiddenDangerGrade.GENERAL  # not a tank farm


def test_item_5_sis_needs_toxic_liquefied_or_highly_toxic_storage():
    sis = {"chemical:function": "sis"}
    hd = graded(inspections_doc("missing", items=[5], control_facts=sis))["C05"]   # 液氯 is a Table 3 toxic gas → toxic
    assert [c.criterion_id for c in hd.criteria] == ["chem-121-05b"]
    methanol = {"chemical": "甲醇", "categories": ["W5.3"], "max_quantity_t": 30000}   # R = 2 × 1 × 60 = 120 → 一级, not toxic
    assert graded(inspections_doc("missing", inventory=methanol, items=[5], control_facts=sis))["C05"].grade is HiddenDangerGrade.GENERAL


def test_items_3_and_4_need_their_unit_context():
    small = {"chemical": "液氯", "max_quantity_t": 1}   # 1/5 < 1: not a major hazard installation; no key process or chemical
    hds = graded(inspections_doc("failed", inventory=small, unit_facts={}, items=[3, 4]))
    assert hds["C03"].grade is HiddenDangerGrade.GENERAL and hds["C04"].grade is HiddenDangerGrade.GENERAL
