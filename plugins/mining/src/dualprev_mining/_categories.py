"""GB 6441 categories mines use, and the standards this pack will encode."""

from dualprev_core.provenance import Citation

CATEGORIES = {
    "1986": ("冒顶片帮", "透水", "放炮", "火药爆炸", "瓦斯爆炸", "中毒和窒息", "机械伤害", "车辆伤害", "触电", "火灾", "坍塌", "高处坠落", "物体打击"),
    "2025": ("坍塌", "水害", "民用爆炸物品爆炸", "可燃气体爆炸", "粉尘爆炸", "中毒", "窒息", "机械致害", "触电", "火灾", "滑坡"),
}
STANDARDS = (
    Citation("应急管理部令第4号", "2020", title="煤矿重大事故隐患判定标准", note="in force 2021-01-01"),
    Citation("矿安〔2022〕88号", "2022", title="金属非金属矿山重大事故隐患判定标准"),
)
