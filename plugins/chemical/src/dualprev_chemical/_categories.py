"""GB 6441 categories the chemical industry uses, and the standards this pack will encode."""

from dualprev_core.provenance import Citation

CATEGORIES = {
    "1986": ("火灾", "容器爆炸", "其他爆炸", "中毒和窒息", "灼烫", "机械伤害", "触电", "高处坠落", "物体打击", "车辆伤害", "起重伤害", "锅炉爆炸"),
    "2025": ("火灾", "容器爆炸", "管道爆炸", "可燃气体爆炸", "可燃液体蒸汽爆炸", "粉尘爆炸", "中毒", "窒息", "泄漏", "灼烫", "机械致害", "触电", "高处坠落"),
}
STANDARDS = (
    Citation("GB 18218", "2018", title="危险化学品重大危险源辨识"),
    Citation("安监总管三〔2017〕121号", "2017", title="化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）"),
    Citation("应急〔2019〕78号", "2019", title="危险化学品企业安全风险隐患排查治理导则"),
    Citation("应急〔2018〕19号", "2018", title="危险化学品生产储存企业安全风险评估诊断分级指南（试行）"),
)
