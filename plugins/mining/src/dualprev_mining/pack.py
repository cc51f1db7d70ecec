"""Hook implementations of the mining pack (registered in the ``dualprev`` entry-point group).

* criteria: 煤矿重大事故隐患判定标准 (应急管理部令第4号, Art. 4–18) and 金属非金属矿山重大事故隐患
  判定标准 (矿安〔2022〕88号) as rule files under ``criteria/``, plus the monitoring rules;
* derived facts the criteria compare (output ratios, headcount ratios, excesses over design);
* report sections ``mining:derived_facts`` and ``mining:reidentification``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dualprev_core import hookimpl
from dualprev_core.packs.registry import PackManifest, Registrar

from . import __version__
from ._categories import CATEGORIES, STANDARDS
from ._data import rule_files
from ._facts import derived_facts
from .reidentification import CITATION, reidentification_tasks

if TYPE_CHECKING:
    from dualprev_core.assessment.assessment import Assessment

__all__ = [
    "dualprev_pack_manifest",
    "dualprev_register_accident_categories",
    "dualprev_register_criteria",
    "dualprev_enterprise_facts",
    "dualprev_assess_enterprise",
]


def _is_mine(assessment: Assessment) -> bool:
    e = assessment.enterprise
    return e.industry == "mining" or any(k.startswith("mining:") for k in e.facts)


@hookimpl
def dualprev_pack_manifest() -> PackManifest:
    return PackManifest(
        name="mining",
        version=__version__,
        core_api=">=1.0,<2",
        title="矿山行业包",
        industry="mining",
        standards=STANDARDS,
    )


@hookimpl
def dualprev_register_accident_categories(registrar: Registrar) -> None:
    registrar.accident_categories(CATEGORIES)


@hookimpl
def dualprev_register_criteria(registrar: Registrar) -> None:
    for path in rule_files():
        registrar.rule_file(path)


@hookimpl
def dualprev_enterprise_facts(assessment: Assessment) -> list[dict[str, Any]] | None:
    return derived_facts(assessment) or None


@hookimpl
def dualprev_assess_enterprise(assessment: Assessment) -> dict[str, Any] | None:
    if not _is_mine(assessment):
        return None
    tasks = reidentification_tasks(assessment)
    return {
        "mining:derived_facts": derived_facts(assessment),
        "mining:reidentification": {
            "citation": CITATION.to_dict(),
            "due": sum(t.status == "due" for t in tasks),
            "tasks": [t.to_dict() for t in tasks],
        },
    }
