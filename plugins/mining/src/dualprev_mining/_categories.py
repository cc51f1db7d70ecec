"""GB 6441 categories mines use, and the standards this pack encodes."""

from __future__ import annotations

from dualprev_core.provenance import Citation

__all__ = ["CATEGORIES", "STANDARDS"]

#: 1986 categories used in mine risk registers (冒顶片帮, 透水, 放炮, 火药爆炸, 瓦斯爆炸 are mining's own)
#: and their 2025 counterparts (the core's editorial mapping, unverified: 冒顶片帮 → 坍塌, 透水 → 水害,
#: 放炮/火药爆炸 → 民用爆炸物品爆炸, 瓦斯爆炸 → 可燃气体爆炸).
CATEGORIES = {
    "1986": ("冒顶片帮", "透水", "放炮", "火药爆炸", "瓦斯爆炸", "中毒和窒息", "机械伤害", "车辆伤害", "起重伤害", "触电", "火灾",
             "坍塌", "高处坠落", "物体打击", "淹溺", "其他爆炸"),
    "2025": ("坍塌", "水害", "民用爆炸物品爆炸", "可燃气体爆炸", "粉尘爆炸", "中毒", "窒息", "机械致害", "触电", "火灾", "滑坡",
             "高处坠落", "物体打击", "起重致害", "淹溺"),
}
STANDARDS = (
    Citation("应急管理部令第4号", "2020", title="煤矿重大事故隐患判定标准", note="in force 2021-01-01; 15 categories (Art. 3), items in Art. 4–18"),
    Citation("矿安〔2022〕88号", "2022", title="金属非金属矿山重大事故隐患判定标准",
             note="in force 2022-09-01; the items the public sources give (underground, open pit, tailings ponds)"),
    Citation("煤矿安全规程", "", title="煤矿安全规程", verified=False,
             note="monitoring limits: CH4 1.0 % at working faces (public sources: unverified); other limits and durations are dualprev defaults"),
    Citation("煤矿安全生产标准化管理体系基本要求及评分方法（试行）", "2020", verified=False,
             note="re-identification triggers as listed in the pack's issue; not in the public sources"),
    Citation("GB 6441", "1986", title="企业职工伤亡事故分类", note="mining categories 冒顶片帮, 透水, 放炮, 火药爆炸, 瓦斯爆炸"),
    Citation("GB 6441", "2025", title="生产安全事故分类与编码", verified=False, note="2025 counterparts via the core's editorial mapping"),
)
