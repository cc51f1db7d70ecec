"""Build an enterprise's submission in the national exchange model from its live assessment.

Our model maps onto the national hierarchy 企业 → 风险分析对象 → 风险分析单元 → 风险事件 → 管控措施:

========================  =====================================================================
national                  dualprev
========================  =====================================================================
风险分析对象              an area holding risks; a 重大危险源 on that area gives the object its code
风险分析单元              a risk point (risks without one: their area as the unit)
风险事件                  a risk (RISK_CLASS = its current level)
风险管控措施              a control, once per risk it mitigates (the national hierarchy is strict)
隐患排查任务              an inspection item, once per measure of its control; an inspection
                          recorded without an item gets an ad-hoc task (TASK_TYPE 不定期)
隐患排查记录              an inspection, once per task of its control
隐患治理                  a hidden danger of the ledger (DANGER_SRC 9 管控措施失效 unless the
                          inspection names its kind in ``exchange:check_kind``)
风险四色分区              an area: ZONE_LEVEL = its colour; 固有风险 and 控制风险 by dualprev's mapping
重大危险源                the chemical pack's GB 18218 units that are major hazards (R, level)
重大风险清单              risks whose current level is 重大
========================  =====================================================================

Every code goes through :mod:`dualprev_core.exchange.codes`; every id is a UUID from
:mod:`dualprev_core.exchange.identity`; ``content_hash`` covers everything but ``generated_at``
and ``source``, so exporting the same state twice gives the same hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from dualprev_core.errors import InvalidInput
from dualprev_core.exchange.codes import CodeMaps, code_maps
from dualprev_core.exchange.credit_code import validate_credit_code
from dualprev_core.exchange.fields import COLLECTIONS, FORMAT
from dualprev_core.exchange.identity import natural_key, record_id
from dualprev_core.model.levels import RiskLevel
from dualprev_core.model.records import Control, Enterprise, Frequency, InspectionItem, Risk
from dualprev_core.model.vocabulary import InspectionResult

if TYPE_CHECKING:
    from dualprev_core.assessment.assessment import Assessment

__all__ = [
    "CREDIT_CODE_FACT",
    "LOCATION_FACT",
    "CHECK_KIND_FACT",
    "ZONE_MAPPING",
    "build_submission",
    "content_hash",
    "canonical_json",
    "events_head_hash",
]

#: Enterprise fact holding the 统一社会信用代码.
CREDIT_CODE_FACT = "exchange:credit_code"
#: Fact (enterprise, area or major hazard installation) holding ``{lon, lat}``.
LOCATION_FACT = "exchange:location"
#: Inspection fact naming the kind of inspection (a DANGER_SRC key: daily, seasonal, expert, ...).
CHECK_KIND_FACT = "exchange:check_kind"
#: How the two zoning axes are filled (dualprev's mapping, sent with every zone).
ZONE_MAPPING = ("固有风险：分区内风险的固有等级（未给出时取评估等级）的最高者，重大→Ⅰ…低→Ⅳ；"
                "控制风险：A 管控措施均有效且无未销号隐患，B 仅有弱化措施或一般隐患，C 有失效或缺失的措施，"
                "D 有未销号的重大隐患或超期隐患；修正 = 当前等级高于评估等级的最大级数（dualprev 的映射）")

_EMPTY_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 text: the form hashes are computed over."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def content_hash(submission: Mapping[str, Any]) -> str:
    """sha256 of head_hash, code_version, enterprise and every record list (canonical JSON)."""
    body = {k: submission.get(k) for k in ("head_hash", "code_version", "enterprise", *COLLECTIONS)}
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def events_head_hash(events: Iterable[Any], *, seed: str = "") -> str:
    """A hash chain over ledger events (anything with ``to_dict``): ``h = sha256(h_prev + canonical(event))``.

    The head of an event file, for submissions exported from files; ``seed`` starts the chain
    (dualprev passes the sha256 of the enterprise file, so both sources are covered).
    """
    h = seed or _EMPTY_HASH
    for ev in events:
        h = hashlib.sha256((h + canonical_json(ev.to_dict())).encode("utf-8")).hexdigest()
    return h


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _location(facts: Mapping[str, Any], where: str) -> tuple[float | None, float | None]:
    loc = facts.get(LOCATION_FACT)
    if loc is None:
        return None, None
    ok = isinstance(loc, Mapping) and all(isinstance(loc.get(k), int | float) and not isinstance(loc.get(k), bool) for k in ("lon", "lat"))
    if not ok or not (-180 <= loc["lon"] <= 180 and -90 <= loc["lat"] <= 90):
        raise InvalidInput(f"{where}.facts.{LOCATION_FACT}: must be {{lon: -180…180, lat: -90…90}} (got {loc!r})")
    return float(loc["lon"]), float(loc["lat"])


def _interval(freq: Frequency) -> tuple[float, str]:
    """The interval in the largest national unit that keeps it whole (else hours)."""
    hours = {"hour": 1, "shift": 8, "day": 24, "week": 168}
    if freq.unit in ("month", "quarter", "half_year", "year"):
        months = freq.every * {"month": 1, "quarter": 3, "half_year": 6, "year": 12}[freq.unit]
        if months % 12 == 0:
            return months / 12, "year"
        if float(months).is_integer():
            return months, "month"
        return round(freq.hours, 3), "hour"
    h = freq.every * hours[freq.unit]
    if h % 24 == 0:
        return h / 24, "day"
    return h, "hour"


def _num(v: float) -> float | int:
    return int(v) if float(v).is_integer() else v


class _Builder:
    def __init__(self, a: Assessment, credit_code: str, maps: CodeMaps) -> None:
        self.a, self.e, self.cc, self.maps = a, a.enterprise, credit_code, maps
        self.records: dict[str, list[dict[str, Any]]] = {k: [] for k in COLLECTIONS}
        self.posts = {p.id: p for p in self.e.posts}
        self.areas = {ar.id: ar for ar in self.e.areas}
        self.controls = {c.id: c for c in self.e.controls}
        self.risks = {r.id: r for r in self.e.risks}
        self.monitored = {p.control for p in self.e.monitoring_points if p.control}
        self.controls_of: dict[str, list[Control]] = {r.id: [] for r in self.e.risks}
        for c in self.e.controls:
            for r in c.mitigates:
                self.controls_of.setdefault(r, []).append(c)

    # ------------------------------------------------------------------ helpers
    def code(self, codes: str, key: str) -> str:
        return self.maps[codes].code(key)

    def rid(self, entity: str, *parts: str) -> str:
        return record_id(self.cc, entity, *parts)

    def record(self, entity: str, parts: Sequence[str], fields: Mapping[str, Any], *, created: datetime | None = None,
               updated: datetime | None = None, by: str | None = None) -> dict[str, Any]:
        rec = {
            "ID": self.rid(entity, *parts),
            "CREDIT_CODE": self.cc,
            "COMPANY_CODE": self.e.id,
            "CREATE_TIME": _iso(created),
            "UPDATE_TIME": _iso(updated or created),
            "CREATE_BY": by,
            "UPDATE_BY": by,
            "DELETE_MARK": self.code("DELETE_MARK", "active"),
            "DP_KEY": natural_key(self.cc, entity, *parts),
            **fields,
        }
        self.records[entity].append(rec)
        return rec

    def area_path(self, area: str) -> str:
        names, cur, seen = [], area, set()
        while cur and cur in self.areas and cur not in seen:
            seen.add(cur)
            names.append(self.areas[cur].name)
            cur = self.areas[cur].parent or ""
        return "/".join(reversed(names))

    # ------------------------------------------------------------------ records
    def build(self, report_sections: Mapping[str, Any]) -> None:
        hazards = self._major_hazards(report_sections.get("major_hazard_installations") or [])
        objects = self._objects(hazards)
        units = self._units(objects)
        events = self._events(units)
        measures = self._measures(events)
        tasks, adhoc = self._tasks(measures)
        records = self._records(measures, tasks, adhoc)
        self._hidden_dangers(measures, records, tasks, adhoc, objects)
        self._zones()
        self._major_risks(events, units)

    def _major_hazards(self, units: list[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
        """area id → the major hazard record (the chemical pack's GB 18218 units that are major)."""
        by_area: dict[str, dict[str, Any]] = {}
        mhis = {m.id: m for m in self.e.major_hazard_installations}
        for u in units:
            if not u.get("is_major_hazard"):
                continue
            m = mhis.get(u["id"])
            lon, lat = _location(m.facts, f"major_hazard_installations[{u['id']}]") if m else (None, None)
            level = u.get("level")
            rec = self.record("major_hazards", [u["id"]], {
                "HAZARD_CODE": u["id"],
                "HAZARD_NAME": u["name"],
                "HAZARD_TYPE": {"storage": "储存单元", "production": "生产单元"}.get(u.get("kind", ""), u.get("kind")),
                "R_VALUE": u.get("R"),
                "HAZARD_LEVEL": self.code("MAJOR_HAZARD_LEVEL", str(level)) if level else None,
                "CHEMICALS": [{"NAME": i["chemical"], "CAS": i.get("cas"), "Q_T": i.get("q_t"), "CRITICAL_Q_T": i.get("Q_t"),
                               "Q_OVER_Q": i.get("q_over_Q")} for i in u.get("items", [])],
                "SUM_Q_OVER_Q": u.get("sum_q_over_Q"),
                "PEOPLE_500M": u.get("people_within_500m"),
                "LONGITUDE": lon,
                "LATITUDE": lat,
                "DP_EXPLANATION": list(u.get("explanation", [])),
            })
            by_area.setdefault(u["area"], rec)
        return by_area

    def _risk_area(self, r: Risk) -> str:
        return r.area

    def _objects(self, hazards: Mapping[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        levels: dict[str, RiskLevel] = {}
        for r in self.e.risks:
            lvl = self.a.current_level(r.id)
            area = self._risk_area(r)
            levels[area] = max(levels.get(area, lvl), lvl)
        for area, lvl in levels.items():
            hz = hazards.get(area)
            ar = self.areas.get(area)
            out[area] = self.record("risk_objects", [area], {
                "OBJECT_CODE": hz["HAZARD_CODE"] if hz else area,
                "OBJECT_NAME": ar.name if ar else area,
                "HAZARD_ID": hz["ID"] if hz else None,
                "RISK_CLASS": self.code("RISK_CLASS", lvl.key),
                "R_VALUE": hz["R_VALUE"] if hz else None,
                "LOCATION": self.area_path(area),
                "DP_AREA": area,
            })
        return out

    def _unit_key(self, r: Risk) -> tuple[str, str]:
        return ("point", r.risk_point) if r.risk_point else ("area", self._risk_area(r))

    def _responsible(self, risks: Iterable[Risk]) -> Control | None:
        best: Control | None = None
        for r in risks:
            for c in self.controls_of.get(r.id, ()):
                if best is None or c.owner_level.rank > best.owner_level.rank:
                    best = c
        return best

    def _units(self, objects: Mapping[str, dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
        grouped: dict[tuple[str, str], list[Risk]] = {}
        for r in self.e.risks:
            grouped.setdefault(self._unit_key(r), []).append(r)
        points = {p.id: p for p in self.e.risk_points}
        out = {}
        for key, risks in grouped.items():
            lvl = max(self.a.current_level(r.id) for r in risks)
            point = points.get(key[1]) if key[0] == "point" else None
            owner = self._responsible(risks)
            post = self.posts.get(owner.post) if owner and owner.post else None
            out[key] = self.record("risk_units", list(key), {
                "OBJECT_ID": objects[self._risk_area(risks[0])]["ID"],
                "UNIT_NAME": point.name if point else (self.areas[key[1]].name if key[1] in self.areas else key[1]),
                "UNIT_TYPE": point.kind.zh if point else "场所",
                "RISK_CLASS": self.code("RISK_CLASS", lvl.key),
                "HAZARD_DEP": post.name if post else (owner.owner_level.zh if owner else None),
                "HAZARD_LIABLE_PERSON": (post.people[0] if post and post.people else None),
                "EMERGENCY_MEASURES": "；".join(dict.fromkeys(
                    c.name for r in risks for c in self.controls_of.get(r.id, ()) if c.kind.key == "emergency")) or None,
                "DP_RISK_POINT": point.id if point else None,
            })
        return out

    def _events(self, units: Mapping[tuple[str, str], dict[str, Any]]) -> dict[str, dict[str, Any]]:
        out = {}
        for r in self.e.risks:
            ex = self.a.explain(r.id)
            out[r.id] = self.record("risk_events", [r.id], {
                "UNIT_ID": units[self._unit_key(r)]["ID"],
                "EVENT_NAME": r.name,
                "DESCRIPTION": r.description or None,
                "CONSEQUENCE": r.consequences or None,
                "RISK_CLASS": self.code("RISK_CLASS", ex.current.key),
                "DP_ASSESSED_CLASS": self.code("RISK_CLASS", ex.assessed.level.key),
                "DP_CATEGORY": r.category,
                "DP_EXPLANATION": ex.sentence("zh"),
                "DP_RISK": r.id,
            })
        return out

    def _classify2(self, c: Control) -> str:
        explicit = c.facts.get("exchange:classify2")
        if explicit is not None:
            if str(explicit) not in self.maps["CLASSIFY2"].codes:
                raise InvalidInput(f"controls[{c.id}].facts.exchange:classify2: {explicit!r} is not a CLASSIFY2 code; "
                                   f"allowed: {', '.join(self.maps['CLASSIFY2'].codes)}")
            return str(explicit)
        fn = c.facts.get("chemical:function")
        mapping = self.maps["CLASSIFY2"].mapping
        if isinstance(fn, str) and f"function:{fn}" in mapping:
            return mapping[f"function:{fn}"]
        return self.code("CLASSIFY2", f"kind:{c.kind.key}")

    def _measures(self, events: Mapping[str, dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
        items_of: dict[str, list[InspectionItem]] = {}
        for it in self.e.inspection_items:
            items_of.setdefault(it.control, []).append(it)
        out = {}
        for c in self.e.controls:
            c2 = self._classify2(c)
            c1 = c2.split("-")[0]
            content = "；".join(it.content for it in items_of.get(c.id, ())) or None
            for r in c.mitigates:
                out[(c.id, r)] = self.record("control_measures", [c.id, r], {
                    "EVENT_ID": events[r]["ID"],
                    "DATA_SRC": self.code("DATA_SRC", "monitoring" if c.id in self.monitored else "inspection"),
                    "MEASURE_DESC": c.name + (f"（{c.description}）" if c.description else ""),
                    "CLASSIFY1": c1,
                    "CLASSIFY2": c2,
                    "CLASSIFY3": c.kind.zh,
                    "TROUBLESHOOT_CONTENT": content,
                    "DP_CRITICAL": c.critical,
                    "DP_CONTROL": c.id,
                })
        return out

    def _tasks(self, measures: Mapping[tuple[str, str], dict[str, Any]]) -> tuple[dict[tuple[str, str], dict[str, Any]], dict[tuple[str, str], dict[str, Any]]]:
        last: dict[str, datetime] = {}
        adhoc_needed: set[str] = set()
        for i in self.e.inspections:
            if i.item:
                last[i.item] = max(last.get(i.item, i.at), i.at)
            else:
                adhoc_needed.add(i.control)
        for cid in self._missed_targets().values():
            if cid is not None:
                adhoc_needed.add(cid)
        tasks = {}
        for it in self.e.inspection_items:
            every, unit = _interval(it.frequency)
            post = self.posts.get(it.post) if it.post else None
            for r in self.controls[it.control].mitigates:
                tasks[(it.id, r)] = self.record("check_tasks", [it.id, r], {
                    "MEASURE_ID": measures[(it.control, r)]["ID"],
                    "CHECK_CONTENT": it.content,
                    "CHECK_CYCLE": _num(every),
                    "CHECK_CYCLE_UNIT": self.code("CHECK_CYCLE_UNIT", unit),
                    "LAST_CHECK_TIME": _iso(last.get(it.id)),
                    "CHECKER": post.name if post else None,
                    "CHECK_LEVEL": it.owner_level.zh,
                    "TASK_TYPE": "定期",
                    "START_DATE": None,
                    "END_DATE": None,
                    "DP_ITEM": it.id,
                })
        adhoc = {}
        for cid in sorted(adhoc_needed):
            c = self.controls[cid]
            latest = max((i.at for i in self.e.inspections if i.control == cid and not i.item), default=None)
            for r in c.mitigates:
                adhoc[(cid, r)] = self.record("check_tasks", ["adhoc", cid, r], {
                    "MEASURE_ID": measures[(cid, r)]["ID"],
                    "CHECK_CONTENT": f"管控措施状态检查：{c.name}",
                    "CHECK_CYCLE": None,
                    "CHECK_CYCLE_UNIT": None,
                    "LAST_CHECK_TIME": _iso(latest),
                    "CHECKER": None,
                    "CHECK_LEVEL": c.owner_level.zh,
                    "TASK_TYPE": "不定期",
                    "START_DATE": None,
                    "END_DATE": None,
                    "DP_ITEM": None,
                })
        return tasks, adhoc

    def _missed_targets(self) -> dict[str, str | None]:
        """Missed checks' task ids → the control of their ad-hoc task (``None``: the task is an inspection item)."""
        items = {it.id for it in self.e.inspection_items}
        out: dict[str, str | None] = {}
        for m in self.a.ledger.missed_checks():
            if m.task_id in items:
                out[m.task_id] = None
                continue
            cid = m.task_id.rpartition("@")[2]
            if cid not in self.controls:
                raise InvalidInput(f"missed check of task {m.task_id!r} (due {m.due_at.isoformat()}): enterprise {self.e.id!r} has no such "
                                   "inspection item or control (a ledger of another enterprise?)")
            out[m.task_id] = cid
        return out

    def _records(self, measures: Any, tasks: Mapping[tuple[str, str], dict[str, Any]],
                 adhoc: Mapping[tuple[str, str], dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
        out = {}
        for i in sorted(self.e.inspections, key=lambda i: (i.at, i.id)):
            c = self.controls[i.control]
            for r in c.mitigates:
                task = tasks[(i.item, r)] if i.item else adhoc[(c.id, r)]
                post = self.posts.get(c.post) if c.post else None
                out[(i.id, r)] = self.record("check_records", [i.id, r], {
                    "TASK_ID": task["ID"],
                    "CHECK_TIME": _iso(i.at),
                    "CHECK_STATUS": self.code("CHECK_STATUS", i.result.key),
                    "CHECKER": i.by,
                    "DEPARTMENT": post.name if post else None,
                    "DP_FINDING": i.result.zh,
                    "DP_INSPECTION": i.id,
                }, created=i.at, by=i.by)
        targets = self._missed_targets()
        items = {it.id: it for it in self.e.inspection_items}
        for m in self.a.ledger.missed_checks():  # 未排查: a task's window passed without its check
            cid = targets[m.task_id] or items[m.task_id].control
            for r in self.controls[cid].mitigates:
                task = tasks[(m.task_id, r)] if targets[m.task_id] is None else adhoc[(cid, r)]
                self.record("check_records", ["missed", m.task_id, m.due_at.isoformat(), r], {
                    "TASK_ID": task["ID"],
                    "CHECK_TIME": _iso(m.due_at),
                    "CHECK_STATUS": self.code("CHECK_STATUS", "not_performed"),
                    "CHECKER": None,
                    "DEPARTMENT": None,
                    "DP_FINDING": f"未排查（窗口 {_iso(m.window_start)} 至 {_iso(m.due_at)}，完成 {m.done}/{m.required}）",
                    "DP_INSPECTION": None,
                }, created=m.at, by=m.by)
        return out

    def _hidden_dangers(self, measures: Mapping[tuple[str, str], dict[str, Any]], records: Mapping[tuple[str, str], dict[str, Any]],
                        tasks: Any, adhoc: Any, objects: Mapping[str, dict[str, Any]]) -> None:
        inspections = {i.id: i for i in self.e.inspections}
        for hd in self.a.ledger.all():
            c = self.controls.get(hd.control_id or "")
            if c is None:
                raise InvalidInput(f"hidden danger {hd.id!r} degrades control {hd.control_id!r}, which enterprise {self.e.id!r} does not have "
                                   "(a ledger of another enterprise?)")
            risk = next((r for r in hd.risk_ids if r in c.mitigates), c.mitigates[0])
            head, _, rest = hd.source.partition(":")
            insp = inspections.get(rest) if head == "inspection" else None
            kind = insp.facts.get(CHECK_KIND_FACT) if insp else None
            src_key = str(kind) if kind is not None else "control_failure"
            if src_key not in self.maps["DANGER_SRC"].mapping:
                raise InvalidInput(f"inspections[{rest}].facts.{CHECK_KIND_FACT}: {kind!r} is not a kind of inspection; "
                                   f"allowed: {', '.join(k for k in self.maps['DANGER_SRC'].mapping if k != 'control_failure')}")
            verified = next((ev for ev in reversed(hd.history) if ev.kind == "verified" and getattr(ev, "passed", False)), None)
            plan = hd.plan
            fn = c.facts.get("chemical:function")
            cat = c.facts.get("exchange:danger_category")
            cat_map = self.maps["DANGER_CATEGORY"].mapping
            category = (self.code("DANGER_CATEGORY", str(cat)) if cat is not None
                        else cat_map.get(f"function:{fn}", self.code("DANGER_CATEGORY", "other")))
            self.record("hidden_dangers", [hd.id], {
                "DANGER_NAME": f"{c.name}{hd.finding.zh}",
                "OBJECT_CODE": objects[self.risks[risk].area]["OBJECT_CODE"],
                "MEASURE_ID": measures[(c.id, risk)]["ID"],
                "RECORD_ID": records[(insp.id, risk)]["ID"] if insp is not None and (insp.id, risk) in records else None,
                "DANGER_LEVEL": self.code("DANGER_LEVEL", hd.grade.key if hd.grade else "general"),
                "REGIST_TIME": _iso(hd.reported_at),
                "REGISTRANT": hd.reported_by,
                "DANGER_SRC": self.code("DANGER_SRC", src_key),
                "DANGER_MANAGE_TYPE": self.code("DANGER_MANAGE_TYPE", "deadline" if (hd.deadline or plan) else "immediate"),
                "DANGER_CATEGORY": category,
                "HAZARD_CLASS": self.code("HAZARD_CLASS", c.kind.key),
                "DANGER_DESC": hd.description,
                "CONTROL_MEASURES": "；".join(plan.measures) if plan and plan.measures else None,
                "COST": float(plan.funds_amount) if plan and plan.funds_amount is not None else None,
                "LIABLE_PERSON": plan.responsible_person if plan and plan.responsible_person else None,
                "DEADLINE": _iso(hd.deadline),
                "CHECK_ACCEPT_PERSON": hd.verifier,
                "CHECK_ACCEPT_TIME": _iso(verified.at) if verified else None,
                "CHECK_ACCEPT_COMMENT": (verified.why or None) if verified else None,
                "DANGER_STATE": self.code("DANGER_STATE", hd.state.key),
                "DP_OVERDUE": hd.overdue,
                "DP_CRITERIA": [{"criterion": cr.criterion_id, "pack": f"{cr.pack} {cr.pack_version}", "citation": str(cr.citation)}
                                for cr in hd.criteria],
                "DP_SOURCE": hd.source,
                "DP_HIDDEN_DANGER": hd.id,
            }, created=hd.reported_at, updated=hd.last_at, by=hd.reported_by)

    def _zones(self) -> None:
        chains: dict[str, list[str]] = {}
        for ar in self.e.areas:
            chain, cur = [], ar.id
            while cur and cur in self.areas and cur not in chain:
                chain.append(cur)
                cur = self.areas[cur].parent or ""
            chains[ar.id] = chain
        in_zone: dict[str, list[Risk]] = {ar.id: [] for ar in self.e.areas}
        for r in self.e.risks:
            if r.id not in self.a.active:
                continue
            for zone in chains.get(r.area, [r.area]):
                in_zone.setdefault(zone, []).append(r)
        open_hds = self.a.ledger.open()
        for ar in self.e.areas:
            risks = in_zone.get(ar.id, [])
            level = self.a.area_level(ar.id)
            if not risks or level is None:
                continue
            inherent = max((r.inherent_level or self.a.assessed_level(r.id)) for r in risks)
            controls = {c.id for r in risks for c in self.controls_of.get(r.id, ())}
            states = [self.a.control_state(c) for c in controls]
            hds = [h for h in open_hds if h.control_id in controls]
            if any(h.is_major or h.overdue for h in hds):
                axis = "major_or_overdue"
            elif any(s in (InspectionResult.FAILED, InspectionResult.MISSING) for s in states):
                axis = "failed"
            elif hds or any(s is InspectionResult.WEAKENED for s in states):
                axis = "weakened"
            else:
                axis = "effective"
            correction = max(int(self.a.current_level(r.id)) - int(self.a.assessed_level(r.id)) for r in risks)
            self.record("risk_zones", [ar.id], {
                "ZONE_CODE": ar.id,
                "ZONE_NAME": ar.name,
                "ZONE_LEVEL": self.code("ZONE_LEVEL", level.key),
                "COORDINATES": [list(p) for p in ar.geometry.coordinates] if ar.geometry else None,
                "INHERENT_RISK": self.code("INHERENT_RISK", inherent.key),
                "CONTROL_RISK": self.code("CONTROL_RISK", axis),
                "CORRECTION": correction,
                "EVALUATOR": None,
                "DP_MAPPING": ZONE_MAPPING,
            })

    def _major_risks(self, events: Mapping[str, dict[str, Any]], units: Mapping[tuple[str, str], dict[str, Any]]) -> None:
        for r in self.a.major_risks():
            responsible = []
            for c in self.controls_of.get(r.id, ()):
                post = self.posts.get(c.post) if c.post else None
                responsible.append({"MEASURE": c.name, "LEVEL": c.owner_level.zh, "POST": post.name if post else None})
            self.record("major_risks", [r.id], {
                "EVENT_ID": events[r.id]["ID"],
                "EVENT_NAME": r.name,
                "UNIT_ID": units[self._unit_key(r)]["ID"],
                "RISK_CLASS": self.code("RISK_CLASS", RiskLevel.MAJOR.key),
                "RESPONSIBLE": responsible,
            })


def _standardization(e: Enterprise) -> int | None:
    for key in ("exchange:standardization_level", "chemical:standardization_level"):
        v = e.facts.get(key)
        if v is not None:
            if v not in (0, 1, 2, 3) or isinstance(v, bool):
                raise InvalidInput(f"enterprise.facts.{key}: must be 1, 2, 3 or 0 (none) (got {v!r})")
            return int(v)
    return None


def build_submission(
    assessment: Assessment,
    *,
    head_hash: str,
    credit_code: str | None = None,
    source: Mapping[str, Any] | None = None,
    maps: CodeMaps | None = None,
    generated_at: datetime | None = None,
    alarms: Iterable[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The enterprise's submission (a JSON-ready dict) from its live assessment.

    :param assessment: the enterprise's assessment, with the ledger of its hidden dangers.
    :param head_hash: the store's head hash (64 hex), or :func:`events_head_hash` for files.
    :param credit_code: the 统一社会信用代码; default: the enterprise fact ``exchange:credit_code``.
    :param source: what it was exported from (kept as given, informative; not hashed).
    :param maps: the code maps (default: the bundled ones).
    :param generated_at: the export time (default: now, UTC).
    :param alarms: monitoring alarms the enterprise recorded (their JSON form, as the store keeps
        them); sent as ``DP_ALARMS`` with rule, level, point, message and time.
    :raises InvalidInput: naming the field when the credit code is missing or invalid, or a
        record cannot be expressed in the national model.
    """
    e = assessment.enterprise
    maps = maps or code_maps()
    cc = credit_code if credit_code is not None else e.facts.get(CREDIT_CODE_FACT)
    if cc is None:
        raise InvalidInput(f"enterprise {e.id!r}: no 统一社会信用代码: record it as enterprise.facts.{CREDIT_CODE_FACT} "
                           f"(or pass --credit-code){f' in {e.source}' if e.source else ''}")
    try:
        cc = validate_credit_code(cc)
    except InvalidInput as exc:
        raise InvalidInput(f"enterprise.facts.{CREDIT_CODE_FACT}{f' in {e.source}' if e.source else ''}: {exc}") from None
    b = _Builder(assessment, cc, maps)
    from dualprev_core.packs.calls import Packs

    packs: Packs = assessment.packs
    sections = packs.assess_enterprise(assessment)
    b.build(sections)
    level = assessment.enterprise_level()
    lon, lat = _location(e.facts, "enterprise")
    enterprise = {
        "ID": record_id(cc, "enterprise"),
        "CREDIT_CODE": cc,
        "COMPANY_CODE": e.id,
        "COMPANY_NAME": e.name,
        "INDUSTRY": e.industry or None,
        "REGION": e.region or None,
        "LONGITUDE": lon,
        "LATITUDE": lat,
        "STANDARDIZATION_LEVEL": _standardization(e),
        "RISK_CLASS": maps["RISK_CLASS"].code(level.level.key) if level.level else None,
        "DP_ALARMS": [{"RULE": x.get("rule"), "LEVEL": x.get("level"), "POINT": x.get("point"), "MESSAGE": x.get("message"), "AT": x.get("at")}
                      for x in alarms],
        "DP_LEVEL": json.loads(canonical_json({
            "RISK_CLASS": maps["RISK_CLASS"].code(level.level.key) if level.level else None,
            "level_zh": level.level.zh if level.level else None,
            "method": level.method, "citation": level.citation.to_dict(), "reason": level.reason, "details": dict(level.details),
        })),
    }
    sub: dict[str, Any] = {
        "format": FORMAT,
        "code_version": maps.version,
        "generated_at": (generated_at or datetime.now(UTC)).isoformat(),
        "head_hash": head_hash,
        "content_hash": "",
        "source": dict(source or {}),
        "enterprise": enterprise,
        **b.records,
    }
    sub["content_hash"] = content_hash(sub)
    return sub
