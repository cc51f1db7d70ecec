"""The hidden-danger state machine: guards and the fold of events into state.

:func:`apply` is the single place where a transition is allowed or refused: the live
:class:`~dualprev_core.hidden_dangers.ledger.Ledger` and :func:`replay` both go through it, so a
replayed event file obeys exactly the guards the live API does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

import attrs

from dualprev_core.errors import TransitionRejected, UnknownReference, suggest
from dualprev_core.hidden_dangers.events import (
    FIVE_IMPLEMENTATIONS,
    REGULATOR,
    REPORT_CONTENTS,
    Assessed,
    Closed,
    CriterionRef,
    Escalated,
    FindingAdded,
    HiddenDangerEvent,
    InvestigationEvent,
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
    plan_lacks_for_major,
)
from dualprev_core.identity import same_person  # NFKC, invisible characters, lookalikes: docs/limits.md
from dualprev_core.model.vocabulary import HiddenDangerGrade, InspectionResult, OwnerLevel, _Vocabulary

__all__ = [
    "HiddenDangerState",
    "SupervisionState",
    "REVIEW_DAYS",
    "HiddenDanger",
    "apply",
    "replay",
    "next_escalation",
    "same_person",
    "UNRECTIFIED",
]


class HiddenDangerState(_Vocabulary):
    """Where a hidden danger is in the closed loop (overdue and suspension are flags)."""

    REPORTED = "reported"
    ASSESSED = "assessed"
    PLAN_APPROVED = "plan_approved"
    RECTIFYING = "rectifying"
    RECTIFIED = "rectified"
    VERIFIED = "verified"
    CLOSED = "closed"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {
            "reported": "已登记",
            "assessed": "已评估定级",
            "plan_approved": "方案已批准",
            "rectifying": "整改中",
            "rectified": "已整改",
            "verified": "已验收",
            "closed": "已销号",
        }


class SupervisionState(_Vocabulary):
    """Where a supervised (挂牌督办) major hidden danger is on the regulator's path (总局令第16号 第十八条)."""

    LISTED = "listed"
    ASSESSED = "assessed"
    APPLIED = "applied"
    LIFTED = "lifted"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"listed": "挂牌督办中", "assessed": "治理后评估合格", "applied": "已申请恢复生产", "lifted": "审查合格已核销"}


#: The regulator reviews an application to resume on site within this many days of receiving it
#: (总局令第16号 第十八条).  Recorded as ``review_late``, not refused: it is the regulator's duty.
REVIEW_DAYS: Final = 10

_S = HiddenDangerState
#: States in which the deadline still matters (not yet rectified).
UNRECTIFIED: Final = frozenset({_S.REPORTED, _S.ASSESSED, _S.PLAN_APPROVED, _S.RECTIFYING})


