"""Deterministic synthetic enterprises for benchmarks (format ``dualprev-enterprise/1``).

:func:`make_document` builds the document (plain Python data, as a decoded YAML/JSON file would
be); :func:`make_enterprise` passes it through :func:`dualprev_core.loading.enterprise.parse_enterprise`, the full
validation path a user's file takes.  The same arguments always give the same document
(everything random comes from one ``random.Random(seed)``).

Shape, for ``n`` risks and ``k`` controls per risk::

    plant P0
      └─ workshops W0 … W(w-1)              w ≈ √units
           └─ units U0 … U(u-1)             u ≈ n / 50 (or ``areas=``)
                └─ risks R0 … R(n-1)        spread uniformly over the units
                     └─ controls Ri_0 … Ri_(k-1)

* methods mixed: lec 40 %, ls 30 %, mes 15 %, matrix 15 %; inputs drawn from each method's
  published scale (so every risk grades), ~20 % of risks state an ``inherent_level`` at or above
  their assessed level;
* controls: ~30 % critical, ~30 % with ``on_failure`` raising one input (to a value on the scale,
  never below the assessed one), ~10 % ``also_mitigates`` one or two earlier risks of the same
  unit (only controls without ``on_failure``); most are owned by a post of their workshop (one post per two units).

Generating 100 000 risks with k = 3 takes about a second; validating them takes much longer
(see ``bench_core.py``).

    >>> doc = make_document(1000, controls_per_risk=3, seed=1)
    >>> e = make_enterprise(1000, seed=1)
"""

from __future__ import annotations

import math
import random
import sys
from pathlib import Path
from typing import Any

try:
    import dualprev_core  # noqa: F401
except ImportError:  # running from a checkout without an installed package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from dualprev_core.grading import core_methods
from dualprev_core.loading.enterprise import parse_enterprise
from dualprev_core.model.levels import RiskLevel
from dualprev_core.model.records import Enterprise

__all__ = ["make_document", "make_enterprise", "FORMAT"]

FORMAT = "dualprev-enterprise/1"

_METHOD_WEIGHTS = (("lec", 40), ("ls", 30), ("mes", 15), ("matrix", 15))
_CATEGORIES = ("火灾", "中毒", "窒息", "机械致害", "高处坠落", "触电", "容器爆炸", "灼烫", "坍塌", "物体打击", "起重致害", "可燃气体爆炸")
_KINDS = ("engineering", "management", "ppe", "training", "emergency")
_OWNERS = ("post", "team", "workshop", "company")
_OWNER_WEIGHTS = (50, 25, 15, 10)
_LEVEL_KEYS = {lvl: lvl.key for lvl in RiskLevel}


class _Scales:
    """Per-method parameter scales and a memo of the assessed level of each input combination."""

    def __init__(self) -> None:
        self.methods = {m.name: m for m in core_methods()}
        self.params = {name: [(p.name, tuple(_num(a) for a in p.allowed)) for p in m.parameters] for name, m in self.methods.items()}
        self._levels: dict[tuple[str, tuple[Any, ...]], RiskLevel] = {}

    def level(self, method: str, inputs: dict[str, Any]) -> RiskLevel:
        key = (method, tuple(inputs.values()))
        lvl = self._levels.get(key)
        if lvl is None:
            lvl = self._levels[key] = self.methods[method].grade(inputs).level
        return lvl


_SCALES: _Scales | None = None


def _scales() -> _Scales:
    global _SCALES
    if _SCALES is None:
        _SCALES = _Scales()
    return _SCALES


def _num(v: float) -> float | int:
    return int(v) if float(v).is_integer() else v


