"""GB 6441 categories the chemical industry uses, and the standards this pack encodes."""

from __future__ import annotations

from dualprev_core.provenance import Citation

__all__ = ["CATEGORIES", "STANDARDS"]

CATEGORIES = {
    "1986": ("火灾", "容器爆炸", "其他爆炸", "中毒和窒息", "灼烫", "机械伤害", "触电", "高处坠落", "物体打击", "车辆伤害", "起重伤害", "锅炉爆炸"),
    "2025": ("火灾", "容器爆炸", "管道爆炸", "可燃气体爆炸", "可燃液体蒸汽爆炸", "粉尘爆炸", "中毒", "窒息", "泄漏", "灼烫", "机械致害", "触电", "高处坠落"),
}
STANDARDS = (
    Citation("GB 18218", "2018", title="危险化学品重大危险源辨识", clause="4.1 辨识, 4.3 分级; 表1–表6",
             note="Table 1 from a public transcription, spot-checked; row 42 and J5 wording unverified"),
    Citation("原国家安全监管总局令第40号", "2011", title="危险化学品重大危险源监督管理暂行规定", clause="附件1 β rule set (selectable)"),
    Citation("安监总管三〔2017〕121号", "2017", title="化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）",
             clause="20 items", note="item texts condensed, not the official wording; issue date 2017-11-13 unverified"),
    Citation("应急〔2019〕78号", "2019", title="危险化学品企业安全风险隐患排查治理导则", clause="排查频次"),
    Citation("应急〔2018〕19号", "2018", title="危险化学品生产储存企业安全风险评估诊断分级指南（试行）",
             clause="评分、分级、直接判定为红色", note="detailed deduction tables not encoded; per-accident deductions are a dualprev reading"),
    Citation("dualprev default", title="chemical grading defaults (LEC V1 for activities, LS V1 for installations and places)", verified=False),
)
