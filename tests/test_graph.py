"""Graph queries on the bundled example and a small hand-made enterprise."""

from __future__ import annotations

import pytest
from test_io import GOOD

from dualprev_core.errors import UnknownReference
from dualprev_core.graph import DEGRADES, MITIGATES, RiskGraph
from dualprev_core.loading.enterprise import parse_enterprise

DOC = {
    **GOOD,
    "areas": [
        {"id": "P", "name": "厂区"},
        {"id": "W1", "name": "车间一", "parent": "P"},
        {"id": "U1", "name": "装置一", "parent": "W1"},
        {"id": "W2", "name": "车间二", "parent": "P"},
    ],
    "posts": [{"id": "P1", "name": "操作工"}, {"id": "P2", "name": "班长", "owner_level": "team"}],
    "risk_points": [],
    "hazards": [],
    "inspections": [],
    "risks": [
        {"id": "R1", "name": "r1", "area": "U1", "category": "火灾", "method": "lec", "inputs": {"L": 1, "E": 6, "C": 15},
         "controls": [{"id": "C1", "name": "c1", "kind": "engineering", "owner_level": "team", "post": "P2", "also_mitigates": ["R0"]}]},
        {"id": "R0", "name": "r0", "area": "W2", "category": "中毒", "method": "ls", "inputs": {"L": 2, "S": 3}},
    ],
    "controls": [{"id": "C2", "name": "c2", "kind": "management", "owner_level": "company", "post": "P1", "mitigates": ["R1"]}],
}


@pytest.fixture
def g():
    return RiskGraph(parse_enterprise(DOC))


def test_risks_of_an_area_recursively(g):
    assert {r.id for r in g.risks_in_area("P")} == {"R0", "R1"}
    assert {r.id for r in g.risks_in_area("W1")} == {"R1"}
    assert g.risks_in_area("W1", recursive=False) == []


def test_controls_and_affected_risks(g):
    assert {c.id for c in g.controls_of("R1")} == {"C1", "C2"}
    assert {r.id for r in g.risks_affected_by("C1")} == {"R0", "R1"}


def test_responsibility_highest_level_first(g):
    resp = g.responsible_for("R1")
    assert [(x.control, x.owner_level.key, x.post) for x in resp] == [("C2", "company", "P1"), ("C1", "team", "P2")]
    assert {p.id for p in g.posts_of("R1")} == {"P1", "P2"}
    assert {r.id for r in g.risks_of_post("P2")} == {"R0", "R1"}


def test_ancestors_and_edges(g):
    assert g.area_ancestors("U1") == ["U1", "W1", "P"]
    assert g.G.edges["C1", "R0"]["relation"] == MITIGATES
    g.add_hidden_danger("HD1", "C1")
    assert g.G.edges["HD1", "C1"]["relation"] == DEGRADES and g.hidden_dangers_on("C1") == ["HD1"]


def test_unknown_nodes_suggest(g):
    with pytest.raises(UnknownReference, match="did you mean 'R1'"):
        g.controls_of("R11")


def test_recorded_inspections_put_hidden_danger_nodes_in_the_graph():
    from dualprev_core.assessment.assessment import Assessment

    a = Assessment(parse_enterprise(GOOD))
    (hd,) = a.ledger.all()
    assert a.graph.hidden_dangers_on("C1") == [hd.id]
    assert a.graph.G.nodes[hd.id]["kind"] == "hidden_danger"
