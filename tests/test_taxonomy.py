"""Tests of the GB 6441 / GB/T 13861 taxonomies: the standards' numbers are pinned here."""

from __future__ import annotations

from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dualprev_core.errors import InvalidInput, UnknownReference
from dualprev_core.model.vocabulary import HazardClass
from dualprev_core.provenance import Citation
from dualprev_core.taxonomy import (
    DEFAULT_EDITION,
    DEFAULT_HAZARD_EDITION,
    EDITIONS,
    HAZARD_EDITIONS,
    AccidentCategory,
    accident_taxonomy,
    hazard_factor_classes,
    map_category,
    mapping_citation,
    mapping_note,
    types_new_in_2025,
)

NAMES_1986 = [
    "物体打击", "车辆伤害", "机械伤害", "起重伤害", "触电", "淹溺", "灼烫", "火灾", "高处坠落", "坍塌",
    "冒顶片帮", "透水", "放炮", "火药爆炸", "瓦斯爆炸", "锅炉爆炸", "容器爆炸", "其他爆炸", "中毒和窒息", "其他伤害",
]  # fmt: skip

NAMES_2025 = [
    "物体打击", "厂(场)内车辆致害", "道路(轨道)车辆致害", "机械致害", "起重致害", "触电", "淹溺", "灼烫",
    "火灾", "高处坠落", "跌落", "坍塌", "水害", "容器爆炸", "管道爆炸", "可燃气体爆炸", "可燃液体蒸汽爆炸",
    "粉尘爆炸", "民用爆炸物品爆炸", "烟花爆竹爆炸", "其他可燃固体爆炸", "高温熔融物爆炸", "中毒", "窒息",
    "滑坡", "泄漏", "其他事故",
]  # fmt: skip

ALL_CATEGORIES = [c for e in EDITIONS for c in accident_taxonomy(e)]


def zh(cats: tuple[AccidentCategory, ...]) -> set[str]:
    return {c.name_zh for c in cats}


# -- data files ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["gb6441-1986.yaml", "gb6441-2025.yaml", "gb6441-mapping-1986-2025.yaml", "gbt13861.yaml"]
)
def test_data_files_are_package_resources(name: str) -> None:
    text = resources.files("dualprev_core").joinpath("data", name).read_text(encoding="utf-8")
    assert "schema:" in text


# -- GB 6441-1986 --------------------------------------------------------------------------------


def test_1986_has_the_20_categories_in_order() -> None:
    t = accident_taxonomy("1986")
    assert len(t) == 20
    assert [c.name_zh for c in t] == NAMES_1986
    assert [c.code for c in t] == [f"{i:02d}" for i in range(1, 21)]
    assert [c.citation.clause for c in t] == [f"2.{i}" for i in range(1, 21)]


def test_1986_provenance() -> None:
    t = accident_taxonomy("1986")
    assert t.citation.standard == "GB 6441"
    assert t.citation.edition == "1986"
    assert t.title == "企业职工伤亡事故分类"
    assert t.issued == "1986-05-31" and t.in_force == "1987-02-01"
    assert len(t.citation.sources) == 5
    fire = t.get("08")
    assert fire.id == "GB6441-1986:08"
    assert fire.verified is True
    assert str(fire.citation) == "GB 6441-1986 2.8"
    assert "varies" in fire.note


@pytest.mark.parametrize(
    "ref", ["08", "8", 8, "GB6441-1986:08", "gb6441-1986:8", "火灾", " 火灾 ", "fire", "FIRE", "2.8"]
)
def test_1986_lookup(ref: str | int) -> None:
    t = accident_taxonomy("1986")
    assert t.get(ref).name_zh == "火灾"
    assert ref in t


def test_printed_three_digit_codes_resolve() -> None:
    assert accident_taxonomy("1986").get("010").name_zh == "坍塌"
    assert accident_taxonomy("1986").get("020").name_zh == "其他伤害"


def test_english_and_key_lookup() -> None:
    t = accident_taxonomy("1986")
    assert t.get("Poisoning and Asphyxiation").code == "19"
    assert t.get("roof_fall_rib_spall").code == "11"
    assert t.get("roof-fall-rib-spall").code == "11"


def test_unknown_name_suggests_the_nearest() -> None:
    with pytest.raises(UnknownReference) as info:
        accident_taxonomy("1986").get("火 灾")
    assert str(info.value) == "'火 灾' is not a GB 6441-1986 category (did you mean '火灾'?)"
    assert isinstance(info.value, KeyError)


def test_unknown_code_and_foreign_id() -> None:
    t = accident_taxonomy("1986")
    with pytest.raises(UnknownReference, match="01–20"):
        t.get("21")
    with pytest.raises(UnknownReference, match="map_category"):
        t.get("GB6441-2025:fire")
    with pytest.raises(UnknownReference, match="map_category"):
        t.get(accident_taxonomy("2025").get("fire"))
    assert "21" not in t
    assert None not in t


def test_non_string_reference_is_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        accident_taxonomy("1986").get(None)  # type: ignore[arg-type]


# -- GB 6441-2025 --------------------------------------------------------------------------------


