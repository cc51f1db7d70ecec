"""The public strategies researchers use."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dualprev_core.model.levels import RiskLevel
from dualprev_core.model.records import Enterprise
from dualprev_core.strategies import enterprise_documents, enterprises, inspections_for


@given(st.from_type(Enterprise))
def test_from_type_works_through_the_entry_point(e):
    assert isinstance(e, Enterprise) and e.risks


@given(enterprises(min_risks=2, max_risks=4, max_controls=2, max_areas=3), st.data())
def test_generated_records_are_consistent(e, data):
    assert 2 <= len(e.risks) <= 4 and len(e.areas) <= 3
    ids = {a.id for a in e.areas}
    assert all(r.area in ids for r in e.risks)
    risk_ids = {r.id for r in e.risks}
    assert all(set(c.mitigates) <= risk_ids for c in e.controls)
    for insp in data.draw(inspections_for(e, max_size=5)):
        assert insp.control in {c.id for c in e.controls}


@given(st.from_type(RiskLevel))
def test_levels_from_type(level):
    assert level in RiskLevel


@pytest.mark.parametrize("kwargs", [{"min_risks": 3, "max_risks": 2}, {"max_areas": 0}, {"max_controls": -1}])
def test_bad_arguments_are_refused_at_once(kwargs):
    with pytest.raises(ValueError):
        enterprise_documents(**kwargs)


@given(enterprises(max_posts=3, max_hazards=4))
def test_enterprises_have_posts_hazards_and_risk_points_that_resolve(e):
    posts, hazards, rps = {p.id for p in e.posts}, {h.id for h in e.hazards}, {rp.id for rp in e.risk_points}
    assert all(c.post is None or c.post in posts for c in e.controls)
    assert all(set(r.hazards) <= hazards and (r.risk_point is None or r.risk_point in rps) for r in e.risks)
    assert all(h.risk_point is None or h.risk_point in rps for h in e.hazards)


def test_the_records_kinds_do_occur():
    from hypothesis import find

    e = find(enterprises(), lambda e: e.posts and e.hazards and e.risk_points and any(c.post for c in e.controls) and any(r.hazards for r in e.risks))
    assert e.posts and e.hazards


@given(enterprises(industry="mining", control_facts=st.fixed_dictionaries({"mining:items": st.just(["coal-4-1"])})))
def test_pack_facts_land_on_every_control(e):
    assert e.industry == "mining"
    assert all(c.facts == {"mining:items": ["coal-4-1"]} for c in e.controls)


@given(st.data())
def test_hidden_danger_histories_replay_to_the_state_they_reached(data):
    from dualprev_core.hidden_dangers.ledger import Ledger
    from dualprev_core.strategies import hidden_danger_histories

    closed = data.draw(st.sampled_from([True, False, None]))
    events = data.draw(hidden_danger_histories(closed=closed))
    (hd,) = Ledger.from_events(events).all()
    assert events[0].kind == "reported"
    if closed is True:
        assert hd.state.key == "closed" and any(e.kind == "verified" and e.passed for e in events)
    if closed is False:
        assert hd.is_open


def test_strategy_arguments_are_checked():
    from dualprev_core.errors import InvalidInput
    from dualprev_core.strategies import hidden_danger_histories

    with pytest.raises(InvalidInput, match="max_posts"):
        enterprises(max_posts=-1)
    with pytest.raises(InvalidInput, match="control_facts must be a hypothesis strategy"):
        enterprise_documents(control_facts={"x": 1})
    with pytest.raises(InvalidInput, match="closed"):
        hidden_danger_histories(closed="yes")
