"""Pack criteria at work: the registered rule files evaluated against the enterprise's facts.

A :class:`CriteriaSession` holds one rule engine (durable-rules or the reference engine, see
:func:`dualprev_core.rules.make_engine`) loaded with every rule file the installed packs
registered, and keeps the enterprise's facts in it up to date.  It answers two questions:

* *Is this hidden danger major?* — a rule with the outcome ``grade_hidden_danger: major``
  matches with one of its aliases bound to that hidden danger (or, for rules that do not bind
  a hidden danger, to the control it degrades).  Each match becomes a
  :class:`~dualprev_core.hidden_dangers.ledger.CriterionRef` naming the rule, pack, version and clause.
* *What do the facts call for right now?* — other outcomes (``open_hidden_danger``, ``alarm``,
  ``escalate``, ``flag``) are returned as matches for the caller to act on.

Cost: the session asserts only facts of the types the loaded rules name, and of those only
the facts that pass the literal (non-join) conditions of at least one pattern on their type —
a fact that passes none can neither bind nor block a ``none``.  Rule files of packs whose
industry does not apply are not loaded, so when no pack applies the session holds nothing and
costs nothing.  After that, each change re-asserts (or retracts) just the facts it touched.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from dualprev_core.assessment.facts import (
    area_fact,
    control_fact,
    enterprise_facts,
    hidden_danger_fact,
    merge_overlay,
    pack_overlay,
    risk_fact,
)
from dualprev_core.hidden_dangers.ledger import CriterionRef, HiddenDanger
from dualprev_core.rules import Match, make_engine
from dualprev_core.rules.format import AnyOf, FactPattern, NonePattern, RuleSet
from dualprev_core.rules.semantics import holds
from dualprev_core.rules.versions import CriteriaDocument, VersionChoice, check_choice, select_rulesets

if TYPE_CHECKING:
    from dualprev_core.assessment.assessment import Assessment

__all__ = ["CriteriaSession", "criterion_ref", "applies", "fact_filters"]


def criterion_ref(match: Match, versions: dict[str, str], document: CriteriaDocument | None = None, *, named: bool = False) -> CriterionRef:
    """The :class:`CriterionRef` recorded on a hidden danger for a matching rule; ``document`` is the
    version of the criteria document its rule set encodes (``named``: the caller chose it)."""
    pack = match.pack or "unknown"
    used = ""
    if document is not None:
        used = f"{document.key}: {document.label()}; " + ("named by the caller" if named else "in force at the finding")
    return CriterionRef(criterion_id=match.rule, pack=pack, pack_version=versions.get(pack, ""), citation=match.citation, document=used)


def applies(manifest: Any, industry: str) -> bool:
    """Whether a pack's rule files apply to an enterprise of ``industry``.

    A pack that declares an industry (``PackManifest.industry``) judges only enterprises of that
    industry — mine criteria are not applied to a chemical plant; a pack without one, or an
    enterprise that names no industry, gets every installed pack's rules.
    """
    pack_industry = getattr(manifest, "industry", "") or ""
    return not pack_industry or not industry or industry == pack_industry


def _grades_major(match: Match) -> bool:
    return any(o.kind == "grade_hidden_danger" and str(o.value).lower() == "major" for o in match.outcomes)


def _has_ref(c: Any) -> bool:
    return any(_has_ref(x) for x in c.items) if isinstance(c, AnyOf) else c.ref is not None


def fact_filters(rulesets: Iterable[RuleSet]) -> dict[str, list[tuple[Any, ...]]]:
    """Per fact type the loaded rules name: the literal conditions of each pattern on it.

    A fact can take part in a match (bind an alias, or block a ``none``) only if it satisfies
    every literal condition of some pattern on its type; conditions that join with another
    alias (``ref``) cannot be decided alone and are left out, so the filter only ever admits
    more facts than can match, never fewer.
    """
    out: dict[str, list[tuple[Any, ...]]] = {}
    for rs in rulesets:
        for rule in rs.rules:
            if not rule.enabled:
                continue
            for p in rule.when:
                if isinstance(p, (FactPattern, NonePattern)):
                    out.setdefault(p.type, []).append(tuple(c for c in p.where if not _has_ref(c)))
    return out


class CriteriaSession:
    """The installed packs' rule files running over one assessment's facts.

    :param assessment: the assessment whose enterprise is judged.
    :param engine: ``"auto"`` (durable-rules if importable), ``"durable"`` or ``"reference"``.
    :param versions: criteria versions the caller names (``standard@version``); without, each
        finding is judged by the versions in force when it was made.

    Every version of every applicable rule set is loaded; which of them judges a hidden danger is
    decided per finding (:meth:`rulesets_at`), so one session judges an old and a new finding each
    by its own version.
    """

    def __init__(self, assessment: Assessment, *, engine: str = "auto", versions: VersionChoice | None = None) -> None:
        self.assessment = assessment
        self.choice = versions or VersionChoice()
        self.engine = make_engine(engine)
        self.versions = {name: m.version for name, m in assessment.packs.manifests.items()}
        self.pending: list[Match] = []
        # Rule sets were validated once at registration, with the registering pack as provider
        # (a file's own 'pack' field is informational), so a criterion names the installed pack.
        self.skipped: list[str] = []
        loaded: list[RuleSet] = []
        for ruleset_id, ruleset in sorted(assessment.packs.registry.rulesets.items()):
            if not applies(assessment.packs.manifests.get(ruleset.pack or ""), assessment.enterprise.industry):
                self.skipped.append(ruleset_id)
                continue
            self.pending += self.engine.load(ruleset)
            loaded.append(ruleset)
        #: the loaded rule sets (every version)
        self.rulesets: dict[str, RuleSet] = {rs.id: rs for rs in loaded}
        if self.choice:
            # a named version no installed pack encodes is refused now (a pack's standards may
            # name versions its other data encodes, e.g. construction's 危大 threshold editions)
            declared = [f"{c.standard}@{c.edition}" if c.edition else c.standard
                        for m in assessment.packs.manifests.values() for c in getattr(m, "standards", ())]
            check_choice(self.choice, loaded, [*declared, *(c.split("@")[0] for c in declared)])
        #: fact type -> literal conditions of each pattern on it (see :func:`fact_filters`)
        self.filters = fact_filters(loaded)
        #: (type, key) of the facts in the engine
        self.present: set[tuple[str, str]] = set()
        # The packs' derived fields, computed once per session and merged again into every
        # re-asserted fact (an engine replaces a re-asserted fact whole).  Not needed (and the
        # packs not called) when no loaded rule reads a fact.
        self.overlay = pack_overlay(assessment) if self.filters else {}
        if self.filters:
            facts = merge_overlay(enterprise_facts(assessment, overlay=self.overlay, types=self.filters), {})
            self.pending += self._put(facts)

    @property
    def has_rules(self) -> bool:
        return bool(self.engine.rules)

    @property
    def fact_types(self) -> frozenset[str]:
        """The fact types the loaded rules name (the only ones the session builds)."""
        return frozenset(self.filters)

    def admits(self, fact: dict[str, Any]) -> bool:
        """Whether ``fact`` passes the literal conditions of some pattern on its type."""
        return any(all(holds(c, fact, {}) for c in conds) for conds in self.filters.get(fact["type"], ()))

    def _put(self, facts: list[dict[str, Any]]) -> list[Match]:
        """Assert the facts that can take part in a match; retract those that no longer can."""
        started: list[Match] = []
        batch: list[dict[str, Any]] = []
        for f in facts:
            ident = (f["type"], f["key"])
            if self.admits(f):
                batch.append(f)
                self.present.add(ident)
            elif ident in self.present:
                if batch:
                    started += self.engine.assert_facts(batch)
                    batch = []
                self.present.discard(ident)
                started += self.engine.retract_fact(*ident)
        if batch:
            started += self.engine.assert_facts(batch)
        return started

    def close(self) -> None:
        self.engine.close()

    def refresh(self, *, controls: Iterable[str] = (), risks: Iterable[str] = (), areas: Iterable[str] = (),
                hidden_dangers: Iterable[HiddenDanger] = ()) -> list[Match]:
        """Re-assert the facts that changed (of the types the rules name); returns the matches that started.

        The assessment calls this on every change (a control's state, the risks and areas whose
        level moved, a hidden danger's event), so the engine's facts always equal what
        :func:`~dualprev_core.assessment.facts.enterprise_facts` would build now.
        """
        if not self.filters:
            return []
        a, types = self.assessment, self.filters
        facts: list[dict[str, Any]] = [control_fact(a, c) for c in controls] if "control" in types else []
        if "risk" in types:
            facts += [risk_fact(a, r) for r in risks]
        if "area" in types:
            facts += [area_fact(a, x) for x in areas]
        if "hidden_danger" in types:
            facts += [hidden_danger_fact(h, a.inspection_facts(h)) for h in hidden_dangers]
        if not facts:
            return []
        idents = {(f["type"], f["key"]) for f in facts}
        overlay = {k: v for k, v in self.overlay.items() if k in idents}
        started = self._put(merge_overlay(facts, overlay))
        self.pending += started
        return started

    def rulesets_at(self, at: datetime) -> frozenset[str]:
        """Ids of the loaded rule sets that judge a finding made at ``at`` (the caller's versions, else those in force)."""
        return frozenset(rs.id for rs in select_rulesets(self.rulesets.values(), at, self.choice))

    def judges(self, match: Match, at: datetime) -> bool:
        """Whether ``match``'s rule set judges a finding made at ``at``."""
        return match.ruleset not in self.rulesets or match.ruleset in self.rulesets_at(at)

    def ref(self, match: Match) -> CriterionRef:
        """The :class:`CriterionRef` for ``match``, naming the document version its rule set encodes."""
        rs = self.rulesets.get(match.ruleset)
        doc = rs.document if rs is not None else None
        return criterion_ref(match, self.versions, doc, named=doc is not None and self.choice.picks(doc))

    def grade(self, hd: HiddenDanger) -> list[CriterionRef]:
        """The criteria that make ``hd`` major, given the current facts (empty: general).

        Only rule sets that judge a finding made when ``hd`` was found (:meth:`rulesets_at`) count.
        """
        if not self.filters:
            return []
        # the assessment keeps the facts in step (refresh on every change); the hidden danger's
        # own fact is re-asserted in case it was reported before this session existed
        self.refresh(hidden_dangers=[hd])
        found: dict[str, CriterionRef] = {}
        judging = self.rulesets_at(hd.reported_at)
        for m in self.engine.current_matches():
            if not _grades_major(m) or (m.ruleset in self.rulesets and m.ruleset not in judging):
                continue
            keys = {(b.type, b.key) for b in m.bindings}
            binds_hd = any(t == "hidden_danger" for t, _ in keys)
            if ("hidden_danger", hd.id) in keys or (not binds_hd and ("control", hd.control_id) in keys):
                found.setdefault(m.rule, self.ref(m))
        return [found[k] for k in sorted(found)]

    def take_pending(self) -> list[Match]:
        """The matches that started since the last call (outcomes other than grading to act on)."""
        out, self.pending = self.pending, []
        return out
