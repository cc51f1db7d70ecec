"""The records of a submission: entities, their fields, which code list each coded field uses.

One table drives the JSON Schema (:mod:`dualprev_core.exchange.schema`), the builder and the
validator, so they cannot drift apart.  A field is ``national`` when its name is one the national
model's implementations use (RISK_CLASS, DANGER_LEVEL, DANGER_SRC, CHECK_STATUS, DATA_SRC,
CLASSIFY1/2/3); names of other fields of the national entities are dualprev's spelling of the
fields the model describes (``ours``); ``DP_*`` fields are dualprev extensions a national platform
can ignore (explanations, our ids, the natural key of the UUID).
"""

from __future__ import annotations

from typing import Final, NamedTuple

__all__ = ["Field", "Entity", "ENTITIES", "COMMON", "ENTERPRISE", "REFERENCES", "FORMAT", "COLLECTIONS"]

#: The submission format's name and version.
FORMAT: Final = "dualprev-exchange/1"


class Field(NamedTuple):
    """One field: its name, JSON kind, whether required, its code list, its meaning, its origin."""

    name: str
    kind: str  # uuid, text, time, number, integer, code, boolean, array, object
    required: bool
    codes: str | None
    zh: str
    origin: str = "ours"  # national | ours | dualprev


class Entity(NamedTuple):
    """One kind of record: the submission's key for its list, its Chinese name, its fields."""

    key: str
    zh: str
    fields: tuple[Field, ...]


def _f(name: str, kind: str, zh: str, *, req: bool = False, codes: str | None = None, origin: str = "ours") -> Field:
    return Field(name, kind, req, codes, zh, origin)


#: Fields every record carries (the model: id, 统一社会信用代码, enterprise code, created/updated, soft delete).
COMMON: Final = (
    _f("ID", "uuid", "记录唯一标识（UUID，更新主键）", req=True),
    _f("CREDIT_CODE", "text", "统一社会信用代码", req=True),
    _f("COMPANY_CODE", "text", "企业编码", req=True),
    _f("CREATE_TIME", "time", "创建时间"),
    _f("UPDATE_TIME", "time", "更新时间"),
    _f("CREATE_BY", "text", "创建人"),
    _f("UPDATE_BY", "text", "更新人"),
    _f("DELETE_MARK", "code", "删除标记", req=True, codes="DELETE_MARK"),
    _f("DP_KEY", "text", "dualprev: UUID 的自然键 (uuid5 命名空间 + 此键)", origin="dualprev"),
)

ENTERPRISE: Final = Entity("enterprise", "企业", (
    _f("ID", "uuid", "企业记录 UUID", req=True),
    _f("CREDIT_CODE", "text", "统一社会信用代码", req=True),
    _f("COMPANY_CODE", "text", "企业编码（dualprev 企业 id）", req=True),
    _f("COMPANY_NAME", "text", "企业名称", req=True),
    _f("INDUSTRY", "text", "行业"),
    _f("REGION", "text", "所在区域（区域树的 id 或名称）"),
    _f("LONGITUDE", "number", "经度"),
    _f("LATITUDE", "number", "纬度"),
    _f("STANDARDIZATION_LEVEL", "integer", "安全生产标准化等级（1-3，0 无）"),
    _f("RISK_CLASS", "code", "企业整体风险等级", codes="RISK_CLASS", origin="national"),
    _f("DP_LEVEL", "object", "dualprev: 企业整体风险的方法、依据与说明", origin="dualprev"),
    _f("DP_ALARMS", "array", "dualprev: 记录的监测报警（规则、级别、监测点、说明、时间）", origin="dualprev"),
))

