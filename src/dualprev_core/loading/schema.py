"""JSON Schema (draft 2020-12) of the enterprise file, format ``dualprev-enterprise/1``.

The structural half of validation; references, grading inputs and categories are checked
afterwards in :mod:`dualprev_core.loading.enterprise`.  ``dualprev schema`` prints this document.
"""

from __future__ import annotations

from typing import Any, Final

__all__ = ["SCHEMA"]

_ID: Final = {"type": "string", "minLength": 1, "pattern": r"^[^\s]+$"}
_TEXT: Final = {"type": "string"}
_FACTS: Final = {"type": "object", "description": "free-form facts for packs and rules (kept verbatim)"}
_NUM: Final = {"type": "number"}
_OWNER: Final = {"enum": ["company", "workshop", "team", "post", "公司", "车间", "班组", "岗位"]}
_RESULT: Final = {"enum": ["effective", "weakened", "failed", "missing", "有效", "弱化", "失效", "缺失"]}
_LEVEL: Final = {"enum": ["major", "large", "general", "low", "重大", "较大", "一般", "低", "red", "orange", "yellow", "blue"]}
_KIND: Final = {"enum": ["engineering", "management", "ppe", "training", "emergency", "工程技术", "管理", "个体防护", "培训教育", "应急处置"]}

_ITEM: Final = {
    "type": "object",
    "required": ["id", "content", "frequency"],
    "additionalProperties": False,
    "properties": {
        "id": _ID,
        "control": _ID,
        "content": _TEXT,
        "frequency": {"type": "string", "description": "e.g. 2h, shift, daily, twice-daily, weekly, monthly, quarterly, seasonal, before-holidays, half-yearly, yearly, 3y, 每班, 每天, 每周, 每月, 每季度, 季节性, 节假日前, 每半年, 每年"},
        "owner_level": _OWNER,
        "post": _ID,
        "facts": _FACTS,
    },
}

_CONTROL_PROPS: Final = {
    "id": _ID,
    "name": _TEXT,
    "kind": _KIND,
    "owner_level": _OWNER,
    "post": _ID,
    "critical": {"type": "boolean"},
    "on_failure": {"type": "object", "additionalProperties": _NUM, "description": "method inputs while this control is defective"},
    "description": _TEXT,
    "inspection_items": {"type": "array", "items": _ITEM},
    "tags": {"type": "array", "items": _ID, "description": "labels packs' inspection templates and rules select controls by"},
    "facts": _FACTS,
}

_NESTED_CONTROL: Final = {
    "type": "object",
    "required": ["id", "name", "kind", "owner_level"],
    "additionalProperties": False,
    "properties": {**_CONTROL_PROPS, "also_mitigates": {"type": "array", "items": _ID}},
}

_TOP_CONTROL: Final = {
    "type": "object",
    "required": ["id", "name", "kind", "owner_level", "mitigates"],
    "additionalProperties": False,
    "properties": {**_CONTROL_PROPS, "mitigates": {"type": "array", "items": _ID, "minItems": 1}},
}

