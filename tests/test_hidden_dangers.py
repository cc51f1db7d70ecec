"""The hidden-danger closed loop: guards, events, replay, overdue escalation, files."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from dualprev_core.clock import FixedClock, ManualClock, SystemClock, ensure_aware, parse_datetime
from dualprev_core.errors import InvalidInput, TransitionRejected, UnknownReference, ValidationError
from dualprev_core.hidden_dangers.ledger import (
    DEFAULT_ESCALATION_PERIOD,
    EVENT_KINDS,
    REGULATOR,
    SYSTEM_ACTOR,
    Assessed,
    CheckMissed,
    Closed,
    CriterionRef,
    Document,
    Escalated,
    FindingAdded,
    HiddenDangerEvent,
    HiddenDangerState,
    Ledger,
    MajorHiddenDangerReport,
    MarkedOverdue,
    PlanApproved,
    PostRectificationAssessed,
    ProductionResumed,
    ProductionSuspended,
    RectificationPlan,
    RectificationStarted,
    Rectified,
    Regraded,
    RegulatorReviewed,
    Reported,
    ReportSubmitted,
    ResumptionApplied,
    SupervisionListed,
    SuspensionOrdered,
    Verified,
    event_from_dict,
    replay,
)
from dualprev_core.model.vocabulary import HiddenDangerGrade, InspectionResult, OwnerLevel
from dualprev_core.provenance import Citation

CST = timezone(timedelta(hours=8))
T0 = datetime(2024, 5, 1, 8, 0, tzinfo=CST)
CRITERION = CriterionRef(
    criterion_id="dust-10",
    pack="trade",
    pack_version="1.0.0",
    citation=Citation(standard="应急管理部令第10号", edition="2023", clause="第十二条"),
)


def full_plan(due: datetime, **overrides: Any) -> RectificationPlan:
    fields: dict[str, Any] = {
        "responsible_person": "车间主任 Liu",
        "measures": ("replace the explosion vent",),
        "funds_amount": Decimal("12000"),
        "funds_source": "safety budget",
        "deadline": due,
        "contingency_plan": "stop the mill and evacuate the dust zone",
        # the rest of the six contents a major hidden danger's plan needs (16号令 第十五条)
        "objectives": ("no dust-explosion hazard in the mill",),
        "tasks": ("replace the vent", "clean the ducts"),
        "materials": "vent panel in stock",
        "organisation": "设备部",
        "requirements": "per GB 15577, accepted by the safety department",
        "safety_measures": "people withdrawn from the dust zone, warning signs posted",
    }
    fields.update(overrides)
    return RectificationPlan(**fields)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def ledger(clock: ManualClock) -> Ledger:
    return Ledger(clock=clock)


def report(ledger: Ledger, control: str = "C-1", owner: str = "post", **kw: Any) -> str:
    kw.setdefault("deadline", ledger.clock.now() + timedelta(days=3))
    hd = ledger.report(
        control_id=control,
        finding=kw.pop("finding", "failed"),
        source="inspection:I-1",
        description="interlock bypassed",
        owner_level=owner,
        by="reporter",
        **kw,
    )
    return hd.id


def to_major_rectifying(ledger: Ledger) -> str:
    hd_id = report(ledger)
    ledger.assess(hd_id, grade="major", criteria=[CRITERION], by="assessor")
    ledger.approve_plan(hd_id, plan=full_plan(T0 + timedelta(days=10)), by="manager")
    ledger.start_rectifying(hd_id, by="li")
    return hd_id


def to_general_rectified(ledger: Ledger) -> str:
    hd_id = report(ledger)
    ledger.assess(hd_id, grade="general", by="assessor")
    ledger.start_rectifying(hd_id, by="li")
    ledger.rectify(hd_id, measures=["interlock restored"], by="li")
    return hd_id


def rejected(ledger: Ledger, call: Any, match: str) -> None:
    """``call`` is rejected and appends nothing."""
    before = ledger.events
    with pytest.raises(TransitionRejected, match=match):
        call()
    assert ledger.events == before


# ---------------------------------------------------------------- happy paths


def test_general_loop_closes_after_verification(ledger: Ledger) -> None:
    """reported → assessed → rectifying → rectified → verified → closed for a general one."""
    hd_id = to_general_rectified(ledger)
    assert ledger.get(hd_id).state is HiddenDangerState.RECTIFIED
    ledger.verify(hd_id, passed=True, by="zhao")
    hd = ledger.close(hd_id, by="zhao")
    assert hd.state is HiddenDangerState.CLOSED and not hd.is_open
    assert hd.rectifiers == ("li",) and hd.verifier == "zhao"
    assert [e.kind for e in hd.history] == [
        "reported", "assessed", "rectification_started", "rectified", "verified", "closed"
    ]


def test_major_loop_goes_through_plan(ledger: Ledger) -> None:
    """A major hidden danger passes plan_approved and records its criteria."""
    hd_id = report(ledger)
    hd = ledger.assess(hd_id, grade="major", criteria=[CRITERION.to_dict()], by="assessor")
    assert hd.is_major and hd.criteria == (CRITERION,)
    hd = ledger.approve_plan(hd_id, plan=full_plan(T0 + timedelta(days=10)), by="manager")
    assert hd.state is HiddenDangerState.PLAN_APPROVED and hd.deadline == T0 + timedelta(days=10)
    ledger.start_rectifying(hd_id, by="li")
    ledger.rectify(hd_id, measures="vent replaced", by="li")
    ledger.verify(hd_id, passed=True, by="zhao")
    assert ledger.close(hd_id, by="safety office").state is HiddenDangerState.CLOSED


def test_generated_ids_are_deterministic(ledger: Ledger) -> None:
    """Ids are HD-<control>-<n>, counted per control; a caller's id is kept."""
    assert report(ledger, "C-1") == "HD-C-1-1"
    assert report(ledger, "C-1") == "HD-C-1-2"
    assert report(ledger, "C-2") == "HD-C-2-1"
    assert report(ledger, "C-2", hd_id="X-9") == "X-9"
    ledger2 = Ledger(clock=FixedClock(T0))
    assert report(ledger2, "C-1") == "HD-C-1-1"