@attrs.frozen(kw_only=True)
class HiddenDanger:
    """The derived view of one hidden danger: the fold of its events (never stored).

    :ivar id: the hidden danger's id.
    :ivar control_id: the control it degrades.
    :ivar state: where it is in the loop.
    :ivar grade: ``None`` until assessed.
    :ivar criteria: the criteria that made it major (empty for general).
    :ivar finding: the worst finding reported so far.
    :ivar owner_level: the level owning the control (start of the escalation chain).
    :ivar post: the owning post, if known.
    :ivar source: where it was first found.
    :ivar description: what is wrong.
    :ivar risk_ids: the risks it raises, if given.
    :ivar deadline: the current rectification deadline (plan's time limit once approved).
    :ivar overdue: the deadline passed without rectification.
    :ivar escalated_to: the level it was last escalated to (``None`` if never).
    :ivar escalated_at: when it was last escalated.
    :ivar suspended: production is suspended because of it.
    :ivar plan: the approved plan (五落实), if any.
    :ivar rectifiers: everyone who recorded a rectification, in order.
    :ivar verifier: who passed the verification (``None`` until then).
    :ivar reported_by: who reported it.
    :ivar reported_at: when.
    :ivar history: its events, in order.
    :ivar subject: for a hidden danger no control covers: ``area:<id>``, ``risk_point:<id>`` or
        ``enterprise:<id>`` (then ``control_id`` is ``None``).
    :ivar grade_basis: what the grade rests on: ``criterion``, ``expert`` or ``regulator``.
    :ivar judgements: the expert's or regulator's re-gradings (who, why, when), distinct from criteria.
    :ivar report: the latest major-hidden-danger report submitted (16号令 第十四条).
    :ivar reported_to: who received it (``regulator``, ``workers_congress``).
    :ivar supervision: where it is on the supervised path (挂牌督办), ``None`` if not supervised.
    :ivar suspension_ordered: the regulator ordered production suspended (责令停产停业整改).
    :ivar assessment: the latest post-rectification assessment (治理后评估).
    :ivar application: the pending or last application to resume (恢复生产申请).
    :ivar review: the regulator's last review (审查).
    :ivar review_late: the review came more than :data:`REVIEW_DAYS` days after the application.
    """

    id: str
    control_id: str | None
    state: HiddenDangerState
    grade: HiddenDangerGrade | None = None
    criteria: tuple[CriterionRef, ...] = ()
    finding: InspectionResult
    owner_level: OwnerLevel
    post: str | None = None
    source: str
    description: str
    risk_ids: tuple[str, ...] = ()
    deadline: datetime | None = None
    overdue: bool = False
    escalated_to: str | None = None
    escalated_at: datetime | None = None
    suspended: bool = False
    plan: RectificationPlan | None = None
    rectifiers: tuple[str, ...] = ()
    verifier: str | None = None
    reported_by: str
    reported_at: datetime
    history: tuple[HiddenDangerEvent, ...] = ()
    subject: str | None = None
    grade_basis: str | None = None
    judgements: tuple[Regraded, ...] = ()
    report: MajorHiddenDangerReport | None = None
    reported_to: tuple[str, ...] = ()
    supervision: SupervisionState | None = None
    supervision_authority: str | None = None
    suspension_ordered: bool = False
    assessment: PostRectificationAssessed | None = None
    application: ResumptionApplied | None = None
    review: RegulatorReviewed | None = None
    review_late: bool = False

    @property
    def is_open(self) -> bool:
        """Open until closed (销号)."""
        return self.state is not _S.CLOSED

    @property
    def is_major(self) -> bool:
        """Graded major (重大事故隐患)."""
        return self.grade is HiddenDangerGrade.MAJOR

    @property
    def report_due(self) -> bool:
        """Major, open, and its report not yet submitted to the regulator (16号令 第十四条)."""
        return self.is_major and self.is_open and REGULATOR not in self.reported_to

    @property
    def last_at(self) -> datetime:
        """When its latest event happened."""
        return self.history[-1].at if self.history else self.reported_at


def next_escalation(hd: HiddenDanger) -> str | None:
    """The level above the one currently responsible, or ``None`` at the top.

    The chain is post → team → workshop → company → regulator; only a major hidden
    danger goes to the regulator, so a general one stops at the company.
    """
    current = hd.escalated_to or hd.owner_level.key
    if current == REGULATOR:
        return None
    nxt = OwnerLevel.parse(current).escalates_to()
    if nxt is not None:
        return nxt.key
    return REGULATOR if hd.is_major else None


_KIND_ZH = {"reported": "登记", "finding_added": "追加发现", "assessed": "评估定级", "regraded": "重新定级", "plan_approved": "批准治理方案",
            "rectification_started": "开始整改", "rectified": "完成整改", "verified": "验收", "closed": "销号", "marked_overdue": "标记逾期",
            "escalated": "升级", "production_suspended": "停产", "production_resumed": "复产"}