ENTITIES: Final = (
    Entity("risk_objects", "风险分析对象", (
        _f("OBJECT_CODE", "text", "分析对象编码（构成重大危险源时为其编码）", req=True),
        _f("OBJECT_NAME", "text", "分析对象名称", req=True),
        _f("HAZARD_ID", "uuid", "重大危险源记录 ID（对象即重大危险源时）"),
        _f("RISK_CLASS", "code", "风险等级", req=True, codes="RISK_CLASS", origin="national"),
        _f("R_VALUE", "number", "重大危险源 R 值"),
        _f("LOCATION", "text", "位置"),
        _f("DP_AREA", "text", "dualprev 区域 id", origin="dualprev"),
    )),
    Entity("risk_units", "风险分析单元", (
        _f("OBJECT_ID", "uuid", "所属分析对象 ID", req=True),
        _f("UNIT_NAME", "text", "分析单元名称", req=True),
        _f("UNIT_TYPE", "text", "单元类型（场所/设备设施/作业活动）"),
        _f("RISK_CLASS", "code", "风险等级", req=True, codes="RISK_CLASS", origin="national"),
        _f("HAZARD_DEP", "text", "责任部门"),
        _f("HAZARD_LIABLE_PERSON", "text", "责任人"),
        _f("EMERGENCY_MEASURES", "text", "应急措施"),
        _f("DP_RISK_POINT", "text", "dualprev 风险点 id", origin="dualprev"),
    )),
    Entity("risk_events", "风险事件", (
        _f("UNIT_ID", "uuid", "所属分析单元 ID", req=True),
        _f("EVENT_NAME", "text", "风险事件名称", req=True),
        _f("DESCRIPTION", "text", "描述"),
        _f("CONSEQUENCE", "text", "后果"),
        _f("RISK_CLASS", "code", "当前风险等级", req=True, codes="RISK_CLASS", origin="national"),
        _f("DP_ASSESSED_CLASS", "code", "dualprev: 评估等级（管控措施均有效时）", codes="RISK_CLASS", origin="dualprev"),
        _f("DP_CATEGORY", "text", "dualprev: 事故类别（GB 6441）", origin="dualprev"),
        _f("DP_EXPLANATION", "text", "dualprev: 等级说明（方法、输入、变动原因）", origin="dualprev"),
        _f("DP_RISK", "text", "dualprev 风险 id", origin="dualprev"),
    )),
    Entity("control_measures", "风险管控措施", (
        _f("EVENT_ID", "uuid", "所属风险事件 ID", req=True),
        _f("DATA_SRC", "code", "管控方式", req=True, codes="DATA_SRC", origin="national"),
        _f("MEASURE_DESC", "text", "管控措施", req=True),
        _f("CLASSIFY1", "code", "管控措施分类1", req=True, codes="CLASSIFY1", origin="national"),
        _f("CLASSIFY2", "code", "管控措施分类2", req=True, codes="CLASSIFY2", origin="national"),
        _f("CLASSIFY3", "text", "管控措施分类3", origin="national"),
        _f("TROUBLESHOOT_CONTENT", "text", "隐患排查内容"),
        _f("DP_CRITICAL", "boolean", "dualprev: 关键管控措施", origin="dualprev"),
        _f("DP_CONTROL", "text", "dualprev 管控措施 id", origin="dualprev"),
    )),
    Entity("check_tasks", "隐患排查任务", (
        _f("MEASURE_ID", "uuid", "所属管控措施 ID", req=True),
        _f("CHECK_CONTENT", "text", "排查内容", req=True),
        _f("CHECK_CYCLE", "number", "排查周期"),
        _f("CHECK_CYCLE_UNIT", "code", "排查周期单位", codes="CHECK_CYCLE_UNIT"),
        _f("LAST_CHECK_TIME", "time", "上次排查时间"),
        _f("CHECKER", "text", "排查人（岗位）"),
        _f("CHECK_LEVEL", "text", "排查层级（公司/车间/班组/岗位）"),
        _f("TASK_TYPE", "text", "任务类型（定期/不定期）"),
        _f("START_DATE", "time", "开始时间"),
        _f("END_DATE", "time", "结束时间"),
        _f("DP_ITEM", "text", "dualprev 排查项 id", origin="dualprev"),
    )),
    Entity("check_records", "隐患排查记录", (
        _f("TASK_ID", "uuid", "所属排查任务 ID", req=True),
        _f("CHECK_TIME", "time", "排查时间", req=True),
        _f("CHECK_STATUS", "code", "排查结果", req=True, codes="CHECK_STATUS", origin="national"),
        _f("CHECKER", "text", "排查人"),
        _f("DEPARTMENT", "text", "部门"),
        _f("DP_FINDING", "text", "dualprev: 管控措施状态（有效/弱化/失效/缺失）", origin="dualprev"),
        _f("DP_INSPECTION", "text", "dualprev 排查记录 id", origin="dualprev"),
    )),
    Entity("hidden_dangers", "隐患治理", (
        _f("DANGER_NAME", "text", "隐患名称", req=True),
        _f("OBJECT_CODE", "text", "分析对象编码"),
        _f("MEASURE_ID", "uuid", "失效的管控措施 ID", req=True),
        _f("RECORD_ID", "uuid", "发现隐患的排查记录 ID"),
        _f("DANGER_LEVEL", "code", "隐患等级", req=True, codes="DANGER_LEVEL", origin="national"),
        _f("REGIST_TIME", "time", "登记时间", req=True),
        _f("REGISTRANT", "text", "登记人"),
        _f("DANGER_SRC", "code", "隐患来源", req=True, codes="DANGER_SRC", origin="national"),
        _f("DANGER_MANAGE_TYPE", "code", "治理类型", req=True, codes="DANGER_MANAGE_TYPE"),
        _f("DANGER_CATEGORY", "code", "隐患类型", codes="DANGER_CATEGORY"),
        _f("HAZARD_CLASS", "code", "人/物/管理分类", codes="HAZARD_CLASS"),
        _f("DANGER_DESC", "text", "隐患描述", req=True),
        _f("CONTROL_MEASURES", "text", "治理措施"),
        _f("COST", "number", "治理资金"),
        _f("LIABLE_PERSON", "text", "整改责任人"),
        _f("DEADLINE", "time", "治理期限"),
        _f("CHECK_ACCEPT_PERSON", "text", "验收人"),
        _f("CHECK_ACCEPT_TIME", "time", "验收时间"),
        _f("CHECK_ACCEPT_COMMENT", "text", "验收意见"),
        _f("DANGER_STATE", "code", "治理状态", req=True, codes="DANGER_STATE"),
        _f("DP_OVERDUE", "boolean", "dualprev: 已超期未整改", origin="dualprev"),
        _f("DP_CRITERIA", "array", "dualprev: 判定为重大的依据（判定标准条款）", origin="dualprev"),
        _f("DP_SOURCE", "text", "dualprev: 发现途径（inspection:… / monitoring:…）", origin="dualprev"),
        _f("DP_HIDDEN_DANGER", "text", "dualprev 隐患 id", origin="dualprev"),
    )),
    Entity("risk_zones", "风险四色分区", (
        _f("ZONE_CODE", "text", "分区编码", req=True),
        _f("ZONE_NAME", "text", "分区名称", req=True),
        _f("ZONE_LEVEL", "code", "分区等级（一至四级）", req=True, codes="ZONE_LEVEL"),
        _f("COORDINATES", "array", "分区坐标范围"),
        _f("INHERENT_RISK", "code", "固有风险（Ⅰ–Ⅳ）", req=True, codes="INHERENT_RISK"),
        _f("CONTROL_RISK", "code", "控制风险（A–D）", req=True, codes="CONTROL_RISK"),
        _f("CORRECTION", "integer", "修正（当前等级高于评估等级的级数）"),
        _f("EVALUATOR", "text", "评估人"),
        _f("DP_MAPPING", "text", "dualprev: 两轴取值规则（dualprev 的映射）", origin="dualprev"),
    )),
    Entity("major_hazards", "重大危险源", (
        _f("HAZARD_CODE", "text", "重大危险源编码", req=True),
        _f("HAZARD_NAME", "text", "重大危险源名称", req=True),
        _f("HAZARD_TYPE", "text", "类型（生产单元/储存单元）"),
        _f("R_VALUE", "number", "R 值"),
        _f("HAZARD_LEVEL", "code", "级别（一至四级）", codes="MAJOR_HAZARD_LEVEL"),
        _f("CHEMICALS", "array", "危险化学品及数量（名称、CAS、q、Q、q/Q）"),
        _f("SUM_Q_OVER_Q", "number", "Σq/Q"),
        _f("PEOPLE_500M", "integer", "厂区边界外 500 m 常住人口"),
        _f("LONGITUDE", "number", "经度"),
        _f("LATITUDE", "number", "纬度"),
        _f("DP_EXPLANATION", "array", "dualprev: 辨识与分级的每一项", origin="dualprev"),
    )),
    Entity("major_risks", "重大风险清单", (
        _f("EVENT_ID", "uuid", "风险事件 ID", req=True),
        _f("EVENT_NAME", "text", "风险事件名称", req=True),
        _f("UNIT_ID", "uuid", "分析单元 ID"),
        _f("RISK_CLASS", "code", "风险等级", req=True, codes="RISK_CLASS", origin="national"),
        _f("RESPONSIBLE", "array", "管控责任（措施、层级、岗位）"),
    )),
)

#: The record lists of a submission, in hierarchy order.
COLLECTIONS: Final = tuple(e.key for e in ENTITIES)

#: (entity, field) → the entity its UUID must name in the same submission.
REFERENCES: Final = {
    ("risk_objects", "HAZARD_ID"): "major_hazards",
    ("risk_units", "OBJECT_ID"): "risk_objects",
    ("risk_events", "UNIT_ID"): "risk_units",
    ("control_measures", "EVENT_ID"): "risk_events",
    ("check_tasks", "MEASURE_ID"): "control_measures",
    ("check_records", "TASK_ID"): "check_tasks",
    ("hidden_dangers", "MEASURE_ID"): "control_measures",
    ("hidden_dangers", "RECORD_ID"): "check_records",
    ("major_risks", "EVENT_ID"): "risk_events",
    ("major_risks", "UNIT_ID"): "risk_units",
}
