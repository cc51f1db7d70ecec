"""The enterprise as rule facts: what pack criteria (rule files) are evaluated against.

Every fact is a flat mapping with ``type`` and ``key`` (see docs/rules.md).  Record fields come
first; the record's free-form ``facts`` are merged in under their own names (values a rule
engine cannot hold — lists of mappings, NaN — stay in the model only) (packs namespace
them, e.g. ``chemical:major_hazard_level``); derived values (levels, control states) come last
and cannot be overridden by a file.  Packs add derived facts through the
``dualprev_enterprise_facts`` hook.

======================  ===========================================================================
type                    fields (besides ``type``, ``key`` and the record's own ``facts``)
======================  ===========================================================================
``enterprise``          name, industry, region
``area``                name, parent, kind, ancestors (list), level (current colour's level or null)
``post``                name, area, owner_level
``risk_point``          name, area, kind
``hazard``              name, factor, risk_point
``risk``                name, area, areas (the area and its ancestors), category, category_edition,
                        method, assessed_level, current_level, inherent_level
``control``             name, kind, owner_level, post, critical, mitigates (list), state
                        (effective/weakened/failed/missing), areas (of its risks)
``installation``        name, area, kind (major hazard installation candidates)
``monitoring_point``    name, area, quantity, unit, control, expected_interval_s
``hidden_danger``       control, finding, state, grade, source, owner_level, overdue, suspended, and
                        the ``facts`` of the inspections that found it
``mitigation``          control, risk (one per control–risk pair; key ``<control>><risk>``)
``area_link``           area, ancestor, depth (one per area and each of its ancestors, depth ≥ 1;
                        key ``<area><<ancestor>``)
======================  ===========================================================================

Rules join facts by equality (``ref`` with ``eq``), so many-to-many relations are link facts:
"a failed control of a risk in the tank farm" is ``control c`` — ``mitigation m`` (``m.control eq
c.key``) — ``risk r`` (``r.key eq m.risk``), and "below area X" is ``area_link`` with ``ancestor``
X, or a literal ``contains`` on the ``areas`` list.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

from dualprev_core.hidden_dangers.ledger import HiddenDanger

if TYPE_CHECKING:
    from dualprev_core.assessment.assessment import Assessment

__all__ = ["enterprise_facts", "area_fact", "control_fact", "risk_fact", "hidden_danger_fact", "pack_overlay", "merge_overlay"]


def _rule_value(value: Any) -> tuple[bool, Any]:
    """Whether a record's free-form value can be a rule field, and the value to use.

    Rule facts hold scalars, lists of scalars and nested mappings of those (docs/rules.md);
    structured data such as ``chemical:inventory`` (a list of mappings) or a non-finite number
    stays in the model for the packs to read and is not sent to the engines — a pack that wants
    a rule to test it derives a flat field through ``dualprev_enterprise_facts``.
    """
    if value is None or isinstance(value, (str, bool, int)):
        return True, value
    if isinstance(value, float):
        return math.isfinite(value), value
    if isinstance(value, (list, tuple)):
        ok = all(v is None or isinstance(v, (str, bool, int)) or (isinstance(v, float) and math.isfinite(v)) for v in value)
        return ok, list(value)
    if isinstance(value, Mapping):
        inner = {str(k): r for k, v in value.items() if (r := _rule_value(v))[0]}
        return True, {k: r[1] for k, r in inner.items()}
    return False, None


def _merge(base: dict[str, Any], own: Mapping[str, Any], derived: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in own.items():
        if k in ("type", "key"):
            continue
        ok, value = _rule_value(v)
        if ok:
            out[k] = value
    out.update(derived)
    return out


def area_fact(a: Assessment, area_id: str) -> dict[str, Any]:
    ar = a.area(area_id)
    lvl = a.area_level(ar.id)
    return _merge({"type": "area", "key": ar.id, "name": ar.name, "parent": ar.parent, "kind": ar.kind,
                   "ancestors": list(a.area_chain(ar.id)[1:])}, ar.facts, {"level": lvl.key if lvl else None})


def risk_fact(a: Assessment, risk_id: str) -> dict[str, Any]:
    r = a.risk(risk_id)
    return _merge(
        {"type": "risk", "key": r.id, "name": r.name, "area": r.area, "areas": list(a.area_chain(r.area)),
         "category": r.category, "category_edition": r.category_edition, "method": r.method,
         "inherent_level": r.inherent_level.key if r.inherent_level else None},
        r.facts,
        {"assessed_level": a.assessed_level(r.id).key, "current_level": a.current_level(r.id).key},
    )


def control_fact(a: Assessment, control_id: str) -> dict[str, Any]:
    c = a.control(control_id)
    chains = {a.risk(r).area for r in c.mitigates}  # a shared control's risks sit in few areas
    areas = sorted({x for area in chains for x in a.area_chain(area)})
    return _merge(
        {"type": "control", "key": c.id, "name": c.name, "kind": c.kind.key, "owner_level": c.owner_level.key, "post": c.post,
         "critical": c.critical, "mitigates": list(c.mitigates), "areas": areas},
        c.facts,
        {"state": a.control_state(c.id).key},
    )


def hidden_danger_fact(hd: HiddenDanger, inspection_facts: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The hidden danger as a fact; the ``facts`` recorded on the inspections that found it are
    merged in under their own names (e.g. ``construction:ties_missing_storeys: 1``)."""
    return {
        **{k: v for k, v in (inspection_facts or {}).items() if k not in ("type", "key")},
        "type": "hidden_danger", "key": hd.id, "control": hd.control_id, "finding": hd.finding.key, "state": hd.state.key,
        "grade": hd.grade.key if hd.grade else None, "source": hd.source, "owner_level": hd.owner_level.key,
        "overdue": hd.overdue, "suspended": hd.suspended,
    }


