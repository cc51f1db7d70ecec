"""The lists and ledgers as tables: 风险分级管控清单, 重大风险清单, 隐患排查清单, 隐患排查治理台账.

Each builder returns :class:`Table` objects (Chinese headers in the conventional column order,
cells as text, numbers or :class:`~dualprev_core.model.levels.RiskLevel` for coloured level
cells); :mod:`dualprev_core.outputs.workbook` writes them as ``.xlsx`` or ``.csv`` and the HTML
outputs print them.  The register's extra sheets (管控措施, 区域, 岗位, 风险点, 危险源, 说明) hold
what :mod:`dualprev_core.outputs.register_import` needs to read the register back losslessly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import attrs

from dualprev_core.hidden_dangers.events import Closed, Rectified, Verified
from dualprev_core.hidden_dangers.machine import HiddenDanger
from dualprev_core.model.levels import COLOUR_CITATION, RiskLevel
from dualprev_core.model.records import Control, Frequency, Risk
from dualprev_core.model.vocabulary import ControlKind, OwnerLevel
from dualprev_core.outputs.source import LOCAL_TIME, OutputSource

__all__ = [
    "Column",
    "Table",
    "REGISTER_FORMAT",
    "KIND_COLUMNS",
    "register_tables",
    "major_risk_table",
    "checklist_table",
    "ledger_table",
    "about_table",
    "frequency_zh",
    "local_time",
    "control_line",
    "edition_text",
    "category_name",
]

#: Written in the register's 说明 sheet; the importer checks it.
REGISTER_FORMAT = "dualprev-register/1"

#: The five control groups of the conventional register, in its column order.
KIND_COLUMNS: tuple[tuple[ControlKind, str], ...] = (
    (ControlKind.ENGINEERING, "工程技术措施"),
    (ControlKind.MANAGEMENT, "管理措施"),
    (ControlKind.TRAINING, "培训教育措施"),
    (ControlKind.PPE, "个体防护措施"),
    (ControlKind.EMERGENCY, "应急处置措施"),
)


@attrs.frozen
class Column:
    """One column: its key in the rows, its Chinese header, its width in characters."""

    key: str
    title: str
    width: float = 12
    #: Cells are risk levels, filled with the level's colour.
    level: bool = False
    #: Cells are ids: never wrapped.
    is_id: bool = False


@attrs.frozen
class Table:
    """A titled table: one worksheet or one CSV file."""

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: list[dict[str, Any]]
    #: Printed landscape (wide lists) or portrait.
    landscape: bool = True

    def cell(self, row: dict[str, Any], key: str) -> Any:
        return row.get(key)


def local_time(t: datetime | None, *, seconds: bool = False) -> str:
    """``2026-11-12 14:20`` in China Standard Time (documents print local time)."""
    if t is None:
        return ""
    return t.astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


_UNIT_ZH = {"hour": "小时", "shift": "班", "day": "天", "week": "周", "month": "月", "quarter": "季度", "half_year": "半年", "year": "年"}


def frequency_zh(f: Frequency) -> str:
    """``每班``, ``每2小时``, ``每天2次``, ``每季度`` …"""
    unit = _UNIT_ZH.get(f.unit, f.unit)
    if f.every == 1:
        return f"每{unit}"
    if f.every < 1:
        times = round(1 / f.every)
        return f"每{unit}{times}次"
    every = int(f.every) if float(f.every).is_integer() else f.every
    return f"每{every}{'个' if f.unit in ('month', 'quarter') else ''}{unit}"


def edition_text(edition: str) -> str:
    return f"GB 6441-{edition}"


def category_name(risk: Risk) -> str:
    """The accident category's Chinese name in the risk's edition (the id if unknown)."""
    from dualprev_core.taxonomy import accident_taxonomy

    try:
        return accident_taxonomy(risk.category_edition).get(risk.category).name_zh
    except Exception:  # noqa: BLE001 - a category a pack added to an edition we cannot resolve: show its id
        return risk.category


def control_line(c: Control) -> str:
    """``C-TK-GDS 罐区可燃/有毒气体检测报警系统`` — id first, as the importer reads it."""
    return f"{c.id} {c.name}"


def _level_owner(src: OutputSource, controls: Sequence[Control]) -> tuple[str, str, str]:
    """管控层级, 责任岗位, 责任人 of a risk: the highest owner level among its controls and its posts."""
    if not controls:
        return "", "", ""
    top = max((c.owner_level for c in controls), key=lambda o: o.rank)
    posts = list(dict.fromkeys(c.post for c in controls if c.owner_level is top and c.post))
    people = list(dict.fromkeys(p for pid in posts for p in (src.post(pid).people if src.post(pid) else ())))  # type: ignore[union-attr]
    return top.zh, "\n".join(src.post_name(p) for p in posts), "、".join(people)


def _input_names(src: OutputSource) -> list[str]:
    names: list[str] = []
    registry = src.assessment.packs.registry
    for r in src.enterprise.risks:
        for p in registry.method(r.method).parameters:
            if p.name not in names:
                names.append(p.name)
    return names


def _num(v: float) -> float | int:
    return int(v) if float(v).is_integer() else v


def register_tables(src: OutputSource) -> list[Table]:
    """The 风险分级管控清单 workbook: the register first, then the sheets it refers to."""
    e = src.enterprise
    a = src.assessment
    inputs = _input_names(src)
    rps = {rp.id: rp for rp in e.risk_points}
    hazards = {h.id: h for h in e.hazards}
    cols = [
        Column("n", "序号", 6), Column("id", "风险编号", 16, is_id=True), Column("area_id", "区域编号", 12, is_id=True),
        Column("area", "区域", 16), Column("rp_id", "风险点编号", 14, is_id=True), Column("rp", "风险点", 18),
        Column("rp_kind", "风险点类型", 10), Column("name", "风险名称", 26), Column("hazards", "危险源", 24),
        Column("description", "风险描述", 26), Column("category", "事故类型", 12), Column("edition", "分类标准", 13),
        Column("consequences", "可能后果", 26), Column("method", "评价方法", 9), Column("variant", "分级变体", 9),
        *(Column(f"in:{n}", n, 6) for n in inputs),
        Column("score", "分值", 8), Column("inherent", "固有风险等级", 10, level=True),
        Column("assessed", "评估等级", 9, level=True), Column("current", "当前等级", 9, level=True),
        *(Column(f"kind:{k.key}", title, 30) for k, title in KIND_COLUMNS),
        Column("owner_level", "管控层级", 9), Column("posts", "责任岗位", 14), Column("people", "责任人", 12),
        Column("why", "等级说明", 30), Column("note", "备注", 20),
    ]
    rows = []
    for n, r in enumerate(e.risks, start=1):
        ex = a.explain(r.id)
        controls = src.controls_of(r.id)
        owner, posts, people = _level_owner(src, controls)
        rp = rps.get(r.risk_point or "")
        row: dict[str, Any] = {
            "n": n, "id": r.id, "area_id": r.area, "area": src.area(r.area).name if src.area(r.area) else r.area,  # type: ignore[union-attr]
            "rp_id": r.risk_point or "", "rp": rp.name if rp else "", "rp_kind": rp.kind.zh if rp else "",
            "name": r.name, "hazards": "\n".join(f"{h} {hazards[h].name}" if h in hazards else h for h in r.hazards),
            "description": r.description, "category": category_name(r), "edition": edition_text(r.category_edition),
            "consequences": r.consequences, "method": r.method.upper(), "variant": r.variant or "",
            "score": _num(ex.assessed.score), "inherent": r.inherent_level, "assessed": ex.assessed.level, "current": ex.current,
            "owner_level": owner, "posts": posts, "people": people,
            "why": ex.sentence("zh") + ("" if r.id in a.active else "（不计入汇总）"),
            "note": str(r.facts.get("备注", "")),
        }
        for name in inputs:
            v = r.inputs.get(name)
            row[f"in:{name}"] = _num(v) if v is not None else None
        for kind, _ in KIND_COLUMNS:
            row[f"kind:{kind.key}"] = "\n".join(control_line(c) for c in controls if c.kind is kind)
        rows.append(row)
    title = f"{e.name} 风险分级管控清单"
    return [
        Table("风险分级管控清单", title, tuple(cols), rows),
        _controls_table(src),
        _areas_table(src),
        _posts_table(src),
        _risk_points_table(src),
        _hazards_table(src),
        about_table(src, REGISTER_FORMAT),
    ]


def _controls_table(src: OutputSource) -> Table:
    cols = (
        Column("n", "序号", 6), Column("id", "措施编号", 16, is_id=True), Column("name", "措施名称", 34), Column("kind", "措施类别", 10),
        Column("owner_level", "管控层级", 9), Column("post_id", "责任岗位编号", 13, is_id=True), Column("post", "责任岗位", 14),
        Column("people", "责任人", 12), Column("critical", "关键措施", 8), Column("on_failure", "失效时输入", 12),
        Column("mitigates", "管控风险", 18, is_id=True), Column("state", "当前状态", 9), Column("description", "措施说明", 34),
    )
    a = src.assessment
    rows = [{
        "n": n, "id": c.id, "name": c.name, "kind": c.kind.zh, "owner_level": c.owner_level.zh, "post_id": c.post or "",
        "post": src.post_name(c.post) if c.post else "", "people": src.people(c.post), "critical": "是" if c.critical else "否",
        "on_failure": " ".join(f"{k}={_num(v)}" for k, v in c.on_failure.items()), "mitigates": "\n".join(c.mitigates),
        "state": a.control_state(c.id).zh, "description": c.description,
    } for n, c in enumerate(src.enterprise.controls, start=1)]
    return Table("管控措施", f"{src.enterprise.name} 管控措施", cols, rows)


def _areas_table(src: OutputSource) -> Table:
    cols = (Column("n", "序号", 6), Column("id", "区域编号", 14, is_id=True), Column("name", "区域名称", 24),
            Column("parent", "上级区域编号", 14, is_id=True), Column("kind", "区域类型", 10), Column("shape", "平面图形", 9),
            Column("coordinates", "平面坐标", 40), Column("level", "区域风险等级", 10, level=True))
    rows = [{
        "n": n, "id": ar.id, "name": ar.name, "parent": ar.parent or "", "kind": ar.kind,
        "shape": ar.geometry.type if ar.geometry else "",
        "coordinates": " ".join(f"{_num(x)},{_num(y)}" for x, y in ar.geometry.coordinates) if ar.geometry else "",
        "level": src.assessment.area_level(ar.id),
    } for n, ar in enumerate(src.enterprise.areas, start=1)]
    return Table("区域", f"{src.enterprise.name} 区域", cols, rows, landscape=False)


def _posts_table(src: OutputSource) -> Table:
    cols = (Column("n", "序号", 6), Column("id", "岗位编号", 14, is_id=True), Column("name", "岗位名称", 20),
            Column("area", "所在区域编号", 14, is_id=True), Column("owner_level", "管控层级", 9), Column("people", "人员", 20))
    rows = [{"n": n, "id": p.id, "name": p.name, "area": p.area or "", "owner_level": p.owner_level.zh, "people": "、".join(p.people)}
            for n, p in enumerate(src.enterprise.posts, start=1)]
    return Table("岗位", f"{src.enterprise.name} 岗位", cols, rows, landscape=False)


def _risk_points_table(src: OutputSource) -> Table:
    cols = (Column("n", "序号", 6), Column("id", "风险点编号", 14, is_id=True), Column("name", "风险点名称", 24),
            Column("area", "区域编号", 14, is_id=True), Column("kind", "风险点类型", 10))
    rows = [{"n": n, "id": rp.id, "name": rp.name, "area": rp.area, "kind": rp.kind.zh} for n, rp in enumerate(src.enterprise.risk_points, start=1)]
    return Table("风险点", f"{src.enterprise.name} 风险点", cols, rows, landscape=False)


def _hazards_table(src: OutputSource) -> Table:
    cols = (Column("n", "序号", 6), Column("id", "危险源编号", 14, is_id=True), Column("name", "危险源名称", 24),
            Column("factor", "GB/T 13861 代码", 12, is_id=True), Column("rp", "风险点编号", 14, is_id=True), Column("description", "描述", 40))
    rows = [{"n": n, "id": h.id, "name": h.name, "factor": h.factor or "", "rp": h.risk_point or "", "description": h.description}
            for n, h in enumerate(src.enterprise.hazards, start=1)]
    return Table("危险源", f"{src.enterprise.name} 危险源", cols, rows, landscape=False)


def about_table(src: OutputSource, fmt: str) -> Table:
    """The 说明 sheet: enterprise, settings, provenance of the document and the colour note."""
    e = src.enterprise
    s = e.settings
    packs = src.assessment.packs
    items: list[tuple[str, str]] = [
        ("格式", fmt), ("企业编号", e.id), ("企业名称", e.name), ("行业", e.industry), ("地区", e.region),
        ("事故分类标准版本", s.gb6441_edition),
        ("分级变体设置", " ".join(f"{k}={v}" for k, v in s.variants.items())),
        ("分级边界设置", " ".join(f"{k}={v}" for k, v in s.edges.items())),
        ("企业风险等级方法", s.enterprise_level_method or ""),
        ("生成时间", local_time(src.generated_at, seconds=True)), ("数据截至", local_time(src.data_until, seconds=True)),
        ("数据来源", src.origin), ("流头哈希", src.head or ""),
        ("扩展包", "; ".join(f"{n} {m.version}" for n, m in packs.manifests.items())),
        ("等级颜色", "重大=红 较大=橙 一般=黄 低=蓝；填充色 " + " ".join(f"{lv.zh}{lv.hex}" for lv in sorted(RiskLevel, reverse=True))
         + "，为惯用色，非标准规定值（" + (COLOUR_CITATION.note or "") + "）"),
    ]
    cols = (Column("key", "项目", 18), Column("value", "内容", 80))
    return Table("说明", f"{e.name} 说明", cols, [{"key": k, "value": v} for k, v in items], landscape=False)


def major_risk_table(src: OutputSource) -> Table:
    """重大风险清单: the risks whose current level is major, with everything reported upward."""
    a = src.assessment
    e = src.enterprise
    mhi_areas = {m.area: m for m in e.major_hazard_installations if src.major_hazards.get(m.id) is not False}
    cols = (
        Column("n", "序号", 6), Column("id", "风险编号", 16, is_id=True), Column("area", "区域", 24), Column("rp", "风险点", 18),
        Column("name", "风险名称", 26), Column("category", "事故类型", 12), Column("edition", "分类标准", 13),
        Column("consequences", "可能后果", 26), Column("method", "评价方法及分值", 18), Column("assessed", "评估等级", 9, level=True),
        Column("current", "当前等级", 9, level=True), Column("why", "等级说明", 30), Column("controls", "管控措施", 40),
        Column("owner_level", "管控层级", 9), Column("posts", "责任岗位", 14), Column("people", "责任人", 12),
        Column("mhi", "重大危险源", 18), Column("hds", "未销号隐患", 16, is_id=True),
    )
    rps = {rp.id: rp for rp in e.risk_points}
    rows = []
    for n, r in enumerate(a.major_risks(), start=1):
        ex = a.explain(r.id)
        controls = src.controls_of(r.id)
        owner, posts, people = _level_owner(src, controls)
        chain = src.area_path(r.area).split(" / ")
        mhi = next((mhi_areas[x] for x in src.descendants(r.area) | {r.area} if x in mhi_areas), None)
        hds = [h.id for c in controls for h in a.ledger.open_on_control(c.id)]
        rows.append({
            "n": n, "id": r.id, "area": " / ".join(chain), "rp": rps[r.risk_point].name if r.risk_point in rps else "",
            "name": r.name, "category": category_name(r), "edition": edition_text(r.category_edition), "consequences": r.consequences,
            "method": f"{r.method.upper()} " + " ".join(f"{k}={_num(v)}" for k, v in r.inputs.items()) + f" → {_num(ex.assessed.score)}",
            "assessed": ex.assessed.level, "current": ex.current, "why": ex.sentence("zh"),
            "controls": "\n".join(f"[{c.kind.zh}] {control_line(c)}" for c in controls),
            "owner_level": owner, "posts": posts, "people": people, "mhi": f"{mhi.id} {mhi.name}" if mhi else "", "hds": "\n".join(hds),
        })
    return Table("重大风险清单", f"{e.name} 重大风险清单", cols, rows)


def checklist_table(src: OutputSource) -> Table:
    """隐患排查清单: every inspection item with its control, content, frequency and post."""
    a = src.assessment
    controls = {c.id: c for c in src.enterprise.controls}
    cols = (
        Column("n", "序号", 6), Column("id", "排查项编号", 18, is_id=True), Column("control_id", "管控措施编号", 16, is_id=True),
        Column("control", "管控措施", 30), Column("kind", "措施类别", 10), Column("critical", "关键措施", 8),
        Column("risks", "管控风险", 30), Column("level", "风险等级", 9, level=True), Column("content", "排查内容", 40),
        Column("frequency", "排查频次", 10), Column("owner_level", "排查层级", 9), Column("post", "排查岗位", 14), Column("people", "责任人", 12),
    )
    rows = []
    for n, it in enumerate(src.enterprise.inspection_items, start=1):
        c = controls.get(it.control)
        risks = [src.risk(r) for r in (c.mitigates if c else ())]
        levels = [a.current_level(r.id) for r in risks]
        rows.append({
            "n": n, "id": it.id, "control_id": it.control, "control": c.name if c else "", "kind": c.kind.zh if c else "",
            "critical": ("是" if c.critical else "否") if c else "", "risks": "\n".join(f"{r.id} {r.name}" for r in risks),
            "level": max(levels) if levels else None, "content": it.content, "frequency": frequency_zh(it.frequency),
            "owner_level": it.owner_level.zh, "post": src.post_name(it.post) if it.post else "", "people": src.people(it.post),
        })
    return Table("隐患排查清单", f"{src.enterprise.name} 隐患排查清单", cols, rows)


def _source_zh(source: str) -> str:
    kind, _, rest = source.partition(":")
    return {"inspection": "排查记录", "criterion": "判定标准", "monitoring": "监测报警"}.get(kind, kind) + (f" {rest}" if rest else "")


def _events(hd: HiddenDanger, kind: type) -> list[Any]:
    return [ev for ev in hd.history if isinstance(ev, kind)]


def ledger_table(src: OutputSource, hidden_dangers: Iterable[HiddenDanger] | None = None) -> Table:
    """隐患排查治理台账: every hidden danger from finding to closure, with overdue marks."""
    a = src.assessment
    controls = {c.id: c for c in src.enterprise.controls}
    cols = (
        Column("n", "序号", 6), Column("id", "隐患编号", 20, is_id=True), Column("found_at", "发现时间", 17), Column("found_by", "发现人", 9),
        Column("source", "隐患来源", 18), Column("area", "所在区域", 20), Column("control", "涉及管控措施", 28), Column("finding", "措施状态", 8),
        Column("description", "隐患描述", 34), Column("grade", "隐患级别", 12), Column("basis", "判定依据", 30),
        Column("responsible", "责任人（五落实）", 12), Column("measures", "整改措施", 28), Column("funds", "整改资金", 14),
        Column("plan_deadline", "整改时限", 17), Column("contingency", "应急预案", 24),
        Column("deadline", "整改期限", 17), Column("rectified", "整改情况", 28), Column("verifier", "验收人", 9),
        Column("verified_at", "验收时间", 17), Column("verify_note", "验收意见", 20), Column("closed_at", "销号时间", 17),
        Column("state", "状态", 10), Column("overdue", "逾期", 14), Column("suspended", "停产停业", 8),
    )
    rows = []
    for n, hd in enumerate(hidden_dangers if hidden_dangers is not None else a.ledger.all(), start=1):
        c = controls.get(hd.control_id or "")
        areas = list(dict.fromkeys(src.area_path(src.risk(r).area) for r in (c.mitigates if c else hd.risk_ids) if src.has_risk(r)))
        plan = hd.plan
        rect = _events(hd, Rectified)
        ver = [v for v in _events(hd, Verified) if v.passed]
        closed = _events(hd, Closed)
        basis = "；".join(f"{x.criterion_id}（{x.citation}）" for x in hd.criteria) if hd.criteria else (
            "未命中已安装扩展包的重大事故隐患判定标准" if hd.grade else "")
        funds = ""
        if plan is not None:
            funds = "；".join(x for x in (f"{plan.funds_amount} 元" if plan.funds_amount is not None else "", plan.funds_source) if x)
        rows.append({
            "n": n, "id": hd.id, "found_at": local_time(hd.reported_at), "found_by": hd.reported_by, "source": _source_zh(hd.source),
            "area": "\n".join(areas), "control": f"{c.id} {c.name}" if c else hd.control_id, "finding": hd.finding.zh,
            "description": hd.description, "grade": hd.grade.zh if hd.grade else "未定级", "basis": basis,
            "responsible": plan.responsible_person if plan else "", "measures": "\n".join(plan.measures) if plan else "",
            "funds": funds, "plan_deadline": local_time(plan.deadline) if plan else "", "contingency": plan.contingency_plan if plan else "",
            "deadline": local_time(hd.deadline), "rectified": "\n".join(f"{local_time(ev.at)} {ev.by}：{'；'.join(ev.measures)}" for ev in rect),
            "verifier": hd.verifier or "", "verified_at": local_time(ver[-1].at) if ver else "", "verify_note": ver[-1].why if ver else "",
            "closed_at": local_time(closed[-1].at) if closed else "", "state": hd.state.zh,
            "overdue": ("是，已升级至" + _escalated_zh(hd.escalated_to)) if hd.overdue else "否", "suspended": "是" if hd.suspended else "否",
        })
    return Table("隐患排查治理台账", f"{src.enterprise.name} 隐患排查治理台账", cols, rows)


def _escalated_zh(level: str | None) -> str:
    if level is None:
        return "—"
    if level == "regulator":
        return "监管部门"
    try:
        return OwnerLevel.parse(level).zh
    except Exception:  # noqa: BLE001 - an escalation target from a newer file: show it as recorded
        return level
