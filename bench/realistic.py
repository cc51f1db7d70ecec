"""Deterministic *realistic* enterprises for benchmarks (format ``dualprev-enterprise/1``).

Real enterprises share controls: a team's procedure covers its unit, a workshop's interlock
covers hundreds of risks, company-wide training and the emergency plan cover all of them.
:func:`make_document` builds that shape (plain Python data, as a decoded JSON/YAML file would
be); :func:`make_enterprise` passes it through the full validation path.  The same arguments
always give the same document (everything random comes from one ``random.Random(seed)``).

Shape for ``n`` risks (about ``risks_per_leaf`` = 25 risks per leaf area)::

    company C0                                              depth 1
      └─ sites S0 … S(s-1)           s ≈ ∛(leaves / 8), ≥ 1   depth 2
           └─ workshops W*           ≈ 4 per site              depth 3
                └─ units U*          ≈ √(leaves) per workshop… depth 4 (a leaf for ~half of them)
                     └─ sections X*  2–3 per unit for the rest  depth 5

* every leaf area has 3–8 **risk points** (place / installation / activity), each with 1–3
  **hazards** (a GB/T 13861 factor class); each risk sits on a risk point of its leaf area and
  names 1–2 of its hazards (half of the risks also name their area explicitly);
* methods mixed: lec 40 %, ls 30 %, mes 15 %, matrix 15 %; inputs drawn from each method's
  published scale; ~20 % state an ``inherent_level`` at or above their assessed level;
* **own controls**: 1–6 per risk (uniform), ~25 % critical, ~30 % with ``on_failure`` raising
  one input, ~5 % ``also_mitigates`` another risk of the same leaf area;
* **shared controls** (top-level ``controls`` with ``mitigates``): two per leaf area (the
  team's operating procedure and shift inspection), one per workshop (an interlock system,
  critical), two company-wide (safety training; the emergency plan, critical);
* **inspection items**: 1–2 on every shared control, one on about half of the own controls;
* **posts with people**: 2–4 posts per workshop, 2–5 people each; ~80 % of controls name a
  post of their workshop.

``industry`` defaults to ``machinery``, which no bundled pack claims, so installed packs'
criteria do not apply (``industry="chemical"`` lets the chemical pack's criteria run).
``python bench/realistic.py 10000 -o /tmp/e10k.json`` writes one as JSON.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

try:
    import dualprev_core  # noqa: F401
except ImportError:  # running from a checkout without an installed package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from dualprev_core.grading import core_methods
from dualprev_core.model.levels import RiskLevel

__all__ = ["make_document", "make_enterprise", "Shape", "FORMAT"]

FORMAT = "dualprev-enterprise/1"

_METHOD_WEIGHTS = (("lec", 40), ("ls", 30), ("mes", 15), ("matrix", 15))
_CATEGORIES = ("火灾", "中毒", "窒息", "机械致害", "高处坠落", "触电", "容器爆炸", "灼烫", "坍塌", "物体打击", "起重致害", "可燃气体爆炸")
_OWN_KINDS = ("engineering", "management", "ppe", "training", "emergency")
_OWN_OWNERS = ("post", "team", "workshop")
_RP_KINDS = ("place", "installation", "activity")
_FACTORS = ("11", "12", "21", "22", "23", "31", "32", "33", "39", "41", "42", "43", "44", "45", "49")
_FREQUENCIES = ("2h", "shift", "daily", "weekly", "monthly", "quarterly")
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"


class Shape:
    """What :func:`make_document` built: ids by tier, for benchmarks to pick from."""

    def __init__(self) -> None:
        self.leaves: list[str] = []
        self.workshops: list[str] = []
        self.own_controls: list[str] = []
        self.leaf_controls: list[str] = []
        self.workshop_controls: list[str] = []
        self.company_controls: list[str] = []
        self.depth: dict[str, int] = {}


def _num(v: float) -> float | int:
    return int(v) if float(v).is_integer() else v


def _scales() -> tuple[dict[str, Any], dict[str, list[tuple[str, tuple[float | int, ...]]]]]:
    methods = {m.name: m for m in core_methods()}
    params = {name: [(p.name, tuple(_num(a) for a in p.allowed)) for p in m.parameters] for name, m in methods.items()}
    return methods, params


def make_document(
    n_risks: int,
    *,
    seed: int = 0,
    risks_per_leaf: int = 25,
    industry: str = "machinery",
    shape: Shape | None = None,
) -> dict[str, Any]:
    """A valid enterprise document with ``n_risks`` risks in the realistic shape (module doc).

    :param shape: if given, filled with the ids of the areas and controls by tier.
    """
    if not isinstance(n_risks, int) or n_risks < 1:
        raise ValueError(f"n_risks must be a positive integer (got {n_risks!r})")
    rng = random.Random(seed)
    rand, randrange, choice = rng.random, rng.randrange, rng.choice
    methods, params_of = _scales()
    memo: dict[tuple[str, tuple[Any, ...]], RiskLevel] = {}
    sh = shape if shape is not None else Shape()

    def level(method: str, inputs: dict[str, Any]) -> RiskLevel:
        key = (method, tuple(inputs.values()))
        lvl = memo.get(key)
        if lvl is None:
            lvl = memo[key] = methods[method].grade(inputs).level
        return lvl

    # -- areas: company → sites → workshops → units (→ sections)
    n_leaves = max(1, round(n_risks / risks_per_leaf))
    n_sites = max(1, round((n_leaves / 8) ** (1 / 3)))
    n_workshops = max(n_sites, round(n_sites * 4))
    # units per workshop such that ~half the units are leaves and the rest hold 2.5 sections
    n_units = max(n_workshops, round(n_leaves / 1.75))
    areas: list[dict[str, Any]] = [{"id": "C0", "name": "公司", "kind": "company"}]
    sh.depth["C0"] = 1
    for s in range(n_sites):
        areas.append({"id": f"S{s}", "name": f"厂区{s}", "parent": "C0", "kind": "site"})
        sh.depth[f"S{s}"] = 2
    ws_of_area: dict[str, str] = {}
    for w in range(n_workshops):
        wid = f"W{w}"
        areas.append({"id": wid, "name": f"车间{w}", "parent": f"S{w % n_sites}", "kind": "workshop"})
        sh.workshops.append(wid)
        sh.depth[wid] = 3
    leaves_left = n_leaves
    for u in range(n_units):
        uid, wid = f"U{u}", f"W{u % n_workshops}"
        areas.append({"id": uid, "name": f"装置{u}", "parent": wid, "kind": "unit"})
        sh.depth[uid] = 4
        units_left = n_units - u
        # sections when there are more leaves to place than units left
        n_sec = 0 if leaves_left <= units_left else min(leaves_left - units_left + 1, 2 + randrange(2))
        if n_sec >= 2:
            for x in range(n_sec):
                xid = f"{uid}X{x}"
                areas.append({"id": xid, "name": f"{uid}工段{x}", "parent": uid, "kind": "section"})
                sh.depth[xid] = 5
                sh.leaves.append(xid)
                ws_of_area[xid] = wid
            leaves_left -= n_sec
        else:
            sh.leaves.append(uid)
            ws_of_area[uid] = wid
            leaves_left -= 1
    leaves = sh.leaves

    # -- posts with people, per workshop
    posts: list[dict[str, Any]] = []
    posts_of_ws: dict[str, list[str]] = {w: [] for w in sh.workshops}
    for w in sh.workshops:
        for p in range(2 + randrange(3)):
            pid = f"{w}P{p}"
            people = [choice(_SURNAMES) + choice(_GIVEN) + (choice(_GIVEN) if rand() < 0.5 else "") for _ in range(2 + randrange(4))]
            posts.append({"id": pid, "name": f"{w}岗位{p}", "area": w, "owner_level": "post", "people": people})
            posts_of_ws[w].append(pid)

    def post_of(area: str) -> str | None:
        ps = posts_of_ws[ws_of_area[area]]
        return ps[randrange(len(ps))] if rand() < 0.8 else None

    # -- risk points and hazards, per leaf
    risk_points: list[dict[str, Any]] = []
    hazards: list[dict[str, Any]] = []
    rps_of_leaf: dict[str, list[str]] = {}
    hazards_of_rp: dict[str, list[str]] = {}
    for leaf in leaves:
        rps = rps_of_leaf[leaf] = []
        for k in range(3 + randrange(6)):
            rpid = f"{leaf}R{k}"
            kind = _RP_KINDS[randrange(3)]
            risk_points.append({"id": rpid, "name": f"{leaf}风险点{k}", "area": leaf, "kind": kind})
            rps.append(rpid)
            hs = hazards_of_rp[rpid] = []
            for h in range(1 + randrange(3)):
                hid = f"{rpid}H{h}"
                hazards.append({"id": hid, "name": f"{rpid}危险源{h}", "factor": _FACTORS[randrange(len(_FACTORS))], "risk_point": rpid})
                hs.append(hid)

    # -- risks with their own controls
    method_table = [name for name, weight in _METHOD_WEIGHTS for _ in range(weight)]
    level_above = {lvl: [x.key for x in RiskLevel if x >= lvl] for lvl in RiskLevel}
    risks_of_leaf: dict[str, list[str]] = {leaf: [] for leaf in leaves}
    risk_docs: list[dict[str, Any]] = []
    for i in range(n_risks):
        leaf = leaves[i * len(leaves) // n_risks]  # risks fill the leaves in order, evenly
        rps = rps_of_leaf[leaf]
        rp = rps[randrange(len(rps))]
        method = method_table[randrange(100)]
        params = params_of[method]
        inputs = {name: allowed[randrange(len(allowed))] for name, allowed in params}
        rid = f"K{i}"
        hs = hazards_of_rp[rp]
        risk: dict[str, Any] = {"id": rid, "name": f"风险{i}", "risk_point": rp}
        if rand() < 0.5:
            risk["area"] = leaf
        risk.update({
            "hazards": sorted({hs[randrange(len(hs))] for _ in range(1 + randrange(2))}),
            "category": _CATEGORIES[randrange(len(_CATEGORIES))],
            "method": method,
            "inputs": inputs,
        })
        if rand() < 0.2:
            risk["inherent_level"] = choice(level_above[level(method, inputs)])
        earlier = risks_of_leaf[leaf]
        controls: list[dict[str, Any]] = []
        for j in range(1 + randrange(6)):
            cid = f"K{i}C{j}"
            c: dict[str, Any] = {"id": cid, "name": f"措施{i}-{j}", "kind": _OWN_KINDS[randrange(5)], "owner_level": _OWN_OWNERS[randrange(3)]}
            post = post_of(leaf)
            if post:
                c["post"] = post
            if rand() < 0.25:
                c["critical"] = True
            if rand() < 0.3:
                name, allowed = params[randrange(len(params))]
                above = [v for v in allowed if v >= inputs[name]]
                c["on_failure"] = {name: above[randrange(len(above))]}
            elif earlier and rand() < 0.05:
                c["also_mitigates"] = [earlier[randrange(len(earlier))]]
            if rand() < 0.5:
                c["inspection_items"] = [{"id": f"{cid}I", "content": f"检查{cid}", "frequency": _FREQUENCIES[randrange(len(_FREQUENCIES))]}]
            controls.append(c)
            sh.own_controls.append(cid)
        risk["controls"] = controls
        earlier.append(rid)
        risk_docs.append(risk)

    # -- shared controls: per leaf area, per workshop, company-wide
    def items(cid: str) -> list[dict[str, Any]]:
        return [{"id": f"{cid}I{k}", "content": f"检查{cid}-{k}", "frequency": _FREQUENCIES[randrange(len(_FREQUENCIES))]}
                for k in range(1 + randrange(2))]

    shared: list[dict[str, Any]] = []
    for leaf in leaves:
        covered = risks_of_leaf[leaf]
        if not covered:
            continue
        for k, (name, kind) in enumerate((("班组操作规程", "management"), ("交接班巡检", "management"))):
            cid = f"{leaf}T{k}"
            c = {"id": cid, "name": f"{leaf}{name}", "kind": kind, "owner_level": "team", "mitigates": list(covered), "inspection_items": items(cid)}
            post = post_of(leaf)
            if post:
                c["post"] = post
            shared.append(c)
            sh.leaf_controls.append(cid)
    in_ws: dict[str, list[str]] = {w: [] for w in sh.workshops}
    for leaf in leaves:
        in_ws[ws_of_area[leaf]] += risks_of_leaf[leaf]
    for w in sh.workshops:
        if not in_ws[w]:
            continue
        cid = f"{w}L"
        shared.append({"id": cid, "name": f"{w}安全联锁系统", "kind": "engineering", "owner_level": "workshop", "critical": True,
                       "post": posts_of_ws[w][0], "mitigates": list(in_ws[w]), "inspection_items": items(cid)})
        sh.workshop_controls.append(cid)
    everything = [r["id"] for r in risk_docs]
    for cid, name, kind, critical in (("CO-TRAIN", "全员安全教育培训", "training", False), ("CO-EPLAN", "生产安全事故应急预案", "emergency", True)):
        c = {"id": cid, "name": name, "kind": kind, "owner_level": "company", "mitigates": everything, "inspection_items": items(cid)}
        if critical:
            c["critical"] = True
        shared.append(c)
        sh.company_controls.append(cid)

    return {
        "format": FORMAT,
        "enterprise": {"id": f"REAL-{n_risks}-{seed}", "name": f"仿真企业 ({n_risks} risks)", "industry": industry},
        "areas": areas,
        "posts": posts,
        "risk_points": risk_points,
        "hazards": hazards,
        "risks": risk_docs,
        "controls": shared,
    }


def make_enterprise(n_risks: int, *, seed: int = 0, **kwargs: Any) -> Any:
    """:func:`make_document` validated and built by :func:`~dualprev_core.loading.enterprise.parse_enterprise`."""
    from dualprev_core.loading.enterprise import parse_enterprise

    return parse_enterprise(make_document(n_risks, seed=seed, **kwargs), source=f"realistic:{n_risks}:seed={seed}")


def describe(doc: dict[str, Any], shape: Shape) -> str:
    """One paragraph of counts, to print under a bench table."""
    own = sum(len(r.get("controls", [])) for r in doc["risks"])
    items = sum(len(c.get("inspection_items", [])) for r in doc["risks"] for c in r.get("controls", []))
    items += sum(len(c.get("inspection_items", [])) for c in doc["controls"])
    depths = [shape.depth[a] for a in shape.leaves]
    cover = [len(c["mitigates"]) for c in doc["controls"]]
    return (f"{len(doc['risks']):,} risks, {len(doc['areas']):,} areas (leaves at depth {min(depths)}–{max(depths)}), "
            f"{len(doc['risk_points']):,} risk points, {len(doc['hazards']):,} hazards, {own:,} own controls "
            f"({own / len(doc['risks']):.1f}/risk) + {len(doc['controls']):,} shared (covering {min(cover)}–{max(cover)} risks), "
            f"{items:,} inspection items, {len(doc['posts']):,} posts with {sum(len(p['people']) for p in doc['posts']):,} people")


def _main(argv: list[str] | None = None) -> int:
    import argparse
    import json

    ap = argparse.ArgumentParser(description="Write a realistic enterprise document (JSON) to stdout or a file.")
    ap.add_argument("n_risks", type=int)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--industry", default="machinery")
    ap.add_argument("-o", "--output", default="-")
    args = ap.parse_args(argv)
    shape = Shape()
    doc = make_document(args.n_risks, seed=args.seed, industry=args.industry, shape=shape)
    print(describe(doc, shape), file=sys.stderr)
    text = json.dumps(doc, ensure_ascii=False)
    if args.output == "-":
        sys.stdout.write(text + "\n")
    else:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
