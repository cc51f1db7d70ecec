"""Hidden-danger events: immutable, serialisable records of every transition.

Each event names the hidden danger (``hd_id``), who did it (``by``), when (``at``, always
timezone-aware) and why (``why``), plus its own data.  Constructors check *shape* (types,
non-empty ids, aware datetimes) and raise :class:`~dualprev_core.errors.InvalidInput`
naming the field; whether an event is *allowed* in the current state is decided by the
guards in :mod:`dualprev_core.hidden_dangers.machine` (:class:`~dualprev_core.errors.TransitionRejected`).

Converters accept the JSON forms too (ISO strings, vocabulary keys, lists, mappings), so
``event_from_dict(e.to_dict()) == e`` for every event.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Final

import attrs

from dualprev_core.clock import ensure_aware
from dualprev_core.errors import InvalidInput, Problem, ValidationError, suggest
from dualprev_core.model.vocabulary import HiddenDangerGrade, InspectionResult, OwnerLevel
from dualprev_core.provenance import Citation

__all__ = [
    "REGULATOR",
    "ESCALATION_LEVELS",
    "CriterionRef",
    "RectificationPlan",
    "FIVE_IMPLEMENTATIONS",
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
    "InvestigationEvent",
    "CheckMissed",
    "LedgerEvent",
    "EVENT_KINDS",
    "event_from_dict",
    "event_problems",
]

#: The level above the company: the supervising authority (only major hidden dangers go there).
REGULATOR: Final = "regulator"
#: Escalation targets, lowest first: the owner levels of 11号文, then the regulator.
ESCALATION_LEVELS: Final = (*OwnerLevel.keys(), REGULATOR)


# ---------------------------------------------------------------- lenient converters
# Converters turn JSON forms into Python values and leave anything they cannot convert
# unchanged, so the validator (which knows the field's name) reports it.


def _to_datetime(value: object) -> object:
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            return value
    return value


def _to_opt_datetime(value: object) -> object:
    return None if value is None else _to_datetime(value)


def _to_str_tuple(value: object) -> object:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple):
        return tuple(value)
    return value


def _vocab_converter(cls: Any) -> Any:
    def convert(value: object) -> object:
        try:
            return cls.parse(value)
        except InvalidInput:
            return value

    return convert


def _to_owner_level(value: object) -> object:
    return _vocab_converter(OwnerLevel)(value)


def _to_strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


# ---------------------------------------------------------------- validators (name the field)


def _v_aware(inst: object, a: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, str):
        raise InvalidInput(
            f"'{a.name}' must be an ISO-8601 datetime with an offset, "
            f"e.g. '2024-05-01T08:00:00+08:00' (got {value!r})"
        )
    ensure_aware(value, a.name)


def _v_opt_aware(inst: object, a: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _v_aware(inst, a, value)


def _v_id(inst: object, a: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"'{a.name}' must be a non-empty string (got {value!r})")


def _v_text(inst: object, a: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise InvalidInput(f"'{a.name}' must be a string (got {value!r})")


def _v_opt_id(inst: object, a: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _v_id(inst, a, value)


def _v_str_tuple(inst: object, a: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(f"'{a.name}' must be a list of strings (got {value!r})")


def _v_vocab(cls: Any) -> Any:
    def check(inst: object, a: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, cls):
            raise InvalidInput(
                f"'{a.name}' must be one of {', '.join(cls.keys())} "
                f"(got {value!r}){suggest(str(value), cls.keys())}"
            )

    return check


def _v_bool(inst: object, a: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, bool):
        raise InvalidInput(f"'{a.name}' must be true or false (got {value!r})")


def _v_escalation(inst: object, a: attrs.Attribute[Any], value: object) -> None:
    if value not in ESCALATION_LEVELS:
        raise InvalidInput(
            f"'{a.name}' must be one of {', '.join(ESCALATION_LEVELS)} "
            f"(got {value!r}){suggest(str(value), ESCALATION_LEVELS)}"
        )


def _id_field() -> Any:
    return attrs.field(converter=_to_strip, validator=_v_id)


# ---------------------------------------------------------------- criterion and plan


@attrs.frozen(kw_only=True)
class CriterionRef:
    """A major-hidden-danger criterion of an installed pack that matched (why it is major).

    :param criterion_id: the criterion's id in its pack.
    :param pack: the pack's name.
    :param pack_version: the pack's version.
    :param citation: the standard clause the criterion encodes.
    """

    criterion_id: str = _id_field()
    pack: str = _id_field()
    pack_version: str = _id_field()
    citation: Citation = attrs.field()

    @citation.validator
    def _check_citation(self, a: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, Citation):
            raise InvalidInput(f"'citation' must be a Citation (got {value!r})")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            "criterion_id": self.criterion_id,
            "pack": self.pack,
            "pack_version": self.pack_version,
            "citation": self.citation.to_dict(),
        }

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], path: str = "criterion") -> CriterionRef:
        """Build from a mapping; errors name ``path`` and the field."""
        if isinstance(data, CriterionRef):
            return data
        if not isinstance(data, Mapping):
            raise InvalidInput(f"'{path}' must be a mapping (got {data!r})")
        allowed = {"criterion_id", "pack", "pack_version", "citation"}
        extra = sorted(set(data) - allowed)
        if extra:
            raise InvalidInput(f"'{path}' has unknown field(s) {extra}; allowed: {sorted(allowed)}")
        missing = sorted(allowed - set(data))
        if missing:
            raise InvalidInput(f"'{path}' is missing field(s) {missing}")
        cit = data["citation"]
        if not isinstance(cit, Citation):
            if not isinstance(cit, Mapping):
                raise InvalidInput(f"'{path}.citation' must be a mapping (got {cit!r})")
            try:
                cit = Citation.from_mapping(cit)
            except (TypeError, ValueError) as exc:
                raise InvalidInput(f"'{path}.citation': {exc} (got {dict(cit)!r})") from None
        try:
            return cls(
                criterion_id=data["criterion_id"],
                pack=data["pack"],
                pack_version=data["pack_version"],
                citation=cit,
            )
        except InvalidInput as exc:
            raise InvalidInput(f"'{path}': {exc}") from None


def _to_criteria(value: object) -> tuple[CriterionRef, ...]:
    if value is None:
        return ()
    if isinstance(value, CriterionRef | Mapping) or not isinstance(value, Iterable) or isinstance(value, str):
        raise InvalidInput(f"'criteria' must be a list of criteria (got {value!r})")
    return tuple(CriterionRef.from_mapping(v, f"criteria[{i}]") for i, v in enumerate(value))


def _to_amount(value: object) -> object:
    if value is None or isinstance(value, Decimal) or isinstance(value, bool):
        return value
    if isinstance(value, int | float | str):
        if isinstance(value, float) and not math.isfinite(value):
            return value
        try:
            return Decimal(str(value).strip())
        except InvalidOperation:
            return value
    return value


def _v_amount(inst: object, a: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
        raise InvalidInput(f"'{a.name}' must be a non-negative number (got {value!r})")


#: The five implementations (五落实) in the order we report them, with their Chinese names.
FIVE_IMPLEMENTATIONS: Final = (
    ("responsible_person", "责任 responsible person"),
    ("measures", "措施 measures"),
    ("funds", "资金 funds: funds_amount > 0 or funds_source"),
    ("deadline", "时限 time limit"),
    ("contingency_plan", "预案 contingency plan"),
)


@attrs.frozen(kw_only=True)
class RectificationPlan:
    """A rectification plan with the five implementations (五落实).

    Any item may be empty here (a draft); :meth:`missing` lists what is lacking and the
    guards refuse to approve a plan that lacks any of the five.

    :param responsible_person: 责任 — who is responsible for the rectification.
    :param measures: 措施 — the rectification measures (and interim precautions).
    :param funds_amount: 资金 — the budget (a non-negative number, currency per the enterprise).
    :param funds_source: 资金 — where the money comes from (text); amount and/or source.
    :param deadline: 时限 — the time limit (timezone-aware).
    :param contingency_plan: 预案 — the safety and emergency measures during rectification.
    """

    responsible_person: str = attrs.field(default="", converter=_to_strip, validator=_v_text)
    measures: tuple[str, ...] = attrs.field(default=(), converter=_to_str_tuple, validator=_v_str_tuple)
    funds_amount: Decimal | None = attrs.field(default=None, converter=_to_amount, validator=_v_amount)
    funds_source: str = attrs.field(default="", converter=_to_strip, validator=_v_text)
    deadline: datetime | None = attrs.field(default=None, converter=_to_opt_datetime, validator=_v_opt_aware)
    contingency_plan: str = attrs.field(default="", converter=_to_strip, validator=_v_text)

    def missing(self) -> tuple[str, ...]:
        """The keys of the five implementations this plan lacks (empty when complete)."""
        lacking = []
        if not self.responsible_person:
            lacking.append("responsible_person")
        if not any(m.strip() for m in self.measures):
            lacking.append("measures")
        if not ((self.funds_amount is not None and self.funds_amount > 0) or self.funds_source):
            lacking.append("funds")
        if self.deadline is None:
            lacking.append("deadline")
        if not self.contingency_plan:
            lacking.append("contingency_plan")
        return tuple(lacking)

    @property
    def is_complete(self) -> bool:
        """Whether all five implementations are present."""
        return not self.missing()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (amount as a decimal string, deadline ISO-8601)."""
        return {
            "responsible_person": self.responsible_person,
            "measures": list(self.measures),
            "funds_amount": None if self.funds_amount is None else str(self.funds_amount),
            "funds_source": self.funds_source,
            "deadline": None if self.deadline is None else self.deadline.isoformat(),
            "contingency_plan": self.contingency_plan,
        }

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> RectificationPlan:
        """Build from a mapping; unknown keys are refused, errors name the field."""
        if isinstance(data, RectificationPlan):
            return data
        if not isinstance(data, Mapping):
            raise InvalidInput(f"'plan' must be a mapping (got {data!r})")
        allowed = [a.name for a in attrs.fields(cls)]
        extra = sorted(set(data) - set(allowed))
        if extra:
            raise InvalidInput(f"'plan' has unknown field(s) {extra}; allowed: {allowed}")
        try:
            return cls(**dict(data))
        except InvalidInput as exc:
            raise InvalidInput(f"'plan': {exc}") from None


