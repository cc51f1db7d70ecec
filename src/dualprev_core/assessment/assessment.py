"""Assessed and current levels, aggregates and explanations, updated incrementally (docs/semantics.md, "Levels").

:class:`Assessment` grades every risk once, then keeps current levels, area colours and the
enterprise level up to date as inspections are recorded and hidden dangers open and close.
A change to one control recomputes only the risks that control mitigates, the areas above
them (per-area level counters) and the enterprise level — never the whole enterprise.

Current level of a risk::

    inputs'  = assessed inputs, each raised to the ``on_failure`` value of every defective
               control that states one (max, so a defect never lowers an input)
    steps    = Σ policy steps for defective controls without ``on_failure`` (default: one per
               failed or missing critical control)
    current  = min(grade(inputs').level raised by steps, inherent level or MAJOR), ≥ assessed

A control is defective while an *open* hidden danger degrades it; its state is the worst
finding among them.  Hidden dangers close only by verification (see
:mod:`dualprev_core.hidden_dangers.ledger`), so a later "effective" inspection does not restore a level.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, overload

import attrs

from dualprev_core._gc import gc_paused
from dualprev_core.assessment.criteria import CriteriaSession
from dualprev_core.assessment.results import ControlEffect, InspectionOutcome, LevelChange, LevelExplanation, outcome_text
from dualprev_core.clock import Clock, SystemClock
from dualprev_core.errors import TransitionRejected, UnknownReference, suggest
from dualprev_core.grading import Grading, GradingMethod
from dualprev_core.graph import RiskGraph, area_chains
from dualprev_core.hidden_dangers.ledger import SYSTEM_ACTOR, HiddenDanger, HiddenDangerEvent, Ledger, LedgerEvent
from dualprev_core.model.levels import RiskLevel
from dualprev_core.model.records import Area, Control, Enterprise, Inspection, Risk
from dualprev_core.model.vocabulary import HiddenDangerGrade, InspectionResult, OwnerLevel
from dualprev_core.packs import Packs, load_packs
from dualprev_core.packs.builtin import HIGHEST_CURRENT, highest_current_level
from dualprev_core.packs.registry import EnterpriseLevel

__all__ = [
    "Assessment",
    "LevelExplanation",
    "ControlEffect",
    "EnterpriseLevel",
    "InspectionOutcome",
    "LevelChange",
    "highest_current_level",
    "DEFAULT_RECTIFICATION_DAYS",
    "HiddenDangerFacts",
    "outcome_text",
]

#: Default rectification periods when an inspection opens a hidden danger.  These are dualprev's
#: own defaults, not a standard's: 总局令第16号 sets none (general = "immediately"; major = per plan).
DEFAULT_RECTIFICATION_DAYS: Mapping[str, int] = {"general": 7, "major": 30}


class Assessment:
    """The live assessment of one enterprise.

    :param enterprise: a validated enterprise (from :func:`~dualprev_core.loading.enterprise.load_enterprise`).
    :param packs: loaded packs (default: the core alone, no entry points).
    :param ledger: the hidden-danger ledger to use (default: a new one on ``clock``).
    :param clock: time source for events the assessment emits.
    :param replay_inspections: record the enterprise's inspections, sorted by (time, id).
    :param rules_engine: engine for pack rule files: ``auto``, ``durable`` or ``reference``.
    :param criteria_versions: criteria versions to judge by (``standard@version`` or ``standard``,
        e.g. ``建质〔2009〕87号@2009``), whatever the findings' dates; without, each finding is judged
        by the versions in force when it was made (docs/rules.md, "Criteria by version").
    """

    def __init__(
        self,
        enterprise: Enterprise,
        *,
        packs: Packs | None = None,
        ledger: Ledger | None = None,
        clock: Clock | None = None,
        replay_inspections: bool = True,
        rules_engine: str = "auto",
        criteria_versions: Iterable[str] | None = None,
    ) -> None:
        from dualprev_core.rules.versions import VersionChoice

        #: the criteria versions the caller named (empty: by the findings' dates)
        self.criteria_versions = VersionChoice.parse(list(criteria_versions) if criteria_versions is not None else None)
        with gc_paused():
            self._build(enterprise, packs, ledger, clock, rules_engine)
        if replay_inspections:
            for insp in sorted(enterprise.inspections, key=lambda i: (i.at, i.id)):
                self.record_inspection(insp)

    def _build(self, enterprise: Enterprise, packs: Packs | None, ledger: Ledger | None, clock: Clock | None, rules_engine: str) -> None:
        self.enterprise = enterprise
        self.packs = packs if packs is not None else load_packs(load_entrypoints=False)
        self.packs.require_complete()  # no decision while an installed pack failed to load
        self.clock = clock if clock is not None else SystemClock()
        self.ledger = ledger if ledger is not None else Ledger(clock=self.clock)
        self._risks: dict[str, Risk] = {r.id: r for r in enterprise.risks}
        self._area_chain = area_chains(enterprise)
        self._areas: dict[str, Area] = {a.id: a for a in enterprise.areas}
        self._gradings: dict[tuple[Any, ...], Grading] = {}
        self._assessed_memo: dict[tuple[Any, ...], Grading] = {}
        self._assessed: dict[str, Grading] = {r.id: self._grade_assessed(r) for r in enterprise.risks}
        # Nothing is defective yet, so current = assessed (Restorable); counts go per area, then up.
        self._current: dict[str, RiskLevel] = {rid: g.level for rid, g in self._assessed.items()}
        self._control_state: dict[str, InspectionResult] = {}
        #: Risks that count in aggregates (a pack may set some aside, e.g. by construction phase).
        self.active: frozenset[str] = self.packs.active_risks(enterprise.risks, enterprise)
        self._area_counts: dict[str, Counter[RiskLevel]] = {a: Counter() for a in self._area_chain}
        everyone = len(self.active) == len(self._current)
        # (area, level) pairs counted in C, then spread: _current is in the enterprise's risk order
        pairs = Counter(zip([r.area for r in enterprise.risks], self._current.values(), strict=True)) if everyone else \
            Counter((r.area, self._current[r.id]) for r in enterprise.risks if r.id in self.active)
        for (area, level), n in pairs.items():
            self._area_counts[area][level] += n
        for area, chain in sorted(self._area_chain.items(), key=lambda kv: -len(kv[1])):
            if len(chain) > 1:
                self._area_counts[chain[1]].update(self._area_counts[area])
        self._all_counts: Counter[RiskLevel] = Counter(self._current.values()) if everyone else \
            Counter(lvl for rid, lvl in self._current.items() if rid in self.active)
        self._pending_changes: list[LevelChange] = []
        self._criteria: CriteriaSession | None = None
        self._engine_kind = rules_engine
        #: Criteria that matched but could not be acted on, with the reason (never silently lost).
        self.unapplied: list[tuple[Any, str]] = []
        self._recorded_sources: set[str] = {src for ev in self.ledger.events if (src := getattr(ev, "source", None))}
        self._inspection_facts: dict[str, dict[str, Any]] = {i.id: dict(i.facts) for i in enterprise.inspections if i.facts}
        self.ledger.subscribe(self._on_event)
        for hd in self.ledger.open():
            if hd.control_id is not None:  # one no control covers moves no level
                self._refresh_control(hd.control_id)
        self._pending_changes.clear()

    @functools.cached_property
    def _controls(self) -> dict[str, Control]:
        """The controls by id (built on first use: the assessed levels do not need it)."""
        return {c.id: c for c in self.enterprise.controls}

    @functools.cached_property
    def _controls_of(self) -> dict[str, list[Control]]:
        """Each risk's controls (built on the first change: a read-only assessment never needs it)."""
        out: dict[str, list[Control]] = {r: [] for r in self._risks}
        for c in self.enterprise.controls:
            for r in c.mitigates:
                out[r].append(c)
        return out

    @functools.cached_property
    def graph(self) -> RiskGraph:
        """The enterprise's risk graph with its hidden-danger nodes (built on first use)."""
        g = RiskGraph(self.enterprise)
        for hd in self.ledger.all():
            if hd.control_id in self._controls:
                g.add_hidden_danger(hd.id, hd.control_id, record=hd)
        return g

    def _grade_assessed(self, r: Risk) -> Grading:
        """:meth:`_grade_inputs` of the risk's own inputs, memoised on them as loaded (in the
        method's parameter order, so no sorting is needed for the key)."""
        key = (r.method, r.variant, tuple(r.inputs.items()))
        g = self._assessed_memo.get(key)
        if g is None:
            g = self._assessed_memo[key] = self._grade_inputs(r, r.inputs)
        return g

    def _grade_inputs(self, r: Risk, inputs: Mapping[str, float]) -> Grading:
        """Grade with the risk's method, variant and edge; memoised (the input space is small)."""
        variant, edge = self._variant(r), self._edge(r)
        key = (r.method, variant, edge, tuple(sorted(inputs.items())))
        g = self._gradings.get(key)
        if g is None:
            g = self._gradings[key] = self._method(r).grade(inputs, variant=variant, edge=edge)
        return g

    # -- configuration ---------------------------------------------------------------------
    def _method(self, r: Risk) -> GradingMethod:
        return self.packs.registry.method(r.method)

    def _variant(self, r: Risk) -> str | None:
        return r.variant or self.enterprise.settings.variants.get(r.method)

    def _edge(self, r: Risk) -> Any:
        return self.enterprise.settings.edges.get(r.method)

    # -- level computation -----------------------------------------------------------------
    def _compute(self, r: Risk) -> LevelExplanation:
        assessed = self._assessed[r.id]
        policy = self.enterprise.settings.escalation
        inputs = dict(assessed.inputs)
        effects: list[ControlEffect] = []
        steps = 0
        for c in self._controls_of[r.id]:
            state = self._control_state.get(c.id, InspectionResult.EFFECTIVE)
            if not state.is_defect:
                continue
            hds = tuple(h.id for h in self.ledger.open_on_control(c.id))
            applies = state is not InspectionResult.WEAKENED or policy.weakened_raises
            if c.on_failure and applies:
                moved = {k: (assessed.inputs[k], max(assessed.inputs[k], v)) for k, v in c.on_failure.items() if k in assessed.inputs}
                for k, (_, v) in moved.items():
                    inputs[k] = max(inputs[k], v)
                effects.append(ControlEffect(c.id, state, c.critical, hds, inputs=moved))
            elif policy.counts(state, c.critical):
                steps += policy.steps_per_defect
                effects.append(ControlEffect(c.id, state, c.critical, hds, steps=policy.steps_per_defect))
            else:
                effects.append(ControlEffect(c.id, state, c.critical, hds))
        recomputed = None
        level = assessed.level
        if inputs != dict(assessed.inputs):
            recomputed = self._grade_inputs(r, inputs)
            level = max(level, recomputed.level)
        level = level.raised(steps)
        capped = False
        if r.inherent_level is not None and level > r.inherent_level:
            level, capped = r.inherent_level, True
        level = max(level, assessed.level)
        method = self._method(r)
        version = self.packs.registry.manifests.get(method.provider)
        return LevelExplanation(r.id, assessed, level, recomputed, tuple(effects), steps, r.inherent_level, capped,
                                method.provider, version.version if version else "")

    def _set_current(self, risk: str, explanation: LevelExplanation) -> None:
        old = self._current.get(risk)
        new = explanation.current
        if old == new:
            return
        self._current[risk] = new
        self._pending_changes.append(LevelChange(risk, "risk", old, new))
        if risk not in self.active:
            return
        chain = self._area_chain[self._risks[risk].area]
        before = {a: self.area_level(a) for a in chain}
        for counts in [*(self._area_counts[a] for a in chain), self._all_counts]:
            if old is not None:
                counts[old] -= 1
                if not counts[old]:
                    del counts[old]
            counts[new] += 1
        for a in chain:
            after = self.area_level(a)
            if after != before[a]:
                self._pending_changes.append(LevelChange(a, "area", before[a], after))

    def _refresh_control(self, control: str) -> None:
        open_hds = self.ledger.open_on_control(control)
        state = max((h.finding for h in open_hds), key=lambda f: f.severity, default=InspectionResult.EFFECTIVE)
        if self._control_state.get(control, InspectionResult.EFFECTIVE) == state:
            return
        if state is InspectionResult.EFFECTIVE:
            self._control_state.pop(control, None)
        else:
            self._control_state[control] = state
        c = self._controls.get(control)
        first = len(self._pending_changes)
        for r in (c.mitigates if c else ()):
            self._set_current(r, self._compute(self._risks[r]))
        if self._criteria is not None:  # keep the criteria's facts in step: the control, and what moved
            moved = self._pending_changes[first:]
            self._criteria.refresh(controls=[control] if c else [], risks=[x.id for x in moved if x.kind == "risk"],
                                   areas=dict.fromkeys(x.id for x in moved if x.kind == "area"))

    def _on_event(self, event: LedgerEvent) -> None:
        if not isinstance(event, HiddenDangerEvent):
            return  # an investigation record (e.g. a missed check): no hidden danger moves
        source = getattr(event, "source", None)
        if source:
            self._recorded_sources.add(source)
        hd = self.ledger.get(event.hd_id)
        if hd.control_id in self._controls:
            if "graph" in self.__dict__:  # keep a built graph in step; an unbuilt one reads the ledger
                if hd.id not in self.graph.G:
                    self.graph.add_hidden_danger(hd.id, hd.control_id)
                self.graph.G.nodes[hd.id]["record"] = hd
            self._refresh_control(hd.control_id)
        if self._criteria is not None:
            self._criteria.refresh(hidden_dangers=[hd])

    # -- recording -------------------------------------------------------------------------
    def record_inspection(self, inspection: Inspection) -> InspectionOutcome:
        """Record one inspection: a defect opens (or adds to) a hidden danger on the control.

        :returns: the hidden danger (if any) and every risk/area level that moved.
        :raises UnknownReference: the inspection names an unknown control.
        """
        c = self._controls.get(inspection.control)
        if c is None:
            raise UnknownReference(f"inspection {inspection.id!r}: {inspection.control!r} is not a known control{suggest(inspection.control, self._controls)}")
        self._pending_changes.clear()
        hd: HiddenDanger | None = None
        opened = False
        source = f"inspection:{inspection.id}"
        if inspection.facts:
            self._inspection_facts[inspection.id] = dict(inspection.facts)
        if source in self._recorded_sources:
            return InspectionOutcome(inspection.id, None, False, (), already_recorded=True)
        if inspection.result.is_defect:
            existing = self.ledger.open_on_control(c.id)
            if existing:
                # A late-entered inspection may predate the hidden danger's last event; the ledger is
                # append-only in time, so the finding is stamped no earlier than that and the
                # observation time is kept in the reason.
                at = max(inspection.at, existing[0].last_at)
                why = inspection.note or ""
                if at != inspection.at:
                    why = f"observed at {inspection.at.isoformat()}; {why}".rstrip("; ")
                hd = self.ledger.add_finding(existing[0].id, finding=inspection.result, source=source, by=inspection.by, at=at, why=why)
                hd = self._regrade_on_new_finding(hd, at)
            else:
                hd = self.ledger.report(
                    control_id=c.id, finding=inspection.result, source=source,
                    description=inspection.note or f"{c.name}: {inspection.result.zh}",
                    owner_level=c.owner_level, post=c.post, risk_ids=c.mitigates, by=inspection.by, at=inspection.at,
                )
                opened = True
                hd = self._grade(hd, inspection.at)
        changes = tuple(self._pending_changes)
        self._pending_changes.clear()
        return InspectionOutcome(inspection.id, hd, opened, changes)

    @property
    def criteria(self) -> CriteriaSession | None:
        """The installed packs' rule files over this enterprise (``None`` when no pack has any)."""
        if self._criteria is None and self.packs.registry.rule_files:
            self._criteria = CriteriaSession(self, engine=self._engine_kind, versions=self.criteria_versions)
        return self._criteria

    def open_hidden_danger(
        self,
        control: str,
        *,
        source: str,
        at: datetime,
        description: str = "",
        finding: InspectionResult = InspectionResult.FAILED,
        major_by: Any = None,
        by: str = SYSTEM_ACTOR,
    ) -> HiddenDanger:
        """Open a hidden danger on ``control`` from a rule or a monitoring alarm (not an inspection).

        If one is already open on the control, the finding is added to it instead.
        ``major_by`` — a :class:`~dualprev_core.rules.Match` whose rule makes it major — grades it
        major with that rule as the criterion (an open general one is regraded upward); without
        it the installed criteria grade it.
        """
        c = self.graph.record(control, "control")
        ref = self._ref(major_by) if major_by is not None else None
        existing = self.ledger.open_on_control(control)
        if existing:
            hd = existing[0]
            at = max(at, hd.last_at)
            hd = self.ledger.add_finding(hd.id, finding=finding, source=source, by=by, at=at, why=description)
            if ref is not None and not hd.is_major and hd.grade is not None:
                hd = self.ledger.regrade(hd.id, grade=HiddenDangerGrade.MAJOR, criteria=[ref], by=by, at=at, why=f"criterion matched: {ref.criterion_id}")
                return hd
            return self._regrade_on_new_finding(hd, at)
        hd = self.ledger.report(control_id=control, finding=finding, source=source, description=description or f"{c.name}: {source}",
                                owner_level=c.owner_level, post=c.post, risk_ids=c.mitigates, by=by, at=at)
        if ref is not None:
            return self.ledger.assess(hd.id, grade=HiddenDangerGrade.MAJOR, criteria=[ref], by=by, at=at,
                                      deadline=at + timedelta(days=DEFAULT_RECTIFICATION_DAYS["major"]), why=f"criterion matched: {ref.criterion_id}")
        return self._grade(hd, at)

    def _subject_of(self, match: Any, alias: str) -> str:
        for kind in ("risk_point", "area", "enterprise"):
            b = next((b for b in match.bindings if b.type == kind and (b.alias == alias or not alias)), None)
            if b is not None:
                return f"{kind}:{b.key}"
        return f"enterprise:{self.enterprise.id}"

    def open_hidden_danger_on(
        self,
        subject: str,
        *,
        source: str,
        at: datetime,
        description: str,
        finding: InspectionResult = InspectionResult.FAILED,
        major_by: Any = None,
        owner_level: OwnerLevel = OwnerLevel.COMPANY,
        by: str = SYSTEM_ACTOR,
    ) -> HiddenDanger:
        """Open a hidden danger no control covers — a management defect, an area-wide condition — on
        ``subject`` (``area:<id>``, ``risk_point:<id>`` or ``enterprise:<id>``), and grade it.

        It degrades no control, so no risk's current level moves; it is listed among the open hidden
        dangers of the enterprise (and of its area).  See :func:`~dualprev_core.assessment.report.hidden_danger_effect`.

        :raises UnknownReference: the subject names no area, risk point or enterprise of this file.
        """

        kind, _, ident = subject.partition(":")
        pools = {"area": {a.id for a in self.enterprise.areas}, "risk_point": {r.id for r in self.enterprise.risk_points},
                 "enterprise": {self.enterprise.id}}
        if kind not in pools or ident not in pools[kind]:
            raise UnknownReference(f"'subject' {subject!r} is not area:<id>, risk_point:<id> or enterprise:<id> of {self.enterprise.id}"
                                   + (suggest(ident, pools[kind]) if kind in pools else ""))
        risks = [r.id for r in self.enterprise.risks if (kind == "area" and ident in self._area_chain[r.area])
                 or (kind == "risk_point" and r.risk_point == ident)]
        hd = self.ledger.report(subject=subject, finding=finding, source=source, description=description, owner_level=owner_level,
                                risk_ids=risks, by=by, at=at)
        if major_by is not None:
            ref = self._ref(major_by)
            return self.ledger.assess(hd.id, grade=HiddenDangerGrade.MAJOR, criteria=[ref], by=by, at=at,
                                      deadline=at + timedelta(days=DEFAULT_RECTIFICATION_DAYS["major"]), why=f"criterion matched: {ref.criterion_id}")
        return self._grade(hd, at)

    def _ref(self, match: Any) -> Any:
        from dualprev_core.assessment.criteria import criterion_ref

        return self.criteria.ref(match) if self.criteria is not None else criterion_ref(match, {})

    def evaluate_criteria(self, at: datetime | None = None) -> list[Any]:
        """Act on what the installed rule files say about the standing facts.

        Rules whose outcome is ``open_hidden_danger`` (e.g. "the principal has no safety
        certificate", bound to the management control that covers it) open a hidden danger on the
        bound control, once per rule and control (re-running is idempotent); other outcomes
        (``alarm``, ``flag``, ``escalate``) are returned as matches for the caller.

        :returns: the matches that started since the last call (acted on where they could be).
        """
        if self.criteria is None:
            return []
        when = at if at is not None else self.clock.now()
        matches = self.criteria.take_pending()
        for m in matches:
            if not self.criteria.judges(m, when):
                self.unapplied.append((m, f"rule set {m.ruleset!r} does not judge findings made at {when.isoformat()} "
                                          f"(its document version was not in force then, or the caller named another version)"))
                continue
            for o in m.outcomes:
                if o.kind != "open_hidden_danger":
                    continue
                value = o.value if isinstance(o.value, Mapping) else {}
                alias = str(value.get("on", ""))
                major = m if str(value.get("grade", "")).lower() == "major" else None
                finding = InspectionResult.parse(value.get("finding", "failed"))
                text = outcome_text(value) or f"{m.rule} ({m.citation})"
                b = next((b for b in m.bindings if b.alias == alias and b.type == "control"), None)
                if b is None or b.key not in self._controls:
                    # No control covers it (a management defect, an area-wide condition): open it on
                    # the area, risk point or enterprise the rule is bound to, else the enterprise.
                    subject = self._subject_of(m, alias)
                    source = f"criterion:{m.rule}:{subject}"
                    if source not in self._recorded_sources:
                        self.open_hidden_danger_on(subject, source=source, at=when, description=text, major_by=major, finding=finding)
                    continue
                source = f"criterion:{m.rule}:{b.key}"
                if source in self._recorded_sources:
                    continue
                self.open_hidden_danger(b.key, source=source, at=when, description=text, major_by=major, finding=finding)
        return matches

    def matching_criteria(self, hd: HiddenDanger) -> list[Any]:
        """The installed packs' criteria that make ``hd`` major now (rule files, then hooks)."""
        criteria = list(self.criteria.grade(hd)) if self.criteria is not None else []
        return criteria + self.packs.grade_hidden_danger(self.hidden_danger_facts(hd), self.enterprise)

    def regrade_by_criteria(self, hd_id: str, *, by: str, why: str, at: datetime | None = None) -> HiddenDanger:
        """Re-judge an open general hidden danger on the present facts; major if a criterion matches.

        :raises TransitionRejected: no installed criterion makes it major (nothing changes).
        """
        hd = self.ledger.get(hd_id)
        criteria = self.matching_criteria(hd)
        if not criteria:
            raise TransitionRejected(f"{hd_id}: no major-hidden-danger criterion of an installed pack matches the present facts; "
                                     f"it stays {hd.grade.key if hd.grade else 'ungraded'}")
        return self.ledger.regrade(hd_id, grade=HiddenDangerGrade.MAJOR, criteria=criteria, by=by, why=why, at=at)

    def _regrade_on_new_finding(self, hd: HiddenDanger, at: datetime) -> HiddenDanger:
        """Judge an open general hidden danger again after a further finding (upward only).

        A worse finding can make a criterion match ("failed or missing"); without this, a control
        found weakened and then failed would stay general while the same two findings in the
        other order make it major (the order-free invariant, docs/semantics.md).
        """
        if not hd.is_open or hd.grade is not HiddenDangerGrade.GENERAL:
            return hd
        criteria = self.matching_criteria(hd)
        if not criteria:
            return hd
        why = "criteria matched after a further finding: " + ", ".join(getattr(c, "criterion_id", str(c)) for c in criteria)
        return self.ledger.regrade(hd.id, grade=HiddenDangerGrade.MAJOR, criteria=criteria, by=SYSTEM_ACTOR, at=at, why=why)

    def _grade(self, hd: HiddenDanger, at: datetime) -> HiddenDanger:
        criteria = self.matching_criteria(hd)
        grade = HiddenDangerGrade.MAJOR if criteria else HiddenDangerGrade.GENERAL
        days = DEFAULT_RECTIFICATION_DAYS[grade.key]
        why = ("criteria matched: " + ", ".join(getattr(c, "criterion_id", str(c)) for c in criteria)) if criteria else "no major-hidden-danger criterion of an installed pack matched"
        return self.ledger.assess(hd.id, grade=grade, criteria=criteria, deadline=at + timedelta(days=days), by=SYSTEM_ACTOR, at=at, why=why)

    def inspection_facts(self, hd: HiddenDanger) -> dict[str, Any]:
        """The ``facts`` recorded on the inspections that found ``hd`` (first finding first; later ones override)."""
        out: dict[str, Any] = {}
        for ev in hd.history:
            src = getattr(ev, "source", "") or ""
            if src.startswith("inspection:"):
                out.update(self._inspection_facts.get(src.split(":", 1)[1], {}))
        return out

    def hidden_danger_facts(self, hd: HiddenDanger) -> HiddenDangerFacts:
        """The facts packs judge a hidden danger on (see ``dualprev_grade_hidden_danger``).

        A read-only mapping whose entries are built when a pack reads them: a defect on a
        company-wide control covering every risk costs nothing here unless a pack asks for
        ``risks`` (and then each risk's mapping is built as it is read).
        """
        return HiddenDangerFacts(self, hd)

    # -- queries ---------------------------------------------------------------------------
    def risk(self, risk: str) -> Risk:
        """The record of ``risk`` (:class:`UnknownReference` if there is none)."""
        return self._risks[self._known(risk)]

    def control(self, control: str) -> Control:
        """The record of ``control`` (:class:`UnknownReference` if there is none)."""
        c = self._controls.get(control)
        if c is None:
            raise UnknownReference(f"{control!r} is not a known control{suggest(control, self._controls)}")
        return c

    def area(self, area: str) -> Area:
        """The record of ``area`` (:class:`UnknownReference` if there is none)."""
        self.area_chain(area)
        return self._areas[area]

    def area_chain(self, area: str) -> tuple[str, ...]:
        """``area`` and its parents up to the root, nearest first (without building the graph)."""
        chain = self._area_chain.get(area)
        if chain is None:
            raise UnknownReference(f"{area!r} is not a known area{suggest(area, self._area_chain)}")
        return chain

    def assessed_level(self, risk: str) -> RiskLevel:
        return self._assessed[self._known(risk)].level

    def current_level(self, risk: str) -> RiskLevel:
        return self._current[self._known(risk)]

    def current_levels(self) -> dict[str, RiskLevel]:
        return dict(self._current)

    def explain(self, risk: str) -> LevelExplanation:
        """Why ``risk`` has its assessed and current levels (computed from the present state)."""
        return self._compute(self._risks[self._known(risk)])

    def control_state(self, control: str) -> InspectionResult:
        return self._control_state.get(control, InspectionResult.EFFECTIVE)

    def area_level(self, area: str) -> RiskLevel | None:
        """The area's colour: the highest current level of the risks in it and below it."""
        counts = self._area_counts[area]
        return max(counts) if counts else None

    def area_levels(self) -> dict[str, RiskLevel | None]:
        return {a: self.area_level(a) for a in self._area_counts}

    def highest_level(self) -> RiskLevel | None:
        return max(self._all_counts) if self._all_counts else None

    def level_counts(self) -> dict[RiskLevel, int]:
        return {lvl: self._all_counts.get(lvl, 0) for lvl in sorted(RiskLevel, reverse=True)}

    def major_risks(self) -> list[Risk]:
        """The major-risk list (重大风险清单): risks whose current level is MAJOR."""
        return [r for r in self.enterprise.risks if self._current[r.id] is RiskLevel.MAJOR and r.id in self.active]

    def enterprise_level(self) -> EnterpriseLevel:
        """By ``settings.enterprise_level_method``, else the industry's pack default, else highest-current."""
        reg = self.packs.registry
        name = self.enterprise.settings.enterprise_level_method or reg.industry_defaults.get(self.enterprise.industry) or HIGHEST_CURRENT
        return self.packs.enterprise_level(self, name)

    def _known(self, risk: str) -> str:
        if risk not in self._risks:
            raise UnknownReference(f"{risk!r} is not a known risk{suggest(risk, self._risks)}")
        return risk

    def changes_for(self, controls: Iterable[str]) -> list[str]:
        """The risks whose levels depend on ``controls`` (what a change to them can move)."""
        return sorted({r for c in controls for r in (self._controls[c].mitigates if c in self._controls else ())})


