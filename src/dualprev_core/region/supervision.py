"""Classified supervision (分级分类监管): supervision classes from rules as data, and the inspection plan.

An enterprise falls into the first class of the chosen variant whose condition holds; conditions
test its level, industry, standardisation grade (安全生产标准化 1–3, 0 none) and record (early
warnings, overdue major hidden dangers).  Each class gives inspections per year; the interval is
365 days / that number.  An enterprise is **due** in a period when its last recorded supervision
visit plus the interval falls on or before the period's end (never visited: due at the period's
start).  The variants and their sources are in ``data/regional-rules.yaml``: dualprev's default
(stated as ours — no national table was found) and provincial variants, marked unverified.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from dualprev_core.errors import UnknownReference, suggest
from dualprev_core.region.rules import RegionalRules, SupervisionClass, SupervisionVariant

__all__ = ["classify", "plan", "condition_holds"]


def condition_holds(cond: Mapping[str, Any], row: Mapping[str, Any]) -> tuple[bool, list[str]]:
    """Whether ``cond`` holds for an enterprise row, with the facts that made it hold."""
    why: list[str] = []
    for key, value in cond.items():
        if key in ("any", "all"):
            results = [condition_holds(c, row) for c in value]
            ok = any(r[0] for r in results) if key == "any" else all(r[0] for r in results)
            if not ok:
                return False, []
            why += [w for r in results if r[0] for w in r[1]][: (1 if key == "any" else None)]
            continue
        if key == "level":
            ok, fact = row.get("level") in value, f"等级 {row.get('level_zh') or '未定'}"
        elif key == "industry":
            ok, fact = row.get("industry") in value, f"行业 {row.get('industry')}"
        elif key == "standardization":
            std = row.get("standardization")
            ok, fact = (std if std is not None else 0) in value, f"标准化 {std if std else '无/未知'}"
        elif key == "warnings_at_least":
            ok, fact = int(row.get("warnings") or 0) >= value, f"预警 {row.get('warnings') or 0} 项"
        else:  # overdue_major_at_least
            n = int(row.get("overdue_major_hidden_dangers") or 0)
            ok, fact = n >= value, f"超期重大隐患 {n} 项"
        if not ok:
            return False, []
        why.append(fact)
    return True, why


def _variant(rules: RegionalRules, name: str | None) -> SupervisionVariant:
    name = name or rules.supervision_default
    if name not in rules.supervision:
        raise UnknownReference(f"unknown supervision variant {name!r}; known: {', '.join(rules.supervision)}{suggest(name, rules.supervision)}")
    return rules.supervision[name]


def classify(row: Mapping[str, Any], rules: RegionalRules, variant: str | None = None) -> tuple[SupervisionClass, str]:
    """The enterprise's class in ``variant`` and why (the facts that matched)."""
    v = _variant(rules, variant)
    for c in v.classes:
        ok, why = condition_holds(c.when, row)
        if ok:
            return c, ("；".join(why) if why else "其余企业")
    return v.classes[-1], "其余企业"


def plan(rows: Sequence[Mapping[str, Any]], rules: RegionalRules, *, start: datetime, end: datetime,
         last_visits: Mapping[str, datetime], variant: str | None = None) -> dict[str, Any]:
    """Which enterprises are due an inspection between ``start`` and ``end``, with class, interval and why."""
    v = _variant(rules, variant)
    entries = []
    for row in rows:
        c, why = classify(row, rules, v.name)
        interval = timedelta(days=365 / c.per_year)
        last = last_visits.get(row["id"])
        due = (last + interval) if last else start
        entries.append({
            "id": row["id"], "name": row["name"], "region": row.get("region"), "level": row.get("level"),
            "class": c.id, "class_zh": c.zh, "per_year": c.per_year, "interval_days": round(interval.total_seconds() / 86400, 1),
            "why": why, "last_visit": last.isoformat() if last else None, "due": max(due, start).isoformat(),
            "is_due": due <= end, "overdue_days": max(0, (start - due).days) if last else None,
        })
    entries.sort(key=lambda e: (not e["is_due"], e["due"], e["id"]))
    return {
        "variant": v.name, "citation": v.citation.to_dict(), "from": start.isoformat(), "to": end.isoformat(),
        "classes": [{"id": c.id, "zh": c.zh, "per_year": c.per_year, "when": dict(c.when)} for c in v.classes],
        "due": [e for e in entries if e["is_due"]], "not_due": [e for e in entries if not e["is_due"]],
    }