def _to_plan(value: object) -> RectificationPlan:
    if isinstance(value, RectificationPlan):
        return value
    return RectificationPlan.from_mapping(value)  # type: ignore[arg-type]


# ---------------------------------------------------------------- events


@attrs.frozen(kw_only=True)
class HiddenDangerEvent:
    """Base of every hidden-danger event.

    :param hd_id: the hidden danger's id.
    :param by: who did it (a person; for automatic events the system's name).
    :param at: when (timezone-aware).
    :param why: the reason, free text (required non-empty by some guards).
    """

    kind: ClassVar[str] = ""

    hd_id: str = _id_field()
    by: str = _id_field()
    at: datetime = attrs.field(converter=_to_datetime, validator=_v_aware)
    why: str = attrs.field(default="", converter=_to_strip, validator=_v_text)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping: ``kind`` first, then the fields (ISO-8601 timestamps)."""
        out: dict[str, Any] = {"kind": self.kind}
        for a in attrs.fields(type(self)):
            out[a.name] = _jsonable(getattr(self, a.name))
        return out


def _jsonable(value: object) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, InspectionResult | HiddenDangerGrade | OwnerLevel):
        return value.key
    if isinstance(value, CriterionRef | RectificationPlan):
        return value.to_dict()
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


def _to_finding(value: object) -> object:
    return _vocab_converter(InspectionResult)(value)



@attrs.frozen(kw_only=True)
class Reported(HiddenDangerEvent):
    """登记: an inspection or a monitoring alarm found a control weakened, failed or missing.

    :param control_id: the control the hidden danger degrades.
    :param finding: what was found (weakened, failed or missing; ``effective`` is refused).
    :param source: where it was found: ``inspection:<id>``, ``monitoring:<rule id>``, ...
    :param description: what is wrong, in words.
    :param owner_level: who owns the control (the start of the escalation chain).
    :param post: the owning post's id, if known.
    :param risk_ids: the risks it raises, if known (the graph can also derive them).
    :param deadline: an initial rectification deadline, if set at reporting.
    """

    kind: ClassVar[str] = "reported"

    control_id: str = _id_field()
    finding: InspectionResult = attrs.field(converter=_to_finding, validator=_v_vocab(InspectionResult))
    source: str = _id_field()
    description: str = _id_field()
    owner_level: OwnerLevel = attrs.field(converter=_to_owner_level, validator=_v_vocab(OwnerLevel))
    post: str | None = attrs.field(default=None, converter=_to_strip, validator=_v_opt_id)
    risk_ids: tuple[str, ...] = attrs.field(default=(), converter=_to_str_tuple, validator=_v_str_tuple)
    deadline: datetime | None = attrs.field(default=None, converter=_to_opt_datetime, validator=_v_opt_aware)

    @property
    def inspection_id(self) -> str | None:
        """The inspection's id when ``source`` is ``inspection:<id>``, else ``None``."""
        head, sep, rest = self.source.partition(":")
        return rest if sep and head == "inspection" else None


