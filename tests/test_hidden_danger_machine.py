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
    RectificationPlan,
    Rectified,
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
         "add_finding"]), by=people, flag=st.booleans(), why=reasons, due=st.none() | hours,
        lacking=st.sets(st.sampled_from(["responsible_person", "measures", "funds", "deadline", "contingency_plan"]),
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
                                     deadline=now + timedelta(days=3), contingency_plan="evacuate")
            self.attempt(lambda: self.ledger.approve_plan(hd, plan=plan, by=other))
        elif state in (S.ASSESSED, S.PLAN_APPROVED):
            self.attempt(lambda: self.ledger.start_rectifying(hd, by=by))
        elif state is S.RECTIFYING:
            self.attempt(lambda: self.ledger.rectify(hd, measures="fixed", by=by))
        elif state is S.RECTIFIED:
            self.attempt(lambda: self.ledger.verify(hd, passed=passed, by=other, why="" if passed else "not fixed"))
        elif state is S.VERIFIED:
            self.attempt(lambda: self.ledger.close(hd, by=other))

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
                assert hd.plan is not None and hd.plan.is_complete

    @invariant()
    def grade_never_decreases(self) -> None:
        for hd in self.ledger.all():
            rank = GRADE_RANK[hd.grade]
            assert rank >= self.grades.get(hd.id, 0)
            self.grades[hd.id] = rank
            assert bool(hd.criteria) == hd.is_major

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
