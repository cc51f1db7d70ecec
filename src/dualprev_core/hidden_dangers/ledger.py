"""The hidden-danger closed loop (隐患排查治理闭环) as an event-sourced state machine.

A hidden danger (事故隐患) is the state of a control found weakened, failed or missing.
It goes ``reported → assessed → (plan_approved) → rectifying → rectified → verified →
closed``; ``overdue`` and ``suspended`` are flags.  Every transition is an event (who,
when, why); the :class:`Ledger` appends events after checking the guards, and the state
of every hidden danger is derived by replaying them (:func:`replay`).  See
``docs/hidden-dangers.md`` for the states, events, guards and file format.

Example::

    cst = timezone(timedelta(hours=8))
    clock = ManualClock(datetime(2024, 5, 1, 8, tzinfo=cst))
    ledger = Ledger(clock=clock)
    hd = ledger.report(control_id="C-7", finding="failed", source="inspection:I-1",
                       description="interlock bypassed", owner_level="post", by="li",
                       deadline=clock.now() + timedelta(days=1))
    ledger.assess(hd.id, grade="general", by="wang")
    ledger.start_rectifying(hd.id, by="li")
    ledger.rectify(hd.id, measures=["interlock restored"], by="li")
    ledger.verify(hd.id, passed=True, by="zhao")
    ledger.close(hd.id, by="zhao")
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import IO, Any, Final, overload

from dualprev_core.clock import Clock, SystemClock, ensure_aware
from dualprev_core.errors import InvalidInput, Problem, TransitionRejected, UnknownReference, ValidationError, suggest
from dualprev_core.hidden_dangers.events import (
    ASSESSORS,
    ESCALATION_LEVELS,
    EVENT_KINDS,
    FIVE_IMPLEMENTATIONS,
    GRADE_BASES,
    PLAN_CONTENTS,
    REGULATOR,
    REPORT_CONTENTS,
    REPORT_RECIPIENTS,
    Assessed,
    CheckMissed,
    Closed,
    CriterionRef,
    Document,
    Escalated,
    FindingAdded,
    HiddenDangerEvent,
    InvestigationEvent,
    LedgerEvent,
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
    event_problems,
)
from dualprev_core.hidden_dangers.machine import (
    REVIEW_DAYS,
    UNRECTIFIED,
    HiddenDanger,
    HiddenDangerState,
    SupervisionState,
    apply,
    next_escalation,
    replay,
)
from dualprev_core.model.vocabulary import HiddenDangerGrade, InspectionResult, OwnerLevel

__all__ = [
    "Ledger",
    "HiddenDanger",
    "HiddenDangerState",
    "HiddenDangerEvent",
    "Reported",
    "FindingAdded",
    "Assessed",
    "Regraded",
    "PlanApproved",
    "RectificationStarted",
    "Rectified",
    "Verified",
    "Closed",
    "MarkedOverdue",
    "Escalated",
    "ProductionSuspended",
    "ProductionResumed",
    "ReportSubmitted",
    "SupervisionListed",
    "SuspensionOrdered",
    "PostRectificationAssessed",
    "ResumptionApplied",
    "RegulatorReviewed",
    "InvestigationEvent",
    "CheckMissed",
    "LedgerEvent",
    "MajorHiddenDangerReport",
    "Document",
    "SupervisionState",
    "PLAN_CONTENTS",
    "REPORT_CONTENTS",
    "REPORT_RECIPIENTS",
    "GRADE_BASES",
    "ASSESSORS",
    "REVIEW_DAYS",
    "CriterionRef",
    "RectificationPlan",
    "FIVE_IMPLEMENTATIONS",
    "EVENT_KINDS",
    "ESCALATION_LEVELS",
    "REGULATOR",
    "DEFAULT_ESCALATION_PERIOD",
    "SYSTEM_ACTOR",
    "event_from_dict",
    "replay",
    "next_escalation",
    "Listener",
]

#: How long an overdue hidden danger waits at one level before :meth:`Ledger.check_overdue`
#: escalates it again.  **Our own default, not a number from any standard** (16号令 sets no
#: rectification or escalation periods); configure it per ledger.
DEFAULT_ESCALATION_PERIOD: Final = timedelta(days=7)

#: The ``by`` of every event dualprev records on its own: overdue marks and escalations, and the
#: grading of hidden dangers that inspections, criteria and monitoring alarms open.
SYSTEM_ACTOR: Final = "dualprev"

Listener = Callable[[LedgerEvent], object]


def _target(hd: HiddenDanger) -> str:
    """What a hidden danger is on: its control's id, or its subject (``area:<id>`` …)."""
    return hd.control_id if hd.control_id is not None else str(hd.subject)


