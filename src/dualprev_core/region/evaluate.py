"""Per-enterprise evaluation for the regulator: a pure function of one (validated) submission.

:func:`evaluate_submission` gives the enterprise's overall level (its industry pack's method where
the submission carries that method's result, else the documented default — the highest current
RISK_CLASS of its risk events), its counts, its major risks, its overdue major hidden dangers and its
**early warnings**, each with its reason and the evidence.  Nothing here reads a database or a
clock: ``as_of`` and the rules come in, one flat row (JSON- and Arrow-ready) goes out, so the same
function runs in a process pool or on Dask workers.

Times without an offset in a submission are read as China Standard Time (UTC+8).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any, Final

import attrs

from dualprev_core.region.rules import RegionalRules, regional_rules

__all__ = ["EvaluationConfig", "evaluate_submission", "evaluate_text", "LEVEL_OF_CLASS", "ROW_FIELDS"]

#: RISK_CLASS code → dualprev level key (the inverse of the code map's RISK_CLASS, kept explicit here).
LEVEL_OF_CLASS: Final = {"1": "major", "2": "large", "3": "general", "4": "low"}
_ZH: Final = {"major": "重大", "large": "较大", "general": "一般", "low": "低"}
_RANK: Final = {"low": 1, "general": 2, "large": 3, "major": 4}
_CST: Final = timezone(timedelta(hours=8))
_UNIT_HOURS: Final = {"小时": 1.0, "天": 24.0, "月": 730.0, "年": 8760.0}

#: The columns of an evaluation row, in order (the Parquet table's schema follows them).
ROW_FIELDS: Final = (
    "credit_code", "company_code", "name", "industry", "region_text", "lon", "lat", "standardization",
    "level", "level_zh", "level_method", "level_reason",
    "risk_events", "major", "large", "general", "low", "major_risks", "major_hazards", "worst_major_hazard_level",
    "open_hidden_dangers", "open_major_hidden_dangers", "overdue_major_hidden_dangers", "tasks", "tasks_not_performed",
    "warnings", "warning_kinds", "warning_details", "generated_at", "head_hash", "content_hash",
)


@attrs.frozen
class EvaluationConfig:
    """What an evaluation depends on besides the submission (picklable, sent to workers once).

    :param as_of: the time warnings are judged at (timezone-aware).
    :param industry_methods: industry → the enterprise-level method its installed pack provides
        (e.g. ``{"chemical": "chem-19"}``); a submission whose level was computed by that method keeps it.
    :param rules: the regional rules (thresholds); default: the bundled ones.
    """

    as_of: datetime
    industry_methods: Mapping[str, str] = attrs.field(factory=dict)
    rules: RegionalRules = attrs.field(factory=regional_rules)


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo is not None else t.replace(tzinfo=_CST)


def _level(sub: Mapping[str, Any], cfg: EvaluationConfig) -> tuple[str | None, str, str]:
    ent = sub["enterprise"]
    dp = ent.get("DP_LEVEL") or {}
    method = dp.get("method") if isinstance(dp, Mapping) else None
    expected = cfg.industry_methods.get(ent.get("INDUSTRY") or "")
    if expected and method == expected and ent.get("RISK_CLASS") in LEVEL_OF_CLASS:
        lvl = LEVEL_OF_CLASS[ent["RISK_CLASS"]]
        cit = dp.get("citation") or {}
        reason = f"企业按行业方法 {method}（{cit.get('standard', '')}）评定为{_ZH[lvl]}：{dp.get('reason', '')}"
        return lvl, str(method), reason
    classes = [e.get("RISK_CLASS") for e in sub.get("risk_events", []) if e.get("DELETE_MARK") != "1"]
    levels = [LEVEL_OF_CLASS[c] for c in classes if c in LEVEL_OF_CLASS]
    if not levels:
        return None, "highest-current", "无风险事件，未定级"
    lvl = max(levels, key=_RANK.__getitem__)
    n = sum(1 for x in levels if x == lvl)
    why = f"默认方法 highest-current：{len(levels)} 个风险事件中当前等级最高为{_ZH[lvl]}（{n} 个）"
    if expected:
        why += f"；提交未带行业方法 {expected} 的结果" + (f"（带的是 {method}）" if method else "")
    return lvl, "highest-current", why


def evaluate_submission(sub: Mapping[str, Any], cfg: EvaluationConfig) -> dict[str, Any]:
    """One enterprise's row: level, counts, overdue major hidden dangers and early warnings with reasons."""
    ent = sub["enterprise"]
    w = cfg.rules.warnings
    now = cfg.as_of
    level, method, reason = _level(sub, cfg)
    events = [e for e in sub.get("risk_events", []) if e.get("DELETE_MARK") != "1"]
    counts = Counter(LEVEL_OF_CLASS.get(e.get("RISK_CLASS"), "") for e in events)
    measures = {m["ID"]: m for m in sub.get("control_measures", [])}
    warnings: list[dict[str, Any]] = []

    # hidden dangers
    open_hds = [h for h in sub.get("hidden_dangers", []) if h.get("DANGER_STATE") != "9" and h.get("DELETE_MARK") != "1"]
    open_major = [h for h in open_hds if h.get("DANGER_LEVEL") == "1"]
    overdue = []
    for h in open_major:
        deadline = _time(h.get("DEADLINE"))
        if h.get("DANGER_STATE") == "0" and ((deadline is not None and deadline < now) or h.get("DP_OVERDUE") is True):
            overdue.append({"id": h["ID"], "name": h.get("DANGER_NAME"), "deadline": h.get("DEADLINE"),
                            "days_over": (now - deadline).days if deadline else None})
    if overdue and w.get("overdue_major_hidden_danger", {}).get("enabled", True):
        names = "；".join(f"{o['name']}（期限 {o['deadline']}，超期 {o['days_over']} 天）" for o in overdue[:3])
        warnings.append({"kind": "overdue_major_hidden_danger", "reason": f"{len(overdue)} 项重大事故隐患超过治理期限仍在整改中：{names}",
                         "evidence": [o["id"] for o in overdue]})

    # repeated failures of one critical control (check records with 存在隐患, one per inspection)
    rc = w.get("repeated_control_failure", {})
    window = now - timedelta(days=float(rc.get("window_days", 90)))
    tasks = {t["ID"]: t for t in sub.get("check_tasks", [])}
    failures: dict[str, set[str]] = {}
    for r in sub.get("check_records", []):
        if r.get("CHECK_STATUS") != "1":
            continue
        at = _time(r.get("CHECK_TIME"))
        m = measures.get(tasks.get(r.get("TASK_ID"), {}).get("MEASURE_ID"))
        if m is None or not m.get("DP_CRITICAL") or at is None or not (window <= at <= now):
            continue
        control = m.get("DP_CONTROL") or m["ID"]
        failures.setdefault(control, set()).add(r.get("DP_INSPECTION") or r.get("CHECK_TIME") or r["ID"])
    repeated = {c: n for c, n in failures.items() if len(n) >= int(rc.get("failures", 2))}
    if repeated:
        desc = {m.get("DP_CONTROL") or m["ID"]: m.get("MEASURE_DESC") for m in measures.values()}
        warnings.append({"kind": "repeated_control_failure",
                         "reason": f"{rc.get('window_days', 90)} 天内关键管控措施反复失效：" + "；".join(f"{desc.get(c, c)} {len(n)} 次" for c, n in repeated.items()),
                         "evidence": sorted(repeated)})

    # monitoring alarms: recent alarms the enterprise recorded, and open hidden dangers raised by monitoring
    ma = w.get("monitoring_alarms", {})
    since = now - timedelta(days=float(ma.get("window_days", 7)))
    recent = [x for x in (ent.get("DP_ALARMS") or []) if (t := _time(x.get("AT"))) is not None and since <= t <= now]
    alarms = [h for h in open_hds if str(h.get("DP_SOURCE") or "").startswith("monitoring:")
              or measures.get(h.get("MEASURE_ID"), {}).get("DATA_SRC") == "1"]
    if (alarms and len(alarms) >= int(ma.get("open_at_least", 1))) or (recent and len(recent) >= int(ma.get("alarms_at_least", 1))):
        parts = []
        if recent:
            kinds = Counter(f"{x.get('RULE')}（{x.get('LEVEL')}）" for x in recent)
            parts.append(f"{ma.get('window_days', 7)} 天内监测报警 {len(recent)} 次：" + "，".join(f"{k} ×{n}" for k, n in kinds.most_common(3)))
        if alarms:
            parts.append(f"{len(alarms)} 项由自动化监控发现的隐患未销号")
        warnings.append({"kind": "monitoring_alarms", "reason": "；".join(parts),
                         "evidence": [h["ID"] for h in alarms] + [f"{x.get('RULE')}@{x.get('AT')}" for x in recent[:20]]})

    # inspection tasks not performed
    tp = w.get("tasks_not_performed", {})
    grace = float(tp.get("grace_periods", 2))
    periodic = [t for t in tasks.values() if t.get("CHECK_CYCLE") and t.get("CHECK_CYCLE_UNIT") in _UNIT_HOURS]
    missed = []
    for t in periodic:
        last = _time(t.get("LAST_CHECK_TIME"))
        period = timedelta(hours=float(t["CHECK_CYCLE"]) * _UNIT_HOURS[t["CHECK_CYCLE_UNIT"]])
        if last is None or last + grace * period < now:
            missed.append(t)
    critical_missed = [t for t in missed if measures.get(t.get("MEASURE_ID"), {}).get("DP_CRITICAL")]
    # 未排查 records the enterprise itself sent (CHECK_STATUS 2) within the window, one per task and due time
    since_missed = now - timedelta(days=float(tp.get("window_days", 30)))
    reported = {(r.get("TASK_ID"), r.get("CHECK_TIME")) for r in sub.get("check_records", [])
                if r.get("CHECK_STATUS") == "2" and (t := _time(r.get("CHECK_TIME"))) is not None and since_missed <= t <= now}
    if (periodic and (critical_missed or len(missed) / len(periodic) >= float(tp.get("share", 0.1)))) or reported:
        parts = []
        if missed:
            parts.append(f"{len(missed)}/{len(periodic)} 项排查任务超过 {grace:g} 个周期未执行（其中关键措施 {len(critical_missed)} 项）")
        if reported:
            parts.append(f"{tp.get('window_days', 30)} 天内企业上报未排查 {len(reported)} 次")
        warnings.append({"kind": "tasks_not_performed", "reason": "；".join(parts),
                         "evidence": [t["ID"] for t in (critical_missed or missed)[:20]] + sorted({str(k[0]) for k in reported})[:20]})

    # a stale submission
    generated = _time(sub.get("generated_at"))
    stale_days = float(w.get("stale_submission", {}).get("days", 30))
    if generated is not None and now - generated > timedelta(days=stale_days):
        warnings.append({"kind": "stale_submission", "reason": f"最近一次上报为 {(now - generated).days} 天前（超过 {stale_days:g} 天）",
                         "evidence": [sub.get("content_hash")]})

    hazards = sub.get("major_hazards", [])
    hz_levels = [int(h["HAZARD_LEVEL"]) for h in hazards if h.get("HAZARD_LEVEL")]
    return {
        "credit_code": ent["CREDIT_CODE"],
        "company_code": ent.get("COMPANY_CODE"),
        "name": ent.get("COMPANY_NAME"),
        "industry": ent.get("INDUSTRY"),
        "region_text": ent.get("REGION"),
        "lon": ent.get("LONGITUDE"),
        "lat": ent.get("LATITUDE"),
        "standardization": ent.get("STANDARDIZATION_LEVEL"),
        "level": level,
        "level_zh": _ZH.get(level or ""),
        "level_method": method,
        "level_reason": reason,
        "risk_events": len(events),
        "major": counts.get("major", 0),
        "large": counts.get("large", 0),
        "general": counts.get("general", 0),
        "low": counts.get("low", 0),
        "major_risks": len(sub.get("major_risks", [])),
        "major_hazards": len(hazards),
        "worst_major_hazard_level": min(hz_levels) if hz_levels else None,
        "open_hidden_dangers": len(open_hds),
        "open_major_hidden_dangers": len(open_major),
        "overdue_major_hidden_dangers": len(overdue),
        "tasks": len(periodic),
        "tasks_not_performed": len(missed),
        "warnings": len(warnings),
        "warning_kinds": [x["kind"] for x in warnings],
        "warning_details": json.dumps(warnings, ensure_ascii=False),
        "generated_at": sub.get("generated_at"),
        "head_hash": sub.get("head_hash"),
        "content_hash": sub.get("content_hash"),
    }


def evaluate_text(text: str | bytes, cfg: EvaluationConfig) -> dict[str, Any]:
    """:func:`evaluate_submission` on a submission's JSON text (what the database and workers hold)."""
    return evaluate_submission(json.loads(text), cfg)