def make_document(
    n_risks: int,
    controls_per_risk: int = 3,
    *,
    areas: int | None = None,
    seed: int = 0,
    critical_share: float = 0.3,
    on_failure_share: float = 0.3,
    also_mitigates_share: float = 0.1,
    inherent_share: float = 0.2,
    posts: bool = True,
) -> dict[str, Any]:
    """A valid enterprise document with ``n_risks`` risks and ``controls_per_risk`` controls each.

    :param areas: number of units (leaf areas); default ``max(1, round(n_risks / 50))``.
    :param seed: seed of the ``random.Random`` all choices come from.
    :param posts: create posts (one per two units, at least one per workshop) and let ~80 % of
        controls name one.
    """
    if not isinstance(n_risks, int) or n_risks < 0:
        raise ValueError(f"n_risks must be a non-negative integer (got {n_risks!r})")
    if not isinstance(controls_per_risk, int) or controls_per_risk < 0:
        raise ValueError(f"controls_per_risk must be a non-negative integer (got {controls_per_risk!r})")
    rng = random.Random(seed)
    sc = _scales()
    rand, randrange, choice = rng.random, rng.randrange, rng.choice

    n_units = areas if areas is not None else max(1, round(n_risks / 50))
    if n_units < 1:
        raise ValueError(f"areas must be at least 1 (got {areas!r})")
    n_workshops = max(1, round(math.sqrt(n_units)))
    area_docs: list[dict[str, Any]] = [{"id": "P0", "name": "厂区", "kind": "plant"}]
    area_docs += [{"id": f"W{w}", "name": f"车间{w}", "parent": "P0", "kind": "workshop"} for w in range(n_workshops)]
    unit_ws = [u % n_workshops for u in range(n_units)]
    area_docs += [{"id": f"U{u}", "name": f"单元{u}", "parent": f"W{unit_ws[u]}", "kind": "unit"} for u in range(n_units)]

    post_docs: list[dict[str, Any]] = []
    posts_of_ws: list[list[str]] = [[] for _ in range(n_workshops)]
    if posts:
        n_posts = max(n_workshops, n_units // 2)
        for p in range(n_posts):
            w = p % n_workshops
            post_docs.append({"id": f"S{p}", "name": f"岗位{p}", "area": f"W{w}", "owner_level": "post"})
            posts_of_ws[w].append(f"S{p}")

    # Methods drawn by weight: a table of 100 slots.
    method_table = [name for name, weight in _METHOD_WEIGHTS for _ in range(weight)]
    owner_table = [name for name, weight in zip(_OWNERS, _OWNER_WEIGHTS, strict=True) for _ in range(weight)]
    level_above = {lvl: [x.key for x in RiskLevel if x >= lvl] for lvl in RiskLevel}
    risks_in_unit: list[list[str]] = [[] for _ in range(n_units)]
    risk_docs: list[dict[str, Any]] = []
    for i in range(n_risks):
        method = method_table[randrange(100)]
        params = sc.params[method]
        inputs = {name: allowed[randrange(len(allowed))] for name, allowed in params}
        unit = randrange(n_units)
        rid = f"R{i}"
        risk: dict[str, Any] = {
            "id": rid,
            "name": f"风险{i}",
            "area": f"U{unit}",
            "category": _CATEGORIES[randrange(len(_CATEGORIES))],
            "method": method,
            "inputs": inputs,
        }
        if rand() < inherent_share:
            risk["inherent_level"] = choice(level_above[sc.level(method, inputs)])
        earlier = risks_in_unit[unit]
        ws_posts = posts_of_ws[unit_ws[unit]]
        controls: list[dict[str, Any]] = []
        for j in range(controls_per_risk):
            c: dict[str, Any] = {
                "id": f"C{i}_{j}",
                "name": f"措施{i}-{j}",
                "kind": _KINDS[randrange(5)],
                "owner_level": owner_table[randrange(100)],
            }
            if ws_posts and rand() < 0.8:
                c["post"] = ws_posts[randrange(len(ws_posts))]
            if rand() < critical_share:
                c["critical"] = True
            if rand() < on_failure_share:
                name, allowed = params[randrange(len(params))]
                above = [v for v in allowed if v >= inputs[name]]
                c["on_failure"] = {name: above[randrange(len(above))]}
            elif earlier and rand() < also_mitigates_share:
                # (not with on_failure: those inputs would have to fit every mitigated risk)
                picks = {earlier[randrange(len(earlier))] for _ in range(1 + randrange(2))}
                c["also_mitigates"] = sorted(picks)
            controls.append(c)
        if controls:
            risk["controls"] = controls
        earlier.append(rid)
        risk_docs.append(risk)

    doc: dict[str, Any] = {
        "format": FORMAT,
        "enterprise": {"id": f"SYN-{n_risks}-{controls_per_risk}-{seed}", "name": f"合成企业 ({n_risks} risks)", "industry": "synthetic"},
        "areas": area_docs,
    }
    if post_docs:
        doc["posts"] = post_docs
    doc["risks"] = risk_docs
    return doc


def make_enterprise(
    n_risks: int,
    controls_per_risk: int = 3,
    *,
    areas: int | None = None,
    seed: int = 0,
    **kwargs: Any,
) -> Enterprise:
    """:func:`make_document` validated and built by :func:`~dualprev_core.loading.enterprise.parse_enterprise`."""
    doc = make_document(n_risks, controls_per_risk, areas=areas, seed=seed, **kwargs)
    return parse_enterprise(doc, source=f"synthetic:{n_risks}x{controls_per_risk}:seed={seed}")


def _main(argv: list[str] | None = None) -> int:
    import argparse
    import json
    import time

    ap = argparse.ArgumentParser(description="Write a synthetic enterprise document (JSON) to stdout or a file.")
    ap.add_argument("n_risks", type=int)
    ap.add_argument("--k", type=int, default=3, help="controls per risk (default 3)")
    ap.add_argument("--areas", type=int, default=None, help="number of units (default n/50)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("-o", "--output", default="-")
    ap.add_argument("--validate", action="store_true", help="also run parse_enterprise and print timings to stderr")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    doc = make_document(args.n_risks, args.k, areas=args.areas, seed=args.seed)
    t1 = time.perf_counter()
    print(f"generated in {t1 - t0:.2f} s", file=sys.stderr)
    if args.validate:
        parse_enterprise(doc)
        print(f"validated in {time.perf_counter() - t1:.2f} s", file=sys.stderr)
    text = json.dumps(doc, ensure_ascii=False, indent=1)
    if args.output == "-":
        sys.stdout.write(text + "\n")
    else:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
