"""The domain model as attrs classes (vocabulary: docs/semantics.md).

Objects are immutable value records keyed by stable string ids; the graph
(:mod:`dualprev_core.graph`) links them.  Pack-specific data lives in each record's
``facts`` mapping (namespaced keys such as ``"chemical:inventory"`` are a convention),
so nothing a user records is dropped.  Build enterprises from files with
:func:`dualprev_core.loading.enterprise.load_enterprise`; constructors here trust their input.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from dualprev_core.model.levels import RiskLevel
from dualprev_core.model.vocabulary import ControlKind, InspectionResult, OwnerLevel, RiskPointKind

__all__ = [
    "Geometry",
    "Settings",
    "EscalationPolicy",
    "Area",
    "Post",
    "RiskPoint",
    "Hazard",
    "Risk",
    "Control",
    "Frequency",
    "InspectionItem",
    "Inspection",
    "MajorHazardInstallation",
    "MonitoringPoint",
    "Enterprise",
]


def _facts(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return dict(value or {})


@attrs.frozen
class Geometry:
    """A shape on the site plan (plan coordinates, any unit): ``polygon`` or ``point``."""

    type: str
    coordinates: tuple[tuple[float, float], ...] = attrs.field(converter=lambda cs: tuple(tuple(map(float, c)) for c in cs))


@attrs.frozen
class EscalationPolicy:
    """How a current level moves when a control without ``on_failure`` inputs is defective.

    Default (docs/semantics.md, "Current level"): each failed or missing *critical* control raises one level; weakened
    controls do not raise (set ``weakened_raises`` to count them); non-critical controls do not
    raise.  The level never goes above the risk's inherent level where one is given.
    """

    steps_per_defect: int = 1
    weakened_raises: bool = False
    non_critical_raises: bool = False

    def counts(self, result: InspectionResult, critical: bool) -> bool:
        if result is InspectionResult.EFFECTIVE:
            return False
        if not critical and not self.non_critical_raises:
            return False
        return result is not InspectionResult.WEAKENED or self.weakened_raises


@attrs.frozen
class Settings:
    """Per-enterprise settings: taxonomy edition, method variants and edges, escalation."""

    gb6441_edition: str = "2025"
    variants: Mapping[str, str] = attrs.field(factory=dict)
    edges: Mapping[str, str] = attrs.field(factory=dict)
    escalation: EscalationPolicy = attrs.field(factory=EscalationPolicy)
    enterprise_level_method: str | None = None
    #: The work calendar of investigation tasks (shift times, holidays): see
    #: :meth:`dualprev_core.investigation.WorkCalendar.from_settings`.
    investigation: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class Area:
    """A place in the spatial hierarchy (plant → workshop → unit)."""

    id: str
    name: str
    parent: str | None = None
    kind: str = ""
    geometry: Geometry | None = None
    facts: Mapping[str, Any] = attrs.field(factory=dict, converter=_facts)


@attrs.frozen
class Post:
    """A job position (岗位); controls are owned by posts at an owner level."""

    id: str
    name: str
    area: str | None = None
    owner_level: OwnerLevel = OwnerLevel.POST
    people: tuple[str, ...] = ()
    facts: Mapping[str, Any] = attrs.field(factory=dict, converter=_facts)


@attrs.frozen
class RiskPoint:
    """风险点: a place, installation or activity where risks are identified."""

    id: str
    name: str
    area: str
    kind: RiskPointKind = RiskPointKind.PLACE
    facts: Mapping[str, Any] = attrs.field(factory=dict, converter=_facts)


@attrs.frozen
class Hazard:
    """危险源 / 危险有害因素, classified by a GB/T 13861 code (e.g. ``"2101"``)."""

    id: str
    name: str
    factor: str | None = None
    risk_point: str | None = None
    description: str = ""
    facts: Mapping[str, Any] = attrs.field(factory=dict, converter=_facts)


@attrs.frozen
class Risk:
    """安全风险: a hazard that can lead to an accident of a GB 6441 category, graded by a method."""

    id: str
    name: str
    area: str
    category: str
    category_edition: str
    method: str
    inputs: Mapping[str, float]
    risk_point: str | None = None
    hazards: tuple[str, ...] = ()
    variant: str | None = None
    inherent_level: RiskLevel | None = None
    consequences: str = ""
    description: str = ""
    facts: Mapping[str, Any] = attrs.field(factory=dict, converter=_facts)


@attrs.frozen
class Control:
    """管控措施.  ``on_failure`` gives the method inputs that hold while this control is defective
    (e.g. ``{"L": 6}``); without it the escalation policy applies.
    """

    id: str
    name: str
    kind: ControlKind
    owner_level: OwnerLevel
    mitigates: tuple[str, ...]
    post: str | None = None
    critical: bool = False
    on_failure: Mapping[str, float] = attrs.field(factory=dict)
    description: str = ""
    facts: Mapping[str, Any] = attrs.field(factory=dict, converter=_facts)
    #: Free labels (``"sis"``, ``"construction:check:scaffold_ties"``) that packs' inspection
    #: templates and rules select controls by; see :func:`dualprev_core.investigation.control_tags`.
    tags: tuple[str, ...] = attrs.field(default=(), converter=tuple)


@attrs.frozen
class Frequency:
    """How often an inspection item is due, as a count per period (``every`` ``unit``)."""

    every: float
    unit: str  # hour, shift, day, week, month, quarter, half_year, year, holiday
    text: str = ""

    # holiday: once before each public holiday; 8760 / 7 (China's seven statutory holidays) is only a
    # nominal figure for comparing frequencies, the real windows come from the enterprise's calendar.
    _HOURS = {"hour": 1, "shift": 8, "day": 24, "week": 168, "month": 730, "quarter": 2190, "half_year": 4380, "year": 8760,
              "holiday": 8760 / 7}

    @property
    def hours(self) -> float:
        """Nominal interval in hours (month = 730 h, shift = 8 h: conventions, for comparing frequencies)."""
        return self.every * self._HOURS[self.unit]


@attrs.frozen
class InspectionItem:
    """排查项: what to check on a control, how often, by whom."""

    id: str
    control: str
    content: str
    frequency: Frequency
    owner_level: OwnerLevel
    post: str | None = None
    facts: Mapping[str, Any] = attrs.field(factory=dict, converter=_facts)


@attrs.frozen
class Inspection:
    """排查记录: one check's result on a control."""

    id: str
    control: str
    result: InspectionResult
    by: str
    at: datetime
    item: str | None = None
    note: str = ""
    facts: Mapping[str, Any] = attrs.field(factory=dict, converter=_facts)
    #: The investigation task this inspection fulfils (see :mod:`dualprev_core.investigation`).
    task: str | None = None


