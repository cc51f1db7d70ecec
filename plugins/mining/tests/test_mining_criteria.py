"""The mining criteria: every encoded item fires and does not fire (its examples, on both engines),
and the numeric triggers of 应急管理部令第4号 and 矿安〔2022〕88号 work end to end from raw facts."""

from __future__ import annotations

import re

import pytest
import yaml
from dualprev_mining import pack
from dualprev_mining._data import CRITERIA, criterion_items

from dualprev_core.errors import InvalidInput, UnknownReference
from dualprev_core.packs.conformance import assert_pack_conforms

# 应急管理部令第4号: Art. 3 lists 15 categories; Art. 4–18 give the items of categories 1–15.
COAL_ARTICLES = range(4, 19)


def test_pack_conforms_every_rule_has_a_firing_and_a_non_firing_example():
    report = assert_pack_conforms(pack)
    files = {f.message.split(":")[0] for f in report.findings if f.check == "examples"}
    assert {f"coal-art{a:02d}.yaml" for a in COAL_ARTICLES} <= files
    assert {"nonmetal-underground.yaml", "nonmetal-open-pit.yaml", "nonmetal-tailings.yaml", "monitoring.yaml"} <= files


def test_all_15_coal_categories_are_encoded_with_article_and_item():
    items = criterion_items()
    for art in COAL_ARTICLES:
        rules = yaml.safe_load((CRITERIA / f"coal-art{art:02d}.yaml").read_text(encoding="utf-8"))["rules"]
        assert rules, art
        for r in rules:
            c = r["citation"]
            assert c["standard"] == "应急管理部令第4号" and re.fullmatch(r"第[一二三四五六七八九十]+条第（[一二三四五六七八九十]+）项", c["clause"]), r["id"]
    # items per article as the public sources list them (§5(b))
    counts = {a: sum(1 for k in items if re.fullmatch(rf"coal-{a}-\d+", k)) for a in COAL_ARTICLES}
    assert counts == {4: 6, 5: 3, 6: 7, 7: 2, 8: 10, 9: 9, 10: 3, 11: 5, 12: 4, 13: 6, 14: 3, 15: 4, 16: 5, 17: 3, 18: 10}


def test_nonmetal_rules_cite_their_part():
    for name, part in (("underground", "地下矿山"), ("open-pit", "露天矿山"), ("tailings", "尾矿库")):
        rules = yaml.safe_load((CRITERIA / f"nonmetal-{name}.yaml").read_text(encoding="utf-8"))["rules"]
        assert all(r["citation"]["standard"] == "矿安〔2022〕88号" and r["citation"]["clause"].startswith(part) for r in rules)


# -- coal numeric triggers from raw facts -------------------------------------------------------------


@pytest.mark.parametrize(("output", "fires"), [(1_100_000, True), (1_099_999, False)])
def test_annual_output_10_percent_over_capacity(mining, output, fires):
    a = mining.assess(mining.mine({"mining:approved_capacity_t": 1_000_000, "mining:annual_output_t": output}, items=["coal-4-1"]))
    assert ("coal-4-1-annual" in mining.majors(a).get("C1", [])) is fires


@pytest.mark.parametrize(("month", "fires"), [(100_001, True), (100_000, False)])
def test_a_month_over_10_percent_of_annual_capacity(mining, month, fires):
    a = mining.assess(mining.mine({"mining:approved_capacity_t": 1_000_000, "mining:monthly_output_t": [80_000, month]}, items=["coal-4-1"]))
    assert ("coal-4-1-monthly" in mining.majors(a).get("C1", [])) is fires


@pytest.mark.parametrize(("producing", "fires"), [(3, True), (2, False)])
def test_more_than_2_producing_levels(mining, producing, fires):
    levels = [{"id": f"L{i}", "name": f"水平{i}", "parent": "MINE", "kind": "level", "facts": {"mining:producing": i < producing}} for i in range(4)]
    a = mining.assess(mining.mine(areas=levels, items=["coal-4-4"]))
    assert ("coal-4-4-levels" in mining.majors(a).get("C1", [])) is fires


@pytest.mark.parametrize(("headcount", "fires"), [(24, True), (23, False)])
def test_face_headcount_20_percent_over_quota(mining, headcount, fires):
    face = {"id": "F1", "facts": {"mining:shift_headcount": headcount, "mining:headcount_quota": 20}}
    a = mining.assess(mining.mine(areas=[face], items=["coal-4-6"]))
    assert ("coal-4-6-headcount" in mining.majors(a).get("C1", [])) is fires


