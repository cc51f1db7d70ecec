"""Sub-projects (分部分项工程) of a project and their 危大工程 identification.

A sub-project is a risk point (usually of kind ``activity``) whose ``facts`` carry
``construction:kind`` and the parameters of that kind (``construction:depth_m`` …, see
``data/dangerous-works.yaml``).  Optional facts:

* ``construction:phases`` — the phases it is carried out in (see :mod:`.phases`);
* ``construction:plan_prepared`` / ``construction:plan_approved`` — the special plan (专项施工方案)
  is written and approved (审核); ``construction:expert_reviewed`` — it passed expert review
  (专家论证);
* ``construction:banned_process`` — a banned process, equipment or material is used.

:func:`identify` decides each sub-project's class — ``beyond_scale`` (超过一定规模, expert review
required), ``dangerous`` (危大, special plan required) or ``none`` — and keeps the items that
decided it.  The project's threshold variant is ``enterprise.facts["construction:variant"]``.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import attrs

from dualprev_core.errors import Problem, ValidationError, suggest
from dualprev_core.model.records import Control, Enterprise, Risk

from .phases import PHASE_FACT, PHASES_FACT, is_active, parse_phase, parse_phases
from .thresholds import BEYOND_SCALE, CLASSES, DANGEROUS, NONE, Catalogue, Item, catalogue, check_params

__all__ = [
    "NS",
    "KIND_FACT",
    "VARIANT_FACT",
    "IDENTIFIED_ON_FACT",
    "THRESHOLDS_VERSION_FACT",
    "thresholds_version",
    "SUBPROJECT_FACT",
    "CHECK_FACT",
    "SubProject",
    "Identification",
    "Project",
    "project",
    "identify",
    "subproject_of_risk",
    "cantilever_ratio",
    "control_subprojects",
    "LINK_FACT",
    "DESIGN_LIMIT_FACT",
    "DERIVED",
]

NS = "construction:"
KIND_FACT = NS + "kind"
VARIANT_FACT = NS + "variant"
#: On the enterprise: the day the project's 危大 identification (special plans) was made; the thresholds
#: version in force that day identifies it.
IDENTIFIED_ON_FACT = NS + "identified_on"
#: On the enterprise: the thresholds version the project names (edition id, ``standard`` or ``standard@version``).
THRESHOLDS_VERSION_FACT = NS + "thresholds_version"
#: On a risk or a control: the sub-project (risk point id) it belongs to.
SUBPROJECT_FACT = NS + "subproject"
#: On a monitoring point: the design control value its readings are compared with (its unit).
DESIGN_LIMIT_FACT = NS + "design_limit"
#: The derived link fact (type) joining a control to its sub-project in rules.
LINK_FACT = NS + "control_link"
#: On a control: which criterion-relevant check it is (e.g. ``scaffold_ties``).
CHECK_FACT = NS + "check"
_PLAN_FACTS = ("plan_prepared", "plan_approved", "expert_reviewed", "banned_process")
_OTHER_FACTS = ("kind", "phases", *_PLAN_FACTS)
#: Facts the pack derives for rules; a file must not set them.
DERIVED = ("class", "dangerous", "beyond_scale", "active", "plan_ok", "review_ok", "cantilever_ratio")


@attrs.frozen
class SubProject:
    """One sub-project as recorded (validated)."""

    id: str
    name: str
    area: str
    kind: str
    params: Mapping[str, Any]
    phases: tuple[str, ...] | None
    plan: Mapping[str, bool]


@attrs.frozen
class Identification:
    """A sub-project's 危大 class and the items that decided it."""

    subproject: SubProject
    cls: str
    hits: tuple[Item, ...]
    undecided: tuple[tuple[Item, tuple[str, ...]], ...]
    active: bool | None

    @property
    def dangerous(self) -> bool:
        return self.cls in (DANGEROUS, BEYOND_SCALE)

    @property
    def beyond_scale(self) -> bool:
        return self.cls == BEYOND_SCALE

    @property
    def deciding(self) -> tuple[Item, ...]:
        """The items of the deciding class (附件2 items for beyond_scale, else 附件1 items)."""
        return tuple(i for i in self.hits if i.cls == self.cls)

    @property
    def plan_ok(self) -> bool:
        return self.subproject.plan.get("plan_prepared") is True and self.subproject.plan.get("plan_approved") is True

    @property
    def review_ok(self) -> bool:
        return self.subproject.plan.get("expert_reviewed") is True

    def requirements(self) -> list[str]:
        """What 37号令 asks of it, and what is missing (for people)."""
        out = []
        if self.dangerous:
            out.append("专项施工方案（编制、审核）" + ("：已完成" if self.plan_ok else "：未记录完成"))
        if self.beyond_scale:
            out.append("专家论证" + ("：已完成" if self.review_ok else "：未记录完成"))
        return out

    def to_dict(self) -> dict[str, Any]:
        sp = self.subproject
        return {
            "id": sp.id, "name": sp.name, "area": sp.area, "kind": sp.kind, "kind_zh": catalogue().kinds[sp.kind].zh,
            "class": self.cls, "class_zh": CLASSES[self.cls],
            "special_plan_required": self.dangerous, "expert_review_required": self.beyond_scale,
            "plan": dict(sp.plan), "requirements": self.requirements(),
            "phases": list(sp.phases) if sp.phases is not None else None,
            "active": self.active is not False,
            "params": dict(sp.params),
            "decided_by": [_hit(i, sp.params) for i in self.deciding],
            "also_matched": [f"{i.id} ({i.clause})" for i in self.hits if i.cls != self.cls],
            "undecided": [{"item": i.id, "clause": i.clause, "needs": list(ps)} for i, ps in self.undecided],
        }