class HiddenDangerFacts(Mapping[str, Any]):
    """The facts of one hidden danger for the packs' grading hook, built on access.

    Keys: ``id``, ``subject`` (``area:<id>`` … for a hidden danger no control covers, else
    ``None``), ``finding``, ``inspection_facts``, ``source``, ``control`` (the control's
    record as a mapping; empty without a control), ``risks`` (a sequence of the mitigated risks' records as mappings,
    each with its ``current_level``) and ``areas`` (the areas of those risks and their
    ancestors, sorted).  Each value is computed the first time it is read; :meth:`to_dict`
    gives plain data (for JSON).
    """

    _KEYS = ("id", "subject", "finding", "inspection_facts", "source", "control", "risks", "areas")

    def __init__(self, assessment: Assessment, hd: HiddenDanger) -> None:
        self._a = assessment
        self._hd = hd
        self._done: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        if key in self._done:
            return self._done[key]
        if key not in self._KEYS:
            raise KeyError(key)
        a, hd = self._a, self._hd
        c = a._controls.get(hd.control_id) if hd.control_id is not None else None  # noqa: SLF001 - the assessment's own table
        # a hidden danger no control covers judges the risks in its subject's scope
        risk_ids = c.mitigates if c else hd.risk_ids
        if key == "id":
            value: Any = hd.id
        elif key == "subject":
            value = hd.subject
        elif key == "finding":
            value = hd.finding.key
        elif key == "inspection_facts":
            value = a.inspection_facts(hd)
        elif key == "source":
            value = hd.source
        elif key == "control":
            value = attrs.asdict(c, recurse=True) if c else ({"id": hd.control_id} if hd.control_id else {})
        elif key == "risks":
            value = _RiskFacts(a, tuple(r for r in risk_ids if r in a._risks))  # noqa: SLF001
        else:
            areas = {a._risks[r].area for r in risk_ids if r in a._risks}  # noqa: SLF001
            value = sorted({x for area in areas for x in a.area_chain(area)})
        self._done[key] = value
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._KEYS)

    def __len__(self) -> int:
        return len(self._KEYS)

    def to_dict(self) -> dict[str, Any]:
        """Every entry as plain data."""
        return {k: (list(v) if k == "risks" else v) for k, v in self.items()}


class _RiskFacts(Sequence[dict[str, Any]]):
    """The mitigated risks as mappings, each built when read."""

    def __init__(self, assessment: Assessment, risk_ids: tuple[str, ...]) -> None:
        self._a = assessment
        self._ids = risk_ids
        self._built: dict[int, dict[str, Any]] = {}

    def __len__(self) -> int:
        return len(self._ids)

    @overload
    def __getitem__(self, i: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, i: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, i: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self._ids)))]
        if i < 0:
            i += len(self._ids)
        if not 0 <= i < len(self._ids):
            raise IndexError(i)
        d = self._built.get(i)
        if d is None:
            rid = self._ids[i]
            d = self._built[i] = {**attrs.asdict(self._a.risk(rid), recurse=True), "current_level": self._a.current_level(rid).key}
        return d
