"""GB 6441 categories building construction uses, and the standards this pack will encode."""

from dualprev_core.provenance import Citation

CATEGORIES = {
    "1986": ("高处坠落", "物体打击", "坍塌", "起重伤害", "触电", "机械伤害", "车辆伤害", "中毒和窒息", "火灾"),
    "2025": ("高处坠落", "物体打击", "坍塌", "起重致害", "触电", "机械致害", "中毒", "窒息", "火灾"),
}
STANDARDS = (
    Citation("建质规〔2022〕2号", "2022", title="房屋市政工程生产安全重大事故隐患判定标准（2022版）"),
    Citation("住建部令第37号", "2018", title="危险性较大的分部分项工程安全管理规定"),
    Citation("建办质〔2018〕31号", "2018", title="危险性较大的分部分项工程范围"),
)
