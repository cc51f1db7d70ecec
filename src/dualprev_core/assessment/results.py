"""What an assessment answers, as records: why a risk has its levels (:class:`LevelExplanation`,
:class:`ControlEffect`), what moved (:class:`LevelChange`) and what recording one inspection did
(:class:`InspectionOutcome`) — each JSON-ready through ``to_dict()``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from dualprev_core.grading import Grading
from dualprev_core.hidden_dangers.ledger import HiddenDanger
from dualprev_core.model.levels import RiskLevel
from dualprev_core.model.vocabulary import InspectionResult

__all__ = ["ControlEffect", "LevelExplanation", "LevelChange", "InspectionOutcome", "outcome_text"]


@attrs.frozen
class ControlEffect:
    """How one defective control moved a risk's current level."""

    control: str
    state: InspectionResult
    critical: bool
    hidden_dangers: tuple[str, ...]
    inputs: Mapping[str, tuple[float, float]] = attrs.field(factory=dict)  # name -> (assessed, raised)
    steps: int = 0

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"control": self.control, "state": self.state.key, "critical": self.critical, "hidden_dangers": list(self.hidden_dangers)}
        if self.inputs:
            d["inputs"] = {k: {"assessed": _n(a), "while_defective": _n(b)} for k, (a, b) in self.inputs.items()}
        if self.steps:
            d["steps"] = self.steps
        return d


@attrs.frozen
class LevelExplanation:
    """Why a risk has the levels it has: method, variant, inputs, provider, clause, moving controls."""

    risk: str
    assessed: Grading
    current: RiskLevel
    recomputed: Grading | None
    effects: tuple[ControlEffect, ...]
    steps: int
    inherent: RiskLevel | None
    capped_by_inherent: bool
    provider: str
    provider_version: str

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "assessed": self.assessed.to_dict(),
            "current_level": self.current.key,
            "provider": {"pack": self.provider, "version": self.provider_version},
            "moved_by": [e.to_dict() for e in self.effects],
        }
        if self.recomputed is not None:
            d["recomputed"] = {"inputs": {k: _n(v) for k, v in self.recomputed.inputs.items()}, "score": _n(self.recomputed.score), "level": self.recomputed.level.key, "decided_by": self.recomputed.decided_by}
        if self.steps:
            d["escalation_steps"] = self.steps
        if self.inherent is not None:
            d["inherent_level"] = self.inherent.key
            d["capped_by_inherent"] = self.capped_by_inherent
        return d

    def sentence(self, lang: str = "zh") -> str:
        """One line for people: ``LEC V1: D = 270 > 160 → 较大; now 重大 (C-12 failed)``."""
        a = self.assessed
        base = f"{a.method.upper()} {a.variant}: {a.decided_text(lang)} → {a.level.label(lang)}"
        if self.current != a.level:
            why = ", ".join(f"{e.control} {e.state.label(lang)}" for e in self.effects)
            base += f"; {'现为' if lang == 'zh' else 'now'} {self.current.label(lang)} ({why})"
        return base


@attrs.frozen
class LevelChange:
    """A risk or area whose current level moved."""

    id: str
    kind: str
    before: RiskLevel | None
    after: RiskLevel | None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "before": self.before.key if self.before else None, "after": self.after.key if self.after else None}


@attrs.frozen
class InspectionOutcome:
    """What recording one inspection did."""

    inspection: str
    hidden_danger: HiddenDanger | None
    opened: bool
    changes: tuple[LevelChange, ...]
    #: The ledger already held this inspection's finding (a re-run); nothing was recorded again.
    already_recorded: bool = False

    def to_dict(self) -> dict[str, Any]:
        hd = self.hidden_danger
        return {
            "inspection": self.inspection,
            "hidden_danger": None if hd is None else {"id": hd.id, "control": hd.control_id, "grade": hd.grade.key if hd.grade else None,
                                                      "finding": hd.finding.key, "criteria": [c.to_dict() for c in hd.criteria]},
            "opened": self.opened,
            "already_recorded": self.already_recorded,
            "changes": [c.to_dict() for c in self.changes],
        }


def outcome_text(value: Mapping[str, Any]) -> str:
    """The human text of an ``open_hidden_danger``/``alarm`` outcome (``message`` or ``title``)."""
    return str(value.get("message") or value.get("title") or "")


def _n(v: float) -> float | int:
    return int(v) if float(v).is_integer() else v
