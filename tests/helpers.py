"""Shared helpers for the core tests."""

from __future__ import annotations

from datetime import timedelta

from dualprev_core.assessment.assessment import Assessment


def close_all(a: Assessment) -> None:
    """Take every open hidden danger through the loop to closed (rectifier ≠ verifier)."""
    for hd in a.ledger.open():
        at = hd.last_at + timedelta(hours=1)
        if hd.is_major:
            a.ledger.approve_plan(hd.id, plan={
                "responsible_person": "厂长", "measures": ["更换"], "funds_amount": 1000, "funds_source": "安全费用",
                "deadline": at + timedelta(days=3), "contingency_plan": "停用并设警戒",
                "objectives": ["消除隐患"], "tasks": ["更换"], "materials": "备件已到", "organisation": "设备部",
                "requirements": "按原设计恢复并验收", "safety_measures": "撤出人员、设置警戒",
            }, by="安全总监", at=at)
        a.ledger.start_rectifying(hd.id, by="维修工", at=at)
        a.ledger.rectify(hd.id, measures="已修复", by="维修工", at=at + timedelta(hours=1))
        a.ledger.verify(hd.id, passed=True, by="安全员", at=at + timedelta(hours=2))
        if a.ledger.get(hd.id).is_open:
            a.ledger.close(hd.id, by="安全员", at=at + timedelta(hours=3))