def test_failed_verification_returns_to_rectifying(ledger: Ledger) -> None:
    """passed=False sends it back to rectifying, and needs a reason."""
    hd_id = to_general_rectified(ledger)
    rejected(ledger, lambda: ledger.verify(hd_id, passed=False, by="zhao"), "why")
    hd = ledger.verify(hd_id, passed=False, by="zhao", why="interlock still bypassed")
    assert hd.state is HiddenDangerState.RECTIFYING and hd.verifier is None
    ledger.rectify(hd_id, measures="bypass removed", by="wu")
    assert ledger.get(hd_id).rectifiers == ("li", "wu")
    rejected(ledger, lambda: ledger.verify(hd_id, passed=True, by="wu"), "rectifier")
    rejected(ledger, lambda: ledger.verify(hd_id, passed=True, by="li"), "rectifier")
    assert ledger.verify(hd_id, passed=True, by="zhao").state is HiddenDangerState.VERIFIED


def test_finding_added_keeps_the_worst(ledger: Ledger) -> None:
    hd_id = report(ledger, finding="weakened")
    assert ledger.add_finding(hd_id, finding="missing", source="inspection:I-2", by="x").finding is InspectionResult.MISSING
    assert ledger.add_finding(hd_id, finding="weakened", source="monitoring:r1", by="x").finding is InspectionResult.MISSING
    rejected(ledger, lambda: ledger.add_finding(hd_id, finding="effective", source="i", by="x"), "effective")


