"""Investigation tasks at scale: building the plan and judging every task's status at a time.

Synthetic enterprises from ``synthetic.py`` get one inspection item per control (frequency drawn
from 2h, shift, daily, twice-daily, weekly, monthly) and ``--days`` of recorded inspections (each
item checked on about ``--coverage`` of its windows).  Prints, per size: tasks, inspections,
seconds to build the plan, seconds to judge all statuses (with every missed check counted), and
tasks judged per second.

    .venv/bin/python bench/bench_tasks.py --sizes 1000,10000 --days 30
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import make_document  # noqa: E402

from dualprev_core.investigation import build_plan  # noqa: E402
from dualprev_core.loading.enterprise import parse_enterprise  # noqa: E402

CST = timezone(timedelta(hours=8))
FREQUENCIES = (("2h", 2), ("shift", 8), ("daily", 24), ("twice-daily", 12), ("weekly", 168), ("monthly", 730))


def enterprise(n_risks: int, days: int, coverage: float, seed: int) -> tuple[object, datetime]:
    rnd = random.Random(seed)
    doc = make_document(n_risks, seed=seed)
    start = datetime(2026, 11, 1, tzinfo=CST)
    people = {p["id"]: [f"{p['id']}-a", f"{p['id']}-b"] for p in doc.get("posts", [])}
    for p in doc.get("posts", []):
        p["people"] = people[p["id"]]
    inspections = []
    n = 0
    for r in doc["risks"]:
        for c in r.get("controls", []):
            freq, hours = FREQUENCIES[rnd.randrange(len(FREQUENCIES))]
            item = {"id": f"I-{c['id']}", "content": "检查", "frequency": freq, "owner_level": c["owner_level"]}
            c["inspection_items"] = [item]
            t = start
            while t < start + timedelta(days=days):
                if rnd.random() < coverage:
                    n += 1
                    inspections.append({"id": f"X{n}", "item": item["id"], "result": "effective", "by": "insp",
                                        "at": (t + timedelta(hours=rnd.random() * hours * 0.9)).isoformat()})
                t += timedelta(hours=hours)
    doc["inspections"] = inspections
    return parse_enterprise(doc), start + timedelta(days=days)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000", help="numbers of risks, comma-separated")
    ap.add_argument("--days", type=int, default=30, help="days of recorded inspections")
    ap.add_argument("--coverage", type=float, default=0.9, help="share of windows that got their check")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    print(f"{'risks':>8} {'tasks':>8} {'inspections':>12} {'plan s':>8} {'status s':>9} {'tasks/s':>10} {'missed':>9}")
    for size in (int(s) for s in args.sizes.split(",")):
        e, at = enterprise(size, args.days, args.coverage, args.seed)
        t0 = time.perf_counter()
        plan = build_plan(e)  # type: ignore[arg-type]
        t1 = time.perf_counter()
        statuses = plan.status(at, since=at - timedelta(days=args.days))
        t2 = time.perf_counter()
        missed = sum(s.missed_count for s in statuses)
        print(f"{size:>8} {len(plan.tasks):>8} {len(e.inspections):>12} {t1 - t0:>8.2f} {t2 - t1:>9.2f} "  # type: ignore[attr-defined]
              f"{len(plan.tasks) / max(t2 - t1, 1e-9):>10.0f} {missed:>9}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
