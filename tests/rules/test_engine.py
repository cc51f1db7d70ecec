"""The engine interface, the semantics both engines share, and the engine choice/fallback."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from rules.rules_helpers import doc, rule

from dualprev_core.errors import InvalidInput, ValidationError
from dualprev_core.rules import EngineFallbackWarning, ReferenceEngine, RuleEngineError, load_ruleset, make_engine
from dualprev_core.rules import engine as engine_mod

KINDS = ["reference", pytest.param("durable", marks=pytest.mark.skipif(engine_mod.durable_available() is not None, reason="no durable"))]

SIS = doc(
    rule(
        "sis",
        [
            {"fact": "unit", "as": "u", "where": [{"field": "mh_level", "op": "in", "value": [1, 2]}]},
            {
                "fact": "control",
                "as": "c",
                "where": [
                    {"field": "kind", "op": "eq", "value": "SIS"},
                    {"field": "unit", "op": "eq", "ref": "u.key"},
                    {"field": "status", "op": "eq", "value": "failed"},
                ],
            },
        ],
        then=[{"grade_hidden_danger": "major"}, {"open_hidden_danger": {"on": "c", "grade": "major"}}],
        salience=5,
    ),
    rule(
        "gas",
        [
            {"fact": "seam", "as": "s", "where": [{"field": "gas_pressure_mpa", "op": "ge", "value": 0.74}]},
            {"none": {"fact": "outburst_mgmt", "where": [{"field": "seam", "op": "eq", "ref": "s.key"}]}},
        ],
    ),
    rule("off", [{"fact": "unit", "as": "u"}], enabled=False),
    ruleset="chem",
)


@pytest.fixture(params=KINDS)
def eng(request: pytest.FixtureRequest) -> Any:
    with make_engine(request.param) as e:
        e.load(load_ruleset(SIS))
        yield e


def test_match_records_explain(eng: Any) -> None:
    eng.assert_facts([{"type": "unit", "key": "U1", "mh_level": 1, "name": "罐区"}])
    (m,) = eng.assert_facts([{"type": "control", "key": "C1", "kind": "SIS", "unit": "U1", "status": "failed"}])
    assert m.identity == ("chem", "sis", (("u", "unit", "U1"), ("c", "control", "C1")))
    assert str(m.citation) == "GB 0000-2020 4.1" and m.pack == "test"
    assert [o.kind for o in m.outcomes] == ["grade_hidden_danger", "open_hidden_danger"]
    assert m.facts == {
        "u": {"type": "unit", "key": "U1", "mh_level": 1},
        "c": {"type": "control", "key": "C1", "kind": "SIS", "unit": "U1", "status": "failed"},
    }
    assert m.to_dict()["bindings"]["c"] == {"type": "control", "key": "C1"}
    assert m.binding("c").key == "C1" and m.at is None
    assert eng.rules == ("chem/sis", "chem/gas")


def test_update_retract_and_current(eng: Any) -> None:
    eng.assert_facts(
        [{"type": "unit", "key": "U1", "mh_level": 2}, {"type": "control", "key": "C1", "kind": "SIS", "unit": "U1", "status": "failed"}]
    )
    # an update that keeps the tuple satisfied starts nothing new
    assert eng.assert_facts([{"type": "control", "key": "C1", "kind": "SIS", "unit": "U1", "status": "failed", "note": "x"}]) == []
    assert len(eng.current_matches()) == 1
    assert eng.assert_facts([{"type": "control", "key": "C1", "kind": "SIS", "unit": "U1", "status": "ok"}]) == []
    assert eng.current_matches() == []
    assert len(eng.assert_facts([{"type": "control", "key": "C1", "kind": "SIS", "unit": "U1", "status": "failed"}])) == 1
    assert eng.retract_fact("unit", "U1") == [] and eng.current_matches() == []
    assert eng.retract_fact("unit", "nope") == []
    assert len(eng.matches()) == 2 and len(eng.matches(clear=True)) == 2 and eng.matches() == []
    assert {f["key"] for f in eng.facts()} == {"C1"}


def test_negation_and_salience_order(eng: Any) -> None:
    ms = eng.assert_facts([{"type": "seam", "key": "S1", "gas_pressure_mpa": 0.8}])
    assert [m.rule for m in ms] == ["gas"]
    assert eng.assert_facts([{"type": "outburst_mgmt", "key": "O1", "seam": "S1"}]) == []
    assert eng.current_matches() == []
    assert [m.rule for m in eng.retract_fact("outburst_mgmt", "O1")] == ["gas"]


def test_events_in_time_order_and_clock(eng: Any) -> None:
    eng.advance_clock(100)
    with pytest.raises(InvalidInput, match="earlier than the engine clock"):
        eng.post_events([{"type": "r", "key": "1", "at": 50}])
    with pytest.raises(InvalidInput, match="finite"):
        eng.advance_clock(float("nan"))
    assert eng.now == 100


@pytest.mark.parametrize(
    ("fact", "text"),
    [
        ({"key": "k"}, "non-empty string 'type'"),
        ({"type": "a"}, "non-empty string 'key'"),
        ({"type": "a", "key": 1}, "non-empty string 'key'"),
        ({"type": "a", "key": "k", "v": float("nan")}, "non-finite"),
        ({"type": "a", "key": "k", "v": 2**60}, "2\\*\\*53"),
        ({"type": "a", "key": "k", "v": [[1]]}, "scalars only"),
        ({"type": "a", "key": "k", "v": object()}, "unsupported value type"),
        ({"type": "a", "key": "k", "a.b": 1}, "without '.'"),
        ("nope", "must be a mapping"),
    ],
)
def test_bad_facts(eng: Any, fact: Any, text: str) -> None:
    with pytest.raises(InvalidInput, match=text):
        eng.assert_facts([fact])


def test_bad_events(eng: Any) -> None:
    with pytest.raises(InvalidInput, match="'at'"):
        eng.post_events([{"type": "r", "key": "1"}])


def test_load_errors(eng: Any) -> None:
    with pytest.raises(RuleEngineError, match="already loaded"):
        eng.load(load_ruleset(SIS))
    with pytest.raises(ValidationError):
        eng.load({"format": "x"})


def test_tick_with_injected_clock() -> None:
    t = [1000.0]
    with make_engine("reference", clock=lambda: t[0]) as e:
        e.load(load_ruleset(doc(rule("q", [{"silence": {"event": "r", "per": "p", "for": 60, "as": "s"}}]))))
        e.post_events([{"type": "r", "key": "1", "at": 1000, "p": 1}])
        t[0] = 1060
        assert [m.rule for m in e.tick()] == ["q"]

    class Clock:
        def now(self) -> datetime:
            return datetime(2024, 1, 1, tzinfo=UTC)

    with make_engine("reference", clock=Clock()) as e:
        e.tick()
        assert e.now == datetime(2024, 1, 1, tzinfo=UTC).timestamp()
    with make_engine("reference", clock=5.0) as e, pytest.raises(InvalidInput, match="injected clock"):
        assert e.now == 5.0
        e.tick()


def test_engine_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUALPREV_RULES_ENGINE", "reference")
    assert make_engine().kind == "reference"
    monkeypatch.setenv("DUALPREV_RULES_ENGINE", "rete")
    with pytest.raises(InvalidInput, match="DUALPREV_RULES_ENGINE"):
        make_engine()
    monkeypatch.delenv("DUALPREV_RULES_ENGINE")
    with pytest.raises(InvalidInput, match="did you mean 'durable'"):
        make_engine("durabel")


def test_fallback_when_durable_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DUALPREV_RULES_ENGINE", raising=False)
    monkeypatch.setattr(engine_mod, "durable_available", lambda: "ImportError: undefined symbol: PyEval_CallObject")
    with pytest.warns(EngineFallbackWarning, match="PyEval_CallObject"):
        e = make_engine()
    assert isinstance(e, ReferenceEngine)
    with pytest.raises(RuleEngineError, match="unavailable"):
        make_engine("durable-inprocess")
    monkeypatch.setenv("DUALPREV_RULES_ENGINE", "durable")
    with pytest.raises(RuleEngineError, match="unavailable"):
        make_engine()


def test_auto_uses_durable_when_present(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("durable_rules_engine")
    monkeypatch.delenv("DUALPREV_RULES_ENGINE", raising=False)
    with make_engine() as e:
        assert e.kind == "durable"


def test_public_api() -> None:
    import dualprev_core.rules as r

    for name in r.__all__:
        assert hasattr(r, name), name
    assert isinstance(make_engine("reference"), r.Engine)


def test_refused_rule_leaves_engine_unchanged() -> None:
    pytest.importorskip("durable_rules_engine")
    wide = rule("wide", [{"fact": "a", "as": "m", "where": [{"field": f"f{i}", "op": "eq", "value": 1} for i in range(300)]}])
    with make_engine("durable-inprocess") as e:
        with pytest.raises(RuleEngineError, match="can hang"):
            e.load(load_ruleset(doc(wide)))
        assert e.rules == ()
        e.load(load_ruleset(doc(rule("ok", [{"fact": "a", "as": "m"}]))))
        assert [m.rule for m in e.assert_facts([{"type": "a", "key": "1"}])] == ["ok"]