def test_open_on_control_and_all(ledger: Ledger) -> None:
    a = to_general_rectified(ledger)
    b = report(ledger, "C-1")
    c = report(ledger, "C-2")
    ledger.verify(a, passed=True, by="zhao")
    ledger.close(a, by="zhao")
    assert [hd.id for hd in ledger.open_on_control("C-1")] == [b]
    assert [hd.id for hd in ledger.open_on_control("C-2")] == [c]
    assert [hd.id for hd in ledger.all()] == [a, b, c]
    assert [hd.id for hd in ledger.open()] == [b, c]
    assert len(ledger) == 3 and a in ledger


def test_subscribe_sees_every_appended_event(ledger: Ledger) -> None:
    seen: list[HiddenDangerEvent] = []
    stop = ledger.subscribe(seen.append)
    hd_id = report(ledger)
    with pytest.raises(TransitionRejected):
        ledger.close(hd_id, by="x")
    ledger.assess(hd_id, grade="general", by="a")
    stop()
    ledger.start_rectifying(hd_id, by="li")
    assert [e.kind for e in seen] == ["reported", "assessed"]


def test_failing_listener_does_not_starve_others(ledger: Ledger) -> None:
    seen: list[str] = []

    def boom(event: HiddenDangerEvent) -> None:
        raise RuntimeError("listener bug")

    ledger.subscribe(boom)
    ledger.subscribe(lambda e: seen.append(e.kind))
    with pytest.raises(RuntimeError, match="listener bug"):
        report(ledger)
    assert seen == ["reported"] and len(ledger.events) == 1


# ---------------------------------------------------------------- guards


@pytest.mark.parametrize("item", ["responsible_person", "measures", "funds", "deadline", "contingency_plan"])
def test_plan_missing_any_of_the_five_is_rejected(ledger: Ledger, item: str) -> None:
    """Each of the five implementations (五落实) is required."""
    hd_id = report(ledger)
    ledger.assess(hd_id, grade="major", criteria=[CRITERION], by="assessor")
    blank: dict[str, Any] = {
        "responsible_person": {"responsible_person": "  "},
        "measures": {"measures": ()},
        "funds": {"funds_amount": None, "funds_source": ""},
        "deadline": {"deadline": None},
        "contingency_plan": {"contingency_plan": ""},
    }[item]
    plan = full_plan(T0 + timedelta(days=9), **blank)
    assert plan.missing() == (item,)
    rejected(ledger, lambda: ledger.approve_plan(hd_id, plan=plan, by="m"), item)
    rejected(ledger, lambda: ledger.start_rectifying(hd_id, by="li"), "五落实")


def test_funds_amount_or_source_suffices() -> None:
    d = T0 + timedelta(days=1)
    assert full_plan(d, funds_source="").is_complete
    assert full_plan(d, funds_amount=None).is_complete
    assert full_plan(d, funds_amount=Decimal(0), funds_source="").missing() == ("funds",)
    with pytest.raises(InvalidInput, match="funds_amount"):
        full_plan(d, funds_amount=-5)


def test_major_cannot_rectify_without_plan(ledger: Ledger) -> None:
    hd_id = report(ledger)
    ledger.assess(hd_id, grade="major", criteria=[CRITERION], by="assessor")
    rejected(ledger, lambda: ledger.start_rectifying(hd_id, by="li"), "major hidden danger cannot start rectifying")


def test_grade_and_criteria_must_agree(ledger: Ledger) -> None:
    hd_id = report(ledger)
    rejected(ledger, lambda: ledger.assess(hd_id, grade="major", by="a"), "criteria")
    rejected(ledger, lambda: ledger.assess(hd_id, grade="general", criteria=[CRITERION], by="a"), "general")


def test_assessment_needs_a_deadline(ledger: Ledger) -> None:
    hd_id = report(ledger, deadline=None)
    rejected(ledger, lambda: ledger.assess(hd_id, grade="general", by="a"), "deadline")
    rejected(ledger, lambda: ledger.assess(hd_id, grade="general", by="a", deadline=T0), "after")
    assert ledger.assess(hd_id, grade="general", by="a", deadline=T0 + timedelta(hours=4)).deadline == T0 + timedelta(hours=4)


