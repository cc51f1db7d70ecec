"""Public hypothesis strategies for the dualprev model, for researchers and pack authors.

Strategies generate *documents* (the enterprise file format as Python data) that are valid by
construction — references resolve, inputs sit on the methods' scales, ``on_failure`` inputs
never lower an input, inherent levels are never below assessed ones — and parse them with
:func:`~dualprev_core.loading.enterprise.parse_enterprise`, so every generated enterprise went through the same
validation a user's file does.

>>> from hypothesis import given
>>> from dualprev_core.strategies import enterprises
>>> @given(enterprises(max_risks=5))
... def test_something(enterprise): ...
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from dualprev_core.errors import InvalidInput
from dualprev_core.grading import core_methods
from dualprev_core.loading.enterprise import CHINA_STANDARD_TIME, parse_enterprise
from dualprev_core.model.levels import RiskLevel
from dualprev_core.model.records import Enterprise, Inspection
from dualprev_core.model.vocabulary import ControlKind, InspectionResult, OwnerLevel

__all__ = ["enterprise_documents", "enterprises", "inspections_for", "risk_levels", "inspection_results"]

_METHODS = {m.name: m for m in core_methods()}
_CATEGORIES = ("火灾", "中毒", "窒息", "机械致害", "高处坠落", "触电", "容器爆炸", "灼烫", "坍塌", "物体打击", "起重致害", "可燃气体爆炸")
_T0 = datetime(2026, 11, 1, 8, 0, tzinfo=CHINA_STANDARD_TIME)


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
def _document(draw: st.DrawFn, min_risks: int, max_risks: int, max_controls: int, max_areas: int) -> dict[str, Any]:
    n_areas = draw(st.integers(1, max_areas))
    areas: list[dict[str, Any]] = []
    for i in range(n_areas):
        a: dict[str, Any] = {"id": f"A{i}", "name": f"区域{i}"}
        if i:
            a["parent"] = f"A{draw(st.integers(0, i - 1))}"
        areas.append(a)
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
            risk["controls"].append(control)
        risks.append(risk)
    return {
        "format": "dualprev-enterprise/1",
        "enterprise": {"id": "E", "name": "生成的企业"},
        "settings": {"escalation": policy},
        "areas": areas,
        "risks": risks,
    }


def enterprise_documents(*, min_risks: int = 1, max_risks: int = 12, max_controls: int = 3, max_areas: int = 5) -> st.SearchStrategy[dict[str, Any]]:
    """Valid enterprise documents (dicts in the file format)."""
    _check_sizes(min_risks=min_risks, max_risks=max_risks, max_controls=max_controls, max_areas=max_areas)
    if max_risks < min_risks or max_areas < 1:
        raise InvalidInput(f"need min_risks <= max_risks and max_areas >= 1 (got {min_risks}, {max_risks}, {max_areas})")
    return _document(min_risks, max_risks, max_controls, max_areas)


def enterprises(**kwargs: int) -> st.SearchStrategy[Enterprise]:
    """Validated :class:`Enterprise` objects (same keywords as :func:`enterprise_documents`)."""
    return enterprise_documents(**kwargs).map(parse_enterprise)


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

