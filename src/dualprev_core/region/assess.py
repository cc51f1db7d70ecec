"""Regional assessment: every enterprise's level and warnings, every region's level, the regional lists.

:func:`assess_region` evaluates the held submissions (:mod:`dualprev_core.region.evaluate`, in this
process, a pool or on Dask), places each enterprise in the region tree (the region file's placement,
else its submission's REGION as a region id or unique name), and aggregates up the tree: a region's
counts include the regions below it, its level follows the rules' region method (``highest`` by
default: the highest enterprise level in it — dualprev's rule, no source fixes one).  It also lists
the regional major-risk database (every enterprise's 重大风险) and the overdue major hidden dangers.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from dualprev_core.errors import UnknownReference, suggest
from dualprev_core.region.database import RegionDB
from dualprev_core.region.evaluate import EvaluationConfig
from dualprev_core.region.rules import RegionalRules
from dualprev_core.region.tree import RegionTree

__all__ = ["assess_region", "region_levels", "UNPLACED"]

#: The pseudo-region of enterprises the tree does not place.
UNPLACED = "(unplaced)"
_ORDER = ("major", "large", "general", "low")
_ZH = {"major": "重大", "large": "较大", "general": "一般", "low": "低"}


def _region_level(counts: Mapping[str, int], rules: RegionalRules, method: str) -> tuple[str | None, str]:
    spec = rules.region_methods[method]
    total = sum(counts.get(k, 0) for k in _ORDER)
    if total == 0:
        return None, "辖区内无已定级企业"
    if method == "highest":
        lvl = next(k for k in _ORDER if counts.get(k, 0))
        return lvl, f"{spec['text']}：{total} 家企业中最高为{_ZH[lvl]}（{counts[lvl]} 家）"
    red = counts.get("major", 0) / total
    orange = red + counts.get("large", 0) / total
    yellow = orange + counts.get("general", 0) / total
    if red >= spec["red_share"]:
        lvl = "major"
    elif orange >= spec["orange_share"]:
        lvl = "large"
    elif yellow >= spec["yellow_share"]:
        lvl = "general"
    else:
        lvl = "low"
    return lvl, f"{spec['text']}：红 {red:.0%}，红橙 {orange:.0%}，红橙黄 {yellow:.0%} → {_ZH[lvl]}"


def region_levels(rows: Iterable[Mapping[str, Any]], tree: RegionTree, rules: RegionalRules, method: str | None = None) -> list[dict[str, Any]]:
    """Each region's counts (itself and below) and level by ``method`` (default: the rules' default)."""
    method = method or rules.region_default
    if method not in rules.region_methods:
        raise UnknownReference(f"unknown region level method {method!r}; known: {', '.join(rules.region_methods)}{suggest(method, rules.region_methods)}")
    per: dict[str, Counter[str]] = {r.id: Counter() for r in tree}
    per[UNPLACED] = Counter()
    for row in rows:
        targets = tree.ancestors(row["region"]) if row.get("region") in tree.regions else [UNPLACED]
        for rid in targets:
            c = per[rid]
            c["enterprises"] += 1
            if row.get("level"):
                c[row["level"]] += 1
            c["warnings"] += int(row.get("warnings") or 0)
            c["enterprises_warned"] += 1 if row.get("warnings") else 0
            c["overdue_major_hidden_dangers"] += int(row.get("overdue_major_hidden_dangers") or 0)
            c["major_risks"] += int(row.get("major_risks") or 0)
            c["major_hazards"] += int(row.get("major_hazards") or 0)
    out = []
    for rid, c in per.items():
        if rid == UNPLACED and not c:
            continue
        lvl, why = _region_level(c, rules, method)
        r = tree.regions.get(rid)
        out.append({
            "id": rid, "name": r.name if r else "未落位企业", "level_of_region": r.level if r else None, "parent": r.parent if r else None,
            "level": lvl, "level_zh": _ZH.get(lvl or ""), "method": method, "reason": why,
            "citation": rules.region_methods[method].get("citation"),
            "counts": {k: c.get(k, 0) for k in ("enterprises", *_ORDER, "warnings", "enterprises_warned", "overdue_major_hidden_dangers",
                                                "major_risks", "major_hazards")},
        })
    return out


def assess_region(db: RegionDB, *, as_of: datetime, region: str | None = None, industry_methods: Mapping[str, str] | None = None,
                  rules: RegionalRules | None = None, region_method: str | None = None, parquet: str | None = None, **how: Any) -> dict[str, Any]:
    """The regional assessment (see the module docstring); ``how`` chooses workers/scheduler/local_workers.

    :param parquet: also write the enterprise rows to this Parquet file.
    """
    from dualprev_core.region.rules import regional_rules
    from dualprev_core.region.scale import evaluate_texts, write_parquet

    rules = rules or regional_rules()
    tree = db.region_tree()
    held = db.enterprises()
    if region is not None:
        tree.get(region)
        inside = set(tree.descendants(region))
        held = [e for e in held if e["region"] in inside]
    placed = {e["credit_code"]: e["region"] for e in held}
    cfg = EvaluationConfig(as_of=as_of, industry_methods=dict(industry_methods or {}), rules=rules)
    rows = []
    for row in evaluate_texts((text for _, text in db.submission_texts(list(placed))), cfg, **how):
        row["region"] = placed.get(row["credit_code"])
        rows.append(row)
    rows.sort(key=lambda r: r["credit_code"])
    if parquet:
        write_parquet(rows, parquet)
    regions = region_levels(rows, tree, rules, region_method)
    if region is not None:
        keep = set(tree.descendants(region))
        regions = [r for r in regions if r["id"] in keep]
    codes = set(placed)
    names = {r["credit_code"]: r["name"] for r in rows}
    major_list = [{"credit_code": m["CREDIT_CODE"], "enterprise": names.get(m["CREDIT_CODE"]), "region": placed.get(m["CREDIT_CODE"]),
                   "event": m["EVENT_NAME"], "event_id": m["EVENT_ID"], "responsible": m.get("RESPONSIBLE")}
                  for m in db.records("major_risks") if m["CREDIT_CODE"] in codes]
    overdue = []
    for r in rows:
        for w in json.loads(r["warning_details"]):
            if w["kind"] == "overdue_major_hidden_danger":
                overdue.append({"credit_code": r["credit_code"], "enterprise": r["name"], "region": r["region"], "reason": w["reason"], "ids": w["evidence"]})
    enterprises = [{"id": r["credit_code"], "company_code": r["company_code"], "name": r["name"], "region": r["region"], "industry": r["industry"],
                    "level": r["level"], "level_zh": r["level_zh"], "method": r["level_method"], "reason": r["level_reason"],
                    "counts": {k: r[k] for k in ("risk_events", "major", "large", "general", "low", "major_risks", "major_hazards",
                                                 "open_hidden_dangers", "open_major_hidden_dangers", "overdue_major_hidden_dangers",
                                                 "tasks", "tasks_not_performed")},
                    "warnings": json.loads(r["warning_details"]), "lon": r["lon"], "lat": r["lat"], "standardization": r["standardization"],
                    "generated_at": r["generated_at"], "content_hash": r["content_hash"]} for r in rows]
    return {
        "format": "dualprev-region-assessment/1",
        "as_of": as_of.isoformat(),
        "region": region,
        "rules": {"version": rules.version, "warnings_citation": rules.warnings_citation.to_dict()},
        "enterprises": enterprises,
        "regions": regions,
        "major_risks": major_list,
        "overdue_major_hidden_dangers": overdue,
        "warnings": [{"credit_code": e["id"], "enterprise": e["name"], "region": e["region"], **w} for e in enterprises for w in e["warnings"]],
    }
