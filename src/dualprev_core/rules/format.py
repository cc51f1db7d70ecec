"""Records of the rule format (``dualprev-rules/1``) and of the results engines return.

Everything here is plain data: frozen attrs records built by :mod:`._schema` from a validated
document, and the :class:`Match` records engines return.  No record holds code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from dualprev_core.errors import UnknownReference, suggest
from dualprev_core.provenance import Citation
from dualprev_core.rules.versions import CriteriaDocument

__all__ = [
    "Condition",
    "AnyOf",
    "FactPattern",
    "NonePattern",
    "EventPattern",
    "SilencePattern",
    "Outcome",
    "Rule",
    "RuleSet",
    "Binding",
    "Match",
    "FORMAT",
    "OPS",
    "REF_OPS",
    "Cond",
    "Pattern",
]

FORMAT = "dualprev-rules/1"

#: every condition operator, in documentation order
OPS = ("eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "between", "exists", "missing", "matches", "contains")
#: operators that may compare with another bound fact (``ref:``) instead of a literal
REF_OPS = ("eq", "ne", "lt", "le", "gt", "ge")


@attrs.frozen
class Condition:
    """``{field, op, value | ref}``: a test on one field of the pattern's fact.

    :param path: the dotted field path, split (``("loc", "zone")``).
    :param op: one of :data:`OPS`.
    :param value: the literal (``None`` for ``exists``/``missing`` or when ``ref`` is set).
    :param ref: ``(alias, path)`` of another bound fact's field, for joins.
    """

    path: tuple[str, ...]
    op: str
    value: Any = None
    ref: tuple[str, tuple[str, ...]] | None = None


@attrs.frozen
class AnyOf:
    """``{any: [...]}``: at least one of the conditions holds."""

    items: tuple[Condition | AnyOf, ...]


Cond = Condition | AnyOf


@attrs.frozen
class FactPattern:
    """``{fact: <type>, as: <alias>, where: [...]}``: a stored fact that satisfies ``where``."""

    type: str
    alias: str
    where: tuple[Cond, ...] = ()


@attrs.frozen
class NonePattern:
    """``{none: {fact: <type>, where: [...]}}``: no fact of that type satisfies ``where``."""

    type: str
    where: tuple[Cond, ...] = ()


@attrs.frozen
class EventPattern:
    """``{event: <type>, as, where, per, held_for}``: a monitoring event.

    Without ``held_for`` each event that satisfies ``where`` is a trigger.  With it, the
    trigger is the first event at which every event of the stream (same ``per`` value) has
    satisfied ``where`` for at least ``held_for`` seconds of event time.
    """

    type: str
    alias: str
    where: tuple[Cond, ...] = ()
    per: tuple[str, ...] | None = None
    held_for: float | None = None


@attrs.frozen
class SilencePattern:
    """``{silence: {event: <type>, per: <field>, for: <seconds>, as}}``: a stream went quiet."""

    type: str
    alias: str
    per: tuple[str, ...]
    seconds: float


Pattern = FactPattern | NonePattern | EventPattern | SilencePattern


@attrs.frozen
class Outcome:
    """One item of ``then``: ``kind`` is the key (``alarm``...), ``value`` the data as written."""

    kind: str
    value: Any = attrs.field(eq=False, hash=False)

    def to_dict(self) -> dict[str, Any]:
        """The outcome as written in the rule file."""
        return {self.kind: self.value}


@attrs.frozen
class Rule:
    """One criterion: patterns (``when``), outcomes (``then``) and where it comes from."""

    id: str
    title: Mapping[str, str] = attrs.field(eq=False, hash=False)
    citation: Citation
    when: tuple[Pattern, ...]
    then: tuple[Outcome, ...]
    salience: int = 0
    enabled: bool = True

    @property
    def positive(self) -> tuple[Pattern, ...]:
        """The patterns that bind an alias (facts, events, silences), in file order."""
        return tuple(p for p in self.when if not isinstance(p, NonePattern))

    @property
    def negations(self) -> tuple[NonePattern, ...]:
        """The ``none`` patterns, wherever they were written."""
        return tuple(p for p in self.when if isinstance(p, NonePattern))


@attrs.frozen
class RuleSet:
    """A validated rule file: ``ruleset`` id, optional ``pack``, rules in file order, and the
    document (number, version, dates in force, what it supersedes) its rules encode, if declared."""

    id: str
    rules: tuple[Rule, ...]
    pack: str | None = None
    source: str | None = attrs.field(default=None, eq=False)
    document: CriteriaDocument | None = attrs.field(default=None, eq=False)


@attrs.frozen
class Binding:
    """One alias of a match: which fact (or event) it bound."""

    alias: str
    type: str
    key: str


@attrs.frozen
class Match:
    """A rule started to hold for one tuple of facts (and possibly one event).

    Engines do not act on matches: the caller applies :attr:`outcomes`.  Equality and hashing
    use :attr:`identity` plus ``at``.

    :ivar ruleset: the rule set id.
    :ivar rule: the rule id.
    :ivar pack: the pack that shipped the rule set, if any.
    :ivar citation: the clause the rule encodes.
    :ivar outcomes: what the rule says to do.
    :ivar bindings: alias → (type, key), in the rule's pattern order.
    :ivar facts: alias → the bound fact's ``type``, ``key`` and the fields the rule reads
        (as they were when the match started), enough to explain the decision.
    :ivar at: event time of the triggering event or clock tick (``None`` for fact rules).
    """

    ruleset: str
    rule: str
    pack: str | None = attrs.field(eq=False)
    citation: Citation = attrs.field(eq=False)
    outcomes: tuple[Outcome, ...] = attrs.field(eq=False)
    bindings: tuple[Binding, ...]
    facts: Mapping[str, Mapping[str, Any]] = attrs.field(eq=False, hash=False, repr=False)
    at: float | None = None
    salience: int = attrs.field(default=0, eq=False)

    @property
    def identity(self) -> tuple[str, str, tuple[tuple[str, str, str], ...]]:
        """``(ruleset, rule, ((alias, type, key), ...))``: the tuple that matched."""
        return (self.ruleset, self.rule, tuple((b.alias, b.type, b.key) for b in self.bindings))

    def binding(self, alias: str) -> Binding:
        """The binding of ``alias``.

        :raises UnknownReference: the rule has no such alias (a ``KeyError``).
        """
        for b in self.bindings:
            if b.alias == alias:
                return b
        aliases = [b.alias for b in self.bindings]
        raise UnknownReference(f"rule {self.rule!r} has no alias {alias!r}; its aliases: {', '.join(aliases)}{suggest(alias, aliases)}")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready explanation of the match."""
        return {
            "ruleset": self.ruleset,
            "rule": self.rule,
            "pack": self.pack,
            "citation": self.citation.to_dict(),
            "outcomes": [o.to_dict() for o in self.outcomes],
            "bindings": {b.alias: {"type": b.type, "key": b.key} for b in self.bindings},
            "facts": {k: dict(v) for k, v in self.facts.items()},
            "at": self.at,
        }
