"""The default durable engine runs in a supervised worker: a segfault there never kills the host.

The worker is made to die the way a fault in durable-rules' C code ends a process
(``os.kill(os.getpid(), SIGSEGV)``, injected before a call); the host restarts it, re-feeds it
the journal, and, if the same call kills it again, falls back to the reference engine — with
the same matches as the reference engine throughout, and every death recorded.
"""

from __future__ import annotations

import pytest

pytest.importorskip("durable_rules_engine")

from rules.rules_helpers import doc, rule  # noqa: E402

from dualprev_core.rules import RuleEngineError, load_ruleset, make_engine  # noqa: E402
from dualprev_core.rules.supervised import EngineRestartWarning, SupervisedEngine  # noqa: E402

RULES = load_ruleset(doc(
    rule("join", [{"fact": "risk", "as": "r", "where": [{"field": "grade", "op": "eq", "value": "major"}]},
                  {"fact": "control", "as": "c", "where": [{"field": "risk", "op": "eq", "ref": "r.key"}, {"field": "state", "op": "eq", "value": "failed"}]},
                  {"none": {"fact": "waiver", "where": [{"field": "control", "op": "eq", "ref": "c.key"}]}}]),
))
STEPS = [
    ("assert_facts", ([{"type": "risk", "key": f"R{i}", "grade": "major" if i % 2 else "low"} for i in range(6)],)),
    ("assert_facts", ([{"type": "control", "key": f"C{i}", "risk": f"R{i}", "state": "failed"} for i in range(6)],)),
    ("retract_fact", ("control", "C1")),
    ("assert_facts", ([{"type": "waiver", "key": "W3", "control": "C3"}],)),
    ("assert_facts", ([{"type": "control", "key": "C7", "risk": "R5", "state": "failed"}],)),
    ("retract_fact", ("waiver", "W3")),
]


def _run(engine, crash_at: int | None = None, times: int = 1) -> list:
    engine.load(RULES)
    out = []
    for i, (method, args) in enumerate(STEPS):
        if i == crash_at:
            engine._inject_fault(method, times)
        out.append(sorted(m.identity for m in getattr(engine, method)(*args)))
    out.append(sorted(m.identity for m in engine.current_matches()))
    return out


def _reference() -> list:
    with make_engine("reference") as e:
        return _run(e)


def test_the_default_durable_engine_is_supervised() -> None:
    with make_engine("durable") as e:
        assert isinstance(e, SupervisedEngine) and e.backend == "durable (supervised worker)"
        assert _run(e) == _reference()
    with make_engine("durable-inprocess") as e:
        assert type(e).__name__ == "DurableEngine"


@pytest.mark.parametrize("step", range(len(STEPS)))
def test_a_worker_killed_by_sigsegv_is_restarted_and_refed(step: int) -> None:
    with make_engine("durable") as e, pytest.warns(EngineRestartWarning, match="signal SIGSEGV"):
        got = _run(e, crash_at=step)
        assert e.backend == "durable (supervised worker)"
        (incident,) = e.incidents
        assert incident.cause == "signal SIGSEGV" and incident.call == STEPS[step][0] and incident.action.startswith("restarted")
    assert got == _reference()


def test_an_input_that_kills_the_worker_twice_falls_back_to_the_reference_engine() -> None:
    with make_engine("durable") as e, pytest.warns(EngineRestartWarning):
        got = _run(e, crash_at=3, times=2)
        assert e.backend == "reference (fallback)"
        assert [i.action.split(";")[0] for i in e.incidents] == ["restarted", "fell back to the reference engine (re-fed from the journal)"]
        assert "1 item(s), first {'type': 'waiver'" in e.incidents[0].input  # the triggering input is reported
        assert len(e.matches()) == sum(len(x) for x in got[:-1])  # nothing lost, nothing reported twice
    assert got == _reference()


def test_without_fallback_a_second_death_is_an_error_not_a_crash() -> None:
    e = SupervisedEngine(fallback=False)
    e.load(RULES)
    e._inject_fault("assert_facts", 2)
    with pytest.warns(EngineRestartWarning), pytest.raises(RuleEngineError, match="died twice on assert_facts"):
        e.assert_facts([{"type": "risk", "key": "R1", "grade": "major"}])
    e.close()


def test_bad_input_is_refused_on_the_host_as_by_the_other_engines() -> None:
    from dualprev_core.errors import InvalidInput

    with make_engine("durable") as e:
        e.load(RULES)
        with pytest.raises(InvalidInput, match="non-finite"):
            e.assert_facts([{"type": "risk", "key": "R1", "grade": float("nan")}])
        assert e.incidents == []
