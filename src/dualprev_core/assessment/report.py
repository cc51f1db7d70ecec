"""JSON-ready reports of an assessment (what ``dualprev assess --json`` prints)."""

from __future__ import annotations

from typing import Any

from dualprev_core.assessment.assessment import Assessment
from dualprev_core.hidden_dangers.ledger import HiddenDanger
from dualprev_core.model.records import Control

__all__ = ["assessment_report", "hidden_danger_summary", "hidden_danger_effect", "control_record"]


def hidden_danger_effect(hd: HiddenDanger) -> str:
    """How a hidden danger moves levels, in words (every hidden danger states it)."""
    if hd.control_id is not None:
        return (f"degrades control {hd.control_id}: the risks it mitigates are re-levelled by their method or the "
                "escalation policy while it is open")
    scope = hd.subject or ""
    kind = scope.partition(":")[0]
    where = {"area": "the area's", "risk_point": "the risk point's area's", "enterprise": "the enterprise's"}.get(kind, "the")
    risks = f" (risks in scope: {', '.join(hd.risk_ids)})" if hd.risk_ids else ""
    return (f"on {scope}, no control covers it: no risk's current level moves{risks}; it counts among {where} open "
            "hidden dangers and in the enterprise's hidden-danger statistics")


def hidden_danger_summary(hd: HiddenDanger) -> dict[str, Any]:
    """A compact JSON view of one hidden danger (the ledger's line for people)."""
    return {
        "id": hd.id,
        "control": hd.control_id,
        "subject": hd.subject,
        "effect_on_levels": hidden_danger_effect(hd),
        "state": hd.state.key,
        "grade": hd.grade.key if hd.grade else None,
        "finding": hd.finding.key,
        "criteria": [c.to_dict() for c in hd.criteria],
        "owner_level": hd.owner_level.key,
        "post": hd.post,
        "deadline": hd.deadline.isoformat() if hd.deadline else None,
        "overdue": hd.overdue,
        "escalated_to": hd.escalated_to,
        "suspended": hd.suspended,
        "source": hd.source,
        "description": hd.description,
        "grade_basis": hd.grade_basis,
        "judgements": [{"basis": j.basis, "by": j.by, "why": j.why, "at": j.at.isoformat()} for j in hd.judgements],
        "plan": hd.plan.to_dict() if hd.plan else None,
        "report": hd.report.to_dict() if hd.report else None,
        "reported_to": list(hd.reported_to),
        "report_due": hd.report_due,
        "supervision": hd.supervision.key if hd.supervision else None,
        "supervision_authority": hd.supervision_authority,
        "suspension_ordered": hd.suspension_ordered,
        "review_late": hd.review_late,
    }


def control_record(a: Assessment, c: Control) -> dict[str, Any]:
    """A control as a risk record carries it: kind, owner level, responsible post and people, state."""
    post = next((p for p in a.enterprise.posts if p.id == c.post), None) if c.post else None
    return {
        "id": c.id,
        "name": c.name,
        "kind": c.kind.key,
        "owner_level": c.owner_level.key,
        "post": c.post,
        "post_name": post.name if post else None,
        "people": list(post.people) if post else [],
        "critical": c.critical,
        "state": a.control_state(c.id).key,
    }


def assessment_report(a: Assessment) -> dict[str, Any]:
    """Every risk's assessed and current level with explanation, area colours, the enterprise
    level, the major-risk list, hidden dangers and pack sections (e.g. major hazard installations).
    """
    e = a.enterprise
    controls_of: dict[str, list[Control]] = {}
    for c in e.controls:
        for rid in c.mitigates:
            controls_of.setdefault(rid, []).append(c)
    risks = []
    for r in e.risks:
        ex = a.explain(r.id)
        risks.append({
            "id": r.id,
            "name": r.name,
            "area": r.area,
            "category": r.category,
            "method": r.method,
            "active": r.id in a.active,
            "assessed_level": ex.assessed.level.key,
            "current_level": ex.current.key,
            "score": ex.assessed.to_dict()["score"],
            "explanation": ex.to_dict(),
            "risk_point": r.risk_point,
            "category_edition": r.category_edition,
            "inputs": {k: int(v) if float(v).is_integer() else v for k, v in r.inputs.items()},
            "inherent_level": r.inherent_level.key if r.inherent_level else None,
            "controls": [control_record(a, c) for c in controls_of.get(r.id, ())],
        })
    areas = []
    for area in e.areas:
        lvl = a.area_level(area.id)
        areas.append({
            "id": area.id,
            "name": area.name,
            "parent": area.parent,
            "level": lvl.key if lvl else None,
            "colour": lvl.colour if lvl else None,
            "hex": lvl.hex if lvl else None,
            "risks": len(a.graph.risks_in_area(area.id)),
        })
    major = [{"id": r.id, "name": r.name, "area": r.area, "category": r.category,
              "assessed_level": a.assessed_level(r.id).key,
              "responsible": [{"control": x.control, "owner_level": x.owner_level.key, "post": x.post} for x in a.graph.responsible_for(r.id)]}
             for r in a.major_risks()]
    report: dict[str, Any] = {
        "format": "dualprev-assessment/1",
        "enterprise": {"id": e.id, "name": e.name, "industry": e.industry, **a.enterprise_level().to_dict()},
        "level_counts": {lvl.key: n for lvl, n in a.level_counts().items()},
        "risks": risks,
        "areas": areas,
        "major_risks": major,
        "hidden_dangers": [hidden_danger_summary(hd) for hd in a.ledger.all()],
        "packs": {name: m.version for name, m in a.packs.manifests.items()},
        "criteria_unapplied": [{"match": m.to_dict(), "reason": why} for m, why in a.unapplied],
    }
    report.update(a.packs.assess_enterprise(a))
    return report
