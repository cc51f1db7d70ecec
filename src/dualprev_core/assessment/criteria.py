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
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from dualprev_core.assessment.facts import control_fact, hidden_danger_fact, merge_overlay, pack_overlay, risk_fact
from dualprev_core.hidden_dangers.ledger import CriterionRef, HiddenDanger
from dualprev_core.rules import Match, make_engine

if TYPE_CHECKING:
    from dualprev_core.assessment.assessment import Assessment

__all__ = ["CriteriaSession", "criterion_ref", "applies"]


def criterion_ref(match: Match, versions: dict[str, str]) -> CriterionRef:
    """The :class:`CriterionRef` recorded on a hidden danger for a matching rule."""
    pack = match.pack or "unknown"
    return CriterionRef(criterion_id=match.rule, pack=pack, pack_version=versions.get(pack, ""), citation=match.citation)


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


class CriteriaSession:
    """The installed packs' rule files running over one assessment's facts.

    :param assessment: the assessment whose enterprise is judged.
    :param engine: ``"auto"`` (durable-rules if importable), ``"durable"`` or ``"reference"``.
    """

    def __init__(self, assessment: Assessment, *, engine: str = "auto") -> None:
        self.assessment = assessment
        self.engine = make_engine(engine)
        self.versions = {name: m.version for name, m in assessment.packs.manifests.items()}
        self.pending: list[Match] = []
        # Rule sets were validated once at registration, with the registering pack as provider
        # (a file's own 'pack' field is informational), so a criterion names the installed pack.
        self.skipped: list[str] = []
        for ruleset_id, ruleset in sorted(assessment.packs.registry.rulesets.items()):
            if not applies(assessment.packs.manifests.get(ruleset.pack or ""), assessment.enterprise.industry):
                self.skipped.append(ruleset_id)
                continue
            self.pending += self.engine.load(ruleset)
        from dualprev_core.assessment.facts import enterprise_facts

        # The packs' derived fields, computed once per session and merged again into every
        # re-asserted fact (an engine replaces a re-asserted fact whole).
        self.overlay = pack_overlay(assessment)
        self.pending += self.engine.assert_facts(merge_overlay(enterprise_facts(assessment, overlay=self.overlay), {}))

    @property
    def has_rules(self) -> bool:
        return bool(self.engine.rules)

    def close(self) -> None:
        self.engine.close()

    def refresh(self, *, controls: Iterable[str] = (), risks: Iterable[str] = (), hidden_dangers: Iterable[HiddenDanger] = ()) -> list[Match]:
        """Re-assert the facts that changed; returns the matches that started."""
        a = self.assessment
        facts: list[dict[str, Any]] = [control_fact(a, c) for c in controls]
        facts += [risk_fact(a, r) for r in risks]
        facts += [hidden_danger_fact(h, a.inspection_facts(h)) for h in hidden_dangers]
        overlay = {k: v for k, v in self.overlay.items() if k in {(f["type"], f["key"]) for f in facts}}
        started = self.engine.assert_facts(merge_overlay(facts, overlay))
        self.pending += started
        return started

    def grade(self, hd: HiddenDanger) -> list[CriterionRef]:
        """The criteria that make ``hd`` major, given the current facts (empty: general)."""
        c = self.assessment.graph.record(hd.control_id, "control") if hd.control_id in self.assessment.graph.G else None
        self.refresh(controls=[hd.control_id] if c else [], risks=c.mitigates if c else (), hidden_dangers=[hd])
        found: dict[str, CriterionRef] = {}
        for m in self.engine.current_matches():
            if not _grades_major(m):
                continue
            keys = {(b.type, b.key) for b in m.bindings}
            binds_hd = any(t == "hidden_danger" for t, _ in keys)
            if ("hidden_danger", hd.id) in keys or (not binds_hd and ("control", hd.control_id) in keys):
                found.setdefault(m.rule, criterion_ref(m, self.versions))
        return [found[k] for k in sorted(found)]

    def take_pending(self) -> list[Match]:
        """The matches that started since the last call (outcomes other than grading to act on)."""
        out, self.pending = self.pending, []
        return out
