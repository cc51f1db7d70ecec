"""Enterprise overall level by 应急〔2018〕19号 (the pack's replacement of the core default).

Score = 100 − Σ recorded deductions − performance deductions + bonuses; blue ≥ 90, yellow 75–<90,
orange 60–<75, red < 60 (mapped to 低/一般/较大/重大).  Any direct-red condition makes the
enterprise red whatever the score.  The guide's detailed deduction tables are not encoded (not
gathered): the enterprise records the deductions it received in ``chemical:diagnosis_deductions``.

When no 19号 fact is recorded and no direct-red condition holds, the level falls back to the core's
``highest-current`` rule, and the reason says so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from dualprev_core.errors import Problem, ValidationError
from dualprev_core.model.levels import RiskLevel
from dualprev_core.provenance import Citation

from ._data import load
from .analysis import analyse
from .gb18218 import fmt

if TYPE_CHECKING:
    from dualprev_core.assessment.assessment import Assessment, EnterpriseLevel

__all__ = ["METHOD", "CITATION", "diagnosis_level", "SCORING_FACTS"]

METHOD = "chem-19"
_DATA = load("diagnosis-2018.yaml")
CITATION = Citation.from_mapping({**_DATA["citation"], "clause": "评估诊断分级: 100 分扣分制, 红/橙/黄/蓝, 直接判定为红色"})
#: Enterprise facts that make the 19号 score applicable.
SCORING_FACTS = ("chemical:diagnosis_deductions", "chemical:own_fire_team", "chemical:standardization_level",
                 "chemical:no_accident_5y", "chemical:accidents_3y")
_ACCIDENT_KEYS = ("fatal_1_2", "larger", "notable_no_casualty", "major_or_worse", "fatal_general_within_1y")


def _count(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def _validate(facts: Mapping[str, Any], source: str | None) -> list[Problem]:
    problems = []
    ded = facts.get("chemical:diagnosis_deductions", [])
    if not isinstance(ded, list):
        problems.append(Problem("facts.chemical:diagnosis_deductions", f"must be a list of {{item, points}} (got {ded!r})", source))
    else:
        for i, d in enumerate(ded):
            ok = isinstance(d, Mapping) and isinstance(d.get("item"), str) and isinstance(d.get("points"), int | float) \
                and not isinstance(d.get("points"), bool) and math.isfinite(d["points"]) and d["points"] >= 0 and set(d) <= {"item", "points"}
            if not ok:
                problems.append(Problem(f"facts.chemical:diagnosis_deductions[{i}]", f"must be {{item: <text>, points: <number ≥ 0>}} (got {d!r})", source))
    lvl = facts.get("chemical:standardization_level", 0)
    if lvl not in (0, 1, 2, 3) or isinstance(lvl, bool):
        problems.append(Problem("facts.chemical:standardization_level", f"must be 1, 2, 3 or 0 (none) (got {lvl!r})", source))
    acc = facts.get("chemical:accidents_3y", {})
    if not isinstance(acc, Mapping) or not all(k in _ACCIDENT_KEYS and _count(v) for k, v in acc.items()):
        problems.append(Problem("facts.chemical:accidents_3y", f"must map {', '.join(_ACCIDENT_KEYS)} to whole numbers ≥ 0 (got {acc!r})", source))
    return problems


def _direct_red(a: Assessment, facts: Mapping[str, Any]) -> list[str]:
    e = a.enterprise
    texts = {d["id"]: d["text"] for d in _DATA["direct_red"]}
    out = []
    piloted = [m.id for m in e.major_hazard_installations if m.facts.get("chemical:new_process_not_piloted") is True]
    if facts.get("chemical:new_process_not_piloted") is True or piloted:
        out.append(texts["new_process_not_piloted"] + (f"（{', '.join(piloted)}）" if piloted else ""))
    undesigned = [m.id for m in e.major_hazard_installations
                  if m.facts.get("chemical:formally_designed") is False and m.facts.get("chemical:design_diagnosis_done") is False]
    if undesigned:
        out.append(f"{texts['undesigned_not_diagnosed']}（{', '.join(undesigned)}）")
    n1, n2 = facts.get("chemical:uncertified_special_workers", 0), facts.get("chemical:special_workers_below_senior_high", 0)
    if n1 or n2:
        out.append(f"{texts['special_workers']}（无证 {n1} 人，学历不足 {n2} 人）")
    acc = facts.get("chemical:accidents_3y", {})
    if acc.get("major_or_worse", 0) >= 1 or acc.get("larger", 0) >= 2 or acc.get("fatal_general_within_1y", 0) >= 2:
        out.append(f"{texts['accidents']}（{dict(acc)}）")
    return out


def diagnosis_level(a: Assessment) -> EnterpriseLevel:
    """The enterprise's level by 应急〔2018〕19号 where its facts are present (see the module docstring)."""
    from dualprev_core.assessment.assessment import EnterpriseLevel, highest_current_level

    analyse(a.enterprise)  # the chemical facts are valid before anything is read from them
    facts = a.enterprise.facts
    problems = _validate(facts, a.enterprise.source)
    if problems:
        raise ValidationError(problems, source=a.enterprise.source)
    reds = _direct_red(a, facts)
    recorded = [k for k in SCORING_FACTS if k in facts]
    if not recorded and not reds:
        core = highest_current_level(a)
        return EnterpriseLevel(core.level, METHOD, CITATION, f"未记录 19号 评估诊断事实（{'、'.join(f'`{k}`' for k in SCORING_FACTS)}），按核心默认 highest-current：{core.reason_in('zh')}",
                               {"fallback": "highest-current", **core.details},
                               reason_en=f"no 应急〔2018〕19号 diagnosis facts recorded ({', '.join(SCORING_FACTS)}); core default highest-current: {core.reason_in('en')}")
    terms: list[str] = [f"基础分 {_DATA['base']}"]
    score = Fraction(_DATA["base"])
    for d in facts.get("chemical:diagnosis_deductions", []):
        score -= Fraction(str(d["points"]))
        terms.append(f"−{fmt(Fraction(str(d['points'])))}（{d['item']}）")
    acc = facts.get("chemical:accidents_3y", {})
    for key, rule in _DATA["performance_deductions"].items():
        n = acc.get(key, 0)
        if n:
            score -= rule["points"] * n
            terms.append(f"−{rule['points']}×{n}（{rule['text']}，按起计：dualprev 解读，未核实）")
    b = _DATA["bonuses"]
    if facts.get("chemical:own_fire_team") is True:
        score += b["own_fire_team"]["points"]
        terms.append(f"+{b['own_fire_team']['points']}（{b['own_fire_team']['text']}）")
    std = facts.get("chemical:standardization_level", 0)
    if std:
        score += b["standardization_level"][std]
        terms.append(f"+{b['standardization_level'][std]}（安全生产标准化{('一', '二', '三')[std - 1]}级）")
    if facts.get("chemical:no_accident_5y") is True:
        score += b["no_accident_5y"]["points"]
        terms.append(f"+{b['no_accident_5y']['points']}（{b['no_accident_5y']['text']}）")
    grade = next(g for g in _DATA["grades"] if g["at"] is None or score >= g["at"])
    level = RiskLevel[grade["level"].upper()]
    reason = f"19号 评分 {' '.join(terms)} = {fmt(score)} 分 → {grade['zh']}色（{grade['text']}）"
    if reds:
        level = RiskLevel.MAJOR
        reason = "直接判定为红色：" + "；".join(reds) + f"（评分 {fmt(score)} 分不再起作用）"
    reason_en = (f"direct red: {len(reds)} condition(s) of 应急〔2018〕19号 hold (score {fmt(score)} no longer counts)" if reds else
                 f"应急〔2018〕19号 score {fmt(score)} → {grade['colour']}")
    return EnterpriseLevel(level, METHOD, CITATION, reason,
                           {"score": float(score), "terms": terms, "grade": grade["colour"] if not reds else "red",
                            "direct_red": reds, "facts_used": recorded}, reason_en=reason_en)
