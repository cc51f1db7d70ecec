"""GB 18218-2018 identification and grading.  Every expected number is read from the standard's
tables (the public sources), not from the pack's code or data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from chemical_helpers import assess, doc, unit
from click.testing import CliRunner
from dualprev_chemical.analysis import analyse
from dualprev_chemical.gb18218 import tables

from dualprev_core.cli.app import cli
from dualprev_core.errors import ValidationError
from dualprev_core.loading.enterprise import parse_enterprise

ROOT = Path(__file__).resolve().parents[3]


def units_of(document):
    return analyse(parse_enterprise(document)).units


# ------------------------------------------------------------------ Table 1 and Table 2
@pytest.mark.parametrize(("name", "Q"), [
    ("氨", 10), ("液氨", 10), ("7664-41-7", 10), ("二氧化硫", 20), ("光气", 0.3), ("碳酰氯", 0.3), ("氯", 5), ("液氯", 5),
    ("煤气", 20), ("异氰酸甲酯", 0.75), ("叠氮化铅", 0.5), ("硝酸钾", 1000), ("天然气", 50), ("8006-14-2", 50), ("氢", 5),
    ("液化石油气", 50), ("乙炔", 1), ("氧", 200), ("苯乙烯", 500), ("甲醇", 500), ("汽油", 200), ("乙醚", 10), ("黄磷", 50),
    ("硝酸胍", 50), ("电石", 100), ("钠", 10), ("2,4,6-三硝基甲苯", 5), ("1,3-丁二烯", 5), ("环氧氯丙烷", 20),
])
def test_table1_critical_quantities(name, Q):
    (row,) = tables().find(name)
    assert float(row.Q) == Q


def test_table1_has_85_entries_and_the_several_row_chemicals():
    t = tables()
    assert sorted(t.rows) == list(range(1, 86))
    assert sorted(float(r.Q) for r in t.find("硝化纤维素")) == [1, 1, 10, 50, 50]
    assert sorted(float(r.Q) for r in t.find("硝酸铵")) == [5, 50]


@pytest.mark.parametrize(("symbol", "Q"), [("J1", 5), ("J2", 50), ("J3", 50), ("J4", 50), ("J5", 500), ("W1.1", 1), ("W1.2", 10),
                                          ("W1.3", 50), ("W2", 10), ("W3", 150), ("W4", 50), ("W5.1", 10), ("W5.2", 50),
                                          ("W5.3", 1000), ("W5.4", 5000), ("W6.1", 10), ("W6.2", 50), ("W7.1", 10), ("W7.2", 50),
                                          ("W8", 50), ("W9.1", 50), ("W9.2", 200), ("W10", 200), ("W11", 200)])
def test_table2_critical_quantities(symbol, Q):
    u = units_of(doc(unit("U", {"chemical": "某物质", "categories": [symbol], "max_quantity_t": Q})))["U"]
    assert u.sum_ratio == 1 and u.is_major


# ------------------------------------------------------------------ identification
def test_single_chemical_major_at_its_critical_quantity():
    assert units_of(doc(unit("U", {"chemical": "氯", "max_quantity_t": 5})))["U"].is_major          # q = Q = 5 t
    assert not units_of(doc(unit("U", {"chemical": "氯", "max_quantity_t": 4.99})))["U"].is_major


def test_several_chemicals_sum_of_ratios():
    # 甲醇 250/500 + 甲苯 250/500 = 1 → major; 甲醇 250/500 + 甲苯 249/500 < 1
    u = units_of(doc(unit("U", {"chemical": "甲醇", "max_quantity_t": 250}, {"chemical": "甲苯", "max_quantity_t": 250})))["U"]
    assert u.sum_ratio == 1 and u.is_major
    assert not units_of(doc(unit("U", {"chemical": "甲醇", "max_quantity_t": 250}, {"chemical": "甲苯", "max_quantity_t": 249})))["U"].is_major


def test_several_hazards_take_the_lowest_critical_quantity():
    # an unnamed flammable (W2, Q 10 t) and toxic (J3, Q 50 t) gas → Q = 10 t
    (item,) = units_of(doc(unit("U", {"chemical": "某可燃有毒气体", "categories": ["J3", "W2"], "max_quantity_t": 10})))["U"].items
    assert float(item.Q) == 10 and "W2" in item.Q_from


def test_volume_is_converted_and_the_conversion_shown():
    # 2 × 100 m³ × 0.79 t/m³ × 0.85 = 134.3 t
    (item,) = units_of(doc(unit("U", {"chemical": "甲醇", "categories": ["W5.3"], "volume_m3": 100, "count": 2,
                                      "density_t_m3": 0.79, "fill_factor": 0.85})))["U"].items
    assert float(item.q) == pytest.approx(134.3)
    assert "2 × 100 m³ × 0.79 t/m³ × 充装系数 0.85 = 134.3 t" in item.q_from


def test_mixture_of_another_class_uses_its_own_category():
    (item,) = units_of(doc(unit("U", {"chemical": "甲醇", "mixture_same_class": False, "categories": ["W5.4"], "max_quantity_t": 10})))["U"].items
    assert float(item.Q) == 5000


# ------------------------------------------------------------------ grading
@pytest.mark.parametrize(("people", "alpha"), [(0, 0.5), (1, 1.0), (29, 1.0), (30, 1.2), (49, 1.2), (50, 1.5), (99, 1.5), (100, 2.0), (5000, 2.0)])
def test_alpha_by_people_within_500m(people, alpha):
    u = units_of(doc(unit("U", {"chemical": "氯", "max_quantity_t": 5}), facts={"chemical:people_within_500m": people}))["U"]
    assert float(u.alpha) == alpha
    assert float(u.R) == pytest.approx(alpha * 4 * 1)   # 氯 β = 4 (Table 3), q/Q = 1


@pytest.mark.parametrize(("chlorine_t", "R", "level"), [
    (62.5, 100, 1),   # 2 × 4 × 62.5/5 = 100 → 一级 (R ≥ 100)
    (62.4, 99.84, 2),
    (31.25, 50, 2),   # = 50 → 二级
    (31.2, 49.92, 3),
    (6.25, 10, 3),    # = 10 → 三级
    (6.2, 9.92, 4),   # < 10 → 四级
])
def test_level_bands_hold_exactly_at_their_edges(chlorine_t, R, level):
    u = units_of(doc(unit("U", {"chemical": "液氯", "max_quantity_t": chlorine_t}), facts={"chemical:people_within_500m": 100}))["U"]
    assert float(u.R) == pytest.approx(R) and u.level == level


@pytest.mark.parametrize(("name", "beta"), [("一氧化碳", 2), ("二氧化硫", 2), ("氨", 2), ("环氧乙烷", 2), ("氯化氢", 3), ("溴甲烷", 3), ("氯", 4),
                                          ("硫化氢", 5), ("氟化氢", 5), ("二氧化氮", 10), ("氰化氢", 10), ("光气", 20), ("磷化氢", 20),
                                          ("异氰酸甲酯", 20)])
def test_beta_of_named_toxic_gases(name, beta):
    item = {"chemical": name, "max_quantity_t": 1000}
    if name == "一氧化碳":
        item["categories"] = ["W2", "J3"]
    (it,) = units_of(doc(unit("U", item), facts={"chemical:people_within_500m": 0}))["U"].items
    assert float(it.beta) == beta


@pytest.mark.parametrize(("symbol", "beta_2018", "beta_2011"), [
    ("J1", 4, 4), ("J3", 2, 2), ("J2", 1, 1), ("W1.1", 2, 2), ("W2", 1.5, 1.5), ("W5.1", 1.5, 1), ("W5.3", 1, 1), ("W6.1", 1.5, 1), ("W7.1", 1.5, 1),
])
def test_beta_by_category_2018_and_2011(symbol, beta_2018, beta_2011):
    for rules, beta in (("2018", beta_2018), ("2011", beta_2011)):
        u = units_of(doc(unit("U", {"chemical": "未列名物质", "categories": [symbol], "max_quantity_t": 10000}),
                         facts={"chemical:people_within_500m": 0, "chemical:beta_rules": rules}))["U"]
        assert float(u.items[0].beta) == beta, rules


def test_explanation_lists_every_term():
    u = units_of(doc(unit("U", {"chemical": "液氨", "max_quantity_t": 153}), facts={"chemical:people_within_500m": 120}))["U"]
    text = "\n".join(u.explanation())
    for term in ("q = 153 t", "Q = 10 t", "q/Q = 15.3", "β = 2", "Σq/Q = 153/10 = 15.3 ≥ 1", "α = 2", "120 人", "Σβq/Q = 2×15.3 = 30.6",
                 "R = α·Σβq/Q = 2 × 30.6 = 61.2", "二级"):
        assert term in text, term


def test_missing_alpha_or_beta_leaves_r_out_with_a_warning():
    u = units_of(doc(unit("U", {"chemical": "甲醇", "max_quantity_t": 600})))["U"]
    assert u.is_major and u.R is None and u.level is None
    assert any("categories" in w for w in u.warnings) and any("people_within_500m" in w for w in u.warnings)


# ------------------------------------------------------------------ errors
def problems(document):
    with pytest.raises(ValidationError) as exc:
        analyse(parse_enterprise(document))
    return [str(p) for p in exc.value.problems]


def test_unknown_chemical_suggests_names_and_table2():
    (p,) = problems(doc(unit("T1", {"chemical": "甲纯", "max_quantity_t": 10})))
    assert "major_hazard_installations[0].facts.chemical:inventory[0].chemical" in p and "'T1'" in p
    assert "'甲醇'" in p and "Table 2" in p and "categories" in p


def test_ambiguous_chemical_lists_its_rows():
    (p,) = problems(doc(unit("T1", {"chemical": "硝酸铵", "max_quantity_t": 10})))
    assert "row" in p and "43" in p and "44" in p


@pytest.mark.parametrize(("item", "field"), [
    ({"chemical": "甲醇", "max_quantity_t": -1}, "max_quantity_t"),
    ({"chemical": "甲醇", "max_quantity_t": "12吨"}, "max_quantity_t"),
    ({"chemical": "甲醇", "volume_m3": 100}, "density_t_m3"),
    ({"chemical": "甲醇", "volume_m3": 100, "density_t_m3": 0.79, "fill_factor": 1.2}, "fill_factor"),
    ({"chemical": "甲醇"}, "max_quantity_t"),
    ({"chemical": "甲醇", "max_quantity_t": 1, "categories": ["W5"]}, "categories"),
    ({"chemical": "甲醇", "max_qty": 1}, "max_qty"),
])
def test_bad_inventory_values_name_the_installation_field_and_value(item, field):
    ps = problems(doc(unit("T9", item)))
    assert any(field in p and "'T9'" in p for p in ps), ps


def test_unknown_fact_names_and_bad_control_links_are_errors():
    d = doc(unit("T1", {"chemical": "甲醇", "max_quantity_t": 1}, **{"chemical:emergency_shutof": False}),
            controls=[{"id": "C1", "name": "切断阀", "kind": "engineering", "owner_level": "team", "mitigates": ["R1"],
                       "facts": {"installation": "T2", "chemical:item": 21, "chemical:function": "sis2"}}])
    ps = "\n".join(problems(d))
    assert "chemical:emergency_shutoff" in ps          # suggestion for the typo
    assert "'T2' is not a major_hazard_installations id" in ps and "1–20" in ps and "'sis'" in ps


# ------------------------------------------------------------------ through the command line
def test_assess_json_reports_each_unit(tmp_path):
    res = CliRunner().invoke(cli, ["assess", str(ROOT / "examples" / "chemical-plant.yaml"), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    units = {u["id"]: u for u in data["major_hazard_installations"]}
    nh3 = units["MHI-NH3"]   # 2 × 150 m³ × 0.6 t/m³ × 0.85 = 153 t of ammonia, Q 10 t, β 2, α 2 (120 people)
    assert (nh3["sum_q_over_Q"], nh3["R"], nh3["level"], nh3["level_zh"]) == (15.3, 61.2, 2, "二级")
    assert not units["U-WH"]["is_major_hazard"] and units["U-WH"]["level"] is None
    assert data["chemical:two_key_one_major"]["units"]["MHI-CHLOR"]["key_process"] is True


def test_user_mistakes_give_errors_not_tracebacks(tmp_path):
    text = (ROOT / "examples" / "chemical-plant.yaml").read_text(encoding="utf-8").replace("{chemical: 甲醇, categories", "{chemical: 甲纯, categories", 1)
    text = text.replace("{chemical: 液氨, volume_m3", "{chemical: 液氨, volume_m3: 150, count: 2, fill_factor: 0.85}  #", 1)
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    res = CliRunner().invoke(cli, ["assess", str(bad)])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "MHI-NH3" in res.output and "density_t_m3" in res.output


def test_levels_reach_the_rule_facts_and_the_graph():
    from dualprev_core.assessment.facts import enterprise_facts

    a = assess(doc(unit("T1", {"chemical": "液氯", "max_quantity_t": 40}), facts={"chemical:people_within_500m": 100}))
    facts = {(f["type"], f["key"]): f for f in enterprise_facts(a)}
    # 2 × 4 × 40/5 = 64 → 二级
    assert facts[("installation", "T1")]["chemical:major_hazard_level"] == 2
    assert facts[("risk", "R1")]["chemical:installation"] == "T1" and facts[("risk", "R1")]["chemical:major_hazard_level"] == 2
    assert facts[("enterprise", "E")]["chemical:two_key_one_major"] is True
    assert a.graph.G.nodes["R1"]["chemical:major_hazard_level"] == 2