@attrs.frozen(kw_only=True)
class FindingAdded(HiddenDangerEvent):
    """A later inspection found the same control defective again (may worsen ``finding``)."""

    kind: ClassVar[str] = "finding_added"

    finding: InspectionResult = attrs.field(converter=_to_finding, validator=_v_vocab(InspectionResult))
    source: str = _id_field()


def _grade_field() -> Any:
    return attrs.field(
        converter=_vocab_converter(HiddenDangerGrade), validator=_v_vocab(HiddenDangerGrade)
    )


@attrs.frozen(kw_only=True)
class Assessed(HiddenDangerEvent):
    """评估定级: graded general or major.

    :param grade: ``major`` exactly when ``criteria`` is non-empty.
    :param criteria: the pack criteria that made it major (empty for general).
    :param deadline: the rectification deadline (required unless given when reported).
    """

    kind: ClassVar[str] = "assessed"

    grade: HiddenDangerGrade = _grade_field()
    criteria: tuple[CriterionRef, ...] = attrs.field(default=(), converter=_to_criteria)
    deadline: datetime | None = attrs.field(default=None, converter=_to_opt_datetime, validator=_v_opt_aware)


@attrs.frozen(kw_only=True)
class Regraded(HiddenDangerEvent):
    """Re-graded on new facts: upward only (general → major) while open."""

    kind: ClassVar[str] = "regraded"

    grade: HiddenDangerGrade = _grade_field()
    criteria: tuple[CriterionRef, ...] = attrs.field(default=(), converter=_to_criteria)


