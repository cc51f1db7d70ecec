"""Stateful property test: random (valid and invalid) transitions on a hidden-danger ledger."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import hypothesis.strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, precondition, rule

from dualprev_core.clock import ManualClock
from dualprev_core.errors import DualprevError
from dualprev_core.hidden_dangers.ledger import (
    Closed,
    CriterionRef,
    HiddenDangerState,
    Ledger,
    ProductionResumed,
    RectificationPlan,
    Rectified,
    RegulatorReviewed,
    ReportSubmitted,
    ResumptionApplied,
    SupervisionState,
    SuspensionOrdered,
    Verified,
    replay,
)
from dualprev_core.model.vocabulary import HiddenDangerGrade
from dualprev_core.provenance import Citation

CST = timezone(timedelta(hours=8))
START = datetime(2024, 1, 1, 8, tzinfo=CST)
CRITERION = CriterionRef(
    criterion_id="c-1", pack="test", pack_version="0", citation=Citation(standard="应急管理部令第10号")
)
UNRECTIFIED = {
    HiddenDangerState.REPORTED,
    HiddenDangerState.ASSESSED,
    HiddenDangerState.PLAN_APPROVED,
    HiddenDangerState.RECTIFYING,
}
AFTER_START = {
    HiddenDangerState.RECTIFYING,
    HiddenDangerState.RECTIFIED,
    HiddenDangerState.VERIFIED,
    HiddenDangerState.CLOSED,
}

people = st.sampled_from(["li", "wang", "zhao", "wu", "Li "])
hours = st.integers(min_value=1, max_value=96).map(lambda h: timedelta(hours=h))
reasons = st.sampled_from(["", "because"])
#: The 16号令 contents a major hidden danger's plan needs beyond the five implementations.
MAJOR_EXTRAS: dict[str, Any] = {"objectives": ("safe",), "tasks": ("fix",), "materials": "spares", "organisation": "maintenance",
                                "requirements": "as designed", "safety_measures": "withdraw people"}
REPORT = {"current_state": "s", "cause": "c", "harm": "h", "difficulty": "d"}
GRADE_RANK = {None: 0, HiddenDangerGrade.GENERAL: 1, HiddenDangerGrade.MAJOR: 2}


class HiddenDangerMachine(RuleBasedStateMachine):
    hds = Bundle("hds")

    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock(START)
        self.ledger = Ledger(clock=self.clock, escalation_period=timedelta(days=1))
        self.grades: dict[str, int] = {}
        self.rejections = 0

    def attempt(self, call: Callable[[], Any]) -> None:
        """Run a transition; a refusal must leave the event list unchanged."""
        before = self.ledger.events
        try:
            call()
        except DualprevError:
            self.rejections += 1
            assert self.ledger.events == before

    # ------------------------------------------------------------ rules

    @precondition(lambda self: len(self.ledger) < 4)
    @rule(target=hds, control=st.sampled_from(["C-1", "C-2"]), by=people, due=st.none() | hours,
          owner=st.sampled_from(["post", "team", "workshop", "company"]))
    def report(self, control: str, by: str, due: timedelta | None, owner: str) -> str:
        hd = self.ledger.report(
            control_id=control, finding="failed", source="inspection:x", description="d", owner_level=owner, by=by,
            deadline=None if due is None else self.clock.now() + due,
        )
        return hd.id

    # Random transitions, valid or not: one rule drawing the kind, so that the guided
    # ``progress`` rule keeps a fair share of the steps and runs reach closure.
    @rule(hd=hds | st.just("HD-missing"), kind=st.sampled_from(
        ["assess", "regrade", "approve_plan", "start", "rectify", "verify", "close", "suspend", "resume",
         "add_finding", "judge", "report", "supervise", "order_suspension", "assess_remediation", "apply", "review"]),
        by=people, flag=st.booleans(), why=reasons, due=st.none() | hours,
        lacking=st.sets(st.sampled_from(["responsible_person", "measures", "funds", "deadline", "contingency_plan", "major_contents"]),
                        max_size=2),
        finding=st.sampled_from(["effective", "weakened", "failed", "missing"]))
    def chaos(self, hd: str, kind: str, by: str, flag: bool, why: str, due: timedelta | None,
              lacking: set[str], finding: str) -> None:
        led, now = self.ledger, self.clock.now()
        deadline = None if due is None else now + due
        grade = "major" if flag else "general"
        plan = RectificationPlan(
            responsible_person="" if "responsible_person" in lacking else "liu",
            measures=() if "measures" in lacking else ("fix",),
            funds_source="" if "funds" in lacking else "budget",
            deadline=None if "deadline" in lacking else deadline,
            contingency_plan="" if "contingency_plan" in lacking else "evacuate",
            **({} if "major_contents" in lacking else MAJOR_EXTRAS),
        )
        calls: dict[str, Callable[[], Any]] = {
            "assess": lambda: led.assess(hd, grade=grade, criteria=[CRITERION] if why else [], by=by,
                                         deadline=deadline),
            "regrade": lambda: led.regrade(hd, grade=grade, criteria=[CRITERION], by=by, why=why),
            "approve_plan": lambda: led.approve_plan(hd, plan=plan, by=by),
            "start": lambda: led.start_rectifying(hd, by=by),
            "rectify": lambda: led.rectify(hd, measures=["fixed"], by=by),
            "verify": lambda: led.verify(hd, passed=flag, by=by, why=why),
            "close": lambda: led.close(hd, by=by),
            "suspend": lambda: led.suspend_production(hd, by=by, why=why),
            "resume": lambda: led.resume_production(hd, by=by, why=why),
            "add_finding": lambda: led.add_finding(hd, finding=finding, source="inspection:y", by=by),
            "judge": lambda: led.regrade(hd, grade=grade, basis="expert" if flag else "regulator", by=by, why=why),
            "report": lambda: led.submit_report(hd, report={**REPORT, **({"harm": ""} if "major_contents" in lacking else {})}, by=by,
                                                recipient="regulator" if flag else "workers_congress"),
            "supervise": lambda: led.list_supervision(hd, authority="局", document={"title": "督办通知书"}, by=by, deadline=deadline),
            "order_suspension": lambda: led.order_suspension(hd, scope="full", document={"title": "指令书"}, by=by),
            "assess_remediation": lambda: led.assess_remediation(hd, assessor="own", experts=["e"], passed=flag, conclusion="c",
                                                                 document={"title": "评估报告"}, by=by),
            "apply": lambda: led.apply_to_resume(hd, document={"title": "申请"}, by=by),
            "review": lambda: led.review_resumption(hd, passed=flag, document={"title": "审查意见"}, by=by, why=why),
        }
        self.attempt(calls[kind])

    @rule(hd=hds, by=people, other=people, major=st.booleans(), passed=st.booleans())
    def progress(self, hd: str, by: str, other: str, major: bool, passed: bool) -> None:
        """Take the natural next step (so runs get deep), still with random people."""
        state = self.ledger.get(hd).state
        now = self.clock.now()
        S = HiddenDangerState
        if state is S.REPORTED:
            self.attempt(lambda: self.ledger.assess(
                hd, grade="major" if major else "general", criteria=[CRITERION] if major else [], by=by,
                deadline=now + timedelta(days=2)))
        elif state is S.ASSESSED and self.ledger.get(hd).is_major and not passed:  # else: try without a plan
            plan = RectificationPlan(responsible_person=by, measures=("fix",), funds_amount=100,
                                     deadline=now + timedelta(days=3), contingency_plan="evacuate", **MAJOR_EXTRAS)
            self.attempt(lambda: self.ledger.approve_plan(hd, plan=plan, by=other))
        elif state in (S.ASSESSED, S.PLAN_APPROVED):
            self.attempt(lambda: self.ledger.start_rectifying(hd, by=by))
        elif state is S.RECTIFYING:
            self.attempt(lambda: self.ledger.rectify(hd, measures="fixed", by=by))
        elif state is S.RECTIFIED:
            self.attempt(lambda: self.ledger.verify(hd, passed=passed, by=other, why="" if passed else "not fixed"))
        elif state is S.VERIFIED:
            self.attempt(lambda: self.ledger.close(hd, by=other))

    @rule(hd=hds, by=people, passed=st.booleans())
    def supervised_progress(self, hd: str, by: str, passed: bool) -> None:
        """Walk a major hidden danger along the supervised path (挂牌督办), one natural step."""
        h = self.ledger.get(hd)
        led = self.ledger
        doc = {"title": "文书"}
        if not h.is_major or not h.is_open:
            return
        if h.supervision is None:
            self.attempt(lambda: led.list_supervision(hd, authority="局", document=doc, by=by))
        elif not h.suspension_ordered and h.supervision is SupervisionState.LISTED and not passed:
            self.attempt(lambda: led.order_suspension(hd, scope="full", document=doc, by=by))
        elif h.supervision is SupervisionState.LISTED:
            self.attempt(lambda: led.assess_remediation(hd, assessor="agency", agency="a", qualification="q", passed=True,
                                                        conclusion="ok", document=doc, by=by))
        elif h.supervision is SupervisionState.ASSESSED and h.suspension_ordered:
            self.attempt(lambda: led.apply_to_resume(hd, document=doc, by=by))
        elif h.supervision in (SupervisionState.ASSESSED, SupervisionState.APPLIED):
            self.attempt(lambda: led.review_resumption(hd, passed=passed, document=doc, by=by, why="" if passed else "not yet"))
        elif h.suspended:
            self.attempt(lambda: led.resume_production(hd, by=by, why="approved"))

    @rule(delta=st.integers(min_value=0, max_value=72).map(lambda h: timedelta(hours=h)))
    def tick(self, delta: timedelta) -> None:
        self.clock.advance(delta)
        self.ledger.check_overdue()

    # ------------------------------------------------------------ invariants

    @invariant()
    def replay_equals_live(self) -> None:
        assert replay(self.ledger.events) == {hd.id: hd for hd in self.ledger.all()}

    @invariant()
    def closed_only_by_independent_passed_verification(self) -> None:
        for hd in self.ledger.all():
            if hd.state is not HiddenDangerState.CLOSED:
                continue
            assert isinstance(hd.history[-1], Closed)
            verifications = [e for e in hd.history if isinstance(e, Verified)]
            assert verifications and verifications[-1].passed
            rectifiers = {e.by.strip().casefold() for e in hd.history if isinstance(e, Rectified)}
            assert verifications[-1].by.strip().casefold() not in rectifiers

    @invariant()
    def major_rectifies_only_with_complete_plan(self) -> None:
        for hd in self.ledger.all():
            if hd.is_major and hd.state in AFTER_START:
                assert hd.plan is not None and hd.plan.is_complete_for_major

    @invariant()
    def grade_never_decreases(self) -> None:
        for hd in self.ledger.all():
            rank = GRADE_RANK[hd.grade]
            assert rank >= self.grades.get(hd.id, 0)
            self.grades[hd.id] = rank
            # major exactly when a criterion matched or an expert/regulator judged it so
            assert bool(hd.criteria or hd.judgements) == hd.is_major
            assert all(j.basis in ("expert", "regulator") and j.why for j in hd.judgements)

    @invariant()
    def report_only_major_and_complete(self) -> None:
        for hd in self.ledger.all():
            for e in hd.history:
                if isinstance(e, ReportSubmitted):
                    assert not e.report.missing()
            if hd.reported_to:
                assert hd.is_major and hd.plan is not None and hd.plan.is_complete_for_major

    @invariant()
    def supervised_path_guards(self) -> None:
        for hd in self.ledger.all():
            if hd.state is HiddenDangerState.CLOSED and hd.supervision is not None:
                assert hd.supervision is SupervisionState.LIFTED
            ordered = False
            passed_review = False
            for e in hd.history:
                if isinstance(e, SuspensionOrdered):
                    ordered, passed_review = True, False
                elif isinstance(e, RegulatorReviewed):
                    passed_review = e.passed
                    if e.passed and ordered:
                        assert any(isinstance(x, ResumptionApplied) for x in hd.history[: hd.history.index(e)])
                elif isinstance(e, ProductionResumed) and ordered:
                    assert passed_review  # never resumed after an ordered suspension without a passed review
                    ordered = False
            if hd.supervision is not None:
                assert hd.is_major

    @invariant()
    def overdue_only_when_deadline_passed_and_unrectified(self) -> None:
        now = self.clock.now()
        for hd in self.ledger.all():
            if hd.overdue:
                assert hd.deadline is not None and hd.deadline < now
                assert hd.state in UNRECTIFIED

    @invariant()
    def jsonl_round_trips(self) -> None:
        if len(self.ledger.events) % 7 == 0:  # every few steps, to keep the run short
            text = self.ledger.to_jsonl_text()
            assert Ledger.from_jsonl(io.StringIO(text)).all() == self.ledger.all()


TestHiddenDangerMachine = HiddenDangerMachine.TestCase
