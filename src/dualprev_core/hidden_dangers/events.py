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
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Final, TypeVar

import attrs

from dualprev_core.clock import ensure_aware
from dualprev_core.errors import InvalidInput, Problem, ValidationError, excerpt, suggest
from dualprev_core.identity import check_name
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
    "PLAN_CONTENTS",
    "REPORT_CONTENTS",
    "GRADE_BASES",
    "REPORT_RECIPIENTS",
    "ASSESSORS",
    "SUBJECT_KINDS",
    "MajorHiddenDangerReport",
    "Document",
    "plan_lacks_for_major",
    "ReportSubmitted",
    "SupervisionListed",
    "SuspensionOrdered",
    "PostRectificationAssessed",
    "ResumptionApplied",
    "RegulatorReviewed",
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


def _some(names: list[Any]) -> str:
    """At most five unknown names, each cut short: a foreign file is never echoed."""
    shown = ", ".join(excerpt(n, 40) for n in names[:5])
    return f"[{shown}{f', … ({len(names)} in all)' if len(names) > 5 else ''}]"


# ---------------------------------------------------------------- lenient converters
# Converters turn JSON forms into Python values and leave anything they cannot convert
# unchanged, so the validator (which knows the field's name) reports it.


def _to_datetime(value: object) -> object:
    if isinstance(value, str):
        try:
            dt = datetime.fromisoformat(value.strip())
            if dt.tzinfo is not None:
                dt.astimezone(UTC)  # a time whose offset takes it out of range
            return dt
        except (ValueError, OverflowError):
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
            f"e.g. '2024-05-01T08:00:00+08:00' (got {excerpt(value)})"
        )
    ensure_aware(value, a.name)