@attrs.frozen(kw_only=True)
class PlanApproved(HiddenDangerEvent):
    """A rectification plan with all five implementations (五落实) was approved (or revised)."""

    kind: ClassVar[str] = "plan_approved"

    plan: RectificationPlan = attrs.field(converter=_to_plan)


@attrs.frozen(kw_only=True)
class RectificationStarted(HiddenDangerEvent):
    """整改: rectification started."""

    kind: ClassVar[str] = "rectification_started"


@attrs.frozen(kw_only=True)
class Rectified(HiddenDangerEvent):
    """Rectification done; ``by`` is the rectifier.

    :param measures: the measures taken (at least one).
    """

    kind: ClassVar[str] = "rectified"

    measures: tuple[str, ...] = attrs.field(converter=_to_str_tuple, validator=_v_str_tuple)


@attrs.frozen(kw_only=True)
class Verified(HiddenDangerEvent):
    """验收: the rectification was checked by someone who is not a rectifier.

    :param passed: ``False`` sends it back to rectifying (``why`` must say why).
    """

    kind: ClassVar[str] = "verified"

    passed: bool = attrs.field(validator=_v_bool)


@attrs.frozen(kw_only=True)
class Closed(HiddenDangerEvent):
    """销号: archived after a passed verification."""

    kind: ClassVar[str] = "closed"


@attrs.frozen(kw_only=True)
class MarkedOverdue(HiddenDangerEvent):
    """The deadline passed without rectification; responsibility escalates one level.

    :param deadline: the deadline that passed.
    :param escalated_to: the next level up (``post`` → ``team`` → ``workshop`` → ``company``
        → ``regulator`` for major ones); the current level when there is none higher.
    """

    kind: ClassVar[str] = "marked_overdue"

    deadline: datetime = attrs.field(converter=_to_datetime, validator=_v_aware)
    escalated_to: str = attrs.field(converter=_to_strip, validator=_v_escalation)


@attrs.frozen(kw_only=True)
class Escalated(HiddenDangerEvent):
    """Still overdue after another escalation period: escalated one more level."""

    kind: ClassVar[str] = "escalated"

    escalated_to: str = attrs.field(converter=_to_strip, validator=_v_escalation)


@attrs.frozen(kw_only=True)
class ProductionSuspended(HiddenDangerEvent):
    """Production (fully or partly) suspended because of this hidden danger (停产停业)."""

    kind: ClassVar[str] = "production_suspended"


@attrs.frozen(kw_only=True)
class ProductionResumed(HiddenDangerEvent):
    """Production resumed (复产)."""

    kind: ClassVar[str] = "production_resumed"


# ---------------------------------------------------------------- investigation events


