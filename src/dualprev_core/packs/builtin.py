"""The core's own contributions, registered as the ``core`` pack like any other."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dualprev_core._version import CORE_API_VERSION, __version__
from dualprev_core.grading import core_methods
from dualprev_core.model.levels import LEVELS_CITATION
from dualprev_core.packs.hookspecs import hookimpl
from dualprev_core.packs.registry import EnterpriseLevel, PackManifest, Registrar
from dualprev_core.provenance import Citation

if TYPE_CHECKING:
    from dualprev_core.assessment.assessment import Assessment

__all__ = ["HIGHEST_CURRENT", "HIGHEST_CURRENT_CITATION", "highest_current_level", "dualprev_pack_manifest",
           "dualprev_register_grading_methods", "dualprev_register_policies"]

HIGHEST_CURRENT = "highest-current"
HIGHEST_CURRENT_CITATION = Citation(
    "dualprev default",
    clause="enterprise level = highest current risk level",
    note="The four-colour map colours an area by its highest current level (安委办〔2016〕11号 practice); "
    "the default enterprise level applies the same rule to the whole enterprise. Packs replace it "
    "(e.g. the chemical pack's 应急〔2018〕19号 scoring).",
)


def highest_current_level(assessment: Assessment) -> EnterpriseLevel:
    """Default enterprise level: the highest current level of the risks that count, naming them."""
    level = assessment.highest_level()
    deciding = sorted(r for r, lvl in assessment.current_levels().items() if lvl == level and r in assessment.active)
    which = f"{', '.join(deciding[:5])}{' …' if len(deciding) > 5 else ''}"
    reason = f"highest current risk level: {level.key if level else 'no risks'}" + (f" ({which})" if deciding else "")
    return EnterpriseLevel(
        level=level,
        method=HIGHEST_CURRENT,
        citation=HIGHEST_CURRENT_CITATION,
        reason=reason,
        details={"deciding_risks": deciding},
        reason_zh=f"当前最高风险等级：{level.zh if level else '无风险'}" + (f"（{which}）" if deciding else ""),
        reason_en=reason,
    )


@hookimpl
def dualprev_pack_manifest() -> PackManifest:
    return PackManifest(
        name="core",
        version=__version__,
        core_api=f"=={CORE_API_VERSION}",
        title="dualprev core: GB 6441 taxonomies, LEC / LS / MES / matrix grading",
        standards=(
            Citation("GB 6441", "1986", title="企业职工伤亡事故分类"),
            Citation("GB 6441", "2025", title="生产安全事故分类与编码", verified=False, note="order and codes of the 27 types unverified"),
            Citation("GB/T 13861", "2009/2022", title="生产过程危险和有害因素分类与代码"),
            LEVELS_CITATION,
        ),
    )


@hookimpl
def dualprev_register_grading_methods(registrar: Registrar) -> None:
    for method in core_methods():
        registrar.grading_method(method)


@hookimpl
def dualprev_register_policies(registrar: Registrar) -> None:
    registrar.enterprise_level_method(HIGHEST_CURRENT, highest_current_level, HIGHEST_CURRENT_CITATION)