def _reject(hd_id: str, event: HiddenDangerEvent, reason: str, zh: str = "") -> TransitionRejected:
    """The refusal, in English (the message) and, where given, in Chinese (``exc.zh``, for ``--lang zh``)."""
    exc = TransitionRejected(f"{event.kind} of {hd_id!r} rejected: {reason}")
    exc.zh = f"{hd_id} 不能{_KIND_ZH.get(event.kind, event.kind)}：{zh}" if zh else ""
    return exc


def _require_state(hd: HiddenDanger, event: HiddenDangerEvent, *allowed: HiddenDangerState) -> None:
    if hd.state not in allowed:
        raise _reject(
            hd.id,
            event,
            f"it is {hd.state.key}; {event.kind} is allowed only when "
            f"{' or '.join(s.key for s in allowed)}",
            f"当前状态为「{hd.state.zh}」，只有在「{'」或「'.join(s.zh for s in allowed)}」状态下才可以",
        )


def _require_why(hd: HiddenDanger, event: HiddenDangerEvent, what: str) -> None:
    if not event.why:
        raise _reject(hd.id, event, f"'why' must say {what}", f"须用 --why 说明理由（{_WHY_ZH.get(what, what)}）")


def _after(hd: HiddenDanger, event: HiddenDangerEvent, when: datetime | None, name: str) -> None:
    if when is not None and when <= event.at:
        raise _reject(
            hd.id, event, f"'{name}' must be after the event time {event.at.isoformat()} (got {when.isoformat()})"
        )


_WHY_ZH = {"which new facts raise the grade": "哪些新事实使等级提高", "why the verification failed": "验收为何不通过",
           "why production is suspended": "为何停产", "why production may resume": "为何可以复产"}
_FIVE_ZH = {"responsible_person": "责任人", "measures": "措施", "funds": "资金", "deadline": "时限", "contingency_plan": "预案"}


def _plan_lacks_zh(plan: RectificationPlan | None) -> str:
    lacking = plan.missing() if plan is not None else tuple(k for k, _ in FIVE_IMPLEMENTATIONS)
    return "、".join(_FIVE_ZH.get(k, k) for k in lacking)


def _plan_lacks(plan: RectificationPlan | None) -> str:
    lacking = plan.missing() if plan is not None else tuple(k for k, _ in FIVE_IMPLEMENTATIONS)
    names = dict(FIVE_IMPLEMENTATIONS)
    return ", ".join(f"{k} ({names[k]})" for k in lacking)


def _report(event: Reported) -> HiddenDanger:
    if not event.finding.is_defect:
        raise _reject(event.hd_id, event, "'finding' must be weakened, failed or missing (got 'effective')")
    if event.deadline is not None and event.deadline <= event.at:
        raise _reject(
            event.hd_id,
            event,
            f"'deadline' must be after the event time {event.at.isoformat()} (got {event.deadline.isoformat()})",
        )
    return HiddenDanger(
        id=event.hd_id,
        control_id=event.control_id,
        subject=event.subject,
        state=_S.REPORTED,
        finding=event.finding,
        owner_level=event.owner_level,
        post=event.post,
        source=event.source,
        description=event.description,
        risk_ids=event.risk_ids,
        deadline=event.deadline,
        reported_by=event.by,
        reported_at=event.at,
        history=(event,),
    )


def apply(hd: HiddenDanger | None, event: HiddenDangerEvent) -> HiddenDanger:
    """Check ``event`` against the guards and return the new state of its hidden danger.

    :param hd: the current state (``None`` if the id is not known yet).
    :raises TransitionRejected: when a guard refuses; nothing is changed.
    :raises UnknownReference: when ``hd`` is ``None`` and the event is not a report
        (callers add the suggestion, since they know the ids).
    """
    if isinstance(event, Reported):
        if hd is not None:
            raise _reject(event.hd_id, event, f"the id {event.hd_id!r} is already used")
        return _report(event)
    if hd is None:
        raise UnknownReference(f"unknown hidden danger {event.hd_id!r}")
    if not hd.is_open:
        raise _reject(hd.id, event, "it is closed (销号); nothing happens after closure — report a new one", "该隐患已销号，销号后不能再有任何操作；如有新问题请重新登记")
    if event.at < hd.last_at:
        raise _reject(
            hd.id,
            event,
            f"'at' must not be earlier than its previous event at {hd.last_at.isoformat()} "
            f"(got {event.at.isoformat()})",
        )
    changes = _transition(hd, event)
    return attrs.evolve(hd, history=(*hd.history, event), **changes)