def _hit(item: Item, params: Mapping[str, Any]) -> dict[str, Any]:
    c = item.citation
    d: dict[str, Any] = {"item": item.id, "clause": item.clause, "text": item.text, "conditions": [x.describe() for x in item.conditions]}
    if item.edge:
        d["edge"] = item.edge
    d["citation"] = str(c)
    d["verified"] = c.verified
    if c.note:
        d["note"] = c.note
    d["values"] = {c.param: params.get(c.param) for c in item.conditions} | {c.param_ref: params.get(c.param_ref) for c in item.conditions if c.param_ref}
    return d


@attrs.frozen(slots=False)
class Project:
    """The project's phase, threshold variant, the thresholds version used (and why) and identified sub-projects."""

    phase: str | None
    variant: str | None
    identifications: tuple[Identification, ...]
    thresholds: Mapping[str, Any] = attrs.field(factory=dict)

    @functools.cached_property
    def by_id(self) -> Mapping[str, Identification]:
        """The identifications by sub-project id."""
        return {i.subproject.id: i for i in self.identifications}

    def to_dict(self) -> dict[str, Any]:
        from .phases import phase_citation, phases

        ids = self.identifications
        return {
            "phase": self.phase,
            "phase_zh": phases()[self.phase].zh if self.phase else None,
            "phase_citation": phase_citation().to_dict(),
            "variant": self.variant,
            "standard": catalogue().standard.to_dict(),
            "thresholds_version": dict(self.thresholds),
            "counts": {c: sum(1 for i in ids if i.cls == c) for c in (BEYOND_SCALE, DANGEROUS, NONE)},
            "active_counts": {c: sum(1 for i in ids if i.cls == c and i.active is not False) for c in (BEYOND_SCALE, DANGEROUS, NONE)},
            "subprojects": [i.to_dict() for i in ids],
        }