class Ledger:
    """An in-memory, append-only ledger of hidden-danger events.

    Every transition method builds one event, checks it against the guards and appends
    it; a refused transition raises :class:`~dualprev_core.errors.TransitionRejected`
    (or :class:`~dualprev_core.errors.InvalidInput` for a malformed value) and appends
    nothing.  Methods return the hidden danger's new state.

    :param clock: stamps events whose ``at`` is not given (system clock, UTC, by default).
    :param escalation_period: how long an overdue hidden danger stays at one level before
        :meth:`check_overdue` escalates it again (default :data:`DEFAULT_ESCALATION_PERIOD`).
    """

    def __init__(self, *, clock: Clock | None = None, escalation_period: timedelta = DEFAULT_ESCALATION_PERIOD) -> None:
        if not isinstance(escalation_period, timedelta) or escalation_period <= timedelta(0):
            raise InvalidInput(f"'escalation_period' must be a positive timedelta (got {escalation_period!r})")
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._period = escalation_period
        self._events: list[LedgerEvent] = []
        self._state: dict[str, HiddenDanger] = {}
        # (task id, due_at) -> the check_missed event recording that miss
        self._missed: dict[tuple[str, datetime], CheckMissed] = {}
        # control id -> ids of its hidden dangers in report order: keeps open_on_control and
        # id generation proportional to one control's history, not the whole ledger's.
        self._by_control: dict[str, list[str]] = {}
        self._listeners: list[Listener] = []

    # ------------------------------------------------------------ construction

    @classmethod
    def from_events(
        cls,
        events: Iterable[LedgerEvent],
        *,
        clock: Clock | None = None,
        escalation_period: timedelta = DEFAULT_ESCALATION_PERIOD,
    ) -> Ledger:
        """A ledger holding ``events``, validated by replaying every guard.

        Listeners are not called for these events (they are history, not news).

        :raises TransitionRejected: naming the first illegal event's index and the reason.
        """
        return cls._build(list(events), None, clock=clock, escalation_period=escalation_period)

    @classmethod
    def _build(
        cls,
        events: list[LedgerEvent],
        labels: list[str] | None,
        *,
        clock: Clock | None,
        escalation_period: timedelta,
    ) -> Ledger:
        ledger = cls(clock=clock, escalation_period=escalation_period)
        ledger._state = replay(events, labels=labels)
        for i, ev in enumerate(events):
            if isinstance(ev, InvestigationEvent):
                try:
                    ledger._check_investigation(ev)
                except TransitionRejected as exc:
                    label = labels[i] if labels is not None else f"event [{i}]"
                    raise TransitionRejected(f"{label}: {exc}") from None
                ledger._keep_investigation(ev)
        for hd in ledger._state.values():
            ledger._by_control.setdefault(_target(hd), []).append(hd.id)
        ledger._events = events
        return ledger

    @classmethod
    def from_jsonl(
        cls,
        source: str | os.PathLike[str] | IO[str],
        *,
        clock: Clock | None = None,
        escalation_period: timedelta = DEFAULT_ESCALATION_PERIOD,
    ) -> Ledger:
        """Read a JSON-lines event file (one event per line) and validate it.

        Blank lines are ignored; every other line must be a valid event.

        :raises ValidationError: listing every bad line (``line N``) and field.
        :raises TransitionRejected: when the events are well-formed but their sequence is
            illegal, naming the line and the reason.
        """
        from dualprev_core.limits import get_limits, read_text, structure_problems

        name: str | None
        if isinstance(source, str | os.PathLike):
            name = str(os.fspath(source))
            lines = read_text(source, what="ledger").splitlines()
        else:
            name = getattr(source, "name", None)
            lines = list(source)
        limits = get_limits()
        events: list[LedgerEvent] = []
        labels: list[str] = []
        problems: list[Problem] = []
        for n, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            if len(line) > limits.max_line_chars:
                problems.append(Problem(f"line {n}", f"line of {len(line)} characters is over the limit max_line_chars={limits.max_line_chars}", name))
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(Problem(f"line {n}", f"not valid JSON: {exc.msg} at column {exc.colno}", name))
                continue
            except RecursionError:
                problems.append(Problem(f"line {n}", f"nested more than max_depth={limits.max_depth} levels deep", name))
                continue
            except ValueError as exc:  # an integer of thousands of digits
                problems.append(Problem(f"line {n}", f"cannot read a number: {str(exc)[:120]}", name))
                continue
            broken = structure_problems(data, limits=limits, finite=True, shared=False)
            if broken:
                problems += [Problem(f"line {n}" + (f".{path}" if path else ""), message, name) for path, message in broken]
                continue
            if len(problems) > 1000:  # not a ledger: enough said
                break
            event, found = event_problems(data)
            for p in found:
                problems.append(Problem(f"line {n}" + (f".{p.path}" if p.path else ""), p.message, name))
            if event is not None:
                events.append(event)
                labels.append(f"line {n}")
        if problems:
            raise ValidationError(problems, source=name)
        try:
            return cls._build(events, labels, clock=clock, escalation_period=escalation_period)
        except TransitionRejected as exc:
            raise TransitionRejected(f"{name}: {exc}" if name else str(exc)) from None

    # ------------------------------------------------------------ reading

    @property
    def events(self) -> tuple[LedgerEvent, ...]:
        """Every event (hidden-danger and investigation events), in the order appended."""
        return tuple(self._events)

    @property
    def clock(self) -> Clock:
        """The clock stamping events."""
        return self._clock

    @property
    def escalation_period(self) -> timedelta:
        """The period between escalations of an overdue hidden danger."""
        return self._period

    def get(self, hd_id: str) -> HiddenDanger:
        """The hidden danger ``hd_id``.

        :raises UnknownReference: naming the id and the nearest known ones.
        """
        try:
            return self._state[hd_id]
        except KeyError:
            raise UnknownReference(f"unknown hidden danger {hd_id!r}{suggest(hd_id, self._state)}") from None

    def __contains__(self, hd_id: object) -> bool:
        return hd_id in self._state

    def __len__(self) -> int:
        return len(self._state)

    def all(self) -> tuple[HiddenDanger, ...]:
        """Every hidden danger, in the order reported."""
        return tuple(self._state.values())

    def open(self) -> tuple[HiddenDanger, ...]:
        """Every hidden danger not closed, in the order reported."""
        return tuple(hd for hd in self._state.values() if hd.is_open)

    def open_on_control(self, control_id: str) -> tuple[HiddenDanger, ...]:
        """The open hidden dangers degrading ``control_id``."""
        return tuple(hd for i in self._by_control.get(control_id, ()) if (hd := self._state[i]).is_open)

    # ------------------------------------------------------------ listeners

    def subscribe(self, callback: Listener) -> Callable[[], None]:
        """Call ``callback(event)`` after each event is appended; returns an unsubscribe function.

        Listeners run after the event is recorded, in subscription order.  If one raises,
        the others still run and the first exception is re-raised afterwards (the event
        stays appended: it happened).
        """
        if not callable(callback):
            raise InvalidInput(f"'callback' must be callable (got {callback!r})")
        self._listeners.append(callback)

        def unsubscribe() -> None:
            if callback in self._listeners:
                self._listeners.remove(callback)

        return unsubscribe

    # ------------------------------------------------------------ appending

    # ------------------------------------------------------------ investigation records

    def missed_checks(self, task_id: str | None = None) -> tuple[CheckMissed, ...]:
        """The recorded missed checks (未排查), in the order recorded (optionally one task's)."""
        return tuple(m for m in self._missed.values() if task_id is None or m.task_id == task_id)

    def _check_investigation(self, event: InvestigationEvent) -> None:
        if isinstance(event, CheckMissed):
            key = (event.task_id, event.due_at)
            if key in self._missed:
                raise TransitionRejected(
                    f"check_missed of {event.task_id!r} rejected: the miss due {event.due_at.isoformat()} is already recorded"
                )
            if event.at < event.due_at:
                raise TransitionRejected(
                    f"check_missed of {event.task_id!r} rejected: recorded at {event.at.isoformat()}, before the check was due "
                    f"({event.due_at.isoformat()})"
                )

    def _keep_investigation(self, event: InvestigationEvent) -> None:
        if isinstance(event, CheckMissed):
            self._missed[(event.task_id, event.due_at)] = event

    def record_missed_checks(self, missed: Iterable[Any], *, at: datetime | None = None, by: str = SYSTEM_ACTOR,
                             escalated_to: Mapping[str, str] | None = None) -> tuple[CheckMissed, ...]:
        """Append a :class:`CheckMissed` for each missed check not yet recorded (idempotent).

        :param missed: :class:`~dualprev_core.investigation.MissedCheck` records (or anything with
            ``task``, ``window_start``, ``due_at``, ``done``, ``required``).
        :param escalated_to: the level each task has escalated to, by task id.
        :returns: the events appended.
        """
        when = self._at(at)
        out = []
        for m in missed:
            if (m.task, m.due_at) in self._missed:
                continue
            ev = CheckMissed(task_id=m.task, by=by, at=when, why=f"no check between {m.window_start.isoformat()} and {m.due_at.isoformat()}",
                             window_start=m.window_start, due_at=m.due_at, done=m.done, required=m.required,
                             escalated_to=(escalated_to or {}).get(m.task))
            self.append(ev)
            out.append(ev)
        return tuple(out)

    @overload
    def append(self, event: HiddenDangerEvent) -> HiddenDanger: ...

    @overload
    def append(self, event: InvestigationEvent) -> InvestigationEvent: ...

    def append(self, event: LedgerEvent) -> HiddenDanger | InvestigationEvent:
        """Check ``event`` against the guards, append it and notify listeners.

        :returns: the hidden danger's new state (for an investigation event, the event).
        :raises TransitionRejected: when a guard refuses (nothing is appended).
        :raises UnknownReference: for an unknown hidden-danger id (with suggestions).
        """
        if isinstance(event, InvestigationEvent):
            self._check_investigation(event)
            self._events.append(event)
            self._keep_investigation(event)
            self._notify(event)
            return event
        if not isinstance(event, HiddenDangerEvent):
            raise InvalidInput(f"'event' must be a hidden-danger event (got {event!r})")
        current = self._state.get(event.hd_id)
        try:
            new = apply(current, event)
        except UnknownReference:
            raise UnknownReference(
                f"unknown hidden danger {event.hd_id!r}{suggest(event.hd_id, self._state)}"
            ) from None
        self._events.append(event)
        if current is None:
            self._by_control.setdefault(_target(new), []).append(new.id)
        self._state[event.hd_id] = new
        self._notify(event)
        return new

    def _notify(self, event: LedgerEvent) -> None:
        first: BaseException | None = None
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception as exc:  # noqa: BLE001 - re-raised below, after all listeners ran
                if first is None:
                    first = exc
                else:
                    first.add_note(f"another listener also failed: {exc!r}")
        if first is not None:
            raise first

    def _at(self, at: datetime | None) -> datetime:
        return ensure_aware(self._clock.now() if at is None else at, "at")

    def _known(self, hd_id: str) -> HiddenDanger:
        return self.get(hd_id)

    def _new_id(self, target: str) -> str:
        stem = target.partition(":")[2] if ":" in target else target
        n = len(self._by_control.get(target, ())) + 1
        while f"HD-{stem}-{n}" in self._state:
            n += 1
        return f"HD-{stem}-{n}"

    # ------------------------------------------------------------ transitions

    def report(
        self,
        *,
        control_id: str | None = None,
        finding: InspectionResult | str,
        source: str,
        description: str,
        owner_level: OwnerLevel | str,
        by: str,
        post: str | None = None,
        risk_ids: Iterable[str] = (),
        deadline: datetime | None = None,
        hd_id: str | None = None,
        at: datetime | None = None,
        why: str = "",
        subject: str | None = None,
    ) -> HiddenDanger:
        """Register a hidden danger found on ``control_id`` (登记) — or, for a finding no control
        covers (a management defect, an area-wide condition), on ``subject`` (``area:<id>``,
        ``risk_point:<id>`` or ``enterprise:<id>``).

        :param hd_id: the id to use; by default ``HD-<control id or subject id>-<n>``, ``n`` counting
            the hidden dangers reported on it in this ledger (deterministic).
        """
        if hd_id is None:
            target = control_id if control_id is not None else subject
            if not isinstance(target, str) or not target.strip():
                raise InvalidInput(f"'control_id' must be a non-empty string, or give 'subject' (got {control_id!r})")
            hd_id = self._new_id(target.strip())
        return self.append(
            Reported(
                hd_id=hd_id,
                by=by,
                at=self._at(at),
                why=why,
                control_id=control_id,
                finding=finding,
                source=source,
                description=description,
                owner_level=owner_level,
                post=post,
                risk_ids=tuple(risk_ids),
                deadline=deadline,
                subject=subject,
            )
        )

    def add_finding(
        self, hd_id: str, *, finding: InspectionResult | str, source: str, by: str, at: datetime | None = None, why: str = ""
    ) -> HiddenDanger:
        """Record that a later inspection found the control defective again."""
        self._known(hd_id)
        return self.append(FindingAdded(hd_id=hd_id, by=by, at=self._at(at), why=why, finding=finding, source=source))

    def assess(
        self,
        hd_id: str,
        *,
        grade: HiddenDangerGrade | str,
        by: str,
        criteria: Iterable[CriterionRef | Mapping[str, Any]] = (),
        deadline: datetime | None = None,
        at: datetime | None = None,
        why: str = "",
    ) -> HiddenDanger:
        """Grade it (评估定级): major exactly when ``criteria`` (the matching pack criteria) is non-empty."""
        self._known(hd_id)
        return self.append(
            Assessed(
                hd_id=hd_id, by=by, at=self._at(at), why=why, grade=grade, criteria=criteria, deadline=deadline  # type: ignore[arg-type]
            )
        )

    def regrade(
        self,
        hd_id: str,
        *,
        grade: HiddenDangerGrade | str,
        criteria: Iterable[CriterionRef | Mapping[str, Any]] = (),
        by: str,
        why: str,
        at: datetime | None = None,
        basis: str = "criterion",
    ) -> HiddenDanger:
        """Raise the grade on new facts (general → major only, while open).

        :param basis: ``criterion`` (name the matching ``criteria``), or ``expert`` / ``regulator``
            where no installed criterion applies: ``by`` is who judged, ``why`` the reasons.
        """
        self._known(hd_id)
        return self.append(Regraded(hd_id=hd_id, by=by, at=self._at(at), why=why, grade=grade, criteria=criteria, basis=basis))  # type: ignore[arg-type]

    def approve_plan(
        self,
        hd_id: str,
        *,
        plan: RectificationPlan | Mapping[str, Any],
        by: str,
        at: datetime | None = None,
        why: str = "",
    ) -> HiddenDanger:
        """Approve (or revise) the rectification plan; all five implementations (五落实) required."""
        self._known(hd_id)
        return self.append(PlanApproved(hd_id=hd_id, by=by, at=self._at(at), why=why, plan=plan))

    def start_rectifying(self, hd_id: str, *, by: str, at: datetime | None = None, why: str = "") -> HiddenDanger:
        """Start rectification (a major one needs an approved plan first)."""
        self._known(hd_id)
        return self.append(RectificationStarted(hd_id=hd_id, by=by, at=self._at(at), why=why))

    def rectify(
        self, hd_id: str, *, measures: Iterable[str] | str, by: str, at: datetime | None = None, why: str = ""
    ) -> HiddenDanger:
        """Record the rectification as done; ``by`` is the rectifier."""
        self._known(hd_id)
        ms = (measures,) if isinstance(measures, str) else tuple(measures)
        return self.append(Rectified(hd_id=hd_id, by=by, at=self._at(at), why=why, measures=ms))

    def verify(
        self, hd_id: str, *, passed: bool, by: str, at: datetime | None = None, why: str = ""
    ) -> HiddenDanger:
        """Verify the rectification (验收) — by someone who is not a rectifier.

        A failed verification (``passed=False``, ``why`` required) sends it back to rectifying.
        """
        self._known(hd_id)
        return self.append(Verified(hd_id=hd_id, by=by, at=self._at(at), why=why, passed=passed))

    def close(self, hd_id: str, *, by: str, at: datetime | None = None, why: str = "") -> HiddenDanger:
        """Close (销号) after a passed verification."""
        self._known(hd_id)
        return self.append(Closed(hd_id=hd_id, by=by, at=self._at(at), why=why))

    def suspend_production(self, hd_id: str, *, by: str, why: str, at: datetime | None = None) -> HiddenDanger:
        """Record that production is suspended because of it (``why`` required)."""
        self._known(hd_id)
        return self.append(ProductionSuspended(hd_id=hd_id, by=by, at=self._at(at), why=why))

    def resume_production(self, hd_id: str, *, by: str, why: str, at: datetime | None = None) -> HiddenDanger:
        """Record that production resumed (``why`` required)."""
        self._known(hd_id)
        return self.append(ProductionResumed(hd_id=hd_id, by=by, at=self._at(at), why=why))

    # ------------------------------------------------------------ the major hidden danger's report and supervision

    def submit_report(
        self, hd_id: str, *, report: MajorHiddenDangerReport | Mapping[str, Any], by: str, recipient: str = "regulator",
        at: datetime | None = None, why: str = "",
    ) -> HiddenDanger:
        """Submit the major hidden danger's report (16号令 第十四条) to ``regulator`` or ``workers_congress``.

        Refused, naming what is missing, unless the report has every content and the approved plan
        has the six contents of 第十五条.
        """
        self._known(hd_id)
        return self.append(ReportSubmitted(hd_id=hd_id, by=by, at=self._at(at), why=why, recipient=recipient, report=report))

    def list_supervision(
        self, hd_id: str, *, authority: str, document: Document | Mapping[str, Any], by: str,
        deadline: datetime | None = None, at: datetime | None = None, why: str = "",
    ) -> HiddenDanger:
        """挂牌督办: the regulator puts a major hidden danger under supervision (``by``: its officer)."""
        self._known(hd_id)
        return self.append(SupervisionListed(hd_id=hd_id, by=by, at=self._at(at), why=why, authority=authority,
                                             document=document, deadline=deadline))  # type: ignore[arg-type]

    def order_suspension(
        self, hd_id: str, *, scope: str, document: Document | Mapping[str, Any], by: str, at: datetime | None = None, why: str = "",
    ) -> HiddenDanger:
        """责令停产停业整改: the regulator orders production (fully or partly) suspended."""
        self._known(hd_id)
        return self.append(SuspensionOrdered(hd_id=hd_id, by=by, at=self._at(at), why=why, scope=scope, document=document))  # type: ignore[arg-type]

    def assess_remediation(
        self, hd_id: str, *, assessor: str, passed: bool, conclusion: str, document: Document | Mapping[str, Any], by: str,
        agency: str = "", qualification: str = "", experts: Iterable[str] = (), at: datetime | None = None, why: str = "",
    ) -> HiddenDanger:
        """治理后评估: the post-rectification assessment, by the unit itself (``own``) or a qualified ``agency``."""
        self._known(hd_id)
        return self.append(PostRectificationAssessed(
            hd_id=hd_id, by=by, at=self._at(at), why=why, assessor=assessor, passed=passed, conclusion=conclusion,
            document=document, agency=agency, qualification=qualification, experts=tuple(experts),  # type: ignore[arg-type]
        ))

    def apply_to_resume(
        self, hd_id: str, *, document: Document | Mapping[str, Any], by: str, at: datetime | None = None, why: str = "",
    ) -> HiddenDanger:
        """恢复生产申请: the written application to resume, after a passed assessment."""
        self._known(hd_id)
        return self.append(ResumptionApplied(hd_id=hd_id, by=by, at=self._at(at), why=why, document=document))  # type: ignore[arg-type]

    def review_resumption(
        self, hd_id: str, *, passed: bool, document: Document | Mapping[str, Any], by: str, at: datetime | None = None, why: str = "",
    ) -> HiddenDanger:
        """The regulator's review of the application: passed → 核销 (production may resume); failed → back to rectifying."""
        self._known(hd_id)
        return self.append(RegulatorReviewed(hd_id=hd_id, by=by, at=self._at(at), why=why, passed=passed, document=document))  # type: ignore[arg-type]

    def check_overdue(self, now: datetime | None = None, *, by: str = SYSTEM_ACTOR) -> tuple[HiddenDangerEvent, ...]:
        """Mark overdue and escalate every open, unrectified hidden danger past its deadline.

        For each one (in report order): if not yet overdue, append :class:`MarkedOverdue`
        escalating to the next level; if already overdue and at least
        :attr:`escalation_period` has passed since its last escalation, append
        :class:`Escalated` one level further (at most one step per call).  The chain is
        post → team → workshop → company → regulator, the regulator only for major ones.

        :param now: the check's time (default: the clock's now).
        :returns: the events appended.
        """
        when = self._at(now)
        emitted: list[HiddenDangerEvent] = []
        for hd in list(self._state.values()):
            if hd.state not in UNRECTIFIED or hd.deadline is None or when <= hd.deadline or when < hd.last_at:
                continue
            nxt = next_escalation(hd)
            event: HiddenDangerEvent
            if not hd.overdue:
                event = MarkedOverdue(
                    hd_id=hd.id,
                    by=by,
                    at=when,
                    why=f"deadline {hd.deadline.isoformat()} passed without rectification",
                    deadline=hd.deadline,
                    escalated_to=nxt or hd.escalated_to or hd.owner_level.key,
                )
            elif nxt is not None and hd.escalated_at is not None and when - hd.escalated_at >= self._period:
                event = Escalated(
                    hd_id=hd.id,
                    by=by,
                    at=when,
                    why=f"still overdue {when - hd.escalated_at} after escalation to {hd.escalated_to}",
                    escalated_to=nxt,
                )
            else:
                continue
            self.append(event)
            emitted.append(event)
        return tuple(emitted)

    # ------------------------------------------------------------ files

    def to_jsonl(self, target: str | os.PathLike[str] | IO[str]) -> None:
        """Write every event as one JSON object per line (UTF-8, Chinese unescaped)."""
        text = "".join(json.dumps(e.to_dict(), ensure_ascii=False) + "\n" for e in self._events)
        if isinstance(target, str | os.PathLike):
            with open(target, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
        else:
            target.write(text)

    def to_jsonl_text(self) -> str:
        """The JSON-lines text :meth:`to_jsonl` would write."""
        buf = io.StringIO()
        self.to_jsonl(buf)
        return buf.getvalue()

    def __repr__(self) -> str:
        return f"<Ledger {len(self._events)} events, {len(self._state)} hidden dangers>"
