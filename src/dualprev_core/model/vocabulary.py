"""Closed vocabularies of the domain: owner levels, control kinds, inspection results, grades.

Each member has a machine key (used in files and JSON) and a Chinese label.  ``parse``
accepts either and raises :class:`~dualprev_core.errors.InvalidInput` listing the allowed values.
"""

from __future__ import annotations

import enum
from typing import Final, TypeVar

from dualprev_core.errors import InvalidInput, suggest

__all__ = [
    "OwnerLevel",
    "ControlKind",
    "InspectionResult",
    "HiddenDangerGrade",
    "RiskPointKind",
    "HazardClass",
]

_E = TypeVar("_E", bound="_Vocabulary")
#: Per-class parse tables (key and Chinese label → member), built on first use.
_LOOKUP: dict[type, dict[str, enum.Enum]] = {}


class _Vocabulary(enum.StrEnum):
    """A str enum whose value is the machine key; subclasses give Chinese labels in ``_labels``."""

    @property
    def key(self) -> str:
        return str(self.value)

    @property
    def zh(self) -> str:
        return type(self)._labels().get(self.value, self.value)

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.key

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {}  # subclasses give their Chinese labels

    @classmethod
    def keys(cls) -> list[str]:
        return [m.value for m in cls]

    @classmethod
    def parse(cls: type[_E], value: object) -> _E:
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            lookup = _LOOKUP.get(cls)
            if lookup is None:
                lookup = _LOOKUP[cls] = {**{m.zh: m for m in cls}, **{m.value: m for m in cls}}
            exact = lookup.get(value)
            if exact is not None:
                return exact  # type: ignore[return-value]
            v = value.strip()
            found = lookup.get(v) or lookup.get(v.lower())
            if found is not None:
                return found  # type: ignore[return-value]
        raise InvalidInput(
            f"{value!r} is not one of {', '.join(cls.keys())}{suggest(str(value), cls.keys())}"
        )

    def __str__(self) -> str:
        return str(self.value)


class OwnerLevel(_Vocabulary):
    """Who owns a control (11号文: 企业-车间-班组-岗位), lowest first.

    ``escalates_to`` gives the next owner up; above the company is the regulator
    (only major hidden dangers go there).
    """

    POST = "post"
    TEAM = "team"
    WORKSHOP = "workshop"
    COMPANY = "company"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"post": "岗位", "team": "班组", "workshop": "车间", "company": "公司"}

    @property
    def rank(self) -> int:
        return _OWNER_ORDER.index(self)

    def escalates_to(self) -> OwnerLevel | None:
        """The next owner level up, or ``None`` above the company (the regulator)."""
        i = self.rank + 1
        return _OWNER_ORDER[i] if i < len(_OWNER_ORDER) else None


_OWNER_ORDER: Final = (OwnerLevel.POST, OwnerLevel.TEAM, OwnerLevel.WORKSHOP, OwnerLevel.COMPANY)


class ControlKind(_Vocabulary):
    """Kind of control measure (工程技术/管理/个体防护/培训教育/应急处置)."""

    ENGINEERING = "engineering"
    MANAGEMENT = "management"
    PPE = "ppe"
    TRAINING = "training"
    EMERGENCY = "emergency"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {
            "engineering": "工程技术",
            "management": "管理",
            "ppe": "个体防护",
            "training": "培训教育",
            "emergency": "应急处置",
        }


class InspectionResult(_Vocabulary):
    """The state an inspection finds a control in, best first."""

    EFFECTIVE = "effective"
    WEAKENED = "weakened"
    FAILED = "failed"
    MISSING = "missing"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"effective": "有效", "weakened": "弱化", "failed": "失效", "missing": "缺失"}

    @property
    def severity(self) -> int:
        """0 for effective, 1 weakened, 2 failed, 3 missing (missing is the worst)."""
        return list(InspectionResult).index(self)

    @property
    def is_defect(self) -> bool:
        """Whether this result means a hidden danger exists."""
        return self is not InspectionResult.EFFECTIVE


class HiddenDangerGrade(_Vocabulary):
    """一般 / 重大 事故隐患 (总局令第16号)."""

    GENERAL = "general"
    MAJOR = "major"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"general": "一般事故隐患", "major": "重大事故隐患"}


class RiskPointKind(_Vocabulary):
    """What a risk point is: a place, an installation (设备设施) or an activity (作业活动)."""

    PLACE = "place"
    INSTALLATION = "installation"
    ACTIVITY = "activity"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"place": "场所", "installation": "设备设施", "activity": "作业活动"}


class HazardClass(_Vocabulary):
    """GB/T 13861 top-level classes (人/物/环境/管理), codes 1–4."""

    HUMAN = "human"
    MATERIAL = "material"
    ENVIRONMENT = "environment"
    MANAGEMENT = "management"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"human": "人的因素", "material": "物的因素", "environment": "环境因素", "management": "管理因素"}

    @property
    def code(self) -> str:
        return str(list(HazardClass).index(self) + 1)