def enterprise_facts(
    a: Assessment,
    *,
    overlay: Mapping[tuple[str, str], Mapping[str, Any]] | None = None,
    types: Collection[str] | None = None,
) -> list[dict[str, Any]]:
    """All facts of the assessment's enterprise, with the packs' derived facts merged in
    (``overlay``: precomputed :func:`pack_overlay`, to avoid calling the packs again).

    :param types: build only facts of these types (the ones loaded rules name); default all.
    """
    e = a.enterprise
    want = (lambda t: True) if types is None else (lambda t: t in types)  # noqa: E731
    out: list[dict[str, Any]] = []
    if want("enterprise"):
        out.append(_merge({"type": "enterprise", "key": e.id, "name": e.name, "industry": e.industry, "region": e.region}, e.facts, {}))
    if want("area"):
        out += [area_fact(a, ar.id) for ar in e.areas]
    if want("post"):
        out += [_merge({"type": "post", "key": p.id, "name": p.name, "area": p.area, "owner_level": p.owner_level.key}, p.facts, {}) for p in e.posts]
    if want("risk_point"):
        out += [_merge({"type": "risk_point", "key": p.id, "name": p.name, "area": p.area, "kind": p.kind.key}, p.facts, {}) for p in e.risk_points]
    if want("hazard"):
        out += [_merge({"type": "hazard", "key": h.id, "name": h.name, "factor": h.factor, "risk_point": h.risk_point}, h.facts, {}) for h in e.hazards]
    if want("risk"):
        out += [risk_fact(a, r.id) for r in e.risks]
    if want("control"):
        out += [control_fact(a, c.id) for c in e.controls]
    if want("installation"):
        out += [_merge({"type": "installation", "key": m.id, "name": m.name, "area": m.area, "kind": m.kind}, m.facts, {}) for m in e.major_hazard_installations]
    if want("monitoring_point"):
        out += [_merge({"type": "monitoring_point", "key": m.id, "name": m.name, "area": m.area, "quantity": m.quantity, "unit": m.unit,
                        "control": m.control, "expected_interval_s": m.expected_interval_s}, m.facts, {}) for m in e.monitoring_points]
    if want("hidden_danger"):
        out += [hidden_danger_fact(hd, a.inspection_facts(hd)) for hd in a.ledger.all()]
    if want("mitigation"):
        out += [{"type": "mitigation", "key": f"{c.id}>{r}", "control": c.id, "risk": r} for c in e.controls for r in c.mitigates]
    if want("area_link"):
        for ar in e.areas:
            for depth, anc in enumerate(a.area_chain(ar.id)[1:], 1):
                out.append({"type": "area_link", "key": f"{ar.id}<{anc}", "area": ar.id, "ancestor": anc, "depth": depth})
    if overlay is None:
        overlay = pack_overlay(a)
    if types is not None:
        overlay = {k: v for k, v in overlay.items() if k[0] in types}
    return merge_overlay(out, overlay)


def pack_overlay(a: Assessment) -> dict[tuple[str, str], dict[str, Any]]:
    """The packs' derived facts by (type, key): fields to merge into the core's facts."""
    overlay: dict[tuple[str, str], dict[str, Any]] = {}
    for extra in a.packs.enterprise_facts(a):
        overlay.setdefault((str(extra["type"]), str(extra["key"])), {}).update(extra)
    return overlay


def merge_overlay(facts: list[dict[str, Any]], overlay: Mapping[tuple[str, str], Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Merge pack fields into facts of the same (type, key) field by field, and append the
    packs' own facts.  (The engines replace a re-asserted fact whole, so merging happens here,
    and again whenever a fact is re-asserted.)"""
    seen = set()
    for f in facts:
        ident = (f["type"], f["key"])
        if ident in overlay:
            f.update({k: v for k, v in overlay[ident].items() if k not in ("type", "key")})
        seen.add(ident)
    facts += [dict(v) for k, v in overlay.items() if k not in seen]
    return facts
