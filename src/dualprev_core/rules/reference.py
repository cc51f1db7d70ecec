"""The reference engine: obviously correct nested loops, the oracle for the durable engine.

After every step (one fact asserted, updated or retracted; one event or trigger present or
gone) it reports, for each rule that reads the changed record's type, the difference between
the set of tuples satisfying the rule before and after.  Nothing clever, with one observation
that keeps a step linear rather than quadratic in the number of stored records: a step
changes one record, so a tuple that does not contain it satisfies its rule before exactly
when it does after — unless the rule has a ``none`` pattern on the changed type, in which case
the whole set is recomputed.  Otherwise only the tuples containing the changed record are
enumerated (nested loops with that record pinned in each position it can take).
"""

from __future__ import annotations

from typing import Any

from dualprev_core.limits import get_limits
from dualprev_core.rules.format import AnyOf
from dualprev_core.rules.semantics import CRule, EngineBase, RKey, RuleEngineError, Step, Tup, holds

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
    def _satisfying(self, cr: CRule, pinned: RKey | None = None) -> set[Tup]:
        """Every tuple of distinct records that satisfies ``cr`` now (with ``pinned``: only the
        tuples that contain that record)."""
        out: set[Tup] = set()
        pats = cr.positives
        env: dict[str, dict[str, Any]] = {}
        bound: list[tuple[str, str]] = []
        # conditions without refs do not depend on the other bindings: filter once
        lits = [[c for c in p.where if not _has_ref(c)] for p in pats]
        joins = [[c for c in p.where if _has_ref(c)] for p in pats]
        budget = [get_limits().max_tuples_per_step]

        def candidates(i: int) -> list[tuple[str, dict[str, Any]]]:
            recs = self._by_disc.get(pats[i].disc, {})
            return [(k, r) for k, r in recs.items() if all(holds(c, r, env) for c in lits[i])]

        def step(i: int, cands: list[list[tuple[str, dict[str, Any]]]]) -> None:
            if i == len(pats):
                used = set(bound)
                for disc, where in cr.nones:
                    for rkey, rec in self._by_disc.get(disc, {}).items():
                        if (disc, rkey) not in used and all(holds(c, rec, env) for c in where):
                            return
                out.add(tuple(bound))
                return
            p = pats[i]
            budget[0] -= len(cands[i])
            if budget[0] < 0:
                raise RuleEngineError(
                    f"rule {cr.name!r} examined more than max_tuples_per_step={get_limits().max_tuples_per_step} candidate tuples in one step; "
                    "its patterns join too many facts (tie them with 'ref' on a key, or raise the limit: see docs/limits.md)"
                )
            for rkey, rec in cands[i]:
                if (p.disc, rkey) in bound:
                    continue
                if all(holds(c, rec, env) for c in joins[i]):
                    env[p.alias] = rec
                    bound.append((p.disc, rkey))
                    step(i + 1, cands)
                    bound.pop()
                    del env[p.alias]

        full = [candidates(i) for i in range(len(pats))]
        if pinned is None:
            step(0, full)
            return out
        disc, rkey = pinned
        rec = self._by_disc.get(disc, {}).get(rkey)
        if rec is None:  # the record is gone: no tuple contains it
            return out
        for i, p in enumerate(pats):
            if p.disc == disc and all(holds(c, rec, env) for c in lits[i]):
                step(0, [[(rkey, rec)] if j == i else full[j] for j in range(len(pats))])
        return out

    def _diff(self, rules: list[CRule], changed: RKey | None = None) -> Step:
        started: list[tuple[int, Tup]] = []
        stopped: list[tuple[int, Tup]] = []
        for cr in rules:
            old = self._active.get(cr.index, set())
            if changed is None or changed[0] in {d for d, _ in cr.nones}:
                new = self._satisfying(cr)
            else:
                # only tuples containing the changed record can have changed (see the module doc)
                before = {t for t in old if changed in t}
                after = self._satisfying(cr, pinned=changed)
                new = (old - before) | after
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
        return self._diff(self._affected(disc), (disc, rkey))

    def _b_remove(self, disc: str, rkey: str) -> Step:
        return self._diff(self._affected(disc), (disc, rkey))

    def _b_close(self) -> None:
        self._active.clear()
