"""Monitoring benchmark: ``dualprev monitor`` streaming readings on the mining example.

Usage: ``python bench/bench_monitor.py [--sizes 100000,1000000] [--engine durable]``

For each size a readings file (CSV) is written for the four monitoring points of
``examples/mine.yaml`` — one reading per point per 15 s, gas and CO at normal levels with a
rare excursion (a CH4 run over the 1 % limit on the upper corner about once per 6 hours of
readings) — and replayed by ``dualprev monitor`` in a child process: its peak RSS
(``ru_maxrss``) and CPU time (user + system, ``RUSAGE_CHILDREN``) are taken, and the
throughput is readings per CPU second of the whole command minus the CPU of the same command
on an empty readings file (start-up, loading the enterprise and the packs).

Beside it, the **raw engine**: the same readings, as the events the monitor posts, fed to a
bare durable-rules engine (``make_engine``) loaded with the mining pack's monitoring rules, in
this process — what the monitor costs over the rules themselves.

Targets: peak RSS at the largest size ≤ 1.2× that at the smallest; monitor throughput ≥ 50k
readings/s CPU with the durable engine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENTERPRISE = ROOT / "examples" / "mine.yaml"
POINTS = (("T-1101-UC", "CH4", "%", 0.35), ("T-1101-R", "CH4", "%", 0.30), ("T-1102", "CH4", "%", 0.25), ("T-RET-CO", "CO", "ppm", 6.0))
CST = timezone(timedelta(hours=8))
T0 = datetime(2026, 11, 30, 8, 0, tzinfo=CST)
STEP_S = 15


def readings(n: int, seed: int = 0) -> list[tuple[str, str, float, str, str]]:
    """``n`` readings, round robin over the points, time-ordered (rows of the CSV)."""
    rng = random.Random(seed)
    out = []
    excursion_left = 0
    for i in range(n):
        point, quantity, unit, base = POINTS[i % len(POINTS)]
        t = T0 + timedelta(seconds=STEP_S * (i // len(POINTS)))
        value = round(base * (0.8 + 0.4 * rng.random()), 2)
        if point == "T-1101-UC":
            if excursion_left == 0 and rng.random() < 1 / 1440:  # about once per 6 h of readings
                excursion_left = 12  # 3 minutes over the limit
            if excursion_left:
                excursion_left -= 1
                value = 1.2
        out.append((point, quantity, value, unit, t.isoformat()))
    return out


def write_csv(path: Path, rows: list[tuple[str, str, float, str, str]]) -> None:
    with path.open("w", encoding="utf-8") as f:
        f.write("point,quantity,value,unit,at\n")
        for r in rows:
            f.write(f"{r[0]},{r[1]},{r[2]},{r[3]},{r[4]}\n")


def run_monitor(readings_file: Path, engine: str) -> dict[str, float]:
    """CPU seconds and peak RSS of ``dualprev monitor`` on ``readings_file`` in a child process."""
    env = {**os.environ, "DUALPREV_RULES_ENGINE": engine}
    code = ("import resource, sys, time, runpy\n"
            "sys.argv = ['dualprev', 'monitor', sys.argv[1], '-e', sys.argv[2], '--json', '--no-progress']\n"
            "from dualprev_core.cli.app import main\n"
            "try:\n    main()\nexcept SystemExit as e:\n    code = e.code\nelse:\n    code = 0\n"
            "u = resource.getrusage(resource.RUSAGE_SELF)\n"
            "print('\\n@@' + str(u.ru_utime + u.ru_stime) + ' ' + str(u.ru_maxrss) + ' ' + str(code), file=sys.stderr)\n")
    # CPU is measured here, over the whole child: the supervised durable engine works in a worker
    # process of its own, which the child's RUSAGE_SELF would not count.
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run([sys.executable, "-c", code, str(readings_file), str(ENTERPRISE)], capture_output=True, text=True, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_all = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    tail = [ln for ln in proc.stderr.splitlines() if ln.startswith("@@")]
    if not tail:
        raise SystemExit(f"dualprev monitor failed:\n{proc.stderr[-2000:]}")
    cpu, rss_kb, code = tail[-1][2:].split()
    if code not in ("0", "None"):
        raise SystemExit(f"dualprev monitor exited with {code}:\n{proc.stderr[-2000:]}")
    out = json.loads(proc.stdout)
    del cpu  # the child's own figure, without its worker
    return {"cpu": cpu_all, "rss_mb": int(rss_kb) / 1024, "alarms": len(out["alarms"]), "problems": len(out["problems"]),
            "readings": out["readings"]}


def raw_engine(rows: list[tuple[str, str, float, str, str]], engine: str) -> dict[str, float]:
    """The same readings as events straight into a bare engine with the mining monitoring rules."""
    from dualprev_core.loading.enterprise import load_enterprise
    from dualprev_core.packs import load_packs
    from dualprev_core.rules import make_engine

    e = load_enterprise(ENTERPRISE)
    points = {p.id: p for p in e.monitoring_points}
    events = []
    for i, (point, quantity, value, unit, at) in enumerate(rows):
        p = points[point]
        t = datetime.fromisoformat(at).timestamp()
        events.append({**{k: v for k, v in p.facts.items()}, "type": "reading", "key": f"{point}@{t!r}", "point": point,
                       "quantity": quantity, "value": value, "unit": unit, "at": t, "area": p.area, "control": p.control})
        del i
    rulesets = [rs for rs in load_packs().registry.rulesets.values() if rs.pack == "mining" and "monitoring" in str(rs.source)]
    with make_engine(engine) as eng:
        for rs in rulesets:
            eng.load(rs)
        t0 = time.process_time()
        fired = 0
        for ev in events:
            fired += len(eng.post_events([ev]))
            eng.matches(clear=True)
        cpu = time.process_time() - t0
    return {"cpu": cpu, "fired": fired, "rules": [rs.id for rs in rulesets]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--engine", default="durable", choices=("durable", "durable-inprocess", "reference"),
                    help="durable: the supervised worker (the default engine); durable-inprocess: the opt-in in-process engine")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    work = Path(tempfile.mkdtemp(prefix="dualprev-monitor-"))
    empty = work / "empty.csv"
    write_csv(empty, [])
    base = min(run_monitor(empty, args.engine)["cpu"] for _ in range(3))
    rows_out = []
    for n in sizes:
        rows = readings(n)
        f = work / f"readings-{n}.csv"
        write_csv(f, rows)
        m = run_monitor(f, args.engine)
        # the bare engine runs in this process (its CPU is process_time): the in-process durable engine
        raw_kind = "durable-inprocess" if args.engine == "durable" else args.engine
        raw = raw_engine(rows, raw_kind) if n <= 200_000 else None
        del rows
        r = {"n": n, "file_mb": f.stat().st_size / 2**20, "monitor_cpu": m["cpu"], "startup_cpu": base, "rss_mb": m["rss_mb"],
             "alarms": m["alarms"], "problems": m["problems"], "rate": n / max(1e-9, m["cpu"] - base)}
        if raw is not None:
            r["raw_cpu"], r["raw_rate"], r["raw_fired"] = raw["cpu"], n / raw["cpu"], raw["fired"]
        rows_out.append(r)
        print(f"N={n:,}: monitor {m['cpu']:.1f} s CPU ({r['rate']:,.0f} readings/s after {base:.2f} s start-up), "
              f"peak RSS {m['rss_mb']:.0f} MB, {m['alarms']} alarms, {m['problems']} problems"
              + (f"; raw {raw_kind} engine {r['raw_rate']:,.0f} events/s ({r['raw_fired']} matches)" if raw else ""), file=sys.stderr, flush=True)
    print(json.dumps(rows_out))
    if args.json:
        Path(args.json).write_text(json.dumps(rows_out, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
