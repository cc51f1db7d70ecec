"""Grading methods: the published scales and bands (numbers from the public sources)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dualprev_core.errors import InvalidInput, UnknownReference
from dualprev_core.grading import core_methods
from dualprev_core.model.levels import RiskLevel

M = {m.name: m for m in core_methods()}
MAJOR, LARGE, GENERAL, LOW = RiskLevel.MAJOR, RiskLevel.LARGE, RiskLevel.GENERAL, RiskLevel.LOW


def test_lec_scales_are_the_published_ones():
    lec = M["lec"]
    assert [p.allowed for p in lec.parameters] == [
        (0.1, 0.2, 0.5, 1, 3, 6, 10),
        (0.5, 1, 2, 3, 6, 10),
        (1, 3, 7, 15, 40, 100),
    ]


@pytest.mark.parametrize(
    ("inputs", "score", "level"),
    [
        ({"L": 3, "E": 6, "C": 15}, 270, LARGE),
        ({"L": 6, "E": 6, "C": 15}, 540, MAJOR),
        ({"L": 10, "E": 2, "C": 7}, 140, GENERAL),  # 70 < D <= 160
        ({"L": 1, "E": 6, "C": 7}, 42, LOW),
        ({"L": 1, "E": 2, "C": 40}, 80, GENERAL),
    ],
)
def test_lec_v1_bands(inputs, score, level):
    g = M["lec"].grade(inputs)
    assert (g.score, g.level, g.variant) == (score, level, "V1")


def test_lec_edges_exclusive_by_default_and_configurable():
    # D = 320 is not in any band's interior: exclusive edge keeps it large, inclusive makes it major
    lec = M["lec"]
    assert lec.variant().level_for(320)[0] is LARGE
    assert lec.variant().level_for(320, edge="inclusive")[0] is MAJOR
    assert lec.variant().level_for(160)[0] is GENERAL
    assert lec.variant().level_for(70)[0] is LOW
    # the published gas-station table classifies D = 20 as 稍有危险 (grade 5)
    assert lec.variant().grade_for(20).label_zh == "稍有危险"
    g = lec.grade({"L": 1, "E": 2, "C": 40}, edge="inclusive")
    assert g.edge == "inclusive"


@pytest.mark.parametrize(
    ("variant", "r", "level"),
    [("V1", 9, GENERAL), ("V2", 9, LARGE), ("V3", 9, GENERAL), ("V1", 8, LOW), ("V2", 4, GENERAL), ("V3", 10, LARGE),
     ("V1", 15, LARGE), ("V1", 16, LARGE), ("V1", 20, MAJOR), ("V1", 25, MAJOR), ("V2", 3, LOW), ("V3", 3, LOW)],
)
def test_ls_variants_differ_where_the_sources_differ(variant, r, level):
    assert M["ls"].variant(variant).level_for(r)[0] is level


def test_ls_grade_reports_the_deciding_cut():
    g = M["ls"].grade({"L": 4, "S": 5})
    assert g.score == 20 and g.level is MAJOR and g.decided_by == "R = 20 ≥ 20"


def test_mes_bands_cover_every_achievable_value_as_printed():
    mes = M["mes"]
    printed = {"一级": lambda r: r > 180, "二级": lambda r: 90 <= r <= 150, "三级": lambda r: 50 <= r <= 80,
               "四级": lambda r: 20 <= r <= 48, "五级": lambda r: r <= 18}
    level_of = {"一级": MAJOR, "二级": LARGE, "三级": GENERAL, "四级": LOW, "五级": LOW}
    for m in (1, 3, 5):
        for e in (0.5, 1, 2, 3, 6, 10):
            for s in (1, 2, 4, 8, 10):
                g = mes.grade({"M": m, "E": e, "S": s})
                matches = [k for k, f in printed.items() if f(g.score)]
                if g.score == 180:  # covered by no printed band; put on the conservative side
                    assert g.level is MAJOR and not matches
                else:
                    assert matches and g.level is level_of[matches[0]], g.score


def test_matrix_default_grid_equals_ls_v1():
    for li in range(1, 6):
        for si in range(1, 6):
            assert M["matrix"].grade({"L": li, "S": si}).level is M["ls"].grade({"L": li, "S": si}).level


@pytest.mark.parametrize(
    ("inputs", "fragment"),
    [
        ({"L": 4, "E": 6, "C": 15}, "must be one of 0.1, 0.2, 0.5, 1, 3, 6, 10 (got 4)"),
        ({"L": 3, "E": math.nan, "C": 15}, "(got nan)"),
        ({"L": -1, "E": 6, "C": 15}, "(got -1)"),
        ({"L": 3, "E": 6}, "input C (发生事故产生的后果) is missing; allowed values: 1, 3, 7, 15, 40, 100"),
        ({"L": 3, "E": 6, "C": 15, "X": 1}, "has no input 'X'"),
        ({"L": "high", "E": 6, "C": 15}, "(got 'high')"),
        ({"L": None, "E": 6, "C": 15}, "(got None)"),
        ({"L": True, "E": 6, "C": 15}, "(got True)"),
    ],
)
def test_invalid_inputs_are_refused_listing_allowed_values(inputs, fragment):
    with pytest.raises(InvalidInput) as exc:
        M["lec"].grade(inputs)
    assert fragment in str(exc.value)


def test_unknown_variant_suggests():
    with pytest.raises(UnknownReference, match="did you mean 'V1'"):
        M["ls"].grade({"L": 1, "S": 1}, variant="v1")


@given(st.sampled_from(sorted(M)), st.data())
def test_methods_are_monotone_in_every_input(name, data):
    m = M[name]
    inputs = {p.name: data.draw(st.sampled_from(p.allowed)) for p in m.parameters}
    p = data.draw(st.sampled_from(m.parameters))
    higher = data.draw(st.sampled_from([v for v in p.allowed if v >= inputs[p.name]]))
    assert m.grade({**inputs, p.name: higher}).level >= m.grade(inputs).level


def test_every_variant_cites_a_source():
    for m in M.values():
        for v in m.variants.values():
            assert v.citation.standard and v.citation.clause
