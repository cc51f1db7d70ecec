"""Both engines give the same matches on generated rule sets and fact/event streams."""

from __future__ import annotations

import json
import os
import warnings
from typing import Any

import pytest
from hypothesis import given, note
from hypothesis import strategies as st
from rules.rules_helpers import OPS, doc, rule, rulesets

from dualprev_core.rules import load_ruleset, make_engine
from dualprev_core.rules.supervised import EngineRestartWarning

pytest.importorskip("durable_rules_engine")


def ids(ms: list[Any]) -> list[Any]:
    return [(m.identity, m.at) for m in ms]


#: The durable engine compared: in process by default (fast); DUALPREV_DIFFERENTIAL_ENGINE=durable runs
#: the supervised worker instead, so that a fault in the C core is an incident, not the end of the run.
DURABLE_KIND = os.environ.get("DUALPREV_DIFFERENTIAL_ENGINE", "durable-inprocess")
INCIDENTS: list[Any] = []


def run_both(rs: Any, steps: list[Any]) -> None:
    ruleset = load_ruleset(rs)
    with warnings.catch_warnings(), make_engine("reference") as ref, make_engine(DURABLE_KIND) as dur:
        warnings.simplefilter("ignore", EngineRestartWarning)  # counted in INCIDENTS below instead
        try:
            _compare(ref, dur, ruleset, steps)
        finally:
            _keep_incidents(getattr(dur, "incidents", ()))


def _keep_incidents(incidents: Any) -> None:
    """Append the supervised worker's deaths to $DUALPREV_DIFFERENTIAL_INCIDENTS (JSON lines), if set."""
    INCIDENTS.extend(incidents)
    path = os.environ.get("DUALPREV_DIFFERENTIAL_INCIDENTS")
    if path and incidents:
        with open(path, "a", encoding="utf-8") as f:
            for incident in incidents:
                f.write(json.dumps({"call": incident.call, "cause": incident.cause, "action": incident.action}) + "\n")


def _compare(ref: Any, dur: Any, ruleset: Any, steps: list[Any]) -> None:
    assert ids(ref.load(ruleset)) == ids(dur.load(ruleset))
    for i, (kind, arg) in enumerate(steps):
        if kind == "assert":
            a, b = ref.assert_facts(arg), dur.assert_facts(arg)
        elif kind == "retract":
            a, b = ref.retract_fact(*arg), dur.retract_fact(*arg)
        elif kind == "events":
            a, b = ref.post_events(arg), dur.post_events(arg)
        else:
            a, b = ref.advance_clock(arg), dur.advance_clock(arg)
        note(f"step {i}: {kind} {arg!r} -> {ids(a)}")
        assert ids(a) == ids(b), f"step {i} {kind} {arg!r}"
        assert ids(ref.current_matches()) == ids(dur.current_matches()), f"step {i}"
    assert [m.facts for m in ref.matches()] == [m.facts for m in dur.matches()]


@given(rs=rulesets(), steps=OPS)
def test_fact_rules_agree(rs: dict[str, Any], steps: list[Any]) -> None:
    run_both(rs, steps)


def test_load_after_facts_agrees() -> None:
    rs = doc(rule("r", [{"fact": "a", "as": "p"}, {"fact": "b", "as": "q", "where": [{"field": "x", "op": "eq", "ref": "p.x"}]}]))
    facts = [{"type": "a", "key": "1", "x": 1}, {"type": "b", "key": "2", "x": 1.0}, {"type": "b", "key": "3", "x": "1"}]
    for kind in ("reference", "durable"):
        with make_engine(kind) as e:
            assert e.assert_facts(facts) == []
            assert [m.identity[2] for m in e.load(load_ruleset(rs))] == [(("p", "a", "1"), ("q", "b", "2"))]


# ----------------------------------------------------------------- events
STREAM_RULES = doc(
    rule(
        "held",
        [
            {"fact": "point", "as": "pt", "where": [{"field": "face", "op": "eq", "value": True}]},
            {
                "event": "reading",
                "as": "r",
                "per": "point",
                "held_for": 60,
                "where": [{"field": "quantity", "op": "eq", "value": "CH4"}, {"field": "value", "op": "ge", "value": 1.0}],
            },
        ],
    ),
    rule(
        "held_join",
        [
            {"event": "reading", "as": "r", "per": "point", "held_for": 0, "where": [{"field": "value", "op": "gt", "value": 2}]},
            {"fact": "point", "as": "pt", "where": [{"field": "key", "op": "eq", "ref": "r.point"}]},
        ],
    ),
    rule(
        "instant",
        [
            {"event": "reading", "as": "r", "where": [{"field": "value", "op": "ge", "value": 1.5}]},
            {
                "none": {
                    "fact": "point",
                    "where": [{"field": "key", "op": "eq", "ref": "r.point"}, {"field": "muted", "op": "eq", "value": True}],
                }
            },
        ],
    ),
    rule("instant2", [{"event": "reading", "as": "r", "where": [{"field": "value", "op": "ge", "value": 1.5}]}]),
    rule(
        "face",
        [
            {"fact": "point", "as": "pt", "where": [{"field": "face", "op": "eq", "value": True}]},
            {
                "event": "reading",
                "as": "r",
                "where": [{"field": "point", "op": "eq", "ref": "pt.key"}, {"field": "value", "op": "gt", "value": 1}],
            },
        ],
    ),
    rule(
        "quiet",
        [
            {"silence": {"event": "reading", "per": "point", "for": 600, "as": "s"}},
            {"fact": "point", "as": "pt", "where": [{"field": "key", "op": "eq", "ref": "s.point"}]},
        ],
    ),
)

EVENT_STEPS = st.lists(
    st.one_of(
        st.tuples(
            st.just("reading"),
            st.sampled_from(["P1", "P2", 3]),
            st.sampled_from([0.5, 1.0, 1.5, 2.5]),
            st.sampled_from(["CH4", "CO"]),
            st.sampled_from([0, 1, 30, 59, 61, 300, 700]),
        ),
        st.tuples(st.just("clock"), st.sampled_from([0, 100, 600, 1000])),
        st.tuples(st.just("fact"), st.sampled_from(["P1", "P2", "3"]), st.booleans(), st.booleans()),
        st.tuples(st.just("retract"), st.sampled_from(["P1", "P2", "3"])),
    ),
    max_size=30,
)


@given(EVENT_STEPS)
def test_event_rules_agree(raw: list[Any]) -> None:
    t = 0.0
    steps: list[Any] = []
    for n, s in enumerate(raw):
        if s[0] == "reading":
            t += s[4]
            steps.append(("events", [{"type": "reading", "key": f"e{n}", "at": t, "point": s[1], "value": s[2], "quantity": s[3]}]))
        elif s[0] == "clock":
            t += s[1]
            steps.append(("clock", t))
        elif s[0] == "fact":
            steps.append(("assert", [{"type": "point", "key": s[1], "face": s[2], "muted": s[3]}]))
        else:
            steps.append(("retract", ("point", s[1])))
    run_both(STREAM_RULES, steps)
