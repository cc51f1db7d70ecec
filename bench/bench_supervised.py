"""Throughput of the durable engine's modes side by side: raw durable-rules, the in-process
adapter (opt-in), the supervised worker (the default) and the reference engine.

Usage: ``python bench/bench_supervised.py [--quick]``.  Wall time (the worker is another
process, so CPU time of this one would flatter it); the machines are shared, so read the ratios
of one run, not the absolute figures.  Facts are asserted in batches of ``--batch`` (the
criteria session sends batches) and events posted one at a time (as the monitor does).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from dualprev_core.rules import load_ruleset, make_engine

CIT = {"standard": "AQ 1029", "edition": "2019", "clause": "6.2"}
RULES = {"format": "dualprev-rules/1", "ruleset": "bench", "rules": [
    {"id": "join", "title": "t", "citation": CIT, "then": [{"flag": {"name": "x"}}],
     "when": [{"fact": "risk", "as": "r", "where": [{"field": "grade", "op": "eq", "value": "major"}]},
              {"fact": "control", "as": "c", "where": [{"field": "risk", "op": "eq", "ref": "r.key"}, {"field": "state", "op": "eq", "value": "failed"}]}]},
    {"id": "hot", "title": "t", "citation": CIT, "then": [{"alarm": {"level": "red"}}],
     "when": [{"event": "reading", "as": "m", "where": [{"field": "value", "op": "gt", "value": 0.8}]}]},
]}


def _facts(n: int) -> list[dict[str, Any]]:
    half = n // 2
    return ([{"type": "risk", "key": f"R{i}", "grade": "major"} for i in range(half)]
            + [{"type": "control", "key": f"C{i}", "risk": f"R{i}", "state": "failed"} for i in range(half)])


def _raw(n: int, events: int) -> tuple[float, float]:
    from durable import engine as dengine

    class Host(dengine.Host):
        def _run(self) -> None:
            pass

    h = Host()
    h.set_rulesets({"raw": {
        "join": {"all": [{"r": {"$and": [{"kind": "risk"}, {"grade": "major"}]}},
                         {"c": {"$and": [{"kind": "control"}, {"state": "failed"}, {"risk": {"r": "key"}}]}}], "run": lambda c: None},
        "hot": {"all": [{"m": {"$and": [{"kind": "reading"}, {"$gt": {"value": 0.8}}]}}], "run": lambda c: None}}})
    msgs = [dict(f, kind=f.pop("type")) for f in _facts(n)]
    t0 = time.perf_counter()
    for i in range(0, len(msgs), 1000):
        h.assert_facts("raw", msgs[i:i + 1000])
    t1 = time.perf_counter()
    for i in range(events):
        h.post("raw", {"kind": "reading", "key": f"e{i}", "value": 0.9})
    t2 = time.perf_counter()
    return n / (t1 - t0), events / (t2 - t1)


def _engine(kind: str, n: int, events: int, batch: int) -> tuple[float, float]:
    with make_engine(kind) as e:
        e.load(load_ruleset(RULES))
        facts = _facts(n)
        t0 = time.perf_counter()
        for i in range(0, len(facts), batch):
            e.assert_facts(facts[i:i + batch])
        t1 = time.perf_counter()
        for i in range(events):
            e.post_events([{"type": "reading", "key": f"e{i}", "at": float(i), "value": 0.9}])
        t2 = time.perf_counter()
    return n / (t1 - t0), events / (t2 - t1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--batch", type=int, default=1000)
    args = ap.parse_args()
    n, events = (4_000, 2_000) if args.quick else (20_000, 10_000)
    rows = [("raw durable-rules", *_raw(n, events))]
    for kind, label in (("durable-inprocess", "durable, in-process (opt-in)"), ("durable", "durable, supervised worker (default)"),
                        ("reference", "reference engine")):
        rows.append((label, *_engine(kind, n, events, args.batch)))
    raw_f, raw_e = rows[0][1], rows[0][2]
    print(f"{n} facts in batches of {args.batch}, {events} events one at a time (wall time)")
    print(f"{'mode':40} {'facts/s':>10} {'× raw':>7} {'events/s':>10} {'× raw':>7}")
    for label, f, e in rows:
        print(f"{label:40} {f:10.0f} {f / raw_f:7.2f} {e:10.0f} {e / raw_e:7.2f}")


if __name__ == "__main__":
    main()