def test_2025_has_27_types_all_unverified() -> None:
    t = accident_taxonomy("2025")
    assert len(t) == 27
    assert [c.name_zh for c in t] == NAMES_2025
    assert len({c.key for c in t}) == 27
    assert all(c.verified is False for c in t)
    assert t.verified is False
    assert all("sequence number" in c.note for c in t)


def test_2025_document_facts() -> None:
    t = accident_taxonomy("2025")
    assert t.issued == "2025-12-31"
    assert t.in_force == "2026-07-01"
    assert t.title == "生产安全事故分类与编码"
    assert "2027-01-01" in t.citation.note
    assert "GB/T 6441-1986" in t.citation.note


def test_2025_ids_use_keys() -> None:
    t = accident_taxonomy("2025")
    assert t.get("火灾").id == "GB6441-2025:fire"
    assert t.get("GB6441-2025:fire") is t.get("火灾")
    assert t.get("struck_by_object").name_zh == "物体打击"


def test_full_width_brackets_resolve() -> None:
    t = accident_taxonomy("2025")
    assert t.get("厂（场）内车辆致害").key == "in_plant_vehicle"
    assert t.get("道路（轨道）车辆致害").key == "road_rail_vehicle"


def test_default_edition_is_2025() -> None:
    assert DEFAULT_EDITION == "2025"
    assert accident_taxonomy() is accident_taxonomy("2025")
    assert accident_taxonomy("GB 6441-2025") is accident_taxonomy(2025)
    assert accident_taxonomy("GB/T 6441-1986") is accident_taxonomy("1986")


def test_unknown_edition_lists_the_allowed() -> None:
    with pytest.raises(InvalidInput, match="'1986', '2025'"):
        accident_taxonomy("2009")


# -- mapping -------------------------------------------------------------------------------------


def test_every_1986_category_maps_to_2025() -> None:
    for c in accident_taxonomy("1986"):
        targets = map_category(c, to="2025")
        assert targets, c
        assert all(t.edition == "2025" and t.mapping_note for t in targets)


def test_every_2025_type_is_mapped_or_new() -> None:
    reached = {t.key for c in accident_taxonomy("1986") for t in map_category(c, to="2025")}
    new = {c.key for c in types_new_in_2025()}
    assert zh(types_new_in_2025()) == {"滑坡", "泄漏"}
    assert reached.isdisjoint(new)
    assert reached | new == {c.key for c in accident_taxonomy("2025")}


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("车辆伤害", {"厂(场)内车辆致害", "道路(轨道)车辆致害"}),
        ("冒顶片帮", {"坍塌"}),
        ("透水", {"水害"}),
        ("放炮", {"民用爆炸物品爆炸"}),
        ("火药爆炸", {"民用爆炸物品爆炸", "烟花爆竹爆炸"}),
        ("瓦斯爆炸", {"可燃气体爆炸"}),
        ("锅炉爆炸", {"容器爆炸"}),
        ("中毒和窒息", {"中毒", "窒息"}),
        ("其他伤害", {"跌落", "其他事故"}),
        ("物体打击", {"物体打击"}),
        ("机械伤害", {"机械致害"}),
    ],
)
def test_specific_mappings(old: str, new: set[str]) -> None:
    assert zh(map_category(old, to="2025")) == new


def test_other_explosion_splits() -> None:
    assert {"粉尘爆炸", "可燃液体蒸汽爆炸", "其他可燃固体爆炸", "高温熔融物爆炸", "管道爆炸"} <= zh(
        map_category("其他爆炸", to="2025")
    )


def test_reverse_mapping() -> None:
    assert zh(map_category("容器爆炸", to="1986")) == {"锅炉爆炸", "容器爆炸"}
    assert zh(map_category("坍塌", to="1986")) == {"坍塌", "冒顶片帮"}
    assert zh(map_category("GB6441-2025:drop", to="1986")) == {"其他伤害"}
    landslide = map_category("滑坡", to="1986")
    assert zh(landslide) == {"坍塌"} and "new in 2025" in landslide[0].mapping_note


def test_identity_and_id_edition() -> None:
    fire = accident_taxonomy("2025").get("fire")
    assert map_category(fire, to="2025") == (fire,)
    assert map_category("GB6441-1986:08", to="2025") == (fire,)


def test_mapped_results_equal_the_taxonomy_entries() -> None:
    (fire,) = map_category("火灾", to="2025")
    assert fire == accident_taxonomy("2025").get("fire")
    assert fire in accident_taxonomy("2025")
    assert fire.mapping_note == "same category name in both editions"


def test_mapping_note_and_provenance() -> None:
    assert "民用爆炸物品" in mapping_note("放炮", "民用爆炸物品爆炸")
    assert "pressur" in mapping_note("16", "vessel_explosion")
    with pytest.raises(UnknownReference, match="民用爆炸物品爆炸"):
        mapping_note("放炮", "火灾")
    cite = mapping_citation()
    assert cite.verified is False
    assert "editorial" in cite.standard


# -- GB/T 13861 ----------------------------------------------------------------------------------

