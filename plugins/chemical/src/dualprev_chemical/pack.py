"""The chemical pack (registered in the ``dualprev`` entry-point group).

What it contributes, besides what :func:`~dualprev_core.packs.define_pack` declares (manifest,
GB 6441 categories, the rule files in ``criteria/``, the gate: chemical enterprises and those
recording ``chemical:`` facts):

* one :class:`~dualprev_core.packs.Criterion` record per 安监总管三〔2017〕121号 item, with the
  facts it needs, read from the pack's two rule files (found by inspection / from recorded facts);
* 应急〔2019〕78号 inspection templates by control function and owner level, and the control tags
  they select by (``two_key_one_major`` …);
* the 应急〔2018〕19号 enterprise level, default for ``industry: chemical``;
* derived rule facts (GB 18218 Σq/Q, R, level, 两重点一重大 flags) and the report sections
  ``major_hazard_installations``, ``chemical:two_key_one_major``, ``chemical:inspection_plan`` and
  ``chemical:grading_defaults``;
* load-time checks of the ``chemical:`` facts and inventories.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dualprev_core.errors import Problem, ValidationError
from dualprev_core.packs import Criterion, Registrar, define_pack, hookimpl
from dualprev_core.packs.define import industry_or_facts
from dualprev_core.provenance import Citation
from dualprev_core.rules import AnyOf

from . import __version__
from ._categories import CATEGORIES, STANDARDS
from ._data import load
from .analysis import analyse, derived_facts
from .enterprise_level import CITATION as LEVEL_CITATION
from .enterprise_level import METHOD, diagnosis_level
from .templates import control_tags, inspection_plan, inspection_templates

if TYPE_CHECKING:
    from dualprev_core.assessment.assessment import Assessment
    from dualprev_core.model.records import Enterprise

__all__ = [
    "pack",
    "ITEM_TITLES",
    "dualprev_register_criteria",
    "dualprev_register_templates",
    "dualprev_register_labels",
    "dualprev_register_policies",
    "dualprev_control_tags",
    "dualprev_enterprise_facts",
    "dualprev_assess_enterprise",
    "dualprev_validate_enterprise",
]

pack = define_pack(
    __name__, name="chemical", version=__version__, title="化工行业包", industry="chemical", standards=STANDARDS,
    categories=CATEGORIES, rules="criteria", data="data", applies_to=industry_or_facts("chemical"),
)

#: The 20 items' titles (condensed), by item number.
ITEM_TITLES: dict[int, str] = {int(n): v["zh"] for n, v in load("121-2017-items.yaml")["items"].items()}


def _facts_needed(conditions: Any) -> list[str]:
    out: list[str] = []
    for cond in conditions:
        out += _facts_needed(cond.items) if isinstance(cond, AnyOf) else [".".join(cond.path)]
    return out


@hookimpl
def dualprev_register_criteria(registrar: Registrar) -> None:
    """One criterion record per item, from the rules that cite it (rule files already registered)."""
    items: dict[int, tuple[Citation, list[str]]] = {}
    for _, ruleset in registrar.rulesets():
        for rule in ruleset.rules:
            n = int(rule.citation.clause.strip("第项"))
            cit, facts = items.get(n, (rule.citation, []))
            for p in rule.when:
                facts += [f for f in _facts_needed(getattr(p, "where", ()) or ()) if f.startswith("chemical:") or f == "installation"]
            items[n] = (cit, facts)
    for n, (cit, facts) in sorted(items.items()):
        registrar.criterion(Criterion(f"chem-121-item-{n:02d}", ITEM_TITLES[n], "major_hidden_danger", cit,
                                      facts_needed=tuple(dict.fromkeys(facts))))


@hookimpl
def dualprev_register_templates(registrar: Registrar) -> None:
    for t in inspection_templates():
        registrar.inspection_template(t)


@hookimpl
def dualprev_control_tags(enterprise: Enterprise) -> dict[str, list[str]] | None:
    return control_tags(enterprise)


@hookimpl
def dualprev_register_policies(registrar: Registrar) -> None:
    registrar.enterprise_level_method(METHOD, diagnosis_level, LEVEL_CITATION)
    registrar.default_enterprise_level_method("chemical", METHOD)


@hookimpl
def dualprev_enterprise_facts(assessment: Assessment) -> list[dict[str, Any]] | None:
    return derived_facts(assessment)


@hookimpl
def dualprev_assess_enterprise(assessment: Assessment) -> dict[str, Any] | None:
    res = analyse(assessment.enterprise)
    g = load("grading-defaults.yaml")
    kinds = {p.id: p.kind.key for p in assessment.enterprise.risk_points}
    other = []
    for r in assessment.enterprise.risks:
        d = g["defaults"].get(kinds.get(r.risk_point or "", ""))
        variant = r.variant or assessment.enterprise.settings.variants.get(r.method) or assessment.packs.registry.method(r.method).default_variant
        if d and (r.method, variant) != (d["method"], d["variant"]):
            other.append({"risk": r.id, "method": r.method, "variant": variant, "default": f"{d['method']} {d['variant']}"})
    return {
        "major_hazard_installations": [u.to_dict() for u in res.units.values()],
        "chemical:two_key_one_major": {
            "enterprise": res.two_key_one_major(),
            "units": {uid: f.to_dict() for uid, f in res.flags.items()},
            "key_processes": {m.id: list(m.facts.get("chemical:key_processes", [])) for m in assessment.enterprise.major_hazard_installations
                              if m.facts.get("chemical:key_processes")},
        },
        "chemical:inspection_plan": inspection_plan(assessment, res),
        "chemical:grading_defaults": {"defaults": g["defaults"], "citation": g["citation"], "risks_graded_otherwise": other},
    }


@hookimpl
def dualprev_validate_enterprise(enterprise: Enterprise) -> list[Problem] | None:
    """The ``chemical:`` facts and inventories, checked at load time (problems come with lines)."""
    try:
        analyse(enterprise)
    except ValidationError as exc:
        return list(exc.problems)
    return None


@hookimpl
def dualprev_register_labels(registrar: Registrar) -> None:
    """People's names of this pack's report sections (``dualprev assess`` in Chinese and English)."""
    registrar.report_labels("major_hazard_installations", {"zh": "重大危险源辨识与分级（GB 18218-2018）", "en": "major hazard installations (GB 18218-2018)"}, fields={
        "id": {"zh": "编号", "en": "id"}, "name": {"zh": "名称", "en": "name"},
        "sum_q_over_Q": {"zh": "Σq/Q", "en": "Σq/Q"}, "is_major_hazard": {"zh": "构成重大危险源", "en": "major hazard"},
        "R": {"zh": "R 值", "en": "R"}, "level_zh": {"zh": "级别"}, "level": {"en": "level"},
    })
    registrar.report_labels("chemical:two_key_one_major", {"zh": "两重点一重大", "en": "two key, one major (两重点一重大)"}, fields={
        "enterprise": {"zh": "企业涉及两重点一重大", "en": "the enterprise is concerned"},
    })
    registrar.report_labels("chemical:inspection_plan", {"zh": "排查计划覆盖（应急〔2019〕78号）", "en": "inspection plan coverage (应急〔2019〕78号)"}, fields={
        "control": {"zh": "管控措施", "en": "control"}, "function": {"en": "function"},
        "installation": {"zh": "装置", "en": "installation"}, "two_key_one_major": {"zh": "两重点一重大", "en": "two key, one major"},
        "missing": {"zh": "未覆盖的排查模板", "en": "templates not covered"},
    })
    registrar.report_labels("chemical:grading_defaults", {"zh": "行业默认分级方法", "en": "industry grading defaults"}, fields={
        "risks_graded_otherwise": {"zh": "未按默认方法分级的风险", "en": "risks graded otherwise"},
    })