def test_verifier_must_differ_from_rectifier(ledger: Ledger) -> None:
    hd_id = to_general_rectified(ledger)
    rejected(ledger, lambda: ledger.verify(hd_id, passed=True, by="li"), "rectifier")
    rejected(ledger, lambda: ledger.verify(hd_id, passed=True, by=" LI "), "rectifier")


def test_close_only_after_passed_verification(ledger: Ledger) -> None:
    hd_id = to_general_rectified(ledger)
    rejected(ledger, lambda: ledger.close(hd_id, by="zhao"), "only after a passed verification")
    ledger.verify(hd_id, passed=False, by="zhao", why="still broken")
    rejected(ledger, lambda: ledger.close(hd_id, by="zhao"), "only after a passed verification")


def test_downgrade_and_same_grade_rejected(ledger: Ledger) -> None:
    hd_id = report(ledger)
    rejected(ledger, lambda: ledger.regrade(hd_id, grade="major", criteria=[CRITERION], by="a", why="w"), "not assessed")
    ledger.assess(hd_id, grade="major", criteria=[CRITERION], by="a")
    rejected(ledger, lambda: ledger.regrade(hd_id, grade="general", criteria=[], by="a", why="w"), "upward only")
    rejected(ledger, lambda: ledger.regrade(hd_id, grade="major", criteria=[CRITERION], by="a", why="w"), "upward only")


def test_regrade_upward_needs_plan_before_rectifying_continues(ledger: Ledger) -> None:
    """A general one regraded major while rectifying goes back to assessed (needs 五落实)."""
    hd_id = report(ledger)
    ledger.assess(hd_id, grade="general", by="a")
    ledger.start_rectifying(hd_id, by="li")
    rejected(ledger, lambda: ledger.regrade(hd_id, grade="major", criteria=[CRITERION], by="a", why=""), "why")
    hd = ledger.regrade(hd_id, grade="major", criteria=[CRITERION], by="a", why="dust explosion zone found")
    assert hd.is_major and hd.state is HiddenDangerState.ASSESSED
    rejected(ledger, lambda: ledger.start_rectifying(hd_id, by="li"), "五落实")


def test_nothing_happens_after_closure(ledger: Ledger) -> None:
    hd_id = to_general_rectified(ledger)
    ledger.verify(hd_id, passed=True, by="zhao")
    ledger.close(hd_id, by="zhao")
    calls = [
        lambda: ledger.add_finding(hd_id, finding="failed", source="i", by="x"),
        lambda: ledger.regrade(hd_id, grade="major", criteria=[CRITERION], by="a", why="w"),
        lambda: ledger.start_rectifying(hd_id, by="li"),
        lambda: ledger.rectify(hd_id, measures="m", by="li"),
        lambda: ledger.verify(hd_id, passed=True, by="q"),
        lambda: ledger.close(hd_id, by="zhao"),
        lambda: ledger.suspend_production(hd_id, by="boss", why="w"),
        lambda: ledger.approve_plan(hd_id, plan=full_plan(T0 + timedelta(days=30)), by="m"),
    ]
    for call in calls:
        rejected(ledger, call, "closed")


def test_out_of_order_transitions_rejected(ledger: Ledger) -> None:
    hd_id = report(ledger)
    rejected(ledger, lambda: ledger.start_rectifying(hd_id, by="li"), "reported")
    rejected(ledger, lambda: ledger.rectify(hd_id, measures="m", by="li"), "reported")
    rejected(ledger, lambda: ledger.verify(hd_id, passed=True, by="z"), "reported")
    rejected(ledger, lambda: ledger.approve_plan(hd_id, plan=full_plan(T0 + timedelta(days=2)), by="m"), "reported")
    ledger.assess(hd_id, grade="general", by="a")
    rejected(ledger, lambda: ledger.assess(hd_id, grade="general", by="a"), "assessed")
    rejected(ledger, lambda: ledger.rectify(hd_id, measures="m", by="li"), "assessed")
    ledger.start_rectifying(hd_id, by="li")
    rejected(ledger, lambda: ledger.start_rectifying(hd_id, by="li"), "rectifying")
    rejected(ledger, lambda: ledger.rectify(hd_id, measures=[" "], by="li"), "measures")


