"""Public hypothesis strategies for the dualprev model, for researchers and pack authors.

Strategies generate *documents* (the enterprise file format as Python data) that are valid by
construction — references resolve, inputs sit on the methods' scales, ``on_failure`` inputs
never lower an input, inherent levels are never below assessed ones — and parse them with
:func:`~dualprev_core.loading.enterprise.parse_enterprise`, so every generated enterprise went through the same
validation a user's file does.  Enterprises have areas, posts, risk points, hazards (with GB/T
13861 codes), risks and controls; ``control_facts=`` adds a pack's facts to controls (each bundled
pack ships such a strategy, e.g. ``dualprev_chemical.strategies.control_facts()``), so the packs'
criteria match and major hidden dangers occur.  :func:`hidden_danger_histories` generates valid
event sequences of the closed loop.

>>> from hypothesis import given
>>> from dualprev_core.strategies import enterprises
>>> @given(enterprises(max_risks=5))
... def test_something(enterprise): ...
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from dualprev_core.errors import InvalidInput
from dualprev_core.grading import core_methods
from dualprev_core.hidden_dangers.ledger import CriterionRef, HiddenDangerEvent, Ledger
from dualprev_core.loading.enterprise import parse_enterprise
from dualprev_core.model.levels import RiskLevel
from dualprev_core.model.records import Enterprise, Inspection
from dualprev_core.model.values import CHINA_STANDARD_TIME
from dualprev_core.model.vocabulary import ControlKind, HiddenDangerGrade, InspectionResult, OwnerLevel, RiskPointKind
from dualprev_core.provenance import Citation

__all__ = ["enterprise_documents", "enterprises", "inspections_for", "risk_levels", "inspection_results", "hidden_danger_histories"]

_METHODS = {m.name: m for m in core_methods()}
_CATEGORIES = ("火灾", "中毒", "窒息", "机械致害", "高处坠落", "触电", "容器爆炸", "灼烫", "坍塌", "物体打击", "起重致害", "可燃气体爆炸")
_T0 = datetime(2026, 11, 1, 8, 0, tzinfo=CHINA_STANDARD_TIME)
#: GB/T 13861-2022 codes hazards are drawn from (one per class: human, machine, environment, management).
_FACTORS = ("1101", "2101", "3101", "4101")


def risk_levels() -> st.SearchStrategy[RiskLevel]:
    """Any of the four levels."""
    return st.sampled_from(list(RiskLevel))


def inspection_results(*, defects_only: bool = False) -> st.SearchStrategy[InspectionResult]:
    """Inspection results (``defects_only``: weakened, failed or missing)."""
    return st.sampled_from([r for r in InspectionResult if r.is_defect or not defects_only])


def _check_sizes(**sizes: int) -> None:
    for name, value in sizes.items():
        if not isinstance(value, int) or value < 0:
            raise InvalidInput(f"{name} must be a non-negative integer (got {value!r})")


@st.composite
def _document(draw: st.DrawFn, min_risks: int, max_risks: int, max_controls: int, max_areas: int, max_posts: int, max_hazards: int,
              industry: str | None, control_facts: st.SearchStrategy[Mapping[str, Any]] | None) -> dict[str, Any]:
    n_areas = draw(st.integers(1, max_areas))
    areas: list[dict[str, Any]] = []
    for i in range(n_areas):
        a: dict[str, Any] = {"id": f"A{i}", "name": f"区域{i}"}
        if i:
            a["parent"] = f"A{draw(st.integers(0, i - 1))}"
        areas.append(a)
    area_ids = [a["id"] for a in areas]
    posts = [{"id": f"P{i}", "name": f"岗位{i}", "area": draw(st.sampled_from(area_ids)), "owner_level": draw(st.sampled_from(OwnerLevel.keys()))}
             for i in range(draw(st.integers(0, max_posts)))]
    risk_points = [{"id": f"RP{i}", "name": f"风险点{i}", "area": area, "kind": draw(st.sampled_from(RiskPointKind.keys()))}
                   for i, area in enumerate(area_ids) if draw(st.booleans())]
    hazards: list[dict[str, Any]] = []
    for i in range(draw(st.integers(0, max_hazards))):
        h: dict[str, Any] = {"id": f"H{i}", "name": f"危险源{i}", "factor": draw(st.sampled_from(_FACTORS))}
        if risk_points and bool(draw(st.booleans())):
            h["risk_point"] = draw(st.sampled_from([rp["id"] for rp in risk_points]))
        hazards.append(h)
    policy = {
        "steps_per_defect": draw(st.integers(0, 2)),
        "weakened_raises": draw(st.booleans()),
        "non_critical_raises": draw(st.booleans()),
    }
    risks: list[dict[str, Any]] = []
    n_risks = draw(st.integers(min_risks, max_risks))
    for i in range(n_risks):
        method_name = draw(st.sampled_from(sorted(_METHODS)))
        method = _METHODS[method_name]
        inputs = {p.name: draw(st.sampled_from(p.allowed)) for p in method.parameters}
        assessed = method.grade(inputs).level
        risk: dict[str, Any] = {
            "id": f"R{i}",
            "name": f"风险{i}",
            "area": f"A{draw(st.integers(0, n_areas - 1))}",
            "category": draw(st.sampled_from(_CATEGORIES)),
            "method": method_name,
            "inputs": inputs,
            "controls": [],
        }
        if draw(st.booleans()):
            risk["inherent_level"] = draw(st.sampled_from([lvl for lvl in RiskLevel if lvl >= assessed])).key
        in_area = [rp["id"] for rp in risk_points if rp["area"] == risk["area"]]
        if in_area and bool(draw(st.booleans())):
            risk["risk_point"] = draw(st.sampled_from(in_area))
        if hazards:
            risk["hazards"] = sorted(set(draw(st.lists(st.sampled_from([h["id"] for h in hazards]), max_size=2))))
        for j in range(draw(st.integers(0, max_controls))):
            control: dict[str, Any] = {
                "id": f"C{i}_{j}",
                "name": f"措施{i}-{j}",
                "kind": draw(st.sampled_from(ControlKind.keys())),
                "owner_level": draw(st.sampled_from(OwnerLevel.keys())),
                "critical": draw(st.booleans()),
            }
            if draw(st.booleans()):
                p = draw(st.sampled_from(method.parameters))
                control["on_failure"] = {p.name: draw(st.sampled_from([v for v in p.allowed if v >= inputs[p.name]]))}
            elif i and draw(st.booleans()):
                control["also_mitigates"] = sorted(set(draw(st.lists(st.sampled_from([f"R{k}" for k in range(i)]), max_size=2))))
            if posts and bool(draw(st.booleans())):
                control["post"] = draw(st.sampled_from([p["id"] for p in posts]))
            if control_facts is not None:
                facts = dict(draw(control_facts))
                if facts:
                    control["facts"] = facts
            risk["controls"].append(control)
        risks.append(risk)
    enterprise: dict[str, Any] = {"id": "E", "name": "生成的企业"}
    if industry:
        enterprise["industry"] = industry
    return {
        "format": "dualprev-enterprise/1",
        "enterprise": enterprise,
        "settings": {"escalation": policy},
        "areas": areas,
        "posts": posts,
        "risk_points": risk_points,
        "hazards": hazards,
        "risks": risks,
    }


def enterprise_documents(
    *,
    min_risks: int = 1,
    max_risks: int = 12,
    max_controls: int = 3,
    max_areas: int = 5,
    max_posts: int = 3,
    max_hazards: int = 4,
    industry: str | None = None,
    control_facts: st.SearchStrategy[Mapping[str, Any]] | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """Valid enterprise documents (dicts in the file format).

    :param industry: ``enterprise.industry`` (e.g. ``"chemical"``); none by default.
    :param control_facts: a strategy of ``facts`` mappings for controls, drawn once per control (an
        empty mapping adds none) — a pack's facts, so that its criteria match (see each pack's
        ``strategies`` module).
    """
    _check_sizes(min_risks=min_risks, max_risks=max_risks, max_controls=max_controls, max_areas=max_areas, max_posts=max_posts, max_hazards=max_hazards)
    if max_risks < min_risks or max_areas < 1:
        raise InvalidInput(f"need min_risks <= max_risks and max_areas >= 1 (got {min_risks}, {max_risks}, {max_areas})")
    if control_facts is not None and not isinstance(control_facts, st.SearchStrategy):
        raise InvalidInput(f"control_facts must be a hypothesis strategy of mappings (got {type(control_facts).__name__})")
    return _document(min_risks, max_risks, max_controls, max_areas, max_posts, max_hazards, industry, control_facts)


def enterprises(*, packs: Any = None, **kwargs: Any) -> st.SearchStrategy[Enterprise]:
    """Validated :class:`Enterprise` objects (same keywords as :func:`enterprise_documents`).

    :param packs: loaded packs (:func:`~dualprev_core.packs.load_packs`): their checks of their own
        facts run too, as ``load_enterprise(..., packs=...)`` does.
    """
    return enterprise_documents(**kwargs).map(lambda doc: parse_enterprise(doc, packs=packs))


@st.composite
def _inspections(draw: st.DrawFn, enterprise: Enterprise, max_size: int, defects_only: bool) -> list[Inspection]:
    controls = [c.id for c in enterprise.controls]
    if not controls:
        return []
    n = draw(st.integers(0, max_size))
    out = []
    for k in range(n):
        out.append(Inspection(
            id=f"I{k}",
            control=draw(st.sampled_from(controls)),
            result=draw(inspection_results(defects_only=defects_only)),
            by=draw(st.sampled_from(["张三", "李四", "王五"])),
            at=_T0 + timedelta(minutes=draw(st.integers(0, 60 * 24 * 30))),
        ))
    return out


def inspections_for(enterprise: Enterprise, *, max_size: int = 10, defects_only: bool = False) -> st.SearchStrategy[list[Inspection]]:
    """Inspections of ``enterprise``'s controls with distinct ids and times in November 2026."""
    _check_sizes(max_size=max_size)
    return _inspections(enterprise, max_size, defects_only)



