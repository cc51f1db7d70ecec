"""应急〔2018〕19号 enterprise level: score bands, bonuses, deductions, direct red, fallback.
Numbers come from the guide as the public sources give them (§9)."""

from __future__ import annotations

import pytest
from chemical_helpers import assess, doc, unit

from dualprev_core.errors import ValidationError
from dualprev_core.model.levels import RiskLevel


def level(facts, **unit_facts):
    return assess(doc(unit("U1", {"chemical": "甲醇", "categories": ["W5.3"], "max_quantity_t": 10}, **unit_facts), facts=facts)).enterprise_level()


@pytest.mark.parametrize(("deducted", "expected"), [
    (10, RiskLevel.LOW),        # 90 → blue (≥ 90)
    (10.5, RiskLevel.GENERAL),  # 89.5 → yellow (75–<90)
    (25, RiskLevel.GENERAL),    # 75 → yellow
    (25.5, RiskLevel.LARGE),    # 74.5 → orange (60–<75)
    (40, RiskLevel.LARGE),      # 60 → orange
    (40.5, RiskLevel.MAJOR),    # 59.5 → red (< 60)
])
def test_score_bands(deducted, expected):
    lv = level({"chemical:diagnosis_deductions": [{"item": "诊断扣分", "points": deducted}]})
    assert lv.level is expected and lv.method == "chem-19"
    assert lv.details["score"] == pytest.approx(100 - deducted)


def test_bonuses_and_performance_deductions():
    # 100 − 30 + 3 (own fire team) + 15 (标准化一级) + 5 (no accident in 5 years) = 93
    lv = level({"chemical:diagnosis_deductions": [{"item": "x", "points": 30}], "chemical:own_fire_team": True,
                "chemical:standardization_level": 1, "chemical:no_accident_5y": True})
    assert lv.details["score"] == 93 and lv.level is RiskLevel.LOW
    # 标准化二级 +5, 三级 +2
    assert level({"chemical:standardization_level": 2}).details["score"] == 105
    assert level({"chemical:standardization_level": 3}).details["score"] == 102
    # a 1–2 death accident −8, a 较大 accident −10, a notable accident without casualties −5 (per accident: dualprev reading)
    lv = level({"chemical:accidents_3y": {"fatal_1_2": 1, "larger": 1, "notable_no_casualty": 1}})
    assert lv.details["score"] == 100 - 8 - 10 - 5


@pytest.mark.parametrize(("facts", "unit_facts"), [
    ({"chemical:accidents_3y": {"major_or_worse": 1}}, {}),
    ({"chemical:accidents_3y": {"larger": 2}}, {}),
    ({"chemical:accidents_3y": {"fatal_general_within_1y": 2}}, {}),
    ({"chemical:uncertified_special_workers": 1}, {}),
    ({"chemical:special_workers_below_senior_high": 1}, {}),
    ({"chemical:new_process_not_piloted": True}, {}),
    ({}, {"chemical:formally_designed": False, "chemical:design_diagnosis_done": False}),
])
def test_direct_red_conditions(facts, unit_facts):
    lv = level({"chemical:standardization_level": 1, **facts}, **unit_facts)
    assert lv.level is RiskLevel.MAJOR and lv.details["direct_red"] and "直接判定为红色" in lv.reason


def test_one_larger_accident_is_not_direct_red():
    assert level({"chemical:accidents_3y": {"larger": 1}}).level is RiskLevel.LOW   # 100 − 10 = 90 → blue


def test_without_19_facts_it_falls_back_to_the_core_default():
    lv = level({})
    assert lv.method == "chem-19" and lv.details["fallback"] == "highest-current" and "highest-current" in lv.reason


def test_bad_scoring_facts_are_errors():
    with pytest.raises(ValidationError) as exc:
        level({"chemical:diagnosis_deductions": [{"item": "x", "points": "八"}], "chemical:standardization_level": 4})
    text = str(exc.value)
    assert "chemical:diagnosis_deductions[0]" in text and "chemical:standardization_level" in text
