"""GB 6441 categories building construction uses, and the standards this pack encodes."""

from dualprev_core.provenance import Citation

CATEGORIES = {
    "1986": ("高处坠落", "物体打击", "坍塌", "起重伤害", "触电", "机械伤害", "车辆伤害", "中毒和窒息", "火灾"),
    "2025": ("高处坠落", "物体打击", "坍塌", "起重致害", "触电", "机械致害", "中毒", "窒息", "火灾"),
}
STANDARDS = (
    Citation("建质规〔2022〕2号", "2022", title="房屋市政工程生产安全重大事故隐患判定标准（2022版）",
             note="issued by 住房和城乡建设部 (date 2022-04-19 unverified); article-by-article items, most unverified (see docs/packs/construction.md)",
             sources=("https://zjj.sz.gov.cn/gkmlpt/content/12/12082/post_12082366.html",)),
    Citation("住建部令第37号", "2018", title="危险性较大的分部分项工程安全管理规定",
             note="issued 2018-03-08, in force 2018-06-01 (dates unverified): special plan for 危大工程, expert review for 超过一定规模"),
    Citation("建办质〔2018〕31号", "2018", title="住房城乡建设部办公厅关于实施《危险性较大的分部分项工程安全管理规定》有关问题的通知",
             clause="附件1 危险性较大的分部分项工程范围; 附件2 超过一定规模的危险性较大的分部分项工程范围",
             sources=("https://zjj.sz.gov.cn/hdjl/ywzs/jsgcgl/content/post_11062311.html",)),
    Citation("建质〔2009〕87号", "2009", title="危险性较大的分部分项工程安全管理办法", verified=False,
             clause="superseded (until 2018-06-01, unverified): carried as the 危大 thresholds edition jz-2009-87",
             note="only the differences from 31号文 the public sources state are encoded; its in-force start was not gathered",
             sources=("https://zjj.sz.gov.cn/hdjl/ywzs/jsgcgl/content/post_11062311.html",)),
)