def _validate(enterprise: Enterprise, cat: Catalogue, checks: frozenset[str]) -> tuple[list[SubProject], list[Problem]]:
    problems: list[Problem] = []
    out: list[SubProject] = []
    allowed_other = {NS + k for k in _OTHER_FACTS}
    for i, rp in enumerate(enterprise.risk_points):
        facts = rp.facts
        if KIND_FACT not in facts:
            stray = [k for k in facts if k.startswith(NS)]
            if stray:
                problems.append(Problem(f"risk_points[{i}].facts", f"{rp.id}: has {', '.join(stray)} but no {KIND_FACT}; a sub-project needs its kind ({', '.join(cat.kinds)})"))
            continue
        path = f"risk_points[{i}].facts"
        kind_name = facts[KIND_FACT]
        kind = cat.kinds.get(kind_name) if isinstance(kind_name, str) else None
        if kind is None:
            problems.append(Problem(f"{path}.{KIND_FACT}", f"{kind_name!r} is not a sub-project kind; known: {', '.join(cat.kinds)}{suggest(str(kind_name), cat.kinds)}"))
            continue
        params = {k[len(NS):]: v for k, v in facts.items() if k.startswith(NS) and k not in allowed_other}
        for k in [k for k in params if k in DERIVED]:
            problems.append(Problem(f"{path}.{NS}{k}", "is derived by the construction pack; do not set it"))
            del params[k]
        for name, msg in check_params(kind, params):
            known = [*kind.params, *_OTHER_FACTS]
            problems.append(Problem(f"{path}.{NS}{name}", msg if name in kind.params else f"is not a fact of a {kind.name} sub-project; known: {', '.join(NS + k for k in known)}{suggest(name, known)}"))
        plan = {}
        for k in _PLAN_FACTS:
            if NS + k in facts:
                if not isinstance(facts[NS + k], bool):
                    problems.append(Problem(f"{path}.{NS}{k}", f"must be true or false (got {facts[NS + k]!r})"))
                else:
                    plan[k] = facts[NS + k]
        phases_ = None
        if PHASES_FACT in facts:
            try:
                phases_ = parse_phases(facts[PHASES_FACT], where=f"{rp.id}")
            except ValueError as exc:
                problems.append(Problem(f"{path}.{PHASES_FACT}", str(exc)))
        out.append(SubProject(rp.id, rp.name, rp.area, kind.name, {k: v for k, v in params.items() if k in kind.params}, phases_, plan))
    ids = {sp.id for sp in out} | {rp.id for rp in enterprise.risk_points if KIND_FACT in rp.facts}
    groups: tuple[tuple[str, Sequence[Risk | Control]], ...] = (("risks", enterprise.risks), ("controls", enterprise.controls))
    for label, records in groups:
        for i, rec in enumerate(records):
            ref = rec.facts.get(SUBPROJECT_FACT)
            if ref is not None and ref not in ids:
                problems.append(Problem(f"{label}[{i}].facts.{SUBPROJECT_FACT}", f"{rec.id}: {ref!r} is not a sub-project (a risk point with {KIND_FACT}){suggest(str(ref), ids)}"))
            if label == "risks" and PHASES_FACT in rec.facts:
                try:
                    parse_phases(rec.facts[PHASES_FACT], where=rec.id)
                except ValueError as exc:
                    problems.append(Problem(f"risks[{i}].facts.{PHASES_FACT}", str(exc)))
            check = rec.facts.get(CHECK_FACT)
            if label == "controls" and check is not None and checks and check not in checks:
                problems.append(Problem(f"controls[{i}].facts.{CHECK_FACT}", f"{rec.id}: {check!r} is not a check any construction criterion reads; known: {', '.join(sorted(checks))}{suggest(str(check), checks)}"))
    for i, mp in enumerate(enterprise.monitoring_points):
        limit = mp.facts.get(DESIGN_LIMIT_FACT)
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int | float) or not limit > 0 or limit == float("inf")):
            problems.append(Problem(f"monitoring_points[{i}].facts.{DESIGN_LIMIT_FACT}", f"{mp.id}: must be a positive number in {mp.unit} (got {limit!r})"))
    return out, problems


def _classify(sp: SubProject, items: tuple[Item, ...], active: bool | None) -> Identification:
    hits, undecided = [], []
    for item in items:
        if item.kind != sp.kind:
            continue
        results = [c.holds(sp.params) for c in item.conditions]
        if False in results:
            continue
        if None in results:  # every recorded condition holds, but a parameter it needs is not recorded
            needs = tuple(sorted({p for c in item.conditions for p in (c.param, c.param_ref) if p and p not in sp.params}))
            undecided.append((item, needs))
            continue
        hits.append(item)
    cls = BEYOND_SCALE if any(h.cls == BEYOND_SCALE for h in hits) else DANGEROUS if hits else NONE
    # Items that could not be decided only matter while they could still raise the class.
    rank = {NONE: 0, DANGEROUS: 1, BEYOND_SCALE: 2}
    undecided = [(i, n) for i, n in undecided if rank[i.cls] > rank[cls]]
    return Identification(sp, cls, tuple(hits), tuple(undecided), active)


_CACHE: dict[tuple[int, tuple[str, ...]], tuple[weakref.ref[Enterprise], Project]] = {}


def project(enterprise: Enterprise, versions: Sequence[str] = ()) -> Project:
    """The project's phase, variant and sub-project identifications (computed once per enterprise).

    :raises ValidationError: a sub-project's facts are not valid (every problem at once).
    :raises InvalidInput: the phase is unknown.  :raises UnknownReference: the variant is unknown.
    """
    key = (id(enterprise), tuple(versions))
    hit = _CACHE.get(key)
    if hit is not None and hit[0]() is enterprise:
        return hit[1]
    result = identify(enterprise, versions)
    for k in [k for k, (ref, _) in _CACHE.items() if ref() is None]:
        del _CACHE[k]
    _CACHE[key] = (weakref.ref(enterprise), result)
    return result


def _names_thresholds(cat: Catalogue, name: str) -> bool:
    docs = [e.document for e in cat.editions.values()] + ([cat.document] if cat.document else [])
    return any(name in (d.standard, d.key) for d in docs) or name in cat.editions


