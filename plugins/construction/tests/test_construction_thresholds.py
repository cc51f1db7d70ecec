"""危大工程 identification: every threshold of 建办质〔2018〕31号 tested on both sides of its edge.

The numbers below are typed from the public sources, not read from the pack's data: a change to
the data file that moves an edge fails here.
"""

from __future__ import annotations

import pytest
from dualprev_construction.subprojects import identify
from dualprev_construction.thresholds import BEYOND_SCALE, DANGEROUS, NONE

from dualprev_core.errors import UnknownReference, ValidationError
from dualprev_core.loading.enterprise import parse_enterprise


def project(*subprojects: dict, facts: dict | None = None):
    return parse_enterprise({
        "format": "dualprev-enterprise/1",
        "enterprise": {"id": "P", "name": "项目", "industry": "construction", "facts": facts or {}},
        "areas": [{"id": "S", "name": "现场"}],
        "risk_points": [{"id": f"SP{i}", "name": f"分项{i}", "area": "S", "kind": "activity",
                         "facts": {f"construction:{k}": v for k, v in sp.items()}} for i, sp in enumerate(subprojects)],
    })


def cls(kind: str, *, variant: str | None = None, **params) -> str:
    facts = {"construction:variant": variant} if variant else None
    (ident,) = identify(project({"kind": kind, **params}, facts=facts)).identifications
    return ident.cls


@pytest.mark.parametrize(("depth", "expected"), [(2.99, NONE), (3.0, DANGEROUS), (4.99, DANGEROUS), (5.0, BEYOND_SCALE), (5.01, BEYOND_SCALE)])
def test_excavation_depth_edges_are_inclusive(depth, expected):
    # 附件1 一: 开挖深度超过3m（含3m）; 附件2 一: 超过5m（含5m）
    assert cls("excavation", depth_m=depth) == expected


def test_shallow_excavation_with_complex_conditions_is_dangerous_and_deciding_item_is_cited():
    ident, = identify(project({"kind": "excavation", "depth_m": 2.0, "complex_conditions": True})).identifications
    # the public sources list the complex-conditions alternative in both columns; the 附件2 one is flagged unverified
    assert ident.cls == BEYOND_SCALE
    (item,) = ident.deciding
    assert item.clause == "附件2 一" and item.citation.verified is False
    assert cls("excavation", depth_m=2.0, complex_conditions=False) == NONE


@pytest.mark.parametrize(("param", "below", "dangerous", "below_beyond", "beyond"), [
    ("height_m", 4.99, 5, 7.99, 8),
    ("span_m", 9.99, 10, 17.99, 18),
    ("area_load_kn_m2", 9.99, 10, 14.99, 15),
    ("line_load_kn_m", 14.99, 15, 19.99, 20),
])
def test_shoring_edges(param, below, dangerous, below_beyond, beyond):
    assert cls("shoring", **{param: below}) == NONE
    assert cls("shoring", **{param: dangerous}) == DANGEROUS
    assert cls("shoring", **{param: below_beyond}) == DANGEROUS
    assert cls("shoring", **{param: beyond}) == BEYOND_SCALE


def test_slender_isolated_shoring_edge_is_exclusive():
    # 附件1 二(二): 高度大于支撑水平投影宽度且相对独立无联系构件
    assert cls("shoring", height_m=3.0, plan_width_m=2.99, isolated=True) == DANGEROUS
    assert cls("shoring", height_m=3.0, plan_width_m=3.0, isolated=True) == NONE
    assert cls("shoring", height_m=3.0, plan_width_m=2.0, isolated=False) == NONE


def test_support_frame_point_load():
    assert cls("support_frame", point_load_kn=6.99) == DANGEROUS
    assert cls("support_frame", point_load_kn=7.0) == BEYOND_SCALE


def test_tool_formwork():
    for form in ("slip", "climbing", "flying", "tunnel"):
        assert cls("formwork_tool", form_type=form) == BEYOND_SCALE
    assert cls("formwork_tool", form_type="other") == NONE


def test_lifting_edges():
    assert cls("lifting", lifting_method="non_standard", single_lift_kn=9.99) == NONE
    assert cls("lifting", lifting_method="non_standard", single_lift_kn=10) == DANGEROUS
    assert cls("lifting", lifting_method="non_standard", single_lift_kn=99.99) == DANGEROUS
    assert cls("lifting", lifting_method="non_standard", single_lift_kn=100) == BEYOND_SCALE
    assert cls("lifting", lifting_method="crane", single_lift_kn=150) == DANGEROUS   # 采用起重机械进行安装
    assert cls("lifting", lifting_method="other", single_lift_kn=150) == NONE


@pytest.mark.parametrize(("param", "edge"), [("capacity_kn", 300), ("total_height_m", 200), ("base_elevation_m", 200)])
def test_crane_erection_edges(param, edge):
    assert cls("crane_erection", **{param: edge - 0.01}) == DANGEROUS   # every crane erection/dismantling is 危大
    assert cls("crane_erection", **{param: edge}) == BEYOND_SCALE