@attrs.frozen
class MajorHazardInstallation:
    """重大危险源 candidate unit (production or storage); packs identify and grade it from ``facts``."""

    id: str
    name: str
    area: str
    kind: str = "storage"
    facts: Mapping[str, Any] = attrs.field(factory=dict, converter=_facts)


@attrs.frozen
class MonitoringPoint:
    """A monitoring point (监测点): readings of one quantity in one unit, watching a control."""

    id: str
    name: str
    quantity: str
    unit: str
    area: str | None = None
    control: str | None = None
    expected_interval_s: float | None = None
    facts: Mapping[str, Any] = attrs.field(factory=dict, converter=_facts)


@attrs.frozen
class Enterprise:
    """An enterprise and everything recorded about it.  Collections are tuples in file order."""

    id: str
    name: str
    industry: str = ""
    region: str = ""
    settings: Settings = attrs.field(factory=Settings)
    areas: tuple[Area, ...] = ()
    posts: tuple[Post, ...] = ()
    risk_points: tuple[RiskPoint, ...] = ()
    hazards: tuple[Hazard, ...] = ()
    risks: tuple[Risk, ...] = ()
    controls: tuple[Control, ...] = ()
    inspection_items: tuple[InspectionItem, ...] = ()
    inspections: tuple[Inspection, ...] = ()
    major_hazard_installations: tuple[MajorHazardInstallation, ...] = ()
    monitoring_points: tuple[MonitoringPoint, ...] = ()
    facts: Mapping[str, Any] = attrs.field(factory=dict, converter=_facts)
    source: str | None = attrs.field(default=None, eq=False)

    def by_id(self) -> dict[str, Any]:
        """Every record by id (ids are unique across kinds, which loading checks)."""
        out: dict[str, Any] = {}
        for coll in (self.areas, self.posts, self.risk_points, self.hazards, self.risks, self.controls,
                     self.inspection_items, self.inspections, self.major_hazard_installations, self.monitoring_points):
            for rec in coll:
                out[rec.id] = rec
        return out