def test_duplicate_id_and_effective_report_rejected(ledger: Ledger) -> None:
    report(ledger, hd_id="HD-1")
    rejected(ledger, lambda: report(ledger, hd_id="HD-1"), "already used")
    rejected(ledger, lambda: report(ledger, finding="effective"), "effective")
    rejected(ledger, lambda: report(ledger, deadline=T0 - timedelta(days=1)), "after")


def test_time_cannot_go_back(ledger: Ledger) -> None:
    hd_id = report(ledger)
    rejected(ledger, lambda: ledger.assess(hd_id, grade="general", by="a", at=T0 - timedelta(seconds=1)), "earlier")


def test_unknown_id_suggests(ledger: Ledger) -> None:
    report(ledger, "C-1")
    with pytest.raises(UnknownReference, match="did you mean 'HD-C-1-1'"):
        ledger.assess("HD-C-1-2", grade="general", by="a")
    with pytest.raises(KeyError):
        ledger.get("nope")


def test_naive_datetimes_refused(ledger: Ledger) -> None:
    with pytest.raises(InvalidInput, match="naive"):
        report(ledger, deadline=datetime(2024, 6, 1))
    with pytest.raises(InvalidInput, match="naive"):
        report(ledger, at=datetime(2024, 6, 1))
    with pytest.raises(InvalidInput, match="naive"):
        ManualClock(datetime(2024, 1, 1))
    assert ledger.events == ()


def test_malformed_values_name_the_field(ledger: Ledger) -> None:
    with pytest.raises(InvalidInput, match="'owner_level' must be one of"):
        report(ledger, owner="boss")
    hd_id = report(ledger)
    with pytest.raises(InvalidInput, match="'grade'"):
        ledger.assess(hd_id, grade="huge", by="a")
    with pytest.raises(InvalidInput, match=r"criteria\[0\].citation"):
        ledger.assess(hd_id, grade="major", by="a", criteria=[{**CRITERION.to_dict(), "citation": {"clause": "x"}}])
    with pytest.raises(InvalidInput, match="'by'"):
        ledger.assess(hd_id, grade="general", by="")


# ---------------------------------------------------------------- suspension


def test_suspension_flags(ledger: Ledger) -> None:
    hd_id = to_major_rectifying(ledger)
    rejected(ledger, lambda: ledger.resume_production(hd_id, by="boss", why="w"), "not suspended")
    rejected(ledger, lambda: ledger.suspend_production(hd_id, by="boss", why=""), "why")
    assert ledger.suspend_production(hd_id, by="boss", why="dust zone unsafe").suspended
    rejected(ledger, lambda: ledger.suspend_production(hd_id, by="boss", why="again"), "already suspended")
    ledger.rectify(hd_id, measures="vent replaced", by="li")
    ledger.verify(hd_id, passed=True, by="zhao")
    rejected(ledger, lambda: ledger.close(hd_id, by="zhao"), "suspended")
    assert not ledger.resume_production(hd_id, by="regulator", why="on-site review passed").suspended
    assert ledger.close(hd_id, by="zhao").state is HiddenDangerState.CLOSED


# ---------------------------------------------------------------- overdue and escalation