SECOND_LEVEL = ["11", "12", "21", "22", "23", "31", "32", "33", "39", "41", "42", "43", "44", "45", "49"]


@pytest.mark.parametrize("edition", HAZARD_EDITIONS)
def test_hazard_classes_codes(edition: str) -> None:
    h = hazard_factor_classes(edition)
    assert [c.name_zh for c in h.top_level] == ["人的因素", "物的因素", "环境因素", "管理因素"]
    assert [c.code for c in h.top_level] == ["1", "2", "3", "4"]
    assert [c.code for c in h if c.level == 2] == SECOND_LEVEL
    assert all(c.parent_code == c.code[0] for c in h if c.level == 2)
    assert [c.code for c in h.children("4")] == ["41", "42", "43", "44", "45", "49"]
    assert [c.top_class for c in h.top_level] == list(HazardClass)


def test_hazard_class_names_2009() -> None:
    h = hazard_factor_classes("2009")
    assert h.get("22").name_zh == "化学性危险和有害因素"
    assert h.get("45").name_zh == "职业健康管理不完善"
    assert all(c.verified for c in h)
    assert h.citation.edition == "2009"


def test_hazard_classes_2022_unverified_with_alternative_names() -> None:
    assert DEFAULT_HAZARD_EDITION == "2022"
    h = hazard_factor_classes()
    assert h.edition == "2022"
    assert all(c.verified is False for c in h)
    assert h.get("应急管理缺陷").code == "45"
    assert h.get("45").alternative_names_zh == ("应急管理缺陷",)
    assert "应急管理缺陷" in h.get("45").citation.note


@pytest.mark.parametrize(("code", "expected"), [("2101", "21"), ("110101", "11"), ("1201", "12"), (4, "4")])
def test_hazard_deeper_codes_resolve_to_level_2(code: str | int, expected: str) -> None:
    assert hazard_factor_classes("2009").get(code).code == expected


@pytest.mark.parametrize("code", ["5", "13", "5101", "210", "21011", "x"])
def test_hazard_invalid_codes(code: str) -> None:
    with pytest.raises(UnknownReference, match=r"top classes are 1 \(人的因素\)"):
        hazard_factor_classes("2009").get(code)


def test_hazard_unknown_edition() -> None:
    with pytest.raises(InvalidInput, match="'2009', '2022'"):
        hazard_factor_classes("1992")


def test_citations_are_citations() -> None:
    assert all(isinstance(c.citation, Citation) for c in ALL_CATEGORIES)
    assert all(isinstance(c.citation, Citation) for c in hazard_factor_classes())


# -- properties ----------------------------------------------------------------------------------


@given(st.sampled_from(ALL_CATEGORIES), st.sampled_from(["id", "code", "name_zh", "name_en", "key"]), st.booleans())
def test_every_category_resolves_from_its_own_references(c: AccidentCategory, field: str, upper: bool) -> None:
    ref = getattr(c, field)
    if upper:
        ref = ref.upper()
    t = accident_taxonomy(c.edition)
    assert t.get(ref) is c
    assert t.get(int(c.code)) is c


@given(st.sampled_from(accident_taxonomy("1986").categories))
def test_mapping_round_trips(c: AccidentCategory) -> None:
    for new in map_category(c, to="2025"):
        assert c in map_category(new, to="1986")
        assert mapping_note(c, new) == new.mapping_note


@given(st.sampled_from(SECOND_LEVEL), st.integers(min_value=0, max_value=9999))
def test_any_deeper_code_resolves_to_its_prefix(code: str, tail: int) -> None:
    h = hazard_factor_classes("2009")
    assert h.get(f"{code}{tail % 100:02d}").code == code
    assert h.get(f"{code}{tail:04d}").code == code


def test_a_1986_name_refused_under_2025_says_so_and_how_to_choose_1986():
    import pytest

    from dualprev_core.errors import UnknownReference
    from dualprev_core.taxonomy import accident_taxonomy

    with pytest.raises(UnknownReference) as info:
        accident_taxonomy("2025").get("火药爆炸")
    text = str(info.value)
    assert "GB 6441-1986 category" in text and 'gb6441_edition: "1986"' in text and "民用爆炸物品爆炸" in text
    with pytest.raises(UnknownReference, match="not a GB 6441-2025 category"):
        accident_taxonomy("2025").get("不存在的类别")


def test_unquoted_edition_is_accepted():
    from dualprev_core.loading.enterprise import parse_enterprise

    doc = {"format": "dualprev-enterprise/1", "enterprise": {"id": "E", "name": "e"}, "settings": {"gb6441_edition": 1986},
           "areas": [{"id": "A", "name": "a"}],
           "risks": [{"id": "R", "name": "r", "area": "A", "category": "火药爆炸", "method": "ls", "inputs": {"L": 2, "S": 2}},
                     {"id": "R2", "name": "r", "area": "A", "category": "火灾", "method": "ls", "inputs": {"L": 2, "S": 2},
                      "category_edition": 2025}]}
    e = parse_enterprise(doc)
    assert e.settings.gb6441_edition == "1986" and [r.category_edition for r in e.risks] == ["1986", "2025"]
