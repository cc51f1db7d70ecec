"""Criteria are evaluated incrementally; the result must equal a full recomputation.

A :class:`CriteriaSession` builds only the fact types its rules name, asserts only the facts
that pass some pattern's literal conditions, and re-asserts just what each change touched.
Whatever the sequence of inspections and hidden-danger transitions, its engine must hold
exactly the facts — and the matches — that a session built from scratch on the final state holds.
"""

from __future__ import annotations

import types

import attrs
from helpers import close_all
from hypothesis import given
from hypothesis import strategies as st

from dualprev_core import hookimpl
from dualprev_core.assessment.assessment import Assessment
from dualprev_core.assessment.criteria import CriteriaSession, fact_filters
from dualprev_core.assessment.facts import enterprise_facts
from dualprev_core.packs import PackManifest, load_packs
from dualprev_core.rules import load_ruleset
from dualprev_core.strategies import enterprises, inspections_for

CIT = {"standard": "TEST", "edition": "1", "clause": "1"}


def _rule(rid: str, when: list, then: list) -> dict:
    return {"id": rid, "title": rid, "citation": CIT, "when": when, "then": then}


RULES = {
    "format": "dualprev-rules/1",
    "ruleset": "incremental",
    "rules": [
        _rule("critical-defect", [{"fact": "control", "as": "c", "where": [
            {"field": "state", "op": "in", "value": ["failed", "missing"]}, {"field": "critical", "op": "eq", "value": True}]}],
            [{"grade_hidden_danger": "major"}]),
        _rule("failed-control-of-a-major-risk", [
            {"fact": "control", "as": "c", "where": [{"field": "state", "op": "eq", "value": "failed"}]},
            {"fact": "mitigation", "as": "m", "where": [{"field": "control", "op": "eq", "ref": "c.key"}]},
            {"fact": "risk", "as": "r", "where": [{"field": "key", "op": "eq", "ref": "m.risk"},
                                                  {"field": "current_level", "op": "in", "value": ["major", "large"]}]},
        ], [{"flag": {"name": "watch"}}]),
        _rule("missing-found", [{"fact": "hidden_danger", "as": "h", "where": [
            {"field": "finding", "op": "eq", "value": "missing"}, {"field": "state", "op": "ne", "value": "closed"}]}],
            [{"grade_hidden_danger": "major"}]),
        _rule("red-area", [{"fact": "area", "as": "a", "where": [{"field": "level", "op": "eq", "value": "major"}]}],
              [{"alarm": {"level": "red", "message": "red area"}}]),
        _rule("critical-control-without-open-hidden-danger", [
            {"fact": "control", "as": "c", "where": [{"field": "critical", "op": "eq", "value": True}]},
            {"none": {"fact": "hidden_danger", "where": [{"field": "control", "op": "eq", "ref": "c.key"},
                                                         {"field": "state", "op": "ne", "value": "closed"}]}},
        ], [{"flag": {"name": "quiet"}}]),
    ],
}


def _pack(industry: str = "") -> types.ModuleType:
    mod = types.ModuleType("incremental_pack")
    ruleset = attrs.evolve(load_ruleset(RULES), pack="incremental")

    @hookimpl
    def dualprev_pack_manifest():
        return PackManifest(name="incremental", version="1", core_api=">=1.0,<2", industry=industry)

    @hookimpl
    def dualprev_register_criteria(registrar):
        registrar._staged.append(lambda: (registrar._registry.rule_files.__setitem__(ruleset.id, ("incremental", None)),  # noqa: SLF001
                                          registrar._registry.rulesets.__setitem__(ruleset.id, ruleset)))  # noqa: SLF001

    mod.dualprev_pack_manifest = dualprev_pack_manifest
    mod.dualprev_register_criteria = dualprev_register_criteria
    return mod


def _state(session: CriteriaSession) -> tuple[list, set]:
    facts = sorted((sorted(f.items(), key=repr) for f in session.engine.facts()), key=repr)
    return facts, {m.identity for m in session.engine.current_matches()}


@st.composite
def _cases(draw):
    e = draw(enterprises(max_risks=8, max_controls=3, max_areas=4))
    return e, draw(inspections_for(e, max_size=8)), draw(st.booleans()), draw(st.integers(0, 3))


@given(_cases())
def test_incremental_criteria_equal_a_session_built_from_scratch(case):
    e, inspections, close_some, when_first = case
    packs = load_packs(load_entrypoints=False, extra=[_pack()])
    a = Assessment(e, packs=packs, replay_inspections=False, rules_engine="reference")
    ordered = sorted(inspections, key=lambda i: (i.at, i.id))
    for k, insp in enumerate(ordered):
        if k == when_first:
            assert a.criteria is not None  # the session may start before, between or after the changes
        a.record_inspection(insp)
        if close_some and k % 2:
            close_all(a)
    session = a.criteria
    assert session is not None
    scratch = CriteriaSession(a, engine="reference")
    try:
        assert _state(session) == _state(scratch)
    finally:
        scratch.close()


@given(enterprises(max_risks=6), st.booleans())
def test_only_facts_that_can_match_are_asserted(e, applies):
    e = attrs.evolve(e, industry="test-industry" if applies else "machinery")
    packs = load_packs(load_entrypoints=False, extra=[_pack(industry="test-industry")])
    a = Assessment(e, packs=packs, replay_inspections=False, rules_engine="reference")
    session = a.criteria
    assert session is not None
    if not applies:  # a pack whose industry does not apply adds nothing
        assert session.engine.facts() == [] and session.fact_types == frozenset()
        return
    everything = enterprise_facts(a)
    filters = fact_filters([load_ruleset(RULES)])
    assert session.fact_types == frozenset(filters) == {"control", "mitigation", "risk", "hidden_danger", "area"}
    kept = {(f["type"], f["key"]) for f in everything if session.admits(f)}
    assert {(f["type"], f["key"]) for f in session.engine.facts()} == kept
    # nothing of a type no rule names, and every admitted fact passes some pattern's literal test
    assert all(t in filters for t, _ in kept)