def test_overdue_escalation_chain_general(ledger: Ledger, clock: ManualClock) -> None:
    """A general one owned by a post climbs post → team → workshop → company, then stops."""
    hd_id = report(ledger, owner="post")
    ledger.assess(hd_id, grade="general", by="a")
    assert ledger.check_overdue() == ()
    clock.advance(timedelta(days=3))
    assert ledger.check_overdue() == ()  # at the deadline is not past it
    clock.advance(timedelta(seconds=1))
    (ev,) = ledger.check_overdue()
    assert isinstance(ev, MarkedOverdue) and ev.escalated_to == "team" and ev.by == SYSTEM_ACTOR
    assert ledger.get(hd_id).overdue
    assert ledger.check_overdue() == ()  # no escalation before the period
    levels = []
    for _ in range(5):
        clock.advance(DEFAULT_ESCALATION_PERIOD)
        levels += [e.escalated_to for e in ledger.check_overdue() if isinstance(e, Escalated)]
    assert levels == ["workshop", "company"]
    assert ledger.get(hd_id).escalated_to == "company"


def test_overdue_escalation_chain_major_reaches_regulator(clock: ManualClock) -> None:
    ledger = Ledger(clock=clock, escalation_period=timedelta(days=1))
    hd_id = report(ledger, owner="workshop")
    ledger.assess(hd_id, grade="major", criteria=[CRITERION], by="a")
    seen = []
    for _ in range(6):
        clock.advance(timedelta(days=2))
        seen += [e.escalated_to for e in ledger.check_overdue()]  # type: ignore[attr-defined]
    assert seen == ["company", REGULATOR]


def test_general_owned_by_company_stays_at_company(ledger: Ledger, clock: ManualClock) -> None:
    hd_id = report(ledger, owner="company")
    clock.advance(timedelta(days=30))
    (ev,) = ledger.check_overdue()
    assert ev.escalated_to == "company"  # type: ignore[attr-defined]
    clock.advance(timedelta(days=30))
    assert ledger.check_overdue() == ()
    assert ledger.get(hd_id).overdue


def test_rectified_is_not_overdue_and_plan_extension_clears(ledger: Ledger, clock: ManualClock) -> None:
    a = to_general_rectified(ledger)
    b = to_major_rectifying(ledger)  # plan deadline T0 + 10 days
    clock.advance(timedelta(days=11))
    events = ledger.check_overdue()
    assert [e.hd_id for e in events] == [b]
    assert not ledger.get(a).overdue and ledger.get(b).overdue
    hd = ledger.approve_plan(b, plan=full_plan(clock.now() + timedelta(days=5)), by="m", why="deadline extended")
    assert not hd.overdue and hd.state is HiddenDangerState.RECTIFYING and hd.escalated_to == "team"
    clock.advance(timedelta(days=6))
    (again,) = ledger.check_overdue()
    assert again.escalated_to == "workshop"  # type: ignore[attr-defined]
    assert not ledger.rectify(b, measures="m", by="li").overdue


def test_overdue_guards_in_replay() -> None:
    """A forged MarkedOverdue (deadline not passed, wrong level) is refused."""
    led = Ledger(clock=FixedClock(T0))
    hd_id = report(led)
    dl = led.get(hd_id).deadline
    assert dl is not None
    early = MarkedOverdue(hd_id=hd_id, by="s", at=dl, deadline=dl, escalated_to="team")
    rejected(led, lambda: led.append(early), "has not passed")
    wrong = MarkedOverdue(hd_id=hd_id, by="s", at=dl + timedelta(1), deadline=dl, escalated_to="company")
    rejected(led, lambda: led.append(wrong), "'team'")
    esc = Escalated(hd_id=hd_id, by="s", at=dl + timedelta(1), escalated_to="team")
    rejected(led, lambda: led.append(esc), "not overdue")


# ---------------------------------------------------------------- serialisation and replay


