"""The five invariants of levels (docs/semantics.md), stated as properties over generated enterprises —
with the core alone, and with the bundled packs loaded and their facts on the controls, so that their
criteria grade hidden dangers major and their hooks run."""

from __future__ import annotations

import attrs
import pytest
from dualprev_chemical.strategies import control_facts as chemical_control_facts
from dualprev_mining.strategies import control_facts as mining_control_facts
from helpers import close_all
from hypothesis import find, given, settings
from hypothesis import strategies as st

from dualprev_core.assessment.assessment import Assessment
from dualprev_core.hidden_dangers.ledger import Ledger
from dualprev_core.model.levels import RiskLevel
from dualprev_core.model.records import Enterprise, Inspection
from dualprev_core.packs import Packs, load_packs
from dualprev_core.strategies import enterprises, inspections_for


@attrs.frozen
class World:
    """The packs an invariant is checked with."""

    name: str
    packs: Packs | None

    def enterprises(self) -> st.SearchStrategy[Enterprise]:
        if self.packs is None:
            return enterprises()
        # smaller cases: every defect runs the packs' criteria (measured: ~4x the cost of a core case)
        return enterprises(packs=self.packs, control_facts=st.one_of(chemical_control_facts(), mining_control_facts()),
                           max_risks=6, max_controls=2, max_areas=3)

    def assess(self, e: Enterprise, **kwargs) -> Assessment:
        if self.packs is None:
            return Assessment(e, **kwargs)
        return Assessment(e, packs=self.packs, rules_engine="reference", **kwargs)


CORE = World("core", None)
BUNDLED = World("bundled-packs", load_packs())
WORLDS = pytest.mark.parametrize("world", [CORE, BUNDLED], ids=lambda w: w.name)



def snapshot(a: Assessment) -> tuple[dict, dict]:
    return a.current_levels(), a.area_levels()


@st.composite
def enterprise_with_inspections(draw, world=CORE, defects_only=False):
    e = draw(world.enterprises())
    return e, draw(inspections_for(e, max_size=10 if world is CORE else 6, defects_only=defects_only))


@WORLDS
@given(st.data())
def test_monotone_another_failed_control_never_lowers_a_level(world, data):
    case = data.draw(enterprise_with_inspections(world, defects_only=True))
    e, inspections = case
    a = world.assess(e, replay_inspections=False)
    for insp in inspections:
        before = a.current_levels()
        a.record_inspection(insp)
        after = a.current_levels()
        assert all(after[r] >= before[r] for r in before), (insp, before, after)


@WORLDS
@given(st.data())
def test_restorable_all_closed_means_current_equals_assessed(world, data):
    case = data.draw(enterprise_with_inspections(world))
    e, inspections = case
    a = world.assess(e, replay_inspections=False)
    for insp in inspections:
        a.record_inspection(insp)
    close_all(a)
    assert not a.ledger.open()
    for r in e.risks:
        assert a.current_level(r.id) == a.assessed_level(r.id)
        assert a.explain(r.id).effects == ()


@WORLDS
@given(st.data())
def test_restorable_without_any_inspection(world, data):
    e = data.draw(world.enterprises())
    a = world.assess(e)
    assert all(a.current_level(r.id) == a.assessed_level(r.id) for r in e.risks)


@WORLDS
@given(st.data())
def test_bounded_assessed_le_current_le_inherent_le_major(world, data):
    case = data.draw(enterprise_with_inspections(world))
    e, inspections = case
    a = world.assess(e, replay_inspections=False)
    for insp in inspections:
        a.record_inspection(insp)
        for r in e.risks:
            cur = a.current_level(r.id)
            assert a.assessed_level(r.id) <= cur <= (r.inherent_level or RiskLevel.MAJOR) <= RiskLevel.MAJOR


@WORLDS
@given(st.data())
def test_local_a_control_change_moves_only_its_risks_and_their_areas(world, data):
    case = data.draw(enterprise_with_inspections(world))
    e, inspections = case
    a = world.assess(e, replay_inspections=False)
    controls = {c.id: c for c in e.controls}
    for insp in inspections:
        risks_before, areas_before = snapshot(a)
        outcome = a.record_inspection(insp)
        risks_after, areas_after = snapshot(a)
        allowed_risks = set(controls[insp.control].mitigates)
        moved = {r for r in risks_before if risks_before[r] != risks_after[r]}
        assert moved <= allowed_risks
        allowed_areas = {x for r in allowed_risks for x in a.graph.area_ancestors(a.graph.record(r).area)}
        assert {x for x in areas_before if areas_before[x] != areas_after[x]} <= allowed_areas
        # the outcome reports exactly what moved
        assert {c.id for c in outcome.changes if c.kind == "risk"} == moved


