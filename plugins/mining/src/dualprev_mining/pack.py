"""The mining pack (registered in the ``dualprev`` entry-point group).

Declared with :func:`~dualprev_core.packs.define_pack`: the manifest, GB 6441 categories, the rule
files in ``criteria/`` — 煤矿重大事故隐患判定标准 (应急管理部令第4号, Art. 4–18), 金属非金属矿山重大事故隐患
判定标准 (矿安〔2022〕88号) and the monitoring rules (``monitoring.yaml``, replaceable through
``DUALPREV_MINING_MONITORING_RULES`` since its limits are settings) — and the gate: mines
(``industry: mining``) and enterprises recording ``mining:`` facts.  Its own hooks add:

* derived facts the criteria compare (output ratios, headcount ratios, excesses over design);
* report sections ``mining:derived_facts`` and ``mining:reidentification``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dualprev_core.packs import define_pack, hookimpl
from dualprev_core.packs.define import industry_or_facts

from . import __version__
from ._categories import CATEGORIES, STANDARDS
from ._data import MONITORING_ENV
from ._facts import derived_facts
from .reidentification import CITATION, reidentification_tasks

if TYPE_CHECKING:
    from dualprev_core.assessment.assessment import Assessment

__all__ = ["pack", "dualprev_enterprise_facts", "dualprev_assess_enterprise"]

pack = define_pack(
    __name__, name="mining", version=__version__, title="矿山行业包", industry="mining", standards=STANDARDS,
    categories=CATEGORIES, rules="criteria", data="data", applies_to=industry_or_facts("mining"),
    replaceable_rules={"monitoring.yaml": MONITORING_ENV},
)


@hookimpl
def dualprev_enterprise_facts(assessment: Assessment) -> list[dict[str, Any]] | None:
    return derived_facts(assessment) or None


@hookimpl
def dualprev_assess_enterprise(assessment: Assessment) -> dict[str, Any] | None:
    tasks = reidentification_tasks(assessment)
    return {
        "mining:derived_facts": derived_facts(assessment),
        "mining:reidentification": {
            "citation": CITATION.to_dict(),
            "due": sum(t.status == "due" for t in tasks),
            "tasks": [t.to_dict() for t in tasks],
        },
    }