def _transition(hd: HiddenDanger, e: HiddenDangerEvent) -> dict[str, Any]:  # noqa: C901 - one branch per kind
    if isinstance(e, FindingAdded):
        if not e.finding.is_defect:
            raise _reject(hd.id, e, "'finding' must be weakened, failed or missing (got 'effective')")
        worst = max(hd.finding, e.finding, key=lambda r: r.severity)
        return {"finding": worst}

    if isinstance(e, Assessed):
        _require_state(hd, e, _S.REPORTED)
        if e.grade is HiddenDangerGrade.MAJOR and not e.criteria:
            raise _reject(hd.id, e, "a major grade must name the criteria that matched ('criteria' is empty)")
        if e.grade is HiddenDangerGrade.GENERAL and e.criteria:
            raise _reject(
                hd.id, e, "criteria were given but the grade is general; any matching criterion makes it major"
            )
        _after(hd, e, e.deadline, "deadline")
        deadline = e.deadline if e.deadline is not None else hd.deadline
        if deadline is None:
            raise _reject(hd.id, e, "a rectification deadline (时限) is required: none was given when reported", "须给出整改期限（--deadline）")
        return {
            "state": _S.ASSESSED,
            "grade": e.grade,
            "grade_basis": "criterion",
            "criteria": e.criteria,
            "deadline": deadline,
            "overdue": hd.overdue and deadline <= e.at,
        }

    if isinstance(e, Regraded):
        if hd.grade is None:
            raise _reject(hd.id, e, "it is not assessed yet; assess it with the right grade instead", "尚未评估定级，请直接按正确等级评估定级")
        if e.grade is not HiddenDangerGrade.MAJOR or hd.grade is HiddenDangerGrade.MAJOR:
            raise _reject(
                hd.id, e, f"re-grading is upward only (general → major); it is {hd.grade.key} (got {e.grade.key})"
            )
        if e.basis == "criterion":
            if not e.criteria:
                raise _reject(hd.id, e, "a major grade must name the criteria that matched ('criteria' is empty); "
                                        "where no installed criterion applies, give basis expert or regulator")
            _require_why(hd, e, "which new facts raise the grade")
        else:
            if e.criteria:
                raise _reject(hd.id, e, f"a judgement by the {e.basis} names no criteria; with criteria, the basis is 'criterion'")
            _require_why(hd, e, f"the {e.basis}'s reasons for grading it major")
        changes: dict[str, Any] = {"grade": e.grade, "criteria": (*hd.criteria, *e.criteria), "grade_basis": e.basis}
        if e.basis != "criterion":
            changes["judgements"] = (*hd.judgements, e)
        if hd.state in (_S.RECTIFYING, _S.RECTIFIED, _S.VERIFIED) and (hd.plan is None or not hd.plan.is_complete_for_major):
            # A major hidden danger never rectifies without a complete 治理方案 (16号令 第十五条).
            changes["state"] = _S.ASSESSED
        return changes

    if isinstance(e, PlanApproved):
        _require_state(hd, e, _S.ASSESSED, _S.PLAN_APPROVED, _S.RECTIFYING)
        if hd.is_major and e.plan.missing_for_major():
            raise _reject(
                hd.id, e, "a major hidden danger's plan (治理方案) needs the six contents of 总局令第16号 第十五条; "
                          f"lacking: {plan_lacks_for_major(e.plan)}"
            )
        if e.plan.missing():
            raise _reject(
                hd.id, e, f"the plan lacks the five implementations (五落实): {_plan_lacks(e.plan)}",
                f"治理方案未做到五落实，缺少：{_plan_lacks_zh(e.plan)}",
            )
        _after(hd, e, e.plan.deadline, "plan.deadline")
        return {
            "state": _S.RECTIFYING if hd.state is _S.RECTIFYING else _S.PLAN_APPROVED,
            "plan": e.plan,
            "deadline": e.plan.deadline,
            "overdue": False,
        }

    if isinstance(e, RectificationStarted):
        _require_state(hd, e, _S.ASSESSED, _S.PLAN_APPROVED)
        if hd.is_major and (hd.plan is None or not hd.plan.is_complete_for_major):
            raise _reject(
                hd.id,
                e,
                "a major hidden danger cannot start rectifying without an approved plan (治理方案) with the five implementations (五落实) and the six "
                f"contents of 总局令第16号 第十五条; lacking: {plan_lacks_for_major(hd.plan)}",
                f"重大事故隐患须先批准五落实的治理方案（含第十五条的内容）才能开始整改，缺少：{_plan_lacks_zh(hd.plan)}",
            )
        return {"state": _S.RECTIFYING}

    if isinstance(e, Rectified):
        _require_state(hd, e, _S.RECTIFYING)
        if not any(m.strip() for m in e.measures):
            raise _reject(hd.id, e, "'measures' must name at least one measure taken", "须用 --measures 写明至少一项已采取的整改措施")
        rectifiers = hd.rectifiers
        if not any(same_person(r, e.by) for r in rectifiers):
            rectifiers = (*rectifiers, e.by)
        return {"state": _S.RECTIFIED, "rectifiers": rectifiers, "overdue": False}

    if isinstance(e, Verified):
        _require_state(hd, e, _S.RECTIFIED)
        if any(same_person(r, e.by) for r in hd.rectifiers):
            raise _reject(hd.id, e, f"the verifier {e.by!r} is a rectifier; verification must be by someone else",
                          f"验收人「{e.by}」参与了整改，验收须由整改人以外的人进行")
        if e.passed:
            return {"state": _S.VERIFIED, "verifier": e.by}
        _require_why(hd, e, "why the verification failed")
        changes = {"state": _S.RECTIFYING, "verifier": None}
        if hd.supervision in (SupervisionState.ASSESSED, SupervisionState.APPLIED):
            # the post-rectification assessment judged work that has now failed verification
            changes.update(supervision=SupervisionState.LISTED, assessment=None, application=None)
        return changes

    if isinstance(e, Closed):
        if hd.state is not _S.VERIFIED:
            raise _reject(
                hd.id, e, f"it is {hd.state.key}; a hidden danger closes only after a passed verification",
                f"当前状态为「{hd.state.zh}」，隐患须验收通过后才能销号",
            )
        if hd.suspended:
            raise _reject(hd.id, e, "production is still suspended; record its resumption before closing", "仍处于停产状态，须先记录复产才能销号")
        if hd.supervision is not None and hd.supervision is not SupervisionState.LIFTED:
            raise _reject(hd.id, e, f"it is under the regulator's supervision (挂牌督办, {hd.supervision.key}); it closes only "
                                    "after the regulator's review has passed (核销)",
                          "处于挂牌督办中，须经监管部门审核通过（核销）后才能销号")
        return {"state": _S.CLOSED, "overdue": False}

    if isinstance(e, MarkedOverdue):
        _require_state(hd, e, *[s for s in _S if s in UNRECTIFIED])
        if hd.overdue:
            raise _reject(hd.id, e, "it is already overdue; further escalation is an 'escalated' event")
        if hd.deadline is None or e.deadline != hd.deadline:
            got = e.deadline.isoformat()
            have = "none" if hd.deadline is None else hd.deadline.isoformat()
            raise _reject(hd.id, e, f"'deadline' must be its current deadline ({have}) (got {got})")
        if e.at <= hd.deadline:
            raise _reject(hd.id, e, f"the deadline {hd.deadline.isoformat()} has not passed at {e.at.isoformat()}")
        expected = next_escalation(hd) or hd.escalated_to or hd.owner_level.key
        if e.escalated_to != expected:
            raise _reject(hd.id, e, f"'escalated_to' must be {expected!r}, the next level up (got {e.escalated_to!r})")
        return {"overdue": True, "escalated_to": e.escalated_to, "escalated_at": e.at}

    if isinstance(e, Escalated):
        _require_state(hd, e, *[s for s in _S if s in UNRECTIFIED])
        if not hd.overdue:
            raise _reject(hd.id, e, "it is not overdue; only an overdue hidden danger escalates")
        expected_next = next_escalation(hd)
        if expected_next is None:
            raise _reject(hd.id, e, f"it is already at the top of its escalation chain ({hd.escalated_to})")
        if e.escalated_to != expected_next:
            raise _reject(
                hd.id, e, f"'escalated_to' must be {expected_next!r}, the next level up (got {e.escalated_to!r})"
            )
        return {"escalated_to": e.escalated_to, "escalated_at": e.at}

    if isinstance(e, ProductionSuspended):
        if hd.suspended:
            raise _reject(hd.id, e, "production is already suspended", "已处于停产状态")
        _require_why(hd, e, "why production is suspended")
        return {"suspended": True}

    if isinstance(e, ProductionResumed):
        if not hd.suspended:
            raise _reject(hd.id, e, "production is not suspended", "并未停产")
        if hd.suspension_ordered and hd.supervision is not SupervisionState.LIFTED:
            raise _reject(hd.id, e, "the regulator ordered the suspension; production resumes only after its review of the "
                                    "application to resume has passed (16号令 第十八条)",
                          "停产由监管部门责令，须经其审核复产申请通过后才能复产（16号令 第十八条）")
        _require_why(hd, e, "why production may resume")
        return {"suspended": False, "suspension_ordered": False}

    return _supervised(hd, e)