def test_scaffold_edges():
    assert cls("scaffold", scaffold_type="ground", height_m=23.99) == NONE
    assert cls("scaffold", scaffold_type="ground", height_m=24) == DANGEROUS
    assert cls("scaffold", scaffold_type="ground", height_m=49.99) == DANGEROUS
    assert cls("scaffold", scaffold_type="ground", height_m=50) == BEYOND_SCALE
    assert cls("scaffold", scaffold_type="attached_lifting", lift_height_m=149.99) == DANGEROUS
    assert cls("scaffold", scaffold_type="attached_lifting", lift_height_m=150) == BEYOND_SCALE
    assert cls("scaffold", scaffold_type="cantilever", segment_height_m=19.99) == DANGEROUS
    assert cls("scaffold", scaffold_type="cantilever", segment_height_m=20) == BEYOND_SCALE
    for t in ("cradle", "platform", "irregular"):
        assert cls("scaffold", scaffold_type=t) == DANGEROUS


def test_other_works_edges():
    assert cls("curtain_wall", height_m=49.99) == DANGEROUS
    assert cls("curtain_wall", height_m=50) == BEYOND_SCALE
    assert cls("steel_structure", structure="steel", span_m=35.99) == DANGEROUS
    assert cls("steel_structure", structure="steel", span_m=36) == BEYOND_SCALE
    assert cls("steel_structure", structure="space_frame", span_m=59.99) == DANGEROUS
    assert cls("steel_structure", structure="membrane", span_m=60) == BEYOND_SCALE
    assert cls("dug_pile", depth_m=15.99) == DANGEROUS
    assert cls("dug_pile", depth_m=16) == BEYOND_SCALE
    assert cls("jacking", weight_kn=999.99) == NONE
    assert cls("jacking", weight_kn=1000) == BEYOND_SCALE
    assert cls("underwater") == BEYOND_SCALE
    assert cls("precast") == DANGEROUS
    assert cls("tunnelling", tunnel_method="shield") == BEYOND_SCALE


def test_demolition():
    assert cls("demolition", affects_surroundings=False, structure_type="building") == NONE
    assert cls("demolition", affects_surroundings=True, structure_type="building") == DANGEROUS
    assert cls("demolition", structure_type="chimney") == BEYOND_SCALE
    assert cls("demolition", structure_type="building", heritage_area=True) == BEYOND_SCALE


def test_provincial_variant_moves_edges_and_cites_itself():
    v = "province-unnamed-a"
    # the sources' provincial deviation: 10 kN/m² and 15 kN/m for 超规模 shoring, 200 kN crane capacity
    assert cls("shoring", area_load_kn_m2=10) == DANGEROUS
    assert cls("shoring", area_load_kn_m2=10, variant=v) == BEYOND_SCALE
    assert cls("shoring", line_load_kn_m=14.99, variant=v) == NONE
    assert cls("shoring", line_load_kn_m=15, variant=v) == BEYOND_SCALE
    assert cls("crane_erection", capacity_kn=199.99, variant=v) == DANGEROUS
    assert cls("crane_erection", capacity_kn=200, variant=v) == BEYOND_SCALE
    # "adds crane erection above 60 m", read as > 60 (unverified)
    assert cls("crane_erection", total_height_m=60, variant=v) == DANGEROUS
    assert cls("crane_erection", total_height_m=60.01, variant=v) == BEYOND_SCALE
    ident, = identify(project({"kind": "shoring", "area_load_kn_m2": 12}, facts={"construction:variant": v})).identifications
    (item,) = ident.deciding
    assert item.citation.verified is False and "replaces 附件2 二（二）" in item.citation.clause
    assert any("jiayou0513" in s for s in item.citation.sources)


def test_unknown_variant_names_the_nearest():
    with pytest.raises(UnknownReference, match="did you mean 'province-unnamed-a'"):
        cls("shoring", height_m=3, variant="province-unamed-a")


def test_a_missing_parameter_is_reported_as_undecided_not_dropped():
    ident, = identify(project({"kind": "excavation", "complex_conditions": False})).identifications
    assert ident.cls == NONE
    assert {i.id for i, _ in ident.undecided} == {"A1-1-depth", "A2-1-depth"}
    assert all(needs == ("depth_m",) for _, needs in ident.undecided)


def test_invalid_subproject_facts_are_all_reported_with_paths():
    e = project({"kind": "excavation", "depth_m": "5m", "depht_m": 3, "class": "none"}, {"kind": "excavatoin"},
                {"kind": "shoring", "height_m": -1, "phases": ["main_structur"]})
    with pytest.raises(ValidationError) as info:
        identify(e)
    text = str(info.value)
    assert "risk_points[0].facts.construction:depth_m: must be a non-negative number" in text
    assert "construction:depht_m" in text and "did you mean 'depth_m'" in text
    assert "construction:class: is derived by the construction pack" in text
    assert "risk_points[1].facts.construction:kind" in text and "did you mean 'excavation'" in text
    assert "risk_points[2].facts.construction:height_m" in text
    assert "did you mean 'main_structure'" in text