SCHEMA: Final[dict[str, Any]] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://dualprev.invalid/schema/enterprise-1.json",
    "title": "dualprev enterprise file",
    "type": "object",
    "required": ["format", "enterprise"],
    "additionalProperties": False,
    "properties": {
        "format": {"const": "dualprev-enterprise/1"},
        "enterprise": {
            "type": "object",
            "required": ["id", "name"],
            "additionalProperties": False,
            "properties": {"id": _ID, "name": _TEXT, "industry": _TEXT, "region": _TEXT, "facts": _FACTS},
        },
        "settings": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "gb6441_edition": {"enum": ["1986", "2025", 1986, 2025], "description": "GB 6441 edition; quoted or not"},
                "variants": {"type": "object", "additionalProperties": {"type": "string"}},
                "edges": {"type": "object", "additionalProperties": {"enum": ["inclusive", "exclusive"]}},
                "escalation": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "steps_per_defect": {"type": "integer", "minimum": 0, "maximum": 3},
                        "weakened_raises": {"type": "boolean"},
                        "non_critical_raises": {"type": "boolean"},
                    },
                },
                "enterprise_level_method": {"type": "string"},
                "investigation": {
                    "type": "object",
                    "additionalProperties": False,
                    "description": "the work calendar investigation tasks run on",
                    "properties": {
                        "utc_offset_hours": {"type": "number", "description": "time zone of calendar windows (default 8, China Standard Time)"},
                        "shift_start": {"type": "string", "description": "first shift start, e.g. 08:00 (default)"},
                        "shift_hours": {"type": "integer", "description": "shift length dividing 24 (default 8)"},
                        "holidays": {
                            "type": "array",
                            "items": {"type": "object", "required": ["date"], "additionalProperties": False,
                                      "properties": {"name": _TEXT, "date": {"type": "string", "description": "first day, e.g. 2027-02-06"}}},
                        },
                        "holiday_lead_days": {"type": "integer", "minimum": 1, "description": "window before a holiday (default 7)"},
                    },
                },
            },
        },
        "areas": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name"],
                "additionalProperties": False,
                "properties": {
                    "id": _ID,
                    "name": _TEXT,
                    "parent": _ID,
                    "kind": _TEXT,
                    "geometry": {
                        "type": "object",
                        "required": ["type", "coordinates"],
                        "additionalProperties": False,
                        "properties": {
                            "type": {"enum": ["polygon", "point"]},
                            "coordinates": {
                                "type": "array",
                                "minItems": 1,
                                "items": {"type": "array", "items": _NUM, "minItems": 2, "maxItems": 2},
                            },
                        },
                    },
                    "facts": _FACTS,
                },
            },
        },
        "posts": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name"],
                "additionalProperties": False,
                "properties": {
                    "id": _ID,
                    "name": _TEXT,
                    "area": _ID,
                    "owner_level": _OWNER,
                    "people": {"type": "array", "items": _TEXT},
                    "facts": _FACTS,
                },
            },
        },
        "risk_points": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name", "area"],
                "additionalProperties": False,
                "properties": {
                    "id": _ID,
                    "name": _TEXT,
                    "area": _ID,
                    "kind": {"enum": ["place", "installation", "activity", "场所", "设备设施", "作业活动"]},
                    "facts": _FACTS,
                },
            },
        },
        "hazards": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name"],
                "additionalProperties": False,
                "properties": {
                    "id": _ID,
                    "name": _TEXT,
                    "factor": {"type": "string", "pattern": r"^[1-4]([0-9]|[0-9]{3}|[0-9]{5})?$"},
                    "risk_point": _ID,
                    "description": _TEXT,
                    "facts": _FACTS,
                },
            },
        },
        "risks": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name", "category", "method", "inputs"],
                "additionalProperties": False,
                "properties": {
                    "id": _ID,
                    "name": _TEXT,
                    "area": _ID,
                    "risk_point": _ID,
                    "hazards": {"type": "array", "items": _ID},
                    "category": {"type": ["string", "integer"]},
                    "category_edition": {"enum": ["1986", "2025", 1986, 2025], "description": "GB 6441 edition; quoted or not"},
                    "method": {"type": "string"},
                    "variant": {"type": "string"},
                    "inputs": {"type": "object", "additionalProperties": {"type": ["number", "string"]}},
                    "inherent_level": _LEVEL,
                    "consequences": _TEXT,
                    "description": _TEXT,
                    "controls": {"type": "array", "items": _NESTED_CONTROL},
                    "facts": _FACTS,
                },
            },
        },
        "controls": {"type": "array", "items": _TOP_CONTROL},
        "inspection_items": {"type": "array", "items": {**_ITEM, "required": ["id", "control", "content", "frequency"]}},
        "inspections": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "result", "by", "at"],
                "additionalProperties": False,
                "properties": {
                    "id": _ID,
                    "control": _ID,
                    "item": _ID,
                    "task": {**_ID, "description": "the investigation task this inspection fulfils: an item id or <template>@<control>"},
                    "result": _RESULT,
                    "by": _TEXT,
                    "at": {"type": "string", "description": "ISO 8601; without an offset, China Standard Time (+08:00)"},
                    "note": _TEXT,
                    "facts": _FACTS,
                },
            },
        },
        "monitoring_points": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name", "quantity", "unit"],
                "additionalProperties": False,
                "properties": {
                    "id": _ID,
                    "name": _TEXT,
                    "area": _ID,
                    "quantity": {"type": "string", "description": "what is measured, e.g. CH4, H2S, pressure, level"},
                    "unit": {"type": "string", "description": "the unit readings must be given in, e.g. %, ppm, MPa, %LEL"},
                    "control": {**_ID, "description": "the control this point watches (an alarm may open a hidden danger on it)"},
                    "expected_interval_s": {"type": "number", "exclusiveMinimum": 0, "description": "how often readings arrive"},
                    "facts": _FACTS,
                },
            },
        },
        "major_hazard_installations": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name", "area"],
                "additionalProperties": False,
                "properties": {
                    "id": _ID,
                    "name": _TEXT,
                    "area": _ID,
                    "kind": {"enum": ["production", "storage"]},
                    "facts": _FACTS,
                },
            },
        },
        "facts": _FACTS,
    },
}