def _require_major(hd: HiddenDanger, e: HiddenDangerEvent, what: str) -> None:
    if not hd.is_major:
        grade = hd.grade.key if hd.grade else "not assessed"
        raise _reject(hd.id, e, f"{what} is for major hidden danger only (it is {grade})")


def _supervised(hd: HiddenDanger, e: HiddenDangerEvent) -> dict[str, Any]:  # noqa: C901 - one branch per kind
    """The major hidden danger's report and the regulator-supervised path (16号令 第十四、十八条)."""
    L = SupervisionState
    if isinstance(e, ReportSubmitted):
        _require_major(hd, e, "the report (重大事故隐患报告)")
        lacking = e.report.missing()
        names = {f: zh for _k, zh, fields in REPORT_CONTENTS for f in fields}
        problems = [f"{f} ({names[f]})" for f in lacking]
        if hd.plan is None or not hd.plan.is_complete_for_major:
            problems.append(f"plan (隐患的治理方案: approve a complete plan first; {plan_lacks_for_major(hd.plan)})")
        if problems:
            raise _reject(hd.id, e, "the report lacks the contents of 总局令第16号 第十四条: " + "; ".join(problems))
        return {"report": e.report, "reported_to": tuple(dict.fromkeys((*hd.reported_to, e.recipient)))}

    if isinstance(e, SupervisionListed):
        _require_major(hd, e, "挂牌督办")
        if hd.supervision is not None:
            raise _reject(hd.id, e, f"it is already under supervision ({hd.supervision.key})")
        _after(hd, e, e.deadline, "deadline")
        changes: dict[str, Any] = {"supervision": L.LISTED, "supervision_authority": e.authority}
        if e.deadline is not None:
            changes.update(deadline=e.deadline, overdue=False)
        return changes

    if isinstance(e, SuspensionOrdered):
        if hd.supervision is None:
            raise _reject(hd.id, e, "a suspension order on this path needs the hidden danger under supervision (挂牌督办) first")
        if hd.suspension_ordered:
            raise _reject(hd.id, e, "the regulator has already ordered production suspended")
        return {"suspended": True, "suspension_ordered": True}

    if isinstance(e, PostRectificationAssessed):
        if hd.supervision not in (L.LISTED, L.ASSESSED):
            where = hd.supervision.key if hd.supervision else "not supervised"
            raise _reject(hd.id, e, f"a post-rectification assessment belongs to a supervised hidden danger awaiting it ({where})")
        _require_state(hd, e, _S.RECTIFIED, _S.VERIFIED)
        return {"assessment": e, "supervision": L.ASSESSED if e.passed else L.LISTED}

    if isinstance(e, ResumptionApplied):
        if hd.supervision is not L.ASSESSED or hd.assessment is None or not hd.assessment.passed:
            raise _reject(hd.id, e, "an application to resume needs a passed post-rectification assessment (治理后评估) first")
        if not hd.suspension_ordered:
            raise _reject(hd.id, e, "the regulator ordered no suspension; there is nothing to apply to resume")
        _require_state(hd, e, _S.RECTIFIED, _S.VERIFIED)
        return {"application": e, "supervision": L.APPLIED}

    if isinstance(e, RegulatorReviewed):
        # With production ordered suspended, the regulator reviews the application to resume; without
        # an order, it reviews the passed post-rectification assessment to lift the supervision (摘牌核销).
        pending = hd.supervision is L.APPLIED and hd.application is not None
        unsuspended = hd.supervision is L.ASSESSED and not hd.suspension_ordered
        if not (pending or unsuspended):
            raise _reject(hd.id, e, "the regulator reviews an application to resume (or, with no suspension ordered, a passed "
                                    "post-rectification assessment); neither is pending")
        late = hd.application is not None and e.at > hd.application.at + timedelta(days=REVIEW_DAYS)
        if e.passed:
            return {"review": e, "supervision": L.LIFTED, "review_late": late}
        _require_why(hd, e, "why the review failed (责令改正)")
        return {"review": e, "supervision": L.LISTED, "review_late": late, "assessment": None, "application": None,
                "state": _S.RECTIFYING, "verifier": None}

    raise _reject(hd.id, e, f"unknown event type {type(e).__name__}")


