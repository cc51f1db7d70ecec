"""What every output is drawn from: an assessed enterprise, its ledger, and where they came from.

An :class:`OutputSource` bundles the live :class:`~dualprev_core.assessment.assessment.Assessment`
with the facts a printed document must state about its origin: when it was drawn, what the data
runs to, the file or database it was read from and — for a store — the stream's head hash, so a
printed map can be matched to the exact state it shows.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs

from dualprev_core.assessment.assessment import Assessment
from dualprev_core.model.levels import RiskLevel
from dualprev_core.model.records import Area, Control, Enterprise, Post, Risk

__all__ = ["OutputSource", "source_from_files", "source_from_state", "LOCAL_TIME"]

#: Documents print times in China Standard Time (the enterprise files' default zone).
LOCAL_TIME = timezone(timedelta(hours=8), "CST")


@attrs.define(slots=False)
class OutputSource:
    """An assessed enterprise ready to be drawn, with its provenance.

    :ivar assessment: the assessment (levels, ledger, packs).
    :ivar origin: what it was read from, for people (a path or a database URL without password).
    :ivar generated_at: when the document is drawn.
    :ivar head: the store stream's head hash, when read from a store.
    """

    assessment: Assessment
    origin: str
    generated_at: datetime
    head: str | None = None

    @property
    def enterprise(self) -> Enterprise:
        return self.assessment.enterprise

    @property
    def data_until(self) -> datetime | None:
        """The latest recorded time in the data (inspection or hidden-danger event)."""
        times = [i.at for i in self.enterprise.inspections] + [ev.at for ev in self.assessment.ledger.events]
        return max(times) if times else None

    # -- lookups shared by every output ------------------------------------------------------
    def area(self, area_id: str) -> Area | None:
        return self._areas.get(area_id)

    def post(self, post_id: str | None) -> Post | None:
        return self._posts.get(post_id) if post_id else None

    def has_risk(self, risk_id: str) -> bool:
        return risk_id in self._risks

    def risk(self, risk_id: str) -> Risk:
        return self._risks[risk_id]

    def controls_of(self, risk_id: str) -> list[Control]:
        """The controls mitigating a risk, in file order."""
        return self._controls_of.get(risk_id, [])

    def area_path(self, area_id: str) -> str:
        """``厂区 / 合成车间 / 反应釜区`` — the area's names from the root."""
        names: list[str] = []
        cur: str | None = area_id
        seen: set[str] = set()
        while cur is not None and cur in self._areas and cur not in seen:
            seen.add(cur)
            names.append(self._areas[cur].name)
            cur = self._areas[cur].parent
        return " / ".join(reversed(names))

    def descendants(self, area_id: str) -> set[str]:
        """The area and every area below it."""
        out, todo = set(), [area_id]
        while todo:
            a = todo.pop()
            if a not in out:
                out.add(a)
                todo.extend(self._children.get(a, ()))
        return out

    def children(self, area_id: str | None) -> list[Area]:
        """Areas directly below ``area_id`` (roots for ``None``), in file order."""
        return [self._areas[a] for a in self._children.get(area_id, ())]

    def own_level(self, area_id: str) -> RiskLevel | None:
        """Highest current level of the active risks located directly in the area (not below it)."""
        levels = [self.assessment.current_level(r.id) for r in self.enterprise.risks if r.area == area_id and r.id in self.assessment.active]
        return max(levels) if levels else None

    def people(self, post_id: str | None) -> str:
        p = self.post(post_id)
        return "、".join(p.people) if p else ""

    def post_name(self, post_id: str | None) -> str:
        p = self.post(post_id)
        return p.name if p else (post_id or "")

    def fact(self, *names: str) -> Any:
        """The first of the enterprise's ``facts`` present under any of ``names``."""
        for n in names:
            if self.enterprise.facts.get(n) not in (None, ""):
                return self.enterprise.facts[n]
        return None

    @functools.cached_property
    def major_hazards(self) -> dict[str, bool | None]:
        """Each major hazard installation record's identification: ``True`` when a pack's report
        identifies it as a major hazard (重大危险源), ``False`` when it does not, ``None`` when no
        installed pack judges it (a candidate only)."""
        out: dict[str, bool | None] = {m.id: None for m in self.enterprise.major_hazard_installations}
        section = self.assessment.packs.assess_enterprise(self.assessment).get("major_hazard_installations")
        for unit in section if isinstance(section, list) else ():
            if isinstance(unit, dict) and unit.get("id") in out and isinstance(unit.get("is_major_hazard"), bool):
                out[unit["id"]] = unit["is_major_hazard"]
        return out

    @functools.cached_property
    def _areas(self) -> dict[str, Area]:
        return {a.id: a for a in self.enterprise.areas}

    @functools.cached_property
    def _posts(self) -> dict[str, Post]:
        return {p.id: p for p in self.enterprise.posts}

    @functools.cached_property
    def _risks(self) -> dict[str, Risk]:
        return {r.id: r for r in self.enterprise.risks}

    @functools.cached_property
    def _controls_of(self) -> dict[str, list[Control]]:
        out: dict[str, list[Control]] = {}
        for c in self.enterprise.controls:
            for r in c.mitigates:
                out.setdefault(r, []).append(c)
        return out

    @functools.cached_property
    def _children(self) -> dict[str | None, list[str]]:
        out: dict[str | None, list[str]] = {}
        ids = {a.id for a in self.enterprise.areas}
        for a in self.enterprise.areas:
            out.setdefault(a.parent if a.parent in ids else None, []).append(a.id)
        return out


def source_from_files(enterprise_file: str | Path, ledger_file: str | Path | None = None, *, packs: Any = None,
                      generated_at: datetime | None = None) -> OutputSource:
    """Load and assess an enterprise file, continuing a hidden-danger event file (JSON lines) if given.

    The enterprise's own inspections are replayed (those the ledger already holds are not recorded
    twice) and the installed packs' criteria are evaluated, exactly as ``dualprev assess`` does.
    """
    from dualprev_core.hidden_dangers.ledger import Ledger
    from dualprev_core.loading.enterprise import load_enterprise

    if packs is None:
        from dualprev_core.packs.loader import load_packs

        packs = load_packs()
    enterprise = load_enterprise(enterprise_file, packs=packs)
    ledger = Ledger.from_jsonl(ledger_file) if ledger_file is not None and Path(ledger_file).exists() else None
    if ledger_file is not None and ledger is None:
        from dualprev_core.errors import InvalidInput

        raise InvalidInput(f"{ledger_file}: --ledger file not found")
    a = Assessment(enterprise, packs=packs, ledger=ledger)
    times = [i.at for i in enterprise.inspections]
    a.evaluate_criteria(at=max(times) if times else None)
    origin = str(enterprise_file) + (f" + {ledger_file}" if ledger_file is not None else "")
    return OutputSource(a, origin, generated_at or datetime.now(LOCAL_TIME))


def source_from_state(state: Any, *, generated_at: datetime | None = None) -> OutputSource:
    """An :class:`OutputSource` from a store's (or files') ``EnterpriseState`` (see ``dualprev_core.store``).

    The installed packs' criteria are evaluated as ``dualprev assess`` does; from a store, the
    stream's head hash is kept so documents print it.
    """
    a = state.assessment()
    times = [i.at for i in state.enterprise.inspections]
    a.evaluate_criteria(at=max(times) if times else None)
    return OutputSource(a, str(state.origin), generated_at or datetime.now(LOCAL_TIME), head=state.head_hash)