#: The criterion a generated major grade names (a major grade always names the criteria that matched).
_GENERATED_CRITERION = CriterionRef(criterion_id="generated-1", pack="generated", pack_version="0",
                                    citation=Citation("generated", clause="a criterion of a generated history", verified=False))
#: A rectification plan with the five implementations (五落实) and the contents of 总局令第16号 第十五条.
_PLAN = {"responsible_person": "厂长", "measures": ["更换", "加固"], "funds_amount": 1000, "funds_source": "安全费用",
         "contingency_plan": "停用并设警戒", "objectives": ["消除隐患"], "tasks": ["更换", "加固"], "materials": "备件已到",
         "organisation": "设备部", "requirements": "按原设计恢复并验收", "safety_measures": "撤出人员、设置警戒"}


@st.composite
def _histories(draw: st.DrawFn, closed: bool | None, max_steps: int) -> tuple[HiddenDangerEvent, ...]:
    ledger = Ledger()
    at = [_T0]

    def later() -> datetime:
        at[0] += timedelta(hours=draw(st.integers(1, 96)))
        return at[0]

    people = ["张三", "李四", "王五", "赵六"]
    hd = ledger.report(control_id="C1", finding=draw(inspection_results(defects_only=True)), source="inspection:I1",
                       description="生成的隐患", owner_level=draw(st.sampled_from(OwnerLevel.keys())), by=draw(st.sampled_from(people)),
                       risk_ids=("R1",), at=at[0])
    must_close = closed is True
    steps = max_steps if must_close else draw(st.integers(0, max_steps))
    rectifier = ""
    progress = {"reported": "assess", "assessed": "start", "plan_approved": "start", "rectifying": "rectify", "rectified": "verify", "verified": "close"}
    for k in range(steps + len(progress) + 1 if must_close else steps):
        state = ledger.get(hd.id).state.key
        if state == "closed":
            break
        options = {
            "reported": ["assess"],
            "assessed": ["plan", "start", "finding", "suspend", "overdue"],
            "plan_approved": ["start", "plan", "finding", "overdue"],
            "rectifying": ["rectify", "finding", "suspend", "overdue"],
            "rectified": ["verify", "reject"],
            "verified": ["close"],
        }[state]
        # closed=True: free moves for max_steps, then straight through the loop to closed
        move = progress[state] if must_close and k >= steps else draw(st.sampled_from(options))
        current = ledger.get(hd.id)
        if move == "start" and current.is_major and current.plan is None:
            move = "plan"  # a major hidden danger starts only with the five implementations (五落实)
        if move == "assess":
            grade = draw(st.sampled_from([HiddenDangerGrade.GENERAL, HiddenDangerGrade.MAJOR]))
            t = later()
            criteria = [_GENERATED_CRITERION] if grade is HiddenDangerGrade.MAJOR else []
            ledger.assess(hd.id, grade=grade, criteria=criteria, by=draw(st.sampled_from(people)), at=t,
                          deadline=t + timedelta(days=draw(st.integers(1, 30))))
        elif move == "plan":
            t = later()
            ledger.approve_plan(hd.id, plan={**_PLAN, "deadline": t + timedelta(days=10)}, by="安全总监", at=t)
        elif move == "start":
            ledger.start_rectifying(hd.id, by=draw(st.sampled_from(people)), at=later())
        elif move == "finding":
            ledger.add_finding(hd.id, finding=draw(inspection_results(defects_only=True)), source=f"inspection:I{len(ledger.events)}",
                               by=draw(st.sampled_from(people)), at=later())
        elif move == "suspend":
            if current.suspended:
                ledger.resume_production(hd.id, by="厂长", why="整改措施到位", at=later())
            else:
                ledger.suspend_production(hd.id, by="厂长", why="重大隐患停产整改", at=later())
        elif move == "overdue":
            ledger.check_overdue(later())
        elif move == "rectify":
            rectifier = draw(st.sampled_from(people))
            ledger.rectify(hd.id, measures="已修复", by=rectifier, at=later())
        elif move in ("verify", "reject"):
            verifier = draw(st.sampled_from([p for p in people if p not in ledger.get(hd.id).rectifiers]))
            ledger.verify(hd.id, passed=move == "verify", by=verifier, at=later(), why="" if move == "verify" else "未整改到位")
        elif move == "close":
            if current.suspended:  # production resumes before the hidden danger is closed
                ledger.resume_production(hd.id, by="厂长", why="整改验收合格", at=later())
            ledger.close(hd.id, by="安全员", at=later())
    if closed is False and ledger.get(hd.id).state.key == "closed":
        return tuple(e for e in ledger.events if isinstance(e, HiddenDangerEvent) and e.kind != "closed")
    return tuple(e for e in ledger.events if isinstance(e, HiddenDangerEvent))


def hidden_danger_histories(*, closed: bool | None = None, max_steps: int = 12) -> st.SearchStrategy[tuple[HiddenDangerEvent, ...]]:
    """Valid event sequences of one hidden danger through the closed loop (``reported → assessed →
    (plan_approved) → rectifying → rectified → verified → closed``, with further findings, failed
    verifications, overdue marks and production suspensions on the way), built through a live
    :class:`~dualprev_core.hidden_dangers.ledger.Ledger`, so every sequence passes its guards and
    replays (``Ledger.from_events``) to the same state.

    :param closed: ``True``: every history ends closed; ``False``: none does; ``None``: either.
    :param max_steps: at most this many transitions after the report (``closed=True`` goes on until closed).
    """
    _check_sizes(max_steps=max_steps)
    if closed is not None and not isinstance(closed, bool):
        raise InvalidInput(f"closed must be True, False or None (got {closed!r})")
    return _histories(closed, max_steps)