def thresholds_version(enterprise: Enterprise, cat: Catalogue | None = None, caller: Sequence[str] = ()) -> tuple[str | None, dict[str, Any]]:
    """Which version of the 危大 thresholds identifies the project: ``(edition id or None for the
    current text, explanation)``.

    A version the caller names (``caller``: the assessment's ``criteria_versions``) wins, then the
    version the project names (``construction:thresholds_version``); else the version in
    force on ``construction:identified_on`` (the day the identification / special plans were made);
    else the current text.

    :raises ValidationError: a date that is not a date, or a version no edition encodes (file, field, value named).
    """
    from dualprev_core.errors import InvalidInput, UnknownReference
    from dualprev_core.rules.versions import parse_date

    cat = cat or catalogue()
    named = enterprise.facts.get(THRESHOLDS_VERSION_FACT)
    day_raw = enterprise.facts.get(IDENTIFIED_ON_FACT)
    by_caller = next((n for n in caller if _names_thresholds(cat, n)), None)
    try:
        day = parse_date(day_raw, f"enterprise.facts.{IDENTIFIED_ON_FACT}")
        if by_caller is not None:
            edition = cat.version_named(by_caller)
            how = f"named by the caller ({by_caller})"
        elif named is not None:
            edition = cat.version_named(str(named))
            how = f"named by enterprise.facts.{THRESHOLDS_VERSION_FACT} = {named}"
        elif day is not None:
            edition = cat.version_at(day)
            how = f"in force on {IDENTIFIED_ON_FACT} {day.isoformat()}"
        else:
            edition = None
            how = f"current text (no {IDENTIFIED_ON_FACT} recorded)"
    except InvalidInput as e:
        raise ValidationError([Problem(f"enterprise.facts.{IDENTIFIED_ON_FACT}", str(e))], source=enterprise.source) from None
    except UnknownReference as e:
        raise ValidationError([Problem(f"enterprise.facts.{THRESHOLDS_VERSION_FACT}", str(e))], source=enterprise.source) from None
    doc = edition.document if edition is not None else cat.document
    info: dict[str, Any] = {"edition": edition.id if edition is not None else None, "document": doc.key if doc else cat.standard.standard,
                            "label": doc.label() if doc else str(cat.standard), "chosen": how}
    return (edition.id if edition is not None else None), info


def identify(enterprise: Enterprise, versions: Sequence[str] = ()) -> Project:
    """Identify every sub-project of ``enterprise`` (no cache; see :func:`project`); ``versions``: the
    criteria versions the caller names (see :func:`thresholds_version`)."""
    cat = catalogue()
    phase = parse_phase(enterprise.facts[PHASE_FACT]) if enterprise.facts.get(PHASE_FACT) is not None else None
    variant = enterprise.facts.get(VARIANT_FACT)
    edition, info = thresholds_version(enterprise, cat, versions)
    items = cat.items_for(str(variant) if variant is not None else None, edition)
    from .criteria import known_checks

    subs, problems = _validate(enterprise, cat, known_checks())
    if problems:
        raise ValidationError(problems, source=enterprise.source)
    return Project(phase, str(variant) if variant is not None else None,
                   tuple(_classify(sp, items, is_active(phase, sp.phases)) for sp in subs), info)


def subproject_of_risk(risk: Risk) -> str | None:
    """The sub-project a risk belongs to: its ``construction:subproject`` fact, else its risk point."""
    sp = risk.facts.get(SUBPROJECT_FACT)
    return str(sp) if sp is not None else risk.risk_point


def cantilever_ratio(params: Mapping[str, Any]) -> float | None:
    """Cantilever height / frame height of an attached lifting scaffold, computed exactly.

    The decimal values are read as written (``Fraction(str(x))``), so 4 m over 10 m is exactly
    0.4 — the edge of 建质规〔2022〕2号 第七条 "大于架体高度的2/5" stays exclusive.
    """
    c, h = params.get("cantilever_height_m"), params.get("frame_height_m")
    if c is None or h is None or h == 0:
        return None
    return float(Fraction(str(c)) / Fraction(str(h)))


def control_subprojects(enterprise: Enterprise, proj: Project) -> dict[str, str]:
    """control id → the sub-project it belongs to: its ``construction:subproject`` fact, else the
    one sub-project all the risks it mitigates belong to (controls spanning several have none)."""
    risks = {r.id: r for r in enterprise.risks}
    out = {}
    for c in enterprise.controls:
        own = c.facts.get(SUBPROJECT_FACT)
        if own is not None:
            out[c.id] = str(own)
            continue
        owners = {subproject_of_risk(risks[r]) for r in c.mitigates if r in risks}
        if len(owners) == 1 and (sp := next(iter(owners))) is not None and sp in proj.by_id:
            out[c.id] = sp
    return out