def _v_opt_aware(inst: object, a: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _v_aware(inst, a, value)


def _v_id(inst: object, a: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"'{a.name}' must be a non-empty string (got {excerpt(value)})")


def _v_person(inst: object, a: attrs.Attribute[Any], value: object) -> None:
    """A person who acts: a visible name without control characters or lookalike letters."""
    _v_id(inst, a, value)
    check_name(value, f"'{a.name}'")


def _person_field() -> Any:
    return attrs.field(converter=_to_strip, validator=_v_person)


def _v_text(inst: object, a: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise InvalidInput(f"'{a.name}' must be a string (got {excerpt(value)})")


def _v_opt_id(inst: object, a: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _v_id(inst, a, value)


def _v_str_tuple(inst: object, a: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(f"'{a.name}' must be a list of strings (got {excerpt(value)})")


def _v_vocab(cls: Any) -> Any:
    def check(inst: object, a: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, cls):
            raise InvalidInput(
                f"'{a.name}' must be one of {', '.join(cls.keys())} "
                f"(got {excerpt(value)}){suggest(str(value), cls.keys())}"
            )

    return check


def _v_bool(inst: object, a: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, bool):
        raise InvalidInput(f"'{a.name}' must be true or false (got {excerpt(value)})")


def _v_escalation(inst: object, a: attrs.Attribute[Any], value: object) -> None:
    if value not in ESCALATION_LEVELS:
        raise InvalidInput(
            f"'{a.name}' must be one of {', '.join(ESCALATION_LEVELS)} "
            f"(got {excerpt(value)}){suggest(str(value), ESCALATION_LEVELS)}"
        )


#: What a hidden danger no control covers can be opened on.
SUBJECT_KINDS: Final = ("area", "risk_point", "enterprise")


def _v_opt_subject(inst: object, a: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    kind, sep, ident = str(value).partition(":") if isinstance(value, str) else ("", "", "")
    if not sep or kind not in SUBJECT_KINDS or not ident.strip():
        raise InvalidInput(f"'{a.name}' must be area:<id>, risk_point:<id> or enterprise:<id> (got {value!r})")


#: On what a grade rests: an installed criterion, or an expert's or the regulator's judgement.
GRADE_BASES: Final = ("criterion", "expert", "regulator")


def _v_basis(inst: object, a: attrs.Attribute[Any], value: object) -> None:
    if value not in GRADE_BASES:
        raise InvalidInput(f"'{a.name}' must be one of {', '.join(GRADE_BASES)} (got {value!r}){suggest(str(value), GRADE_BASES)}")


#: Who a major hidden danger's report goes to (总局令第16号 第十四条; 安全生产法 2021 第四十一条).
REPORT_RECIPIENTS: Final = ("regulator", "workers_congress")


def _v_recipient(inst: object, a: attrs.Attribute[Any], value: object) -> None:
    if value not in REPORT_RECIPIENTS:
        raise InvalidInput(f"'{a.name}' must be one of {', '.join(REPORT_RECIPIENTS)} (got {value!r}){suggest(str(value), REPORT_RECIPIENTS)}")


#: Who assesses a supervised hidden danger after its remediation (总局令第16号 第十八条).
ASSESSORS: Final = ("own", "agency")


def _v_assessor(inst: object, a: attrs.Attribute[Any], value: object) -> None:
    if value not in ASSESSORS:
        raise InvalidInput(f"'{a.name}' must be own (the unit's technical staff and experts) or agency (a qualified "
                           f"safety assessment agency) (got {value!r}){suggest(str(value), ASSESSORS)}")


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
    :param document: the version of the criteria document that judged (``standard@version``, with
        its dates in force and how it was chosen: in force at the finding, or named by the caller);
        empty for criteria of rule sets that declare no document, and for records made before
        criteria carried versions.
    """

    criterion_id: str = _id_field()
    pack: str = _id_field()
    pack_version: str = _id_field()
    citation: Citation = attrs.field()
    document: str = attrs.field(default="", validator=attrs.validators.instance_of(str))

    @citation.validator
    def _check_citation(self, a: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, Citation):
            raise InvalidInput(f"'citation' must be a Citation (got {excerpt(value)})")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            "criterion_id": self.criterion_id,
            "pack": self.pack,
            "pack_version": self.pack_version,
            "citation": self.citation.to_dict(),
            **({"document": self.document} if self.document else {}),
        }

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], path: str = "criterion") -> CriterionRef:
        """Build from a mapping; errors name ``path`` and the field."""
        if isinstance(data, CriterionRef):
            return data
        if not isinstance(data, Mapping):
            raise InvalidInput(f"'{path}' must be a mapping (got {excerpt(data)})")
        required = {"criterion_id", "pack", "pack_version", "citation"}
        allowed = required | {"document"}
        missing = sorted(required - set(data))
        extra = sorted(set(data) - allowed)
        if extra:
            raise InvalidInput(f"'{path}' has unknown field(s) {_some(extra)}; allowed: {sorted(allowed)}")
        if missing:
            raise InvalidInput(f"'{path}' is missing field(s) {missing}")
        document = data.get("document", "")
        if not isinstance(document, str):
            raise InvalidInput(f"'{path}.document' must be a string (got {excerpt(document)})")
        cit = data["citation"]
        if not isinstance(cit, Citation):
            if not isinstance(cit, Mapping):
                raise InvalidInput(f"'{path}.citation' must be a mapping (got {excerpt(cit)})")
            try:
                cit = Citation.from_mapping(cit)
            except (TypeError, ValueError) as exc:
                raise InvalidInput(f"'{path}.citation': {exc} (got {excerpt(dict(cit))})") from None
        try:
            return cls(
                criterion_id=data["criterion_id"],
                pack=data["pack"],
                pack_version=data["pack_version"],
                citation=cit,
                document=document,
            )
        except InvalidInput as exc:
            raise InvalidInput(f"'{path}': {exc}") from None


def _to_criteria(value: object) -> tuple[CriterionRef, ...]:
    if value is None:
        return ()
    if isinstance(value, CriterionRef | Mapping) or not isinstance(value, Iterable) or isinstance(value, str):
        raise InvalidInput(f"'criteria' must be a list of criteria (got {excerpt(value)})")
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
        raise InvalidInput(f"'{a.name}' must be a non-negative number (got {excerpt(value)})")


#: The five implementations (五落实) in the order we report them, with their Chinese names.
FIVE_IMPLEMENTATIONS: Final = (
    ("responsible_person", "责任 responsible person"),
    ("measures", "措施 measures"),
    ("funds", "资金 funds: funds_amount > 0 or funds_source"),
    ("deadline", "时限 time limit"),
    ("contingency_plan", "预案 contingency plan"),
)


#: The six contents of a major hidden danger's remediation plan (治理方案), 总局令第16号 第十五条, in
#: order, with the plan fields each needs.
PLAN_CONTENTS: Final = (
    ("objectives_and_tasks", "治理的目标和任务", ("objectives", "tasks")),
    ("methods_and_measures", "采取的方法和措施", ("measures",)),
    ("funds_and_materials", "经费和物资的落实", ("funds", "materials")),
    ("organisation_and_people", "负责治理的机构和人员", ("organisation", "responsible_person")),
    ("time_limit_and_requirements", "治理的时限和要求", ("deadline", "requirements")),
    ("safety_measures_and_emergency_plan", "安全措施和应急预案", ("safety_measures", "contingency_plan")),
)

# Fields added for the 16号令 plan: written to JSON only when set, so a five-implementation plan
# keeps its original shape.
_MAJOR_PLAN_FIELDS: Final = ("objectives", "tasks", "methods", "materials", "organisation", "people", "requirements",
                             "safety_measures")


_R = TypeVar("_R")


def _record_from_mapping(cls: type[_R], data: object, path: str, required: tuple[str, ...] = ()) -> _R:
    """Build the attrs record ``cls`` from a mapping read from a file.

    An instance passes through; anything else must be a mapping of ``cls``'s fields.  Unknown keys
    are refused with a "did you mean", missing ``required`` ones named; values are quoted only as
    short excerpts, so a wrong file is never echoed.  Every error names ``path``.
    """
    if isinstance(data, cls):
        return data
    if not isinstance(data, Mapping):
        need = f" with at least {', '.join(repr(r) for r in required)}" if required else ""
        raise InvalidInput(f"'{path}' must be a mapping{need} (got {excerpt(data)})")
    allowed = [a.name for a in attrs.fields(cls)]  # type: ignore[arg-type]
    extra = sorted(str(k) for k in set(data) - set(allowed))
    if extra:
        raise InvalidInput(f"'{path}' has unknown field(s) {_some(extra)}; allowed: {allowed}{suggest(extra[0][:100], allowed)}")
    missing = [r for r in required if r not in data]
    if missing:
        raise InvalidInput(f"'{path}' is missing {', '.join(repr(m) for m in missing)}")
    try:
        return cls(**dict(data))
    except InvalidInput as exc:
        raise InvalidInput(f"'{path}': {exc}") from None


@attrs.frozen(kw_only=True)
class RectificationPlan:
    """A rectification plan (整改方案 / 治理方案).

    A general hidden danger's plan needs the five implementations (五落实: responsible person,
    measures, funds, time limit, contingency plan; :meth:`missing`).  A major hidden danger's plan
    (治理方案) needs the six contents of 总局令第16号 第十五条 (:meth:`missing_for_major`), which include
    the five.  Any item may be empty here (a draft); the guards refuse to approve or start on a plan
    that lacks what its grade needs, naming what is missing.

    :param responsible_person: 责任 — who is responsible for the rectification.
    :param measures: 措施 — the rectification measures (and interim precautions).
    :param funds_amount: 资金 — the budget (a non-negative number, currency per the enterprise).
    :param funds_source: 资金 — where the money comes from (text); amount and/or source.
    :param deadline: 时限 — the time limit (timezone-aware).
    :param contingency_plan: 预案 — the emergency plan during rectification (应急预案).
    :param objectives: 治理的目标 — what the remediation must achieve.
    :param tasks: 治理的任务 — the work to do.
    :param methods: 采取的方法 — technical methods (optional beside ``measures``).
    :param materials: 物资的落实 — materials and equipment secured.
    :param organisation: 负责治理的机构 — the body in charge.
    :param people: 负责治理的人员 — the people besides the responsible person.
    :param requirements: 治理的要求 — what the work must meet (standards, acceptance).
    :param safety_measures: 安全措施 — safety measures during the remediation (withdrawal of people,
        warning signs, stopping use; 第十五条 second paragraph).
    """

    responsible_person: str = attrs.field(default="", converter=_to_strip, validator=_v_text)
    measures: tuple[str, ...] = attrs.field(default=(), converter=_to_str_tuple, validator=_v_str_tuple)
    funds_amount: Decimal | None = attrs.field(default=None, converter=_to_amount, validator=_v_amount)
    funds_source: str = attrs.field(default="", converter=_to_strip, validator=_v_text)
    deadline: datetime | None = attrs.field(default=None, converter=_to_opt_datetime, validator=_v_opt_aware)
    contingency_plan: str = attrs.field(default="", converter=_to_strip, validator=_v_text)
    objectives: tuple[str, ...] = attrs.field(default=(), converter=_to_str_tuple, validator=_v_str_tuple)
    tasks: tuple[str, ...] = attrs.field(default=(), converter=_to_str_tuple, validator=_v_str_tuple)
    methods: tuple[str, ...] = attrs.field(default=(), converter=_to_str_tuple, validator=_v_str_tuple)
    materials: str = attrs.field(default="", converter=_to_strip, validator=_v_text)
    organisation: str = attrs.field(default="", converter=_to_strip, validator=_v_text)
    people: tuple[str, ...] = attrs.field(default=(), converter=_to_str_tuple, validator=_v_str_tuple)
    requirements: str = attrs.field(default="", converter=_to_strip, validator=_v_text)
    safety_measures: str = attrs.field(default="", converter=_to_strip, validator=_v_text)

    def _lacks(self, name: str) -> bool:
        if name == "funds":
            return not ((self.funds_amount is not None and self.funds_amount > 0) or self.funds_source)
        if name == "deadline":
            return self.deadline is None
        value = getattr(self, name)
        if isinstance(value, tuple):
            return not any(v.strip() for v in value)
        return not value

    def missing(self) -> tuple[str, ...]:
        """The keys of the five implementations this plan lacks (empty when complete)."""
        return tuple(k for k, _ in FIVE_IMPLEMENTATIONS if self._lacks(k))

    @property
    def is_complete(self) -> bool:
        """Whether all five implementations are present."""
        return not self.missing()

    def missing_for_major(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The 16号令 contents this plan lacks, each with the fields missing (empty when complete)."""
        out = []
        for key, _zh, fields in PLAN_CONTENTS:
            lacking = tuple(f for f in fields if self._lacks(f))
            if lacking:
                out.append((key, lacking))
        return tuple(out)

    @property
    def is_complete_for_major(self) -> bool:
        """Whether the plan has the six contents a major hidden danger's plan needs (16号令 第十五条)."""
        return not self.missing_for_major()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (amount as a decimal string, deadline ISO-8601; 16号令 fields when set)."""
        out: dict[str, Any] = {
            "responsible_person": self.responsible_person,
            "measures": list(self.measures),
            "funds_amount": None if self.funds_amount is None else str(self.funds_amount),
            "funds_source": self.funds_source,
            "deadline": None if self.deadline is None else self.deadline.isoformat(),
            "contingency_plan": self.contingency_plan,
        }
        for name in _MAJOR_PLAN_FIELDS:
            value = getattr(self, name)
            if value:
                out[name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> RectificationPlan:
        """Build from a mapping; unknown keys are refused, errors name the field."""
        return _record_from_mapping(cls, data, "plan")


def plan_lacks_for_major(plan: RectificationPlan | None) -> str:
    """The 16号令 plan contents ``plan`` lacks, in words (all six when there is no plan)."""
    names = {k: zh for k, zh, _ in PLAN_CONTENTS}
    if plan is None:
        return "no plan approved: " + ", ".join(f"{k} ({names[k]})" for k, _, _ in PLAN_CONTENTS)
    return "; ".join(f"{k} ({names[k]}): {', '.join(fields)}" for k, fields in plan.missing_for_major())


# ---------------------------------------------------------------- major-hidden-danger report and documents

#: The contents of a major hidden danger's report (总局令第16号 第十四条), with the report fields each needs.
REPORT_CONTENTS: Final = (
    ("current_state_and_cause", "隐患的现状及其产生原因", ("current_state", "cause")),
    ("harm_and_difficulty", "隐患的危害程度和整改难易程度分析", ("harm", "difficulty")),
    ("remediation_plan", "隐患的治理方案", ("plan",)),
)


@attrs.frozen(kw_only=True)
class MajorHiddenDangerReport:
    """重大事故隐患报告 (总局令第16号 第十四条): what the regulator (and the workers' congress) receive.

    The third content, the remediation plan (治理方案), is the hidden danger's approved plan, which
    must have the six contents of 第十五条; :meth:`missing` checks the report's own fields.

    :param current_state: 隐患的现状 — what the hidden danger is now.
    :param cause: 产生原因 — why it arose.
    :param harm: 危害程度分析 — how much harm it could do (who and what is exposed, the accident it could cause).
    :param difficulty: 整改难易程度分析 — how hard it is to rectify (shutdown needed, external factors).
    :param notes: anything else the enterprise reports.
    """

    current_state: str = attrs.field(default="", converter=_to_strip, validator=_v_text)
    cause: str = attrs.field(default="", converter=_to_strip, validator=_v_text)
    harm: str = attrs.field(default="", converter=_to_strip, validator=_v_text)
    difficulty: str = attrs.field(default="", converter=_to_strip, validator=_v_text)
    notes: str = attrs.field(default="", converter=_to_strip, validator=_v_text)

    def missing(self) -> tuple[str, ...]:
        """The report fields that are empty, in order (``plan`` is checked on the hidden danger)."""
        return tuple(f for f in ("current_state", "cause", "harm", "difficulty") if not getattr(self, f))

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in attrs.fields(type(self))}

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], path: str = "report") -> MajorHiddenDangerReport:
        """Build from a mapping; unknown keys are refused, errors name the field."""
        return _record_from_mapping(cls, data, path)


def _to_report(value: object) -> object:
    return MajorHiddenDangerReport.from_mapping(value) if isinstance(value, Mapping) else value


def _v_report(inst: object, a: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, MajorHiddenDangerReport):
        raise InvalidInput(f"'{a.name}' must be a mapping with current_state, cause, harm, difficulty (got {value!r})")


@attrs.frozen(kw_only=True)
class Document:
    """A document of the supervised path: 督办通知书, 停产整改指令, 评估报告, 复产申请, 审查意见 …

    :param title: its title (or kind), e.g. ``重大事故隐患挂牌督办通知书``.
    :param number: its reference number (文号), e.g. ``X应急督〔2027〕3号``.
    :param issued_by: who issued it (the authority, the agency, the enterprise).
    :param date: when it was issued (ISO date text as written).
    :param uri: where the file is kept, if anywhere.
    """

    title: str = attrs.field(converter=_to_strip, validator=_v_id)
    number: str = attrs.field(default="", converter=_to_strip, validator=_v_text)
    issued_by: str = attrs.field(default="", converter=_to_strip, validator=_v_text)
    date: str = attrs.field(default="", converter=_to_strip, validator=_v_text)
    uri: str = attrs.field(default="", converter=_to_strip, validator=_v_text)

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in attrs.fields(type(self))}

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], path: str = "document") -> Document:
        return _record_from_mapping(cls, data, path, required=("title",))


def _to_document(value: object) -> object:
    return Document.from_mapping(value) if isinstance(value, Mapping) else value


def _v_document(inst: object, a: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Document):
        raise InvalidInput(f"'{a.name}' must be a document: a mapping with title (and number, issued_by, date, uri) (got {value!r})")


def _document_field() -> Any:
    return attrs.field(converter=_to_document, validator=_v_document)


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
    by: str = _person_field()
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
    if isinstance(value, CriterionRef | RectificationPlan | MajorHiddenDangerReport | Document):
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

    :param control_id: the control the hidden danger degrades (or give ``subject``).
    :param finding: what was found (weakened, failed or missing; ``effective`` is refused).
    :param source: where it was found: ``inspection:<id>``, ``monitoring:<rule id>``, ...
    :param description: what is wrong, in words.
    :param owner_level: who owns the control (the start of the escalation chain).
    :param post: the owning post's id, if known.
    :param risk_ids: the risks it raises, if known (the graph can also derive them).
    :param deadline: an initial rectification deadline, if set at reporting.
    :param subject: instead of ``control_id``, for a finding no control covers (a management defect,
        an area-wide condition): ``area:<id>``, ``risk_point:<id>`` or ``enterprise:<id>``.
    """

    kind: ClassVar[str] = "reported"

    control_id: str | None = attrs.field(default=None, converter=_to_strip, validator=_v_opt_id)
    finding: InspectionResult = attrs.field(converter=_to_finding, validator=_v_vocab(InspectionResult))
    source: str = _id_field()
    description: str = _id_field()
    owner_level: OwnerLevel = attrs.field(converter=_to_owner_level, validator=_v_vocab(OwnerLevel))
    post: str | None = attrs.field(default=None, converter=_to_strip, validator=_v_opt_id)
    risk_ids: tuple[str, ...] = attrs.field(default=(), converter=_to_str_tuple, validator=_v_str_tuple)
    deadline: datetime | None = attrs.field(default=None, converter=_to_opt_datetime, validator=_v_opt_aware)
    subject: str | None = attrs.field(default=None, converter=_to_strip, validator=_v_opt_subject)

    def __attrs_post_init__(self) -> None:
        if (self.control_id is None) == (self.subject is None):
            raise InvalidInput(
                "give exactly one of 'control_id' (the control it degrades) and 'subject' (area:<id>, risk_point:<id> "
                f"or enterprise:<id> for a finding no control covers) (got control_id={self.control_id!r}, subject={self.subject!r})"
            )

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        if self.subject is None:  # the original shape for a hidden danger on a control
            del out["subject"]
        return out

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
    """Re-graded on new facts: upward only (general → major) while open.

    :param basis: ``criterion`` (``criteria`` names the installed criteria that matched), or
        ``expert`` / ``regulator``: where no installed criterion applies, the judgement of an expert
        or of the regulator (``by`` is who judged, ``why`` the reasons; ``criteria`` stays empty).
    """

    kind: ClassVar[str] = "regraded"

    grade: HiddenDangerGrade = _grade_field()
    criteria: tuple[CriterionRef, ...] = attrs.field(default=(), converter=_to_criteria)
    basis: str = attrs.field(default="criterion", converter=_to_strip, validator=_v_basis)

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        if self.basis == "criterion":  # the original shape for criterion-based re-grading
            del out["basis"]
        return out


@attrs.frozen(kw_only=True)
class ReportSubmitted(HiddenDangerEvent):
    """A major hidden danger's report (总局令第16号 第十四条) submitted to the regulator or the workers' congress.

    :param recipient: ``regulator`` (安全监管监察部门) or ``workers_congress`` (职工大会或职工代表大会,
        安全生产法 2021 第四十一条).
    :param report: the report's contents; the hidden danger's approved plan is its third content.
    """

    kind: ClassVar[str] = "report_submitted"

    recipient: str = attrs.field(converter=_to_strip, validator=_v_recipient)
    report: MajorHiddenDangerReport = attrs.field(converter=_to_report, validator=_v_report)


@attrs.frozen(kw_only=True)
class SupervisionListed(HiddenDangerEvent):
    """挂牌督办: the regulator put the major hidden danger under supervision (``by``: the regulator's officer).

    :param authority: the supervising authority.
    :param document: the supervision notice (督办通知书).
    :param deadline: the regulator's time limit, if it sets one (it becomes the deadline).
    """

    kind: ClassVar[str] = "supervision_listed"

    authority: str = _id_field()
    document: Document = _document_field()
    deadline: datetime | None = attrs.field(default=None, converter=_to_opt_datetime, validator=_v_opt_aware)


@attrs.frozen(kw_only=True)
class SuspensionOrdered(HiddenDangerEvent):
    """责令停产停业整改: the regulator ordered production (fully or partly) suspended for the remediation.

    :param scope: ``full`` (全部) or ``partial`` (局部) and what, in words.
    :param document: the order.
    """

    kind: ClassVar[str] = "suspension_ordered"

    scope: str = _id_field()
    document: Document = _document_field()


@attrs.frozen(kw_only=True)
class PostRectificationAssessed(HiddenDangerEvent):
    """治理后评估 (总局令第16号 第十八条): after the remediation of a supervised hidden danger.

    :param assessor: ``own`` — the unit's technical staff and experts (a unit with the means) — or
        ``agency`` — a qualified safety assessment agency (安全评价机构).
    :param agency: the agency's name (required for ``agency``).
    :param qualification: the agency's qualification (资质证书编号; required for ``agency``).
    :param experts: the staff and experts who assessed (required for ``own``).
    :param passed: whether it now meets the conditions for safe production.
    :param conclusion: the assessment's conclusion.
    :param document: the assessment report (评估报告 / 评价报告).
    """

    kind: ClassVar[str] = "post_rectification_assessed"

    assessor: str = attrs.field(converter=_to_strip, validator=_v_assessor)
    passed: bool = attrs.field(validator=_v_bool)
    conclusion: str = _id_field()
    document: Document = _document_field()
    agency: str = attrs.field(default="", converter=_to_strip, validator=_v_text)
    qualification: str = attrs.field(default="", converter=_to_strip, validator=_v_text)
    experts: tuple[str, ...] = attrs.field(default=(), converter=_to_str_tuple, validator=_v_str_tuple)

    def __attrs_post_init__(self) -> None:
        if self.assessor == "agency" and not (self.agency and self.qualification):
            raise InvalidInput("an assessment by an agency must name the 'agency' and its 'qualification' (资质)")
        if self.assessor == "own" and not any(x.strip() for x in self.experts):
            raise InvalidInput("an assessment by the unit itself must name its technical staff and 'experts'")


@attrs.frozen(kw_only=True)
class ResumptionApplied(HiddenDangerEvent):
    """恢复生产申请: the written application to resume, after a passed post-rectification assessment.

    :param document: the application (it includes the plan's contents and the assessment report).
    """

    kind: ClassVar[str] = "resumption_applied"

    document: Document = _document_field()


@attrs.frozen(kw_only=True)
class RegulatorReviewed(HiddenDangerEvent):
    """The regulator's on-site review of the application (审查; 16号令: within 10 days of receiving it).

    :param passed: ``True`` — 核销: the hidden danger is written off and production may resume;
        ``False`` — 责令改正: back to rectifying (``why`` must say why).
    :param document: the review's opinion.
    """

    kind: ClassVar[str] = "regulator_reviewed"

    passed: bool = attrs.field(validator=_v_bool)
    document: Document = _document_field()


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
    by: str = _person_field()
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
        ReportSubmitted,
        SupervisionListed,
        SuspensionOrdered,
        PostRectificationAssessed,
        ResumptionApplied,
        RegulatorReviewed,
        CheckMissed,
    )
}


def event_problems(data: object) -> tuple[LedgerEvent | None, list[Problem]]:
    """Parse ``data`` into an event, returning it (or ``None``) and every problem found."""
    if not isinstance(data, Mapping):
        return None, [Problem("", f"an event must be a JSON object (got {excerpt(data)})")]
    kind = data.get("kind")
    if kind not in EVENT_KINDS:
        return None, [
            Problem(
                "kind",
                f"'kind' must be one of {', '.join(EVENT_KINDS)} (got {excerpt(kind)})"
                f"{suggest(str(kind), EVENT_KINDS)}",
            )
        ]
    cls = EVENT_KINDS[str(kind)]
    fields = attrs.fields(cls)
    names = [a.name for a in fields]
    problems: list[Problem] = []
    extra = sorted(set(data) - set(names) - {"kind"})
    if extra:
        problems.append(Problem("", f"unknown field(s) {_some(extra)} for kind {excerpt(kind)}; allowed: {names}"))
    values: dict[str, Any] = {}
    for a in fields:
        if a.name not in data:
            if a.default is attrs.NOTHING:
                problems.append(Problem(a.name, f"'{a.name}' is required for kind {excerpt(kind)}"))
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
