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
    from dualprev_core.packs.registry import Registrar

__all__ = ["pack", "dualprev_register_labels", "dualprev_enterprise_facts", "dualprev_assess_enterprise"]

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


@hookimpl
def dualprev_register_labels(registrar: Registrar) -> None:
    """People's names of this pack's report sections (``dualprev assess`` in Chinese and English)."""
    registrar.report_labels("mining:derived_facts", {"zh": "矿山派生事实", "en": "derived mining facts"}, fields={
        "type": {"zh": "类型", "en": "type"}, "key": {"zh": "对象", "en": "record"},
        "mining:annual_output_ratio": {"zh": "年产量/核定能力", "en": "annual output / capacity"},
        "mining:max_month_share": {"zh": "最大月产量占比", "en": "largest month's share"},
        "mining:producing_levels": {"zh": "生产水平数", "en": "producing levels"},
    })
    registrar.report_labels("mining:reidentification", {"zh": "风险重新辨识", "en": "risk re-identification"}, fields={
        "due": {"zh": "到期任务", "en": "due"}, "tasks": {"zh": "任务", "en": "tasks"},
    })