def replay(
    events: Iterable[HiddenDangerEvent | InvestigationEvent], *, labels: Sequence[str] | None = None
) -> dict[str, HiddenDanger]:
    """Fold events into the state of every hidden danger, checking every guard.

    :param events: the events in the order they were appended.
    :param labels: how to name each event in errors (default ``event [i]``).
    :returns: the hidden dangers by id, in the order they were reported.
    :raises TransitionRejected: naming the event's index (or label) and the reason,
        for the first event the guards refuse (also for an unknown hidden-danger id).
    """
    state: dict[str, HiddenDanger] = {}
    for i, event in enumerate(events):
        label = labels[i] if labels is not None else f"event [{i}]"
        if isinstance(event, InvestigationEvent):
            continue  # about a task, not a hidden danger (the ledger keeps and checks them)
        if not isinstance(event, HiddenDangerEvent):
            raise TransitionRejected(f"{label}: not a hidden-danger event (got {event!r})")
        try:
            state[event.hd_id] = apply(state.get(event.hd_id), event)
        except UnknownReference as exc:
            raise TransitionRejected(f"{label} ({event.kind}): {exc}{suggest(event.hd_id, state)}") from None
        except TransitionRejected as exc:
            raise TransitionRejected(f"{label}: {exc}") from None
    return state
