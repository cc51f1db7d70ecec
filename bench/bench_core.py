"""Core benchmark on realistic enterprises: loading, assessment, updates, memory.

Usage::

    python bench/bench_core.py [--sizes 1000,10000,20000,100000] [--updates 2000] [--seed 0]
                               [--repeat 3] [--json FILE] [--profile load|assess|update|first|company --size N]

Every figure is CPU time (``time.process_time``) of a child process per size, on a document
from :mod:`realistic` (nested areas 4–5 deep, risk points, hazards, 1–6 own controls per risk,
two shared controls per leaf area, one per workshop, two company-wide, inspection items,
posts with people), written to a JSON file first so loading starts from a file as a user's
does.  Figures that are compared are measured side by side, alternating, and the medians
compared: the machines are shared and absolute times drift several-fold.

Per size (``N`` risks), with the installed packs loaded (entry points, as the CLI does); the
enterprise's industry is one no bundled pack claims, so the packs' criteria do not apply:

* ``json`` / ``load`` — ``json.load`` of the file vs ``load_enterprise(file, packs=packs)``
  (read, duplicate keys, schema, records, references, categories, inputs, the packs' checks);
* ``load RSS`` — peak RSS of a fresh process that only loads the file (``ru_maxrss``);
* ``assess`` / ``plain`` — ``Assessment(e, packs=packs)`` vs a hand-written loop computing the
  same assessed levels and area colours (checked equal);
* ``first`` — the first recorded defect (failed inspection of an own control) on a fresh
  assessment; ``first chem`` — the same with the enterprise's industry set to ``chemical``,
  so the chemical pack's criteria apply (the session is built then);
* ``upd med`` / ``upd p95`` — ``--updates`` defects recorded on random own controls (each hidden
  danger rectified, verified and closed afterwards, timed apart);
* ``company`` / ``workshop`` — a failed inspection of the critical company-wide control (the
  emergency plan: every risk rises) and of a workshop's interlock.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from realistic import Shape, describe, make_document  # noqa: E402

CPU = time.process_time
_T0 = None  # set lazily (imports the library)


def _now0() -> datetime:
    from dualprev_core.loading.enterprise import CHINA_STANDARD_TIME

    return datetime(2026, 11, 1, 8, 0, tzinfo=CHINA_STANDARD_TIME)


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def side_by_side(fns: dict[str, Callable[[], Any]], repeat: int) -> dict[str, float]:
    """Median CPU seconds of each function, run alternately ``repeat`` times."""
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(repeat):
        for k, fn in fns.items():
            gc.collect()
            t0 = CPU()
            out = fn()
            times[k].append(CPU() - t0)
            del out
    return {k: statistics.median(v) for k, v in times.items()}


# -- the plain-Python baseline ---------------------------------------------------------------
def plain_loop(e: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """What a hand-written assessor does: per risk, the product of its inputs against the
    default variant's band cuts (grid look-up for the matrix); per area, the highest level of
    the risks in it and below it."""
    from dualprev_core.grading import core_methods

    tables = {}
    for m in core_methods():
        v = m.variant()
        tables[m.name] = (v.edge == "inclusive", tuple((c.at, c.level) for c in v.cuts), v.otherwise, v.grid)
    levels = {}
    for r in e.risks:
        inclusive, cuts, otherwise, grid = tables[r.method]
        inputs = r.inputs
        if grid:
            level = grid[int(inputs["L"]) - 1][int(inputs["S"]) - 1]
        else:
            s = 1.0
            for v in inputs.values():
                s *= v
            s = round(s, 9)
            level = otherwise
            for at, lvl in cuts:
                if s > at or (inclusive and s == at):
                    level = lvl
                    break
        levels[r.id] = level
    parent = {a.id: a.parent for a in e.areas}
    colour: dict[str, Any] = {}
    for r in e.risks:
        lvl, a = levels[r.id], r.area
        while a is not None:
            cur = colour.get(a)
            if cur is not None and cur >= lvl:
                break  # everything above already holds at least this level
            colour[a] = lvl
            a = parent[a]
    return levels, {a: colour.get(a) for a in parent}


# -- one size ------------------------------------------------------------------------------
def _inspection(i: int, control: str, result: Any, at: datetime) -> Any:
    from dualprev_core.model.records import Inspection

    return Inspection(f"B{i}", control, result, "巡检员", at)


def _close(a: Any, hd: Any, at: datetime) -> None:
    led = a.ledger
    if hd.is_major:
        led.approve_plan(hd.id, plan={"responsible_person": "厂长", "measures": ["更换"], "funds_amount": 1000, "funds_source": "安全费用",
                                      "deadline": at + timedelta(days=3), "contingency_plan": "停用并设警戒"}, by="安全总监", at=at)
    led.start_rectifying(hd.id, by="整改人", at=at + timedelta(minutes=1))
    led.rectify(hd.id, measures="已整改", by="整改人", at=at + timedelta(minutes=2))
    led.verify(hd.id, passed=True, by="验收人", at=at + timedelta(minutes=3))
    if led.get(hd.id).is_open:
        led.close(hd.id, by="验收人", at=at + timedelta(minutes=4))


def _fresh(e: Any, packs: Any) -> Any:
    from dualprev_core.assessment.assessment import Assessment

    return Assessment(e, packs=packs, replay_inspections=False)


def bench_size(n: int, updates: int, seed: int, repeat: int, workdir: Path) -> dict[str, Any]:
    from dualprev_core.loading.enterprise import load_enterprise
    from dualprev_core.model.vocabulary import InspectionResult
    from dualprev_core.packs import load_packs

    r: dict[str, Any] = {"n": n}
    shape = Shape()
    t0 = CPU()
    doc = make_document(n, seed=seed, shape=shape)
    r["shape"] = describe(doc, shape)
    path = workdir / f"realistic-{n}-{seed}.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    del doc
    r["gen"] = CPU() - t0
    r["file_mb"] = path.stat().st_size / 2**20
    _log(f"N={n}: {r['shape']}")
    packs = load_packs()
    r["packs"] = sorted(packs.manifests)

    def read_json() -> Any:
        with open(path, encoding="utf-8") as f:
            return json.load(f)

    reps = repeat if n < 100_000 else max(1, repeat - 1)
    t = side_by_side({"json": read_json, "load": lambda: load_enterprise(path, packs=packs)}, reps)
    r["json"], r["load"] = t["json"], t["load"]
    _log(f"N={n}: json.load {r['json']:.3f} s, load+validate {r['load']:.3f} s CPU")
    e = load_enterprise(path, packs=packs)
    r["controls"], r["areas"] = len(e.controls), len(e.areas)

    t = side_by_side({"assess": lambda: _fresh(e, packs), "plain": lambda: plain_loop(e)}, reps)
    r["assess"], r["plain"] = t["assess"], t["plain"]
    a = _fresh(e, packs)
    levels, colours = plain_loop(e)
    bad = sum(1 for rid, lvl in levels.items() if a.assessed_level(rid) != lvl)
    bad += sum(1 for area, lvl in colours.items() if a.area_level(area) != lvl)
    if bad:
        raise AssertionError(f"the plain loop disagrees with the assessment on {bad} risks/areas")
    _log(f"N={n}: assess {r['assess']:.3f} s, plain {r['plain']:.3f} s CPU (levels and colours agree)")

    rng = random.Random(seed + 1)
    at = _now0()
    own = shape.own_controls

    # the first defect, on fresh assessments (median over a few)
    firsts = []
    for k in range(3):
        fresh = _fresh(e, packs)
        gc.collect()
        t0 = CPU()
        fresh.record_inspection(_inspection(k, own[rng.randrange(len(own))], InspectionResult.FAILED, at))
        firsts.append(CPU() - t0)
        del fresh
    r["first"] = statistics.median(firsts)
    import attrs

    chem = attrs.evolve(e, industry="chemical")
    fresh = _fresh(chem, packs)
    gc.collect()
    t0 = CPU()
    fresh.record_inspection(_inspection(0, own[rng.randrange(len(own))], InspectionResult.FAILED, at))
    r["first_chem"] = CPU() - t0
    r["chem_facts"] = len(fresh.criteria.engine.facts()) if fresh.criteria else 0
    del fresh, chem
    _log(f"N={n}: first defect {r['first'] * 1e3:.1f} ms; with the chemical pack applying {r['first_chem'] * 1e3:.0f} ms "
         f"({r['chem_facts']:,} facts asserted)")

    # own-control updates, each closed afterwards
    opens: list[float] = []
    closes: list[float] = []
    for i in range(updates):
        when = at + timedelta(minutes=10 * i)
        insp = _inspection(i, own[rng.randrange(len(own))], InspectionResult.FAILED if rng.random() < 0.5 else InspectionResult.MISSING, when)
        t0 = CPU()
        out = a.record_inspection(insp)
        opens.append(CPU() - t0)
        hd = out.hidden_danger
        if hd is not None and hd.is_open:
            t0 = CPU()
            _close(a, hd, when)
            closes.append(CPU() - t0)
    r["upd_med"], r["upd_p95"] = statistics.median(opens), _pct(opens, 0.95)
    r["close_med"] = statistics.median(closes) if closes else float("nan")
    tenth = max(1, updates // 10)
    r["upd_first10"], r["upd_last10"] = statistics.median(opens[:tenth]), statistics.median(opens[-tenth:])
    if a.current_levels() != {rid: a.assessed_level(rid) for rid in a.current_levels()}:
        raise AssertionError("levels did not return to the assessed levels after closing every hidden danger")
    _log(f"N={n}: {updates} own-control updates: median {r['upd_med'] * 1e6:.0f} µs, p95 {r['upd_p95'] * 1e6:.0f} µs")

    # shared controls: the critical company-wide control and a workshop's interlock
    for key, cid in (("company", shape.company_controls[-1]), ("workshop", shape.workshop_controls[0])):
        when = at + timedelta(days=400)
        gc.collect()
        t0 = CPU()
        out = a.record_inspection(_inspection(10**7 + len(key), cid, InspectionResult.FAILED, when))
        r[key] = CPU() - t0
        r[f"{key}_moved"] = sum(1 for c in out.changes if c.kind == "risk")
        r[f"{key}_covers"] = len(a.control(cid).mitigates)
        if out.hidden_danger is not None:
            _close(a, out.hidden_danger, when)
    _log(f"N={n}: company-wide failure {r['company'] * 1e3:.0f} ms ({r['company_moved']:,} risks moved), "
         f"workshop interlock {r['workshop'] * 1e3:.1f} ms ({r['workshop_covers']:,} covered)")
    r["rss_mb"] = _rss_mb()
    r["path"] = str(path)
    return r


def load_rss(path: str) -> dict[str, float]:
    """Peak RSS of a process that only loads ``path`` (with the installed packs)."""
    from dualprev_core.loading.enterprise import load_enterprise
    from dualprev_core.packs import load_packs

    base = _rss_mb()
    packs = load_packs()
    e = load_enterprise(path, packs=packs)
    return {"load_rss_mb": _rss_mb(), "base_rss_mb": base, "risks": len(e.risks)}


def _child(args: list[str]) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), *args]
    # a 100k-risk file is ~90 MB and ~6M values: over the default limits (docs/limits.md), raised for the bench's own files
    env = {**os.environ, "PYTHONHASHSEED": "0", "DUALPREV_LIMITS": os.environ.get("DUALPREV_LIMITS", "max_file_bytes=1000000000,max_nodes=100000000")}
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, env=env)
    if proc.returncode:
        raise SystemExit(f"bench child {' '.join(args)} failed with exit code {proc.returncode}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(sizes: list[int], updates: int, seed: int, repeat: int, workdir: Path) -> list[dict[str, Any]]:
    rows = []
    for n in sizes:
        row = _child(["--_size", str(n), "--updates", str(updates), "--seed", str(seed), "--repeat", str(repeat), "--workdir", str(workdir)])
        row.update(_child(["--_rss", row["path"]]))
        rows.append(row)
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
    head = ["N", "controls", "file MB", "json s", "load s", "load/json", "load RSS MB", "assess s", "plain s", "assess/plain",
            "first ms", "first/load", "first chem ms", "upd med µs", "upd p95 µs", "upd 1st/last10% µs", "close µs",
            "company ms", "company/load", "workshop ms"]
    body = []
    for r in rows:
        body.append([f"{r['n']:,}", f"{r['controls']:,}", f"{r['file_mb']:.0f}", f"{r['json']:.3f}", f"{r['load']:.3f}",
                     f"{r['load'] / r['json']:.2f}", f"{r['load_rss_mb']:.0f}", f"{r['assess']:.3f}", f"{r['plain']:.3f}",
                     f"{r['assess'] / r['plain']:.2f}", f"{r['first'] * 1e3:.2f}", f"{r['first'] / r['load']:.4f}",
                     f"{r['first_chem'] * 1e3:.0f}", f"{r['upd_med'] * 1e6:.0f}", f"{r['upd_p95'] * 1e6:.0f}",
                     f"{r['upd_first10'] * 1e6:.0f}/{r['upd_last10'] * 1e6:.0f}", f"{r['close_med'] * 1e6:.0f}",
                     f"{r['company'] * 1e3:.0f}", f"{r['company'] / r['load']:.3f}", f"{r['workshop'] * 1e3:.1f}"])
    widths = [max(len(h), *(len(b[i]) for b in body)) for i, h in enumerate(head)]
    print("  ".join(h.rjust(w) for h, w in zip(head, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for b in body:
        print("  ".join(x.rjust(w) for x, w in zip(b, widths, strict=True)))
    for r in rows:
        print(f"  N={r['n']:,}: {r['shape']}; packs {', '.join(r['packs'])}")


def profile(part: str, n: int, seed: int) -> None:
    import cProfile
    import pstats

    from dualprev_core.loading.enterprise import load_enterprise
    from dualprev_core.model.vocabulary import InspectionResult
    from dualprev_core.packs import load_packs

    shape = Shape()
    doc = make_document(n, seed=seed, shape=shape)
    path = Path(tempfile.mkdtemp()) / "e.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    del doc
    packs = load_packs()
    prof = cProfile.Profile()
    if part == "load":
        prof.runcall(load_enterprise, path, packs=packs)
    else:
        e = load_enterprise(path, packs=packs)
        if part == "assess":
            prof.runcall(_fresh, e, packs)
        else:
            a = _fresh(e, packs)
            cid = {"first": shape.own_controls[0], "update": shape.own_controls[1], "company": shape.company_controls[-1]}[part]
            if part == "update":
                a.record_inspection(_inspection(0, shape.own_controls[0], InspectionResult.FAILED, _now0()))
            prof.runcall(a.record_inspection, _inspection(1, cid, InspectionResult.FAILED, _now0()))
    pstats.Stats(prof).strip_dirs().sort_stats("tottime").print_stats(30)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,20000,100000")
    ap.add_argument("--updates", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=3, help="side-by-side repetitions (medians; one fewer at 100k)")
    ap.add_argument("--workdir", help="where the generated files go (default: a temporary directory)")
    ap.add_argument("--json", help="also write the raw figures to this file")
    ap.add_argument("--profile", choices=("load", "assess", "first", "update", "company"))
    ap.add_argument("--size", type=int, default=10000, help="size for --profile")
    ap.add_argument("--_size", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--_rss", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args._rss:
        print(json.dumps(load_rss(args._rss)))
        return 0
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="dualprev-bench-"))
    if args._size:
        print(json.dumps(bench_size(args._size, args.updates, args.seed, args.repeat, workdir)))
        return 0
    if args.profile:
        profile(args.profile, args.size, args.seed)
        return 0
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    rows = run(sizes, args.updates, args.seed, args.repeat, workdir)
    print(f"dualprev core benchmark (realistic enterprises) — Python {sys.version.split()[0]}, {os.cpu_count()} CPU(s), CPU time")
    print_table(rows)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
