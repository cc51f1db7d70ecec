"""The core grading methods: LEC, LS matrix, MES and a generic lookup matrix.

Scales are from the public sources; band variants are data (``data/grading-variants.yaml``).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from types import MappingProxyType
from typing import Any

from dualprev_core.errors import InvalidInput
from dualprev_core.grading._base import BandVariant, Edge, Grading, GradingMethod, Parameter, variant_from_mapping
from dualprev_core.yaml_lines import safe_load_fast

__all__ = ["LEC", "LSMatrix", "MES", "LookupMatrix", "core_methods", "load_variants"]

_L_LEC: dict[float, str] = {10: "完全可以预料", 6: "相当可能", 3: "可能，但不经常", 1: "可能性小，完全意外", 0.5: "很不可能，可以设想", 0.2: "极不可能", 0.1: "实际不可能"}
_E_LEC: dict[float, str] = {10: "连续暴露", 6: "每天工作时间内暴露", 3: "每周一次或偶然暴露", 2: "每月一次暴露", 1: "每年几次暴露", 0.5: "非常罕见地暴露"}
_C_LEC: dict[float, str] = {100: "大灾难，许多人死亡", 40: "灾难，数人死亡", 15: "非常严重，一人死亡", 7: "严重，重伤", 3: "重大，致残", 1: "引人注目，需要救护"}


class LEC(GradingMethod):
    """作业条件危险性分析法 (Graham–Kinney): D = L × E × C."""

    name = "lec"
    title_zh = "作业条件危险性分析法"
    title_en = "LEC (Graham–Kinney)"
    formula = "D = L × E × C"
    parameters = (
        Parameter("L", "事故发生的可能性", "likelihood", tuple(sorted(_L_LEC)), _L_LEC),
        Parameter("E", "暴露于危险环境的频繁程度", "exposure", tuple(sorted(_E_LEC)), _E_LEC),
        Parameter("C", "发生事故产生的后果", "consequence", tuple(sorted(_C_LEC)), _C_LEC),
    )


_L_LS: dict[float, str] = {1: "有充分、有效的防范、控制、监测、保护措施", 2: "危害一旦发生能及时发现，并定期进行监测", 3: "没有保护措施，或未严格按操作程序执行", 4: "危害的发生不容易被发现，没有检测系统", 5: "在现场没有采取防范、监测、保护、控制措施"}
_S_LS: dict[float, str] = {1: "无伤亡", 2: "轻微受伤、间歇不舒服", 3: "截肢、骨折、听力丧失、慢性病", 4: "丧失劳动能力", 5: "死亡"}


class LSMatrix(GradingMethod):
    """风险矩阵法: R = L × S, both on a 1–5 scale."""

    name = "ls"
    title_zh = "风险矩阵法"
    title_en = "LS risk matrix"
    formula = "R = L × S"
    parameters = (
        Parameter("L", "事件发生的可能性", "likelihood", (1, 2, 3, 4, 5), _L_LS),
        Parameter("S", "事件后果严重性", "severity", (1, 2, 3, 4, 5), _S_LS),
    )


_M_MES: dict[float, str] = {5: "无控制措施", 3: "有减轻后果的应急措施", 1: "有预防措施"}
_E_MES: dict[float, str] = {10: "连续暴露", 6: "每天工作时间内暴露", 3: "每周一次或偶然暴露", 2: "每月一次暴露", 1: "每年几次暴露", 0.5: "更少地暴露"}
_S_MES: dict[float, str] = {10: "多人死亡", 8: "一人死亡", 4: "永久性丧失劳动能力", 2: "需医院治疗，缺工", 1: "轻微，仅需急救"}


class MES(GradingMethod):
    """作业条件风险程度评价: R = M × E × S (S scale unverified, see the variant's citation)."""

    name = "mes"
    title_zh = "作业条件风险程度评价 (MES)"
    title_en = "MES"
    formula = "R = M × E × S"
    parameters = (
        Parameter("M", "控制措施的状态", "control state", (1, 3, 5), _M_MES),
        Parameter("E", "人体暴露或危险状态出现的频繁程度", "exposure", tuple(sorted(_E_MES)), _E_MES),
        Parameter("S", "事故的可能后果 (unverified scale)", "severity (unverified)", tuple(sorted(_S_MES)), _S_MES),
    )


class LookupMatrix(GradingMethod):
    """A generic likelihood × severity lookup matrix; the variant is the grid.

    The score reported is L × S (for sorting and display); the level is the grid cell,
    so any grid a pack or enterprise supplies is honoured exactly.  Grids must be monotone
    (a cell is never lower than the cells to its left or above it).
    """

    name = "matrix"
    title_zh = "风险矩阵 (查表)"
    title_en = "lookup risk matrix"
    formula = "cell = grid[L][S]"
    parameters = (
        Parameter("L", "可能性", "likelihood", (1, 2, 3, 4, 5)),
        Parameter("S", "严重性", "severity", (1, 2, 3, 4, 5)),
    )

    uses_edges = False

    def validate_variant(self, variant: BandVariant) -> None:
        _check_grid(variant)

    def grade(self, inputs: Mapping[str, object], *, variant: str | None = None, edge: Edge | None = None) -> Grading:
        checked = self.check_inputs(inputs)
        v = self.variant(variant)
        li, si = int(checked["L"]), int(checked["S"])
        if li > len(v.grid) or si > len(v.grid[0]):
            raise InvalidInput(f"matrix variant {v.id!r} is {len(v.grid)}×{len(v.grid[0])}; got L={li}, S={si}")
        level = v.grid[li - 1][si - 1]
        return Grading(
            method=self.name,
            variant=v.id,
            inputs=MappingProxyType(checked),
            score=float(li * si),
            level=level,
            edge="cell",
            decided_by=f"grid[L={li}][S={si}] = {level.key}",
            citation=v.citation,
        )


def _check_grid(v: BandVariant) -> None:
    g = v.grid
    if not g or any(len(row) != len(g[0]) for row in g):
        raise InvalidInput(f"matrix variant {v.id!r}: grid must be a non-empty rectangle")
    for i, row in enumerate(g):
        for j, cell in enumerate(row):
            if (i and cell < g[i - 1][j]) or (j and cell < row[j - 1]):
                raise InvalidInput(f"matrix variant {v.id!r}: grid[{i + 1}][{j + 1}] = {cell.key} is lower than a cell of lower L or S")


@functools.cache
def load_variants() -> dict[str, tuple[dict[str, BandVariant], str]]:
    """The core's band variants from ``data/grading-variants.yaml``: method → (variants, default)."""
    text = resources.files("dualprev_core").joinpath("data/grading-variants.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = safe_load_fast(text)
    out: dict[str, tuple[dict[str, BandVariant], str]] = {}
    for method, spec in data["methods"].items():
        variants = {vid: variant_from_mapping(method, vid, vd) for vid, vd in spec["variants"].items()}
        out[method] = (variants, spec["default"])
    return out


def core_methods() -> list[GradingMethod]:
    """Fresh instances of the four core methods with their published variants."""
    data = load_variants()
    return [cls(*data[cls.name]) for cls in (LEC, LSMatrix, MES, LookupMatrix)]


