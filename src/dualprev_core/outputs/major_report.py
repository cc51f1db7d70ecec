"""The major hidden danger's report and remediation plan as a document (总局令第16号 第十四、十五条).

:func:`major_report_html` renders one hidden danger's report (current state and cause; harm and
difficulty; the remediation plan with its six contents), the criteria or judgements that made it
major, to whom it was reported, and the supervised path (挂牌督办) with its documents.  A missing
content is printed as missing, so a draft can be reviewed before it is submitted; the guards of
the ledger still refuse to submit it.  :func:`~dualprev_core.outputs.browser.html_to_pdf` prints it.
"""

from __future__ import annotations

from typing import Any

from dualprev_core.hidden_dangers.ledger import (
    PLAN_CONTENTS,
    REPORT_CONTENTS,
    HiddenDanger,
    MajorHiddenDangerReport,
    PostRectificationAssessed,
    RegulatorReviewed,
    ReportSubmitted,
    ResumptionApplied,
    SupervisionListed,
    SuspensionOrdered,
)
from dualprev_core.outputs.html import _render
from dualprev_core.outputs.tables import local_time

__all__ = ["major_report_html", "major_report_record"]

_RECIPIENTS = {"regulator": "负有安全生产监督管理职责的部门", "workers_congress": "职工大会或者职工代表大会"}
_BASES = {"criterion": "判定标准", "expert": "专家论证", "regulator": "监管部门认定"}
_FIELD_ZH = {
    "current_state": "隐患的现状", "cause": "产生原因", "harm": "危害程度分析", "difficulty": "整改难易程度分析",
    "objectives": "治理的目标", "tasks": "治理的任务", "measures": "采取的措施", "methods": "采取的方法", "funds": "经费",
    "materials": "物资的落实", "organisation": "负责治理的机构", "responsible_person": "负责人", "people": "负责治理的人员",
    "deadline": "治理的时限", "requirements": "治理的要求", "safety_measures": "安全措施", "contingency_plan": "应急预案",
}


def _plan_value(plan: Any, field: str) -> str:
    if plan is None:
        return ""
    if field == "funds":
        parts = []
        if plan.funds_amount is not None and plan.funds_amount > 0:
            parts.append(f"{plan.funds_amount} 元")
        if plan.funds_source:
            parts.append(f"来源：{plan.funds_source}")
        return "；".join(parts)
    if field == "deadline":
        return local_time(plan.deadline) if plan.deadline else ""
    value = getattr(plan, field)
    return "；".join(v for v in value if v.strip()) if isinstance(value, tuple) else str(value)


def major_report_record(hd: HiddenDanger, report: MajorHiddenDangerReport | None = None) -> dict[str, Any]:
    """What the document shows, as plain data (``report``: a draft instead of the submitted one)."""
    rep = report if report is not None else hd.report
    plan = hd.plan
    report_rows = []
    for key, zh, fields in REPORT_CONTENTS:
        if key == "remediation_plan":
            continue
        report_rows.append({"key": key, "title": zh, "rows": [
            {"field": f, "label": _FIELD_ZH[f], "value": getattr(rep, f) if rep else ""} for f in fields]})
    plan_rows = []
    for key, zh, fields in PLAN_CONTENTS:
        shown = list(fields) + [f for f in ({"methods_and_measures": ("methods",), "organisation_and_people": ("people",)}.get(key, ()))]
        plan_rows.append({"key": key, "title": zh, "rows": [
            {"field": f, "label": _FIELD_ZH[f], "value": _plan_value(plan, f), "optional": f not in fields} for f in shown]})
    steps = []
    titles = {SupervisionListed: "挂牌督办", SuspensionOrdered: "责令停产停业整改", PostRectificationAssessed: "治理后评估",
              ResumptionApplied: "恢复生产申请", RegulatorReviewed: "监管部门审查"}
    for e in hd.history:
        if isinstance(e, ReportSubmitted):
            steps.append({"at": local_time(e.at), "what": f"报告报送{_RECIPIENTS[e.recipient]}", "by": e.by, "document": None, "note": e.why})
        elif type(e) in titles:
            note = e.why
            if isinstance(e, PostRectificationAssessed):
                who = f"{e.agency}（资质 {e.qualification}）" if e.assessor == "agency" else "本单位技术人员和专家：" + "、".join(e.experts)
                note = f"{who}；结论：{e.conclusion}；{'合格' if e.passed else '不合格'}"
            elif isinstance(e, RegulatorReviewed):
                note = ("审查合格，核销" if e.passed else f"审查不合格：{e.why}")
            elif isinstance(e, SuspensionOrdered):
                note = f"范围：{e.scope}"
            elif isinstance(e, SupervisionListed):
                note = f"督办机关：{e.authority}" + (f"；治理期限 {local_time(e.deadline)}" if e.deadline else "")
            document = getattr(e, "document", None)
            steps.append({"at": local_time(e.at), "what": titles[type(e)], "by": e.by, "document": document.to_dict() if document else None,
                          "note": note})
    return {
        "id": hd.id,
        "on": hd.control_id or hd.subject,
        "description": hd.description,
        "found": local_time(hd.reported_at),
        "found_by": hd.reported_by,
        "state": hd.state.zh,
        "grade": hd.grade.zh if hd.grade else "未定级",
        "basis": _BASES.get(hd.grade_basis or "", "—"),
        "criteria": [{"id": c.criterion_id, "pack": f"{c.pack} {c.pack_version}", "citation": str(c.citation)} for c in hd.criteria],
        "judgements": [{"basis": _BASES[j.basis], "by": j.by, "why": j.why, "at": local_time(j.at)} for j in hd.judgements],
        "report": report_rows,
        "report_missing": [f"{_FIELD_ZH[f]}（{f}）" for f in (rep.missing() if rep else ("current_state", "cause", "harm", "difficulty"))],
        "plan": plan_rows,
        "plan_missing": [f"{zh}：" + "、".join(_FIELD_ZH[f] for f in fields)
                         for key, fields in (plan.missing_for_major() if plan else [(k, f) for k, _z, f in PLAN_CONTENTS])
                         for k, zh, _f in PLAN_CONTENTS if k == key],
        "reported_to": [_RECIPIENTS[r] for r in hd.reported_to],
        "draft": report is not None or hd.report is None,
        "supervision": hd.supervision.zh if hd.supervision else None,
        "steps": steps,
        "review_late": hd.review_late,
    }


def major_report_html(hd: HiddenDanger, *, enterprise_name: str = "", report: MajorHiddenDangerReport | None = None) -> str:
    """The report and plan of ``hd`` as a self-contained, printable HTML page (A4)."""
    rec = major_report_record(hd, report)
    title = f"重大事故隐患报告 {hd.id}"
    return _render("major_report.html.j2", None, title, r=rec, enterprise_name=enterprise_name)