def one_of_each_kind() -> list[Any]:
    at = T0
    plan = full_plan(T0 + timedelta(days=10))
    common = {"hd_id": "HD-1", "by": "李工", "at": at, "why": "原因"}
    return [
        Reported(**common, control_id="C-1", finding=InspectionResult.FAILED, source="monitoring:gas-high",
                 description="可燃气体报警器失效", owner_level=OwnerLevel.TEAM, post="P-3", risk_ids=("R-1", "R-2"),
                 deadline=T0 + timedelta(days=1)),
        FindingAdded(**common, finding=InspectionResult.MISSING, source="inspection:I-9"),
        Assessed(**common, grade=HiddenDangerGrade.GENERAL, criteria=(), deadline=T0 + timedelta(days=2)),
        Regraded(**common, grade=HiddenDangerGrade.MAJOR, criteria=(CRITERION,)),
        PlanApproved(**common, plan=plan),
        RectificationStarted(**common),
        Rectified(**common, measures=("更换报警器", "校验")),
        Verified(**common, passed=False),
        Closed(**common),
        MarkedOverdue(**common, deadline=T0 - timedelta(days=1), escalated_to="workshop"),
        Escalated(**common, escalated_to=REGULATOR),
        ProductionSuspended(**common),
        ProductionResumed(**common),
        ReportSubmitted(**common, recipient="regulator", report=MajorHiddenDangerReport(
            current_state="泄爆片缺失", cause="检修后未复装", harm="粉尘爆炸可致群死群伤", difficulty="需停产更换")),
        SupervisionListed(**common, authority="某市应急管理局", document=Document(title="重大事故隐患挂牌督办通知书", number="督〔2024〕1号"),
                          deadline=T0 + timedelta(days=30)),
        SuspensionOrdered(**common, scope="full: 除尘系统及磨粉车间", document=Document(title="责令停产停业整改指令书")),
        PostRectificationAssessed(**common, assessor="agency", passed=True, conclusion="符合安全生产条件",
                                  document=Document(title="治理情况评价报告"), agency="某安全评价有限公司", qualification="APJ-(苏)-001"),
        ResumptionApplied(**common, document=Document(title="恢复生产申请", issued_by="某企业")),
        RegulatorReviewed(**common, passed=True, document=Document(title="复产审查意见", date="2024-05-20")),
        Regraded(**common, grade=HiddenDangerGrade.MAJOR, basis="expert"),
        CheckMissed(task_id="I-2H", by="system", at=at, why="无排查记录", window_start=T0 - timedelta(hours=2),
                    due_at=T0, done=0, required=1, escalated_to="team"),
    ]


def test_every_kind_round_trips_through_json() -> None:
    events = one_of_each_kind()
    assert {e.kind for e in events} == set(EVENT_KINDS)
    for e in events:
        d = e.to_dict()
        assert d["kind"] == e.kind and d["at"] == "2024-05-01T08:00:00+08:00"
        back = event_from_dict(json.loads(json.dumps(d, ensure_ascii=False)))
        assert back == e and type(back) is type(e)
        assert back.to_dict() == d


def test_event_from_dict_names_field_and_value() -> None:
    d = one_of_each_kind()[0].to_dict()
    with pytest.raises(ValidationError) as info:
        event_from_dict({**d, "finding": "broken", "at": "yesterday", "colour": "red"})
    text = str(info.value)
    assert "'finding'" in text and "'broken'" in text
    assert "'at'" in text and "'yesterday'" in text
    assert "colour" in text
    with pytest.raises(ValidationError, match="did you mean 'reported'"):
        event_from_dict({**d, "kind": "reportd"})
    missing = {k: v for k, v in d.items() if k != "control_id"}
    with pytest.raises(ValidationError, match="exactly one of 'control_id'.*'subject'"):
        event_from_dict(missing)
    with pytest.raises(ValidationError, match=r"plan.*funds_amount"):
        event_from_dict({**one_of_each_kind()[4].to_dict(), "plan": {"funds_amount": "lots"}})


def test_replay_equals_live_state(ledger: Ledger, clock: ManualClock) -> None:
    to_general_rectified(ledger)
    b = to_major_rectifying(ledger)
    ledger.suspend_production(b, by="boss", why="unsafe")
    clock.advance(timedelta(days=20))
    ledger.check_overdue()
    assert replay(ledger.events) == {hd.id: hd for hd in ledger.all()}
    again = Ledger.from_events(ledger.events)
    assert again.all() == ledger.all() and again.events == ledger.events


