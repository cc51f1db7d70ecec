"""Benchmark of the rules layer: reference engine, durable engine, raw durable-rules.

Usage: ``python bench/bench_rules.py [--quick] [--identity N]``  (full mode: a few minutes,
~3 GB RSS for the 300k-fact identity check; ``--quick`` runs in under a minute).

Throughput is CPU time of this process (``time.process_time``): the machines are shared.
Prints throughput of monitoring events and of fact assertion through each engine on the
same rule set, the ratio durable-engine/raw (target ≥ 0.8), RSS growth over 1M events through
the durable engine (target ≤ 10 %), and false duplicates over 300k distinct facts (target 0).

The identity check is capped at 300k facts in full mode (``--identity`` to change it):
durable-rules' own ``assert_fact`` (C) grows faster than linearly with the facts stored in a
state (measured CPU: 50k facts 2.4 s, 100k 6.9 s, 200k 22.5 s, with ~10 kB RSS per fact), so
1M facts took over 25 minutes and ~10 GB.  The reference engine's step, once quadratic, is now
linear in the stored facts (see rules/reference.py).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from typing import Any

from dualprev_core.rules import load_ruleset, make_engine

CIT = {"standard": "AQ 1029", "edition": "2019", "clause": "6.2"}
RULES = {
    "format": "dualprev-rules/1",
    "ruleset": "bench",
    "rules": [
        {
            "id": "ch4",
            "title": "CH4 over limit",
            "citation": CIT,
            "when": [
                {
                    "event": "reading",
                    "as": "r",
                    "where": [{"field": "quantity", "op": "eq", "value": "CH4"}, {"field": "value", "op": "ge", "value": 1.0}],
                }
            ],
            "then": [{"alarm": {"level": "red"}}],
        },
        {
            "id": "sis",
            "title": "major risk, failed control",
            "citation": CIT,
            "when": [
                {"fact": "risk", "as": "k", "where": [{"field": "grade", "op": "eq", "value": "major"}]},
                {
                    "fact": "control",
                    "as": "c",
                    "where": [{"field": "status", "op": "eq", "value": "failed"}, {"field": "risk", "op": "eq", "ref": "k.key"}],
                },
            ],
            "then": [{"grade_hidden_danger": "major"}],
        },
    ],
}
RAW = {
    "ch4": {"all": [{"r": {"$and": [{"kind": "reading"}, {"quantity": "CH4"}, {"$gte": {"value": 1.0}}]}}]},
    "sis": {
        "all": [
            {"k": {"$and": [{"kind": "risk"}, {"grade": "major"}]}},
            {"c": {"$and": [{"kind": "control"}, {"status": "failed"}, {"risk": {"k": "key"}}]}},
        ]
    },
}


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def events(n: int, start: int = 0) -> list[dict[str, Any]]:
    # 1 reading in 10 is over the limit
    return [
        {
            "type": "reading",
            "key": f"e{i}",
            "at": float(i),
            "point": f"P{i % 50}",
            "quantity": "CH4",
            "value": 1.2 if i % 10 == 0 else 0.4,
            "unit": "%",
        }
        for i in range(start, start + n)
    ]


def facts(n: int) -> list[dict[str, Any]]:
    half = n // 2
    return [{"type": "risk", "key": f"R{i}", "grade": "major"} for i in range(half)] + [
        {"type": "control", "key": f"C{i}", "status": "failed", "risk": f"R{i}"} for i in range(half)
    ]


def engine_events(kind: str, n: int) -> tuple[float, int]:
    evs = events(n)
    with make_engine(kind) as e:
        e.load(load_ruleset(RULES))
        t0 = time.process_time()
        fired = 0
        for i in range(0, n, 1000):
            fired += len(e.post_events(evs[i : i + 1000]))
            e.matches(clear=True)
        dt = time.process_time() - t0
    return n / dt, fired


def engine_facts(kind: str, n: int) -> tuple[float, int]:
    fs = facts(n)
    with make_engine(kind) as e:
        e.load(load_ruleset(RULES))
        t0 = time.process_time()
        fired = 0
        for i in range(0, n, 1000):
            fired += len(e.assert_facts(fs[i : i + 1000]))
            e.matches(clear=True)
        dt = time.process_time() - t0
    return n / dt, fired


def raw(kind: str, n: int) -> tuple[float, int]:
    """Raw durable-rules: a thread-free Host, the JSON rules above, one call per message.

    Like for like with the engine side: each action records which rule fired on which
    messages (the least a caller needs; the engine returns that as ``Match.bindings``), and
    the records are collected and cleared per 1000 messages, as ``engine_*`` does with
    ``matches(clear=True)``.  (Join actions read ``key``, not ``id``: ``id`` of a stored fact
    is unreliable in durable-rules, trap 1.)
    """
    import durable_rules_engine
    from durable import engine

    class ManualHost(engine.Host):
        def _run(self) -> None:
            pass

    got: list[tuple[str, tuple[Any, ...]]] = []

    def act_ch4(c: Any) -> None:
        got.append(("ch4", (c.r.id,)))

    def act_sis(c: Any) -> None:
        got.append(("sis", (c.k.key, c.c.key)))

    rules = json.loads(json.dumps(RAW))
    rules["ch4"]["run"] = act_ch4
    rules["sis"]["run"] = act_sis
    h = ManualHost()
    h.set_rulesets({"bench": rules})
    if kind == "events":
        msgs = [
            {"kind": "reading", "id": ev["key"], "point": ev["point"], "quantity": ev["quantity"], "value": ev["value"], "at": ev["at"]}
            for ev in events(n)
        ]
        call = h.post
    else:
        msgs = [{"kind": f["type"], "id": f["type"] + ":" + f["key"], **{k: v for k, v in f.items() if k != "type"}} for f in facts(n)]
        call = h.assert_fact
    t0 = time.process_time()
    fired = 0
    for i in range(0, n, 1000):
        for m in msgs[i : i + 1000]:
            try:
                call("bench", m)
            except engine.MessageNotHandledException:
                pass
        fired += len(got)
        got.clear()
    dt = time.process_time() - t0
    rs = h.get_ruleset("bench")
    durable_rules_engine.delete_state(rs._handle, "0")
    durable_rules_engine.delete_ruleset(rs._handle)
    return n / dt, fired


def rss_over_events(n: int) -> tuple[float, float, float]:
    with make_engine("durable-inprocess") as e:  # the adapter itself; bench_supervised.py compares the worker
        e.load(load_ruleset(RULES))
        e.assert_facts(facts(1000))
        chunk = 10_000
        e.post_events(events(chunk))  # warm up: caches, allocator pools
        e.matches(clear=True)
        gc.collect()
        before = rss_mb()
        t0 = time.process_time()
        for i in range(chunk, n + chunk, chunk):
            e.post_events(events(chunk, i))
            e.matches(clear=True)
        dt = time.process_time() - t0
        gc.collect()
        after = rss_mb()
    return before, after, n / dt


def duplicates(n: int) -> tuple[int, int, float, float]:
    rules = {
        "format": "dualprev-rules/1",
        "ruleset": "ids",
        "rules": [
            {
                "id": "r",
                "title": "r",
                "citation": CIT,
                "when": [{"fact": "risk", "as": "m", "where": [{"field": "grade", "op": "eq", "value": "major"}]}],
                "then": [{"flag": {"name": "x"}}],
            }
        ],
    }
    t0 = time.process_time()
    with make_engine("durable-inprocess") as e:  # the adapter itself; bench_supervised.py compares the worker
        e.load(load_ruleset(rules))
        stored = 0
        for i in range(0, n, 10_000):
            stored += len(e.assert_facts({"type": "risk", "key": f"fact-{j}", "grade": "major"} for j in range(i, i + 10_000)))
            e.matches(clear=True)
        peak = rss_mb()
        dups = e.stats()["false_duplicates"] + (n - stored)
    return dups, stored, time.process_time() - t0, peak


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, under a minute")
    ap.add_argument("--identity", type=int, help="distinct facts in the identity check (default 300k; quick 100k)")
    a = ap.parse_args()
    q = a.quick
    started = time.perf_counter()
    n_ev, n_f, n_ref_ev, n_ref_f = (20_000, 20_000, 5_000, 400) if q else (200_000, 100_000, 20_000, 1_000)
    n_rss, n_dup = (100_000, 100_000) if q else (1_000_000, 300_000)
    if a.identity:
        n_dup = a.identity
    print(f"python {sys.version.split()[0]}, pid {os.getpid()}, mode {'quick' if q else 'full'}")
    print("\n== throughput (messages/s; events: 10 % over the CH4 limit; facts: risk/control join)")
    r_ev = engine_events("reference", n_ref_ev)
    d_ev = engine_events("durable", n_ev)
    w_ev = raw("events", n_ev)
    print(f"events  reference {r_ev[0]:>9,.0f}/s  (n={n_ref_ev:,}, matches {r_ev[1]:,})")
    print(f"events  durable   {d_ev[0]:>9,.0f}/s  (n={n_ev:,}, matches {d_ev[1]:,})")
    print(f"events  raw       {w_ev[0]:>9,.0f}/s  (n={n_ev:,}, actions {w_ev[1]:,})")
    print(f"events  ratio durable-engine/raw = {d_ev[0] / w_ev[0]:.2f}  (target ≥ 0.8)")
    r_f = engine_facts("reference", n_ref_f)
    d_f = engine_facts("durable", n_f)
    w_f = raw("facts", n_f)
    print(f"facts   reference {r_f[0]:>9,.0f}/s  (n={n_ref_f:,}, matches {r_f[1]:,}; nested loops over the tuples containing the changed fact: O(n) per step)")
    print(f"facts   durable   {d_f[0]:>9,.0f}/s  (n={n_f:,}, matches {d_f[1]:,})")
    print(f"facts   raw       {w_f[0]:>9,.0f}/s  (n={n_f:,}, actions {w_f[1]:,})")
    print(f"facts   ratio durable-engine/raw = {d_f[0] / w_f[0]:.2f}  (target ≥ 0.8)")
    print(f"\n== RSS over {n_rss:,} events through the durable engine")
    before, after, rate = rss_over_events(n_rss)
    print(
        f"RSS before {before:.1f} MB, after {after:.1f} MB, growth {100 * (after - before) / before:+.1f} %  (target ≤ 10 %; {rate:,.0f} events/s)"
    )
    print(f"\n== identity: {n_dup:,} distinct facts through the durable engine")
    dups, stored, dt, peak = duplicates(n_dup)
    print(f"false duplicates {dups}  (target 0), stored {stored:,}, {dt:.1f} s, peak RSS {peak:,.0f} MB")
    wall = time.perf_counter() - started
    limit = 600.0
    print(f"\n== whole run: {wall:.0f} s wall, {time.process_time():.0f} s CPU  (full mode target ≤ {limit:.0f} s wall on 2 cores)"
          + ("" if q else f"  {'PASS' if wall <= limit else 'MISS'}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
