"""One test per durable-rules trap: where cheap and safe, show the trap on raw durable-rules
(hangs and crashes only in a subprocess with a timeout), then show the adapter's guard."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
from typing import Any

import pytest

pytest.importorskip("durable_rules_engine")

import durable_rules_engine as dre  # noqa: E402
from rules.rules_helpers import doc, rule  # noqa: E402

from dualprev_core.errors import InvalidInput  # noqa: E402
from dualprev_core.rules import RuleActionError, RuleEngineError, load_ruleset, make_engine  # noqa: E402
from dualprev_core.rules.durable import DurableEngine, dumps, fnv32  # noqa: E402


def raw_run(rules: dict[str, Any], msgs: list[dict[str, Any]], fn: Any = None) -> list[Any]:
    """Run messages through a raw durable ruleset with the plain action loop; return firings."""
    h = dre.create_ruleset(f"raw{id(rules)}", json.dumps({k: dict(v) for k, v in rules.items()}))
    fired: list[Any] = []
    try:
        for m in msgs:
            res = (fn or dre.assert_fact)(h, json.dumps(m))
            if res[0] != 0:
                continue
            r = dre.start_action_for_state(h, res[1])
            while r:
                fired.append(json.loads(r[1]))
                n = dre.complete_and_start_action(h, res[1])
                r = (None, n) if n else None
    finally:
        dre.delete_ruleset(h)
    return fired


def in_subprocess(code: str, timeout: float = 20) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None


def engine_with(*rules: dict[str, Any]) -> DurableEngine:
    e = make_engine("durable-inprocess")
    e.load(load_ruleset(doc(*rules)))
    return e


# ------------------------------------------------------------------ 1. join on a stored fact's id
def test_trap_join_on_id_of_stored_fact() -> None:
    # The trap, in a subprocess: the stored risk's id is a dangling pointer, so the join misses
    # matches — or the process crashes reading freed memory (seen under load).
    demo = in_subprocess(
        """
        import json, durable_rules_engine as dre
        rules = {"j": {"all": [{"r": {"kind": "risk"}}, {"c": {"$and": [{"kind": "control"}, {"rid": {"r": "id"}}]}}]}}
        msgs = [{"sid": "0", "id": f"R{i}", "kind": "risk"} for i in range(20)] + [
            {"sid": "0", "id": f"C{i}", "kind": "control", "rid": f"R{i}"} for i in range(20)]
        h = dre.create_ruleset("raw", json.dumps(rules))
        fired = 0
        for m in msgs:
            res = dre.assert_fact(h, json.dumps(m))
            if res[0] != 0:
                continue
            r = dre.start_action_for_state(h, res[1])
            while r:
                fired += 1
                n = dre.complete_and_start_action(h, res[1])
                r = (None, n) if n else None
        print(fired)
        """
    )
    assert demo is None or demo.returncode != 0 or int(demo.stdout.split()[-1]) < 20
    # guard: user fields named id/sid are renamed on the way in and restored in matches
    with engine_with(
        rule("j", [{"fact": "risk", "as": "r"}, {"fact": "control", "as": "c", "where": [{"field": "rid", "op": "eq", "ref": "r.id"}]}])
    ) as e:
        e.assert_facts({"type": "risk", "key": f"R{i}", "id": f"R{i}", "sid": "x"} for i in range(20))
        ms = e.assert_facts({"type": "control", "key": f"C{i}", "rid": f"R{i}"} for i in range(20))
        assert len(ms) == 20
        assert ms[0].facts["r"]["id"] == "R0"


# ------------------------------------------------------------------ 2. delete_state segfault
def test_trap_delete_state_segfault_is_real_and_guarded() -> None:
    demo = in_subprocess(
        """
        from durable import engine
        class H(engine.Host):
            def _run(self): pass
        h = H()
        h.set_rulesets({'rs': {'j': {'all': [{'a': {'kind': 'risk'}}, {'b': {'$and': [{'kind': 'control'}, {'rk': {'a': 'key'}}]}}], 'run': lambda c: None}}})
        h.assert_fact('rs', {'kind': 'risk', 'key': 'R1'})
        h.delete_state('rs', '0')
        """
    )
    assert demo is not None and demo.returncode != 0  # SIGSEGV (-11)
    guard = in_subprocess(
        """
        from dualprev_core.rules import make_engine
        from dualprev_core.rules.durable import DurableEngine
        rs = {"format": "dualprev-rules/1", "ruleset": "t", "rules": [{"id": "j", "title": "j",
              "citation": {"standard": "GB 1", "edition": "", "clause": "1"},
              "when": [{"fact": "risk", "as": "a"}, {"fact": "control", "as": "b", "where": [{"field": "rk", "op": "eq", "ref": "a.key"}]}],
              "then": [{"flag": {"name": "x"}}]}]}
        for _ in range(3):
            e = DurableEngine(); e.load(rs); e.assert_facts([{"type": "risk", "key": "R1"}]); e.close()
        e = DurableEngine(); e.load(rs); e.close()          # nothing asserted at all
        print("ok")
        """
    )
    assert guard is not None and guard.returncode == 0 and guard.stdout.strip() == "ok", guard and guard.stderr


# ------------------------------------------------------------------ 3. state-fact endless loop
def test_trap_condition_matching_state_fact_loops() -> None:
    demo = in_subprocess(
        """
        import os
        from durable import engine
        class H(engine.Host):
            def _run(self): pass
        n = [0]
        def act(c):
            n[0] += 1
            if n[0] > 50: os._exit(3)
        h = H()
        h.set_rulesets({'rs': {'r': {'all': [{'m': {'$nex': {'zone': 1}}}], 'run': act}}})
        h.post('rs', {'kind': 'x'})
        """,
        timeout=20,
    )
    assert demo is None or demo.returncode == 3  # looped (or hung)
    with engine_with(rule("r", [{"fact": "a", "as": "m", "where": [{"field": "zone", "op": "missing"}]}])) as e:
        assert len(e.assert_facts([{"type": "a", "key": "1"}])) == 1
        # every durable condition carries the record discriminator ~t
        for ch in e._chunks:
            for cr in ch.rules:
                rules, _, _ = e._compile(cr)
                for r in rules.values():
                    for cond in r["all"]:
                        ((_, expr),) = cond.items()
                        assert "~t" in (expr["$and"][0] if "$and" in expr else expr)


# ------------------------------------------------------------------ 4. $not misfires
def test_trap_not_fires_wrongly_and_none_is_guarded() -> None:
    rules = {"r": {"all": [{"d": {"kind": "d"}}, {"m$not": {"$and": [{"kind": "blk"}, {"h": {"d": "h"}}]}}]}}
    h = dre.create_ruleset("notdemo", json.dumps(rules))
    fired: list[Any] = []

    def call(fn: Any, m: dict[str, Any]) -> None:
        res = fn(h, json.dumps(m))
        if res[0] == 0:
            r = dre.start_action_for_state(h, res[1])
            while r:
                fired.append(1)
                n = dre.complete_and_start_action(h, res[1])
                r = (None, n) if n else None

    call(dre.assert_fact, {"sid": "0", "id": "b1", "kind": "blk", "h": "H"})
    call(dre.assert_fact, {"sid": "0", "id": "b2", "kind": "blk", "h": "H"})
    call(dre.assert_fact, {"sid": "0", "id": "d", "kind": "d", "h": "H"})
    assert fired == []
    call(dre.retract_fact, {"sid": "0", "id": "b1"})
    assert fired == [1]  # the trap: still blocked by b2, yet it fired
    dre.delete_ruleset(h)
    when = [{"none": {"fact": "blk", "where": [{"field": "h", "op": "eq", "ref": "d.h"}]}}, {"fact": "d", "as": "d"}]
    with engine_with(rule("r", when)) as e:
        e.assert_facts(
            [{"type": "blk", "key": "b1", "h": "H"}, {"type": "blk", "key": "b2", "h": "H"}, {"type": "d", "key": "d", "h": "H"}]
        )
        assert e.retract_fact("blk", "b1") == []
        assert [m.rule for m in e.retract_fact("blk", "b2")] == ["r"]
        assert e.assert_facts([{"type": "blk", "key": "b3", "h": "H"}]) == [] and e.current_matches() == []


# ------------------------------------------------------------------ 4b. $or next to joins
def test_trap_or_with_joins_and_guard() -> None:
    a = {"sid": "0", "id": "1", "kind": "a", "one": 1, "rh": 0}
    b = {"sid": "0", "id": "2", "kind": "a", "one": 1, "rh": 1, "x": 0}
    rules = {
        "r": {
            "all": [
                {"p": {"kind": "a"}},
                {"q": {"$or": [{"$and": [{"kind": "a"}, {"g": 1}]}, {"$and": [{"kind": "a"}, {"one": {"p": "rh"}}]}]}},
            ]
        }
    }
    assert raw_run(rules, [b, a])  # fired although p=a has rh 0: the second branch's join is ignored
    when = [
        {"fact": "a", "as": "p"},
        {"fact": "a", "as": "q", "where": [{"any": [{"field": "g", "op": "eq", "value": 1}, {"field": "x", "op": "eq", "ref": "p.x"}]}]},
    ]
    with engine_with(rule("r", when)) as e:
        assert e.assert_facts([{"type": "a", "key": "2", "x": 0}, {"type": "a", "key": "1", "x": [0]}]) == []


# ------------------------------------------------------------------ 5. floats, NaN, inf
def test_trap_float_format_nan_inf() -> None:
    h = dre.create_ruleset("floatdemo", json.dumps({"r": {"all": [{"m": {"kind": "r"}}]}}))
    with pytest.raises(Exception, match="204"):
        dre.assert_fact(h, json.dumps({"sid": "0", "id": "1", "kind": "r", "v": 1e-05}))
    dre.delete_ruleset(h)
    assert dumps({"v": 1e-05, "w": 1e16, "x": 2.5e-07}) == '{"v":1.0e-05,"w":1.0e+16,"x":2.5e-07}'
    with engine_with(rule("r", [{"fact": "g", "as": "m", "where": [{"field": "v", "op": "gt", "value": 5e-05}]}])) as e:
        assert e.assert_facts([{"type": "g", "key": "1", "v": 1e-05}]) == []
        assert len(e.assert_facts([{"type": "g", "key": "2", "v": 7e-05}])) == 1
        for bad in (float("nan"), float("inf")):
            with pytest.raises(InvalidInput, match="non-finite"):
                e.assert_facts([{"type": "g", "key": "3", "v": bad}])


# ------------------------------------------------------------------ 6. 32-bit identity hash
def test_trap_identity_hash_collision() -> None:
    assert fnv32("fact-25388") == fnv32("fact-909936")
    h = dre.create_ruleset("hashdemo", json.dumps({"r": {"all": [{"m": {"kind": "risk"}}]}}))
    assert dre.assert_fact(h, json.dumps({"sid": "0", "id": "fact-25388", "kind": "risk"}))[0] == 0
    assert dre.assert_fact(h, json.dumps({"sid": "0", "id": "fact-909936", "kind": "risk"}))[0] == 2  # "observed"
    dre.delete_ruleset(h)
    # guard: an id whose hash is live is skipped
    e = DurableEngine()
    nxt = format(e._counter + 1, "x")
    e._hashes.add(fnv32(nxt))
    mid = e._alloc(("f:a", "k"))
    assert mid != nxt and fnv32(mid) != fnv32(nxt)
    e.close()


# ------------------------------------------------------------------ 7. events fire one rule
def test_trap_event_fires_only_one_rule() -> None:
    rules = {"r1": {"all": [{"m": {"kind": "e"}}]}, "r2": {"all": [{"m": {"kind": "e"}}]}}
    assert len(raw_run(rules, [{"sid": "0", "id": "1", "kind": "e"}], dre.assert_event)) == 1
    with engine_with(rule("r1", [{"event": "e", "as": "m"}]), rule("r2", [{"event": "e", "as": "m"}])) as e:
        assert sorted(m.rule for m in e.post_events([{"type": "e", "key": "1", "at": 0}])) == ["r1", "r2"]


# ------------------------------------------------------------------ 8. mixed batches defer actions
def test_trap_mixed_batch_and_guard() -> None:
    h = dre.create_ruleset("batchdemo", json.dumps({"r": {"all": [{"m": {"kind": "a"}}]}}))
    res = dre.assert_facts(h, json.dumps([{"sid": "0", "id": "1", "kind": "a"}, {"sid": "0", "id": "2", "kind": "zzz"}]))
    assert res[0] == 1  # "not handled" for the whole batch although one member was stored
    dre.delete_ruleset(h)
    with engine_with(rule("r", [{"fact": "a", "as": "m"}])) as e:
        ms = e.assert_facts([{"type": "a", "key": "1"}, {"type": "zzz", "key": "2"}, {"type": "a", "key": "3"}])
        assert [m.bindings[0].key for m in ms] == ["1", "3"]


# ------------------------------------------------------------------ 9. exceptions in actions
def test_trap_action_exception_surfaces() -> None:
    from durable import engine as deng

    class H(deng.Host):
        def _run(self) -> None:
            pass

    def boom(c: Any) -> None:
        raise RuntimeError("kaputt")

    host = H()
    host.set_rulesets({"rs": {"r": {"all": [{"m": {"kind": "a"}}], "run": boom}}})
    state = host.post("rs", {"kind": "a"})
    assert "kaputt" in state["exception"]  # swallowed into the session state
    durable_rs = host.get_ruleset("rs")
    dre.delete_ruleset(durable_rs._handle)
    with engine_with(rule("boom", [{"fact": "a", "as": "m"}])) as e:

        def fail(payload: Any) -> None:
            raise RuntimeError("kaputt")

        e._record = fail  # type: ignore[method-assign]
        with pytest.raises(RuleActionError, match=r"rule 't/boom': action failed: RuntimeError: kaputt"):
            e.assert_facts([{"type": "a", "key": "1"}])


# ------------------------------------------------------------------ 10. background threads
def test_guard_no_threads_no_global_host() -> None:
    before = threading.active_count()
    engines = [make_engine("durable-inprocess") for _ in range(5)]
    for e in engines:
        e.load(load_ruleset(doc(rule("r", [{"fact": "a", "as": "m"}]))))  # same ruleset id in every engine
    engines[0].assert_facts([{"type": "a", "key": "1"}])
    assert [len(e.current_matches()) for e in engines] == [1, 0, 0, 0, 0]  # isolated
    assert threading.active_count() == before
    for e in engines:
        e.close()
    demo = in_subprocess("import threading; from durable import engine; engine.Host(); print(threading.active_count())")
    assert demo is not None and int(demo.stdout) > 1


# ------------------------------------------------------------------ 11. wall-clock timers
def test_guard_event_time_clock() -> None:
    with engine_with(rule("q", [{"silence": {"event": "r", "per": "p", "for": 600, "as": "s"}}])) as e:
        e.post_events([{"type": "r", "key": "1", "at": 1000.0, "p": "P1"}])
        assert e.advance_clock(1599.9) == []
        (m,) = e.advance_clock(1600)
        assert m.at == 1600 and m.facts["s"]["last_at"] == 1000.0
        with pytest.raises(InvalidInput, match="cannot go back"):
            e.advance_clock(10)


# ------------------------------------------------------------------ 12. caps
def test_trap_caps_and_partitioning() -> None:
    # 258 rules sharing the first condition: error 108 on raw durable
    raw = {f"r{i}": {"all": [{"a": {"kind": "risk"}}, {"b": {"$and": [{"kind": "control"}, {"n": i}]}}]} for i in range(300)}
    with pytest.raises(Exception, match="108"):
        dre.create_ruleset("capdemo", json.dumps(raw))
    rules = [
        rule(f"r{i}", [{"fact": "risk", "as": "a"}, {"fact": "control", "as": "b", "where": [{"field": "n", "op": "eq", "value": i}]}])
        for i in range(300)
    ]
    # 70 thresholds all satisfied by one message: error 303 on raw durable beyond 64
    rules += [rule(f"t{i}", [{"fact": "reading", "as": "m", "where": [{"field": "v", "op": "gt", "value": i}]}]) for i in range(70)]
    with engine_with(*rules) as e:
        assert e.stats()["chunks"] > 1
        e.assert_facts([{"type": "risk", "key": "R"}])
        assert len(e.assert_facts([{"type": "control", "key": f"C{i}", "n": i} for i in range(300)])) == 300
        assert len(e.assert_facts([{"type": "reading", "key": "x", "v": 1000}])) == 70
        # one session per chunk: the 1024-session cap is out of reach
        assert len(e.assert_facts([{"type": "control", "key": f"D{i}", "n": 1, "enterprise": f"E{i}"} for i in range(1100)])) == 1100
        # fields no rule reads never reach durable, so only read fields count toward the cap
        assert e.assert_facts([{"type": "control", "key": "big", "n": -1, **{f"f{i}": i for i in range(400)}}]) == []
    wide = rule("wide", [{"fact": "w", "as": "m", "where": [{"field": f"f{i}", "op": "ne", "value": -1} for i in range(125)]}])
    with engine_with(wide) as e, pytest.raises(InvalidInput, match="properties"):
        e.assert_facts([{"type": "w", "key": "big", **{f"f{i}": i for i in range(125)}}])


def test_guard_too_many_tests_in_one_rule() -> None:
    with pytest.raises(RuleEngineError, match="can hang"):
        engine_with(rule("wide", [{"fact": "a", "as": "m", "where": [{"field": f"f{i}", "op": "eq", "value": 1} for i in range(300)]}]))


# ------------------------------------------------------------------ 13. loose type coercion
def test_trap_type_coercion_and_guard() -> None:
    fired = raw_run(
        {"r": {"all": [{"m": {"$and": [{"kind": "r"}, {"$gt": {"v": 0.8}}]}}]}}, [{"sid": "0", "id": "1", "kind": "r", "v": "0.9"}]
    )
    assert fired  # a string compared as a number
    with engine_with(
        rule("gt", [{"fact": "r", "as": "m", "where": [{"field": "v", "op": "gt", "value": 0.8}]}]),
        rule("eq1", [{"fact": "r", "as": "m", "where": [{"field": "v", "op": "eq", "value": 1}]}]),
    ) as e:
        got = [(v, sorted(m.rule for m in e.assert_facts([{"type": "r", "key": repr(v), "v": v}]))) for v in ("0.9", 1.0, True, "1", 1)]
        assert got == [("0.9", []), (1.0, ["eq1", "gt"]), (True, []), ("1", []), (1, ["eq1", "gt"])]


def test_guard_closed_engine() -> None:
    e = make_engine("durable-inprocess")
    e.close()
    e.close()
    with pytest.raises(RuleEngineError, match="closed"):
        e.assert_facts([])


def test_trap_non_equality_joins_are_never_sent_to_durable(monkeypatch):
    """durable-rules scans its frames for joins other than equality and reads freed frames
    (segfault in isBetaMatch under generated rule sets, measured in hundreds of cases); the
    adapter evaluates those joins on the host with the shared definition instead."""
    import json

    pytest.importorskip("durable_rules_engine")
    import durable_rules_engine as dre
    from rules.rules_helpers import doc, rule

    from dualprev_core.rules import load_ruleset, make_engine

    sent: list[str] = []
    real = dre.create_ruleset
    monkeypatch.setattr(dre, "create_ruleset", lambda name, text: (sent.append(text), real(name, text))[1])
    rs = load_ruleset(doc(rule("r", [
        {"fact": "a", "as": "x", "where": []},
        {"fact": "b", "as": "y", "where": [{"field": "v", "op": "gt", "ref": "x.v"}, {"field": "k", "op": "eq", "ref": "x.k"}]},
        {"none": {"fact": "c", "where": [{"field": "v", "op": "ne", "ref": "y.v"}]}},
    ])))
    with make_engine("durable-inprocess") as eng:
        eng.load(rs)
        facts = [{"type": "a", "key": "a1", "v": 1, "k": "K"}, {"type": "b", "key": "b1", "v": 2, "k": "K"},
                 {"type": "b", "key": "b2", "v": 0, "k": "K"}, {"type": "c", "key": "c1", "v": 2}]
        started = eng.assert_facts(facts[:3])
        assert [m.binding("y").key for m in started] == ["b1"]  # 2 > 1 holds, 0 > 1 does not
        eng.assert_facts(facts[3:])  # c1.v == b1.v: 'ne' is false, so c1 does not block
        assert [m.binding("y").key for m in eng.current_matches()] == ["b1"]

    def joins(node, parent=None):
        if isinstance(node, dict):
            for k, v in node.items():
                if isinstance(v, dict) and len(v) == 1 and isinstance(next(iter(v.values())), str) and next(iter(v.values())).startswith(("r~", "rh~", "rg~", "rn~")):
                    yield parent, k
                yield from joins(v, k)
        elif isinstance(node, list):
            for x in node:
                yield from joins(x, parent)

    found = [j for text in sent for j in joins(json.loads(text))]
    assert found and all(parent != "$neq" and not str(parent).startswith(("$lt", "$gt")) for parent, _ in found), found