@pytest.mark.parametrize(("facts", "fires"), [
    ({"mining:gas_pressure_mpa": 0.74}, True),
    ({"mining:gas_pressure_mpa": 0.73}, False),
    ({"mining:gas_pressure_mpa": 0.80, "mining:outburst_managed": True}, False),
])
def test_seam_gas_pressure_0_74_mpa_without_outburst_management(mining, facts, fires):
    a = mining.assess(mining.mine(areas=[{"id": "F1", "facts": facts}], items=["coal-18-4"]))
    assert ("coal-18-4-pressure" in mining.majors(a).get("C1", [])) is fires


@pytest.mark.parametrize(("exits", "fires"), [(1, True), (2, False)])
def test_coal_face_with_fewer_than_2_exits(mining, exits, fires):
    a = mining.assess(mining.mine(areas=[{"id": "F1", "facts": {"mining:exits": exits}}], items=["coal-13-5"]))
    assert ("coal-13-5-exits" in mining.majors(a).get("C1", [])) is fires


def test_inspection_finding_grades_the_tagged_item_major_and_weakened_stays_general(mining):
    doc = mining.mine(items=["coal-8-2"], inspections=[
        {"id": "X1", "control": "C1", "result": "failed", "by": "张三", "at": "2026-11-29T08:00:00"},
    ])
    a = mining.assess(doc)
    assert mining.majors(a) == {"C1": ["coal-8-2"]}
    doc["inspections"][0]["result"] = "weakened"
    a = mining.assess(doc)
    assert not mining.majors(a) and [h.grade.key for h in a.ledger.all()] == ["general"]


def test_durable_engine_agrees_on_a_standing_criterion(mining):
    pytest.importorskip("durable.engine")
    face = {"id": "F1", "facts": {"mining:shift_headcount": 30, "mining:headcount_quota": 20}}
    a = mining.assess(mining.mine(areas=[face], items=["coal-4-6"]), engine="durable")
    assert mining.majors(a) == {"C1": ["coal-4-6-headcount"]}


# -- metal / non-metal from raw facts ---------------------------------------------------------------


@pytest.mark.parametrize(("updated", "phase", "fires"), [
    ("2026-08-01", "producing", True),      # ≈ 4 months > 3
    ("2026-08-30", "producing", False),     # exactly 3 months
    ("2026-10-15", "construction", True),   # > 1 month
    ("2026-10-30", "construction", False),  # exactly 1 month
])
def test_drawings_updated_every_3_months_producing_1_month_construction(mining, updated, phase, fires):
    a = mining.assess(mining.mine({"mining:phase": phase, "mining:drawings_updated": updated}, items=["nm-u-drawings-1"]))
    assert bool(mining.majors(a)) is fires


@pytest.mark.parametrize(("facts", "fires"), [
    ({"mining:surface_exits": 1}, True),
    ({"mining:surface_exits": 2, "mining:surface_exit_spacing_m": 25}, True),
    ({"mining:surface_exits": 2, "mining:surface_exit_spacing_m": 30}, False),
    ({"mining:surface_exits": 3, "mining:surface_exit_spacing_m": 25}, False),
])
def test_underground_exits(mining, facts, fires):
    a = mining.assess(mining.mine(facts, items=["nm-u-exits-1", "nm-u-exits-2"]))
    assert bool(mining.majors(a)) is fires


@pytest.mark.parametrize(("facts", "fires"), [
    ({"mining:outer_slope_n": 2.5, "mining:design_outer_slope_n": 3}, True),   # 1:2.5 is steeper than 1:3
    ({"mining:outer_slope_n": 3, "mining:design_outer_slope_n": 3}, False),
    ({"mining:dam_height_m": 81, "mining:design_dam_height_m": 80}, True),
    ({"mining:storage_m3": 1_000_001, "mining:design_storage_m3": 1_000_000}, True),
    ({"mining:storage_m3": 900_000, "mining:design_storage_m3": 1_000_000}, False),
])
def test_tailings_dam_against_design(mining, facts, fires):
    a = mining.assess(mining.mine(areas=[{"id": "F1", "kind": "tailings_pond", "facts": facts}], items=["nm-t-slope", "nm-t-height"]))
    assert bool(mining.majors(a)) is fires


# -- input mistakes --------------------------------------------------------------------------------


def test_a_fact_of_the_wrong_kind_is_a_clear_error(mining):
    with pytest.raises(InvalidInput, match=r"areas\[F1\]\.facts\.mining:exits: must be an integer \(got '2'\)"):
        mining.assess(mining.mine(areas=[{"id": "F1", "facts": {"mining:exits": "2"}}]))


def test_an_unknown_item_is_refused_with_suggestions(mining):
    with pytest.raises(UnknownReference, match=r"'coal-13-50' is not a mining criterion item \(did you mean 'coal-13-5'"):
        mining.assess(mining.mine(items=["coal-13-50"]))


def test_an_unknown_mining_fact_is_refused(mining):
    with pytest.raises(InvalidInput, match="not a fact the mining pack knows"):
        mining.assess(mining.mine({"mining:approved_capacity": 1}))
