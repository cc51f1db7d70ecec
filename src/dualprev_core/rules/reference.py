"""The reference engine: obviously correct nested loops, the oracle for the durable engine.

After every step (one fact asserted, updated or retracted; one event or trigger present or
gone) it recomputes, for each rule that reads the changed record type, the full set of tuples
that satisfy the rule, and reports the difference with the previous set.  Nothing clever:
correctness is by inspection, speed is whatever nested loops give.
"""

from __future__ import annotations

from typing import Any

from dualprev_core.rules.format import AnyOf
from dualprev_core.rules.semantics import CRule, EngineBase, Step, Tup, holds

__all__ = ["ReferenceEngine"]


def _has_ref(c: Any) -> bool:
    if isinstance(c, AnyOf):
        return any(_has_ref(x) for x in c.items)
    return c.ref is not None


class ReferenceEngine(EngineBase):
    """Pure-Python engine implementing the semantics of docs/rules.md by brute force."""

    kind = "reference"

    def __init__(self, *, clock: Any = None) -> None:
        super().__init__(clock=clock)
        self._active: dict[int, set[Tup]] = {}

    # -- evaluation
    def _satisfying(self, cr: CRule) -> set[Tup]:
        """Every tuple of distinct records that satisfies ``cr`` now."""
        out: set[Tup] = set()
        pats = cr.positives
        env: dict[str, dict[str, Any]] = {}
        bound: list[tuple[str, str]] = []
        # conditions without refs do not depend on the other bindings: filter once
        cands = []
        for p in pats:
            lit = [c for c in p.where if not _has_ref(c)]
            cands.append([(k, r) for k, r in self._by_disc.get(p.disc, {}).items() if all(holds(c, r, env) for c in lit)])
        joins = [[c for c in p.where if _has_ref(c)] for p in pats]

        def step(i: int) -> None:
            if i == len(pats):
                used = set(bound)
                for disc, where in cr.nones:
                    for rkey, rec in self._by_disc.get(disc, {}).items():
                        if (disc, rkey) not in used and all(holds(c, rec, env) for c in where):
                            return
                out.add(tuple(bound))
                return
            p = pats[i]
            for rkey, rec in cands[i]:
                if (p.disc, rkey) in bound:
                    continue
                if all(holds(c, rec, env) for c in joins[i]):
                    env[p.alias] = rec
                    bound.append((p.disc, rkey))
                    step(i + 1)
                    bound.pop()
                    del env[p.alias]

        step(0)
        return out

    def _diff(self, rules: list[CRule]) -> Step:
        started: list[tuple[int, Tup]] = []
        stopped: list[tuple[int, Tup]] = []
        for cr in rules:
            new = self._satisfying(cr)
            old = self._active.get(cr.index, set())
            started += [(cr.index, t) for t in new - old]
            stopped += [(cr.index, t) for t in old - new]
            self._active[cr.index] = new
        return started, stopped

    def _affected(self, disc: str) -> list[CRule]:
        return [cr for cr in self._rules if disc in cr.discs]

    # -- backend hooks
    def _b_load(self, new: list[CRule]) -> Step:
        return self._diff(new)

    def _b_put(self, disc: str, rkey: str, fields: dict[str, Any], *, update: bool) -> Step:
        if disc.startswith("e:"):
            for cr in self._rules:
                if cr.held is not None:
                    j, p = cr.held
                    if "e:" + p.type == disc and all(holds(c, fields, {}) for c in p.where):
                        self._probes.add((cr.index, j))
        return self._diff(self._affected(disc))

    def _b_remove(self, disc: str, rkey: str) -> Step:
        return self._diff(self._affected(disc))

    def _b_close(self) -> None:
        self._active.clear()
