"""The ``chemical:`` facts an enterprise file records for this pack, and their validation.

Each fact is declared once here with its type, the 121号 item (or other clause) that needs it and
what it means; ``docs/packs/chemical.md`` lists the same table for people.  Validation runs when
the pack first sees an enterprise (at assess time): every problem names the record, the field and
the value, and an unknown ``chemical:`` key gets the nearest known names (typos are caught, not
ignored).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

import attrs

from dualprev_core.errors import Problem
from dualprev_core.model.records import Enterprise

from .gb18218 import BETA_RULES, INVENTORY, PEOPLE

__all__ = ["FactSpec", "ENTERPRISE_FACTS", "INSTALLATION_FACTS", "CONTROL_FACTS", "FUNCTIONS", "validate_facts"]


@attrs.frozen
class FactSpec:
    """One ``chemical:`` fact: its type (``bool``, ``count``, ``texts``, ``item``, ``function``, ``any``), who needs it, meaning."""

    type: str
    needed_by: str
    meaning: str


_B = "bool"
#: Facts on the enterprise (``enterprise.facts`` or top-level ``facts``).
ENTERPRISE_FACTS: Mapping[str, FactSpec] = {
    PEOPLE: FactSpec("count", "GB 18218-2018 表5 α", "permanent residents within 500 m outside the plant boundary (an installation may override)"),
    BETA_RULES: FactSpec("any", "GB 18218-2018 表3/表4; 40号令 附件1", '"2018" (default) or "2011": which β rule set grades R'),
    "chemical:principal_certified": FactSpec(_B, "121号 第1项", "the principal passed the safety assessment (考核合格)"),
    "chemical:safety_managers_certified": FactSpec(_B, "121号 第1项", "every safety manager passed the safety assessment"),
    "chemical:uncertified_special_workers": FactSpec("count", "121号 第2项; 19号 direct red", "special-operation workers without a valid certificate"),
    "chemical:special_workers_below_senior_high": FactSpec("count", "19号 direct red", "hazardous-chemical special-operation workers below senior-high education"),
    "chemical:toxic_gas_pipeline_crosses_public_area": FactSpec(_B, "121号 第8项", "a phosgene/chlorine-type highly toxic gas or H₂S pipeline crosses public areas outside the plant/park"),
    "chemical:overhead_line_over_process_area_noncompliant": FactSpec(_B, "121号 第9项", "an overhead power line crosses the production area without meeting the standards"),
    "chemical:phase_out_items_in_use": FactSpec(_B, "121号 第11项", "a process or equipment on the national phase-out list is in use"),
    "chemical:control_room_protection_compliant": FactSpec(_B, "121号 第13项", "control rooms/rack rooms facing fire/explosion units meet the fire- and blast-protection requirements"),
    "chemical:dual_power_supply": FactSpec(_B, "121号 第14项", "the enterprise has a dual power supply"),
    "chemical:control_system_ups": FactSpec(_B, "121号 第14项", "automatic control systems have a UPS"),
    "chemical:all_staff_responsibility_system": FactSpec(_B, "121号 第16项", "an all-staff safety responsibility system exists"),
    "chemical:hidden_danger_system": FactSpec(_B, "121号 第16项", "a hidden-danger investigation and remediation system exists"),
    "chemical:operating_procedures": FactSpec(_B, "121号 第17项", "operating procedures exist"),
    "chemical:process_control_limits": FactSpec(_B, "121号 第17项", "process control limits (工艺控制指标) exist"),
    "chemical:special_work_permit_system": FactSpec(_B, "121号 第18项", "a permit system for special work (hot work, confined space …) exists"),
    "chemical:special_work_permit_enforced": FactSpec(_B, "121号 第18项", "the special-work permit system is enforced"),
    "chemical:storage_segregated": FactSpec(_B, "121号 第20项", "hazardous chemicals are stored by zone and class as the standards require"),
    "chemical:storage_over_quantity_or_variety": FactSpec(_B, "121号 第20项", "storage exceeds the permitted quantity or varieties"),
    "chemical:incompatible_materials_mixed": FactSpec(_B, "121号 第20项", "incompatible (禁配) materials are stored together"),
    "chemical:diagnosis_deductions": FactSpec("any", "19号 scoring", "deductions from the diagnosis tables: list of {item, points}"),
    "chemical:own_fire_team": FactSpec(_B, "19号 bonus", "own full-time fire/emergency rescue team"),
    "chemical:standardization_level": FactSpec("any", "19号 bonus", "安全生产标准化 level 1, 2 or 3 (0 or absent: none)"),
    "chemical:no_accident_5y": FactSpec(_B, "19号 bonus", "no accident in the last 5 years"),
    "chemical:accidents_3y": FactSpec("any", "19号 deductions and direct red", "accident counts: {fatal_1_2, larger, notable_no_casualty, major_or_worse, fatal_general_within_1y}"),
    "chemical:new_process_not_piloted": FactSpec(_B, "19号 direct red", "a new process went into production without lab/pilot/industrial trials (also on an installation, 121号 第19项)"),
}

#: Facts on a major hazard installation (``major_hazard_installations[].facts``); units that are not major may be listed too.
INSTALLATION_FACTS: Mapping[str, FactSpec] = {
    INVENTORY: FactSpec("any", "GB 18218-2018 4.1", "the chemicals and their maximum design quantities (see the inventory fields)"),
    PEOPLE: FactSpec("count", "GB 18218-2018 表5 α", "overrides the enterprise's count for this unit"),
    "chemical:key_processes": FactSpec("texts", "两重点一重大; 121号 第4项", "key supervised hazardous chemical processes used in the unit (e.g. [氯化工艺])"),
    "chemical:external_distance_compliant": FactSpec(_B, "121号 第3项", "external safety protection distances meet the standards"),
    "chemical:automated_control": FactSpec(_B, "121号 第4项", "the key-process unit has automated control"),
    "chemical:emergency_stop_system": FactSpec(_B, "121号 第4项", "the key-process unit has an emergency shutdown (ESD) function"),
    "chemical:emergency_shutoff": FactSpec(_B, "121号 第5项", "the tank farm has emergency shut-off (紧急切断) facilities"),
    "chemical:independent_sis": FactSpec(_B, "121号 第5项", "the tank farm has an independent safety instrumented system"),
    "chemical:toxic_gas": FactSpec(_B, "121号 第5项", "stores toxic gases (also derived from Table 3 gases and J1/J3 categories)"),
    "chemical:liquefied_gas": FactSpec(_B, "121号 第5项", "stores liquefied gases"),
    "chemical:highly_toxic_liquid": FactSpec(_B, "121号 第5项", "stores highly toxic (剧毒) liquids"),
    "chemical:fully_pressurised_lh_tanks": FactSpec(_B, "121号 第6项", "has fully pressurised liquefied-hydrocarbon tanks"),
    "chemical:water_injection": FactSpec(_B, "121号 第6项", "those tanks have water-injection measures"),
    "chemical:loads_lh_ammonia_chlorine": FactSpec(_B, "121号 第7项", "loads liquefied hydrocarbons, liquid ammonia or liquid chlorine"),
    "chemical:articulated_loading_arms": FactSpec(_B, "121号 第7项", "loading uses articulated (万向) loading-arm systems"),
    "chemical:formally_designed": FactSpec(_B, "121号 第10项; 19号 direct red", "the in-service unit was designed by a qualified design institute"),
    "chemical:design_diagnosis_done": FactSpec(_B, "121号 第10项; 19号 direct red", "a safety design diagnosis was done for an undesigned unit"),
    "chemical:flammable_toxic_gas_present": FactSpec(_B, "121号 第12项", "flammable or toxic gases may be present in the unit"),
    "chemical:gas_detection_alarm": FactSpec(_B, "121号 第12项", "flammable/toxic gas detection and alarm is installed"),
    "chemical:non_ex_equipment_in_hazardous_area": FactSpec(_B, "121号 第12项", "non-explosion-proof electrical equipment is used in a hazardous area"),
    "chemical:safety_accessories_in_service": FactSpec(_B, "121号 第15项", "relief valves, bursting discs and other safety accessories are in normal service"),
    "chemical:new_process_not_piloted": FactSpec(_B, "121号 第19项", "a newly developed process went into industrial production without lab/pilot/industrial trials"),
    "chemical:first_use_in_china": FactSpec(_B, "121号 第19项", "the process is used in China for the first time"),
    "chemical:provincial_reliability_review": FactSpec(_B, "121号 第19项", "a first-use process passed the provincial safety-reliability review"),
    "chemical:new_unit": FactSpec(_B, "121号 第19项", "the unit is new (before or in trial production)"),
    "chemical:trial_run_plan": FactSpec(_B, "121号 第19项", "a trial-production plan exists"),
    "chemical:fine_chemical": FactSpec(_B, "121号 第19项", "a fine-chemical unit"),
    "chemical:reaction_hazard_assessed": FactSpec(_B, "121号 第19项", "a reaction safety risk assessment was done"),
}

#: Functions a control can have (``chemical:function``): they attach the 2019 guideline's inspection templates.
FUNCTIONS: Mapping[str, str] = {
    "emergency_shutoff": "紧急切断阀",
    "sis": "安全仪表系统 (SIS)",
    "esd": "紧急停车系统 (ESD)",
    "automation": "自动化控制系统 (DCS/PLC)",
    "gas_detection": "可燃/有毒气体检测报警",
    "relief_valve": "安全阀、爆破片等安全附件",
    "dual_power": "双重电源",
    "ups": "不间断电源 (UPS)",
    "water_injection": "液化烃储罐注水设施",
    "loading_arm": "万向管道充装系统",
    "ex_equipment": "防爆电气",
    "fire_protection": "消防设施",
    "permit": "特殊作业许可",
    "management": "管理制度",
}

#: Facts on a control (its ``facts``).  ``installation`` is the core convention (no namespace).
CONTROL_FACTS: Mapping[str, FactSpec] = {
    "chemical:item": FactSpec("item", "121号", "the 121号 item (1–20) that holds when this control is missing or failed"),
    "chemical:function": FactSpec("function", "应急〔2019〕78号 templates; 121号 第5项 (emergency_shutoff vs sis)", "what the control is: " + ", ".join(FUNCTIONS)),
}


def _check(value: Any, spec: FactSpec) -> str | None:
    if spec.type == "bool" and not isinstance(value, bool):
        return "must be true or false"
    if spec.type == "count" and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
        return "must be a whole number ≥ 0"
    if spec.type == "texts" and (not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value)):
        return "must be a list of names"
    if spec.type == "item" and (not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 20):
        return "must be a 121号 item number 1–20"
    if spec.type == "function" and value not in FUNCTIONS:
        close = difflib.get_close_matches(str(value), list(FUNCTIONS), n=2, cutoff=0.5)
        return "must be one of " + ", ".join(FUNCTIONS) + (f" (did you mean {', '.join(map(repr, close))}?)" if close else "")
    return None


def _scan(facts: Mapping[str, Any], specs: Mapping[str, FactSpec], path: str, who: str, problems: list[Problem], source: str | None) -> None:
    for key, value in facts.items():
        if not str(key).startswith("chemical:"):
            continue
        spec = specs.get(key)
        if spec is None:
            close = difflib.get_close_matches(key, list(specs), n=3, cutoff=0.6)
            problems.append(Problem(f"{path}.{key}", f"{who}: unknown chemical-pack fact {key!r}"
                                    + (f" (did you mean {', '.join(map(repr, close))}?)" if close else f"; known here: {', '.join(specs)}"), source))
            continue
        why = _check(value, spec)
        if why:
            problems.append(Problem(f"{path}.{key}", f"{who}: {key} {why} (got {value!r})", source))


def validate_facts(e: Enterprise) -> list[Problem]:
    """Problems with the enterprise's ``chemical:`` facts (the inventory is checked by :mod:`.gb18218`)."""
    problems: list[Problem] = []
    src = e.source
    _scan(e.facts, ENTERPRISE_FACTS, "facts", f"enterprise {e.id!r}", problems, src)
    for i, m in enumerate(e.major_hazard_installations):
        _scan(m.facts, INSTALLATION_FACTS, f"major_hazard_installations[{i}].facts", f"installation {m.id!r}", problems, src)
    units = {m.id for m in e.major_hazard_installations}
    for c in e.controls:
        _scan(c.facts, CONTROL_FACTS, f"controls[{c.id}].facts", f"control {c.id!r}", problems, src)
        inst = c.facts.get("installation")
        if inst is not None and inst not in units:
            close = difflib.get_close_matches(str(inst), sorted(units), n=3, cutoff=0.5)
            problems.append(Problem(f"controls[{c.id}].facts.installation", f"control {c.id!r}: {inst!r} is not a major_hazard_installations id"
                                    + (f" (did you mean {', '.join(map(repr, close))}?)" if close else f"; known: {', '.join(sorted(units)) or 'none'}"), src))
    return problems
