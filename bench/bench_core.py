"""Core benchmark: load+validate, full assessment, single-inspection updates, memory.

Usage::

    python bench/bench_core.py [--sizes 1000,10000,100000] [--k 3] [--updates 2000] [--quick]
                               [--seed 0] [--tracemalloc] [--inprocess]
                               [--profile load|assess|update] [--json FILE] [--strict]

Each size runs in a fresh child process (so its peak RSS is its own), on a synthetic enterprise
from :mod:`synthetic` (``n`` risks, ``k`` controls per risk).  Printed per size:

* ``load`` — :func:`dualprev_core.loading.enterprise.parse_enterprise` on the decoded document (schema,
  references, categories, inputs, ``on_failure``): the full validation path;
* ``assess`` — ``Assessment(e, replay_inspections=False)`` (best of 3 below 100k risks, else 1);
* ``plain`` — a hand-written loop doing the minimal arithmetic on the same ``Enterprise``: per
  risk, multiply the inputs and compare with the default variant's band cuts (grid lookup for
  the matrix), and count the controls of each risk (best of 5);
* ``upd med`` / ``upd p95`` — one ``record_inspection`` of a *failed*/*missing* inspection on a
  random control (opens a hidden danger, recomputes the risks it mitigates and their areas);
  after each, the hidden danger is rectified, verified and closed (timed apart: ``close med``),
  so the enterprise returns to its assessed state;
* ``peak RSS`` — the child's peak resident set size (``resource.getrusage().ru_maxrss``): the
  interpreter, the document dict, the ``Enterprise`` and the assessments together.
  ``--tracemalloc`` adds the Python-heap peak of one ``Assessment(...)`` construction alone.

Targets (checked at the largest and smallest size given):

(a) update median at the largest N / at the smallest N ≤ 2 (an update must not grow with N);
(b) assessment / plain loop at the largest N ≤ 3 (the engine's overhead over the bare arithmetic).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synthetic import make_document  # noqa: E402

from dualprev_core.assessment.assessment import Assessment  # noqa: E402
from dualprev_core.grading import core_methods  # noqa: E402
from dualprev_core.loading.enterprise import CHINA_STANDARD_TIME, parse_enterprise  # noqa: E402
from dualprev_core.model.records import Enterprise, Inspection  # noqa: E402
from dualprev_core.model.vocabulary import InspectionResult  # noqa: E402

TARGET_UPDATE_RATIO = 2.0
TARGET_ASSESS_RATIO = 3.0
_T0 = datetime(2026, 11, 1, 8, 0, tzinfo=CHINA_STANDARD_TIME)


# -- the plain-Python baseline ----------------------------------------------------------------
def _tables() -> dict[str, tuple[str, Any, Any, Any]]:
    """Per method: (edge, cuts as (at, level) pairs, otherwise, grid) of its default variant."""
    out = {}
    for m in core_methods():
        v = m.variant()
        out[m.name] = (v.edge, tuple((c.at, c.level) for c in v.cuts), v.otherwise, v.grid)
    return out


def plain_loop(e: Enterprise) -> tuple[dict[str, Any], dict[str, int]]:
    """The minimal work a hand-written assessor does: product of inputs vs band cuts, controls per risk."""
    tables = _tables()
    n_controls = dict.fromkeys((r.id for r in e.risks), 0)
    for c in e.controls:
        for r in c.mitigates:
            n_controls[r] += 1
    levels = {}
    for r in e.risks:
        edge, cuts, otherwise, grid = tables[r.method]
        inputs = r.inputs
        if grid:
            level = grid[int(inputs["L"]) - 1][int(inputs["S"]) - 1]
        else:
            s = 1.0
            for v in inputs.values():
                s *= v
            s = round(s, 9)
            level = otherwise
            inclusive = edge == "inclusive"
            for at, lvl in cuts:
                if s > at or (inclusive and s == at):
                    level = lvl
                    break
        levels[r.id] = level
    return levels, n_controls


# -- one size ---------------------------------------------------------------------------------
def _best(fn: Any, repeats: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeats):
        result = None  # let the previous result go before the next run
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run_updates(a: Assessment, e: Enterprise, n: int, seed: int) -> dict[str, Any]:
    """``n`` failed/missing inspections on random controls; each hidden danger closed afterwards."""
    rng = random.Random(seed + 1)
    controls = [c.id for c in e.controls]
    ledger = a.ledger
    opens: list[float] = []
    closes: list[float] = []
    moved = 0
    for i in range(n):
        at = _T0 + timedelta(minutes=10 * i)
        insp = Inspection(f"BI{i}", controls[rng.randrange(len(controls))],
                          InspectionResult.FAILED if rng.random() < 0.5 else InspectionResult.MISSING, "巡检员", at)
        t0 = time.perf_counter()
        out = a.record_inspection(insp)
        t1 = time.perf_counter()
        opens.append(t1 - t0)
        moved += bool(out.changes)
        hd = out.hidden_danger
        if hd is not None and hd.is_open:
            t2 = time.perf_counter()
            ledger.start_rectifying(hd.id, by="整改人", at=at + timedelta(minutes=1))
            ledger.rectify(hd.id, measures="已整改", by="整改人", at=at + timedelta(minutes=2))
            ledger.verify(hd.id, passed=True, by="验收人", at=at + timedelta(minutes=3))
            ledger.close(hd.id, by="验收人", at=at + timedelta(minutes=4))
            closes.append(time.perf_counter() - t2)
    if a.current_levels() != {r: g.level for r, g in a._assessed.items()}:  # noqa: SLF001 - sanity check
        raise AssertionError("levels did not return to the assessed levels after closing every hidden danger")
    tenth = max(1, n // 10)
    return {
        "upd_med": statistics.median(opens), "upd_p95": _pct(opens, 0.95),
        "upd_first10_med": statistics.median(opens[:tenth]), "upd_last10_med": statistics.median(opens[-tenth:]),
        "close_med": statistics.median(closes) if closes else float("nan"),
        "moved_share": moved / n if n else 0.0, "hidden_dangers": len(ledger),
    }


def bench_one(n: int, k: int, updates: int, seed: int, use_tracemalloc: bool) -> dict[str, Any]:
    r: dict[str, Any] = {"n": n, "k": k}
    t0 = time.perf_counter()
    doc = make_document(n, k, seed=seed)
    r["gen"] = time.perf_counter() - t0
    _log(f"N={n}: generated in {r['gen']:.2f} s; validating …")
    t0 = time.perf_counter()
    e = parse_enterprise(doc, source=f"synthetic:{n}")
    r["load"] = time.perf_counter() - t0
    r["controls"] = len(e.controls)
    r["areas"] = len(e.areas)
    _log(f"N={n}: load+validate {r['load']:.2f} s; assessing …")
    repeats = 3 if n < 100_000 else 1
    r["assess"], a = _best(lambda: Assessment(e, replay_inspections=False), repeats)
    r["plain"], (levels, _) = _best(lambda: plain_loop(e), 5)
    mismatched = sum(1 for rid, lvl in levels.items() if a.assessed_level(rid) != lvl)
    if mismatched:
        raise AssertionError(f"plain loop disagrees with the assessment on {mismatched} risks")
    _log(f"N={n}: assess {r['assess']:.2f} s, plain {r['plain'] * 1e3:.1f} ms; {updates} updates …")
    r.update(run_updates(a, e, updates, seed))
    r["rss_mb"] = _rss_mb()
    if use_tracemalloc:
        import tracemalloc

        del a
        tracemalloc.start()
        Assessment(e, replay_inspections=False)
        r["assess_heap_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return r


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# -- profiling --------------------------------------------------------------------------------
def profile(part: str, n: int, k: int, updates: int, seed: int, top: int = 30) -> None:
    import cProfile
    import pstats

    doc = make_document(n, k, seed=seed)
    prof = cProfile.Profile()
    if part == "load":
        prof.runcall(parse_enterprise, doc)
    else:
        e = parse_enterprise(doc)
        if part == "assess":
            prof.runcall(Assessment, e, replay_inspections=False)
        else:
            a = Assessment(e, replay_inspections=False)
            prof.runcall(run_updates, a, e, updates, seed)
    for key in ("tottime", "cumulative"):
        print(f"\n== cProfile {part} N={n} k={k}, top {top} by {key} ==")
        pstats.Stats(prof).strip_dirs().sort_stats(key).print_stats(top)


# -- driver -----------------------------------------------------------------------------------
def _fmt_s(x: float) -> str:
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def print_table(rows: list[dict[str, Any]], updates: int) -> bool:
    heap = any("assess_heap_mb" in r for r in rows)
    head = ["N", "controls", "gen s", "load+validate s", "assess s", "plain s", "assess/plain",
            "upd med µs", "upd p95 µs", "upd first/last10% µs", "close med µs", "peak RSS MB"] + (["assess heap MB"] if heap else [])
    body = []
    for r in rows:
        body.append([
            f"{r['n']:,}", f"{r['controls']:,}", _fmt_s(r["gen"]), _fmt_s(r["load"]), _fmt_s(r["assess"]), f"{r['plain']:.4f}",
            f"{r['assess'] / r['plain']:.1f}", f"{r['upd_med'] * 1e6:.0f}", f"{r['upd_p95'] * 1e6:.0f}",
            f"{r['upd_first10_med'] * 1e6:.0f}/{r['upd_last10_med'] * 1e6:.0f}", f"{r['close_med'] * 1e6:.0f}", f"{r['rss_mb']:.0f}",
        ] + ([f"{r.get('assess_heap_mb', float('nan')):.0f}"] if heap else []))
    widths = [max(len(h), *(len(b[i]) for b in body)) for i, h in enumerate(head)]
    print("  ".join(h.rjust(w) for h, w in zip(head, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for b in body:
        print("  ".join(x.rjust(w) for x, w in zip(b, widths, strict=True)))
    print(f"(k = {rows[0]['k']} controls per risk; {updates} updates per size; peak RSS = ru_maxrss of the size's own process)")
    small, large = min(rows, key=lambda r: r["n"]), max(rows, key=lambda r: r["n"])
    ra = large["upd_med"] / small["upd_med"]
    rb = large["assess"] / large["plain"]
    ok_a, ok_b = ra <= TARGET_UPDATE_RATIO, rb <= TARGET_ASSESS_RATIO
    print()
    print(f"(a) update median N={large['n']:,} / N={small['n']:,}: {ra:.2f}  (target ≤ {TARGET_UPDATE_RATIO:g})  {'PASS' if ok_a else 'MISS'}")
    print(f"(b) assessment / plain loop at N={large['n']:,}: {rb:.1f}  (target ≤ {TARGET_ASSESS_RATIO:g})  {'PASS' if ok_b else 'MISS'}")
    return ok_a and ok_b


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,100000", help="comma-separated numbers of risks (default 1000,10000,100000)")
    ap.add_argument("--k", type=int, default=3, help="controls per risk (default 3)")
    ap.add_argument("--updates", type=int, default=2000, help="inspections recorded per size (default 2000)")
    ap.add_argument("--quick", action="store_true", help="sizes 1000,10000 only (under a minute)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tracemalloc", action="store_true", help="also measure the Python-heap peak of one Assessment(...)")
    ap.add_argument("--inprocess", action="store_true", help="run every size in this process (peak RSS is then cumulative)")
    ap.add_argument("--profile", choices=("load", "assess", "update"), help="cProfile one part at the largest size instead")
    ap.add_argument("--json", help="also write the figures as JSON to this file")
    ap.add_argument("--strict", action="store_true", help="exit with status 1 when a target is missed")
    ap.add_argument("--_child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    sizes = [1000, 10000] if args.quick else [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    if args._child is not None:
        print(json.dumps(bench_one(args._child, args.k, args.updates, args.seed, args.tracemalloc)))
        return 0
    if args.profile:
        profile(args.profile, max(sizes), args.k, args.updates, args.seed)
        return 0
    rows = []
    for n in sizes:
        if args.inprocess:
            rows.append(bench_one(n, args.k, args.updates, args.seed, args.tracemalloc))
            continue
        cmd = [sys.executable, str(Path(__file__).resolve()), "--_child", str(n), "--k", str(args.k),
               "--updates", str(args.updates), "--seed", str(args.seed)] + (["--tracemalloc"] if args.tracemalloc else [])
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
        if proc.returncode:
            _log(f"N={n}: child failed with exit code {proc.returncode}")
            return proc.returncode
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    print(f"dualprev core benchmark — Python {sys.version.split()[0]}, {os.cpu_count()} CPU(s)")
    ok = print_table(rows, args.updates)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    raise SystemExit(main())
