"""The construction pack (registered in the ``dualprev`` entry-point group).

Declared with :func:`~dualprev_core.packs.define_pack`: the manifest, GB 6441 categories, the
major-hidden-danger criteria of 建质规〔2022〕2号 article by article as rule files (``criteria/``,
each with firing and non-firing examples) and the default gate.  Its own hooks add:

* 危大工程 identification (住建部令第37号 + 建办质〔2018〕31号 附件1/附件2) of a project's
  sub-projects, with provincial variants (:mod:`.thresholds`, :mod:`.subprojects`), as derived
  facts for rules and as the report section ``construction:dangerous_works``;
* inspection templates for the controls those criteria grade (:mod:`.templates`);
* phase dynamics: with ``enterprise.facts["construction:phase"]`` set, only the risks of
  sub-projects carried out in that phase count in current levels and the map (:mod:`.phases`).
"""

from __future__ import annotations

from typing import Any

from dualprev_core.errors import Problem
from dualprev_core.model.records import Enterprise, Risk
from dualprev_core.packs import Registrar, define_pack, hookimpl

from . import __version__
from ._categories import CATEGORIES, STANDARDS
from .phases import PHASES_FACT, is_active, parse_phases
from .subprojects import LINK_FACT, NS, cantilever_ratio, control_subprojects, project, subproject_of_risk
from .templates import templates

__all__ = [
    "pack",
    "dualprev_register_labels",
    "dualprev_register_templates",
    "dualprev_risk_is_active",
    "dualprev_enterprise_facts",
    "dualprev_assess_enterprise",
    "dualprev_validate_enterprise",
]


pack = define_pack(
    __name__, name="construction", version=__version__, title="建筑施工行业包", industry="construction",
    standards=STANDARDS, categories=CATEGORIES, rules="criteria",
)


@hookimpl
def dualprev_register_templates(registrar: Registrar) -> None:
    for template in templates():
        registrar.inspection_template(template)


@hookimpl
def dualprev_risk_is_active(risk: Risk, enterprise: Enterprise) -> bool | None:
    """Count a risk only in the phases of its sub-project (or its own ``construction:phases``).

    No decision (``None``) when the project declares no phase, or the risk belongs to no
    sub-project and lists no phases: site-wide risks always count.
    """
    proj = project(enterprise)
    if proj.phase is None:
        return None
    if PHASES_FACT in risk.facts:
        return is_active(proj.phase, parse_phases(risk.facts[PHASES_FACT], where=f"risk {risk.id}"))
    sp = subproject_of_risk(risk)
    ident = proj.by_id.get(sp) if sp is not None else None
    return is_active(proj.phase, ident.subproject.phases) if ident is not None else None


def _named(assessment: Any) -> tuple[str, ...]:
    """The criteria versions the assessment's caller named (they may name a 危大 thresholds version)."""
    return tuple(getattr(getattr(assessment, "criteria_versions", None), "names", ()))


@hookimpl
def dualprev_enterprise_facts(assessment: Any) -> list[dict[str, Any]] | None:
    """Derived facts the criteria read.

    * each sub-project (``risk_point``): ``construction:class`` (none / dangerous / beyond_scale),
      ``construction:dangerous``, ``construction:beyond_scale``, ``construction:active`` (in the
      current phase), ``construction:plan_ok`` (plan prepared and approved, as recorded),
      ``construction:review_ok`` (expert-reviewed, as recorded) and, for attached lifting
      scaffolds with both heights, ``construction:cantilever_ratio``;
    * a link fact ``construction:control_link`` (``control``, ``subproject``) for each control
      that belongs to a sub-project: its own ``construction:subproject``, else the one
      sub-project all its risks belong to.  A separate fact, not a field on the control:
      the core re-asserts a control's fact without pack-derived fields after an inspection;
    * the enterprise: ``construction:phase`` normalised to its key.
    """
    e = assessment.enterprise
    proj = project(e, _named(assessment))
    out: list[dict[str, Any]] = []
    if proj.phase is not None:
        out.append({"type": "enterprise", "key": e.id, NS + "phase": proj.phase})
    for ident in proj.identifications:
        fact: dict[str, Any] = {
            "type": "risk_point", "key": ident.subproject.id, NS + "class": ident.cls, NS + "dangerous": ident.dangerous,
            NS + "beyond_scale": ident.beyond_scale, NS + "active": ident.active is not False,
            NS + "plan_ok": ident.plan_ok, NS + "review_ok": ident.review_ok,
        }
        ratio = cantilever_ratio(ident.subproject.params)
        if ratio is not None:
            fact[NS + "cantilever_ratio"] = ratio
        out.append(fact)
    out += [{"type": LINK_FACT, "key": f"{c}>{sp}", "control": c, "subproject": sp} for c, sp in control_subprojects(e, proj).items()]
    return out or None


@hookimpl
def dualprev_assess_enterprise(assessment: Any) -> dict[str, Any] | None:
    """The section ``construction:dangerous_works``: phase, variant and each sub-project's class
    with the threshold items (clause, condition, value) that decided it."""
    proj = project(assessment.enterprise, _named(assessment))
    if not proj.identifications and proj.phase is None:
        return None
    return {"construction:dangerous_works": proj.to_dict()}


@hookimpl
def dualprev_validate_enterprise(enterprise: Enterprise) -> list[Problem] | None:
    """The sub-projects' facts, checked at load time so problems come with file and line."""
    from .criteria import known_checks
    from .subprojects import _validate, catalogue

    _, problems = _validate(enterprise, catalogue(), known_checks())
    return problems or None


@hookimpl
def dualprev_register_labels(registrar: Registrar) -> None:
    """People's names of this pack's report sections (``dualprev assess`` in Chinese and English)."""
    registrar.report_labels("construction:dangerous_works", {"zh": "危险性较大的分部分项工程", "en": "dangerous sub-projects (危大工程)"}, fields={
        "phase_zh": {"zh": "阶段"}, "phase": {"en": "phase"}, "subprojects": {"zh": "分部分项工程", "en": "sub-projects"},
    })