@attrs.frozen(kw_only=True)
class InvestigationEvent:
    """Base of the investigation events the ledger also keeps (about a task, not a hidden danger).

    :param task_id: the investigation task's id (an item id or ``<template>@<control>``).
    :param by: who recorded it (for automatic records the system's name).
    :param at: when it was recorded (timezone-aware).
    :param why: the reason, free text.
    """

    kind: ClassVar[str] = ""

    task_id: str = _id_field()
    by: str = _id_field()
    at: datetime = attrs.field(converter=_to_datetime, validator=_v_aware)
    why: str = attrs.field(default="", converter=_to_strip, validator=_v_text)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping: ``kind`` first, then the fields (ISO-8601 timestamps)."""
        out: dict[str, Any] = {"kind": self.kind}
        for a in attrs.fields(type(self)):
            out[a.name] = _jsonable(getattr(self, a.name))
        return out


def _v_count(inst: object, a: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidInput(f"'{a.name}' must be a non-negative whole number (got {value!r})")


@attrs.frozen(kw_only=True)
class CheckMissed(InvestigationEvent):
    """未排查: a task's window passed without its check (recorded so it is counted and kept).

    :param window_start: when the window opened.
    :param due_at: when the check was due (the window's end); with ``task_id`` it identifies the miss.
    :param done: checks found in the window (fewer than ``required``).
    :param required: checks the window needed.
    :param escalated_to: the owner level the overdue task had escalated to when recorded, if any.
    """

    kind: ClassVar[str] = "check_missed"

    window_start: datetime = attrs.field(converter=_to_datetime, validator=_v_aware)
    due_at: datetime = attrs.field(converter=_to_datetime, validator=_v_aware)
    done: int = attrs.field(default=0, validator=_v_count)
    required: int = attrs.field(default=1, validator=_v_count)
    escalated_to: str | None = attrs.field(default=None, converter=_to_strip, validator=_v_opt_id)

    def __attrs_post_init__(self) -> None:
        if self.due_at <= self.window_start:
            raise InvalidInput(f"'due_at' must be after 'window_start' (got {self.due_at.isoformat()} ≤ {self.window_start.isoformat()})")
        if self.done >= self.required:
            raise InvalidInput(f"'done' ({self.done}) must be fewer than 'required' ({self.required}) for a missed check")


#: Any event the ledger keeps.
LedgerEvent = HiddenDangerEvent | InvestigationEvent

#: Every event kind, by its ``kind`` key.
EVENT_KINDS: Final[Mapping[str, type[HiddenDangerEvent] | type[InvestigationEvent]]] = {
    cls.kind: cls
    for cls in (
        Reported,
        FindingAdded,
        Assessed,
        Regraded,
        PlanApproved,
        RectificationStarted,
        Rectified,
        Verified,
        Closed,
        MarkedOverdue,
        Escalated,
        ProductionSuspended,
        ProductionResumed,
        CheckMissed,
    )
}


def event_problems(data: object) -> tuple[LedgerEvent | None, list[Problem]]:
    """Parse ``data`` into an event, returning it (or ``None``) and every problem found."""
    if not isinstance(data, Mapping):
        return None, [Problem("", f"an event must be a JSON object (got {data!r})")]
    kind = data.get("kind")
    if kind not in EVENT_KINDS:
        return None, [
            Problem(
                "kind",
                f"'kind' must be one of {', '.join(EVENT_KINDS)} (got {kind!r})"
                f"{suggest(str(kind), EVENT_KINDS)}",
            )
        ]
    cls = EVENT_KINDS[str(kind)]
    fields = attrs.fields(cls)
    names = [a.name for a in fields]
    problems: list[Problem] = []
    extra = sorted(set(data) - set(names) - {"kind"})
    if extra:
        problems.append(Problem("", f"unknown field(s) {extra} for kind {kind!r}; allowed: {names}"))
    values: dict[str, Any] = {}
    for a in fields:
        if a.name not in data:
            if a.default is attrs.NOTHING:
                problems.append(Problem(a.name, f"'{a.name}' is required for kind {kind!r}"))
            continue
        raw = data[a.name]
        try:
            value = a.converter(raw) if callable(a.converter) else raw
            if a.validator is not None:
                a.validator(None, a, value)
        except (InvalidInput, TypeError, ValueError) as exc:
            problems.append(Problem(a.name, str(exc)))
            continue
        values[a.name] = raw
    if problems:
        return None, problems
    try:
        return cls(**values), []
    except (InvalidInput, TypeError, ValueError) as exc:  # defensive: cross-field checks
        return None, [Problem("", str(exc))]


def event_from_dict(data: Mapping[str, Any], *, source: str | None = None) -> LedgerEvent:
    """Rebuild an event from :meth:`HiddenDangerEvent.to_dict` output.

    :raises ValidationError: listing every bad field, with the field and the value got.
    """
    event, problems = event_problems(data)
    if event is None:
        raise ValidationError(problems, source=source)
    return event