def test_jsonl_round_trip(tmp_path: Path, ledger: Ledger, clock: ManualClock) -> None:
    a = to_general_rectified(ledger)
    ledger.verify(a, passed=True, by="zhao")
    ledger.close(a, by="zhao")
    to_major_rectifying(ledger)
    clock.advance(timedelta(days=30))
    ledger.check_overdue()
    path = tmp_path / "hd.jsonl"
    ledger.to_jsonl(path)
    assert len(path.read_text(encoding="utf-8").splitlines()) == len(ledger.events)
    back = Ledger.from_jsonl(path)
    assert back.events == ledger.events and back.all() == ledger.all()
    buf = io.StringIO()
    ledger.to_jsonl(buf)
    buf.seek(0)
    assert Ledger.from_jsonl(buf).all() == ledger.all()


def test_bad_jsonl_lines_are_named(ledger: Ledger) -> None:
    hd_id = to_general_rectified(ledger)
    lines = ledger.to_jsonl_text().splitlines()
    lines[1] = lines[1].replace('"grade": "general"', '"grade": "minor"')
    lines.insert(2, "{not json")
    lines.append("")
    with pytest.raises(ValidationError) as info:
        Ledger.from_jsonl(io.StringIO("\n".join(lines)))
    problems = [str(p) for p in info.value.problems]
    assert len(problems) == 2
    assert problems[0].startswith("line 2.grade") and "'minor'" in problems[0]
    assert problems[1].startswith("line 3") and "not valid JSON" in problems[1]
    assert hd_id


def test_illegal_sequence_refused_with_index(ledger: Ledger) -> None:
    """A hand-edited event file that skips verification is refused, naming the event."""
    hd_id = to_general_rectified(ledger)
    forged = [*ledger.events, Closed(hd_id=hd_id, by="x", at=T0)]
    with pytest.raises(TransitionRejected, match=r"event \[4\].*passed verification"):
        Ledger.from_events(forged)
    text = "\n".join(json.dumps(e.to_dict()) for e in forged)
    with pytest.raises(TransitionRejected, match=r"line 5: closed"):
        Ledger.from_jsonl(io.StringIO(text))
    with pytest.raises(TransitionRejected, match=r"event \[0\].*unknown hidden danger"):
        replay([Closed(hd_id="HD-9", by="x", at=T0)])


# ---------------------------------------------------------------- clocks


def test_clocks() -> None:
    c = ManualClock(T0)
    assert c.advance(timedelta(hours=1)) == T0 + timedelta(hours=1)
    with pytest.raises(InvalidInput):
        c.advance(timedelta(hours=-1))
    with pytest.raises(InvalidInput):
        c.set(T0)
    assert FixedClock(T0).now() == T0
    assert SystemClock().now().tzinfo is not None
    assert parse_datetime("2024-05-01T08:00:00+08:00") == T0
    with pytest.raises(InvalidInput, match="naive"):
        parse_datetime("2024-05-01T08:00:00", "deadline")
    with pytest.raises(InvalidInput, match="'deadline'"):
        ensure_aware("soon", "deadline")
    with pytest.raises(InvalidInput, match="escalation_period"):
        Ledger(escalation_period=timedelta(0))


def test_docs_event_file_example_loads() -> None:
    """The JSONL example in docs/hidden-dangers.md is a valid, closed loop."""
    import re

    doc = (Path(__file__).resolve().parents[1] / "docs" / "hidden-dangers.md").read_text(encoding="utf-8")
    block = re.search(r"```json\n(.*?)```", doc, re.S)
    assert block is not None
    (hd,) = Ledger.from_jsonl(io.StringIO(block.group(1))).all()
    assert hd.state is HiddenDangerState.CLOSED and hd.is_major and hd.plan is not None
