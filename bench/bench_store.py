"""Event-store benchmark: append throughput against raw inserts, open-and-assess against the file.

Usage::

    python bench/bench_store.py [--quick] [--sizes 10000,100000] [--events 20000] [--batch 500]
                                [--backends sqlite,postgresql] [--pg URL] [--dir DIR] [--json FILE]
                                [--parts append,open] [--strict]

Printed, side by side in one run:

* **append** (per backend): events/s of ``Store.append`` — canonical JSON, SHA-256 chain, the
  optimistic version check and the head update, ``--batch`` events per transaction — against a
  raw ``executemany`` of the *same rows* (same columns, same payload text, same primary key) into a
  plain table on the same connection settings (SQLite WAL ``synchronous=FULL``; PostgreSQL
  ``synchronous_commit=on``), also ``--batch`` rows per transaction.  Target: ratio ≥ 0.5.
  A second line does the same with one event per transaction (each commit waits for fsync).
* **open-and-assess** (per size, per backend): from the store — ``open_store`` + ``load`` (latest
  snapshot, register, tail) + ``assessment()`` — against building the ``Assessment`` from the
  files — ``load_enterprise`` of the JSON enterprise file + the JSON-lines ledger holding the same
  hidden-danger events.  Packs are loaded once, outside both timings.  Target: ratio ≤ 1.5.

The PostgreSQL backend needs a server: ``--pg URL`` or ``DUALPREV_TEST_POSTGRES`` (``source
.ci/postgres.sh`` starts a throwaway one); without it the PostgreSQL lines are left out, saying so.
Timings are wall-clock on whatever else the machine is doing.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synthetic import make_document  # noqa: E402

from dualprev_core.assessment.assessment import Assessment  # noqa: E402
from dualprev_core.hidden_dangers.ledger import Ledger  # noqa: E402
from dualprev_core.loading.enterprise import CHINA_STANDARD_TIME, load_enterprise  # noqa: E402
from dualprev_core.model.records import Inspection  # noqa: E402
from dualprev_core.model.vocabulary import InspectionResult  # noqa: E402
from dualprev_core.packs import load_packs  # noqa: E402
from dualprev_core.store import open_store  # noqa: E402
from dualprev_core.store._backends import connect  # noqa: E402
from dualprev_core.store._canonical import canonical_json  # noqa: E402
from dualprev_core.store.records import ledger_event  # noqa: E402

TARGET_APPEND_RATIO = 0.5
TARGET_OPEN_RATIO = 1.5
_T0 = datetime(2026, 11, 1, 8, 0, tzinfo=CHINA_STANDARD_TIME)


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _timed(fn: Callable[[], Any], repeats: int = 1) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeats):
        result = None
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


# ---------------------------------------------------------------- URLs per backend


class Target:
    """A fresh store location per measurement: a new SQLite file, or a new PostgreSQL schema."""

    def __init__(self, backend: str, workdir: Path, pg: str | None) -> None:
        self.backend, self.workdir, self.pg = backend, workdir, pg
        self._schemas: list[str] = []

    def fresh(self) -> str:
        if self.backend == "sqlite":
            return str(self.workdir / f"s-{uuid.uuid4().hex[:8]}.db")
        import psycopg

        assert self.pg is not None
        schema = f"dualprev_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(self.pg, autocommit=True) as c:
            c.execute(f"CREATE SCHEMA {schema}")
        self._schemas.append(schema)
        return f"{self.pg}{'&' if '?' in self.pg else '?'}options=-csearch_path%3D{schema}"

    def cleanup(self) -> None:
        if self.backend != "postgresql" or not self._schemas:
            return
        import psycopg

        with psycopg.connect(str(self.pg), autocommit=True) as c:
            for s in self._schemas:
                c.execute(f"DROP SCHEMA {s} CASCADE")


# ---------------------------------------------------------------- append


def _hd_events(n: int) -> list[Any]:
    ledger = Ledger()
    for i in range(n):
        ledger.report(control_id=f"C-{i % 997}", hd_id=f"HD-{i}", finding="failed", source=f"inspection:I-{i}",
                      description="联锁被强制旁路，未办理审批手续" + "。" * (i % 20), owner_level="post", post="P-1",
                      risk_ids=[f"R-{i % 997}"], by="周杰", at=_T0 + timedelta(minutes=i))
    return [ledger_event(e) for e in ledger.events]


def bench_append(target: Target, n: int, batch: int, repeats: int = 5) -> dict[str, float]:
    """Best of ``repeats``, store and raw interleaved (each repeat on a new stream / new rows)."""
    events = _hd_events(n)
    out: dict[str, float] = {}
    for label, size, count in (("batch", batch, n), ("single", 1, min(n, 300))):
        evs = events[:count]
        store = open_store(target.fresh())
        raw = connect(target.fresh(), create=True)
        raw.execute("CREATE TABLE raw_events (stream TEXT NOT NULL, seq BIGINT NOT NULL, kind TEXT NOT NULL, actor TEXT NOT NULL, "
                    "at TEXT NOT NULL, recorded_at TEXT NOT NULL, data TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL, "
                    "PRIMARY KEY (stream, seq))")
        now = datetime.now(CHINA_STANDARD_TIME).isoformat()
        payloads = [canonical_json(e.data) for e in evs]
        t_store = t_raw = float("inf")
        for rep in range(repeats):
            stream = f"E{rep}"
            # the same rows, raw: same columns and payload text, a dummy hash, no chain, no version check
            rows = [(stream, i + 1, e.kind, e.actor, e.at.isoformat(), now, d, "0" * 64, "f" * 64) for i, (e, d) in enumerate(zip(evs, payloads, strict=True))]

            def run_store(stream: str = stream, store: Any = store, size: int = size, evs: list[Any] = evs) -> None:
                v = 0
                for i in range(0, len(evs), size):
                    v = store.append(stream, evs[i:i + size], expected_version=v).version

            def run_raw(rows: list[Any] = rows, size: int = size, raw: Any = raw) -> None:
                for i in range(0, len(rows), size):
                    with raw.write():
                        raw.executemany("INSERT INTO raw_events (stream, seq, kind, actor, at, recorded_at, data, prev_hash, hash) "
                                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows[i:i + size])

            t_store = min(t_store, _timed(run_store)[0])
            t_raw = min(t_raw, _timed(run_raw)[0])
        store.close()
        raw.close()
        out[f"{label}_store_eps"] = count / t_store
        out[f"{label}_raw_eps"] = count / t_raw
        out[f"{label}_ratio"] = t_raw / t_store
        out[f"{label}_size"] = size
        out[f"{label}_count"] = count
    return out


# ---------------------------------------------------------------- open and assess


def bench_open(target: Target, n: int, workdir: Path, packs: Any, hd_fraction: float = 0.01) -> dict[str, float]:
    doc = make_document(n, seed=1)
    efile = workdir / f"e{n}.json"
    efile.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    # a realistic history: failed inspections on 1 % of the controls, recorded in the store and in a ledger file
    e = load_enterprise(efile, packs=packs)
    controls = [c.id for c in e.controls][:: max(1, int(1 / hd_fraction))]
    inspections = [Inspection(id=f"I-{i}", control=c, result=InspectionResult.FAILED, by="周杰", at=_T0 + timedelta(minutes=i))
                   for i, c in enumerate(controls)]
    url = target.fresh()
    store = open_store(url)
    store.import_register(efile, actor="bench", packs=packs)
    state = store.load(packs=packs)
    for insp in inspections:
        state.record_inspection(insp)
    state.save()
    store.snapshot()
    lfile = workdir / f"l{n}.jsonl"
    state.ledger.to_jsonl(lfile)
    events = len(state.ledger.events)
    store.close()
    del state, e
    repeats = 3 if n <= 20000 else 2

    def from_files() -> Any:
        ent = load_enterprise(efile, packs=packs)
        led = Ledger.from_jsonl(lfile)
        return Assessment(ent, packs=packs, ledger=led, replay_inspections=False).current_levels()

    def from_store() -> Any:
        with open_store(url, create=False) as s:
            return s.load(packs=packs).assessment().current_levels()

    # alternated, best of each: a burst of load on a shared machine then hits both sides alike
    t_file = t_store = float("inf")
    levels_file = levels_store = None
    for _ in range(repeats):
        t, levels_file = _timed(from_files)
        t_file = min(t_file, t)
        t, levels_store = _timed(from_store)
        t_store = min(t_store, t)
    assert levels_file == levels_store, "the store and the files disagree"
    return {"risks": n, "hd_events": events, "file_s": t_file, "store_s": t_store, "ratio": t_store / t_file}


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", default="10000,100000")
    p.add_argument("--events", type=int, default=20000)
    p.add_argument("--batch", type=int, default=500)
    p.add_argument("--backends", default="sqlite,postgresql")
    p.add_argument("--pg", default=os.environ.get("DUALPREV_TEST_POSTGRES"))
    p.add_argument("--dir", type=Path, default=None, help="where SQLite files and inputs go (default: a temporary directory)")
    p.add_argument("--quick", action="store_true", help="sizes 2000,10000 and 5000 events")
    p.add_argument("--json", type=Path)
    p.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    p.add_argument("--parts", default="append,open", help="which comparisons to run: append, open or both")
    a = p.parse_args(argv)
    sizes = [2000, 10000] if a.quick else [int(x) for x in a.sizes.split(",")]
    n_events = 5000 if a.quick else a.events
    backends = [b for b in a.backends.split(",") if b]
    if "postgresql" in backends and not a.pg:
        print("postgresql: left out (no server: give --pg URL or set DUALPREV_TEST_POSTGRES; source .ci/postgres.sh starts one)")
        backends.remove("postgresql")
    tmp = tempfile.TemporaryDirectory(dir=a.dir)
    workdir = Path(tmp.name)
    packs = load_packs()
    results: dict[str, Any] = {"append": {}, "open": {}}
    missed = []
    parts = set(a.parts.split(","))
    print(f"{'append':<12} {'backend':<11} {'per txn':>7} {'events':>7} {'store ev/s':>11} {'raw ev/s':>10} {'ratio':>6}  target ≥ {TARGET_APPEND_RATIO}")
    for be in backends if "append" in parts else []:
        target = Target(be, workdir, a.pg)
        try:
            _say(f"append: {be} …")
            r = bench_append(target, n_events, a.batch)
        finally:
            target.cleanup()
        results["append"][be] = r
        for label in ("batch", "single"):
            ok = r[f"{label}_ratio"] >= TARGET_APPEND_RATIO
            if label == "batch" and not ok:
                missed.append(f"append {be}")
            print(f"{'':<12} {be:<11} {r[f'{label}_size']:>7} {r[f'{label}_count']:>7} {r[f'{label}_store_eps']:>11,.0f} "
                  f"{r[f'{label}_raw_eps']:>10,.0f} {r[f'{label}_ratio']:>6.2f}" + ("" if ok else "  (below target)"))
    print()
    print(f"{'open+assess':<12} {'backend':<11} {'risks':>7} {'hd ev':>7} {'from store':>11} {'from file':>10} {'ratio':>6}  target ≤ {TARGET_OPEN_RATIO}")
    for be in backends if "open" in parts else []:
        for n in sizes:
            target = Target(be, workdir, a.pg)
            try:
                _say(f"open+assess: {be}, {n} risks …")
                r = bench_open(target, n, workdir, packs)
            finally:
                target.cleanup()
            results["open"][f"{be}:{n}"] = r
            ok = r["ratio"] <= TARGET_OPEN_RATIO
            if not ok:
                missed.append(f"open {be} {n}")
            print(f"{'':<12} {be:<11} {n:>7} {r['hd_events']:>7} {r['store_s']:>10.2f}s {r['file_s']:>9.2f}s {r['ratio']:>6.2f}"
                  + ("" if ok else "  (above target)"))
    tmp.cleanup()
    if a.json:
        a.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    if missed:
        print(f"\ntargets missed: {', '.join(missed)}")
    return 1 if a.strict and missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