def _hd_view(a: Assessment) -> set:
    return {(h.id, h.control_id, h.finding, h.grade, h.state) for h in a.ledger.all()}


@WORLDS
@given(st.data(), st.randoms(use_true_random=False))
def test_order_free_same_facts_any_order_same_levels_and_hidden_dangers(world, data, rnd):
    case = data.draw(enterprise_with_inspections(world))
    e, inspections = case
    a1 = world.assess(e, replay_inspections=False)
    for insp in inspections:
        a1.record_inspection(insp)
    shuffled = list(inspections)
    rnd.shuffle(shuffled)
    a2 = world.assess(e, replay_inspections=False)
    for insp in shuffled:
        a2.record_inspection(insp)
    assert snapshot(a1) == snapshot(a2)
    assert {(h.id, h.control_id, h.finding, h.grade) for h in a1.ledger.all()} == {
        (h.id, h.control_id, h.finding, h.grade) for h in a2.ledger.all()
    }


@WORLDS
@given(st.data())
def test_order_free_batch_replay_sorts_the_file_order_away(world, data):
    case = data.draw(enterprise_with_inspections(world))
    e, inspections = case
    forward = attrs.evolve(e, inspections=tuple(inspections))
    backward = attrs.evolve(e, inspections=tuple(reversed(inspections)))
    a1, a2 = world.assess(forward), world.assess(backward)
    assert snapshot(a1) == snapshot(a2)
    assert _hd_view(a1) == _hd_view(a2)


@WORLDS
@given(st.data())
def test_incremental_update_equals_recomputation_from_the_ledger(world, data):
    case = data.draw(enterprise_with_inspections(world))
    e, inspections = case
    a = world.assess(e, replay_inspections=False)
    for insp in inspections:
        a.record_inspection(insp)
    fresh = world.assess(e, ledger=Ledger.from_events(a.ledger.events), replay_inspections=False)
    assert snapshot(a) == snapshot(fresh)
    assert a.level_counts() == fresh.level_counts()


def test_effective_inspection_does_not_close_a_hidden_danger(tmp_path):
    from dualprev_core.loading.enterprise import parse_enterprise
    from dualprev_core.model.vocabulary import InspectionResult
    from dualprev_core.strategies import _T0

    doc = {
        "format": "dualprev-enterprise/1",
        "enterprise": {"id": "E", "name": "e"},
        "areas": [{"id": "A", "name": "a"}],
        "risks": [{"id": "R", "name": "r", "area": "A", "category": "火灾", "method": "lec", "inputs": {"L": 1, "E": 6, "C": 15},
                   "controls": [{"id": "C", "name": "c", "kind": "engineering", "owner_level": "team", "critical": True}]}],
    }
    e = parse_enterprise(doc)
    a = Assessment(e)
    a.record_inspection(Inspection("I1", "C", InspectionResult.FAILED, "张三", _T0))
    raised = a.current_level("R")
    assert raised == RiskLevel.LARGE  # general (D = 90) raised one level by the failed critical control
    a.record_inspection(Inspection("I2", "C", InspectionResult.EFFECTIVE, "张三", _T0.replace(hour=9)))
    assert a.current_level("R") == raised and a.ledger.open()
    close_all(a)
    assert a.current_level("R") == RiskLevel.GENERAL


def test_the_bundled_packs_world_is_not_vacuous():
    """With the packs' facts on controls, generated inspections do make major hidden dangers (the
    invariants above then cover the packs' criteria, not only the core's escalation)."""

    def majors(case) -> bool:
        e, inspections = case
        a = BUNDLED.assess(e, replay_inspections=False)
        for insp in inspections:
            a.record_inspection(insp)
        return any(h.is_major for h in a.ledger.all())

    e, _ = find(enterprise_with_inspections(BUNDLED, defects_only=True), majors, settings=settings(max_examples=500, database=None))
    assert any(c.facts for c in e.controls)
