"""Every performance figure of dualprev against its target: one table, PASS or MISS.

Usage::

    python bench/run.py            # quick (make bench): a few minutes
    python bench/run.py --full     # full mode (make bench-full): 1M readings, bench_rules full mode

Runs, each in its own processes and all in CPU time: ``bench_core.py`` (realistic enterprises
of 1k, 10k, 20k and 100k risks), ``bench_cli.py``, ``bench_monitor.py`` and ``bench_rules.py``,
then prints the table.  Ratios are taken side by side in one run; absolute times on shared
machines drift several-fold, so read the ratios.  In quick mode the monitor's memory ratio is
taken at 100k/10k readings instead of 1M/100k, and ``bench_rules.py`` runs its quick mode (its
full-mode duration is a full-mode figure); such rows say so.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _run(script: str, *args: str) -> tuple[Any, float]:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, str(HERE / script), *args], stdout=subprocess.PIPE, text=True,
                          env={**os.environ, "PYTHONHASHSEED": "0"})
    if proc.returncode:
        raise SystemExit(f"{script} failed with exit code {proc.returncode}")
    lines = proc.stdout.strip().splitlines()
    try:
        return json.loads(lines[-1]), time.perf_counter() - t0
    except (ValueError, IndexError):
        return proc.stdout, time.perf_counter() - t0


def _row(figure: str, value: str, target: str, ok: bool | None, note: str = "") -> list[str]:
    return [figure, value, target, {True: "PASS", False: "MISS", None: "—"}[ok], note]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--full", action="store_true", help="1M readings and bench_rules.py full mode")
    ap.add_argument("--sizes", default="1000,10000,20000,100000")
    ap.add_argument("--json", help="also write every raw figure to this file")
    args = ap.parse_args(argv)
    full = args.full
    started = time.perf_counter()

    print("bench_core …", file=sys.stderr, flush=True)
    core_out = Path(os.environ.get("TMPDIR", "/tmp")) / f"dualprev-bench-core-{os.getpid()}.json"
    _, _ = _run("bench_core.py", "--sizes", args.sizes, "--updates", "2000" if full else "1000", "--repeat", "3" if full else "2",
                "--json", str(core_out))
    core = {r["n"]: r for r in json.loads(core_out.read_text(encoding="utf-8"))}
    print("bench_cli …", file=sys.stderr, flush=True)
    cli, _ = _run("bench_cli.py", "--repeat", "9" if full else "5")
    print("bench_monitor …", file=sys.stderr, flush=True)
    mon_sizes = "100000,1000000" if full else "10000,100000"
    mon, _ = _run("bench_monitor.py", "--sizes", mon_sizes)
    print("bench_rules …", file=sys.stderr, flush=True)
    rules_text, rules_wall = _run("bench_rules.py", *([] if full else ["--quick"]))

    rows: list[list[str]] = []
    n1, n10, n20, n100 = (core.get(n) for n in (1000, 10000, 20000, 100000))
    if n10:
        r = n10["first"] / n10["load"]
        rows.append(_row("first recorded defect / loading, 10k risks", f"{r:.4f} ({n10['first'] * 1e3:.2f} ms / {n10['load']:.2f} s)", "≤ 0.5", r <= 0.5,
                         "installed packs, none applies to the enterprise"))
        r = n10["first_chem"] / n10["load"]
        rows.append(_row("  … with the chemical pack's criteria applying", f"{r:.2f} ({n10['first_chem'] * 1e3:.0f} ms)", "(no target)", None,
                         f"{n10['chem_facts']:,} facts pass the rules' literal tests"))
        r = n10["company"] / n10["load"]
        rows.append(_row("company-wide control failure / loading, 10k", f"{r:.3f} ({n10['company'] * 1e3:.0f} ms, {n10['company_moved']:,} risks moved)",
                         "≤ 0.5", r <= 0.5))
    if n100:
        r = n100["company"] / n100["load"]
        rows.append(_row("  … at 100k", f"{r:.3f} ({n100['company'] * 1e3:.0f} ms)", "(no target)", None))
    if n1 and n10:
        r = n10["upd_med"] / n1["upd_med"]
        rows.append(_row("median own-control update, 10k / 1k", f"{r:.2f} ({n10['upd_med'] * 1e6:.0f} / {n1['upd_med'] * 1e6:.0f} µs)", "≤ 2", r <= 2))
    if n100:
        p = n100["upd_p95"]
        rows.append(_row("p95 own-control update, 100k", f"{p * 1e3:.3f} ms", "≤ 1 ms", p <= 1e-3))
    for n, label in ((n20, "20k"), (n100, "100k")):
        if n:
            r = n["load"] / n["json"]
            rows.append(_row(f"load + validate / json.load, {label}", f"{r:.2f} ({n['load']:.2f} s / {n['json']:.2f} s)", "≤ 4", r <= 4))
    if n100:
        m = n100["load_rss_mb"]
        rows.append(_row("peak RSS loading 100k risks", f"{m:.0f} MB", "≤ 400 MB", m <= 400, f"file {n100['file_mb']:.0f} MB"))
        r = n100["assess"] / n100["plain"]
        rows.append(_row("assessment / plain loop, 100k", f"{r:.2f} ({n100['assess']:.2f} s / {n100['plain']:.2f} s)", "≤ 2", r <= 2,
                         "levels and area colours checked equal"))
    ratio = cli["ratio"]
    for k in ("dualprev grade lec L=3 E=6 C=15", "dualprev --help"):
        ins = cli.get("instruction_ratio", {}).get(k)
        rows.append(_row(f"CLI `{k.removeprefix('dualprev ')}` / python -c pass", f"{ratio[k]:.1f} ({cli['cpu'][k] * 1e3:.0f} ms)", "≤ 15", ratio[k] <= 15,
                         f"callgrind {ins:.1f}" if ins else ""))
    small, large = mon[0], mon[-1]
    r = large["rss_mb"] / small["rss_mb"]
    rows.append(_row(f"monitor peak RSS, {large['n'] // 1000}k / {small['n'] // 1000}k readings", f"{r:.2f} ({large['rss_mb']:.0f} / {small['rss_mb']:.0f} MB)",
                     "≤ 1.2 (1M/100k)", r <= 1.2, "" if full else "quick mode: 100k/10k"))
    best = max(mon, key=lambda x: x["n"])
    raw = next((x for x in mon if "raw_rate" in x), None)
    rows.append(_row("monitor throughput, durable engine, mining example", f"{best['rate']:,.0f} readings/s", "≥ 50,000/s", best["rate"] >= 50_000,
                     f"raw engine on the same events: {raw['raw_rate']:,.0f}/s" if raw else ""))
    rows.append(_row("bench_rules.py full mode", f"{rules_wall:.0f} s wall" if full else "(full mode only)", "≤ 600 s", rules_wall <= 600 if full else None,
                     "" if full else f"quick mode took {rules_wall:.0f} s"))

    head = ["figure", "measured", "target", "result", "note"]
    widths = [max(len(h), *(len(x[i]) for x in rows)) for i, h in enumerate(head)]
    print(f"dualprev performance — {'full' if full else 'quick'} mode, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, CPU time, "
          f"realistic enterprises (bench/realistic.py)")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for x in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(x, widths, strict=True)) + " |")
    print(f"\n({sum(x[3] == 'PASS' for x in rows)} PASS, {sum(x[3] == 'MISS' for x in rows)} MISS; whole run {time.perf_counter() - started:.0f} s wall)")
    if n10:
        print(f"enterprise at 10k: {n10['shape']}")
    if isinstance(rules_text, str):
        print("\nbench_rules.py:\n" + rules_text.strip())
    if args.json:
        Path(args.json).write_text(json.dumps({"core": list(core.values()), "cli": cli, "monitor": mon, "rules_wall_s": rules_wall}, indent=1),
                                   encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
